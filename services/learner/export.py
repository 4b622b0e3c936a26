"""Writes a policy version folder the policy service can serve (design "ONNX files").

    <repo>/<model>/<version>/encoder.onnx  decoder.onnx  config.json  vocab.json  check.json

The folder is assembled in a hidden temporary sibling and renamed into place in one step, so a
service watching the repository never sees a half-written version.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import tempfile
import time
import warnings

import numpy as np
import onnx
import torch

from batch import Sequence, collate, image_index_for, token_logprobs
from errors import AlreadyExists, InvalidArgument
from model import BOS, EOS, EOT, IMAGE, SPECIAL_TOKENS, Policy

OPSET = 14
DEFAULTS = {"maxTurns": 6, "maxTokensPerTurn": 48}


class _Encoder(torch.nn.Module):
    def __init__(self, policy: Policy):
        super().__init__()
        self.policy = policy

    def forward(self, image):
        return self.policy.encode_cross(image)


class _DecoderStep(torch.nn.Module):
    def __init__(self, policy: Policy):
        super().__init__()
        self.policy = policy

    def forward(self, token, position, attention_mask, past_kv, cross_kv):
        return self.policy.step(token, position, attention_mask, past_kv, cross_kv)


def _onnx_bytes(module, args, input_names, output_names, dynamic_axes) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # Tracer chatter about shape-dependent Python values; the dynamic axes are tested.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            buf,
            input_names=input_names,
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=True,
        )
    data = buf.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data))
    return data


def encoder_onnx(policy: Policy) -> bytes:
    S = policy.arch.image_size
    return _onnx_bytes(
        _Encoder(policy),
        (torch.rand(2, 3, S, S),),
        ["image"],
        ["cross_kv"],
        {"image": {0: "batch"}, "cross_kv": {2: "batch"}},
    )


def decoder_onnx(policy: Policy) -> bytes:
    a = policy.arch
    B, P = 2, 3  # tracing sizes; both axes are dynamic (P = 0 included, tested)
    args = (
        torch.full((B, 1), SPECIAL_TOKENS, dtype=torch.long),
        torch.full((B, 1), P, dtype=torch.long),
        torch.ones(B, P + 1),
        torch.zeros(a.layers, 2, B, a.heads, P, a.d_head),
        torch.zeros(a.layers, 2, B, a.heads, a.visual_tokens, a.d_head),
    )
    return _onnx_bytes(
        _DecoderStep(policy),
        args,
        ["token", "position", "attention_mask", "past_kv", "cross_kv"],
        ["logprobs", "present_kv"],
        {
            "token": {0: "batch"},
            "position": {0: "batch"},
            "attention_mask": {0: "batch", 1: "total"},
            "past_kv": {2: "batch", 4: "past"},
            "cross_kv": {2: "batch"},
            "logprobs": {0: "batch"},
            "present_kv": {2: "batch", 4: "total"},
        },
    )


def check_sequences(policy: Policy, seed: int = 0) -> list[Sequence]:
    """Three short sequences with 1-3 images each (seeded): prompt, turns ending in <eot>, the
    forced <image> markers, a final <eos>. Tokens after each <image> look at a new image, so a
    replay that feeds the wrong image's cross_kv fails the check."""
    a = policy.arch
    rng = np.random.default_rng(seed)

    def words(n):
        return [int(t) for t in rng.integers(SPECIAL_TOKENS, a.vocab_size, size=n)]

    shapes = [(6, [5, 4]), (4, [7]), (5, [3, 2, 4])]  # (prompt words, words per turn)
    out = []
    for prompt_words, turns in shapes:
        tokens = [BOS] + words(prompt_words)
        start = len(tokens)
        for t, n in enumerate(turns):
            tokens += words(n)
            tokens += [EOT, IMAGE] if t < len(turns) - 1 else [EOS]
        tokens = tokens[: a.max_positions]
        index = image_index_for(tokens)
        images = [rng.random((3, a.image_size, a.image_size), dtype=np.float32) for _ in range(max(index) + 1)]
        out.append(Sequence(tokens=tokens, image_index=index, images=images, completion_start=min(start, len(tokens))))
    return out


def check_json(policy: Policy, sequences: list[Sequence]) -> dict:
    with torch.no_grad():
        logp, _ = token_logprobs(policy, collate(sequences, policy.arch))
    out, k = [], 0
    for s in sequences:
        c = s.completion_length
        out.append(
            {
                "tokens": list(s.tokens),
                "image_index": list(s.image_index),
                "images": [base64.b64encode(np.asarray(img, dtype="<f4").tobytes()).decode("ascii") for img in s.images],
                "completion_start": s.completion_start,
                "logprobs": [float(x) for x in logp[k : k + c]],
            }
        )
        k += c
    return {"sequences": out}


def config_json(policy: Policy, extra: dict) -> dict:
    config = {"backend": "onnx", "architecture": policy.arch.to_json(), "defaults": dict(DEFAULTS)}
    for key, value in extra.items():
        if key == "defaults" and isinstance(value, dict):
            config["defaults"].update(value)
        elif key not in ("backend", "architecture"):  # those describe the files; not overridable
            config[key] = value
    return config


def parse_config_json(text: str) -> dict:
    if not text.strip():
        return {}
    try:
        extra = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidArgument(f"not JSON: {e}", "config_json") from None
    if not isinstance(extra, dict):
        raise InvalidArgument("must be a JSON object", "config_json")
    return extra


def export_policy(policy: Policy, directory: str, vocabulary_json: str, config_text: str = "", check_seed: int = 0) -> float:
    """Writes the version folder; returns seconds taken. Raises AlreadyExists if it exists."""
    started = time.perf_counter()
    if not directory:
        raise InvalidArgument("required", "directory")
    try:
        json.loads(vocabulary_json)
    except (json.JSONDecodeError, TypeError) as e:
        raise InvalidArgument(f"not JSON: {e}", "vocabulary_json") from None
    extra = parse_config_json(config_text)
    directory = os.path.abspath(directory)
    if os.path.lexists(directory):
        raise AlreadyExists(f"{directory} exists (versions are immutable)", "directory")
    parent, name = os.path.split(directory)
    os.makedirs(parent, exist_ok=True)

    was_training = policy.training
    policy.eval()
    try:
        files = {
            "encoder.onnx": encoder_onnx(policy),
            "decoder.onnx": decoder_onnx(policy),
            "config.json": json.dumps(config_json(policy, extra), indent=2).encode(),
            "vocab.json": vocabulary_json.encode(),
            "check.json": json.dumps(check_json(policy, check_sequences(policy, check_seed))).encode(),
        }
    finally:
        policy.train(was_training)

    # A dot-prefixed sibling: not a version number, so a repository watcher ignores it.
    tmp = tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=parent)
    try:
        for fname, data in files.items():
            with open(os.path.join(tmp, fname), "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, 0o755)
        if os.path.lexists(directory):  # created while we were exporting
            raise AlreadyExists(f"{directory} exists (versions are immutable)", "directory")
        os.rename(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return time.perf_counter() - started
