from . import image_pb2 as _image_pb2
from . import trajectory_pb2 as _trajectory_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
FINISH_REASON_LENGTH: FinishReason
FINISH_REASON_MAX_TURNS: FinishReason
FINISH_REASON_STOP: FinishReason
FINISH_REASON_UNSPECIFIED: FinishReason

class GenerateRequest(_message.Message):
    __slots__ = ["image", "model", "question", "request_id", "return_model_inputs", "sampling"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_MODEL_INPUTS_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_FIELD_NUMBER: _ClassVar[int]
    image: _image_pb2.Image
    model: str
    question: str
    request_id: str
    return_model_inputs: bool
    sampling: SamplingParams
    def __init__(self, request_id: _Optional[str] = ..., model: _Optional[str] = ..., image: _Optional[_Union[_image_pb2.Image, _Mapping]] = ..., question: _Optional[str] = ..., sampling: _Optional[_Union[SamplingParams, _Mapping]] = ..., return_model_inputs: bool = ...) -> None: ...

class GenerateResponse(_message.Message):
    __slots__ = ["image_digest", "rollouts"]
    IMAGE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    ROLLOUTS_FIELD_NUMBER: _ClassVar[int]
    image_digest: str
    rollouts: _containers.RepeatedCompositeFieldContainer[Rollout]
    def __init__(self, rollouts: _Optional[_Iterable[_Union[Rollout, _Mapping]]] = ..., image_digest: _Optional[str] = ...) -> None: ...

class ListPoliciesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListPoliciesResponse(_message.Message):
    __slots__ = ["policies"]
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[PolicyStatus]
    def __init__(self, policies: _Optional[_Iterable[_Union[PolicyStatus, _Mapping]]] = ...) -> None: ...

class LoadPolicyRequest(_message.Message):
    __slots__ = ["model", "version"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    model: str
    version: str
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class LoadPolicyResponse(_message.Message):
    __slots__ = ["policy"]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: PolicyStatus
    def __init__(self, policy: _Optional[_Union[PolicyStatus, _Mapping]] = ...) -> None: ...

class PolicyStatus(_message.Message):
    __slots__ = ["backend", "model", "rollouts", "state", "tokens", "version"]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    ROLLOUTS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    backend: str
    model: str
    rollouts: int
    state: str
    tokens: int
    version: str
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ..., backend: _Optional[str] = ..., state: _Optional[str] = ..., rollouts: _Optional[int] = ..., tokens: _Optional[int] = ...) -> None: ...

class Rollout(_message.Message):
    __slots__ = ["finish_reason", "image_token_spans", "index", "logprobs", "loss_mask", "model", "prompt_token_ids", "text", "token_ids", "token_offsets", "turns", "version"]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    IMAGE_TOKEN_SPANS_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    LOSS_MASK_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKEN_IDS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_IDS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_OFFSETS_FIELD_NUMBER: _ClassVar[int]
    TURNS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    finish_reason: FinishReason
    image_token_spans: _containers.RepeatedCompositeFieldContainer[_trajectory_pb2.TokenSpan]
    index: int
    logprobs: _containers.RepeatedScalarFieldContainer[float]
    loss_mask: _containers.RepeatedScalarFieldContainer[bool]
    model: str
    prompt_token_ids: _containers.RepeatedScalarFieldContainer[int]
    text: str
    token_ids: _containers.RepeatedScalarFieldContainer[int]
    token_offsets: _containers.RepeatedScalarFieldContainer[int]
    turns: _containers.RepeatedCompositeFieldContainer[Turn]
    version: str
    def __init__(self, index: _Optional[int] = ..., text: _Optional[str] = ..., token_ids: _Optional[_Iterable[int]] = ..., logprobs: _Optional[_Iterable[float]] = ..., token_offsets: _Optional[_Iterable[int]] = ..., loss_mask: _Optional[_Iterable[bool]] = ..., image_token_spans: _Optional[_Iterable[_Union[_trajectory_pb2.TokenSpan, _Mapping]]] = ..., turns: _Optional[_Iterable[_Union[Turn, _Mapping]]] = ..., prompt_token_ids: _Optional[_Iterable[int]] = ..., finish_reason: _Optional[_Union[FinishReason, str]] = ..., model: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class SamplingParams(_message.Message):
    __slots__ = ["group_size", "max_tokens_per_turn", "max_turns", "seed", "temperature", "top_p"]
    GROUP_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_PER_TURN_FIELD_NUMBER: _ClassVar[int]
    MAX_TURNS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    group_size: int
    max_tokens_per_turn: int
    max_turns: int
    seed: int
    temperature: float
    top_p: float
    def __init__(self, group_size: _Optional[int] = ..., max_turns: _Optional[int] = ..., max_tokens_per_turn: _Optional[int] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., seed: _Optional[int] = ...) -> None: ...

class StreamGenerateRequest(_message.Message):
    __slots__ = ["request"]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: GenerateRequest
    def __init__(self, request: _Optional[_Union[GenerateRequest, _Mapping]] = ...) -> None: ...

class StreamGenerateResponse(_message.Message):
    __slots__ = ["rollout", "turn"]
    ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    rollout: Rollout
    turn: TurnEvent
    def __init__(self, turn: _Optional[_Union[TurnEvent, _Mapping]] = ..., rollout: _Optional[_Union[Rollout, _Mapping]] = ...) -> None: ...

class Turn(_message.Message):
    __slots__ = ["actions_drawn", "format_errors", "image_digest", "index", "model_input", "model_input_shape", "span", "text", "tokens"]
    ACTIONS_DRAWN_FIELD_NUMBER: _ClassVar[int]
    FORMAT_ERRORS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    MODEL_INPUT_FIELD_NUMBER: _ClassVar[int]
    MODEL_INPUT_SHAPE_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    actions_drawn: int
    format_errors: _containers.RepeatedCompositeFieldContainer[_trajectory_pb2.FormatError]
    image_digest: str
    index: int
    model_input: bytes
    model_input_shape: _containers.RepeatedScalarFieldContainer[int]
    span: _trajectory_pb2.TextSpan
    text: str
    tokens: _trajectory_pb2.TokenSpan
    def __init__(self, index: _Optional[int] = ..., text: _Optional[str] = ..., tokens: _Optional[_Union[_trajectory_pb2.TokenSpan, _Mapping]] = ..., span: _Optional[_Union[_trajectory_pb2.TextSpan, _Mapping]] = ..., image_digest: _Optional[str] = ..., actions_drawn: _Optional[int] = ..., format_errors: _Optional[_Iterable[_Union[_trajectory_pb2.FormatError, _Mapping]]] = ..., model_input: _Optional[bytes] = ..., model_input_shape: _Optional[_Iterable[int]] = ...) -> None: ...

class TurnEvent(_message.Message):
    __slots__ = ["rollout_index", "turn"]
    ROLLOUT_INDEX_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    rollout_index: int
    turn: Turn
    def __init__(self, rollout_index: _Optional[int] = ..., turn: _Optional[_Union[Turn, _Mapping]] = ...) -> None: ...

class UnloadPolicyRequest(_message.Message):
    __slots__ = ["model", "version"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    model: str
    version: str
    def __init__(self, model: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class UnloadPolicyResponse(_message.Message):
    __slots__ = ["unloaded"]
    UNLOADED_FIELD_NUMBER: _ClassVar[int]
    unloaded: _containers.RepeatedCompositeFieldContainer[PolicyStatus]
    def __init__(self, unloaded: _Optional[_Iterable[_Union[PolicyStatus, _Mapping]]] = ...) -> None: ...

class FinishReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
