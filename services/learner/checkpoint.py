"""Resumable checkpoints: weights, optimizer state (AdamW moments), step, seed, and the frozen
reference's weights when there is one. One torch.save file, written to a temporary sibling and
renamed over the target, so a crash never leaves a truncated checkpoint under the real name."""

from __future__ import annotations

import dataclasses
import os
import tempfile

import torch

from errors import InvalidArgument, NotFound

FORMAT = "sketchvl-learner-checkpoint/1"


def save(path: str, *, architecture, model, optimizer, optimizer_config, step: int, seed: int, reference=None) -> None:
    if not path:
        raise InvalidArgument("required", "path")
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    state = {
        "format": FORMAT,
        "architecture": architecture.to_json(),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "optimizer_config": dataclasses.asdict(optimizer_config),
        "step": step,
        "seed": seed,
        "reference": reference.state_dict() if reference is not None else None,
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.tmp-", dir=parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path: str) -> dict:
    if not os.path.isfile(path):
        raise NotFound(f"no checkpoint file at {path}", "checkpoint")
    try:
        state = torch.load(path, map_location="cpu")
    except Exception as e:  # a truncated or foreign file
        raise InvalidArgument(f"cannot read {path}: {e}", "checkpoint") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise InvalidArgument(f"{path} is not a learner checkpoint ({FORMAT})", "checkpoint")
    return state
