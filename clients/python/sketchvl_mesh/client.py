"""The Python client of ``sketchvl.v1.RewardService`` (proto/sketchvl/v1/reward.proto).

    from sketchvl_mesh import RewardClient

    with RewardClient("127.0.0.1:50055", timeout_s=120) as client:
        group = client.score_group(
            image="charts/cw-4.png",                  # bytes, a path, or "sha256:<hex>" digest
            question="What is the difference ...?",
            references=["36"],
            responses=[text_1, text_2, text_3],
        )
        for r in group:
            print(r.outcome_reward, r.coarse_advantage, [s.advantage for s in r.steps], r.mask_sample)

Guarantees:
- Every call has a deadline: ``timeout_s`` bounds the whole call, retries included.
- Retries happen only on ``UNAVAILABLE`` (service restarting, draining, unreachable), at most
  ``max_retries`` times, with exponential backoff and jitter. The request id is generated once
  per call and sent on every attempt, so the service answers a retry from its idempotency cache
  instead of scoring (and counting the group in the KL window) twice.
- A call that fails raises :class:`~sketchvl_mesh.errors.RewardServiceError` with the status and
  the google.rpc.BadRequest field violations. A response that could not be scored is not an
  error: it comes back with ``mask_sample=True`` and a ``failure_kind``.
- One client is safe to share between threads. gRPC channels do not survive ``fork()``: create
  clients after forking (the integrations keep one per process).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, TypeVar, Union

import grpc

from ._gen.sketchvl.v1 import image_pb2, reward_pb2, reward_pb2_grpc, trainer_pb2, trajectory_pb2
from .errors import RewardServiceError
from .types import GroupScore, group_from_proto

DEFAULT_ADDRESS = "127.0.0.1:50055"
SERVICE_NAME = "sketchvl.v1.RewardService"
_USER_AGENT = "sketchvl-mesh-python/0.1"

ImageLike = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", image_pb2.Image, Mapping[str, Any], Any]
SpanLike = Union[Sequence[int], Mapping[str, int], trajectory_pb2.TokenSpan]
ResponseLike = Union[str, Mapping[str, Any], Sequence[Any], reward_pb2.ResponseToScore]
T = TypeVar("T")

_OUTCOME_KINDS = {
    "relaxed_accuracy": reward_pb2.OUTCOME_REWARD_RELAXED_ACCURACY,
    "exact_match": reward_pb2.OUTCOME_REWARD_EXACT_MATCH,
    "rewardmap": reward_pb2.OUTCOME_REWARD_REWARDMAP,
}
_ADVANTAGE_MODES = {
    "finepo": trainer_pb2.ADVANTAGE_MODE_FINEPO,
    "finepo_no_kl": trainer_pb2.ADVANTAGE_MODE_FINEPO_NO_KL,
    "grpo": trainer_pb2.ADVANTAGE_MODE_GRPO,
    "random_prm": trainer_pb2.ADVANTAGE_MODE_RANDOM_PRM,
}
_STEP_FORMATS = {
    "auto": trajectory_pb2.STEP_FORMAT_UNSPECIFIED,
    "sketchvl": trajectory_pb2.STEP_FORMAT_SKETCHVL,
    "json": trajectory_pb2.STEP_FORMAT_JSON,
    "chartsketcher": trajectory_pb2.STEP_FORMAT_CHARTSKETCHER,
}
_FINEPO_FIELDS = ("alpha", "beta", "lambda_kl", "gamma", "epsilon", "window_batches", "normalize_std")


# ---------------------------------------------------------------------------------------------
# Request building (pure functions; also used by the integrations)
# ---------------------------------------------------------------------------------------------


def is_digest(value: str) -> bool:
    return value.startswith("sha256:")


def image_message(image: ImageLike) -> image_pb2.Image:
    """An Image message from what callers have at hand:

    - ``"sha256:<hex>"``: a digest the service already holds (a previous answer's image_digest);
    - a path (str / PathLike, ``file://`` allowed): the file's bytes are sent inline (the service
      reads nothing from this machine's disk);
    - ``bytes``: encoded PNG / JPEG / WebP;
    - a PIL image: encoded as PNG here;
    - a dict as Hugging Face datasets store images: ``{"bytes": ...}`` / ``{"path": ...}`` /
      ``{"digest": ...}``;
    - an ``image_pb2.Image`` as is.
    """
    if isinstance(image, image_pb2.Image):
        return image
    if isinstance(image, (bytes, bytearray, memoryview)):
        return image_pb2.Image(encoded=bytes(image))
    if isinstance(image, str):
        if is_digest(image):
            return image_pb2.Image(digest=image)
        path = image[len("file://"):] if image.startswith("file://") else image
        with open(path, "rb") as f:
            return image_pb2.Image(encoded=f.read())
    if isinstance(image, os.PathLike):
        with open(image, "rb") as f:
            return image_pb2.Image(encoded=f.read())
    if isinstance(image, Mapping):
        if image.get("bytes"):
            return image_pb2.Image(encoded=bytes(image["bytes"]))
        if image.get("digest"):
            return image_pb2.Image(digest=str(image["digest"]))
        if image.get("path"):
            return image_message(str(image["path"]))
        raise ValueError("image dict needs 'bytes', 'path' or 'digest'")
    if hasattr(image, "save") and hasattr(image, "mode"):  # a PIL.Image.Image
        import io

        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return image_pb2.Image(encoded=buf.getvalue())
    raise TypeError(f"unsupported image type {type(image).__name__}: use bytes, a path, a 'sha256:' digest or a PIL image")


def token_span(span: SpanLike) -> trajectory_pb2.TokenSpan:
    if isinstance(span, trajectory_pb2.TokenSpan):
        return span
    if isinstance(span, Mapping):
        return trajectory_pb2.TokenSpan(start=int(span["start"]), end=int(span["end"]))
    start, end = span
    return trajectory_pb2.TokenSpan(start=int(start), end=int(end))


def response_message(
    position: int,
    response: ResponseLike,
    token_offsets: Optional[Sequence[int]] = None,
    image_token_spans: Optional[Sequence[SpanLike]] = None,
) -> reward_pb2.ResponseToScore:
    """A ResponseToScore from a str, a dict ``{"text", "id", "token_offsets",
    "image_token_spans"}``, a tuple ``(text, token_offsets)`` or the message itself. The id
    defaults to the response's position in the group ("0", "1", ...)."""
    if isinstance(response, reward_pb2.ResponseToScore):
        msg = reward_pb2.ResponseToScore()
        msg.CopyFrom(response)
    elif isinstance(response, str):
        msg = reward_pb2.ResponseToScore(text=response)
    elif isinstance(response, Mapping):
        unknown = set(response) - {"id", "text", "token_offsets", "image_token_spans"}
        if unknown:
            raise ValueError(f"response dict has unknown keys {sorted(unknown)}")
        msg = reward_pb2.ResponseToScore(id=str(response.get("id", "")), text=str(response["text"]))
        msg.token_offsets.extend(int(o) for o in response.get("token_offsets") or ())
        msg.image_token_spans.extend(token_span(s) for s in response.get("image_token_spans") or ())
    elif isinstance(response, Sequence) and len(response) == 2 and isinstance(response[0], str):
        msg = reward_pb2.ResponseToScore(text=response[0])
        msg.token_offsets.extend(int(o) for o in response[1] or ())
    else:
        raise TypeError(f"unsupported response type {type(response).__name__}")
    if not msg.id:
        msg.id = str(position)
    if token_offsets is not None:
        del msg.token_offsets[:]
        msg.token_offsets.extend(int(o) for o in token_offsets)
    if image_token_spans is not None:
        del msg.image_token_spans[:]
        msg.image_token_spans.extend(token_span(s) for s in image_token_spans)
    return msg


def outcome_message(outcome: Any) -> Optional[reward_pb2.OutcomeConfig]:
    """None (the service default: relaxed accuracy), a name ("relaxed_accuracy", "exact_match",
    "rewardmap"), a dict ``{"kind", "difficulty_weight", "detail_alpha", "map_weight",
    "question_weight", "sub_answers"}`` or the message. Each sub-answer is a dict ``{"name",
    "region": (x1, y1, x2, y2) in 0..1000, "values": [str, ...]}`` (region, values or both)."""
    if outcome is None:
        return None
    if isinstance(outcome, reward_pb2.OutcomeConfig):
        return outcome
    if isinstance(outcome, (str, int)):
        return reward_pb2.OutcomeConfig(kind=_enum_value(outcome, _OUTCOME_KINDS, "OUTCOME_REWARD_", "outcome"))
    if isinstance(outcome, Mapping):
        numbers = ("difficulty_weight", "detail_alpha", "map_weight", "question_weight")
        unknown = set(outcome) - {"kind", "sub_answers", *numbers}
        if unknown:
            raise ValueError(f"outcome has unknown keys {sorted(unknown)}")
        msg = reward_pb2.OutcomeConfig()
        if "kind" in outcome:
            msg.kind = _enum_value(outcome["kind"], _OUTCOME_KINDS, "OUTCOME_REWARD_", "outcome.kind")
        for key in numbers:
            if key in outcome:
                setattr(msg, key, float(outcome[key]))
        for i, sub in enumerate(outcome.get("sub_answers", ())):
            msg.sub_answers.append(_sub_answer(sub, f"outcome.sub_answers[{i}]"))
        return msg
    raise TypeError(f"unsupported outcome type {type(outcome).__name__}")


def _sub_answer(sub: Any, field: str) -> reward_pb2.SubAnswer:
    if isinstance(sub, reward_pb2.SubAnswer):
        return sub
    if not isinstance(sub, Mapping):
        raise TypeError(f"{field}: expected a dict or SubAnswer, got {type(sub).__name__}")
    unknown = set(sub) - {"name", "region", "values"}
    if unknown:
        raise ValueError(f"{field} has unknown keys {sorted(unknown)}")
    msg = reward_pb2.SubAnswer(name=str(sub.get("name", "")), values=[str(v) for v in sub.get("values", ())])
    if sub.get("region") is not None:
        x1, y1, x2, y2 = (float(v) for v in sub["region"])
        msg.region.corner1.x, msg.region.corner1.y, msg.region.corner2.x, msg.region.corner2.y = x1, y1, x2, y2
    return msg


def finepo_message(finepo: Any) -> Optional[trainer_pb2.FinePOConfig]:
    """None (the run's / service's defaults), a dict of FinePOConfig fields (``mode`` as
    "finepo" / "finepo_no_kl" / "grpo" / "random_prm"; unset knobs keep their defaults) or the
    message. Unknown keys are refused (a typo must not silently train with defaults)."""
    if finepo is None:
        return None
    if isinstance(finepo, trainer_pb2.FinePOConfig):
        return finepo
    if not isinstance(finepo, Mapping):
        raise TypeError(f"unsupported finepo type {type(finepo).__name__}")
    unknown = set(finepo) - {"mode", *_FINEPO_FIELDS}
    if unknown:
        raise ValueError(f"finepo has unknown keys {sorted(unknown)}")
    msg = trainer_pb2.FinePOConfig()
    if finepo.get("mode") is not None:
        msg.mode = _enum_value(finepo["mode"], _ADVANTAGE_MODES, "ADVANTAGE_MODE_", "finepo.mode")
    for name in _FINEPO_FIELDS:
        value = finepo.get(name)
        if value is None:
            continue
        if name == "window_batches":
            value = int(value)
        elif name == "normalize_std":
            value = bool(value)
        else:
            value = float(value)
        setattr(msg, name, value)
    return msg


def _enum_value(value: Any, names: Mapping[str, int], prefix: str, what: str) -> int:
    if isinstance(value, int):
        return value
    key = str(value).strip().lower()
    if key.startswith(prefix.lower()):
        key = key[len(prefix):]
    if key not in names:
        raise ValueError(f"{what}: unknown value {value!r} (one of {', '.join(names)})")
    return names[key]


def build_group_request(
    image: ImageLike,
    question: str,
    references: Union[str, Sequence[str]],
    responses: Sequence[ResponseLike] = (),
    token_offsets: Optional[Sequence[Optional[Sequence[int]]]] = None,
    image_token_spans: Optional[Sequence[Optional[Sequence[SpanLike]]]] = None,
    request_id: Optional[str] = None,
    run_id: str = "",
    batch_index: int = 0,
    finepo: Any = None,
    outcome: Any = None,
    prm_model: str = "",
    use_argmax_score: bool = False,
    step_format: Optional[str] = None,
    sample_timeout_ms: int = 0,
) -> reward_pb2.ScoreGroupRequest:
    """The ScoreGroupRequest for a group (see RewardClient.score_group for the arguments).
    Types are checked, never coerced: a wrong one raises TypeError naming the argument."""
    if isinstance(references, str):
        references = [references]  # documented: one accepted answer
    if hasattr(references, "tolist"):
        references = references.tolist()
    if not isinstance(references, (list, tuple)):
        raise TypeError(f"references must be a list of strings (the accepted answers), got {type(references).__name__}")
    for i, r in enumerate(references):
        if not isinstance(r, str):
            raise TypeError(f"references[{i}] must be a string, got {type(r).__name__} {r!r}")
    for name, value in (("question", question), ("run_id", run_id), ("request_id", request_id), ("prm_model", prm_model)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if isinstance(batch_index, bool) or not isinstance(batch_index, int) or batch_index < 0:
        if not (hasattr(batch_index, "item") and float(batch_index) == int(batch_index) >= 0):  # numpy / torch integers
            raise TypeError(f"batch_index must be an integer >= 0 (the training step), got {batch_index!r}")
    if token_offsets is not None and len(token_offsets) != len(responses):
        raise ValueError(f"token_offsets has {len(token_offsets)} entries for {len(responses)} responses")
    if image_token_spans is not None and len(image_token_spans) != len(responses):
        raise ValueError(f"image_token_spans has {len(image_token_spans)} entries for {len(responses)} responses")
    req = reward_pb2.ScoreGroupRequest(
        request_id=request_id or new_request_id(),
        run_id=run_id or "",
        batch_index=int(batch_index),
        image=image_message(image),
        question=question or "",
        prm_model=prm_model or "",
        use_argmax_score=bool(use_argmax_score),
        format=_enum_value(step_format or "auto", _STEP_FORMATS, "STEP_FORMAT_", "step_format"),
        sample_timeout_ms=int(sample_timeout_ms),
    )
    req.references.extend(references)
    for i, r in enumerate(responses):
        req.responses.append(
            response_message(
                i,
                r,
                token_offsets[i] if token_offsets is not None else None,
                image_token_spans[i] if image_token_spans is not None else None,
            )
        )
    o = outcome_message(outcome)
    if o is not None:
        req.outcome.CopyFrom(o)
    f = finepo_message(finepo)
    if f is not None:
        req.finepo.CopyFrom(f)
    return req


def new_request_id() -> str:
    return uuid.uuid4().hex


# ---------------------------------------------------------------------------------------------
# Streaming: a response feed that can be replayed on retry
# ---------------------------------------------------------------------------------------------


class _ResponseFeed:
    """Reads the caller's iterable of responses on its own thread (generation may still be
    running) and keeps every message, so that a retried stream replays what was already sent
    and then goes on with what comes next. If the iterable raises, the stream is cancelled (never
    half-closed: the service would score an incomplete group) and the caller's exception is
    re-raised."""

    def __init__(self, responses: Iterable[ResponseLike]) -> None:
        self._items: list[reward_pb2.StreamGroupRequest] = []
        self._ids: list[str] = []
        self._done = False
        self._closed = False
        self.error: Optional[BaseException] = None
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(iter(responses),), name="sketchvl-stream-feed", daemon=True)
        self._thread.start()

    def _pump(self, it: Iterable[ResponseLike]) -> None:
        position = 0
        try:
            for item in it:
                if self._closed:  # the call is over: stop pulling from the caller's generator
                    break
                msg = response_message(position, item)
                with self._cond:
                    self._items.append(reward_pb2.StreamGroupRequest(response=msg))
                    self._ids.append(msg.id)
                    self._cond.notify_all()
                position += 1
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            with self._cond:
                self.error = err
                self._cond.notify_all()
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def ids(self) -> list[str]:
        with self._cond:
            return list(self._ids)

    def messages(self, first: reward_pb2.StreamGroupRequest, stop: threading.Event):
        yield first
        i = 0
        while True:
            with self._cond:
                while i >= len(self._items) and not self._done and not stop.is_set():
                    self._cond.wait(0.05)
                if stop.is_set():
                    return
                if i < len(self._items):
                    item = self._items[i]
                    i += 1
                elif self.error is not None:
                    # Hold the stream open until the caller cancels it.
                    while not stop.is_set():
                        self._cond.wait(0.05)
                    return
                else:
                    return
            yield item


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------


def _pem(value: Optional[Union[bytes, str]]) -> Optional[bytes]:
    """PEM bytes as given, or read from the path given."""
    if value is None or isinstance(value, bytes):
        return value
    with open(value, "rb") as f:
        return f.read()


class RewardClient:
    """A client of the reward service.

    Args:
        address: ``host:port`` or any gRPC target (``dns:///reward.ns.svc:50055`` with
            ``lb_policy="round_robin"`` to spread calls over replicas).
        timeout_s: the deadline of each call, retries included (overridable per call).
        max_retries: retries on UNAVAILABLE (0 disables them).
        backoff_s / max_backoff_s: first retry delay, doubling up to the cap, with jitter.
        lb_policy: gRPC load-balancing policy ("pick_first" by default, or "round_robin").
        channel_options: extra gRPC channel options.
        channel: an existing channel to use instead (not closed by ``close()``).
        token: the caller token of a mesh with authentication on, sent as ``authorization:
            Bearer <token>`` on every call (health checks too, which do not need it).
        tls_root_cert / tls_cert / tls_key: PEM bytes or file paths. ``tls_root_cert`` (the mesh's
            CA) turns TLS on; ``tls_cert`` and ``tls_key`` are this client's certificate, which a
            mesh with mTLS on requires.
    """

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        timeout_s: float = 120.0,
        *,
        max_retries: int = 4,
        backoff_s: float = 0.2,
        max_backoff_s: float = 5.0,
        lb_policy: Optional[str] = None,
        max_message_bytes: int = 64 * 1024 * 1024,
        channel_options: Sequence[tuple[str, Any]] = (),
        channel: Optional[grpc.Channel] = None,
        token: Optional[str] = None,
        tls_root_cert: Optional[Union[bytes, str]] = None,
        tls_cert: Optional[Union[bytes, str]] = None,
        tls_key: Optional[Union[bytes, str]] = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be > 0")
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.address = address
        self.timeout_s = float(timeout_s)
        self.max_retries = int(max_retries)
        self.backoff_s = float(backoff_s)
        self.max_backoff_s = float(max_backoff_s)
        options = [
            ("grpc.max_send_message_length", max_message_bytes),
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.primary_user_agent", _USER_AGENT),
            # Reconnect fast after a restart: our own retry loop does the waiting.
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 2000),
        ]
        if lb_policy:
            options.append(("grpc.lb_policy_name", lb_policy))
        options.extend(channel_options)
        self._owns_channel = channel is None
        if (tls_cert is None) != (tls_key is None):
            raise ValueError("tls_cert and tls_key go together")
        if tls_cert is not None and tls_root_cert is None:
            raise ValueError("tls_cert needs tls_root_cert (the mesh's CA)")
        # Metadata rather than call credentials: gRPC sends call credentials only over TLS, and a
        # mesh may check tokens on loopback without it.
        self._metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()
        if channel is not None:
            self._channel = channel
        elif tls_root_cert is not None:
            credentials = grpc.ssl_channel_credentials(_pem(tls_root_cert), _pem(tls_key), _pem(tls_cert))
            self._channel = grpc.secure_channel(address, credentials, options=options)
        else:
            self._channel = grpc.insecure_channel(address, options=options)
        self._stub = reward_pb2_grpc.RewardServiceStub(self._channel)
        self._health = self._channel.unary_unary("/grpc.health.v1.Health/Check")

    @classmethod
    def from_env(cls, **kwargs: Any) -> "RewardClient":
        """Address from SKETCHVL_REWARD_ADDRESS, deadline from SKETCHVL_REWARD_TIMEOUT_S, token from
        SKETCHVL_REWARD_TOKEN, TLS files from SKETCHVL_REWARD_TLS_CA / _TLS_CERT / _TLS_KEY."""
        address = os.environ.get("SKETCHVL_REWARD_ADDRESS") or DEFAULT_ADDRESS
        if "timeout_s" not in kwargs and os.environ.get("SKETCHVL_REWARD_TIMEOUT_S"):
            kwargs["timeout_s"] = float(os.environ["SKETCHVL_REWARD_TIMEOUT_S"])
        for key, name in (("token", "TOKEN"), ("tls_root_cert", "TLS_CA"), ("tls_cert", "TLS_CERT"), ("tls_key", "TLS_KEY")):
            if key not in kwargs and os.environ.get(f"SKETCHVL_REWARD_{name}"):
                kwargs[key] = os.environ[f"SKETCHVL_REWARD_{name}"]
        return cls(address, **kwargs)

    # -- lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> "RewardClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def health(self, service: str = SERVICE_NAME, timeout_s: float = 5.0) -> str:
        """grpc.health.v1 Check: "SERVING", "NOT_SERVING", "UNKNOWN" or "SERVICE_UNKNOWN".
        (The two tiny health messages are encoded by hand rather than generated, so this package
        never collides with grpcio-health-checking's definitions.)"""
        name = service.encode()
        request = (b"\x0a" + _varint(len(name)) + name) if name else b""
        try:
            raw = self._health(request, timeout=timeout_s, metadata=self._metadata)
        except grpc.RpcError as err:
            raise RewardServiceError.from_rpc_error(err) from err
        status = _read_field1_varint(raw)
        return {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}.get(status, str(status))

    def wait_until_ready(self, timeout_s: float = 30.0) -> None:
        """Blocks until the service reports SERVING (readiness), or raises TimeoutError."""
        deadline = time.monotonic() + timeout_s
        last: object = None
        while time.monotonic() < deadline:
            try:
                if self.health(timeout_s=max(0.1, min(2.0, deadline - time.monotonic()))) == "SERVING":
                    return
                last = "not SERVING"
            except RewardServiceError as err:
                last = err
            time.sleep(0.1)
        raise TimeoutError(f"{SERVICE_NAME} at {self.address} not ready after {timeout_s} s: {last}")

    # -- calls ----------------------------------------------------------------------------------

    def score_group(
        self,
        image: ImageLike,
        question: str,
        references: Union[str, Sequence[str]],
        responses: Sequence[ResponseLike],
        token_offsets: Optional[Sequence[Optional[Sequence[int]]]] = None,
        image_token_spans: Optional[Sequence[Optional[Sequence[SpanLike]]]] = None,
        request_id: Optional[str] = None,
        run_id: str = "",
        batch_index: int = 0,
        finepo: Any = None,
        outcome: Any = None,
        prm_model: str = "",
        *,
        use_argmax_score: bool = False,
        step_format: Optional[str] = None,
        sample_timeout_ms: int = 0,
        timeout_s: Optional[float] = None,
    ) -> GroupScore:
        """Scores a whole group of responses to one prompt (one ``ScoreGroup`` call).

        Args:
            image: the prompt's image: bytes, a path, a ``"sha256:..."`` digest, a PIL image.
            question: the question asked about the image.
            references: accepted answers (the first is the ground truth).
            responses: the decoded completions (without the prompt): str, or dicts
                ``{"text", "id", "token_offsets", "image_token_spans"}``.
            token_offsets: per response, where each completion token starts in its text (Unicode
                code points, as Hugging Face offset_mapping gives): needed for token arrays.
            image_token_spans: per response, [start, end) token ranges of images fed back
                between turns (masked out of the loss).
            request_id: idempotency key; generated when omitted, reused on every retry.
            run_id / batch_index: the training run and step (FinePO's KL window).
            finepo: FinePO knobs, e.g. ``{"mode": "finepo", "alpha": 0.5, "beta": 2.0}``.
            outcome: "relaxed_accuracy" (default), "exact_match", "rewardmap" or a dict.
            prm_model: PRM model name; empty means the PRM service's default.
            use_argmax_score: FinePO consumes the argmax label instead of the expected score.
            step_format: "auto" (default), "sketchvl", "json", "chartsketcher".
            sample_timeout_ms: per-response budget in the service (0 = its default, 60 s); a
                response not scored in time comes back masked (TIMEOUT), not zeroed.
            timeout_s: this call's deadline (default: the client's), retries included.

        Returns:
            GroupScore, responses in the order sent.
        """
        req = build_group_request(
            image, question, references, responses, token_offsets, image_token_spans, request_id, run_id,
            batch_index, finepo, outcome, prm_model, use_argmax_score, step_format, sample_timeout_ms,
        )
        sent_ids = [r.id for r in req.responses]
        answer = self._with_retries(lambda remaining: self._stub.ScoreGroup(req, timeout=remaining, metadata=self._metadata), req.request_id, timeout_s)
        return group_from_proto(answer.group, sent_ids)

    def score_chart_code(
        self,
        image: ImageLike,
        reference_code: Union[str, Mapping[str, Any]],
        responses: Sequence[ResponseLike],
        judge: str = "",
        token_offsets: Optional[Sequence[Optional[Sequence[int]]]] = None,
        request_id: Optional[str] = None,
        *,
        sample_timeout_ms: int = 0,
        timeout_s: Optional[float] = None,
    ) -> GroupScore:
        """Scores a chart-to-code group (Visual-ERM): each response is chart code (a Vega-Lite
        JSON spec, bare or in a ``` fence) meant to redraw ``image``. The mesh renders each in a
        sandbox and a judge lists how it differs from the reference; ``outcome_reward`` is
        1 + clip(1 - S/50, 0, 1) with S the errors' severity sum, 0 for no code, a failed render
        or a blank image. Every part is in each response's ``chart_code`` (a ChartCodeScore).

        Args:
            image: the reference chart (bytes, a path, a digest, a PIL image).
            reference_code: the reference chart's spec (JSON text or a dict); the "reference"
                judge compares specs, the others may leave it empty.
            responses: the completions, as for score_group.
            judge: the PRM service's chart judge: "reference", "remote-judge", "random"; empty
                is the PRM service's default.
            token_offsets / request_id / sample_timeout_ms / timeout_s: as for score_group.
        """
        if not isinstance(reference_code, str):
            reference_code = json.dumps(reference_code)
        if not isinstance(judge, str):
            raise TypeError(f"judge must be a string, got {type(judge).__name__}")
        req = build_group_request(
            image, "", [], responses, token_offsets, None, request_id, sample_timeout_ms=sample_timeout_ms,
        )
        req.task = reward_pb2.REWARD_TASK_CHART_TO_CODE
        req.chart_code.reference_code = reference_code
        req.chart_code.judge = judge
        sent_ids = [r.id for r in req.responses]
        answer = self._with_retries(lambda remaining: self._stub.ScoreGroup(req, timeout=remaining), req.request_id, timeout_s)
        return group_from_proto(answer.group, sent_ids)

    def stream_group(
        self,
        image: ImageLike,
        question: str,
        references: Union[str, Sequence[str]],
        responses: Iterable[ResponseLike],
        request_id: Optional[str] = None,
        run_id: str = "",
        batch_index: int = 0,
        finepo: Any = None,
        outcome: Any = None,
        prm_model: str = "",
        *,
        use_argmax_score: bool = False,
        step_format: Optional[str] = None,
        sample_timeout_ms: int = 0,
        timeout_s: Optional[float] = None,
    ) -> GroupScore:
        """Scores a group whose responses arrive one by one (``StreamGroup``, client streaming).

        The first message carries the group (image, question, references, config); then each item
        of ``responses`` is sent as soon as the iterable yields it, so the service parses, draws and
        scores a response while the next is still being generated. The answer comes once the
        iterable is exhausted. ``responses`` may be a generator; items are str or dicts as for
        ``score_group`` (token offsets ride inside the dict). Ids default to arrival order.

        The deadline (``timeout_s``, default the client's) covers the whole stream, generation
        included. On UNAVAILABLE the stream is re-sent (same request id): what was already sent
        is replayed, then it continues with the iterable. If the iterable raises, the call is
        cancelled and that exception propagates.
        """
        group = build_group_request(
            image, question, references, (), None, None, request_id, run_id, batch_index, finepo, outcome,
            prm_model, use_argmax_score, step_format, sample_timeout_ms,
        )
        first = reward_pb2.StreamGroupRequest(group=group)
        feed = _ResponseFeed(responses)

        def attempt(remaining: float) -> reward_pb2.StreamGroupResponse:
            stop = threading.Event()
            future = self._stub.StreamGroup.future(feed.messages(first, stop), timeout=remaining, metadata=self._metadata)
            try:
                while True:
                    try:
                        return future.result(timeout=0.05)
                    except grpc.FutureTimeoutError:
                        if feed.error is not None:
                            future.cancel()
                            raise feed.error
            finally:
                stop.set()

        try:
            answer = self._with_retries(attempt, group.request_id, timeout_s)
        finally:
            feed.close()
        return group_from_proto(answer.group, feed.ids)

    # -- retries ----------------------------------------------------------------------------------

    def _with_retries(self, call: Callable[[float], T], request_id: str, timeout_s: Optional[float]) -> T:
        budget = self.timeout_s if timeout_s is None else float(timeout_s)
        deadline = time.monotonic() + budget
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RewardServiceError(
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    f"no time left for attempt {attempt} within {budget} s",
                    request_id=request_id,
                    attempts=attempt - 1,
                )
            try:
                return call(remaining)
            except grpc.RpcError as err:
                code = err.code() if hasattr(err, "code") else None
                if code == grpc.StatusCode.UNAVAILABLE and attempt <= self.max_retries:
                    delay = min(self.max_backoff_s, self.backoff_s * (2 ** (attempt - 1)))
                    delay *= 0.5 + random.random() / 2  # jitter: replicas restarting together
                    if time.monotonic() + delay < deadline:
                        time.sleep(delay)
                        continue
                raise RewardServiceError.from_rpc_error(err, request_id=request_id, attempts=attempt) from err


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _read_field1_varint(raw: bytes) -> int:
    """Field 1 (varint) of a tiny message; 0 when absent (proto3 default)."""
    i = 0
    while i < len(raw):
        key = raw[i]
        i += 1
        value = 0
        shift = 0
        while i < len(raw):
            b = raw[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if key == 0x08:
            return value
    return 0


__all__ = ["RewardClient", "DEFAULT_ADDRESS", "build_group_request", "image_message", "new_request_id"]
