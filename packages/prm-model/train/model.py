"""The FinePRM network (packages/prm-model/README.md, "The network"):

    local   [5,32,32]  -> 3 x (conv3x3 -> max-pool 2 -> ReLU), 8/16/32 channels -> 512 -+
    context [5,16,16]  -> 3 x (conv3x3 -> max-pool 2 -> ReLU), 8/16/32 channels -> 128  |
    ends    [10,16,16] -> 3 x (conv3x3 -> max-pool 2 -> ReLU), 8/16/32 channels -> 128  +-> concat 876
    meta    [108] ---------------------------------------------------------------------+   -> Linear 128 -> ReLU -> Linear 4

Max-pool then ReLU computes exactly what ReLU then max-pool does (ReLU is monotonic) on a quarter
of the values. forward() returns logits; `Probabilities` adds the softmax the ONNX graph ends with.
Input names and per-step shapes come from the dataset (packages/prm-model/src/features.ts INPUTS).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

INPUT_NAMES = ("local", "context", "ends", "meta")
TOWER_INPUTS = INPUT_NAMES[:3]
CLASSES = 4


@dataclass
class Tower:
    input: str
    in_channels: int
    size: int
    channels: list[int]


@dataclass
class Architecture:
    towers: list[Tower]
    meta: int
    hidden: list[int] = field(default_factory=lambda: [128])
    classes: int = CLASSES

    @staticmethod
    def for_shapes(shapes: dict[str, tuple[int, ...]], channels=(8, 16, 32), hidden=(128,)) -> "Architecture":
        """Towers over the per-step shapes {name: (C, S, S)} of local / context / ends, meta (M,)."""
        towers = [Tower(name, shapes[name][0], shapes[name][1], list(channels)) for name in TOWER_INPUTS]
        return Architecture(towers=towers, meta=shapes["meta"][0], hidden=list(hidden))

    def to_json(self) -> dict:
        """The shape config.json's "trained.architecture" has always had."""
        return {
            "towers": [{"input": t.input, "inChannels": t.in_channels, "size": t.size, "channels": list(t.channels)} for t in self.towers],
            "meta": self.meta,
            "hidden": list(self.hidden),
            "classes": self.classes,
        }

    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes = {t.input: (t.in_channels, t.size, t.size) for t in self.towers}
        shapes["meta"] = (self.meta,)
        return shapes

    def macs_per_step(self) -> int:
        """Multiply-adds of one step's forward pass (x2 = FLOPs)."""
        macs = 0
        for t in self.towers:
            cin, size = t.in_channels, t.size
            for cout in t.channels:
                macs += cout * cin * 9 * size * size
                cin, size = cout, size // 2
        nin = self.head_in()
        for nout in [*self.hidden, self.classes]:
            macs += nin * nout
            nin = nout
        return macs

    def head_in(self) -> int:
        return sum(t.channels[-1] * (t.size >> len(t.channels)) ** 2 for t in self.towers) + self.meta


class ConvTower(nn.Module):
    def __init__(self, spec: Tower):
        super().__init__()
        layers: list[nn.Module] = []
        cin, size = spec.in_channels, spec.size
        for i, cout in enumerate(spec.channels):
            if size % 2:
                raise ValueError(f"tower {spec.input}: size {size} is odd before block {i}")
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.MaxPool2d(2), nn.ReLU()]
            cin, size = cout, size // 2
        self.blocks = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.blocks(x), 1)


class FinePRM(nn.Module):
    def __init__(self, arch: Architecture):
        super().__init__()
        if [t.input for t in arch.towers] != list(TOWER_INPUTS):
            raise ValueError(f"towers must be {TOWER_INPUTS}")
        self.arch = arch
        self.towers = nn.ModuleDict({t.input: ConvTower(t) for t in arch.towers})
        head: list[nn.Module] = []
        nin = arch.head_in()
        for nout in arch.hidden:
            head += [nn.Linear(nin, nout), nn.ReLU()]
            nin = nout
        head.append(nn.Linear(nin, arch.classes))
        self.head = nn.Sequential(*head)

    def forward(self, local, context, ends, meta):
        parts = [self.towers["local"](local), self.towers["context"](context), self.towers["ends"](ends), meta]
        return self.head(torch.cat(parts, dim=1))


class Probabilities(nn.Module):
    """What the ONNX graph computes: softmax over the four labels."""

    def __init__(self, model: FinePRM):
        super().__init__()
        self.model = model

    def forward(self, local, context, ends, meta):
        return torch.softmax(self.model(local, context, ends, meta), dim=1)


def initialize(model: FinePRM) -> None:
    """He-normal weights (fan-in), zero biases, the output layer x0.1 so the first predictions are
    near uniform. Draws from torch's global generator: seed it first (torch.manual_seed)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
                m.bias.zero_()
        model.head[-1].weight.mul_(0.1)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
