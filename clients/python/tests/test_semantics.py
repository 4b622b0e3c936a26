"""Reward semantics a trainer would silently get wrong, against the live mesh
(test/src/pythonClient.e2e.test.ts): text decoded with its special tokens, a service that is down,
masked samples' token arrays stacked as verl stacks them, label types, a resumed run."""

from __future__ import annotations

import json
import os
import unittest
from unittest import mock

import numpy as np

from sketchvl_mesh import RewardClient, RewardServiceError
from sketchvl_mesh.integrations import _common, verl

from .support import closed_port_address
from .test_mesh import MeshTestCase, tokenize, wrong_answer

END = "<|im_end|>"


class DecodedTextTest(MeshTestCase):
    def setUp(self) -> None:
        super().setUp()
        os.environ["SKETCHVL_REWARD_ADDRESS"] = self.client.address
        self.extra = {"image": self.image_path, "question": self.example["question"]}
        self.wrong = self.expert.replace(f"Answer: {self.answer}", f"Answer: {wrong_answer(self.answer)}")

    def test_compute_score_grades_an_answer_followed_by_end_of_turn_tokens(self) -> None:
        right = verl.compute_score("chartworld", self.expert + END, self.answer, self.extra)
        self.assertEqual((right["score"], right["pred"]), (1.0, self.answer))
        wrong = verl.compute_score("chartworld", self.wrong + END + "<|endoftext|>" * 3, self.answer, self.extra)
        self.assertEqual(wrong["score"], 0.0)

    def test_the_readme_reward_manager_flow_tells_right_from_wrong(self) -> None:
        # What FinePORewardManager does: tokenizer.decode(ids) keeps the end-of-turn token.
        texts = [self.expert + END, self.wrong + END]
        offsets = [tokenize(t) for t in texts]
        out = verl.score_group_for_verl(texts, self.answer, self.extra, token_offsets=offsets, response_length=max(map(len, offsets)))
        self.assertEqual(out["scores"].tolist(), [1.0, 0.0])
        self.assertEqual(out["coarse_advantages"].tolist(), [0.5, -0.5])


class FailuresTest(MeshTestCase):
    def test_compute_score_raises_when_the_service_is_down(self) -> None:
        extra = {"image": self.image_path, "question": self.example["question"]}
        down = RewardClient(closed_port_address(), timeout_s=5, max_retries=1, backoff_s=0.05)
        self.addCleanup(down.close)
        with self.assertRaises(RewardServiceError) as caught:
            verl.compute_score("chartworld", self.expert, self.answer, extra, client=down)
        self.assertEqual(caught.exception.code_name, "UNAVAILABLE")
        with mock.patch.dict(os.environ, {"SKETCHVL_VERL_ON_FAILURE": "mask"}):
            masked = verl.compute_score("chartworld", self.expert, self.answer, extra, client=down)
        self.assertEqual((masked["mask_sample"], masked["failure_kind"]), (1.0, "INFRASTRUCTURE"))

    def test_a_masked_samples_token_arrays_stack_like_any_other(self) -> None:
        # A PRM model that does not exist: the parseable responses are masked INFRASTRUCTURE.
        texts = [self.expert, self.expert.replace(f"Answer: {self.answer}", "Answer: 0")]
        offsets = [tokenize(t) for t in texts]
        group = self.client.score_group(self.image_path, self.example["question"], [self.answer], texts, token_offsets=offsets, prm_model="no-such-model")
        self.assertEqual(group.masked, [True, True])
        for r, toks in zip(group, offsets):
            self.assertEqual((len(r.token_advantages), len(r.loss_mask), len(r.token_process_scores)), (len(toks),) * 3)
            self.assertFalse(any(r.loss_mask))
        # verl: (n, response_length) tensors, stacked row by row with no special case.
        width = max(map(len, offsets))
        pad = lambda xs: list(xs) + [0] * (width - len(xs))  # noqa: E731
        advantages = np.array([pad(r.token_advantages) for r in group], dtype=np.float32)
        mask = np.array([pad([float(m) for m in r.loss_mask]) for r in group], dtype=np.float32)
        self.assertEqual(advantages.shape, (2, width))
        self.assertEqual(float((advantages * mask).sum()), 0.0)


class LabelTypesTest(MeshTestCase):
    def test_references_must_be_a_list_of_strings(self) -> None:
        label = json.dumps({"image": self.image_path, "question": "q", "references": "2022"})
        with self.assertRaisesRegex(ValueError, "references"):
            verl.compute_score("chartworld", self.expert, label, {})
        with self.assertRaisesRegex(ValueError, "references"):
            _common.parse_label({"image": "x.png", "references": 2022})
        for bad, name in ((2022, "references"), ([self.answer, 7], r"references\[1\]")):
            with self.assertRaisesRegex(TypeError, name):
                self.client.score_group(self.image_path, "q", bad, [self.expert])
        with self.assertRaisesRegex(TypeError, "batch_index"):
            self.client.score_group(self.image_path, "q", [self.answer], [self.expert], batch_index=1.5)

    def test_ids_over_their_limits_are_refused_naming_the_field(self) -> None:
        for kwargs, field in (({"request_id": "r" * 257}, "request_id"), ({"run_id": "é" * 65}, "run_id")):
            with self.assertRaises(RewardServiceError) as caught:
                self.client.score_group(self.image_path, "q", [self.answer], [self.expert], **kwargs)
            self.assertEqual((caught.exception.code_name, caught.exception.fields), ("INVALID_ARGUMENT", [field]))


class ResumeTest(MeshTestCase):
    def test_a_batch_index_that_goes_back_is_a_resume_not_an_error(self) -> None:
        # Batches 0-2 and 100, then a resume from the checkpoint of batch 2 (98 batches back, past
        # the 64 the trainer keeps), then the run id reused from 0: each is answered.
        args = (self.image_path, self.example["question"], [self.answer], [self.expert, "Answer: 0"])
        for b in (0, 1, 2, 100, 2, 3, 0):
            group = self.client.score_group(*args, run_id="py-resume", batch_index=b)
            self.assertEqual(group.outcome_rewards, [1.0, 0.0], b)



class ReadmeActionsTest(MeshTestCase):
    def test_every_action_the_readme_shows_is_scored_as_it_says(self) -> None:
        readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf8").read()
        example = readme.split("### What a policy may write", 1)[1].split("```", 2)[1].lstrip("\n")
        group = self.client.score_group(self.image_path, self.example["question"], ["2015"], [example])
        r = group.responses[0]
        self.assertIsNone(r.failure_kind, r.failure_reason)
        self.assertEqual(r.format_errors, [])
        self.assertEqual([s.action_kind for s in r.steps], ["RECTANGLE", "LINE", "POINT", "CIRCLE", "TEXT"])
        self.assertEqual([s.excluded for s in r.steps], [False, False, False, False, True], "Text is drawn, not rated")
        self.assertEqual((r.answer, r.outcome_reward), ("2015", 1.0))


if __name__ == "__main__":
    unittest.main()
