"""POST /get_reward read exactly as OpenRLHF reads it (openrlhf/utils/remote_rm_utils.py and the
experience maker): requests.post(json=...) → response.json() → torch.tensor(...) per key, rewards'
mean / std for the advantages, ``scores`` for --dynamic_filtering, ``extra_logs`` concatenated per
key. Against the live mesh (test/src/pythonClient.e2e.test.ts); needs Debian's python3-torch and
python3-requests, as OpenRLHF does."""

from __future__ import annotations

import json
import time
import unittest

from sketchvl_mesh.integrations import openrlhf

from .support import REWARD_HTTP
from .test_mesh import MeshTestCase, wrong_answer

try:
    import requests
    import torch
except ImportError:  # pragma: no cover - reported by the skip below
    requests = torch = None  # type: ignore[assignment]


def request_api_wrapper(url: str, data: dict, try_max_times: int = 5) -> dict:
    """OpenRLHF's: any error is retried after 1 s; the decoded body is returned."""
    last = None
    for _ in range(try_max_times):
        try:
            response = requests.post(url=url, json=data, headers={"Content-Type": "application/json"}, timeout=180)
            response.raise_for_status()
            return response.json()
        except requests.RequestException as err:
            last = err
        time.sleep(1)
    raise RuntimeError(f"Request error for {try_max_times} times: {last}")


def remote_rm_fn(url: str, queries: list, prompts: list, labels: list) -> dict:
    """What OpenRLHF keeps of an answer: every list made a tensor as it is."""
    info = request_api_wrapper(url, {"query": queries, "prompts": prompts, "labels": labels})
    out = {"rewards": torch.tensor(info["rewards"]), "scores": torch.tensor(info.get("scores", info["rewards"]))}
    out["extra_logs"] = {k: torch.tensor(v) for k, v in info.get("extra_logs", {}).items()}
    return out


PAD = "<|endoftext|>"


class OpenRlhfTorchTest(MeshTestCase):
    def setUp(self) -> None:
        super().setUp()
        if torch is None or requests is None:
            self.fail("python3-torch and python3-requests are needed to read rewards as OpenRLHF does")
        self.url = REWARD_HTTP.rstrip("/") + "/get_reward"
        self.label = openrlhf.make_label(self.example["image"], self.example["question"], [self.answer])
        self.wrong = self.expert.replace(f"Answer: {self.answer}", f"Answer: {wrong_answer(self.answer)}")
        # A chat prompt whose system turn holds a worked example — with the right answer and a
        # "#Draw" step — as OpenRLHF formats it (apply_chat_template), and as it comes back in the
        # query: left-padded, the one image placeholder expanded to the image's patches.
        example = f"Intent1: Box the answer\nAction1: #Draw Box, [100,100,300,300], Red\nAnswer: {self.answer}"
        self.prompt = (
            "<|im_start|>system\nYou answer by drawing on the chart. For example:<|im_end|>\n"
            f"<|im_start|>assistant\n{example}<|im_end|>\n"
            f"<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>{self.example['question']}<|im_end|>\n"
            "<|im_start|>assistant\n"
        )
        expanded = self.prompt.replace("<|image_pad|>", "<|image_pad|>" * 64)
        self.query = lambda response: PAD * 7 + expanded + response + "<|im_end|>" + PAD * 3

    def test_rewards_are_float_tensors_with_a_mean_and_std(self) -> None:
        body = requests.post(self.url, json={"query": [self.query(self.expert)], "prompts": [self.prompt], "labels": [self.label]}, timeout=60)
        self.assertEqual(body.status_code, 200, body.text)
        self.assertIn('"rewards":[1.0]', body.text.replace(" ", ""), "a float, written as one")
        for key in ("rewards", "scores"):
            self.assertEqual(torch.tensor(json.loads(body.text)[key]).dtype, torch.float32, key)
        out = remote_rm_fn(self.url, [self.query(t) for t in (self.expert, self.wrong)], [self.prompt] * 2, [self.label] * 2)
        self.assertEqual(out["rewards"].tolist(), [1.0, 0.0])
        self.assertAlmostEqual(out["rewards"].mean().item(), 0.5)
        self.assertAlmostEqual(out["rewards"].std().item(), 2**0.5 / 2, places=5)
        for key, values in out["extra_logs"].items():
            self.assertTrue(values.is_floating_point(), key)

    def test_the_response_is_found_past_padding_and_the_prompts_example(self) -> None:
        # No answer of its own: only the system prompt's example answers (rightly). Scoring the
        # whole query would grade that example, and rate its #Draw step as the policy's.
        silent = "I cannot read this chart."
        out = remote_rm_fn(self.url, [self.query(silent), self.query(self.expert)], [self.prompt] * 2, [self.label] * 2)
        self.assertEqual(out["rewards"].tolist(), [0.0, 1.0])
        self.assertEqual(out["extra_logs"]["format_ok"].tolist(), [0.0, 1.0])
        self.assertEqual(out["extra_logs"]["process_mean"][0].item(), 0.0, "no step of the prompt was rated")
        with self.assertRaises(RuntimeError):  # a query without its prompt: 400, never a guess
            request_api_wrapper(self.url, {"query": ["no prompt here"], "prompts": [self.prompt], "labels": [self.label]}, try_max_times=1)

    def test_dynamic_filtering_drops_all_right_and_all_wrong_groups(self) -> None:
        # Three prompts × 4 samples, one request per sample as OpenRLHF's current client sends them,
        # then merged as its experience maker does (torch.cat of each request's tensors).
        groups = [[self.expert] * 4, [self.wrong] * 4, [self.expert, self.wrong, self.wrong, self.expert]]
        infos = [remote_rm_fn(self.url, [self.query(t)], [self.prompt], [self.label]) for g in groups for t in g]
        rewards = torch.cat([i["rewards"] for i in infos]).view(3, 4)
        scores = torch.cat([i["scores"] for i in infos]).view(3, 4)
        self.assertTrue(((scores == 0) | (scores == 1)).all(), "scores are 0/1 correctness")
        low, high = 0.0, 1.0  # --dynamic_filtering_reward_range 0 1
        keep = [low + 1e-6 < s.mean().item() < high - 1e-6 for s in scores]
        self.assertEqual(keep, [False, False, True])
        advantages = (rewards - rewards.mean(-1, keepdim=True)) / (rewards.std(-1, keepdim=True) + 1e-9)
        self.assertTrue(torch.isfinite(advantages).all())
        self.assertEqual(advantages[2].tolist()[0] > 0, True)
        # The same samples in one batched request (older OpenRLHF) answer the same.
        batched = remote_rm_fn(self.url, [self.query(t) for g in groups for t in g], [self.prompt] * 12, [self.label] * 12)
        self.assertEqual(batched["rewards"].view(3, 4).tolist(), rewards.tolist())


if __name__ == "__main__":
    unittest.main()
