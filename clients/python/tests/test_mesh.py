"""Against the live mesh (renderer, PRM, trainer, reward as their own processes; started by
test/src/pythonClient.e2e.test.ts), written the way a verl / TRL / OpenRLHF user would write it:
a ChartWorld test-split example, a group of responses, and what the answers must satisfy."""

from __future__ import annotations

import hashlib
import json
import os
import re
import unittest
import urllib.error

import grpc

from sketchvl_mesh import RewardClient, RewardServiceError
from sketchvl_mesh.integrations import openrlhf, trl, verl

from .support import CHARTWORLD_DIR, REWARD_ADDRESS, REWARD_HTTP, require_mesh

ALPHA = 0.5
BETA = 2.0
TOL = 1e-4


def load_example() -> dict:
    with open(os.path.join(CHARTWORLD_DIR, "questions.jsonl")) as f:
        return json.loads(f.readline())


def wrong_answer(answer: str) -> str:
    try:
        return str(float(answer.replace(",", "")) * 3 + 1000)
    except ValueError:
        return "definitely not " + answer


def tokenize(text: str) -> list[int]:
    """A stand-in tokenizer: where each word-with-trailing-space token starts (code points)."""
    return [m.start() for m in re.finditer(r"\S+\s*|\s+", text)]


def sloppy_first_step(text: str) -> str:
    """The first action drawn somewhere else (still inside the image)."""
    def shift(m: re.Match) -> str:
        numbers = [int(n) for n in m.group(2).split(",")]
        moved = [(n + 300) % 900 + 50 for n in numbers]
        return f"{m.group(1)}[{','.join(str(n) for n in moved)}]"

    return re.sub(r"(Action1: #Draw \w+, )\[([0-9,]+)\]", shift, text, count=1)


class MeshTestCase(unittest.TestCase):
    client: RewardClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = RewardClient(REWARD_ADDRESS or "127.0.0.1:1", timeout_s=60)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def setUp(self) -> None:
        require_mesh(self)
        self.example = load_example()
        self.image_path = os.path.join(CHARTWORLD_DIR, self.example["image"])
        self.answer = self.example["answer"]
        self.expert = self.example["trajectory"]["text"]


