"""TRL shim: reward functions for ``GRPOTrainer``.

    from sketchvl_mesh.integrations.trl import make_reward_func

    reward_func = make_reward_func(num_generations=8)          # outcome reward, 1 or 0
    trainer = GRPOTrainer(model=..., reward_funcs=[reward_func], args=GRPOConfig(num_generations=8), ...)

TRL calls ``reward_func(prompts, completions, completion_ids, **kwargs)`` with the dataset's
columns in ``kwargs`` (one value per completion). GRPOTrainer repeats every prompt
``num_generations`` times in a row, so consecutive completions of the same prompt (same image and
answer) form a group: each group is one ``ScoreGroup`` call, groups run in parallel. A process
shard may see only part of a group; that part is scored as a group of its own, which changes
nothing for the outcome and process scores returned here.

Columns read (names configurable): ``image`` (or ``images``: a ``"sha256:..."`` digest, a path,
bytes, a PIL image or ``{"bytes"|"path": ...}``), ``answer`` (str or list of accepted answers,
or a full label ``{"image", "question", "references"}`` / its JSON string), optionally
``question`` (default: the prompt's text).

A sample the service could not score (``mask_sample``), or a group whose call failed, gets
``None``: TRL's "no reward for this sample", never 0. (TRL sums the reward functions with
``nansum``; a sample for which every function returns None ends up with reward 0 and TRL warns,
so pair this with another reward function if you need a fallback.)
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Optional, Sequence

# Absolute imports, so the module also works when a framework loads it from its file path.
from sketchvl_mesh.client import RewardClient
from sketchvl_mesh.errors import RewardServiceError
from sketchvl_mesh.integrations._common import first_image, image_key, parse_label, run_parallel, shared_client
from sketchvl_mesh.types import GroupScore, ResponseScore

log = logging.getLogger("sketchvl_mesh.trl")

#: What a reward function returns per sample.
REWARD_KINDS: dict[str, Callable[[ResponseScore], float]] = {
    # R(y): 1 / 0 for relaxed accuracy and exact match; RewardMap's weighted sum otherwise.
    "outcome": lambda r: r.outcome_reward,
    # Mean / min / last process score over the scored steps, on 0..1 (FinePRM 1..4 divided by 4;
    # 0 for a response with no parseable step: no process credit).
    "process": lambda r: r.mean_process_score / 4.0,
    "process_min": lambda r: r.min_process_score / 4.0,
    "process_last": lambda r: r.last_process_score / 4.0,
}


def text_of(value: Any) -> str:
    """A prompt or completion as text: TRL passes str (standard datasets) or a list of chat
    messages ``[{"role", "content": str | [{"type": "text", "text": ...}, ...]}]`` (conversational)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        content = value.get("content", "")
        if isinstance(content, str):
            return content
        return "".join(part.get("text", "") for part in content if isinstance(part, dict) and part.get("type", "text") == "text")
    if isinstance(value, (list, tuple)):
        return "".join(text_of(m) for m in value)
    return str(value)


