from . import action_pb2 as _action_pb2
from . import image_pb2 as _image_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
STEP_FORMAT_CHARTSKETCHER: StepFormat
STEP_FORMAT_JSON: StepFormat
STEP_FORMAT_SKETCHVL: StepFormat
STEP_FORMAT_UNSPECIFIED: StepFormat

class FormatError(_message.Message):
    __slots__ = ["field", "message", "span", "step_index"]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    field: str
    message: str
    span: TextSpan
    step_index: int
    def __init__(self, step_index: _Optional[int] = ..., span: _Optional[_Union[TextSpan, _Mapping]] = ..., field: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class ParsedResponse(_message.Message):
    __slots__ = ["answer", "answer_span", "errors", "format", "steps", "turn_count"]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    ANSWER_SPAN_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TURN_COUNT_FIELD_NUMBER: _ClassVar[int]
    answer: str
    answer_span: TextSpan
    errors: _containers.RepeatedCompositeFieldContainer[FormatError]
    format: StepFormat
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    turn_count: int
    def __init__(self, steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ..., errors: _Optional[_Iterable[_Union[FormatError, _Mapping]]] = ..., answer: _Optional[str] = ..., answer_span: _Optional[_Union[TextSpan, _Mapping]] = ..., turn_count: _Optional[int] = ..., format: _Optional[_Union[StepFormat, str]] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ["action", "action_span", "deduction", "index", "intent", "intent_span", "span", "turn"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTION_SPAN_FIELD_NUMBER: _ClassVar[int]
    DEDUCTION_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    INTENT_SPAN_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    action: _action_pb2.DrawingAction
    action_span: TextSpan
    deduction: str
    index: int
    intent: str
    intent_span: TextSpan
    span: TextSpan
    turn: int
    def __init__(self, index: _Optional[int] = ..., turn: _Optional[int] = ..., intent: _Optional[str] = ..., action: _Optional[_Union[_action_pb2.DrawingAction, _Mapping]] = ..., deduction: _Optional[str] = ..., span: _Optional[_Union[TextSpan, _Mapping]] = ..., intent_span: _Optional[_Union[TextSpan, _Mapping]] = ..., action_span: _Optional[_Union[TextSpan, _Mapping]] = ...) -> None: ...

class TextSpan(_message.Message):
    __slots__ = ["end", "start"]
    END_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    end: int
    start: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class TokenSpan(_message.Message):
    __slots__ = ["end", "start"]
    END_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    end: int
    start: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class Trajectory(_message.Message):
    __slots__ = ["base_image", "steps"]
    BASE_IMAGE_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    base_image: _image_pb2.Image
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    def __init__(self, base_image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ...) -> None: ...

class StepFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
