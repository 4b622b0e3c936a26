"""Shared test helpers: import paths, one thread, and small synthetic datasets in the folder format
packages/prm-model/src/dataset.ts writes (the real encoder's output is tested from TypeScript:
src/pythonTrain.test.ts)."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.dirname(HERE)
PACKAGE = os.path.dirname(TRAIN)
REPO = os.path.dirname(os.path.dirname(PACKAGE))
if TRAIN not in sys.path:
    sys.path.insert(0, TRAIN)

import numpy as np  # noqa: E402

from threads import set_threads  # noqa: E402

set_threads(1)

# The real per-step shapes (features.ts INPUTS).
SHAPES = {"local": (5, 32, 32), "context": (5, 16, 16), "ends": (10, 16, 16), "meta": (108,)}


def write_dataset(folder: str, n: int, seed: int) -> None:
    """n rows whose label shows in the inputs: meta carries a noisy one-hot of it and the local
    window a bright square in a label-dependent corner."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    labels = rng.integers(0, 4, size=n).astype(np.uint8)
    arrays = {name: rng.random((n, *shape), dtype=np.float32) * 0.5 for name, shape in SHAPES.items()}
    for i, y in enumerate(labels):
        arrays["meta"][i, y] += 0.5
        r, c = divmod(int(y), 2)
        arrays["local"][i, 0, 16 * r : 16 * r + 16, 16 * c : 16 * c + 16] += 0.5
    for name, a in arrays.items():
        np.save(os.path.join(folder, f"{name}.npy"), a)
    np.save(os.path.join(folder, "labels.npy"), labels)
    with open(os.path.join(folder, "info.json"), "w", encoding="utf8") as f:
        json.dump({"features": "synthetic", "split": "train", "samples": n, "copies": 1, "count": n, "charts": 0, "noise": ["none"] * n}, f)
