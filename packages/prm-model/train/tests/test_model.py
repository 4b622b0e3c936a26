"""The network: size, shapes, and what the exported graph computes (softmax rows)."""

import unittest

import support
import torch

from model import Architecture, FinePRM, Probabilities, initialize, parameter_count


class ModelTest(unittest.TestCase):
    def test_default_architecture_is_the_shipped_size(self):
        arch = Architecture.for_shapes(support.SHAPES)
        model = FinePRM(arch)
        self.assertEqual(parameter_count(model), 131_660)
        self.assertEqual(arch.macs_per_step(), 1_642_496)
        self.assertEqual(arch.head_in(), 512 + 128 + 128 + 108)
        self.assertEqual(arch.to_json()["towers"][2], {"input": "ends", "inChannels": 10, "size": 16, "channels": [8, 16, 32]})

    def test_forward_shapes_and_probabilities(self):
        torch.manual_seed(0)
        model = FinePRM(Architecture.for_shapes(support.SHAPES, channels=[4, 8], hidden=[16]))
        initialize(model)
        xs = [torch.rand(3, *support.SHAPES[name]) for name in ("local", "context", "ends", "meta")]
        self.assertEqual(tuple(model(*xs).shape), (3, 4))
        p = Probabilities(model)(*xs)
        self.assertTrue(torch.allclose(p.sum(dim=1), torch.ones(3)))

    def test_initialization_is_seeded_he_normal_with_zero_biases(self):
        def build(seed):
            torch.manual_seed(seed)
            m = FinePRM(Architecture.for_shapes(support.SHAPES))
            initialize(m)
            return m

        a, b, c = build(1), build(1), build(2)
        for (name, pa), pb, pc in zip(a.named_parameters(), b.parameters(), c.parameters()):
            self.assertTrue(torch.equal(pa, pb), name)
            if name.endswith("bias"):
                self.assertEqual(float(pa.abs().sum()), 0.0, name)
            else:
                self.assertFalse(torch.equal(pa, pc), name)
        w = a.towers["local"].blocks[0].weight
        self.assertAlmostEqual(float(w.std()), (2 / 45) ** 0.5, delta=0.03)

    def test_pool_then_relu_is_relu_then_pool(self):
        x = torch.randn(4, 8, 16, 16)
        a = torch.relu(torch.nn.functional.max_pool2d(x, 2))
        b = torch.nn.functional.max_pool2d(torch.relu(x), 2)
        self.assertTrue(torch.equal(a, b))


if __name__ == "__main__":
    unittest.main()
