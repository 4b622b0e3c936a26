"""Test support: a fake RewardService (in-process, real gRPC on loopback) for the client's own
behaviour (retries, deadlines, errors, streaming), and access to the live mesh the e2e test starts
(test/src/pythonClient.e2e.test.ts sets the environment)."""

from __future__ import annotations

import os
import threading
import time
import unittest
from concurrent import futures
from typing import Optional

import grpc

from sketchvl_mesh._gen.sketchvl.v1 import prm_pb2, reward_pb2, reward_pb2_grpc, trajectory_pb2
from sketchvl_mesh.errors import bad_request_trailer

# ---------------------------------------------------------------------------------------------
# Live mesh
# ---------------------------------------------------------------------------------------------

REWARD_ADDRESS = os.environ.get("SKETCHVL_REWARD_ADDRESS", "")
REWARD_HTTP = os.environ.get("SKETCHVL_REWARD_HTTP", "")
CHARTWORLD_DIR = os.environ.get("SKETCHVL_CHARTWORLD_DIR", "")
REQUIRE_MESH = os.environ.get("SKETCHVL_REQUIRE_MESH") == "1"


def require_mesh(testcase: unittest.TestCase) -> None:
    """Skips (or, under the e2e runner, fails) when the live mesh is not configured."""
    missing = [n for n, v in (("SKETCHVL_REWARD_ADDRESS", REWARD_ADDRESS), ("SKETCHVL_REWARD_HTTP", REWARD_HTTP), ("SKETCHVL_CHARTWORLD_DIR", CHARTWORLD_DIR)) if not v]
    if missing:
        message = f"live mesh not configured ({', '.join(missing)} unset): run test/src/pythonClient.e2e.test.ts"
        if REQUIRE_MESH:
            testcase.fail(message)
        raise unittest.SkipTest(message)


# ---------------------------------------------------------------------------------------------
# Fake service
# ---------------------------------------------------------------------------------------------


