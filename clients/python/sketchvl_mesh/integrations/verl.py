"""verl shim: ``compute_score`` for verl's reward managers, and FinePO advantages for a custom
advantage estimator.

Per sample (``reward_model.reward_manager=naive`` or the async reward loop)::

    custom_reward_function.path=.../sketchvl_mesh/integrations/verl.py
    custom_reward_function.name=compute_score          # or compute_score_async

Per batch (``reward_model.reward_manager=batch``; scores each prompt's responses as one group)::

    custom_reward_function.name=compute_score_batch

Data: ``reward_model.ground_truth`` is the answer (str or list of accepted answers) or the full
label (dict or JSON string ``{"image", "question", "references"}``, as OpenRLHF uses);
``extra_info`` carries what the label does not: ``image`` (a ``"sha256:..."`` digest, or a path
readable by the trainer process: its bytes are sent) and ``question``.

Configuration (environment, so it reaches Ray workers): ``SKETCHVL_REWARD_ADDRESS``
(host:port, default 127.0.0.1:50055), ``SKETCHVL_REWARD_TIMEOUT_S``, ``SKETCHVL_REWARD_RETRIES``,
``SKETCHVL_RUN_ID``, ``SKETCHVL_VERL_PROCESS_WEIGHT`` (default 0: ``score`` is the outcome reward;
w > 0 adds w * mean process score / 4), ``SKETCHVL_VERL_ON_FAILURE`` (``raise``, the default, or
``mask``), ``SKETCHVL_VERL_MASKED_SCORE`` (the score ``mask`` gives, default 0.0).

The result is a dict with the same keys on every sample (verl stacks them into
``reward_extra_info`` and averages the numeric ones per data source): see ``RESULT_KEYS``.

**When a sample could not be scored** (the mesh failed, it timed out, the call was refused), it
is never reported as an ordinary 0: ``mask_sample`` is 1.0 and ``failure_kind`` says why
("INFRASTRUCTURE", "TIMEOUT", "INVALID_INPUT"). ``score`` must still be a finite float: verl puts
it on the last response token and GRPO normalizes over the group, so a NaN would turn the
advantages of the whole group (and the loss) into NaN. What it is:

- ``compute_score_batch``: the mean score of the group's samples that were scored, so the masked
  sample's GRPO advantage is (about) 0: it teaches nothing either way. This is the exact way to
  mask in stock verl.
- ``compute_score`` (one sample, no view of its group) has no score that means "not scored":
  any number is read by GRPO as a real reward (0.0 as a wrong answer). So by default it
  **raises** — ``RewardServiceError`` when the call failed (the service down past the client's
  retries: raise ``SKETCHVL_REWARD_RETRIES`` / ``SKETCHVL_REWARD_TIMEOUT_S`` to ride out a
  restart), ``SampleNotScored`` when the service answered but could not score the sample — and
  the step fails loudly instead of training on a made-up reward. ``SKETCHVL_VERL_ON_FAILURE=mask``
  returns ``SKETCHVL_VERL_MASKED_SCORE`` (0.0) with ``mask_sample`` 1.0 instead.
- a call of the batch form or of ``score_group_for_verl`` that fails as a whole raises the same
  way (``mask`` fills the group with ``SKETCHVL_VERL_MASKED_SCORE``: all equal, GRPO advantage 0).

A response the policy wrote badly is not a failure of the service: ``failure_kind`` is "FORMAT",
``mask_sample`` 0, the outcome is graded as usual and the process keys are 0 (no process credit).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Optional, Sequence

# Absolute imports: verl loads `custom_reward_function.path` as a file, outside its package.
from sketchvl_mesh.client import RewardClient
from sketchvl_mesh.errors import RewardServiceError
from sketchvl_mesh.integrations._common import failure_kind_of_error, first_image, image_key, parse_label, run_parallel, shared_client
from sketchvl_mesh.types import GroupScore, ResponseScore

log = logging.getLogger("sketchvl_mesh.verl")

#: The keys of every compute_score result, always all present.
RESULT_KEYS = (
    "score",
    "outcome_reward",
    "process_mean",
    "process_min",
    "process_last",
    "num_steps",
    "num_format_errors",
    "coarse_advantage",
    "mask_sample",
    "failure_kind",
    "failure_reason",
    "pred",
)


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _group_inputs(ground_truth: Any, extra_info: Any) -> tuple[Any, str, list[str]]:
    label = parse_label(ground_truth)
    extra = extra_info if isinstance(extra_info, dict) else {}
    extra_label = parse_label({k: v for k, v in extra.items() if k in ("image", "image_digest", "image_path", "images", "question")})
    image = label.get("image", extra_label.get("image"))
    question = label.get("question", extra_label.get("question", ""))
    references = label.get("references") or []
    if image is None:
        raise ValueError(
            "sketchvl verl shim: no image reference: put 'image' (a sha256: digest or a path) in extra_info "
            "or in the ground-truth label"
        )
    if not references:
        raise ValueError("sketchvl verl shim: no reference answer in ground_truth")
    return first_image(image), question, references


def _client(client: Optional[RewardClient]) -> RewardClient:
    return client if client is not None else shared_client()


def _result(r: Optional[ResponseScore], *, masked_score: float, failure: Optional[tuple[str, str]] = None) -> dict:
    """The fixed-key dict for one sample. `r` None means the whole call failed (`failure`)."""
    if r is None or r.mask_sample:
        kind, reason = failure if failure else (r.failure_kind or "INFRASTRUCTURE", r.failure_reason)
        return {
            "score": float(masked_score),
            "outcome_reward": float(masked_score),
            "process_mean": 0.0,
            "process_min": 0.0,
            "process_last": 0.0,
            "num_steps": 0.0,
            "num_format_errors": 0.0,
            "coarse_advantage": 0.0,
            "mask_sample": 1.0,
            "failure_kind": kind,
            "failure_reason": reason,
            "pred": "",
        }
    weight = _env_float("SKETCHVL_VERL_PROCESS_WEIGHT", 0.0)
    score = r.outcome_reward + weight * (r.mean_process_score / 4.0)
    return {
        "score": float(score),
        "outcome_reward": float(r.outcome_reward),
        "process_mean": float(r.mean_process_score),
        "process_min": float(r.min_process_score),
        "process_last": float(r.last_process_score),
        "num_steps": float(len(r.steps)),
        "num_format_errors": float(len(r.format_errors)),
        "coarse_advantage": float(r.coarse_advantage),
        "mask_sample": 0.0,
        "failure_kind": r.failure_kind or "",
        "failure_reason": r.failure_reason,
        "pred": r.answer,
    }


class SampleNotScored(RuntimeError):
    """``compute_score``: the service answered, but could not score this sample (``failure_kind``
    INFRASTRUCTURE, TIMEOUT or INVALID_INPUT); raised rather than returning a made-up score."""

    def __init__(self, failure_kind: str, failure_reason: str) -> None:
        super().__init__(f"sketchvl reward: sample not scored ({failure_kind}): {failure_reason}")
        self.failure_kind = failure_kind
        self.failure_reason = failure_reason


def _on_failure() -> str:
    """``SKETCHVL_VERL_ON_FAILURE``: ``raise`` (default) or ``mask``."""
    policy = os.environ.get("SKETCHVL_VERL_ON_FAILURE", "raise").strip().lower() or "raise"
    if policy not in ("raise", "mask"):
        raise ValueError(f"SKETCHVL_VERL_ON_FAILURE must be 'raise' or 'mask', got {policy!r}")
    return policy


def _on_call_failure(err: RewardServiceError) -> tuple[str, str]:
    if _on_failure() == "raise":
        raise err
    log.warning("sketchvl reward call failed, samples masked: %s", err)
    return failure_kind_of_error(err), str(err)


def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any = None, **kwargs: Any) -> dict:
    """verl's per-sample reward function: the response is scored as a group of one (outcome,
    process scores); verl computes the group's advantages itself from ``score``."""
    image, question, references = _group_inputs(ground_truth, extra_info)
    extra = extra_info if isinstance(extra_info, dict) else {}
    masked_score = _env_float("SKETCHVL_VERL_MASKED_SCORE", 0.0)
    try:
        group = _client(kwargs.get("client")).score_group(
            image, question, references, [solution_str],
            run_id=str(extra.get("run_id") or os.environ.get("SKETCHVL_RUN_ID", "")),
        )
    except RewardServiceError as err:
        return _result(None, masked_score=masked_score, failure=_on_call_failure(err))
    r = group.responses[0]
    if r.mask_sample and _on_failure() == "raise":
        raise SampleNotScored(r.failure_kind or "INFRASTRUCTURE", r.failure_reason)
    return _result(r, masked_score=masked_score)


