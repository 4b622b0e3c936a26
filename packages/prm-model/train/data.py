"""Encoded datasets as packages/prm-model/src/dataset.ts writes them: a folder of .npy files
(local, context, ends, meta float32 rows; labels uint8) plus info.json. The inputs are
memory-mapped, so a 6.5 GB training set costs page cache, not process memory.
"""

from __future__ import annotations

import json
import os

import numpy as np
import torch

from model import INPUT_NAMES


class EncodedDataset:
    """One dataset folder."""

    def __init__(self, folder: str):
        self.folder = folder
        with open(os.path.join(folder, "info.json"), encoding="utf8") as f:
            self.info = json.load(f)
        self.inputs = {name: np.load(os.path.join(folder, f"{name}.npy"), mmap_mode="r") for name in INPUT_NAMES}
        self.labels = np.load(os.path.join(folder, "labels.npy")).astype(np.int64)
        n = len(self.labels)
        for name, a in self.inputs.items():
            if a.dtype != np.float32 or a.shape[0] != n:
                raise ValueError(f"{folder}/{name}.npy: {a.dtype} {a.shape}, expected float32 with {n} rows")

    def __len__(self) -> int:
        return len(self.labels)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Per-step input shapes (without the row dimension)."""
        return {name: tuple(a.shape[1:]) for name, a in self.inputs.items()}

    def batch(self, rows: np.ndarray) -> tuple[list[torch.Tensor], torch.Tensor]:
        """The inputs (in INPUT_NAMES order) and labels of `rows`, in that order."""
        xs = [torch.from_numpy(np.ascontiguousarray(self.inputs[name][rows])) for name in INPUT_NAMES]
        return xs, torch.from_numpy(self.labels[rows])

    def slices(self, size: int):
        """Consecutive batches of rows 0..n-1."""
        for start in range(0, len(self), size):
            yield np.arange(start, min(len(self), start + size))


class Concatenated:
    """Several folders as one dataset: the rows of the first, then of the second, ..."""

    def __init__(self, parts: list[EncodedDataset]):
        if not parts:
            raise ValueError("no datasets")
        shapes = parts[0].shapes()
        for p in parts[1:]:
            if p.shapes() != shapes:
                raise ValueError(f"{p.folder}: shapes {p.shapes()} differ from {parts[0].folder}'s {shapes}")
        self.parts = parts
        self.starts = np.cumsum([0] + [len(p) for p in parts])
        self.labels = np.concatenate([p.labels for p in parts])

    def __len__(self) -> int:
        return int(self.starts[-1])

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return self.parts[0].shapes()

    def batch(self, rows: np.ndarray) -> tuple[list[torch.Tensor], torch.Tensor]:
        if len(self.parts) == 1:
            return self.parts[0].batch(rows)
        part = np.searchsorted(self.starts, rows, side="right") - 1
        shapes = self.shapes()
        out = [np.empty((len(rows), *shapes[name]), dtype=np.float32) for name in INPUT_NAMES]
        for k, p in enumerate(self.parts):
            at = np.nonzero(part == k)[0]
            if len(at) == 0:
                continue
            local = rows[at] - self.starts[k]
            for name, o in zip(INPUT_NAMES, out):
                o[at] = p.inputs[name][local]
        return [torch.from_numpy(o) for o in out], torch.from_numpy(self.labels[rows])

    def slices(self, size: int):
        for start in range(0, len(self), size):
            yield np.arange(start, min(len(self), start + size))
