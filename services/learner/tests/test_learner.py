"""Losses and the learner's operations (no gRPC): SFT, PPO-clip, KL, micro-batching, checkpoints."""

import math
import os
import tempfile
import unittest
from dataclasses import replace

import support
import torch

from errors import FailedPrecondition, InvalidArgument, NotFound
from learner import Learner, OptimizerConfig
from losses import PPO_CLIP, SFT, LossConfig, token_loss
from model import IMAGE

ARCH = {k: v for k, v in support.TINY.to_json().items()}


def fresh(seed=1, lr=3e-3, keep_reference=False, grad_clip=0.0):
    learner = Learner()
    learner.init_policy(ARCH, OptimizerConfig(learning_rate=lr, grad_clip=grad_clip), seed=seed, keep_reference=keep_reference, threads=1)
    return learner


def with_old_logprobs(learner, seqs):
    """PPO inputs whose old_logprobs are the current policy's own log-probs."""
    scores = learner.score(seqs)
    return [replace(s, old_logprobs=sc) for s, sc in zip(seqs, scores)]


class Losses(unittest.TestCase):
    def test_clip_fraction_counts_only_binding_clips(self):
        cfg = LossConfig(objective=PPO_CLIP, clip_low=0.2, clip_high=0.28)
        old = torch.zeros(4)
        # ratios 1.5 (A>0: clipped), 1.5 (A<0: not), 0.5 (A<0: clipped), 0.5 (A>0: not)
        logp = torch.log(torch.tensor([1.5, 1.5, 0.5, 0.5]))
        adv = torch.tensor([1.0, -1.0, -1.0, 1.0])
        logp_all = torch.log_softmax(torch.zeros(4, 8), dim=-1)
        loss, sums = token_loss(cfg, logp, logp_all, old, adv, torch.ones(4, dtype=torch.bool), 4)
        self.assertEqual(sums.clipped, 2.0)
        # per-token: -1.28, +1.5, +0.8, -0.5 -> mean 0.13
        self.assertAlmostEqual(float(loss), (-1.28 + 1.5 + 0.8 - 0.5) / 4, places=5)

    def test_extreme_old_logprobs_stay_finite(self):
        cfg = LossConfig(objective=PPO_CLIP)
        logp = torch.tensor([-1.0, -1.0], requires_grad=True)
        logp_all = torch.log_softmax(torch.zeros(2, 8), dim=-1)
        # Token 1 is masked with a placeholder old log-prob far below anything real.
        loss, sums = token_loss(cfg, logp, logp_all, torch.tensor([-1.0, -1e6]), torch.tensor([1.0, -1.0]), torch.tensor([True, False]), 1)
        loss.backward()
        self.assertTrue(torch.isfinite(loss) and torch.isfinite(logp.grad).all())
        self.assertAlmostEqual(float(loss), -1.0, places=6)

    def test_masked_tokens_contribute_nothing(self):
        cfg = LossConfig(objective=SFT)
        logp = torch.tensor([-1.0, -2.0, -100.0])
        logp_all = torch.log_softmax(torch.zeros(3, 8), dim=-1)
        loss, sums = token_loss(cfg, logp, logp_all, torch.zeros(3), torch.zeros(3), torch.tensor([True, True, False]), 2)
        self.assertAlmostEqual(float(loss), 1.5, places=6)
        self.assertEqual(sums.tokens, 2)


