"""Chart-to-code (Visual-ERM) against the live mesh (started by test/src/pythonClient.e2e.test.ts):
a ChartWorld chart as a user exports it (charts.jsonl: the spec and the image), a group of
responses, and the rewards they must get: the reference judge's errors are exact."""

from __future__ import annotations

import copy
import json
import os
import unittest

from sketchvl_mesh import ChartCodeScore, RewardClient

from .support import CHARTWORLD_DIR, REWARD_ADDRESS, require_mesh


def load_chart() -> dict:
    with open(os.path.join(CHARTWORLD_DIR, "charts.jsonl")) as f:
        return json.loads(f.readline())


def fenced(spec: dict) -> str:
    return "Here is the chart:\n```json\n" + json.dumps(spec) + "\n```"


class ChartToCodeTest(unittest.TestCase):
    def setUp(self) -> None:
        require_mesh(self)
        self.client = RewardClient(REWARD_ADDRESS, timeout_s=60)
        self.chart = load_chart()
        self.image = os.path.join(CHARTWORLD_DIR, self.chart["image"])

    def tearDown(self) -> None:
        self.client.close()

    def test_rewards_and_every_component(self) -> None:
        spec = self.chart["spec"]
        wrong = copy.deepcopy(spec)
        wrong["title"] = "Not the title"  # text, severity 2
        mark = wrong["mark"]
        if isinstance(mark, dict):
            mark["type"] = "area" if mark["type"] != "area" else "bar"  # structure, severity 3
        else:
            wrong["mark"] = "area" if mark != "area" else "bar"
        looping = {"data": {"url": "https://example.com/data.csv"}, "mark": "point"}
        group = self.client.score_chart_code(
            self.image, spec, [fenced(spec), fenced(wrong), "no chart today", fenced(looping)], judge="reference"
        )
        exact, corrupted, missing, forbidden = group.responses

        self.assertIsInstance(exact.chart_code, ChartCodeScore)
        self.assertEqual(exact.chart_code.render_status, "OK")
        self.assertEqual((exact.outcome_reward, exact.chart_code.severity_sum, exact.chart_code.errors), (2.0, 0, []))

        self.assertEqual(corrupted.chart_code.render_status, "OK")
        found = sorted((e.location, e.category, e.severity) for e in corrupted.chart_code.errors)
        self.assertEqual(found, [("mark.type", "structure", 3), ("title", "text", 2)])
        self.assertEqual(corrupted.chart_code.severity_sum, 5)
        self.assertAlmostEqual(corrupted.outcome_reward, 1 + (1 - 5 / 50), places=12)
        self.assertEqual(corrupted.chart_code.judge, "reference")
        self.assertTrue(corrupted.chart_code.judge_output_parsed)
        self.assertTrue(corrupted.chart_code.rendered_digest.startswith("sha256:"))

        self.assertEqual((missing.chart_code.render_status, missing.outcome_reward), ("NO_CODE", 0.0))
        self.assertEqual((forbidden.chart_code.render_status, forbidden.outcome_reward), ("FORBIDDEN_IO", 0.0))
        self.assertIn("example.com", forbidden.chart_code.render_detail)
        self.assertFalse(any(r.mask_sample for r in group.responses))
        # A plain dict all the way down, for logging.
        self.assertEqual(json.loads(json.dumps(corrupted.to_dict()))["chart_code"]["severity_sum"], 5)


if __name__ == "__main__":
    unittest.main()
