"""The built-in SketchVL policy network (see packages/policy-model/README.md, "Model").

Two paths share every weight and every formula:

- ``forward_full``: training / scoring. Whole sequences at once (causal self-attention with a key
  mask), cross-attention of each token to the visual tokens of its own image, log-probs of the
  requested next tokens.
- ``step``: one token per row with a KV cache, exactly the ONNX ``decoder.onnx`` signature. The
  policy service samples with it; ``check.json`` and the tests prove both paths give the same
  log-probs.

``encode_cross`` is the ONNX ``encoder.onnx`` signature: image -> each decoder layer's
cross-attention K and V, computed once per image.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

# Fixed vocabulary ids (the design's "Tokens").
PAD, BOS, EOS, EOT, IMAGE, UNK = 0, 1, 2, 3, 4, 5
SPECIAL_TOKENS = 6

# Additive attention bias for masked keys. Finite (not -inf) so a row whose keys are all masked
# gives a uniform average instead of NaN; exp(-1e9 - max) is exactly 0 in float32, so masked keys
# contribute nothing whenever at least one key is unmasked.
MASK_BIAS = -1e9

# The encoder downsamples by 16 (a stride-4 stem, two stride-2 convolutions): V = (S/16)^2 visual tokens.
ENCODER_STRIDE = 16

# Cross-attention in the full forward packs each (sequence, image) run of tokens into blocks of
# this many queries, so a token only ever scores the V keys of its own image (see _cross_layout).
CROSS_BLOCK = 32


@dataclass(frozen=True)
class Architecture:
    vocab_size: int
    image_size: int = 128
    d_model: int = 128
    layers: int = 2
    heads: int = 4
    max_positions: int = 320

    @property
    def d_head(self) -> int:
        return self.d_model // self.heads

    @property
    def grid(self) -> int:
        return self.image_size // ENCODER_STRIDE

    @property
    def visual_tokens(self) -> int:
        return self.grid * self.grid

    def validate(self) -> None:
        """Raises ValueError naming the offending field."""
        if self.vocab_size <= SPECIAL_TOKENS:
            raise ValueError(f"vocab_size must be > {SPECIAL_TOKENS} (the special tokens), got {self.vocab_size}")
        if self.image_size < ENCODER_STRIDE or self.image_size % ENCODER_STRIDE:
            raise ValueError(f"image_size must be a positive multiple of {ENCODER_STRIDE}, got {self.image_size}")
        if self.d_model <= 0 or self.heads <= 0 or self.d_model % self.heads:
            raise ValueError(f"d_model ({self.d_model}) must be a positive multiple of heads ({self.heads})")
        if self.layers <= 0:
            raise ValueError(f"layers must be positive, got {self.layers}")
        if self.max_positions <= 1:
            raise ValueError(f"max_positions must be > 1, got {self.max_positions}")

    def to_json(self) -> dict:
        return asdict(self)


class Encoder(nn.Module):
    """Small CNN: [N,3,S,S] in [0,1] -> [N, V, d_model] visual tokens (+ learned 2-D positions).

    A 4x4 stride-4 patch stem then two 3x3 stride-2 convolutions (total stride 16). The patch
    stem costs half of a stack of four 3x3 stride-2 convolutions in forward + backward here
    (the first layer's backward at full resolution dominated), for the same output grid.
    """

    def __init__(self, arch: Architecture):
        super().__init__()
        d = arch.d_model
        c1, c2 = max(16, d // 4), max(32, d // 2)
        self.stem = nn.Conv2d(3, c1, kernel_size=4, stride=4)
        self.conv1 = nn.Conv2d(c1, c2, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(c2, d, kernel_size=3, stride=2, padding=1)
        self.proj = nn.Linear(d, d)
        # 2-D position: a row and a column embedding, summed (learned, grid x grid).
        self.row = nn.Parameter(torch.zeros(arch.grid, d))
        self.col = nn.Parameter(torch.zeros(arch.grid, d))
        self.norm = nn.LayerNorm(d)
        self.grid = arch.grid

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        # Centre the [0,1] input so the first layer sees roughly zero-mean values.
        x = F.gelu(self.stem((image - 0.5) * 4.0))
        x = self.conv2(F.gelu(self.conv1(x)))
        x = x.flatten(2).transpose(1, 2)  # [N, V, d], row-major over the grid
        pos = (self.row[:, None, :] + self.col[None, :, :]).reshape(self.grid * self.grid, -1)
        return self.norm(self.proj(F.gelu(x)) + pos)


class Block(nn.Module):
    """Pre-LN decoder block: causal self-attention, cross-attention to one image, MLP 4x."""

    def __init__(self, arch: Architecture):
        super().__init__()
        d = arch.d_model
        self.heads, self.d_head = arch.heads, arch.d_head
        self.ln_self = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out_self = nn.Linear(d, d)
        self.ln_cross = nn.LayerNorm(d)
        self.q_cross = nn.Linear(d, d)
        self.kv_cross = nn.Linear(d, 2 * d)  # applied to the visual tokens (encoder side)
        self.out_cross = nn.Linear(d, d)
        self.ln_mlp = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """[..., L, d] -> [..., H, L, d_head]."""
        x = x.reshape(*x.shape[:-1], self.heads, self.d_head)
        return x.transpose(-3, -2)

    def merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        """[..., H, L, d_head] -> [..., L, d]."""
        x = x.transpose(-3, -2)
        return x.reshape(*x.shape[:-2], self.heads * self.d_head)

    def cross_kv(self, visual: torch.Tensor) -> torch.Tensor:
        """[N, V, d] -> [2, N, H, V, d_head]."""
        k, v = self.kv_cross(visual).chunk(2, dim=-1)
        return torch.stack([self.split_heads(k), self.split_heads(v)])

    def mlp(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(self.ln_mlp(x))))


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    # Scale the queries (L x d_head) rather than the scores (L x L); add the mask in place
    # (matmul's backward does not need its output), one pass less over the biggest tensor.
    scores = torch.matmul(q * (1.0 / math.sqrt(q.shape[-1])), k.transpose(-1, -2))
    if bias is not None:
        scores = scores + bias if torch.onnx.is_in_onnx_export() else scores.add_(bias)
    return torch.matmul(torch.softmax(scores, dim=-1), v)


class Policy(nn.Module):
    def __init__(self, arch: Architecture):
        super().__init__()
        arch.validate()
        self.arch = arch
        self.encoder = Encoder(arch)
        self.tok = nn.Embedding(arch.vocab_size, arch.d_model)
        self.pos = nn.Embedding(arch.max_positions, arch.d_model)
        self.blocks = nn.ModuleList(Block(arch) for _ in range(arch.layers))
        self.ln_out = nn.LayerNorm(arch.d_model)
        # Output head tied to the token embedding (fewer parameters; the same matrix reads and writes tokens).

    # ---------------------------------------------------------------- initialization

    @staticmethod
    def create(arch: Architecture, seed: int) -> "Policy":
        """A freshly initialized policy; the same seed gives the same weights."""
        state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        try:
            model = Policy(arch)
            model.reset_parameters()
        finally:
            torch.random.set_rng_state(state)
        return model

    def reset_parameters(self) -> None:
        # GPT-2 style: N(0, 0.02) for weights, zero biases, LayerNorm at identity, and residual
        # output projections scaled by 1/sqrt(2 * layers) so the residual stream's variance does
        # not grow with depth. Convolutions: He init (GELU ~ ReLU).
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, std=0.02)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, std=0.02)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        residual_std = 0.02 / math.sqrt(2 * self.arch.layers)
        for block in self.blocks:
            for proj in (block.out_self, block.out_cross, block.fc2):
                nn.init.normal_(proj.weight, std=residual_std)
        nn.init.normal_(self.encoder.row, std=0.02)
        nn.init.normal_(self.encoder.col, std=0.02)

    # ---------------------------------------------------------------- encoder (encoder.onnx)

    def encode_cross(self, image: torch.Tensor) -> torch.Tensor:
        """[N,3,S,S] -> cross_kv [layers, 2, N, heads, V, d_head]."""
        visual = self.encoder(image)
        return torch.stack([block.cross_kv(visual) for block in self.blocks])

    # ---------------------------------------------------------------- one step (decoder.onnx)

    def step(
        self,
        token: torch.Tensor,  # int64 [B,1]
        position: torch.Tensor,  # int64 [B,1]
        attention_mask: torch.Tensor,  # float32 [B,P+1], last column = the current token
        past_kv: torch.Tensor,  # float32 [layers,2,B,H,P,dh]
        cross_kv: torch.Tensor,  # float32 [layers,2,B,H,V,dh]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One decoding step -> (logprobs [B,vocab], present_kv [layers,2,B,H,P+1,dh])."""
        x = self.tok(token) + self.pos(position)  # [B,1,d]
        bias = ((1.0 - attention_mask) * MASK_BIAS)[:, None, None, :]  # [B,1,1,P+1]
        present = []
        for i, block in enumerate(self.blocks):
            q, k, v = block.qkv(block.ln_self(x)).chunk(3, dim=-1)
            k = torch.cat([past_kv[i, 0], block.split_heads(k)], dim=2)
            v = torch.cat([past_kv[i, 1], block.split_heads(v)], dim=2)
            present.append(torch.stack([k, v]))
            x = x + block.out_self(block.merge_heads(attend(block.split_heads(q), k, v, bias)))
            qc = block.split_heads(block.q_cross(block.ln_cross(x)))
            x = x + block.out_cross(block.merge_heads(attend(qc, cross_kv[i, 0], cross_kv[i, 1], None)))
            x = x + block.mlp(x)
        logits = F.linear(self.ln_out(x[:, 0]), self.tok.weight)
        return torch.log_softmax(logits, dim=-1), torch.stack(present)

    # ---------------------------------------------------------------- full sequences (training)

    def forward_full(
        self,
        tokens: torch.Tensor,  # int64 [B,T]
        key_mask: torch.Tensor,  # bool [B,T]: real tokens (padding False)
        token_image: torch.Tensor,  # int64 [B,T]: row of `images` token (b,p) looks at (any value on padding)
        images: torch.Tensor,  # float32 [N,3,S,S] (unique images of the batch)
        select_b: torch.Tensor,  # int64 [K]: which (b, p) hidden states predict a target ...
        select_p: torch.Tensor,  # int64 [K]
        positions: torch.Tensor | None = None,  # int64 [B,T]; default 0..T-1
    ) -> torch.Tensor:
        """Log-softmax over the vocabulary at the selected positions: [K, vocab].

        The row for (b, p) is the distribution of the token after position p (next-token).
        """
        B, T = tokens.shape
        if positions is None:
            positions = torch.arange(T, device=tokens.device).expand(B, T)
        cross = self.encode_cross(images)  # [layers,2,N,H,V,dh]
        slot, block_image, n_blocks = _cross_layout(key_mask, token_image)
        valid = key_mask.reshape(-1).nonzero().squeeze(1)

        causal = torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()
        allowed = causal[None, :, :] & key_mask[:, None, :]  # [B,T(query),T(key)]
        bias = torch.zeros(B, 1, T, T).masked_fill(~allowed[:, None], MASK_BIAS)

        x = self.tok(tokens) + self.pos(positions)
        for i, block in enumerate(self.blocks):
            q, k, v = block.qkv(block.ln_self(x)).chunk(3, dim=-1)
            att = attend(block.split_heads(q), block.split_heads(k), block.split_heads(v), bias)
            x = x + block.out_self(block.merge_heads(att))
            x = x + self._cross_full(block, x, cross[i], valid, slot, block_image, n_blocks)
            x = x + block.mlp(x)
        # index_select, not x[select_b, select_p]: advanced indexing's backward is a per-row loop here.
        h = x.reshape(B * T, -1).index_select(0, select_b * T + select_p)
        return torch.log_softmax(F.linear(self.ln_out(h), self.tok.weight), dim=-1)

    def _cross_full(self, block, x, cross_i, valid, slot, block_image, n_blocks):
        """Cross-attention of every real token to its own image's visual tokens.

        Rather than scoring every token against every image of its sequence and masking (cost
        grows with images per sequence), tokens are packed into blocks of CROSS_BLOCK queries that
        all look at the same image, so each query scores exactly V keys: the same computation as
        the step path.
        """
        B, T, d = x.shape
        q = block.q_cross(block.ln_cross(x)).reshape(B * T, d).index_select(0, valid)
        packed = torch.zeros(n_blocks * CROSS_BLOCK, d, dtype=x.dtype).index_copy(0, slot, q)
        packed = block.split_heads(packed.reshape(n_blocks, CROSS_BLOCK, d))  # [nb,H,CB,dh]
        k = cross_i[0].index_select(0, block_image)  # [nb,H,V,dh]
        v = cross_i[1].index_select(0, block_image)
        out = block.merge_heads(attend(packed, k, v, None)).reshape(n_blocks * CROSS_BLOCK, d)
        out = block.out_cross(out.index_select(0, slot))  # [n_valid, d]
        return torch.zeros(B * T, d, dtype=x.dtype).index_copy(0, valid, out).reshape(B, T, d)


def _cross_layout(key_mask: torch.Tensor, token_image: torch.Tensor):
    """Where each real token goes in the packed cross-attention blocks.

    Returns (slot [n_valid]: packed row of each real token in flat (b,p) order,
    block_image [n_blocks]: image each block looks at, n_blocks). Tokens are grouped by
    (sequence, image) so blocks never mix sequences' images; this is bookkeeping on integers,
    outside autograd.
    """
    B, T = key_mask.shape
    flat_valid = key_mask.reshape(-1)
    rows = torch.arange(B).repeat_interleave(T)[flat_valid]
    imgs = token_image.reshape(-1)[flat_valid]
    n_img = int(imgs.max().item()) + 1 if imgs.numel() else 1
    group = rows * n_img + imgs  # (sequence, image) pair id
    n_groups = B * n_img
    order = torch.argsort(group, stable=True)
    counts = torch.bincount(group, minlength=n_groups)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.empty_like(group)
    rank[order] = torch.arange(group.numel()) - starts[group[order]]
    blocks_per_group = (counts + CROSS_BLOCK - 1) // CROSS_BLOCK
    block_start = torch.cumsum(blocks_per_group, 0) - blocks_per_group
    slot = (block_start[group] + rank // CROSS_BLOCK) * CROSS_BLOCK + rank % CROSS_BLOCK
    group_image = torch.arange(n_groups) % n_img
    block_image = torch.repeat_interleave(group_image, blocks_per_group)
    return slot, block_image, int(blocks_per_group.sum().item())


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
