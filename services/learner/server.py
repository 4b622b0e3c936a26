"""gRPC surface of the learner (sketchvl.v1.LearnerService): protobuf <-> domain, and domain errors
-> gRPC status codes, in one place. The work itself is in learner.py."""

from __future__ import annotations

import os
import sys
from concurrent import futures
from typing import Optional

import grpc

_HERE = os.path.dirname(os.path.abspath(__file__))
_CLIENT = os.path.join(_HERE, "..", "..", "clients", "python")
if _CLIENT not in sys.path:
    sys.path.insert(0, _CLIENT)

from sketchvl_mesh._gen.sketchvl.v1 import learner_pb2, learner_pb2_grpc  # noqa: E402

from batch import Sequence  # noqa: E402
from errors import AlreadyExists, FailedPrecondition, InvalidArgument, LearnerError, NotFound  # noqa: E402
from learner import Learner, OptimizerConfig  # noqa: E402
from losses import PPO_CLIP, SFT, LossConfig  # noqa: E402

MAX_MESSAGE_BYTES = 256 * 1024 * 1024

_STATUS = {
    InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    NotFound: grpc.StatusCode.NOT_FOUND,
}

_ARCH_FIELDS = ("vocab_size", "image_size", "d_model", "layers", "heads", "max_positions")


def _sequences(messages) -> list[Sequence]:
    return [
        Sequence(
            tokens=list(m.tokens),
            image_index=list(m.image_index),
            images=list(m.images),
            completion_start=m.completion_start,
            old_logprobs=list(m.old_logprobs),
            advantages=list(m.advantages),
            loss_mask=list(m.loss_mask),
        )
        for m in messages
    ]


def _optimizer(request: learner_pb2.InitPolicyRequest) -> OptimizerConfig | None:
    """None when the request leaves the optimizer unset (a checkpoint's settings then apply)."""
    if not request.HasField("optimizer"):
        return None
    o = request.optimizer
    for name in ("learning_rate", "weight_decay", "grad_clip"):
        value = getattr(o, name)
        if value < 0 or value != value or value == float("inf"):
            raise InvalidArgument(f"must be finite and >= 0, got {value}", f"optimizer.{name}")
    defaults = OptimizerConfig()
    return OptimizerConfig(learning_rate=o.learning_rate or defaults.learning_rate, weight_decay=o.weight_decay, grad_clip=o.grad_clip)


def _loss(request: learner_pb2.TrainStepRequest) -> LossConfig:
    loss = request.loss
    objective = {learner_pb2.OBJECTIVE_SFT: SFT, learner_pb2.OBJECTIVE_PPO_CLIP: PPO_CLIP}.get(loss.objective)
    if objective is None:
        raise InvalidArgument("set OBJECTIVE_SFT or OBJECTIVE_PPO_CLIP", "loss.objective")
    for name in ("clip_low", "clip_high", "kl_coef", "entropy_coef"):
        value = getattr(loss, name)
        if value < 0 or value != value or value == float("inf"):
            raise InvalidArgument(f"must be finite and >= 0, got {value}", f"loss.{name}")
    # 0 = unset for the clip range (a zero-width range would freeze the policy).
    return LossConfig(
        objective=objective,
        clip_low=loss.clip_low or 0.2,
        clip_high=loss.clip_high or 0.2,
        kl_coef=loss.kl_coef,
        entropy_coef=loss.entropy_coef,
    )


def _handle(method):
    """Runs a handler, turning domain errors into their status codes (message names the field)."""

    def wrapper(self, request, context):
        try:
            return method(self, request, context)
        except LearnerError as e:
            context.abort(_STATUS.get(type(e), grpc.StatusCode.INTERNAL), str(e))

    wrapper.__name__ = method.__name__
    return wrapper


class LearnerServicer(learner_pb2_grpc.LearnerServiceServicer):
    def __init__(self, learner: Learner | None = None):
        self.learner = learner or Learner()

    @_handle
    def InitPolicy(self, request, context):
        arch = {name: getattr(request.architecture, name) for name in _ARCH_FIELDS}
        parameters, step = self.learner.init_policy(
            arch,
            _optimizer(request),
            seed=request.seed,
            checkpoint=request.checkpoint,
            keep_reference=request.keep_reference,
            threads=request.threads,
        )
        return learner_pb2.InitPolicyResponse(parameters=parameters, step=step)

    @_handle
    def TrainStep(self, request, context):
        stats = self.learner.train_step(_sequences(request.sequences), _loss(request), request.micro_batch)
        return learner_pb2.TrainStepResponse(
            loss=stats.loss,
            kl=stats.kl,
            entropy=stats.entropy,
            clip_fraction=stats.clip_fraction,
            grad_norm=stats.grad_norm,
            step=stats.step,
            tokens=stats.tokens,
            mean_logprob_shift=stats.mean_logprob_shift,
            seconds=stats.seconds,
        )

    @_handle
    def ScoreSequences(self, request, context):
        scores = self.learner.score(_sequences(request.sequences))
        return learner_pb2.ScoreSequencesResponse(sequences=[learner_pb2.SequenceLogprobs(logprobs=s) for s in scores])

    @_handle
    def ExportPolicy(self, request, context):
        seconds = self.learner.export(request.directory, request.vocabulary_json, request.config_json)
        return learner_pb2.ExportPolicyResponse(directory=os.path.abspath(request.directory), seconds=seconds)

    @_handle
    def SaveCheckpoint(self, request, context):
        step = self.learner.save_checkpoint(request.path)
        return learner_pb2.SaveCheckpointResponse(path=os.path.abspath(request.path), step=step)


# grpc.health.v1.Health/Check, so the mesh's launcher can wait on the learner like on any service.
# Debian has no grpcio-health-checking package; the two messages are one field each, so they are
# encoded by hand: HealthCheckRequest {string service = 1}, HealthCheckResponse {enum status = 1}
# with SERVING = 1. A process that answers is ready (the model comes later, with InitPolicy).
HEALTHY_SERVICES = ("", "sketchvl.v1.LearnerService")


def _health_check(request: bytes, context) -> bytes:
    service = ""
    if request[:1] == b"\x0a":  # field 1, length-delimited (a one-byte length: names are short)
        service = request[2 : 2 + request[1]].decode("utf-8", "replace")
    if service not in HEALTHY_SERVICES:
        context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {service!r}")
    return b"\x08\x01"  # status: SERVING


def _health_handler() -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health",
        {"Check": grpc.unary_unary_rpc_method_handler(_health_check, request_deserializer=None, response_serializer=None)},
    )


def create_server(host: str, port: int, workers: int = 4, credentials: Optional[grpc.ServerCredentials] = None) -> tuple[grpc.Server, int]:
    """A started server and its bound port (port 0 = the OS picks a free one); with `credentials`
    (tls.CertificateFiles), TLS instead of plaintext."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers),
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    learner_pb2_grpc.add_LearnerServiceServicer_to_server(LearnerServicer(), server)
    server.add_generic_rpc_handlers((_health_handler(),))
    bound = server.add_insecure_port(f"{host}:{port}") if credentials is None else server.add_secure_port(f"{host}:{port}", credentials)
    if bound == 0:
        raise OSError(f"cannot bind {host}:{port}")
    server.start()
    return server, bound
