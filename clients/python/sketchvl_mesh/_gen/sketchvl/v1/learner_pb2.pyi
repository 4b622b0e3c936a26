from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
OBJECTIVE_PPO_CLIP: Objective
OBJECTIVE_SFT: Objective
OBJECTIVE_UNSPECIFIED: Objective

class ExportPolicyRequest(_message.Message):
    __slots__ = ["config_json", "directory", "vocabulary_json"]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    VOCABULARY_JSON_FIELD_NUMBER: _ClassVar[int]
    config_json: str
    directory: str
    vocabulary_json: str
    def __init__(self, directory: _Optional[str] = ..., vocabulary_json: _Optional[str] = ..., config_json: _Optional[str] = ...) -> None: ...

class ExportPolicyResponse(_message.Message):
    __slots__ = ["directory", "seconds"]
    DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    directory: str
    seconds: float
    def __init__(self, directory: _Optional[str] = ..., seconds: _Optional[float] = ...) -> None: ...

class InitPolicyRequest(_message.Message):
    __slots__ = ["architecture", "checkpoint", "keep_reference", "optimizer", "seed", "threads"]
    ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    KEEP_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    THREADS_FIELD_NUMBER: _ClassVar[int]
    architecture: PolicyArchitecture
    checkpoint: str
    keep_reference: bool
    optimizer: OptimizerConfig
    seed: int
    threads: int
    def __init__(self, architecture: _Optional[_Union[PolicyArchitecture, _Mapping]] = ..., optimizer: _Optional[_Union[OptimizerConfig, _Mapping]] = ..., seed: _Optional[int] = ..., checkpoint: _Optional[str] = ..., keep_reference: bool = ..., threads: _Optional[int] = ...) -> None: ...

class InitPolicyResponse(_message.Message):
    __slots__ = ["parameters", "step"]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    parameters: int
    step: int
    def __init__(self, parameters: _Optional[int] = ..., step: _Optional[int] = ...) -> None: ...

class LossConfig(_message.Message):
    __slots__ = ["clip_high", "clip_low", "entropy_coef", "kl_coef", "objective"]
    CLIP_HIGH_FIELD_NUMBER: _ClassVar[int]
    CLIP_LOW_FIELD_NUMBER: _ClassVar[int]
    ENTROPY_COEF_FIELD_NUMBER: _ClassVar[int]
    KL_COEF_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    clip_high: float
    clip_low: float
    entropy_coef: float
    kl_coef: float
    objective: Objective
    def __init__(self, objective: _Optional[_Union[Objective, str]] = ..., clip_low: _Optional[float] = ..., clip_high: _Optional[float] = ..., kl_coef: _Optional[float] = ..., entropy_coef: _Optional[float] = ...) -> None: ...

class OptimizerConfig(_message.Message):
    __slots__ = ["grad_clip", "learning_rate", "weight_decay"]
    GRAD_CLIP_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_DECAY_FIELD_NUMBER: _ClassVar[int]
    grad_clip: float
    learning_rate: float
    weight_decay: float
    def __init__(self, learning_rate: _Optional[float] = ..., weight_decay: _Optional[float] = ..., grad_clip: _Optional[float] = ...) -> None: ...

class PolicyArchitecture(_message.Message):
    __slots__ = ["d_model", "heads", "image_size", "layers", "max_positions", "vocab_size"]
    D_MODEL_FIELD_NUMBER: _ClassVar[int]
    HEADS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    MAX_POSITIONS_FIELD_NUMBER: _ClassVar[int]
    VOCAB_SIZE_FIELD_NUMBER: _ClassVar[int]
    d_model: int
    heads: int
    image_size: int
    layers: int
    max_positions: int
    vocab_size: int
    def __init__(self, vocab_size: _Optional[int] = ..., image_size: _Optional[int] = ..., d_model: _Optional[int] = ..., layers: _Optional[int] = ..., heads: _Optional[int] = ..., max_positions: _Optional[int] = ...) -> None: ...

