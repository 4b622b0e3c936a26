from . import action_pb2 as _action_pb2
from . import errors_pb2 as _errors_pb2
from . import trajectory_pb2 as _trajectory_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ADVANTAGE_MODE_FINEPO: AdvantageMode
ADVANTAGE_MODE_FINEPO_NO_KL: AdvantageMode
ADVANTAGE_MODE_GRPO: AdvantageMode
ADVANTAGE_MODE_RANDOM_PRM: AdvantageMode
ADVANTAGE_MODE_UNSPECIFIED: AdvantageMode
DESCRIPTOR: _descriptor.FileDescriptor

class ActionFrequency(_message.Message):
    __slots__ = ["frequency", "kind"]
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    frequency: float
    kind: _action_pb2.ActionKind
    def __init__(self, kind: _Optional[_Union[_action_pb2.ActionKind, str]] = ..., frequency: _Optional[float] = ...) -> None: ...

class ComputeAdvantagesRequest(_message.Message):
    __slots__ = ["batch_index", "config", "current", "members", "prior", "request_id", "run_id"]
    BATCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    PRIOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    batch_index: int
    config: FinePOConfig
    current: _containers.RepeatedCompositeFieldContainer[ActionFrequency]
    members: _containers.RepeatedCompositeFieldContainer[GroupMember]
    prior: _containers.RepeatedCompositeFieldContainer[ActionFrequency]
    request_id: str
    run_id: str
    def __init__(self, request_id: _Optional[str] = ..., run_id: _Optional[str] = ..., batch_index: _Optional[int] = ..., members: _Optional[_Iterable[_Union[GroupMember, _Mapping]]] = ..., config: _Optional[_Union[FinePOConfig, _Mapping]] = ..., prior: _Optional[_Iterable[_Union[ActionFrequency, _Mapping]]] = ..., current: _Optional[_Iterable[_Union[ActionFrequency, _Mapping]]] = ...) -> None: ...

class ComputeAdvantagesResponse(_message.Message):
    __slots__ = ["config", "current", "members", "prior", "request_id"]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    PRIOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    config: FinePOConfig
    current: _containers.RepeatedCompositeFieldContainer[ActionFrequency]
    members: _containers.RepeatedCompositeFieldContainer[MemberAdvantages]
    prior: _containers.RepeatedCompositeFieldContainer[ActionFrequency]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ..., members: _Optional[_Iterable[_Union[MemberAdvantages, _Mapping]]] = ..., prior: _Optional[_Iterable[_Union[ActionFrequency, _Mapping]]] = ..., current: _Optional[_Iterable[_Union[ActionFrequency, _Mapping]]] = ..., config: _Optional[_Union[FinePOConfig, _Mapping]] = ...) -> None: ...

class ConfigureRunRequest(_message.Message):
    __slots__ = ["config", "prior", "run_id"]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    PRIOR_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    config: FinePOConfig
    prior: _containers.RepeatedCompositeFieldContainer[ActionFrequency]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ..., config: _Optional[_Union[FinePOConfig, _Mapping]] = ..., prior: _Optional[_Iterable[_Union[ActionFrequency, _Mapping]]] = ...) -> None: ...

class ConfigureRunResponse(_message.Message):
    __slots__ = ["config", "prior", "run_id"]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    PRIOR_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    config: FinePOConfig
    prior: _containers.RepeatedCompositeFieldContainer[ActionFrequency]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ..., config: _Optional[_Union[FinePOConfig, _Mapping]] = ..., prior: _Optional[_Iterable[_Union[ActionFrequency, _Mapping]]] = ...) -> None: ...

class FinePOConfig(_message.Message):
    __slots__ = ["alpha", "beta", "epsilon", "gamma", "lambda_kl", "mode", "normalize_std", "window_batches"]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    BETA_FIELD_NUMBER: _ClassVar[int]
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    GAMMA_FIELD_NUMBER: _ClassVar[int]
    LAMBDA_KL_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_STD_FIELD_NUMBER: _ClassVar[int]
    WINDOW_BATCHES_FIELD_NUMBER: _ClassVar[int]
    alpha: float
    beta: float
    epsilon: float
    gamma: float
    lambda_kl: float
    mode: AdvantageMode
    normalize_std: bool
    window_batches: int
    def __init__(self, mode: _Optional[_Union[AdvantageMode, str]] = ..., alpha: _Optional[float] = ..., beta: _Optional[float] = ..., lambda_kl: _Optional[float] = ..., gamma: _Optional[float] = ..., epsilon: _Optional[float] = ..., window_batches: _Optional[int] = ..., normalize_std: bool = ...) -> None: ...

