"""The training objectives, token-level (spec/training.md, "The loss").

Every statistic is returned as a sum over loss tokens, and the loss is divided by the number of
loss tokens in the WHOLE batch, so micro-batches with gradient accumulation give exactly the
token-mean over the batch (not a mean of micro-batch means).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

SFT = "sft"
LOG_RATIO_LIMIT = 20.0
PPO_CLIP = "ppo_clip"


@dataclass(frozen=True)
class LossConfig:
    objective: str  # SFT or PPO_CLIP
    clip_low: float = 0.2
    clip_high: float = 0.2
    kl_coef: float = 0.0
    entropy_coef: float = 0.0


@dataclass
class LossSums:
    """Sums over loss tokens (divide by `tokens` for token-means)."""

    objective: float = 0.0
    kl: float = 0.0
    entropy: float = 0.0
    clipped: float = 0.0
    logprob_shift: float = 0.0
    tokens: int = 0
    shift_tokens: int = 0  # loss tokens with an old log-prob (the shift's denominator)

    def add(self, other: "LossSums") -> None:
        for name in ("objective", "kl", "entropy", "clipped", "logprob_shift", "tokens", "shift_tokens"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def entropy_of(logp_all: torch.Tensor) -> torch.Tensor:
    """Entropy of each row's full next-token distribution [K, vocab] -> [K]."""
    return -(logp_all.exp() * logp_all).sum(-1)


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Schulman's k3 estimator of KL(policy || reference) per sampled token: exp(d) - d - 1 with
    d = log pi_ref - log pi (unbiased, always >= 0)."""
    d = (ref_logp - logp).clamp(-LOG_RATIO_LIMIT, LOG_RATIO_LIMIT)
    return torch.exp(d) - d - 1.0


def token_loss(
    cfg: LossConfig,
    logp: torch.Tensor,  # [K] log-prob of each completion token under the current weights
    logp_all: torch.Tensor,  # [K, vocab]
    old_logprobs: torch.Tensor,  # [K]
    advantages: torch.Tensor,  # [K]
    mask: torch.Tensor,  # bool [K]
    total_tokens: int,  # loss tokens in the whole batch (all micro-batches)
    ref_logp: torch.Tensor | None = None,  # [K] under the frozen reference
    has_old: torch.Tensor | None = None,  # bool [K]: old_logprobs given (None = all)
) -> tuple[torch.Tensor, LossSums]:
    """(this micro-batch's share of the batch loss, to backward; its statistics)."""
    m = mask.to(logp.dtype)
    sums = LossSums(tokens=int(mask.sum().item()))
    shift = logp - old_logprobs
    # How far off-policy: only where an old log-prob was given (PPO: everywhere; SFT: optional).
    with_old = m if has_old is None else m * has_old.to(m.dtype)
    sums.logprob_shift = float(torch.where(with_old > 0, shift.detach(), torch.zeros_like(shift)).sum())
    sums.shift_tokens = int(with_old.sum().item())
    if cfg.objective == SFT:
        per_token = -logp
    elif cfg.objective == PPO_CLIP:
        # Clamped log-ratio (as verl does): a stale or corrupt old log-prob cannot make exp overflow.
        ratio = torch.exp(shift.clamp(-LOG_RATIO_LIMIT, LOG_RATIO_LIMIT))
        unclipped = -advantages * ratio
        clipped = -advantages * torch.clamp(ratio, 1.0 - cfg.clip_low, 1.0 + cfg.clip_high)
        per_token = torch.maximum(unclipped, clipped)
        # Clipped = the clipped term is the one in force (verl's pg_clipfrac).
        sums.clipped = float(((clipped > unclipped).to(m.dtype) * m).sum())
    else:
        raise ValueError(f"unknown objective {cfg.objective!r}")

    if ref_logp is not None:
        kl = k3_kl(logp, ref_logp)
        sums.kl = float(torch.where(mask, kl.detach(), torch.zeros_like(kl)).sum())
        if cfg.kl_coef:
            per_token = per_token + cfg.kl_coef * kl
    if cfg.entropy_coef:
        entropy = entropy_of(logp_all)
        per_token = per_token - cfg.entropy_coef * entropy
        sums.entropy = float((entropy.detach() * m).sum())
    else:
        with torch.no_grad():  # reported only: keep it out of the graph
            sums.entropy = float((entropy_of(logp_all) * m).sum())

    # where, not multiply: a masked token's term (say an <image> marker with a placeholder old
    # log-prob) must not turn the sum into NaN.
    loss = torch.where(mask, per_token, torch.zeros_like(per_token)).sum() / max(total_tokens, 1)
    sums.objective = float(loss.detach()) * max(total_tokens, 1)
    return loss, sums
