"""Shared test helpers: import paths and small seeded sequences (tiny architectures keep the
whole suite well under a minute on 2 cores)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LEARNER = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(LEARNER))
for path in (LEARNER, os.path.join(REPO, "clients", "python")):
    if path not in sys.path:
        sys.path.insert(0, path)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from batch import Sequence, image_index_for  # noqa: E402
from model import BOS, EOS, EOT, IMAGE, SPECIAL_TOKENS, Architecture  # noqa: E402

# One thread: tiny models gain nothing from two, and OpenMP threads spin badly on a busy machine.
from threads import set_threads  # noqa: E402

set_threads(1)

TINY = Architecture(vocab_size=40, image_size=32, d_model=32, layers=2, heads=4, max_positions=96)


def make_sequence(arch: Architecture, rng: np.random.Generator, prompt: int, turns: list[int], ppo: bool = False) -> Sequence:
    """[<bos>, prompt words] then turns (words, <eot>, <image>) ... last turn ends in <eos>."""
    words = lambda n: [int(t) for t in rng.integers(SPECIAL_TOKENS, arch.vocab_size, size=n)]  # noqa: E731
    tokens = [BOS] + words(prompt)
    start = len(tokens)
    for i, n in enumerate(turns):
        tokens += words(n) + ([EOT, IMAGE] if i < len(turns) - 1 else [EOS])
    index = image_index_for(tokens)
    images = [rng.random((3, arch.image_size, arch.image_size), dtype=np.float32).tobytes() for _ in range(max(index) + 1)]
    c = len(tokens) - start
    seq = Sequence(tokens=tokens, image_index=index, images=images, completion_start=start)
    if ppo:
        seq.old_logprobs = [float(x) for x in -rng.random(c) * 3]
        seq.advantages = [float(x) for x in rng.normal(size=c)]
        seq.loss_mask = [t != IMAGE for t in tokens[start:]]
    return seq


def make_batch(arch: Architecture, seed: int, n: int = 4, ppo: bool = False) -> list[Sequence]:
    rng = np.random.default_rng(seed)
    shapes = [(5, [6, 4]), (3, [8]), (7, [3, 5, 2]), (4, [2, 2, 2, 2])]
    return [make_sequence(arch, rng, *shapes[i % len(shapes)], ppo=ppo) for i in range(n)]