async def compute_score_async(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any = None, **kwargs: Any) -> dict:
    """``compute_score`` for verl's async reward loop (the blocking call runs on a thread)."""
    return await asyncio.to_thread(compute_score, data_source, solution_str, ground_truth, extra_info, **kwargs)


def _group_key(ground_truth: Any, extra_info: Any) -> tuple:
    image, question, references = _group_inputs(ground_truth, extra_info)
    return (image_key(image), question, tuple(references))


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Optional[Sequence[Any]] = None,
    **kwargs: Any,
) -> list[dict]:
    """verl's batch reward function (``reward_manager=batch``). Consecutive samples with the same
    image, question and references (verl repeats each prompt ``rollout.n`` times in a row) are
    scored as one group, groups in parallel (``SKETCHVL_VERL_MAX_WORKERS``, default 8). A masked
    sample's ``score`` is the mean score of its group's scored samples (GRPO advantage ≈ 0)."""
    n = len(solution_strs)
    extras = list(extra_infos) if extra_infos is not None else [None] * n
    keys = [_group_key(ground_truths[i], extras[i]) for i in range(n)]
    groups: list[list[int]] = []
    for i in range(n):
        if groups and keys[groups[-1][-1]] == keys[i]:
            groups[-1].append(i)
        else:
            groups.append([i])
    client = _client(kwargs.get("client"))
    results: list[Optional[dict]] = [None] * n

    def score(indices: list[int]) -> None:
        image, question, references = _group_inputs(ground_truths[indices[0]], extras[indices[0]])
        extra = extras[indices[0]] if isinstance(extras[indices[0]], dict) else {}
        try:
            group = client.score_group(
                image, question, references, [solution_strs[i] for i in indices],
                run_id=str(extra.get("run_id") or os.environ.get("SKETCHVL_RUN_ID", "")),
            )
            rows = [_result(r, masked_score=0.0) for r in group.responses]
        except RewardServiceError as err:
            failure = _on_call_failure(err)
            rows = [_result(None, masked_score=0.0, failure=failure) for _ in indices]
        scored = [row["score"] for row in rows if not row["mask_sample"]]
        fill = sum(scored) / len(scored) if scored else _env_float("SKETCHVL_VERL_MASKED_SCORE", 0.0)
        for i, row in zip(indices, rows):
            if row["mask_sample"]:
                row["score"] = row["outcome_reward"] = float(fill)
            results[i] = row

    run_parallel([lambda g=g: score(g) for g in groups], int(os.environ.get("SKETCHVL_VERL_MAX_WORKERS", "8")))
    return [r for r in results if r is not None]


