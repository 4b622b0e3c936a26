"""The framework shims against the fake service: grouping, masking, fixed keys, label forms."""

from __future__ import annotations

import json
import os
import unittest
from unittest import mock

from sketchvl_mesh import RewardClient, RewardServiceError
from sketchvl_mesh.integrations import _common, openrlhf, trl, verl

from .support import TINY_PNG, FakeServer, closed_port_address

DIGEST = "sha256:" + "ab" * 32


class ShimTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.fake = FakeServer()
        self.client = RewardClient(self.fake.address, timeout_s=10, backoff_s=0.01)
        self.env = mock.patch.dict(os.environ, {"SKETCHVL_REWARD_ADDRESS": self.fake.address})
        self.env.start()

    def tearDown(self) -> None:
        self.env.stop()
        self.client.close()
        self.fake.stop()


class TrlTest(ShimTestCase):
    def test_groups_consecutive_completions_of_a_prompt(self) -> None:
        func = trl.make_reward_func(num_generations=2, client=self.client)
        self.assertEqual(func.__name__, "sketchvl_outcome")
        rewards = func(
            prompts=["p1", "p1", "p1", "p1", "p2", "p2"],
            completions=["Answer: a", "Answer: b", "Answer: a", "MASKME", "Answer: x", "Answer: y"],
            completion_ids=[[1]] * 6,
            image=[DIGEST] * 4 + [bytes(bytearray(TINY_PNG)) for _ in range(2)],  # equal bytes, distinct objects
            answer=["a"] * 4 + [["x", "y"]] * 2,
        )
        self.assertEqual(rewards, [1.0, 0.0, 1.0, None, 1.0, 0.0])
        requests = self.fake.service.requests
        self.assertEqual([len(r.responses) for r in requests], [2, 2, 2], "num_generations caps a group")
        self.assertEqual(sorted(list(r.references) for r in requests)[-1], ["x", "y"])
        self.assertEqual({r.question for r in requests}, {"p1", "p2"}, "no question column: the prompt's text")

    def test_conversational_prompts_and_a_failed_call(self) -> None:
        self.fake.service.bad_request = [("image", "bad")]
        func = trl.make_reward_func(client=self.client)
        prompt = [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "<image>Which?"}]}]
        rewards = func([prompt, prompt], [[{"role": "assistant", "content": "Answer: a"}]] * 2, image=[DIGEST] * 2, answer=["a"] * 2)
        self.assertEqual(rewards, [None, None], "a group whose call failed is 'no reward', not 0")
        self.assertEqual(self.fake.service.requests[0].question, "Which?")
        raising = trl.make_reward_func(client=self.client, raise_on_error=True)
        with self.assertRaises(Exception):
            raising(["p"], ["Answer: a"], image=[DIGEST], answer=["a"])

    def test_several_rewards_share_one_call_per_batch(self) -> None:
        outcome, process = trl.make_reward_funcs(("outcome", "process"), client=self.client)
        kwargs = dict(image=[DIGEST] * 2, answer=[json.dumps({"references": ["a"]})] * 2, question=["Q"] * 2)
        batch = (["p", "p"], ["Step: box\nAnswer: a", "Answer: b"])
        self.assertEqual(outcome(*batch, **kwargs), [1.0, 0.0])
        self.assertEqual(process(*batch, **kwargs), [0.75, 0.0])
        self.assertEqual(len(self.fake.service.requests), 1)
        self.assertEqual(self.fake.service.requests[0].question, "Q")
        with self.assertRaises(ValueError):
            trl.make_reward_funcs(("bleu",))

    def test_missing_columns_are_loud(self) -> None:
        func = trl.make_reward_func(client=self.client)
        with self.assertRaises(ValueError):
            func(["p"], ["Answer: a"], answer=["a"])
        with self.assertRaises(ValueError):
            func(["p"], ["Answer: a"], image=[DIGEST])