class Training(unittest.TestCase):
    def test_sft_loss_goes_down(self):
        learner = fresh()
        seqs = support.make_batch(support.TINY, seed=4, n=4)
        losses = [learner.train_step(seqs, LossConfig(objective=SFT)).loss for _ in range(30)]
        self.assertLess(losses[-1], 0.5 * losses[0], losses)
        self.assertEqual(learner.step, 30)

    def test_sft_loss_is_token_mean_of_masked_completion(self):
        learner = fresh()
        seqs = support.make_batch(support.TINY, seed=4, n=3)
        scores = learner.score(seqs)
        expected = [-lp for s, sc in zip(seqs, scores) for t, lp in zip(s.tokens[s.completion_start :], sc) if t != IMAGE]
        stats = learner.train_step(seqs, LossConfig(objective=SFT))
        self.assertAlmostEqual(stats.loss, sum(expected) / len(expected), places=5)
        self.assertEqual(stats.tokens, len(expected))
        self.assertEqual(stats.mean_logprob_shift, 0.0)  # no old_logprobs given: nothing to compare
        self.assertEqual(stats.clip_fraction, 0.0)

    def test_ppo_on_policy_has_ratio_one(self):
        learner = fresh(keep_reference=True)
        seqs = with_old_logprobs(learner, support.make_batch(support.TINY, seed=5, n=4, ppo=True))
        stats = learner.train_step(seqs, LossConfig(objective=PPO_CLIP, kl_coef=0.1))
        self.assertEqual(stats.clip_fraction, 0.0)
        self.assertLess(abs(stats.mean_logprob_shift), 1e-6)
        self.assertLess(abs(stats.kl), 1e-6)  # the reference is the starting policy
        masked = [(a, m) for s in seqs for a, m in zip(s.advantages, s.loss_mask)]
        expected = -sum(a for a, m in masked if m) / sum(m for _, m in masked)
        self.assertAlmostEqual(stats.loss, expected, places=5)  # ratio 1: loss = -mean(A)
        self.assertGreater(stats.entropy, 0.0)
        self.assertGreater(stats.grad_norm, 0.0)

    def test_ppo_moves_toward_positive_advantages(self):
        learner = fresh(lr=1e-2)
        seqs = with_old_logprobs(learner, support.make_batch(support.TINY, seed=6, n=2, ppo=True))
        seqs = [replace(s, advantages=[1.0] * len(s.advantages)) for s in seqs]
        before = learner.score(seqs)
        first = learner.train_step(seqs, LossConfig(objective=PPO_CLIP))
        after = learner.score(seqs)
        gain = sum(b - a for s, sa, sb in zip(seqs, before, after) for a, b, m in zip(sa, sb, s.loss_mask) if m)
        self.assertGreater(gain, 0.0)
        second = learner.train_step(seqs, LossConfig(objective=PPO_CLIP))  # now off-policy
        self.assertGreater(second.mean_logprob_shift, 0.0)
        self.assertLess(second.loss, first.loss)

    def test_micro_batches_give_the_same_step(self):
        seqs = support.make_batch(support.TINY, seed=7, n=4, ppo=True)
        stats, scores = [], []
        for micro in (0, 1, 3):
            learner = fresh(keep_reference=True)
            stats.append(learner.train_step(seqs, LossConfig(objective=PPO_CLIP, kl_coef=0.05, entropy_coef=0.01), micro_batch=micro))
            scores.append(learner.score(seqs))
        for s, sc in zip(stats[1:], scores[1:]):
            self.assertAlmostEqual(s.loss, stats[0].loss, places=5)
            self.assertAlmostEqual(s.grad_norm, stats[0].grad_norm, places=4)
            self.assertAlmostEqual(s.entropy, stats[0].entropy, places=5)
            self.assertLess(max(abs(a - b) for x, y in zip(sc, scores[0]) for a, b in zip(x, y)), 1e-5)

    def test_grad_clip_bounds_the_update(self):
        seqs = support.make_batch(support.TINY, seed=8, n=2)
        learner = fresh(grad_clip=1e-3)
        stats = learner.train_step(seqs, LossConfig(objective=SFT))
        self.assertGreater(stats.grad_norm, 1e-3)  # reported before clipping

    def test_errors(self):
        seqs = support.make_batch(support.TINY, seed=9, n=2)
        with self.assertRaises(FailedPrecondition):
            Learner().train_step(seqs, LossConfig(objective=SFT))
        with self.assertRaises(FailedPrecondition):
            Learner().score(seqs)
        learner = fresh()
        with self.assertRaises(FailedPrecondition):  # KL without a reference
            learner.train_step(with_old_logprobs(learner, support.make_batch(support.TINY, 9, 2, ppo=True)), LossConfig(objective=PPO_CLIP, kl_coef=0.1))
        with self.assertRaisesRegex(InvalidArgument, r"sequences\[0\]\.old_logprobs"):
            learner.train_step(seqs, LossConfig(objective=PPO_CLIP))
        with self.assertRaisesRegex(InvalidArgument, r"sequences\[1\]\.image_index"):
            learner.score([seqs[0], replace(seqs[1], image_index=seqs[1].image_index[:-1])])
        with self.assertRaisesRegex(InvalidArgument, r"sequences\[0\]\.tokens"):
            learner.score([replace(seqs[0], tokens=[support.TINY.vocab_size] + seqs[0].tokens[1:])])
        with self.assertRaisesRegex(InvalidArgument, r"sequences\[0\]\.images\[0\]"):
            learner.score([replace(seqs[0], images=[b"\0" * 12] + seqs[0].images[1:])])
        with self.assertRaisesRegex(InvalidArgument, r"sequences\[0\]\.completion_start"):
            learner.score([replace(seqs[0], completion_start=0)])
        with self.assertRaisesRegex(InvalidArgument, "architecture.vocab_size"):
            Learner().init_policy({**ARCH, "vocab_size": 0}, None)
        with self.assertRaises(NotFound):
            Learner().init_policy(ARCH, None, checkpoint="/nonexistent/ckpt.pt")
        self.assertEqual(learner.step, 0)  # failed calls took no step


class Checkpoints(unittest.TestCase):
    def test_resume_is_exact(self):
        seqs = support.make_batch(support.TINY, seed=10, n=3, ppo=True)
        cfg = LossConfig(objective=PPO_CLIP, kl_coef=0.05)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sub", "ckpt.pt")
            a = fresh(keep_reference=True)
            a.train_step(seqs, LossConfig(objective=SFT))
            a.train_step(seqs, LossConfig(objective=SFT))
            self.assertEqual(a.save_checkpoint(path), 2)
            self.assertEqual(os.listdir(os.path.dirname(path)), ["ckpt.pt"])  # no temp file left
            continued = a.train_step(seqs, cfg)

            b = Learner()
            params, step = b.init_policy({}, None, checkpoint=path, keep_reference=True, threads=1)
            self.assertEqual(step, 2)
            self.assertEqual(b.optimizer_config, a.optimizer_config)
            resumed = b.train_step(seqs, cfg)  # needs the same Adam moments and reference
            self.assertEqual(resumed.step, 3)
            for name in ("loss", "kl", "entropy", "grad_norm"):
                self.assertTrue(math.isclose(getattr(resumed, name), getattr(continued, name), rel_tol=1e-6, abs_tol=1e-7), name)
            self.assertEqual(a.score(seqs), b.score(seqs))
            with self.assertRaisesRegex(InvalidArgument, "architecture.d_model"):
                Learner().init_policy({"d_model": 64}, None, checkpoint=path)


if __name__ == "__main__":
    unittest.main()