def token_offsets_from_ids(tokenizer: Any, token_ids: Sequence[int], text: Optional[str] = None) -> list[int]:
    """Where each token of ``token_ids`` starts in its decoded text (code points), for the
    ``token_offsets`` the service needs to return token-level arrays. Exact for any tokenizer
    with ``decode`` (prefix decoding: O(n²) decode work, ~0.1-1 s for 2k tokens; pass offsets
    from your inference engine instead when it has them). ``text`` is the decoded response the
    service scores (default: ``tokenizer.decode(token_ids)``)."""
    ids = list(token_ids)
    full = text if text is not None else tokenizer.decode(ids)
    offsets: list[int] = []
    previous = 0
    for k in range(len(ids)):
        start = len(tokenizer.decode(ids[:k])) if k else 0
        # A prefix ending inside a multi-byte character decodes to U+FFFD; keep offsets monotone
        # and inside the text whatever the tokenizer does at such seams.
        start = min(max(start, previous), len(full))
        offsets.append(start)
        previous = start
    return offsets


def score_group_for_verl(
    solution_strs: Sequence[str],
    ground_truth: Any,
    extra_info: Any = None,
    *,
    token_offsets: Optional[Sequence[Sequence[int]]] = None,
    response_length: Optional[int] = None,
    image_token_spans: Optional[Sequence[Sequence[Any]]] = None,
    client: Optional[RewardClient] = None,
    run_id: Optional[str] = None,
    batch_index: int = 0,
    finepo: Any = None,
    outcome: Any = None,
    prm_model: str = "",
    request_id: Optional[str] = None,
) -> dict:
    """One prompt's group through FinePO, shaped for a custom verl reward manager / advantage
    estimator (see the README for the wiring).

    Args:
        solution_strs: the group's decoded responses (one prompt, ``rollout.n`` samples).
        ground_truth / extra_info: as for ``compute_score``.
        token_offsets: per response, where each response token starts in its text; with them the
            service returns token-level arrays (``token_offsets_from_ids`` derives them).
        response_length: pad / cut token arrays to this width (verl's ``responses.shape[-1]``).
        run_id / batch_index: the training run and global step, for FinePO's KL window.

    Returns a dict of:
        ``scores`` (n,) outcome rewards, a masked sample holding its group's mean;
        ``coarse_advantages`` (n,) A(y_i); ``mask_sample`` (n,) bool; ``failure_kind`` list[str];
        ``step_advantages`` / ``step_process_scores``: per response, per step;
        with token offsets: ``token_level_advantages``, ``token_level_scores`` (process score on
        each step's last token) and ``response_mask`` (loss mask; all 0 for masked samples), as
        float32 numpy arrays (n, response_length);
        ``group``: the full GroupScore.
    """
    import numpy as np

    image, question, references = _group_inputs(ground_truth, extra_info)
    client = _client(client)
    n = len(solution_strs)
    try:
        group: Optional[GroupScore] = client.score_group(
            image, question, references, list(solution_strs), token_offsets=token_offsets,
            image_token_spans=image_token_spans, request_id=request_id,
            run_id=run_id if run_id is not None else os.environ.get("SKETCHVL_RUN_ID", ""),
            batch_index=batch_index, finepo=finepo, outcome=outcome, prm_model=prm_model,
        )
        failure = None
    except RewardServiceError as err:
        group, failure = None, _on_call_failure(err)
    responses = list(group.responses) if group is not None else [None] * n
    masked = np.array([r is None or r.mask_sample for r in responses], dtype=bool)
    outcomes = np.array([0.0 if r is None else r.outcome_reward for r in responses], dtype=np.float32)
    fill = float(outcomes[~masked].mean()) if (~masked).any() else 0.0
    scores = np.where(masked, np.float32(fill), outcomes).astype(np.float32)
    out: dict[str, Any] = {
        "scores": scores,
        "coarse_advantages": np.array([0.0 if r is None else r.coarse_advantage for r in responses], dtype=np.float32),
        "mask_sample": masked,
        "failure_kind": [failure[0] if (r is None and failure) else (r.failure_kind or "") for r in responses],
        "step_advantages": [[] if r is None else r.step_advantages for r in responses],
        "step_process_scores": [[] if r is None else [s.process_score for s in r.steps] for r in responses],
        "group": group,
    }
    if token_offsets is not None:
        width = response_length if response_length is not None else max((len(o) for o in token_offsets), default=0)
        adv = np.zeros((n, width), dtype=np.float32)
        dense = np.zeros((n, width), dtype=np.float32)
        mask = np.zeros((n, width), dtype=np.float32)
        for i, r in enumerate(responses):
            if r is None or r.mask_sample:
                continue
            k = min(width, len(r.token_advantages))
            adv[i, :k] = r.token_advantages[:k]
            k = min(width, len(r.token_process_scores))
            dense[i, :k] = r.token_process_scores[:k]
            k = min(width, len(r.loss_mask))
            mask[i, :k] = np.asarray(r.loss_mask[:k], dtype=np.float32)
        out["token_level_advantages"] = adv * mask
        out["token_level_scores"] = dense
        out["response_mask"] = mask
    return out


__all__ = [
    "compute_score",
    "compute_score_async",
    "compute_score_batch",
    "score_group_for_verl",
    "token_offsets_from_ids",
    "RESULT_KEYS",
    "SampleNotScored",
]
