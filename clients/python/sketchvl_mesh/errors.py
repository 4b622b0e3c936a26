"""Typed errors of the reward client.

Every failed call surfaces as :class:`RewardServiceError`: the gRPC status, its message, the
reason (``google.rpc.ErrorInfo.reason`` in domain ``sketchvl.mesh``: a value of the contract's
``ErrorReason``, proto/sketchvl/v1/errors.proto, without its prefix, e.g. ``IMAGE_NOT_FOUND``), and
the ``google.rpc.BadRequest`` field violations the mesh attaches to field errors (all in the
``grpc-status-details-bin`` trailer, a serialized ``google.rpc.Status``), e.g. field
``finepo.alpha``. Branch on ``reason`` or ``code``, never on the message text. Decoded with the protobuf runtime: googleapis-common-protos' ``google.rpc``
modules when installed (so the two never define ``google.rpc.Status`` twice in one process),
otherwise this package's vendored minimal copies (``proto_vendor/``, generated into ``_gen``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import grpc

STATUS_DETAILS_KEY = "grpc-status-details-bin"
_BAD_REQUEST_TYPE = "google.rpc.BadRequest"
_ERROR_INFO_TYPE = "google.rpc.ErrorInfo"
ERROR_DOMAIN = "sketchvl.mesh"


def _rpc_modules():
    """(status_pb2, error_details_pb2): googleapis-common-protos' when present, else vendored."""
    try:  # pragma: no cover - depends on what else is installed
        from google.rpc import error_details_pb2, status_pb2  # type: ignore

        return status_pb2, error_details_pb2
    except ImportError:
        from ._gen.google.rpc import error_details_pb2, status_pb2

        return status_pb2, error_details_pb2


@dataclass(frozen=True)
class FieldViolation:
    """One entry of google.rpc.BadRequest: the offending field (dotted path) and why."""

    field: str
    description: str


@dataclass(frozen=True)
class StatusDetail:
    """A detail of google.rpc.Status this client does not decode (kept as type URL + bytes)."""

    type_url: str
    value: bytes


