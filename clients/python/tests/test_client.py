"""RewardClient against a fake RewardService over real gRPC: request building, retries only on
UNAVAILABLE with one request id, deadlines, typed errors with BadRequest fields, streaming."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import time
import unittest

import grpc

from sketchvl_mesh import RewardClient, RewardServiceError, image_message
from sketchvl_mesh.client import outcome_message
from sketchvl_mesh._gen.sketchvl.v1 import reward_pb2, trainer_pb2
from sketchvl_mesh.errors import bad_request_trailer, error_reason, parse_status_details
from sketchvl_mesh.integrations import _common

from .support import TINY_PNG, FakeServer, closed_port_address


class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.fake = FakeServer()
        self.client = RewardClient(self.fake.address, timeout_s=10, backoff_s=0.01, max_backoff_s=0.05)

    def tearDown(self) -> None:
        self.client.close()
        self.fake.stop()

    def test_builds_the_request_from_plain_python_values(self) -> None:
        with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
            f.write(TINY_PNG)
        try:
            group = self.client.score_group(
                f.name, "Which year?", "2002",
                ["Step: box\nAnswer: 2002", {"text": "Answer: 1999", "id": "b", "token_offsets": [0, 7]}],
                token_offsets=[[0, 5, 9], None], image_token_spans=[[(1, 2)], None],
                run_id="run-1", batch_index=7, finepo={"mode": "finepo_no_kl", "alpha": 0.3, "window_batches": 4},
                outcome="exact_match", prm_model="finepr", step_format="sketchvl", sample_timeout_ms=5000,
            )
        finally:
            os.unlink(f.name)
        req = self.fake.service.requests[-1]
        self.assertEqual(req.image.WhichOneof("source"), "encoded")
        self.assertEqual(req.image.encoded, TINY_PNG)
        self.assertEqual(list(req.references), ["2002"])
        self.assertEqual([r.id for r in req.responses], ["0", "b"])
        self.assertEqual(list(req.responses[0].token_offsets), [0, 5, 9])
        self.assertEqual(list(req.responses[1].token_offsets), [0, 7], "a dict's own offsets are kept when the list has None")
        self.assertEqual([(s.start, s.end) for s in req.responses[0].image_token_spans], [(1, 2)])
        self.assertEqual((req.run_id, req.batch_index, req.prm_model, req.sample_timeout_ms), ("run-1", 7, "finepr", 5000))
        self.assertEqual(req.finepo.mode, trainer_pb2.ADVANTAGE_MODE_FINEPO_NO_KL)
        self.assertTrue(req.finepo.HasField("alpha") and not req.finepo.HasField("beta"), "unset knobs stay unset (service defaults)")
        self.assertAlmostEqual(req.finepo.alpha, 0.3)
        self.assertEqual(req.outcome.kind, reward_pb2.OUTCOME_REWARD_EXACT_MATCH)
        self.assertRegex(req.request_id, r"^[0-9a-f]{32}$")
        # Plain results.
        self.assertEqual(group.outcome_rewards, [1.0, 0.0])
        self.assertEqual(group.coarse_advantages, [0.5, -0.5])
        first = group[0]
        self.assertEqual(first.answer, "2002")
        self.assertEqual(len(first.steps), 1)
        step = first.steps[0]
        self.assertEqual((step.label, step.action_kind, step.span, step.token_span), ("ACCEPTABLE", "LINE", (0, 9), None))
        self.assertEqual(step.action["color"], "red")
        self.assertAlmostEqual(sum(step.probabilities), 1.0, places=5)
        self.assertEqual(first.token_advantages, [0.5, 0.5, 0.5])
        self.assertEqual(first.loss_mask, [True, True, True])
        self.assertIsNone(first.failure_kind)
        self.assertEqual(group[1].failure_kind, "FORMAT")
        self.assertFalse(group[1].mask_sample)
        self.assertEqual(group.stage_ms, {"prm": 1.5})
        self.assertIn("outcome_reward", group.to_dict()["responses"][0])

    def test_digest_and_unknown_options(self) -> None:
        digest = "sha256:" + hashlib.sha256(TINY_PNG).hexdigest()
        self.client.score_group(digest, "q", ["a"], ["Answer: a"])
        self.assertEqual(self.fake.service.requests[-1].image.digest, digest)
        with self.assertRaises(ValueError):
            self.client.score_group(TINY_PNG, "q", ["a"], ["x"], finepo={"alpah": 0.1})
        with self.assertRaises(ValueError):
            self.client.score_group(TINY_PNG, "q", ["a"], ["x"], outcome="bleu")
        with self.assertRaises(ValueError):
            self.client.score_group(TINY_PNG, "q", ["a"], ["x", "y"], token_offsets=[[0]])

    def test_retries_unavailable_with_the_same_request_id(self) -> None:
        self.fake.service.unavailable = 2
        group = self.client.score_group(TINY_PNG, "q", ["a"], ["Answer: a", "Answer: b"])
        ids = [r.request_id for r in self.fake.service.requests]
        self.assertEqual(len(ids), 3)
        self.assertEqual(len(set(ids)), 1, "one request id, generated once, reused on every retry")
        self.assertEqual(group.request_id, ids[0])
        self.assertEqual(group.outcome_rewards, [1.0, 0.0])

    def test_retries_are_bounded(self) -> None:
        client = RewardClient(self.fake.address, timeout_s=10, max_retries=2, backoff_s=0.01)
        self.fake.service.unavailable = 10
        with self.assertRaises(RewardServiceError) as caught:
            client.score_group(TINY_PNG, "q", ["a"], ["x"], request_id="fixed-id")
        err = caught.exception
        self.assertEqual(err.code, grpc.StatusCode.UNAVAILABLE)
        self.assertTrue(err.retryable)
        self.assertEqual(err.attempts, 3)
        self.assertEqual(err.request_id, "fixed-id")
        self.assertEqual([r.request_id for r in self.fake.service.requests], ["fixed-id"] * 3)
        client.close()

    def test_invalid_argument_is_not_retried_and_names_the_fields(self) -> None:
        self.fake.service.bad_request = [("finepo.alpha", "must be in [0, 1)"), ("references", "give at least one")]
        with self.assertRaises(RewardServiceError) as caught:
            self.client.score_group(TINY_PNG, "q", ["a"], ["x"])
        err = caught.exception
        self.assertEqual(err.code_name, "INVALID_ARGUMENT")
        self.assertEqual(err.fields, ["finepo.alpha", "references"])
        self.assertEqual(err.reason, "INVALID_FIELD")
        self.assertEqual(err.field_violations[0].description, "must be in [0, 1)")
        self.assertFalse(err.retryable)
        self.assertEqual(len(self.fake.service.requests), 1)
        self.assertIn("finepo.alpha", str(err))

    def test_every_call_has_a_deadline(self) -> None:
        self.fake.service.delay_s = 3
        started = time.monotonic()
        with self.assertRaises(RewardServiceError) as caught:
            self.client.score_group(TINY_PNG, "q", ["a"], ["x"], timeout_s=0.3)
        self.assertLess(time.monotonic() - started, 2.0)
        self.assertEqual(caught.exception.code, grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertEqual(len(self.fake.service.requests), 1, "a deadline is not retried")

    def test_an_unreachable_service_fails_within_the_deadline(self) -> None:
        client = RewardClient(closed_port_address(), timeout_s=1.5, max_retries=10, backoff_s=0.05, max_backoff_s=0.2)
        started = time.monotonic()
        with self.assertRaises(RewardServiceError) as caught:
            client.score_group(TINY_PNG, "q", ["a"], ["x"])
        self.assertLess(time.monotonic() - started, 3.0)
        self.assertIn(caught.exception.code, (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED))
        self.assertGreater(caught.exception.attempts, 1)
        client.close()

    def test_stream_sends_the_group_then_one_response_per_message_as_generated(self) -> None:
        sent_at: list[float] = []

        def generate():
            for i, text in enumerate(["Step: a\nAnswer: a", "Answer: b", "Answer: a"]):
                time.sleep(0.05)
                sent_at.append(time.monotonic())
                yield text if i != 1 else {"text": text, "token_offsets": [0, 3]}

        group = self.client.stream_group(TINY_PNG, "q", ["a"], generate(), run_id="r", batch_index=3)
        messages = self.fake.service.stream_messages[-1]
        self.assertEqual([m.WhichOneof("item") for m in messages], ["group", "response", "response", "response"])
        self.assertEqual(len(messages[0].group.responses), 0)
        self.assertEqual((messages[0].group.run_id, messages[0].group.batch_index), ("r", 3))
        self.assertEqual([m.response.id for m in messages[1:]], ["0", "1", "2"])
        self.assertEqual(list(messages[2].response.token_offsets), [0, 3])
        self.assertEqual(group.outcome_rewards, [1.0, 0.0, 1.0])
        self.assertEqual([r.id for r in group], ["0", "1", "2"])
        arrivals = self.fake.service.stream_arrivals[-1]
        self.assertLess(arrivals[1], sent_at[2], "the first response reached the service before the last was generated")

    def test_a_cut_stream_is_replayed_with_the_same_request_id(self) -> None:
        self.fake.service.stream_unavailable_after = 2  # the group and one response, then cut
        group = self.client.stream_group(TINY_PNG, "q", ["a"], iter(["Answer: a", "Answer: b", "Answer: c"]))
        attempts = self.fake.service.stream_messages
        self.assertEqual(len(attempts), 2)
        self.assertEqual(attempts[0][0].group.request_id, attempts[1][0].group.request_id)
        self.assertEqual([m.response.text for m in attempts[1][1:]], ["Answer: a", "Answer: b", "Answer: c"])
        self.assertEqual(group.outcome_rewards, [1.0, 0.0, 0.0])

    def test_a_failing_generator_cancels_the_stream(self) -> None:
        def generate():
            yield "Answer: a"
            time.sleep(0.1)
            raise KeyError("generation crashed")

        with self.assertRaises(KeyError):
            self.client.stream_group(TINY_PNG, "q", ["a"], generate())
        self.assertTrue(self.fake.service.cancelled.wait(2.0), "the service saw the call cancelled, not half-closed")

    def test_health(self) -> None:
        # The fake has no health service: the call fails as UNIMPLEMENTED, typed.
        with self.assertRaises(RewardServiceError) as caught:
            self.client.health()
        self.assertEqual(caught.exception.code, grpc.StatusCode.UNIMPLEMENTED)


class OutcomeTest(unittest.TestCase):
    def test_rewardmap_weights_and_sub_answers_from_a_dict(self) -> None:
        msg = outcome_message({
            "kind": "rewardmap", "detail_alpha": 0.5, "map_weight": 0.6, "question_weight": 0.75,
            "sub_answers": [{"name": "legend:FDI", "region": (10, 20, 110, 60)}, {"name": "value:FDI:2015", "values": [412]}],
        })
        self.assertEqual(msg.kind, reward_pb2.OUTCOME_REWARD_REWARDMAP)
        self.assertEqual((msg.map_weight, msg.question_weight, msg.detail_alpha), (0.6, 0.75, 0.5))
        first, second = msg.sub_answers
        self.assertEqual((first.name, first.region.corner1.x, first.region.corner1.y, first.region.corner2.x, first.region.corner2.y), ("legend:FDI", 10, 20, 110, 60))
        self.assertFalse(second.HasField("region"))
        self.assertEqual(list(second.values), ["412"])
        with self.assertRaisesRegex(ValueError, r"sub_answers\[0\] has unknown keys \['box'\]"):
            outcome_message({"kind": "rewardmap", "sub_answers": [{"name": "x", "box": (0, 0, 1, 1)}]})


class ImageAndDetailsTest(unittest.TestCase):
    def test_image_forms(self) -> None:
        self.assertEqual(image_message(TINY_PNG).encoded, TINY_PNG)
        self.assertEqual(image_message({"bytes": TINY_PNG, "path": None}).encoded, TINY_PNG)
        self.assertEqual(image_message("sha256:" + "0" * 64).digest, "sha256:" + "0" * 64)
        with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
            f.write(TINY_PNG)
        try:
            self.assertEqual(image_message("file://" + f.name).encoded, TINY_PNG)
            self.assertEqual(image_message({"path": f.name}).encoded, TINY_PNG)
        finally:
            os.unlink(f.name)
        try:
            from PIL import Image
        except ImportError:  # pragma: no cover
            self.skipTest("python3-pil not installed")
        png = image_message(Image.new("RGB", (4, 3), "white")).encoded
        self.assertEqual(Image.open(io.BytesIO(png)).size, (4, 3))
        with self.assertRaises(TypeError):
            image_message(42)

    def test_status_details_roundtrip_and_garbage(self) -> None:
        key, value = bad_request_trailer(3, "bad", [("steps[2].action.color", "unknown colour")])
        violations, others = parse_status_details([(key, value)])
        self.assertEqual([(v.field, v.description) for v in violations], [("steps[2].action.color", "unknown colour")])
        self.assertEqual(others, [])
        self.assertEqual(parse_status_details([(key, b"\xff\xff\xff")]), ([], []))
        self.assertEqual(parse_status_details(None), ([], []))

    def test_the_reason_is_read_from_error_info_only_when_the_contract_knows_it(self) -> None:
        for sent, read in (("IMAGE_NOT_FOUND", "IMAGE_NOT_FOUND"), ("SOMETHING_NEWER", "UNSPECIFIED")):
            key, value = bad_request_trailer(5, "gone", [("image.digest", "not stored")], sent)
            _, others = parse_status_details([(key, value)])
            self.assertEqual(error_reason(others), (read, {}))
        self.assertEqual(error_reason([]), ("UNSPECIFIED", {}))
        # A call that failed for lack of time somewhere in the mesh is TIMEOUT, not INFRASTRUCTURE.
        late = RewardServiceError(grpc.StatusCode.UNAVAILABLE, "prm: DEADLINE_EXCEEDED", reason="DEPENDENCY_TIMED_OUT")
        self.assertEqual(_common.failure_kind_of_error(late), "TIMEOUT")
        self.assertEqual(_common.failure_kind_of_error(RewardServiceError(grpc.StatusCode.UNAVAILABLE, "down")), "INFRASTRUCTURE")


if __name__ == "__main__":
    unittest.main()