class SaveCheckpointRequest(_message.Message):
    __slots__ = ["path"]
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class SaveCheckpointResponse(_message.Message):
    __slots__ = ["path", "step"]
    PATH_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    path: str
    step: int
    def __init__(self, path: _Optional[str] = ..., step: _Optional[int] = ...) -> None: ...

class ScoreSequencesRequest(_message.Message):
    __slots__ = ["sequences"]
    SEQUENCES_FIELD_NUMBER: _ClassVar[int]
    sequences: _containers.RepeatedCompositeFieldContainer[TrainSequence]
    def __init__(self, sequences: _Optional[_Iterable[_Union[TrainSequence, _Mapping]]] = ...) -> None: ...

class ScoreSequencesResponse(_message.Message):
    __slots__ = ["sequences"]
    SEQUENCES_FIELD_NUMBER: _ClassVar[int]
    sequences: _containers.RepeatedCompositeFieldContainer[SequenceLogprobs]
    def __init__(self, sequences: _Optional[_Iterable[_Union[SequenceLogprobs, _Mapping]]] = ...) -> None: ...

class SequenceLogprobs(_message.Message):
    __slots__ = ["logprobs"]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    logprobs: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, logprobs: _Optional[_Iterable[float]] = ...) -> None: ...

class TrainSequence(_message.Message):
    __slots__ = ["advantages", "completion_start", "image_index", "images", "loss_mask", "old_logprobs", "tokens"]
    ADVANTAGES_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_START_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    IMAGE_INDEX_FIELD_NUMBER: _ClassVar[int]
    LOSS_MASK_FIELD_NUMBER: _ClassVar[int]
    OLD_LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    advantages: _containers.RepeatedScalarFieldContainer[float]
    completion_start: int
    image_index: _containers.RepeatedScalarFieldContainer[int]
    images: _containers.RepeatedScalarFieldContainer[bytes]
    loss_mask: _containers.RepeatedScalarFieldContainer[bool]
    old_logprobs: _containers.RepeatedScalarFieldContainer[float]
    tokens: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, tokens: _Optional[_Iterable[int]] = ..., image_index: _Optional[_Iterable[int]] = ..., images: _Optional[_Iterable[bytes]] = ..., completion_start: _Optional[int] = ..., old_logprobs: _Optional[_Iterable[float]] = ..., advantages: _Optional[_Iterable[float]] = ..., loss_mask: _Optional[_Iterable[bool]] = ...) -> None: ...

class TrainStepRequest(_message.Message):
    __slots__ = ["loss", "micro_batch", "sequences"]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    MICRO_BATCH_FIELD_NUMBER: _ClassVar[int]
    SEQUENCES_FIELD_NUMBER: _ClassVar[int]
    loss: LossConfig
    micro_batch: int
    sequences: _containers.RepeatedCompositeFieldContainer[TrainSequence]
    def __init__(self, sequences: _Optional[_Iterable[_Union[TrainSequence, _Mapping]]] = ..., loss: _Optional[_Union[LossConfig, _Mapping]] = ..., micro_batch: _Optional[int] = ...) -> None: ...

class TrainStepResponse(_message.Message):
    __slots__ = ["clip_fraction", "entropy", "grad_norm", "kl", "loss", "mean_logprob_shift", "seconds", "step", "tokens"]
    CLIP_FRACTION_FIELD_NUMBER: _ClassVar[int]
    ENTROPY_FIELD_NUMBER: _ClassVar[int]
    GRAD_NORM_FIELD_NUMBER: _ClassVar[int]
    KL_FIELD_NUMBER: _ClassVar[int]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    MEAN_LOGPROB_SHIFT_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    clip_fraction: float
    entropy: float
    grad_norm: float
    kl: float
    loss: float
    mean_logprob_shift: float
    seconds: float
    step: int
    tokens: int
    def __init__(self, loss: _Optional[float] = ..., kl: _Optional[float] = ..., entropy: _Optional[float] = ..., clip_fraction: _Optional[float] = ..., grad_norm: _Optional[float] = ..., step: _Optional[int] = ..., tokens: _Optional[int] = ..., mean_logprob_shift: _Optional[float] = ..., seconds: _Optional[float] = ...) -> None: ...

class Objective(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