class RewardServiceError(Exception):
    """A reward-service call that failed as a whole (per-response failures are not errors: they
    come back as ``mask_sample`` / ``failure_kind`` on each response).

    Attributes:
        code: the ``grpc.StatusCode``.
        code_name: its name, e.g. ``"INVALID_ARGUMENT"``, ``"UNAVAILABLE"``.
        message: the status message (for people: branch on ``reason``).
        reason: why, e.g. ``"IMAGE_NOT_FOUND"``, ``"OVERLOADED"``, ``"DEPENDENCY_TIMED_OUT"``;
            ``"UNSPECIFIED"`` when the service named none this client knows.
        reason_metadata: ErrorInfo.metadata, e.g. ``{"field": ..., "dependency": "prm"}``.
        field_violations: google.rpc.BadRequest entries (empty when none were sent).
        other_details: status details of other types, undecoded.
        request_id: the idempotency key the call was sent with (the same on every retry).
        attempts: how many times the call was sent (retries happen only on UNAVAILABLE).
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        *,
        field_violations: Sequence[FieldViolation] = (),
        other_details: Sequence[StatusDetail] = (),
        request_id: str = "",
        attempts: int = 1,
        reason: str = "UNSPECIFIED",
        reason_metadata: Optional[dict[str, str]] = None,
    ) -> None:
        self.code = code
        self.code_name = code.name if isinstance(code, grpc.StatusCode) else str(code)
        self.message = message
        self.reason = reason
        self.reason_metadata = dict(reason_metadata or {})
        self.field_violations = list(field_violations)
        self.other_details = list(other_details)
        self.request_id = request_id
        self.attempts = attempts
        text = f"{self.code_name}: {message}"
        if reason != "UNSPECIFIED":
            text += f" ({reason})"
        if self.field_violations:
            text += " [" + "; ".join(f"{v.field}: {v.description}" for v in self.field_violations) + "]"
        if request_id:
            text += f" (request_id={request_id}, attempts={attempts})"
        super().__init__(text)

    @property
    def fields(self) -> list[str]:
        """The offending fields named by BadRequest, in order."""
        return [v.field for v in self.field_violations]

    @property
    def retryable(self) -> bool:
        """True for UNAVAILABLE, the only status this client retries (the service may be
        restarting or draining; the same request id makes the retry safe)."""
        return self.code == grpc.StatusCode.UNAVAILABLE

    @classmethod
    def from_rpc_error(cls, err: grpc.RpcError, *, request_id: str = "", attempts: int = 1) -> "RewardServiceError":
        code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
        message = err.details() if hasattr(err, "details") else str(err)
        trailers = err.trailing_metadata() if hasattr(err, "trailing_metadata") else None
        violations, others = parse_status_details(trailers)
        reason, metadata = error_reason(others)
        return cls(
            code, message or "", field_violations=violations, other_details=others, request_id=request_id, attempts=attempts,
            reason=reason, reason_metadata=metadata,
        )


def parse_status_details(trailing_metadata: Optional[Sequence[Any]]) -> tuple[list[FieldViolation], list[StatusDetail]]:
    """Decodes the ``grpc-status-details-bin`` trailer (google.rpc.Status) into BadRequest field
    violations and the undecoded rest. Missing or undecodable details give empty lists: an error
    must never be hidden behind a failure to read its details."""
    if not trailing_metadata:
        return [], []
    raw = None
    for item in trailing_metadata:
        key, value = (item.key, item.value) if hasattr(item, "key") else item
        if key == STATUS_DETAILS_KEY:
            raw = value
            break
    if not raw:
        return [], []
    if isinstance(raw, str):  # some transports hand binary metadata back as str
        raw = raw.encode("latin-1")
    status_pb2, error_details_pb2 = _rpc_modules()
    status = status_pb2.Status()
    try:
        status.ParseFromString(raw)
    except Exception:  # noqa: BLE001 - a garbled trailer must not mask the real error
        return [], []
    violations: list[FieldViolation] = []
    others: list[StatusDetail] = []
    for detail in status.details:
        if detail.type_url.rsplit("/", 1)[-1] == _BAD_REQUEST_TYPE:
            bad = error_details_pb2.BadRequest()
            try:
                bad.ParseFromString(detail.value)
            except Exception:  # noqa: BLE001
                others.append(StatusDetail(detail.type_url, bytes(detail.value)))
                continue
            violations.extend(FieldViolation(v.field, v.description) for v in bad.field_violations)
        else:
            others.append(StatusDetail(detail.type_url, bytes(detail.value)))
    return violations, others


def error_reason(details: Sequence[StatusDetail]) -> tuple[str, dict[str, str]]:
    """The mesh's reason and its metadata from the undecoded details (the ErrorInfo in domain
    ``sketchvl.mesh``): ``("UNSPECIFIED", {})`` when there is none, or its reason is not one of
    the contract's ErrorReason values (a newer service): branch on the status code then."""
    _, error_details_pb2 = _rpc_modules()
    from ._gen.sketchvl.v1 import errors_pb2

    for detail in details:
        if detail.type_url.rsplit("/", 1)[-1] != _ERROR_INFO_TYPE:
            continue
        info = error_details_pb2.ErrorInfo()
        try:
            info.ParseFromString(detail.value)
        except Exception:  # noqa: BLE001 - a garbled detail must not mask the real error
            continue
        if info.domain != ERROR_DOMAIN:
            continue
        known = info.reason in (name.replace("ERROR_REASON_", "", 1) for name in errors_pb2.ErrorReason.keys())
        return (info.reason if known else "UNSPECIFIED"), dict(info.metadata)
    return "UNSPECIFIED", {}


def bad_request_trailer(code: int, message: str, violations: Sequence[tuple[str, str]], reason: str = "") -> tuple[str, bytes]:
    """The ``grpc-status-details-bin`` trailer for a BadRequest, and an ErrorInfo when ``reason``
    is given, as the mesh sends them (for fakes in tests)."""
    status_pb2, error_details_pb2 = _rpc_modules()
    bad = error_details_pb2.BadRequest()
    for f, d in violations:
        bad.field_violations.add(field=f, description=d)
    status = status_pb2.Status(code=code, message=message)
    status.details.add().Pack(bad)
    if reason:
        status.details.add().Pack(error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN))
    return STATUS_DETAILS_KEY, status.SerializeToString()


__all__ = ["RewardServiceError", "FieldViolation", "StatusDetail", "parse_status_details", "error_reason", "STATUS_DETAILS_KEY", "ERROR_DOMAIN"]
