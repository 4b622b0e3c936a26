"""The training loop: it learns, it is deterministic for a seed, the schedule and the weight decay
are the documented ones."""

import math
import os
import tempfile
import unittest

import numpy as np
import support
import torch
import torch.nn.functional as F

from data import Concatenated, EncodedDataset
from model import Architecture, FinePRM, initialize
from train import TrainOptions, lr_at, optimizer_for, predict, train

SMALL = {"channels": [4, 8], "hidden": [16]}


def fresh(seed: int, data: EncodedDataset) -> FinePRM:
    torch.manual_seed(seed)
    model = FinePRM(Architecture.for_shapes(data.shapes(), **SMALL))
    initialize(model)
    return model


def mean_loss(model, data) -> float:
    p = torch.from_numpy(predict(model, data))
    return float(F.nll_loss(torch.log(p), torch.from_numpy(data.labels)))


class TrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.use_deterministic_algorithms(True)
        cls.tmp = tempfile.TemporaryDirectory()
        support.write_dataset(os.path.join(cls.tmp.name, "train"), 48, seed=1)
        support.write_dataset(os.path.join(cls.tmp.name, "extra"), 10, seed=2)
        cls.data = EncodedDataset(os.path.join(cls.tmp.name, "train"))
        cls.extra = EncodedDataset(os.path.join(cls.tmp.name, "extra"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_a_few_steps_on_a_few_samples_reduce_the_loss(self):
        model = fresh(3, self.data)
        before = mean_loss(model, self.data)
        opts = TrainOptions(seed=3, epochs=8, batch_size=16, lr=3e-3, warmup_steps=1, log_per_epoch=0)
        history = train(model, self.data, opts)
        after = mean_loss(model, self.data)
        self.assertEqual([h["epoch"] for h in history], list(range(1, 9)))
        self.assertLess(after, 0.9 * before, f"loss {before:.4f} -> {after:.4f}")
        self.assertLess(history[-1]["loss"], history[0]["loss"])

    def test_same_seed_same_weights_other_seed_other_weights(self):
        opts = TrainOptions(seed=5, epochs=2, batch_size=16, log_per_epoch=0)
        runs = []
        for seed in (5, 5, 6):
            model = fresh(seed, self.data)
            train(model, self.data, TrainOptions(**{**opts.__dict__, "seed": seed}))
            runs.append(model.state_dict())
        for name in runs[0]:
            self.assertTrue(torch.equal(runs[0][name], runs[1][name]), name)
        self.assertFalse(all(torch.equal(runs[0][k], runs[2][k]) for k in runs[0]))

    def test_schedule_warms_up_then_decays_to_zero(self):
        opts = TrainOptions(lr=2e-3, warmup_steps=200)
        total = 10 * 100
        self.assertAlmostEqual(lr_at(1, opts, 100, total), 2e-3 / 100 * 0.5 * (1 + math.cos(math.pi / total)))
        self.assertAlmostEqual(lr_at(100, opts, 100, total), 2e-3 * 0.5 * (1 + math.cos(math.pi * 100 / total)))
        self.assertAlmostEqual(lr_at(total // 2, opts, 100, total), 1e-3)
        self.assertAlmostEqual(lr_at(total, opts, 100, total), 0.0)

    def test_weight_decay_on_weights_not_biases(self):
        model = fresh(1, self.data)
        groups = optimizer_for(model, TrainOptions(weight_decay=1e-4)).param_groups
        self.assertEqual([g["weight_decay"] for g in groups], [1e-4, 0.0])
        self.assertTrue(all(p.dim() > 1 for p in groups[0]["params"]))
        self.assertTrue(all(p.dim() == 1 for p in groups[1]["params"]))
        self.assertEqual(sum(p.numel() for g in groups for p in g["params"]), sum(p.numel() for p in model.parameters()))

    def test_batches_read_the_right_rows(self):
        rows = np.array([5, 0, 47])
        xs, y = self.data.batch(rows)
        self.assertEqual([tuple(x.shape) for x in xs], [(3, 5, 32, 32), (3, 5, 16, 16), (3, 10, 16, 16), (3, 108)])
        self.assertTrue(torch.equal(xs[3][1], torch.from_numpy(np.array(self.data.inputs["meta"][0]))))
        self.assertEqual(y.tolist(), self.data.labels[rows].tolist())

    def test_concatenated_folders_are_one_dataset(self):
        both = Concatenated([self.data, self.extra])
        self.assertEqual(len(both), 58)
        rows = np.array([50, 3, 47, 48, 57, 0])
        xs, y = both.batch(rows)
        for i, r in enumerate(rows):
            part, local = (self.data, r) if r < 48 else (self.extra, r - 48)
            self.assertEqual(int(y[i]), int(part.labels[local]))
            for x, name in zip(xs, ("local", "context", "ends", "meta")):
                self.assertTrue(torch.equal(x[i], torch.from_numpy(np.array(part.inputs[name][local]))), f"row {r} {name}")


if __name__ == "__main__":
    unittest.main()
