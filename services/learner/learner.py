"""The learner's state and operations: weights, optimizer, optional frozen reference, step count.

Domain code: plain Python in, plain Python out, domain errors (errors.py). server.py maps the
gRPC messages onto it. One lock serializes every operation (one model, one optimizer).
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, replace

import torch

import checkpoint as ckpt
from batch import Sequence, collate, token_logprobs, validate
from errors import FailedPrecondition, InvalidArgument
from export import export_policy
from losses import PPO_CLIP, LossConfig, LossSums, token_loss
from model import Architecture, Policy, count_parameters
from threads import set_threads

DEFAULT_ARCHITECTURE = Architecture(vocab_size=0)  # vocab_size has no default: it comes from vocab.json


@dataclass(frozen=True)
class OptimizerConfig:
    learning_rate: float = 3e-4
    weight_decay: float = 0.0
    grad_clip: float = 0.0  # 0 = no clipping (the norm is still reported)


@dataclass
class TrainStats:
    loss: float
    kl: float
    entropy: float
    clip_fraction: float
    grad_norm: float
    step: int
    tokens: int
    mean_logprob_shift: float
    seconds: float


def make_optimizer(model: Policy, cfg: OptimizerConfig) -> torch.optim.AdamW:
    # Weight decay on matrices, convolution kernels and embeddings; never on biases or LayerNorm gains.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.learning_rate,
    )


def resolve_architecture(requested: dict, from_checkpoint: Architecture | None) -> Architecture:
    """Fields given as 0 take defaults (or the checkpoint's values); non-zero fields must agree
    with a checkpoint's. Raises InvalidArgument naming ``architecture.<field>``."""
    if from_checkpoint is not None:
        for name, value in requested.items():
            if value and value != getattr(from_checkpoint, name):
                raise InvalidArgument(f"{value} != the checkpoint's {getattr(from_checkpoint, name)}", f"architecture.{name}")
        return from_checkpoint
    if not requested.get("vocab_size"):
        raise InvalidArgument("required (the vocabulary's size)", "architecture.vocab_size")
    arch = replace(DEFAULT_ARCHITECTURE, **{k: int(v) for k, v in requested.items() if v})
    try:
        arch.validate()
    except ValueError as e:
        raise InvalidArgument(str(e), "architecture") from None
    return arch


class Learner:
    def __init__(self):
        self._lock = threading.Lock()
        self.model: Policy | None = None
        self.reference: Policy | None = None
        self.optimizer: torch.optim.Optimizer | None = None
        self.optimizer_config = OptimizerConfig()
        self.step = 0
        self.seed = 0

    # ---------------------------------------------------------------- lifecycle

    def init_policy(
        self,
        architecture: dict,
        optimizer: OptimizerConfig | None,
        seed: int = 0,
        checkpoint: str = "",
        keep_reference: bool = False,
        threads: int = 0,
    ) -> tuple[int, int]:
        """Fresh weights from `seed`, or everything from `checkpoint`. `optimizer` None keeps the
        checkpoint's settings (or the defaults). Returns (parameters, step)."""
        with self._lock:
            set_threads(threads)
            state = ckpt.load(checkpoint) if checkpoint else None
            arch = resolve_architecture(architecture, Architecture(**state["architecture"]) if state else None)
            if state:
                model = Policy(arch)
                model.load_state_dict(state["model"])
                opt_cfg = optimizer or OptimizerConfig(**state["optimizer_config"])
                opt = make_optimizer(model, opt_cfg)
                opt.load_state_dict(state["optimizer"])
                for group, decays in zip(opt.param_groups, (True, False)):
                    group["lr"] = opt_cfg.learning_rate
                    group["weight_decay"] = opt_cfg.weight_decay if decays else 0.0
                step, seed = int(state["step"]), int(state.get("seed", seed))
                reference = None
                if keep_reference:
                    reference = Policy(arch)
                    # The checkpoint's reference is the run's original start; without one, the
                    # restored weights become the reference.
                    reference.load_state_dict(state["reference"] if state.get("reference") else state["model"])
            else:
                model = Policy.create(arch, seed)
                opt_cfg = optimizer or OptimizerConfig()
                opt = make_optimizer(model, opt_cfg)
                step = 0
                reference = copy.deepcopy(model) if keep_reference else None
            if reference is not None:
                reference.eval()
                reference.requires_grad_(False)
            model.train()
            self.model, self.reference, self.optimizer = model, reference, opt
            self.optimizer_config, self.step, self.seed = opt_cfg, step, seed
            return count_parameters(model), step

    def _require_model(self) -> Policy:
        if self.model is None:
            raise FailedPrecondition("no policy: call InitPolicy first")
        return self.model

    # ---------------------------------------------------------------- training

    def train_step(self, sequences: list[Sequence], loss: LossConfig, micro_batch: int = 0) -> TrainStats:
        started = time.perf_counter()
        with self._lock:
            model = self._require_model()
            validate(sequences, model.arch, need_ppo=loss.objective == PPO_CLIP)
            if loss.kl_coef and self.reference is None:
                raise FailedPrecondition("loss.kl_coef > 0 needs a reference: InitPolicy with keep_reference")
            if loss.objective == PPO_CLIP and (loss.clip_low < 0 or loss.clip_low >= 1 or loss.clip_high < 0):
                raise InvalidArgument("clip_low must be in [0, 1) and clip_high >= 0", "loss")

            # Similar lengths together: less padding per micro-batch (the token-mean is global,
            # so the grouping does not change the loss).
            order = sorted(range(len(sequences)), key=lambda i: len(sequences[i].tokens))
            size = micro_batch or len(order)
            batches = [collate([sequences[i] for i in order[k : k + size]], model.arch) for k in range(0, len(order), size)]
            total = int(sum(int(b.loss_mask.sum()) for b in batches))
            if total == 0:
                raise InvalidArgument("no completion token is in the loss", "sequences")

            model.train()
            self.optimizer.zero_grad(set_to_none=True)
            sums = LossSums()
            for b in batches:
                logp, logp_all = token_logprobs(model, b)
                ref = None
                if self.reference is not None:
                    with torch.no_grad():
                        ref, _ = token_logprobs(self.reference, b)
                part, s = token_loss(loss, logp, logp_all, b.old_logprobs, b.advantages, b.loss_mask, total, ref, b.has_old)
                part.backward()
                sums.add(s)
            clip = self.optimizer_config.grad_clip
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip if clip > 0 else float("inf"))
            if not torch.isfinite(grad_norm):
                # Keep the weights: a non-finite gradient would poison them and the optimizer state.
                self.optimizer.zero_grad(set_to_none=True)
                raise InvalidArgument(f"non-finite gradient norm ({float(grad_norm)}); step skipped", "sequences")
            self.optimizer.step()
            self.step += 1
            n = sums.tokens
            return TrainStats(
                loss=sums.objective / n,
                kl=sums.kl / n,
                entropy=sums.entropy / n,
                clip_fraction=sums.clipped / n,
                grad_norm=float(grad_norm),
                step=self.step,
                tokens=n,
                mean_logprob_shift=sums.logprob_shift / sums.shift_tokens if sums.shift_tokens else 0.0,
                seconds=time.perf_counter() - started,
            )

    def score(self, sequences: list[Sequence]) -> list[list[float]]:
        """Per sequence, the log-prob of each completion token under the current weights."""
        with self._lock:
            model = self._require_model()
            validate(sequences, model.arch)
            with torch.no_grad():
                logp, _ = token_logprobs(model, collate(sequences, model.arch))
            out, k = [], 0
            values = logp.tolist()
            for s in sequences:
                out.append(values[k : k + s.completion_length])
                k += s.completion_length
            return out

    # ---------------------------------------------------------------- persistence

    def export(self, directory: str, vocabulary_json: str, config_json: str = "") -> float:
        with self._lock:
            return export_policy(self._require_model(), directory, vocabulary_json, config_json, check_seed=self.step)

    def save_checkpoint(self, path: str) -> int:
        with self._lock:
            model = self._require_model()
            ckpt.save(
                path,
                architecture=model.arch,
                model=model,
                optimizer=self.optimizer,
                optimizer_config=self.optimizer_config,
                step=self.step,
                seed=self.seed,
                reference=self.reference,
            )
            return self.step
