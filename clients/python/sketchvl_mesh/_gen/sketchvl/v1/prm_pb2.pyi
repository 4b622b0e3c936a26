from . import action_pb2 as _action_pb2
from . import chart_code_pb2 as _chart_code_pb2
from . import errors_pb2 as _errors_pb2
from . import image_pb2 as _image_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
PRM_LABEL_ACCEPTABLE: PrmLabel
PRM_LABEL_EXCELLENT: PrmLabel
PRM_LABEL_POOR: PrmLabel
PRM_LABEL_UNACCEPTABLE: PrmLabel
PRM_LABEL_UNSPECIFIED: PrmLabel

class JudgeChartCodeRequest(_message.Message):
    __slots__ = ["judge", "predicted_code", "reference_code", "reference_image", "rendered_image"]
    JUDGE_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_CODE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_CODE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_IMAGE_FIELD_NUMBER: _ClassVar[int]
    RENDERED_IMAGE_FIELD_NUMBER: _ClassVar[int]
    judge: str
    predicted_code: str
    reference_code: str
    reference_image: _image_pb2.Image
    rendered_image: _image_pb2.Image
    def __init__(self, judge: _Optional[str] = ..., reference_image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., reference_code: _Optional[str] = ..., rendered_image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., predicted_code: _Optional[str] = ...) -> None: ...

class JudgeChartCodeResponse(_message.Message):
    __slots__ = ["errors", "judge", "parsed", "raw_output"]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    JUDGE_FIELD_NUMBER: _ClassVar[int]
    PARSED_FIELD_NUMBER: _ClassVar[int]
    RAW_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    errors: _containers.RepeatedCompositeFieldContainer[_chart_code_pb2.ChartCodeError]
    judge: str
    parsed: bool
    raw_output: str
    def __init__(self, errors: _Optional[_Iterable[_Union[_chart_code_pb2.ChartCodeError, _Mapping]]] = ..., parsed: bool = ..., judge: _Optional[str] = ..., raw_output: _Optional[str] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ["models"]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelStatus]
    def __init__(self, models: _Optional[_Iterable[_Union[ModelStatus, _Mapping]]] = ...) -> None: ...

class LoadModelRequest(_message.Message):
    __slots__ = ["model", "version"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    model: str
    version: str
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class LoadModelResponse(_message.Message):
    __slots__ = ["model"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: ModelStatus
    def __init__(self, model: _Optional[_Union[ModelStatus, _Mapping]] = ...) -> None: ...

class ModelStats(_message.Message):
    __slots__ = ["batches", "compute_ms_total", "queue_ms_total", "rejected", "requests"]
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_MS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    QUEUE_MS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    batches: int
    compute_ms_total: float
    queue_ms_total: float
    rejected: int
    requests: int
    def __init__(self, requests: _Optional[int] = ..., batches: _Optional[int] = ..., rejected: _Optional[int] = ..., queue_ms_total: _Optional[float] = ..., compute_ms_total: _Optional[float] = ...) -> None: ...

class ModelStatus(_message.Message):
    __slots__ = ["backend", "model", "state", "stats", "version"]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    backend: str
    model: str
    state: str
    stats: ModelStats
    version: str
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ..., backend: _Optional[str] = ..., state: _Optional[str] = ..., stats: _Optional[_Union[ModelStats, _Mapping]] = ...) -> None: ...

class ReferenceTarget(_message.Message):
    __slots__ = ["chart_kind", "chart_seed", "target_json"]
    CHART_KIND_FIELD_NUMBER: _ClassVar[int]
    CHART_SEED_FIELD_NUMBER: _ClassVar[int]
    TARGET_JSON_FIELD_NUMBER: _ClassVar[int]
    chart_kind: str
    chart_seed: int
    target_json: str
    def __init__(self, chart_seed: _Optional[int] = ..., target_json: _Optional[str] = ..., chart_kind: _Optional[str] = ...) -> None: ...

class ScoreStepsRequest(_message.Message):
    __slots__ = ["model", "steps"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    model: str
    steps: _containers.RepeatedCompositeFieldContainer[StepToScore]
    def __init__(self, model: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[StepToScore, _Mapping]]] = ...) -> None: ...

class ScoreStepsResponse(_message.Message):
    __slots__ = ["scores"]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[StepScore]
    def __init__(self, scores: _Optional[_Iterable[_Union[StepScore, _Mapping]]] = ...) -> None: ...

class StepError(_message.Message):
    __slots__ = ["code", "field", "id", "message", "reason"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: str
    field: str
    id: str
    message: str
    reason: _errors_pb2.ErrorReason
    def __init__(self, id: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ..., field: _Optional[str] = ..., reason: _Optional[_Union[_errors_pb2.ErrorReason, str]] = ...) -> None: ...

class StepScore(_message.Message):
    __slots__ = ["argmax_score", "expected_score", "id", "label", "model", "probabilities", "version"]
    ARGMAX_SCORE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SCORE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    argmax_score: float
    expected_score: float
    id: str
    label: PrmLabel
    model: str
    probabilities: _containers.RepeatedScalarFieldContainer[float]
    version: str
    def __init__(self, id: _Optional[str] = ..., label: _Optional[_Union[PrmLabel, str]] = ..., probabilities: _Optional[_Iterable[float]] = ..., expected_score: _Optional[float] = ..., argmax_score: _Optional[float] = ..., model: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class StepToScore(_message.Message):
    __slots__ = ["action", "after", "before", "id", "intent", "reference"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    action: _action_pb2.DrawingAction
    after: _image_pb2.Image
    before: _image_pb2.Image
    id: str
    intent: str
    reference: ReferenceTarget
    def __init__(self, id: _Optional[str] = ..., intent: _Optional[str] = ..., action: _Optional[_Union[_action_pb2.DrawingAction, _Mapping]] = ..., before: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., after: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., reference: _Optional[_Union[ReferenceTarget, _Mapping]] = ...) -> None: ...

class StoreImageRequest(_message.Message):
    __slots__ = ["image"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.Image
    def __init__(self, image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ...) -> None: ...

class StoreImageResponse(_message.Message):
    __slots__ = ["image"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.ImageRef
    def __init__(self, image: _Optional[_Union[_image_pb2.ImageRef, _Mapping]] = ...) -> None: ...

class StreamScoresRequest(_message.Message):
    __slots__ = ["model", "step"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    model: str
    step: StepToScore
    def __init__(self, model: _Optional[str] = ..., step: _Optional[_Union[StepToScore, _Mapping]] = ...) -> None: ...

class StreamScoresResponse(_message.Message):
    __slots__ = ["error", "score"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    error: StepError
    score: StepScore
    def __init__(self, score: _Optional[_Union[StepScore, _Mapping]] = ..., error: _Optional[_Union[StepError, _Mapping]] = ...) -> None: ...

class UnloadModelRequest(_message.Message):
    __slots__ = ["model", "version"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    model: str
    version: str
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class UnloadModelResponse(_message.Message):
    __slots__ = ["unloaded"]
    UNLOADED_FIELD_NUMBER: _ClassVar[int]
    unloaded: _containers.RepeatedCompositeFieldContainer[ModelStatus]
    def __init__(self, unloaded: _Optional[_Iterable[_Union[ModelStatus, _Mapping]]] = ...) -> None: ...

class PrmLabel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