def question_of(prompt: Any) -> str:
    """The question of a prompt: the last user message's text for chats, else the prompt."""
    if isinstance(prompt, (list, tuple)):
        users = [m for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        if users:
            return text_of(users[-1]).replace("<image>", "").strip()
    return text_of(prompt).replace("<image>", "").strip()


class _SharedScorer:
    """Scores a batch once even when several reward functions (outcome, process, ...) ask for it:
    TRL calls each function with the same batch, one after another."""

    def __init__(self, client: Optional[RewardClient], options: dict[str, Any]) -> None:
        self._client = client
        self.options = options
        self._lock = threading.Lock()
        self._last_key: Optional[tuple] = None
        self._last: Optional[list[Optional[ResponseScore]]] = None

    def client(self) -> RewardClient:
        return self._client if self._client is not None else shared_client()

    def score(self, prompts: Sequence[Any], completions: Sequence[Any], kwargs: dict[str, Any]) -> list[Optional[ResponseScore]]:
        o = self.options
        n = len(completions)
        texts = [text_of(c) for c in completions]
        images, questions, references = [], [], []
        for i in range(n):
            label = parse_label(_column(kwargs, o["answer_column"], i))
            image = _column(kwargs, o["image_column"], i)
            if image is None:
                image = _column(kwargs, "images", i) if o["image_column"] == "image" else None
            image = first_image(image) if image is not None else label.get("image")
            if image is None:
                raise ValueError(f"sketchvl TRL reward: no image for sample {i}: add a '{o['image_column']}' column (digest, path, bytes or PIL image)")
            refs = label.get("references")
            if not refs:
                raise ValueError(f"sketchvl TRL reward: no answer for sample {i}: add a '{o['answer_column']}' column")
            q = _column(kwargs, o["question_column"], i)
            images.append(image)
            questions.append(str(q) if q is not None else label.get("question") or question_of(prompts[i]))
            references.append(refs)
        prompt_texts = [text_of(p) for p in prompts]
        image_keys = [image_key(im) for im in images]
        key = (tuple(prompt_texts), tuple(texts), tuple(image_keys), tuple(questions), tuple(tuple(r) for r in references))
        with self._lock:
            if key == self._last_key and self._last is not None:
                return self._last

        # Consecutive completions of one prompt form a group (at most num_generations of them).
        groups: list[list[int]] = []
        limit = o["num_generations"] or n or 1
        for i in range(n):
            same = groups and len(groups[-1]) < limit and all(
                x[groups[-1][0]] == x[i] for x in (prompt_texts, image_keys, questions, references)
            )
            if same:
                groups[-1].append(i)
            else:
                groups.append([i])

        results: list[Optional[ResponseScore]] = [None] * n
        client = self.client()

        def score_one(indices: list[int]) -> None:
            first = indices[0]
            try:
                group: GroupScore = client.score_group(
                    images[first], questions[first], references[first], [texts[i] for i in indices],
                    run_id=o["run_id"], finepo=o["finepo"], outcome=o["outcome"], prm_model=o["prm_model"],
                )
            except RewardServiceError as err:
                if o["raise_on_error"]:
                    raise
                log.warning("sketchvl reward: a group of %d completions was not scored (rewards None): %s", len(indices), err)
                return
            for i, r in zip(indices, group.responses):
                results[i] = r

        run_parallel([lambda g=g: score_one(g) for g in groups], o["max_workers"])
        with self._lock:
            self._last_key, self._last = key, results
        return results


def _column(kwargs: dict[str, Any], name: Optional[str], i: int) -> Any:
    """Sample i's value of a dataset column (TRL passes one list entry per completion)."""
    if not name or kwargs.get(name) is None:
        return None
    values = kwargs[name]
    if isinstance(values, (list, tuple)) or (hasattr(values, "tolist") and getattr(values, "ndim", 0) > 0):
        return values[i]
    return values


def make_reward_funcs(
    kinds: Sequence[str] = ("outcome", "process"),
    *,
    client: Optional[RewardClient] = None,
    num_generations: Optional[int] = None,
    image_column: str = "image",
    answer_column: str = "answer",
    question_column: Optional[str] = "question",
    run_id: str = "",
    finepo: Any = None,
    outcome: Any = None,
    prm_model: str = "",
    max_workers: int = 8,
    raise_on_error: bool = False,
) -> list[Callable[..., list[Optional[float]]]]:
    """Several reward functions over one service call per batch, e.g. the outcome and the mean
    process score as two TRL rewards (weighted by ``GRPOConfig.reward_weights``, logged apart)."""
    for kind in kinds:
        if kind not in REWARD_KINDS:
            raise ValueError(f"unknown reward kind {kind!r} (one of {', '.join(REWARD_KINDS)})")
    scorer = _SharedScorer(
        client,
        dict(
            num_generations=num_generations, image_column=image_column, answer_column=answer_column,
            question_column=question_column, run_id=run_id, finepo=finepo, outcome=outcome,
            prm_model=prm_model, max_workers=max_workers, raise_on_error=raise_on_error,
        ),
    )

    def make(kind: str) -> Callable[..., list[Optional[float]]]:
        pick = REWARD_KINDS[kind]

        def reward_func(prompts: Sequence[Any], completions: Sequence[Any], completion_ids: Any = None, **kwargs: Any) -> list[Optional[float]]:
            scored = scorer.score(prompts, completions, kwargs)
            return [None if r is None or r.mask_sample else float(pick(r)) for r in scored]

        reward_func.__name__ = f"sketchvl_{kind}"  # TRL logs rewards/<name>
        reward_func.__qualname__ = reward_func.__name__
        return reward_func

    return [make(kind) for kind in kinds]


def make_reward_func(reward: str = "outcome", **options: Any) -> Callable[..., list[Optional[float]]]:
    """A TRL GRPOTrainer reward function:
    ``reward_func(prompts, completions, completion_ids=None, **kwargs) -> list[float | None]``.

    Args:
        reward: "outcome" (default), "process", "process_min" or "process_last" (see REWARD_KINDS).
        client: a RewardClient (default: one per process from SKETCHVL_REWARD_ADDRESS).
        num_generations: GRPOConfig.num_generations: the most completions in one group.
        image_column / answer_column / question_column: dataset columns to read.
        run_id / finepo / outcome / prm_model: passed to every ScoreGroup call.
        max_workers: groups scored concurrently.
        raise_on_error: raise RewardServiceError when a group's call fails, instead of None.
    """
    return make_reward_funcs((reward,), **options)[0]


__all__ = ["make_reward_func", "make_reward_funcs", "REWARD_KINDS", "text_of", "question_of"]
