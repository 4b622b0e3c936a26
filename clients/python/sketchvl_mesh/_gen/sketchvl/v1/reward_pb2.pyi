from . import action_pb2 as _action_pb2
from . import chart_code_pb2 as _chart_code_pb2
from . import image_pb2 as _image_pb2
from . import prm_pb2 as _prm_pb2
from . import trainer_pb2 as _trainer_pb2
from . import trajectory_pb2 as _trajectory_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
FAILURE_KIND_FORMAT: FailureKind
FAILURE_KIND_INFRASTRUCTURE: FailureKind
FAILURE_KIND_INVALID_INPUT: FailureKind
FAILURE_KIND_TIMEOUT: FailureKind
FAILURE_KIND_UNSPECIFIED: FailureKind
OUTCOME_REWARD_EXACT_MATCH: OutcomeReward
OUTCOME_REWARD_RELAXED_ACCURACY: OutcomeReward
OUTCOME_REWARD_REWARDMAP: OutcomeReward
OUTCOME_REWARD_UNSPECIFIED: OutcomeReward
REWARD_TASK_CHART_TO_CODE: RewardTask
REWARD_TASK_DRAW_AND_ANSWER: RewardTask
REWARD_TASK_UNSPECIFIED: RewardTask

class ChartCodeReward(_message.Message):
    __slots__ = ["errors", "judge", "judge_output_parsed", "render_detail", "render_status", "rendered_digest", "reward", "severity_sum"]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    JUDGE_FIELD_NUMBER: _ClassVar[int]
    JUDGE_OUTPUT_PARSED_FIELD_NUMBER: _ClassVar[int]
    RENDERED_DIGEST_FIELD_NUMBER: _ClassVar[int]
    RENDER_DETAIL_FIELD_NUMBER: _ClassVar[int]
    RENDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_SUM_FIELD_NUMBER: _ClassVar[int]
    errors: _containers.RepeatedCompositeFieldContainer[_chart_code_pb2.ChartCodeError]
    judge: str
    judge_output_parsed: bool
    render_detail: str
    render_status: _chart_code_pb2.ChartRenderStatus
    rendered_digest: str
    reward: float
    severity_sum: int
    def __init__(self, render_status: _Optional[_Union[_chart_code_pb2.ChartRenderStatus, str]] = ..., render_detail: _Optional[str] = ..., errors: _Optional[_Iterable[_Union[_chart_code_pb2.ChartCodeError, _Mapping]]] = ..., severity_sum: _Optional[int] = ..., judge_output_parsed: bool = ..., reward: _Optional[float] = ..., rendered_digest: _Optional[str] = ..., judge: _Optional[str] = ...) -> None: ...

class ChartCodeTarget(_message.Message):
    __slots__ = ["judge", "reference_code"]
    JUDGE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_CODE_FIELD_NUMBER: _ClassVar[int]
    judge: str
    reference_code: str
    def __init__(self, reference_code: _Optional[str] = ..., judge: _Optional[str] = ...) -> None: ...

class GroupRewards(_message.Message):
    __slots__ = ["image_digest", "request_id", "responses", "stage_ms"]
    class StageMsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    IMAGE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    STAGE_MS_FIELD_NUMBER: _ClassVar[int]
    image_digest: str
    request_id: str
    responses: _containers.RepeatedCompositeFieldContainer[ResponseReward]
    stage_ms: _containers.ScalarMap[str, float]
    def __init__(self, request_id: _Optional[str] = ..., responses: _Optional[_Iterable[_Union[ResponseReward, _Mapping]]] = ..., image_digest: _Optional[str] = ..., stage_ms: _Optional[_Mapping[str, float]] = ...) -> None: ...

class OutcomeConfig(_message.Message):
    __slots__ = ["detail_alpha", "difficulty_weight", "kind", "map_weight", "question_weight", "sub_answers"]
    DETAIL_ALPHA_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MAP_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    QUESTION_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    SUB_ANSWERS_FIELD_NUMBER: _ClassVar[int]
    detail_alpha: float
    difficulty_weight: float
    kind: OutcomeReward
    map_weight: float
    question_weight: float
    sub_answers: _containers.RepeatedCompositeFieldContainer[SubAnswer]
    def __init__(self, kind: _Optional[_Union[OutcomeReward, str]] = ..., difficulty_weight: _Optional[float] = ..., detail_alpha: _Optional[float] = ..., map_weight: _Optional[float] = ..., question_weight: _Optional[float] = ..., sub_answers: _Optional[_Iterable[_Union[SubAnswer, _Mapping]]] = ...) -> None: ...

