"""The cached one-step path (decoder.onnx's signature) gives the full forward's log-probs."""

import unittest

import numpy as np
import support
import torch

from batch import collate, token_logprobs
from model import Policy

TOL = 1e-5


def full_rows(model, seqs):
    """Full-forward log-softmax rows predicting every token after the first, per sequence."""
    out = []
    for s in seqs:
        b = collate([s], model.arch)
        n = len(s.tokens)
        rows = model.forward_full(b.tokens, b.key_mask, b.token_image, b.images, torch.zeros(n - 1, dtype=torch.long), torch.arange(n - 1))
        out.append(rows)
    return out


def replay_steps(model, seqs, schedules, garbage_seed=0):
    """Lockstep decoding of all rows with the KV cache from P = 0. schedules[b][t] = index of the
    token row b feeds at step t, or -1 for a padding entry (attention_mask 0, a random token and
    position, so only the mask can hide it). Returns per row the log-prob rows after each token."""
    a = model.arch
    g = torch.Generator().manual_seed(garbage_seed)
    B = len(seqs)
    cross = [model.encode_cross(collate([s], a).images) for s in seqs]  # [L,2,n,H,V,dh]
    past = torch.zeros(a.layers, 2, B, a.heads, 0, a.d_head)
    mask = torch.zeros(B, 0)
    got = [dict() for _ in seqs]
    for t in range(len(schedules[0])):
        token = torch.randint(0, a.vocab_size, (B, 1), generator=g)
        position = torch.randint(0, a.max_positions, (B, 1), generator=g)
        col = torch.zeros(B, 1)
        pieces = []
        for b, s in enumerate(seqs):
            p = schedules[b][t]
            if p >= 0:
                token[b, 0], position[b, 0], col[b, 0] = s.tokens[p], p, 1.0
            image = s.image_index[p] if p >= 0 else 0
            pieces.append(cross[b][:, :, image : image + 1])
        mask = torch.cat([mask, col], dim=1)
        logprobs, past = model.step(token, position, mask, past, torch.cat(pieces, dim=2))
        for b in range(B):
            if schedules[b][t] >= 0:
                got[b][schedules[b][t]] = logprobs[b]
    return [torch.stack([got[b][p] for p in range(len(s.tokens) - 1)]) for b, s in enumerate(seqs)]


class StepMatchesFullForward(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = Policy.create(support.TINY, seed=3).eval()
        cls.seqs = support.make_batch(support.TINY, seed=11, n=4)
        # One sequence whose image-0 run spans several cross-attention blocks (model.CROSS_BLOCK).
        cls.seqs.append(support.make_sequence(support.TINY, np.random.default_rng(2), 40, [30, 5]))

    def test_single_rows_from_empty_cache(self):
        with torch.no_grad():
            full = full_rows(self.model, self.seqs)
            for s, f in zip(self.seqs, full):
                step = replay_steps(self.model, [s], [list(range(len(s.tokens)))])[0]
                self.assertLess(float((step - f).abs().max()), TOL)

    def test_batched_rows_with_interleaved_padding(self):
        # Row b gets a masked padding entry after every (b+2)-th token; shorter rows pad at the
        # end; the first step of row 1 is padding too (its cache starts with a masked entry).
        schedules = []
        for b, s in enumerate(self.seqs):
            sched = [-1] if b == 1 else []
            for p in range(len(s.tokens)):
                sched.append(p)
                if (p + 1) % (b + 2) == 0:
                    sched.append(-1)
            schedules.append(sched)
        longest = max(map(len, schedules))
        schedules = [s + [-1] * (longest - len(s)) for s in schedules]
        with torch.no_grad():
            full = full_rows(self.model, self.seqs)
            steps = replay_steps(self.model, self.seqs, schedules)
        for f, st in zip(full, steps):
            self.assertLess(float((st - f).abs().max()), TOL)

    def test_padded_batch_equals_single_sequences(self):
        # The training batch pads rows to the longest: padding must not change any real row.
        with torch.no_grad():
            together, _ = token_logprobs(self.model, collate(self.seqs, self.model.arch))
            alone = torch.cat([token_logprobs(self.model, collate([s], self.model.arch))[0] for s in self.seqs])
        self.assertLess(float((together - alone).abs().max()), TOL)

    def test_tokens_see_only_their_own_image(self):
        # Changing image 1 changes log-probs only for targets predicted from positions that look
        # at image 1 (position >= the first <image>), never before it.
        s = self.seqs[0]
        first_image_pos = s.image_index.index(1)
        changed = type(s)(**{**s.__dict__, "images": [s.images[0], np.zeros(len(s.images[1]) // 4, np.float32).tobytes()]})
        with torch.no_grad():
            before = full_rows(self.model, [s])[0]
            after = full_rows(self.model, [changed])[0]
        diff = (before - after).abs().amax(dim=1)
        self.assertEqual(float(diff[:first_image_pos].max()), 0.0)
        self.assertGreater(float(diff[first_image_pos:].min()), 0.0)

    def test_same_seed_same_weights(self):
        a = Policy.create(support.TINY, seed=5).state_dict()
        b = Policy.create(support.TINY, seed=5).state_dict()
        c = Policy.create(support.TINY, seed=6).state_dict()
        self.assertTrue(all(torch.equal(a[k], b[k]) for k in a))
        self.assertFalse(all(torch.equal(a[k], c[k]) for k in a))


if __name__ == "__main__":
    unittest.main()
