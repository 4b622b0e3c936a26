"""Trains the FinePRM network on encoded datasets and exports it (driven by `cli.js train`).

    /usr/bin/python3 packages/prm-model/train/main.py --train DIR [--train DIR ...] [--validation DIR] [--test DIR] --out DIR
        [--seed 1] [--epochs 5] [--batch 64] [--lr 2e-3] [--weight-decay 1e-4] [--warmup 200]
        [--channels 8,16,32] [--hidden 128] [--threads 2] [--doc-string TEXT]

Dataset folders are what packages/prm-model/src/dataset.ts writes; several --train folders are
trained on as one (rows of the first, then the next...). Writes to --out: model.onnx,
report.json (architecture, parameters, per-epoch history, times) and, with --test, test_probs.npy
(PyTorch's probabilities for every test row, for checking the exported graph against). Progress
goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

from data import Concatenated, EncodedDataset
from export import OPSET, onnx_bytes
from model import Architecture, FinePRM, initialize, parameter_count
from threads import set_threads
from train import TrainOptions, predict, train


def ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    d = TrainOptions()
    p.add_argument("--train", required=True, action="append")
    p.add_argument("--validation")
    p.add_argument("--test")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--batch", type=int, default=d.batch_size)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--weight-decay", type=float, default=d.weight_decay)
    p.add_argument("--warmup", type=int, default=d.warmup_steps)
    p.add_argument("--channels", type=ints, default=[8, 16, 32])
    p.add_argument("--hidden", type=ints, default=[128])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-steps", type=int, help="stop after this many optimizer steps (tests)")
    p.add_argument("--doc-string", default="")
    return p.parse_args(argv)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    set_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    data = Concatenated([EncodedDataset(folder) for folder in args.train])
    validation = EncodedDataset(args.validation) if args.validation else None
    arch = Architecture.for_shapes(data.shapes(), channels=args.channels, hidden=args.hidden)
    model = FinePRM(arch)
    initialize(model)
    opts = TrainOptions(seed=args.seed, epochs=args.epochs, batch_size=args.batch, lr=args.lr, weight_decay=args.weight_decay, warmup_steps=args.warmup)
    log(f"training {parameter_count(model)} parameters on {len(data)} rows ({torch.__version__}, {args.threads} threads)")
    t0 = time.time()
    history = train(model, data, opts, validation=validation, log=log, max_steps=args.max_steps)
    train_seconds = time.time() - t0
    t1 = time.time()
    model_bytes = onnx_bytes(model, args.doc_string)
    export_seconds = time.time() - t1
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "model.onnx"), "wb") as f:
        f.write(model_bytes)
    if args.test:
        test = EncodedDataset(args.test)
        np.save(os.path.join(args.out, "test_probs.npy"), predict(model, test).astype(np.float32))
    report = {
        "framework": f"torch {torch.__version__}",
        "threads": args.threads,
        "architecture": arch.to_json(),
        "parameters": parameter_count(model),
        "macsPerStep": arch.macs_per_step(),
        "opset": OPSET,
        "options": opts.to_json(),
        "history": history,
        "trainSeconds": round(train_seconds, 3),
        "exportSeconds": round(export_seconds, 3),
    }
    with open(os.path.join(args.out, "report.json"), "w", encoding="utf8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    log(f"wrote {os.path.join(args.out, 'model.onnx')} ({len(model_bytes)} bytes)")


if __name__ == "__main__":
    main()
