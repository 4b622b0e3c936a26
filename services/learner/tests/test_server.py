"""The learner as a process over real gRPC on loopback: every RPC, status codes, clean SIGTERM."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import grpc
import support
from sketchvl_mesh._gen.sketchvl.v1 import learner_pb2 as pb
from sketchvl_mesh._gen.sketchvl.v1 import learner_pb2_grpc

MAIN = os.path.join(support.LEARNER, "main.py")


def to_message(s):
    return pb.TrainSequence(
        tokens=s.tokens,
        image_index=s.image_index,
        images=s.images,
        completion_start=s.completion_start,
        old_logprobs=s.old_logprobs,
        advantages=s.advantages,
        loss_mask=s.loss_mask,
    )


def start_learner():
    proc = subprocess.Popen(
        [sys.executable, MAIN, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    line = proc.stdout.readline()
    m = re.fullmatch(r"learner listening on (127\.0\.0\.1:\d+)\n", line)
    if not m:
        proc.kill()
        raise AssertionError(f"unexpected first line {line!r}; stderr: {proc.stderr.read()}")
    return proc, m.group(1)


class Server(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="learner-server-")
        cls.proc, cls.address = start_learner()
        cls.channel = grpc.insecure_channel(cls.address)
        cls.stub = learner_pb2_grpc.LearnerServiceStub(cls.channel)
        cls.arch = pb.PolicyArchitecture(**support.TINY.to_json())
        cls.seqs = [to_message(s) for s in support.make_batch(support.TINY, seed=21, n=3)]

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        if cls.proc.poll() is None:
            cls.proc.kill()
            cls.proc.wait()
        cls.proc.stdout.close()
        cls.proc.stderr.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertStatus(self, code, call, request, field=None):
        with self.assertRaises(grpc.RpcError) as caught:
            call(request, timeout=30)
        self.assertEqual(caught.exception.code(), code, caught.exception.details())
        if field:
            self.assertIn(field, caught.exception.details())

    def test_1_before_init(self):
        self.assertStatus(grpc.StatusCode.FAILED_PRECONDITION, self.stub.TrainStep, pb.TrainStepRequest(sequences=self.seqs, loss=pb.LossConfig(objective=pb.OBJECTIVE_SFT)))
        self.assertStatus(grpc.StatusCode.FAILED_PRECONDITION, self.stub.ScoreSequences, pb.ScoreSequencesRequest(sequences=self.seqs))
        self.assertStatus(grpc.StatusCode.FAILED_PRECONDITION, self.stub.SaveCheckpoint, pb.SaveCheckpointRequest(path=os.path.join(self.tmp, "x.pt")))

    def test_2_round_trip(self):
        stub = self.stub
        init = stub.InitPolicy(pb.InitPolicyRequest(architecture=self.arch, optimizer=pb.OptimizerConfig(learning_rate=3e-3, grad_clip=1.0), seed=7, keep_reference=True, threads=1), timeout=30)
        self.assertGreater(init.parameters, 0)
        self.assertEqual(init.step, 0)

        first = stub.TrainStep(pb.TrainStepRequest(sequences=self.seqs, loss=pb.LossConfig(objective=pb.OBJECTIVE_SFT), micro_batch=2), timeout=60)
        second = stub.TrainStep(pb.TrainStepRequest(sequences=self.seqs, loss=pb.LossConfig(objective=pb.OBJECTIVE_SFT)), timeout=60)
        self.assertEqual((first.step, second.step), (1, 2))
        self.assertLess(second.loss, first.loss)
        self.assertGreater(first.tokens, 0)
        self.assertGreater(first.seconds, 0)

        score = stub.ScoreSequences(pb.ScoreSequencesRequest(sequences=self.seqs), timeout=30)
        self.assertEqual([len(s.logprobs) for s in score.sequences], [len(s.tokens) - s.completion_start for s in self.seqs])
        self.assertTrue(all(lp <= 0 for s in score.sequences for lp in s.logprobs))

        # PPO on the learner's own log-probs: ratio 1.
        ppo_seqs = []
        for s, sc in zip(self.seqs, score.sequences):
            m = pb.TrainSequence()
            m.CopyFrom(s)
            m.old_logprobs.extend(sc.logprobs)
            m.advantages.extend([0.5] * len(sc.logprobs))
            ppo_seqs.append(m)
        ppo = stub.TrainStep(pb.TrainStepRequest(sequences=ppo_seqs, loss=pb.LossConfig(objective=pb.OBJECTIVE_PPO_CLIP, kl_coef=0.1)), timeout=60)
        self.assertEqual(ppo.clip_fraction, 0.0)
        self.assertLess(abs(ppo.mean_logprob_shift), 1e-6)
        self.assertGreater(ppo.kl, 0.0)  # two SFT steps away from the reference
        self.assertEqual(ppo.step, 3)

        version = os.path.join(self.tmp, "repo", "sketchvl-policy", "1")
        exported = stub.ExportPolicy(pb.ExportPolicyRequest(directory=version, vocabulary_json='{"pieces":[]}'), timeout=60)
        self.assertEqual(exported.directory, version)
        self.assertTrue(os.path.isfile(os.path.join(version, "decoder.onnx")))
        self.assertStatus(grpc.StatusCode.ALREADY_EXISTS, stub.ExportPolicy, pb.ExportPolicyRequest(directory=version, vocabulary_json="{}"))

        path = os.path.join(self.tmp, "ckpt", "step3.pt")
        saved = stub.SaveCheckpoint(pb.SaveCheckpointRequest(path=path), timeout=30)
        self.assertEqual((saved.path, saved.step), (path, 3))
        before = stub.ScoreSequences(pb.ScoreSequencesRequest(sequences=self.seqs), timeout=30)
        stub.TrainStep(pb.TrainStepRequest(sequences=self.seqs, loss=pb.LossConfig(objective=pb.OBJECTIVE_SFT)), timeout=60)
        moved = stub.ScoreSequences(pb.ScoreSequencesRequest(sequences=self.seqs), timeout=30)
        self.assertNotEqual(list(moved.sequences[0].logprobs), list(before.sequences[0].logprobs))

        restored = stub.InitPolicy(pb.InitPolicyRequest(checkpoint=path, keep_reference=True, threads=1), timeout=30)
        self.assertEqual((restored.step, restored.parameters), (3, init.parameters))
        after = stub.ScoreSequences(pb.ScoreSequencesRequest(sequences=self.seqs), timeout=30)
        self.assertEqual(after, before)

    def test_3_bad_input(self):
        stub = self.stub
        stub.InitPolicy(pb.InitPolicyRequest(architecture=self.arch, seed=1), timeout=30)
        sft = pb.LossConfig(objective=pb.OBJECTIVE_SFT)

        def broken(edit):
            m = pb.TrainSequence()
            m.CopyFrom(self.seqs[1])
            edit(m)
            return [self.seqs[0], m]

        def drop_index(m):
            del m.image_index[-1]

        def short_image(m):
            m.images[0] = m.images[0][:-4]

        def big_token(m):
            m.tokens[2] = support.TINY.vocab_size

        def ppo_lengths(m):
            m.old_logprobs.extend([0.0])

        cases = [
            (drop_index, "sequences[1].image_index"),
            (short_image, "sequences[1].images[0]"),
            (big_token, "sequences[1].tokens"),
            (ppo_lengths, "sequences[1].old_logprobs"),
        ]
        for edit, field in cases:
            with self.subTest(field=field):
                self.assertStatus(grpc.StatusCode.INVALID_ARGUMENT, stub.TrainStep, pb.TrainStepRequest(sequences=broken(edit), loss=sft), field)
                self.assertStatus(grpc.StatusCode.INVALID_ARGUMENT, stub.ScoreSequences, pb.ScoreSequencesRequest(sequences=broken(edit)), field)
        self.assertStatus(grpc.StatusCode.INVALID_ARGUMENT, stub.TrainStep, pb.TrainStepRequest(sequences=self.seqs), "loss.objective")
        self.assertStatus(grpc.StatusCode.INVALID_ARGUMENT, stub.TrainStep, pb.TrainStepRequest(sequences=self.seqs, loss=pb.LossConfig(objective=pb.OBJECTIVE_PPO_CLIP)), "sequences[0].old_logprobs")
        self.assertStatus(grpc.StatusCode.FAILED_PRECONDITION, stub.TrainStep, pb.TrainStepRequest(sequences=self.seqs, loss=pb.LossConfig(objective=pb.OBJECTIVE_SFT, kl_coef=0.1)), "keep_reference")
        self.assertStatus(grpc.StatusCode.INVALID_ARGUMENT, stub.InitPolicy, pb.InitPolicyRequest(architecture=pb.PolicyArchitecture(vocab_size=40, d_model=30, heads=4)), "architecture")
        self.assertStatus(grpc.StatusCode.INVALID_ARGUMENT, stub.InitPolicy, pb.InitPolicyRequest(architecture=self.arch, optimizer=pb.OptimizerConfig(learning_rate=-1)), "optimizer.learning_rate")
        self.assertStatus(grpc.StatusCode.NOT_FOUND, stub.InitPolicy, pb.InitPolicyRequest(checkpoint=os.path.join(self.tmp, "missing.pt")), "checkpoint")
        self.assertStatus(grpc.StatusCode.INVALID_ARGUMENT, stub.ExportPolicy, pb.ExportPolicyRequest(directory="", vocabulary_json="{}"), "directory")
        self.assertStatus(grpc.StatusCode.INVALID_ARGUMENT, stub.SaveCheckpoint, pb.SaveCheckpointRequest(path=""), "path")
        # A failed InitPolicy leaves the previous policy in place.
        self.assertEqual(len(stub.ScoreSequences(pb.ScoreSequencesRequest(sequences=self.seqs), timeout=30).sequences), 3)

    def test_health_check(self):
        check = self.channel.unary_unary("/grpc.health.v1.Health/Check")
        self.assertEqual(check(b"", timeout=10), b"\x08\x01")  # SERVING
        name = b"sketchvl.v1.LearnerService"
        self.assertEqual(check(b"\x0a" + bytes([len(name)]) + name, timeout=10), b"\x08\x01")
        with self.assertRaises(grpc.RpcError) as caught:
            check(b"\x0a\x03foo", timeout=10)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_4_sigterm_exits_cleanly(self):
        proc, _ = start_learner()
        try:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=20), 0)
            self.assertEqual(proc.stdout.read(), "")  # exactly one stdout line
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()


if __name__ == "__main__":
    unittest.main()
