from . import action_pb2 as _action_pb2
from . import chart_code_pb2 as _chart_code_pb2
from . import errors_pb2 as _errors_pb2
from . import image_pb2 as _image_pb2
from . import trajectory_pb2 as _trajectory_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ParseStepsRequest(_message.Message):
    __slots__ = ["format", "text"]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    format: _trajectory_pb2.StepFormat
    text: str
    def __init__(self, text: _Optional[str] = ..., format: _Optional[_Union[_trajectory_pb2.StepFormat, str]] = ...) -> None: ...

class ParseStepsResponse(_message.Message):
    __slots__ = ["parsed"]
    PARSED_FIELD_NUMBER: _ClassVar[int]
    parsed: _trajectory_pb2.ParsedResponse
    def __init__(self, parsed: _Optional[_Union[_trajectory_pb2.ParsedResponse, _Mapping]] = ...) -> None: ...

class PutImageRequest(_message.Message):
    __slots__ = ["image"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.Image
    def __init__(self, image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ...) -> None: ...

class PutImageResponse(_message.Message):
    __slots__ = ["image"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.ImageRef
    def __init__(self, image: _Optional[_Union[_image_pb2.ImageRef, _Mapping]] = ...) -> None: ...

class RenderChartCodeRequest(_message.Message):
    __slots__ = ["code", "output_format"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    code: str
    output_format: _image_pb2.ImageFormat
    def __init__(self, code: _Optional[str] = ..., output_format: _Optional[_Union[_image_pb2.ImageFormat, str]] = ...) -> None: ...

class RenderChartCodeResponse(_message.Message):
    __slots__ = ["detail", "image", "render_ms", "status"]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    RENDER_MS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    detail: str
    image: _image_pb2.ImageRef
    render_ms: float
    status: _chart_code_pb2.ChartRenderStatus
    def __init__(self, status: _Optional[_Union[_chart_code_pb2.ChartRenderStatus, str]] = ..., detail: _Optional[str] = ..., image: _Optional[_Union[_image_pb2.ImageRef, _Mapping]] = ..., render_ms: _Optional[float] = ...) -> None: ...

class RenderRequest(_message.Message):
    __slots__ = ["actions", "image", "output_format"]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    actions: _containers.RepeatedCompositeFieldContainer[_action_pb2.DrawingAction]
    image: _image_pb2.Image
    output_format: _image_pb2.ImageFormat
    def __init__(self, image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., actions: _Optional[_Iterable[_Union[_action_pb2.DrawingAction, _Mapping]]] = ..., output_format: _Optional[_Union[_image_pb2.ImageFormat, str]] = ...) -> None: ...

class RenderResponse(_message.Message):
    __slots__ = ["image"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.ImageRef
    def __init__(self, image: _Optional[_Union[_image_pb2.ImageRef, _Mapping]] = ...) -> None: ...

class RenderTrajectoriesRequest(_message.Message):
    __slots__ = ["base_image", "output_format", "trajectories"]
    BASE_IMAGE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    TRAJECTORIES_FIELD_NUMBER: _ClassVar[int]
    base_image: _image_pb2.Image
    output_format: _image_pb2.ImageFormat
    trajectories: _containers.RepeatedCompositeFieldContainer[TrajectorySteps]
    def __init__(self, base_image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., trajectories: _Optional[_Iterable[_Union[TrajectorySteps, _Mapping]]] = ..., output_format: _Optional[_Union[_image_pb2.ImageFormat, str]] = ...) -> None: ...

class RenderTrajectoriesResponse(_message.Message):
    __slots__ = ["error", "step", "trajectory_index"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    TRAJECTORY_INDEX_FIELD_NUMBER: _ClassVar[int]
    error: TrajectoryError
    step: RenderTrajectoryResponse
    trajectory_index: int
    def __init__(self, trajectory_index: _Optional[int] = ..., step: _Optional[_Union[RenderTrajectoryResponse, _Mapping]] = ..., error: _Optional[_Union[TrajectoryError, _Mapping]] = ...) -> None: ...

class RenderTrajectoryRequest(_message.Message):
    __slots__ = ["base_image", "output_format", "steps"]
    BASE_IMAGE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    base_image: _image_pb2.Image
    output_format: _image_pb2.ImageFormat
    steps: _containers.RepeatedCompositeFieldContainer[_trajectory_pb2.Step]
    def __init__(self, base_image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., steps: _Optional[_Iterable[_Union[_trajectory_pb2.Step, _Mapping]]] = ..., output_format: _Optional[_Union[_image_pb2.ImageFormat, str]] = ...) -> None: ...

class RenderTrajectoryResponse(_message.Message):
    __slots__ = ["after", "before_digest", "step_index"]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    BEFORE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    after: _image_pb2.ImageRef
    before_digest: str
    step_index: int
    def __init__(self, step_index: _Optional[int] = ..., before_digest: _Optional[str] = ..., after: _Optional[_Union[_image_pb2.ImageRef, _Mapping]] = ...) -> None: ...

class TrajectoryError(_message.Message):
    __slots__ = ["code", "field", "message", "reason"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: str
    field: str
    message: str
    reason: _errors_pb2.ErrorReason
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., field: _Optional[str] = ..., reason: _Optional[_Union[_errors_pb2.ErrorReason, str]] = ...) -> None: ...

class TrajectorySteps(_message.Message):
    __slots__ = ["steps"]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    steps: _containers.RepeatedCompositeFieldContainer[_trajectory_pb2.Step]
    def __init__(self, steps: _Optional[_Iterable[_Union[_trajectory_pb2.Step, _Mapping]]] = ...) -> None: ...