class ResponseReward(_message.Message):
    __slots__ = ["answer", "chart_code", "coarse_advantage", "failure_kind", "failure_reason", "format_errors", "id", "last_process_score", "loss_mask", "mask_sample", "mean_process_score", "min_process_score", "outcome_reward", "reward_components", "steps", "token_advantages", "token_process_scores"]
    class RewardComponentsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    CHART_CODE_FIELD_NUMBER: _ClassVar[int]
    COARSE_ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_KIND_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    FORMAT_ERRORS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAST_PROCESS_SCORE_FIELD_NUMBER: _ClassVar[int]
    LOSS_MASK_FIELD_NUMBER: _ClassVar[int]
    MASK_SAMPLE_FIELD_NUMBER: _ClassVar[int]
    MEAN_PROCESS_SCORE_FIELD_NUMBER: _ClassVar[int]
    MIN_PROCESS_SCORE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_REWARD_FIELD_NUMBER: _ClassVar[int]
    REWARD_COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ADVANTAGES_FIELD_NUMBER: _ClassVar[int]
    TOKEN_PROCESS_SCORES_FIELD_NUMBER: _ClassVar[int]
    answer: str
    chart_code: ChartCodeReward
    coarse_advantage: float
    failure_kind: FailureKind
    failure_reason: str
    format_errors: _containers.RepeatedCompositeFieldContainer[_trajectory_pb2.FormatError]
    id: str
    last_process_score: float
    loss_mask: _containers.RepeatedScalarFieldContainer[bool]
    mask_sample: bool
    mean_process_score: float
    min_process_score: float
    outcome_reward: float
    reward_components: _containers.ScalarMap[str, float]
    steps: _containers.RepeatedCompositeFieldContainer[StepRecord]
    token_advantages: _containers.RepeatedScalarFieldContainer[float]
    token_process_scores: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, id: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[StepRecord, _Mapping]]] = ..., format_errors: _Optional[_Iterable[_Union[_trajectory_pb2.FormatError, _Mapping]]] = ..., answer: _Optional[str] = ..., outcome_reward: _Optional[float] = ..., coarse_advantage: _Optional[float] = ..., mean_process_score: _Optional[float] = ..., min_process_score: _Optional[float] = ..., last_process_score: _Optional[float] = ..., token_advantages: _Optional[_Iterable[float]] = ..., loss_mask: _Optional[_Iterable[bool]] = ..., token_process_scores: _Optional[_Iterable[float]] = ..., mask_sample: bool = ..., failure_kind: _Optional[_Union[FailureKind, str]] = ..., failure_reason: _Optional[str] = ..., reward_components: _Optional[_Mapping[str, float]] = ..., chart_code: _Optional[_Union[ChartCodeReward, _Mapping]] = ...) -> None: ...

class ResponseToScore(_message.Message):
    __slots__ = ["id", "image_token_spans", "text", "token_offsets"]
    ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_TOKEN_SPANS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_OFFSETS_FIELD_NUMBER: _ClassVar[int]
    id: str
    image_token_spans: _containers.RepeatedCompositeFieldContainer[_trajectory_pb2.TokenSpan]
    text: str
    token_offsets: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[str] = ..., text: _Optional[str] = ..., token_offsets: _Optional[_Iterable[int]] = ..., image_token_spans: _Optional[_Iterable[_Union[_trajectory_pb2.TokenSpan, _Mapping]]] = ...) -> None: ...