class VerlTest(ShimTestCase):
    def test_same_keys_on_every_sample_and_masks_never_zero_silently(self) -> None:
        extra = {"image": DIGEST, "question": "Q"}
        ok = verl.compute_score("cw", "Step: box\nAnswer: a", "a", extra)
        fmt = verl.compute_score("cw", "Answer: b", "a", extra)
        label = json.dumps({"image": DIGEST, "question": "Q", "references": ["a"]})
        down_env = {"SKETCHVL_REWARD_ADDRESS": closed_port_address(), "SKETCHVL_REWARD_TIMEOUT_S": "0.5"}
        # By default a sample that was not scored raises: no number means "not scored" to GRPO.
        with self.assertRaises(verl.SampleNotScored):
            verl.compute_score("cw", "MASKME", label)
        with mock.patch.dict(os.environ, down_env), self.assertRaises(RewardServiceError) as caught:
            verl.compute_score("cw", "Answer: a", "a", extra)
        self.assertEqual(caught.exception.code_name, "UNAVAILABLE")
        with mock.patch.dict(os.environ, {"SKETCHVL_VERL_ON_FAILURE": "mask"}):
            masked = verl.compute_score("cw", "MASKME", label)
            with mock.patch.dict(os.environ, down_env):
                down = verl.compute_score("cw", "Answer: a", "a", extra)
        for r in (ok, fmt, masked, down):
            self.assertEqual(tuple(r), verl.RESULT_KEYS)
        self.assertEqual((ok["score"], ok["process_mean"], ok["mask_sample"], ok["failure_kind"], ok["pred"]), (1.0, 3.0, 0.0, "", "a"))
        self.assertEqual((fmt["score"], fmt["mask_sample"], fmt["failure_kind"]), (0.0, 0.0, "FORMAT"))
        self.assertEqual((masked["mask_sample"], masked["failure_kind"]), (1.0, "INFRASTRUCTURE"))
        self.assertEqual((down["mask_sample"], down["failure_kind"]), (1.0, "INFRASTRUCTURE"))
        self.assertIn("UNAVAILABLE", down["failure_reason"])
        with mock.patch.dict(os.environ, {"SKETCHVL_VERL_ON_FAILURE": "mask", "SKETCHVL_VERL_MASKED_SCORE": "0.25", "SKETCHVL_VERL_PROCESS_WEIGHT": "1"}):
            self.assertEqual(verl.compute_score("cw", "MASKME", "a", extra)["score"], 0.25)
            self.assertEqual(verl.compute_score("cw", "Step: x\nAnswer: a", "a", extra)["score"], 1.75)
        with self.assertRaises(ValueError):
            verl.compute_score("cw", "Answer: a", "a", {"question": "no image"})

    def test_batch_groups_prompts_and_gives_masked_samples_the_group_mean(self) -> None:
        extra_a = {"image": DIGEST, "question": "Q1"}
        extra_b = {"image": DIGEST, "question": "Q2"}
        out = verl.compute_score_batch(
            ["cw"] * 5,
            ["Answer: a", "Answer: b", "MASKME", "Answer: z", "Answer: z"],
            ["a", "a", "a", "z", "z"],
            [extra_a, extra_a, extra_a, extra_b, extra_b],
        )
        self.assertEqual(sorted(len(r.responses) for r in self.fake.service.requests), [2, 3], "groups run concurrently")
        self.assertEqual([r["score"] for r in out], [1.0, 0.0, 0.5, 1.0, 1.0])
        self.assertEqual([r["mask_sample"] for r in out], [0.0, 0.0, 1.0, 0.0, 0.0])
        self.assertEqual(len({tuple(r) for r in out}), 1)

    def test_score_group_for_verl_pads_and_masks(self) -> None:
        out = verl.score_group_for_verl(
            ["Step: a\nAnswer: a", "MASKME", "Answer: b"], "a", {"image": DIGEST},
            token_offsets=[[0, 3, 8], [0, 2], [0]], response_length=4, client=self.client, batch_index=9,
        )
        self.assertEqual(self.fake.service.requests[-1].batch_index, 9)
        self.assertEqual(out["mask_sample"].tolist(), [False, True, False])
        self.assertEqual(out["scores"].tolist(), [1.0, 0.5, 0.0])
        self.assertEqual(out["response_mask"].tolist(), [[1, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0]])
        self.assertEqual(out["token_level_advantages"].tolist(), [[0.5, 0.5, 0.5, 0], [0, 0, 0, 0], [-0.5, 0, 0, 0]])
        self.assertEqual(out["token_level_scores"][0].tolist(), [0, 0, 3, 0])
        self.assertEqual(out["failure_kind"], ["", "INFRASTRUCTURE", "FORMAT"])

    def test_token_offsets_from_ids(self) -> None:
        vocab = {1: "Hel", 2: "lo", 3: " wor", 4: "ld", 5: "é"}

        class Tok:
            def decode(self, ids):
                return "".join(vocab[i] for i in ids)

        self.assertEqual(verl.token_offsets_from_ids(Tok(), [1, 2, 3, 4, 5]), [0, 3, 5, 9, 11])
        self.assertEqual(verl.token_offsets_from_ids(Tok(), []), [])


class LabelsAndOpenRlhfTest(unittest.TestCase):
    def test_label_forms(self) -> None:
        full = {"image": "images/a.png", "question": "Q", "references": ["1", "one"]}
        self.assertEqual(_common.parse_label(json.dumps(full)), full)
        self.assertEqual(_common.parse_label(full), full)
        self.assertEqual(_common.parse_label("42"), {"references": ["42"]})
        self.assertEqual(_common.parse_label(["a", "b"]), {"references": ["a", "b"]})
        self.assertEqual(_common.parse_label({"images": ["x.png", "y.png"], "answer": 3}), {"image": "x.png", "references": ["3"]})
        self.assertEqual(_common.parse_label("{not json"), {"references": ["{not json"]})
        # A label's references are a list: a string is refused naming the field, never split or wrapped.
        for bad in ({"image": "a.png", "references": "2022"}, '{"image": "a.png", "references": "2022"}', {"references": ["1", 2]}):
            with self.assertRaisesRegex(ValueError, "references"):
                _common.parse_label(bad)

    def test_openrlhf_helpers(self) -> None:
        label = openrlhf.make_label("images/cw-4.png", "What?", "36")
        self.assertEqual(json.loads(label), {"image": "images/cw-4.png", "question": "What?", "references": ["36"]})
        self.assertEqual(openrlhf.reward_url("reward.ns.svc"), "http://reward.ns.svc:8055/get_reward")
        self.assertEqual(openrlhf.reward_url("::1", 9000, "score"), "http://[::1]:9000/score")
        rows = list(openrlhf.add_labels([{"image": "i.png", "question": "Q", "answer": "7"}]))
        self.assertEqual(json.loads(rows[0]["label"])["references"], ["7"])
        with self.assertRaises(ValueError):
            openrlhf.make_label("", "q", ["a"])
        with self.assertRaises(OSError):
            openrlhf.request_rewards("http://" + closed_port_address() + "/get_reward", [], [], [], timeout_s=1)


if __name__ == "__main__":
    unittest.main()
