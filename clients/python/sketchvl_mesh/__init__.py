"""Python client of SketchVL Mesh's reward service (sketchvl.v1.RewardService).

- :class:`RewardClient`: ``score_group`` / ``stream_group`` over gRPC, ``score_chart_code`` for
  chart-to-code groups (Visual-ERM rewards), with deadlines, bounded
  retries on UNAVAILABLE and typed errors.
- :mod:`sketchvl_mesh.integrations.verl`, ``.trl``, ``.openrlhf``: shims for RL frameworks.

Generated stubs live in ``sketchvl_mesh._gen`` (``clients/python/generate.sh``; never hand-edited).
"""

from .client import DEFAULT_ADDRESS, RewardClient, build_group_request, image_message, new_request_id
from .errors import FieldViolation, RewardServiceError
from .types import ChartCodeError, ChartCodeScore, FormatIssue, GroupScore, ResponseScore, StepScore

__version__ = "0.1.0"

__all__ = [
    "RewardClient",
    "DEFAULT_ADDRESS",
    "RewardServiceError",
    "FieldViolation",
    "GroupScore",
    "ResponseScore",
    "StepScore",
    "FormatIssue",
    "ChartCodeScore",
    "ChartCodeError",
    "build_group_request",
    "image_message",
    "new_request_id",
]