class FakeRewardService(reward_pb2_grpc.RewardServiceServicer):
    """Grades "Answer: <first reference>" as 1, everything else 0; a response containing
    "MASKME" comes back masked (INFRASTRUCTURE); "Step:" lines become steps with score 3.
    Knobs: fail the next N calls with UNAVAILABLE, refuse with a BadRequest, delay."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[reward_pb2.ScoreGroupRequest] = []
        self.stream_messages: list[list[reward_pb2.StreamGroupRequest]] = []
        self.stream_arrivals: list[list[float]] = []
        self.unavailable = 0
        self.stream_unavailable_after: Optional[int] = None
        self.bad_request: Optional[list[tuple[str, str]]] = None
        self.delay_s = 0.0
        self.cancelled = threading.Event()
        self.authorizations: list[Optional[str]] = []

    # -- answers -------------------------------------------------------------------------------

    @staticmethod
    def answer(req: reward_pb2.ScoreGroupRequest, responses: list[reward_pb2.ResponseToScore]) -> reward_pb2.GroupRewards:
        ref = req.references[0] if req.references else ""
        out = reward_pb2.GroupRewards(request_id=req.request_id, image_digest="sha256:" + "ab" * 32)
        out.stage_ms["prm"] = 1.5
        rewards = []
        for r in responses:
            masked = "MASKME" in r.text
            rewards.append(None if masked else (1.0 if f"Answer: {ref}" in r.text else 0.0))
        scored = [x for x in rewards if x is not None]
        mean = sum(scored) / len(scored) if scored else 0.0
        for i, (r, reward) in enumerate(zip(responses, rewards)):
            rr = out.responses.add(id=r.id or str(i))
            if reward is None:
                rr.mask_sample = True
                rr.failure_kind = reward_pb2.FAILURE_KIND_INFRASTRUCTURE
                rr.failure_reason = "prm: UNAVAILABLE: fake"
                continue
            rr.outcome_reward = reward
            rr.coarse_advantage = reward - mean
            rr.reward_components["correctness"] = reward
            lines = [ln for ln in r.text.split("\n") if ln.startswith("Step:")]
            if not lines:
                rr.failure_kind = reward_pb2.FAILURE_KIND_FORMAT
                rr.failure_reason = "no drawing step found"
            pos = 0
            for j, ln in enumerate(lines):
                start = r.text.index(ln, pos)
                pos = start + len(ln)
                st = rr.steps.add(index=j, intent=ln[5:].strip(), label=prm_pb2.PRM_LABEL_ACCEPTABLE, process_score=3.0, advantage=rr.coarse_advantage)
                st.span.start, st.span.end = start, pos
                st.probabilities.extend([0.1, 0.7, 0.15, 0.05])
                st.action.line.start.x = 1
                st.action.color = "red"
            if lines:
                rr.mean_process_score = rr.min_process_score = rr.last_process_score = 3.0
            if "Answer:" in r.text:
                rr.answer = r.text.split("Answer:")[-1].strip()
            if r.token_offsets:
                n = len(r.token_offsets)
                rr.token_advantages.extend([rr.coarse_advantage] * n)
                rr.loss_mask.extend([True] * n)
                rr.token_process_scores.extend([0.0] * (n - 1) + [3.0 if lines else 0.0])
        return out

    # -- RPCs ----------------------------------------------------------------------------------

    def ScoreGroup(self, request, context):
        with self.lock:
            self.requests.append(request)
            self.authorizations.append(dict(context.invocation_metadata()).get("authorization"))
            fail = self.unavailable > 0
            if fail:
                self.unavailable -= 1
        if fail:
            context.abort(grpc.StatusCode.UNAVAILABLE, "fake: restarting")
        if self.bad_request is not None:
            context.set_trailing_metadata([bad_request_trailer(grpc.StatusCode.INVALID_ARGUMENT.value[0], "bad", self.bad_request, "INVALID_FIELD")])
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"{self.bad_request[0][0]}: {self.bad_request[0][1]}")
        if self.delay_s:
            time.sleep(self.delay_s)
        return reward_pb2.ScoreGroupResponse(group=self.answer(request, list(request.responses)))

    def StreamGroup(self, request_iterator, context):
        context.add_callback(self.cancelled.set)
        messages: list[reward_pb2.StreamGroupRequest] = []
        arrivals: list[float] = []
        with self.lock:
            self.stream_messages.append(messages)
            self.stream_arrivals.append(arrivals)
            limit = self.stream_unavailable_after
            self.stream_unavailable_after = None
        for m in request_iterator:
            messages.append(m)
            arrivals.append(time.monotonic())
            if limit is not None and len(messages) > limit:
                context.abort(grpc.StatusCode.UNAVAILABLE, "fake: stream cut")
        if not messages or messages[0].WhichOneof("item") != "group":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "item: the first message must be the group")
        group = messages[0].group
        responses = list(group.responses) + [m.response for m in messages[1:]]
        return reward_pb2.StreamGroupResponse(group=self.answer(group, responses))


class FakeServer:
    def __init__(self, credentials: Optional[grpc.ServerCredentials] = None) -> None:
        self.service = FakeRewardService()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        reward_pb2_grpc.add_RewardServiceServicer_to_server(self.service, self.server)
        if credentials is None:
            self.port = self.server.add_insecure_port("127.0.0.1:0")
        else:
            self.port = self.server.add_secure_port("127.0.0.1:0", credentials)
        self.address = f"127.0.0.1:{self.port}"
        self.server.start()

    def stop(self) -> None:
        self.server.stop(grace=None)


def closed_port_address() -> str:
    """A loopback address nothing listens on."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"127.0.0.1:{port}"


TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4a20000000049454e44ae426082"
)

__all__ = ["FakeServer", "FakeRewardService", "closed_port_address", "TINY_PNG", "require_mesh", "trajectory_pb2"]
