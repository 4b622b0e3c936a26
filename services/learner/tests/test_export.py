"""Export: the files, onnx.checker, check.json = PyTorch, and an ONNX Runtime replay from P = 0."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np
import onnx
import support

from batch import Sequence
from errors import AlreadyExists, InvalidArgument
from export import export_policy
from learner import Learner, OptimizerConfig
from losses import SFT, LossConfig

NODE = shutil.which("node")
ORT = os.path.join(support.REPO, "node_modules", "onnxruntime-node")


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="learner-export-")
        cls.learner = Learner()
        cls.learner.init_policy(support.TINY.to_json(), OptimizerConfig(learning_rate=1e-2), seed=2, threads=1)
        seqs = support.make_batch(support.TINY, seed=3, n=3)
        for _ in range(3):  # trained weights, not just the init
            cls.learner.train_step(seqs, LossConfig(objective=SFT))
        cls.vocab = '{"pieces": ["a", "b"], "note": "verbatim \\u00e9"}'
        cls.dir = os.path.join(cls.tmp, "repo", "sketchvl-policy", "1")
        cls.seconds = cls.learner.export(cls.dir, cls.vocab, '{"defaults": {"maxTurns": 4}, "name": "t"}')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_files(self):
        self.assertEqual(sorted(os.listdir(self.dir)), ["check.json", "config.json", "decoder.onnx", "encoder.onnx", "vocab.json"])
        self.assertEqual(os.listdir(os.path.dirname(self.dir)), ["1"])  # the temporary folder is gone
        with open(os.path.join(self.dir, "vocab.json")) as f:
            self.assertEqual(f.read(), self.vocab)
        with open(os.path.join(self.dir, "config.json")) as f:
            config = json.load(f)
        self.assertEqual(config["backend"], "onnx")
        self.assertEqual(config["architecture"], support.TINY.to_json())
        self.assertEqual(config["defaults"], {"maxTurns": 4, "maxTokensPerTurn": 48})
        self.assertEqual(config["name"], "t")

    def test_onnx_checker_and_signature(self):
        a = support.TINY
        for name, inputs, outputs in (
            ("encoder.onnx", ["image"], ["cross_kv"]),
            ("decoder.onnx", ["token", "position", "attention_mask", "past_kv", "cross_kv"], ["logprobs", "present_kv"]),
        ):
            path = os.path.join(self.dir, name)
            onnx.checker.check_model(path)
            model = onnx.load(path)
            self.assertEqual(model.opset_import[0].version, 14)
            self.assertEqual([i.name for i in model.graph.input], inputs)
            self.assertEqual([o.name for o in model.graph.output], outputs)
        dec = onnx.load(os.path.join(self.dir, "decoder.onnx"))
        past = [d.dim_param or d.dim_value for d in dec.graph.input[3].type.tensor_type.shape.dim]
        self.assertEqual(past, [a.layers, 2, "batch", a.heads, "past", a.d_head])

    def test_check_json_is_pytorch(self):
        with open(os.path.join(self.dir, "check.json")) as f:
            check = json.load(f)["sequences"]
        self.assertGreaterEqual(len(check), 2)
        S = support.TINY.image_size
        seqs = [
            Sequence(
                tokens=c["tokens"],
                image_index=c["image_index"],
                images=[base64.b64decode(i) for i in c["images"]],
                completion_start=c["completion_start"],
            )
            for c in check
        ]
        self.assertTrue(all(len(i) == 3 * S * S * 4 for s in seqs for i in s.images))
        self.assertTrue(any(len(s.images) > 1 for s in seqs))
        for c, mine in zip(check, self.learner.score(seqs)):
            self.assertEqual(len(c["logprobs"]), len(c["tokens"]) - c["completion_start"])
            np.testing.assert_allclose(c["logprobs"], mine, atol=1e-6)

    @unittest.skipUnless(NODE and os.path.isdir(ORT), "needs node and onnxruntime-node (npm install at the repo root)")
    def test_onnx_runtime_replay_from_empty_cache(self):
        script = os.path.join(support.HERE, "ortReplay.mjs")
        out = subprocess.run([NODE, script, self.dir], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        result = json.loads(out.stdout)
        self.assertLess(result["single"], 1e-4)  # the policy service refuses > 1e-3
        self.assertLess(result["batched"], 1e-4)

    def test_existing_folder_is_refused(self):
        with self.assertRaises(AlreadyExists):
            self.learner.export(self.dir, self.vocab)
        with self.assertRaisesRegex(InvalidArgument, "vocabulary_json"):
            self.learner.export(os.path.join(self.tmp, "repo", "m", "2"), "not json")
        with self.assertRaisesRegex(InvalidArgument, "config_json"):
            self.learner.export(os.path.join(self.tmp, "repo", "m", "2"), "{}", "[1]")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "repo", "m", "2")))

    def test_export_is_fast(self):
        self.assertLess(self.seconds, 30)


class ExportFunction(unittest.TestCase):
    def test_random_policy_export(self):
        from model import Policy

        with tempfile.TemporaryDirectory() as tmp:
            d = os.path.join(tmp, "v")
            export_policy(Policy.create(support.TINY, 0), d, '{"pieces":[]}')
            self.assertTrue(os.path.isfile(os.path.join(d, "decoder.onnx")))


if __name__ == "__main__":
    unittest.main()
