"""Sequences in, padded tensors out: validation and collation for the full forward.

A sequence is prompt then completion (design "Tokens"). Position p >= completion_start is a
completion token; its log-prob is read from the hidden state at p - 1. Per-completion-token
arrays (old_logprobs, advantages, loss_mask) have length len(tokens) - completion_start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from errors import InvalidArgument
from model import IMAGE, Architecture


@dataclass
class Sequence:
    tokens: list[int]
    image_index: list[int]
    # float32 little-endian [3, S, S] each (bytes), or numpy arrays of that shape.
    images: list
    completion_start: int
    old_logprobs: list[float] = field(default_factory=list)
    advantages: list[float] = field(default_factory=list)
    loss_mask: list[bool] = field(default_factory=list)

    @property
    def completion_length(self) -> int:
        return len(self.tokens) - self.completion_start


def image_index_for(tokens: list[int]) -> list[int]:
    """The design's rule: image_index[p] = number of <image> tokens at positions <= p."""
    out, seen = [], 0
    for t in tokens:
        seen += t == IMAGE
        out.append(seen)
    return out


def validate(sequences: list[Sequence], arch: Architecture, *, need_ppo: bool = False, where: str = "sequences") -> None:
    """Raises InvalidArgument naming the field (e.g. ``sequences[2].image_index``)."""
    if not sequences:
        raise InvalidArgument("at least one sequence is required", where)
    image_bytes = 3 * arch.image_size * arch.image_size * 4
    for i, s in enumerate(sequences):
        f = f"{where}[{i}]"
        n = len(s.tokens)
        if n == 0:
            raise InvalidArgument("empty", f"{f}.tokens")
        if n > arch.max_positions:
            raise InvalidArgument(f"{n} tokens exceed max_positions {arch.max_positions}", f"{f}.tokens")
        bad = next((t for t in s.tokens if t >= arch.vocab_size), None)
        if bad is not None:
            raise InvalidArgument(f"token id {bad} >= vocab_size {arch.vocab_size}", f"{f}.tokens")
        if len(s.image_index) != n:
            raise InvalidArgument(f"length {len(s.image_index)} != tokens length {n}", f"{f}.image_index")
        if not s.images:
            raise InvalidArgument("at least one image is required", f"{f}.images")
        top = max(s.image_index)
        if top >= len(s.images):
            raise InvalidArgument(f"index {top} but only {len(s.images)} images", f"{f}.image_index")
        for j, img in enumerate(s.images):
            size = img.nbytes if isinstance(img, np.ndarray) else len(img)
            if size != image_bytes:
                raise InvalidArgument(
                    f"{size} bytes, expected {image_bytes} (float32 [3,{arch.image_size},{arch.image_size}])",
                    f"{f}.images[{j}]",
                )
        if not 1 <= s.completion_start <= n:
            raise InvalidArgument(f"{s.completion_start} not in [1, {n}] (the prompt holds at least <bos>)", f"{f}.completion_start")
        c = s.completion_length
        for name in ("old_logprobs", "advantages", "loss_mask"):
            got = len(getattr(s, name))
            required = need_ppo and name != "loss_mask"
            if (got or required) and got != c:
                raise InvalidArgument(f"length {got} != completion length {c}", f"{f}.{name}")
        if s.old_logprobs and not np.all(np.isfinite(s.old_logprobs)):
            raise InvalidArgument("not finite", f"{f}.old_logprobs")
        if s.advantages and not np.all(np.isfinite(s.advantages)):
            raise InvalidArgument("not finite", f"{f}.advantages")


@dataclass
class Batch:
    tokens: torch.Tensor  # int64 [B,T], right-padded with <pad>
    key_mask: torch.Tensor  # bool [B,T]
    token_image: torch.Tensor  # int64 [B,T] row of `images`
    images: torch.Tensor  # float32 [N,3,S,S], unique images
    select_b: torch.Tensor  # int64 [K] one entry per completion token
    select_p: torch.Tensor  # int64 [K] position whose hidden state predicts it (p - 1)
    targets: torch.Tensor  # int64 [K] the completion token
    sequence_of: torch.Tensor  # int64 [K] which sequence (for splitting results back)
    old_logprobs: torch.Tensor  # float32 [K] (0 where not given)
    has_old: torch.Tensor  # bool [K]: old_logprobs given for this token's sequence
    advantages: torch.Tensor  # float32 [K]
    loss_mask: torch.Tensor  # bool [K]
    lengths: list[int]  # completion length per sequence


def collate(sequences: list[Sequence], arch: Architecture) -> Batch:
    """Pads to the longest sequence; identical images (bytes) are encoded once per batch (a
    group's rollouts share the prompt image)."""
    B = len(sequences)
    T = max(len(s.tokens) for s in sequences)
    S = arch.image_size
    tokens = torch.zeros(B, T, dtype=torch.long)
    key_mask = torch.zeros(B, T, dtype=torch.bool)
    token_image = torch.zeros(B, T, dtype=torch.long)
    unique: dict[bytes, int] = {}
    arrays: list[np.ndarray] = []
    sel_b, sel_p, targets, seq_of, old, has_old, adv, mask, lengths = [], [], [], [], [], [], [], [], []
    for b, s in enumerate(sequences):
        n = len(s.tokens)
        tokens[b, :n] = torch.tensor(s.tokens, dtype=torch.long)
        key_mask[b, :n] = True
        ids = []
        for img in s.images:
            raw = img.astype("<f4").tobytes() if isinstance(img, np.ndarray) else bytes(img)
            if raw not in unique:
                unique[raw] = len(arrays)
                arrays.append(np.frombuffer(raw, dtype="<f4").reshape(3, S, S))
            ids.append(unique[raw])
        token_image[b, :n] = torch.tensor([ids[i] for i in s.image_index], dtype=torch.long)
        c = s.completion_length
        lengths.append(c)
        sel_b += [b] * c
        sel_p += range(s.completion_start - 1, n - 1)
        completion = s.tokens[s.completion_start:]
        targets += completion
        seq_of += [b] * c
        old += list(s.old_logprobs) if s.old_logprobs else [0.0] * c
        has_old += [bool(s.old_logprobs)] * c
        adv += list(s.advantages) if s.advantages else [0.0] * c
        # Default loss mask: every completion token but the image markers (inserted by the loop,
        # never sampled).
        mask += [bool(m) for m in s.loss_mask] if s.loss_mask else [t != IMAGE for t in completion]
    return Batch(
        tokens=tokens,
        key_mask=key_mask,
        token_image=token_image,
        images=torch.from_numpy(np.stack(arrays).astype(np.float32, copy=True)),
        select_b=torch.tensor(sel_b, dtype=torch.long),
        select_p=torch.tensor(sel_p, dtype=torch.long),
        targets=torch.tensor(targets, dtype=torch.long),
        sequence_of=torch.tensor(seq_of, dtype=torch.long),
        old_logprobs=torch.tensor(old, dtype=torch.float32),
        has_old=torch.tensor(has_old, dtype=torch.bool),
        advantages=torch.tensor(adv, dtype=torch.float32),
        loss_mask=torch.tensor(mask, dtype=torch.bool),
        lengths=lengths,
    )


def token_logprobs(model, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """(log-prob of each completion token [K], full log-softmax rows [K, vocab])."""
    logp_all = model.forward_full(
        batch.tokens, batch.key_mask, batch.token_image, batch.images, batch.select_b, batch.select_p
    )
    return logp_all.gather(1, batch.targets[:, None]).squeeze(1), logp_all