class HeadlineTest(MeshTestCase):
    def test_a_group_scored_as_finepo_says(self) -> None:
        expert = self.expert
        wrong = expert.replace(f"Answer: {self.answer}", f"Answer: {wrong_answer(self.answer)}")
        malformed = "Let me look at the chart.\nIntent1: Box the legend\nAction1: #Draw Blob, [[oops\nI am not sure."
        sloppy = sloppy_first_step(expert)
        self.assertNotEqual(sloppy, expert)
        responses = [expert, wrong, malformed, sloppy]
        offsets = [tokenize(t) for t in responses]

        group = self.client.score_group(
            image=self.image_path,
            question=self.example["question"],
            references=[self.answer],
            responses=responses,
            token_offsets=offsets,
            run_id="python-client-e2e",
            batch_index=0,
            finepo={"mode": "finepo_no_kl", "alpha": ALPHA, "beta": BETA},
        )
        self.assertEqual(len(group), 4)
        expert_r, wrong_r, malformed_r, sloppy_r = group.responses

        # Outcomes: right answers 1, wrong or missing 0; nothing masked.
        self.assertEqual(group.outcome_rewards, [1.0, 0.0, 0.0, 1.0])
        self.assertEqual(group.masked, [False] * 4)
        self.assertEqual(expert_r.answer, self.answer)

        # The malformed response: a format failure, graded (0) and kept, no process credit.
        self.assertEqual(malformed_r.failure_kind, "FORMAT")
        self.assertFalse(malformed_r.mask_sample)
        self.assertTrue(all(s.excluded or s.process_score == 0 for s in malformed_r.steps))
        self.assertEqual(malformed_r.mean_process_score, 0.0)
        self.assertTrue(malformed_r.failure_reason)

        # Every step of the parseable responses rated by the PRM.
        n_steps = len(self.example["trajectory"]["steps"])
        for r in (expert_r, wrong_r, sloppy_r):
            self.assertIsNone(r.failure_kind, r.failure_reason)
            self.assertEqual(len(r.steps), n_steps)
            for s in r.steps:
                self.assertFalse(s.excluded)
                self.assertIn(s.label, ("EXCELLENT", "ACCEPTABLE", "POOR", "UNACCEPTABLE"))
                self.assertEqual(len(s.probabilities), 4)
                self.assertAlmostEqual(sum(s.probabilities), 1.0, places=4)
                self.assertTrue(1.0 <= s.process_score <= 4.0, s.process_score)
                self.assertEqual(s.kl_offset, 0.0, "finepo_no_kl")
            scores = [s.process_score for s in r.steps]
            self.assertAlmostEqual(r.mean_process_score, sum(scores) / len(scores), places=6)
            self.assertAlmostEqual(r.min_process_score, min(scores), places=6)
            self.assertAlmostEqual(r.last_process_score, scores[-1], places=6)

        # Eq. 1: A(y_i) = R(y_i) - mean R.
        mean = sum(group.outcome_rewards) / 4
        for r in group:
            self.assertAlmostEqual(r.coarse_advantage, r.outcome_reward - mean, places=9)

        # Eqs. 6-8: the sign of A(y) is preserved, |A(s)| within beta |A|; the best step gets
        # A + alpha |A|; better steps never get less than worse ones.
        for r in (expert_r, wrong_r, sloppy_r):
            a = r.coarse_advantage
            for s in r.steps:
                if a > 0:
                    self.assertGreaterEqual(s.advantage, -TOL, "a step of a successful response is never pushed down")
                    self.assertLessEqual(s.advantage, BETA * a + TOL)
                else:
                    self.assertLessEqual(s.advantage, TOL, "a step of a failed response is never rewarded")
                    self.assertGreaterEqual(s.advantage, BETA * a - TOL)
            by_score = sorted(r.steps, key=lambda s: s.process_score)
            for lo, hi in zip(by_score, by_score[1:]):
                if hi.process_score > lo.process_score + 1e-9:
                    self.assertGreaterEqual(hi.advantage, lo.advantage - TOL)
            if len({round(s.process_score, 9) for s in r.steps}) > 1:
                self.assertAlmostEqual(by_score[-1].advantage, a + ALPHA * abs(a), delta=TOL)

        # Token view (Alg. 1): each step's tokens carry its advantage, the rest A(y); the process
        # score sits on each step's last token; nothing masked without image tokens.
        for r, toks in zip(group, offsets):
            self.assertEqual(len(r.token_advantages), len(toks))
            self.assertEqual(r.loss_mask, [True] * len(toks))
            self.assertEqual(len(r.token_process_scores), len(toks))
            in_step = [False] * len(toks)
            for s in r.steps:
                self.assertIsNotNone(s.token_span)
                start, end = s.token_span
                self.assertLess(start, end)
                for t in range(start, end):
                    in_step[t] = True
                    self.assertAlmostEqual(r.token_advantages[t], s.advantage, delta=1e-5)
                self.assertAlmostEqual(r.token_process_scores[end - 1], s.process_score, delta=1e-5)
            for t, inside in enumerate(in_step):
                if not inside:
                    self.assertAlmostEqual(r.token_advantages[t], r.coarse_advantage, delta=1e-5)
                    self.assertEqual(r.token_process_scores[t], 0.0)

    def test_the_image_travels_once_then_by_digest(self) -> None:
        with open(self.image_path, "rb") as f:
            local = "sha256:" + hashlib.sha256(f.read()).hexdigest()
        first = self.client.score_group(self.image_path, self.example["question"], [self.answer], [self.expert])
        self.assertEqual(first.image_digest, local, "the digest of the bytes sent, computable locally")
        again = self.client.score_group(first.image_digest, self.example["question"], [self.answer], [self.expert])
        self.assertEqual(again.outcome_rewards, [1.0])
        self.assertEqual(again.image_digest, local)

    def test_a_retried_request_id_gets_the_same_answer(self) -> None:
        args = (self.image_path, self.example["question"], [self.answer], [self.expert, "Answer: 0"])
        a = self.client.score_group(*args, request_id="py-e2e-idempotent")
        b = self.client.score_group(*args, request_id="py-e2e-idempotent")
        # All of it, stage times included: equal only when the second call is answered from the cache.
        self.assertEqual(a.to_dict(), b.to_dict())

    def test_stream_group_fed_by_a_generator(self) -> None:
        texts = [self.expert, self.expert.replace(f"Answer: {self.answer}", "Answer: 0"), "no steps here"]

        def generation():
            for i, t in enumerate(texts):
                yield {"text": t, "token_offsets": tokenize(t)} if i == 0 else t

        streamed = self.client.stream_group(self.image_path, self.example["question"], [self.answer], generation())
        whole = self.client.score_group(self.image_path, self.example["question"], [self.answer], texts)
        self.assertEqual(streamed.outcome_rewards, whole.outcome_rewards)
        self.assertEqual([r.failure_kind for r in streamed], [r.failure_kind for r in whole])
        self.assertEqual([r.answer for r in streamed], [r.answer for r in whole])
        self.assertEqual(len(streamed[0].token_advantages), len(tokenize(texts[0])))

    def test_errors_are_typed_with_the_offending_field(self) -> None:
        with self.assertRaises(RewardServiceError) as caught:
            self.client.score_group(self.image_path, "q", [], [self.expert])
        self.assertEqual(caught.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("references", caught.exception.fields)
        self.assertEqual(caught.exception.reason, "INVALID_FIELD")
        with self.assertRaises(RewardServiceError) as caught:
            self.client.score_group(self.image_path, "q", [self.answer], [self.expert], timeout_s=0.001)
        self.assertEqual(caught.exception.code, grpc.StatusCode.DEADLINE_EXCEEDED)

    def test_health(self) -> None:
        self.assertEqual(self.client.health(), "SERVING")


UNKNOWN_DIGEST = "sha256:" + "0" * 64


class FrameworkShimsTest(MeshTestCase):
    def setUp(self) -> None:
        super().setUp()
        os.environ["SKETCHVL_REWARD_ADDRESS"] = REWARD_ADDRESS

    def test_trl_reward_func_returns_none_for_samples_it_could_not_score(self) -> None:
        reward_func = trl.make_reward_func(num_generations=2)
        prompt = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": self.example["question"]}]}]
        completions = [
            [{"role": "assistant", "content": self.expert}],
            [{"role": "assistant", "content": "Answer: 0"}],
            [{"role": "assistant", "content": self.expert}],
            [{"role": "assistant", "content": "Answer: 0"}],
        ]
        rewards = reward_func(
            prompts=[prompt, prompt, prompt + [], prompt + []],
            completions=completions,
            completion_ids=None,
            image=[self.image_path, self.image_path, UNKNOWN_DIGEST, UNKNOWN_DIGEST],
            answer=[self.answer] * 4,
        )
        self.assertEqual(rewards, [1.0, 0.0, None, None])
        process, outcome = trl.make_reward_funcs(("process", "outcome"))
        kwargs = dict(image=[self.image_path] * 2, answer=[self.answer] * 2)
        p = process(prompts=["q", "q"], completions=[self.expert, "garbage"], **kwargs)
        self.assertTrue(0.25 <= p[0] <= 1.0 and p[1] == 0.0, p)
        self.assertEqual(outcome(prompts=["q", "q"], completions=[self.expert, "garbage"], **kwargs), [1.0, 0.0])

    def test_verl_compute_score_has_the_same_keys_on_every_sample(self) -> None:
        extra = {"image": self.image_path, "question": self.example["question"]}
        ok = verl.compute_score("chartworld", self.expert, self.answer, extra)
        malformed = verl.compute_score("chartworld", "no steps, no answer", self.answer, extra)
        label = json.dumps({"image": UNKNOWN_DIGEST, "question": "q", "references": [self.answer]})
        with self.assertRaises(RewardServiceError) as caught:  # the default: never a made-up score
            verl.compute_score("chartworld", self.expert, label, {})
        self.assertEqual((caught.exception.code_name, caught.exception.reason), ("NOT_FOUND", "IMAGE_NOT_FOUND"))
        os.environ["SKETCHVL_VERL_ON_FAILURE"] = "mask"
        self.addCleanup(os.environ.pop, "SKETCHVL_VERL_ON_FAILURE", None)
        failed = verl.compute_score("chartworld", self.expert, label, {})
        for result in (ok, malformed, failed):
            self.assertEqual(tuple(result), verl.RESULT_KEYS)
            for k in verl.RESULT_KEYS:
                self.assertIsInstance(result[k], type(ok[k]), k)
        self.assertEqual((ok["score"], ok["mask_sample"], ok["failure_kind"], ok["pred"]), (1.0, 0.0, "", self.answer))
        self.assertEqual((malformed["score"], malformed["mask_sample"], malformed["failure_kind"]), (0.0, 0.0, "FORMAT"))
        self.assertEqual(failed["mask_sample"], 1.0)
        self.assertTrue(failed["failure_kind"] and failed["failure_reason"])

        batch = verl.compute_score_batch(
            ["chartworld"] * 4,
            [self.expert, "Answer: 0", self.expert, "Answer: 0"],
            [self.answer] * 2 + [label] * 2,
            [extra, extra, {}, {}],
        )
        self.assertEqual([r["score"] for r in batch[:2]], [1.0, 0.0])
        self.assertEqual([r["mask_sample"] for r in batch], [0.0, 0.0, 1.0, 1.0])
        self.assertEqual(len({tuple(r) for r in batch}), 1)

    def test_verl_finepo_arrays_for_a_custom_estimator(self) -> None:
        texts = [self.expert, self.expert.replace(f"Answer: {self.answer}", "Answer: 0")]
        offsets = [tokenize(t) for t in texts]
        width = max(len(o) for o in offsets) + 5
        out = verl.score_group_for_verl(
            texts, self.answer, {"image": self.image_path, "question": self.example["question"]},
            token_offsets=offsets, response_length=width, run_id="python-client-e2e-verl", batch_index=1,
        )
        self.assertEqual(out["scores"].tolist(), [1.0, 0.0])
        self.assertEqual(out["coarse_advantages"].tolist(), [0.5, -0.5])
        self.assertEqual(out["token_level_advantages"].shape, (2, width))
        self.assertEqual(out["response_mask"].sum(axis=1).tolist(), [len(o) for o in offsets])
        self.assertTrue((out["token_level_advantages"][0] >= 0).all() and (out["token_level_advantages"][1] <= 0).all())
        self.assertEqual(len(out["step_advantages"][0]), len(self.example["trajectory"]["steps"]))


class OpenRlhfHttpTest(MeshTestCase):
    def url(self) -> str:
        return REWARD_HTTP.rstrip("/") + "/get_reward"

    def test_empty_lists_answer_empty_lists(self) -> None:
        answer = openrlhf.request_rewards(self.url(), [], [], [])
        self.assertEqual(answer["rewards"], [])
        self.assertEqual(answer.get("scores", []), [])

    def test_rewards_scores_and_logs_for_prompt_plus_response(self) -> None:
        prompt = "<|im_start|>user\n<image>" + self.example["question"] + "<|im_end|>\n<|im_start|>assistant\n"
        label = openrlhf.make_label(self.example["image"], self.example["question"], [self.answer])
        answer = openrlhf.request_rewards(
            self.url(),
            [prompt + self.expert + "<|im_end|>", prompt + "Answer: 0<|im_end|>"],
            [prompt, prompt],
            [label, label],
        )
        self.assertEqual(answer["rewards"], [1.0, 0.0])
        self.assertEqual(len(answer["scores"]), 2)
        self.assertTrue(all(0.0 <= s <= 1.0 for s in answer["scores"]))
        self.assertGreater(answer["scores"][0], 0.0)
        for name in ("process_mean", "process_min", "format_ok"):
            self.assertEqual(len(answer["extra_logs"][name]), 2, name)

    def test_a_sample_that_cannot_be_scored_is_never_a_reward_of_zero(self) -> None:
        label = openrlhf.make_label(UNKNOWN_DIGEST, "q", [self.answer])
        with self.assertRaises(openrlhf.RewardHttpError) as caught:
            openrlhf.request_rewards(self.url(), ["p" + self.expert], ["p"], [label])
        self.assertIn(caught.exception.status, (400, 503))


if __name__ == "__main__":
    unittest.main()