class GroupError(_message.Message):
    __slots__ = ["code", "field", "message", "reason", "request_id"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    code: str
    field: str
    message: str
    reason: _errors_pb2.ErrorReason
    request_id: str
    def __init__(self, request_id: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ..., field: _Optional[str] = ..., reason: _Optional[_Union[_errors_pb2.ErrorReason, str]] = ...) -> None: ...

class GroupMember(_message.Message):
    __slots__ = ["image_token_spans", "reward", "steps", "token_count"]
    IMAGE_TOKEN_SPANS_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    image_token_spans: _containers.RepeatedCompositeFieldContainer[_trajectory_pb2.TokenSpan]
    reward: float
    steps: _containers.RepeatedCompositeFieldContainer[ScoredStep]
    token_count: int
    def __init__(self, reward: _Optional[float] = ..., steps: _Optional[_Iterable[_Union[ScoredStep, _Mapping]]] = ..., token_count: _Optional[int] = ..., image_token_spans: _Optional[_Iterable[_Union[_trajectory_pb2.TokenSpan, _Mapping]]] = ...) -> None: ...

class MemberAdvantages(_message.Message):
    __slots__ = ["coarse_advantage", "kappa", "loss_mask", "mean_adjusted_score", "steps", "token_advantages"]
    COARSE_ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    KAPPA_FIELD_NUMBER: _ClassVar[int]
    LOSS_MASK_FIELD_NUMBER: _ClassVar[int]
    MEAN_ADJUSTED_SCORE_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ADVANTAGES_FIELD_NUMBER: _ClassVar[int]
    coarse_advantage: float
    kappa: float
    loss_mask: _containers.RepeatedScalarFieldContainer[bool]
    mean_adjusted_score: float
    steps: _containers.RepeatedCompositeFieldContainer[StepAdvantage]
    token_advantages: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, coarse_advantage: _Optional[float] = ..., kappa: _Optional[float] = ..., mean_adjusted_score: _Optional[float] = ..., steps: _Optional[_Iterable[_Union[StepAdvantage, _Mapping]]] = ..., token_advantages: _Optional[_Iterable[float]] = ..., loss_mask: _Optional[_Iterable[bool]] = ...) -> None: ...

class ScoredStep(_message.Message):
    __slots__ = ["action_kind", "score", "token_length", "token_span"]
    ACTION_KIND_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_LENGTH_FIELD_NUMBER: _ClassVar[int]
    TOKEN_SPAN_FIELD_NUMBER: _ClassVar[int]
    action_kind: _action_pb2.ActionKind
    score: float
    token_length: int
    token_span: _trajectory_pb2.TokenSpan
    def __init__(self, action_kind: _Optional[_Union[_action_pb2.ActionKind, str]] = ..., score: _Optional[float] = ..., token_length: _Optional[int] = ..., token_span: _Optional[_Union[_trajectory_pb2.TokenSpan, _Mapping]] = ...) -> None: ...

class StepAdvantage(_message.Message):
    __slots__ = ["adjusted_score", "advantage", "deviation", "excluded", "kl_offset", "score", "unclipped_advantage"]
    ADJUSTED_SCORE_FIELD_NUMBER: _ClassVar[int]
    ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    DEVIATION_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_FIELD_NUMBER: _ClassVar[int]
    KL_OFFSET_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    UNCLIPPED_ADVANTAGE_FIELD_NUMBER: _ClassVar[int]
    adjusted_score: float
    advantage: float
    deviation: float
    excluded: bool
    kl_offset: float
    score: float
    unclipped_advantage: float
    def __init__(self, score: _Optional[float] = ..., kl_offset: _Optional[float] = ..., adjusted_score: _Optional[float] = ..., deviation: _Optional[float] = ..., unclipped_advantage: _Optional[float] = ..., advantage: _Optional[float] = ..., excluded: bool = ...) -> None: ...

class StreamAdvantagesRequest(_message.Message):
    __slots__ = ["group"]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: ComputeAdvantagesRequest
    def __init__(self, group: _Optional[_Union[ComputeAdvantagesRequest, _Mapping]] = ...) -> None: ...

class StreamAdvantagesResponse(_message.Message):
    __slots__ = ["error", "group"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    error: GroupError
    group: ComputeAdvantagesResponse
    def __init__(self, group: _Optional[_Union[ComputeAdvantagesResponse, _Mapping]] = ..., error: _Optional[_Union[GroupError, _Mapping]] = ...) -> None: ...

class AdvantageMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