class ScoreGroupRequest(_message.Message):
    __slots__ = ["batch_index", "chart_code", "finepo", "format", "image", "outcome", "prm_model", "question", "references", "request_id", "responses", "run_id", "sample_timeout_ms", "task", "use_argmax_score"]
    BATCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    CHART_CODE_FIELD_NUMBER: _ClassVar[int]
    FINEPO_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PRM_MODEL_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    USE_ARGMAX_SCORE_FIELD_NUMBER: _ClassVar[int]
    batch_index: int
    chart_code: ChartCodeTarget
    finepo: _trainer_pb2.FinePOConfig
    format: _trajectory_pb2.StepFormat
    image: _image_pb2.Image
    outcome: OutcomeConfig
    prm_model: str
    question: str
    references: _containers.RepeatedScalarFieldContainer[str]
    request_id: str
    responses: _containers.RepeatedCompositeFieldContainer[ResponseToScore]
    run_id: str
    sample_timeout_ms: int
    task: RewardTask
    use_argmax_score: bool
    def __init__(self, request_id: _Optional[str] = ..., run_id: _Optional[str] = ..., batch_index: _Optional[int] = ..., image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., question: _Optional[str] = ..., references: _Optional[_Iterable[str]] = ..., responses: _Optional[_Iterable[_Union[ResponseToScore, _Mapping]]] = ..., outcome: _Optional[_Union[OutcomeConfig, _Mapping]] = ..., finepo: _Optional[_Union[_trainer_pb2.FinePOConfig, _Mapping]] = ..., prm_model: _Optional[str] = ..., use_argmax_score: bool = ..., format: _Optional[_Union[_trajectory_pb2.StepFormat, str]] = ..., sample_timeout_ms: _Optional[int] = ..., task: _Optional[_Union[RewardTask, str]] = ..., chart_code: _Optional[_Union[ChartCodeTarget, _Mapping]] = ...) -> None: ...

class ScoreGroupResponse(_message.Message):
    __slots__ = ["group"]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: GroupRewards
    def __init__(self, group: _Optional[_Union[GroupRewards, _Mapping]] = ...) -> None: ...

class StepRecord(_message.Message):
    __slots__ = ["action", "advantage", "excluded", "index", "intent", "kl_offset", "label", "probabilities", "process_score", "span", "token_span", "turn"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    KL_OFFSET_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    PROCESS_SCORE_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_SPAN_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    action: _action_pb2.DrawingAction
    advantage: float
    excluded: bool
    index: int
    intent: str
    kl_offset: float
    label: _prm_pb2.PrmLabel
    probabilities: _containers.RepeatedScalarFieldContainer[float]
    process_score: float
    span: _trajectory_pb2.TextSpan
    token_span: _trajectory_pb2.TokenSpan
    turn: int
    def __init__(self, index: _Optional[int] = ..., turn: _Optional[int] = ..., span: _Optional[_Union[_trajectory_pb2.TextSpan, _Mapping]] = ..., token_span: _Optional[_Union[_trajectory_pb2.TokenSpan, _Mapping]] = ..., intent: _Optional[str] = ..., action: _Optional[_Union[_action_pb2.DrawingAction, _Mapping]] = ..., label: _Optional[_Union[_prm_pb2.PrmLabel, str]] = ..., probabilities: _Optional[_Iterable[float]] = ..., process_score: _Optional[float] = ..., kl_offset: _Optional[float] = ..., advantage: _Optional[float] = ..., excluded: bool = ...) -> None: ...

class StreamGroupRequest(_message.Message):
    __slots__ = ["group", "response"]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    group: ScoreGroupRequest
    response: ResponseToScore
    def __init__(self, group: _Optional[_Union[ScoreGroupRequest, _Mapping]] = ..., response: _Optional[_Union[ResponseToScore, _Mapping]] = ...) -> None: ...

class StreamGroupResponse(_message.Message):
    __slots__ = ["group"]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: GroupRewards
    def __init__(self, group: _Optional[_Union[GroupRewards, _Mapping]] = ...) -> None: ...

class SubAnswer(_message.Message):
    __slots__ = ["name", "region", "values"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    name: str
    region: _action_pb2.RectangleAction
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., region: _Optional[_Union[_action_pb2.RectangleAction, _Mapping]] = ..., values: _Optional[_Iterable[str]] = ...) -> None: ...

class OutcomeReward(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RewardTask(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class FailureKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
