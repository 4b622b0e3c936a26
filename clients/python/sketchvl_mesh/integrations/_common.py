"""What the framework shims share: one client per process, label parsing, failure mapping."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Mapping, Optional, Sequence, TypeVar

import grpc

from ..client import DEFAULT_ADDRESS, RewardClient
from ..errors import RewardServiceError

log = logging.getLogger("sketchvl_mesh")
T = TypeVar("T")

_clients: dict[tuple[int, str], RewardClient] = {}
_clients_lock = threading.Lock()


def env_address() -> str:
    return os.environ.get("SKETCHVL_REWARD_ADDRESS") or DEFAULT_ADDRESS


def shared_client(address: Optional[str] = None) -> RewardClient:
    """One RewardClient per (process, address): frameworks fork workers (Ray, DataLoader) and a
    gRPC channel must not cross a fork, so a child builds its own on first use.
    Env: SKETCHVL_REWARD_ADDRESS (host:port), SKETCHVL_REWARD_TIMEOUT_S (per call, retries
    included; default 120), SKETCHVL_REWARD_RETRIES (on UNAVAILABLE; default 4)."""
    address = address or env_address()
    key = (os.getpid(), address)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            kwargs: dict[str, Any] = {}
            if os.environ.get("SKETCHVL_REWARD_TIMEOUT_S"):
                kwargs["timeout_s"] = float(os.environ["SKETCHVL_REWARD_TIMEOUT_S"])
            if os.environ.get("SKETCHVL_REWARD_RETRIES"):
                kwargs["max_retries"] = int(os.environ["SKETCHVL_REWARD_RETRIES"])
            client = RewardClient(address, **kwargs)
            _clients[key] = client
        return client


def parse_label(value: Any) -> dict[str, Any]:
    """A dataset's label / ground truth, in any of the forms the shims accept:

    - the OpenRLHF label: a JSON string ``{"image", "question", "references" | "answer"}``;
    - the same as a dict;
    - a plain answer string (image and question then come from elsewhere);
    - a list of accepted answers.

    Returns a dict with the keys found among ``image``, ``question``, ``references``.

    In a label object, ``references`` must be a list of strings: ``"references": "2022"`` raises
    ``ValueError`` naming the field, as the HTTP endpoint answers 400 for it, instead of being
    read one way here and another there. (``answer`` is one answer: a string or a number.)
    """
    if value is None:
        return {}
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy arrays from parquet
        value = value.tolist()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                return parse_label(decoded)
        return {"references": [value]}
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        image = first_present(value, ("image", "image_digest", "image_path", "images"))
        if image is not None:
            out["image"] = first_image(image)
        if value.get("question") is not None:
            out["question"] = str(value["question"])
        refs = value.get("references")
        if refs is not None:
            out["references"] = strict_references(refs)
        else:
            refs = first_present(value, ("answer", "ground_truth", "solution"))
            if refs is not None:
                out["references"] = as_references(refs)
        return out
    if isinstance(value, (list, tuple)):
        return {"references": [str(v) for v in value]}
    return {"references": [str(value)]}


def first_present(d: Mapping[str, Any], keys: Sequence[str]) -> Any:
    for k in keys:
        if d.get(k) is not None:
            return d[k]
    return None


def first_image(image: Any) -> Any:
    """A dataset's images column may hold a list: the prompt's image is its first."""
    if hasattr(image, "tolist") and not isinstance(image, (str, bytes)):
        image = image.tolist()
    if isinstance(image, (list, tuple)):
        if not image:
            return None
        return image[0]
    return image


def strict_references(refs: Any, field: str = "references") -> list[str]:
    """A label's ``references``: a list of strings, as given; anything else raises ValueError."""
    if hasattr(refs, "tolist") and not isinstance(refs, (str, bytes)):  # numpy arrays from parquet
        refs = refs.tolist()
    if isinstance(refs, str):
        raise ValueError(f"label {field!r} must be a list of strings (the accepted answers), got the string {refs!r}: write [{refs!r}]")
    if not isinstance(refs, (list, tuple)):
        raise ValueError(f"label {field!r} must be a list of strings (the accepted answers), got {type(refs).__name__}")
    for i, r in enumerate(refs):
        if not isinstance(r, str):
            raise ValueError(f"label {field}[{i}] must be a string, got {type(r).__name__} {r!r}")
    return list(refs)


def as_references(refs: Any) -> list[str]:
    if hasattr(refs, "tolist") and not isinstance(refs, (str, bytes)):
        refs = refs.tolist()
    if isinstance(refs, (list, tuple)):
        return [str(r) for r in refs]
    return [str(refs)]


def image_key(image: Any) -> Any:
    """A hashable identity for an image reference, equal for equal images: rows of a dataset
    hold distinct bytes / PIL objects for the same picture, and their samples still form one group."""
    if isinstance(image, str):
        return image
    if isinstance(image, (bytes, bytearray, memoryview)):
        return "bytes:" + hashlib.sha256(bytes(image)).hexdigest()
    if isinstance(image, Mapping):
        if image.get("bytes"):
            return image_key(image["bytes"])
        return str(image.get("digest") or image.get("path"))
    if hasattr(image, "tobytes") and hasattr(image, "size") and hasattr(image, "mode"):  # PIL
        return "pil:" + hashlib.sha256(f"{image.mode}{image.size}".encode() + image.tobytes()).hexdigest()
    return id(image)


def failure_kind_of_error(err: BaseException) -> str:
    """A whole call that failed, named like the per-response failure kinds, so that a caller sees
    one vocabulary: the caller's input (INVALID_INPUT), the clock (TIMEOUT), or the mesh
    (INFRASTRUCTURE). A dependency of the reward service that did not answer in time is the clock's
    (reason DEPENDENCY_TIMED_OUT), as a response it could not score in time is TIMEOUT."""
    if getattr(err, "reason", "") == "DEPENDENCY_TIMED_OUT":
        return "TIMEOUT"
    code = getattr(err, "code", None)
    if code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.OUT_OF_RANGE):
        return "INVALID_INPUT"
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return "TIMEOUT"
    return "INFRASTRUCTURE"


def run_parallel(tasks: Sequence[Callable[[], T]], max_workers: int) -> list[T]:
    """Runs independent calls (one per group) concurrently; results in task order."""
    if len(tasks) <= 1 or max_workers <= 1:
        return [t() for t in tasks]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(tasks)), thread_name_prefix="sketchvl-reward") as pool:
        return list(pool.map(lambda t: t(), tasks))


__all__ = ["shared_client", "parse_label", "failure_kind_of_error", "run_parallel", "RewardServiceError"]
