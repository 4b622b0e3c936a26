"""Plain results of the reward service: dataclasses built from the proto answer, no protobuf
objects leak out (``to_dict()`` gives JSON-ready dicts)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from google.protobuf import json_format

from ._gen.sketchvl.v1 import chart_code_pb2, prm_pb2, reward_pb2

Span = tuple[int, int]


def _enum_suffix(enum_type: Any, value: int, prefix: str) -> Optional[str]:
    """'PRM_LABEL_EXCELLENT' -> 'EXCELLENT'; the UNSPECIFIED (0) value -> None."""
    if value == 0:
        return None
    try:
        name = enum_type.Name(value)
    except ValueError:  # a value newer than these stubs
        return str(value)
    return name[len(prefix):] if name.startswith(prefix) else name


def _span(msg: Any, present: bool) -> Optional[Span]:
    return (int(msg.start), int(msg.end)) if present else None


@dataclass(frozen=True)
class FormatIssue:
    """A step that could not be parsed (malformed policy output is normal in RL)."""

    step_index: int
    span: Optional[Span]
    field: str
    message: str


@dataclass(frozen=True)
class StepScore:
    """One reasoning step of a response, as the PRM scored it and FinePO credited it."""

    index: int
    turn: int
    #: [start, end) in the response text, Unicode code points (Python str indexing).
    span: Optional[Span]
    #: [start, end) in the response's tokens (only when token offsets were sent).
    token_span: Optional[Span]
    intent: str
    #: "POINT", "LINE", "RECTANGLE", "CIRCLE", "TEXT", "CROP" (None if the step has no action).
    action_kind: Optional[str]
    #: The DrawingAction as a dict (proto field names), e.g. {"rectangle": {...}, "color": "Red"}.
    action: Optional[dict]
    #: "EXCELLENT" / "ACCEPTABLE" / "POOR" / "UNACCEPTABLE"; None for steps the PRM did not rate.
    label: Optional[str]
    #: P(excellent), P(acceptable), P(poor), P(unacceptable).
    probabilities: list[float]
    #: p_j as FinePO consumed it (FinePRM scale 1..4).
    process_score: float
    kl_offset: float
    #: A(s_j), the step's FinePO advantage.
    advantage: float
    #: Text actions take no part in credit assignment (their advantage is the response's A(y)).
    excluded: bool


@dataclass(frozen=True)
class ChartCodeError:
    """One difference the judge found between the reference chart and the rendered one."""

    #: "structure", "data", "text" or "style".
    category: Optional[str]
    #: 1 (minor), 2 (clear), 3 (the chart reads differently).
    severity: int
    location: str
    description: str


@dataclass(frozen=True)
class ChartCodeScore:
    """The Visual-ERM reward of one chart-to-code response, with what it was computed from."""

    #: "OK", "NO_CODE", "INVALID_SPEC", "TIMEOUT", "MEMORY_LIMIT", "FORBIDDEN_IO", "TOO_LARGE", "BLANK".
    render_status: Optional[str]
    render_detail: str
    errors: list[ChartCodeError]
    #: S = sum of severities (25 when the judge's output could not be parsed).
    severity_sum: int
    judge_output_parsed: bool
    #: 1 + clip(1 - S/50, 0, 1), or 0 when render_status is not "OK".
    reward: float
    rendered_digest: str
    judge: str


@dataclass(frozen=True)
class ResponseScore:
    """Everything the service says about one response of the group."""

    id: str
    answer: str
    #: R(y_i) and A(y_i) = R(y_i) - mean_group(R).
    outcome_reward: float
    coarse_advantage: float
    #: Over the scored (non-Text) steps; 0 when there are none (see failure_kind / mask_sample).
    mean_process_score: float
    min_process_score: float
    last_process_score: float
    steps: list[StepScore]
    format_errors: list[FormatIssue]
    #: Per completion token (only when token offsets were sent): FinePO advantage, loss mask, and
    #: the process score on each step's last token (0 elsewhere, verl's dense-reward convention).
    token_advantages: list[float]
    loss_mask: list[bool]
    token_process_scores: list[float]
    #: True when the sample must not be trained on: its reward is unknown, not 0.
    mask_sample: bool
    #: None, or "FORMAT" (kept: no process credit), "INFRASTRUCTURE", "TIMEOUT", "INVALID_INPUT" (masked).
    failure_kind: Optional[str]
    failure_reason: str
    reward_components: dict[str, float]
    #: Chart-to-code groups only (RewardClient.score_chart_code): every part of the Visual-ERM reward.
    chart_code: Optional["ChartCodeScore"] = None

    @property
    def step_advantages(self) -> list[float]:
        return [s.advantage for s in self.steps]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class GroupScore:
    """The answer for a group: one ResponseScore per response, in the order they were sent."""

    request_id: str
    #: The prompt image's digest in the mesh ("sha256:..."): send it instead of the bytes next time.
    image_digest: str
    responses: list[ResponseScore]
    #: Time per stage over the whole group (ms).
    stage_ms: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.responses)

    def __iter__(self) -> Iterator[ResponseScore]:
        return iter(self.responses)

    def __getitem__(self, i: int) -> ResponseScore:
        return self.responses[i]

    @property
    def outcome_rewards(self) -> list[float]:
        return [r.outcome_reward for r in self.responses]

    @property
    def coarse_advantages(self) -> list[float]:
        return [r.coarse_advantage for r in self.responses]

    @property
    def masked(self) -> list[bool]:
        return [r.mask_sample for r in self.responses]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def step_from_proto(s: reward_pb2.StepRecord) -> StepScore:
    has_action = s.HasField("action")
    kind = s.action.WhichOneof("kind") if has_action else None
    return StepScore(
        index=int(s.index),
        turn=int(s.turn),
        span=_span(s.span, s.HasField("span")),
        token_span=_span(s.token_span, s.HasField("token_span")),
        intent=s.intent,
        action_kind=kind.upper() if kind else None,
        action=json_format.MessageToDict(s.action, preserving_proto_field_name=True) if has_action else None,
        label=_enum_suffix(prm_pb2.PrmLabel, s.label, "PRM_LABEL_"),
        probabilities=[float(p) for p in s.probabilities],
        process_score=float(s.process_score),
        kl_offset=float(s.kl_offset),
        advantage=float(s.advantage),
        excluded=bool(s.excluded),
    )


def response_from_proto(r: reward_pb2.ResponseReward) -> ResponseScore:
    return ResponseScore(
        id=r.id,
        answer=r.answer,
        outcome_reward=float(r.outcome_reward),
        coarse_advantage=float(r.coarse_advantage),
        mean_process_score=float(r.mean_process_score),
        min_process_score=float(r.min_process_score),
        last_process_score=float(r.last_process_score),
        steps=[step_from_proto(s) for s in r.steps],
        format_errors=[
            FormatIssue(int(e.step_index), _span(e.span, e.HasField("span")), e.field, e.message) for e in r.format_errors
        ],
        token_advantages=[float(x) for x in r.token_advantages],
        loss_mask=[bool(x) for x in r.loss_mask],
        token_process_scores=[float(x) for x in r.token_process_scores],
        mask_sample=bool(r.mask_sample),
        failure_kind=_enum_suffix(reward_pb2.FailureKind, r.failure_kind, "FAILURE_KIND_"),
        failure_reason=r.failure_reason,
        reward_components={k: float(v) for k, v in sorted(r.reward_components.items())},
        chart_code=chart_code_from_proto(r.chart_code) if r.HasField("chart_code") else None,
    )


def chart_code_from_proto(c: reward_pb2.ChartCodeReward) -> ChartCodeScore:
    return ChartCodeScore(
        render_status=_enum_suffix(chart_code_pb2.ChartRenderStatus, c.render_status, "CHART_RENDER_STATUS_"),
        render_detail=c.render_detail,
        errors=[
            ChartCodeError(
                (_enum_suffix(chart_code_pb2.ChartErrorCategory, e.category, "CHART_ERROR_CATEGORY_") or "").lower() or None,
                int(e.severity),
                e.location,
                e.description,
            )
            for e in c.errors
        ],
        severity_sum=int(c.severity_sum),
        judge_output_parsed=bool(c.judge_output_parsed),
        reward=float(c.reward),
        rendered_digest=c.rendered_digest,
        judge=c.judge,
    )


def group_from_proto(g: reward_pb2.GroupRewards, sent_ids: Optional[list[str]] = None) -> GroupScore:
    """Builds the GroupScore; when the ids sent are known, responses are put in that order
    (matched by id), whatever order the service answered in."""
    responses = [response_from_proto(r) for r in g.responses]
    if sent_ids and len(sent_ids) == len(responses):
        by_id = {r.id: r for r in responses}
        if len(by_id) == len(responses) and set(by_id) == set(sent_ids):
            responses = [by_id[i] for i in sent_ids]
    return GroupScore(
        request_id=g.request_id,
        image_digest=g.image_digest,
        responses=responses,
        stage_ms={k: float(v) for k, v in sorted(g.stage_ms.items())},
    )


__all__ = ["GroupScore", "ResponseScore", "StepScore", "FormatIssue", "Span", "ChartCodeScore", "ChartCodeError"]
