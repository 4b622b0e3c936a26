"""Fits the learner's policy (services/learner/model.py) to a few tokenized SketchVL trajectories
and exports it with the learner's export (services/learner/export.py). See makeFixture.mjs."""

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "learner"))

from batch import Sequence, collate, image_index_for, token_logprobs  # noqa: E402
from export import export_policy  # noqa: E402
from model import Architecture, Policy  # noqa: E402


def main(data_path: str, out: str, vocab_path: str) -> None:
    data = json.load(open(data_path))
    arch = Architecture(vocab_size=data["vocab_size"], image_size=64, d_model=64, layers=2, heads=4, max_positions=320)
    torch.manual_seed(1)
    torch.set_num_threads(2)
    rng = np.random.default_rng(1)
    policy = Policy.create(arch, 1)
    opt = torch.optim.AdamW(policy.parameters(), lr=3e-3, weight_decay=0.0)
    S = arch.image_size

    def batch():
        seqs = []
        for s in data["sequences"]:
            index = image_index_for(s["tokens"])
            images = [rng.random((3, S, S), dtype=np.float32) for _ in range(max(index) + 1)]
            seqs.append(Sequence(tokens=s["tokens"], image_index=index, images=images, completion_start=s["completion_start"]))
        return collate(seqs, arch)

    policy.train()
    for step in range(400):
        b = batch()
        logp, _ = token_logprobs(policy, b)
        loss = -(logp * b.loss_mask).sum() / b.loss_mask.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == 399:
            print(f"step {step} loss {loss.item():.3f}", flush=True)
    policy.eval()
    vocab = open(vocab_path, encoding="utf-8").read()
    export_policy(policy, out, vocab, json.dumps({"defaults": {"maxTurns": 4, "maxTokensPerTurn": 48}}), check_seed=1)
    print("exported", out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
