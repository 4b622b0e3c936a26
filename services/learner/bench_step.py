"""Times one SFT and one PPO TrainStep, an export, and reports the ONNX sizes.

    /usr/bin/python3 services/learner/bench_step.py [--d-model 128 --layers 2 --heads 4 --image-size 128]
        [--vocab-size 1200] [--sequences 32] [--groups 4] [--threads 1,2] [--repeats 3]

Batch: `groups` prompts x (sequences / groups) rollouts; each rollout a ~20-token prompt and 6
turns of 20-40 tokens (5 <eot><image> pairs: 6 images, the prompt image shared by its group),
~200 tokens. Prints the median of `repeats` steps after one warm-up step.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from process_env import reexec_with_env  # noqa: E402

reexec_with_env()  # before torch is imported: malloc and OpenMP settings (see process_env.py)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from batch import Sequence, image_index_for  # noqa: E402
from learner import Learner, OptimizerConfig  # noqa: E402
from losses import PPO_CLIP, SFT, LossConfig  # noqa: E402
from model import BOS, EOS, EOT, IMAGE, SPECIAL_TOKENS  # noqa: E402
from threads import describe  # noqa: E402


def make_batch(arch: dict, n: int, groups: int, seed: int = 0) -> list[Sequence]:
    rng = np.random.default_rng(seed)
    S, V = arch["image_size"], arch["vocab_size"]
    words = lambda k: [int(t) for t in rng.integers(SPECIAL_TOKENS, V, size=k)]  # noqa: E731
    prompts = [([BOS] + words(19), rng.random((3, S, S), dtype=np.float32).tobytes()) for _ in range(groups)]
    out = []
    for i in range(n):
        prompt, image0 = prompts[i % groups]
        tokens = list(prompt)
        turns = 6
        for t in range(turns):
            tokens += words(int(rng.integers(20, 41))) + ([EOT, IMAGE] if t < turns - 1 else [EOS])
        index = image_index_for(tokens)
        images = [image0] + [rng.random((3, S, S), dtype=np.float32).tobytes() for _ in range(max(index))]
        c = len(tokens) - len(prompt)
        out.append(
            Sequence(
                tokens=tokens,
                image_index=index,
                images=images,
                completion_start=len(prompt),
                old_logprobs=[float(x) for x in -rng.random(c) * 5],
                advantages=[float(x) for x in rng.normal(size=c)],
                loss_mask=[t != IMAGE for t in tokens[len(prompt):]],
            )
        )
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vocab-size", type=int, default=1200)
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--max-positions", type=int, default=320)
    p.add_argument("--sequences", type=int, default=32)
    p.add_argument("--groups", type=int, default=4)
    p.add_argument("--micro-batch", type=int, default=0)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    arch = dict(
        vocab_size=args.vocab_size,
        image_size=args.image_size,
        d_model=args.d_model,
        layers=args.layers,
        heads=args.heads,
        max_positions=args.max_positions,
    )
    seqs = make_batch(arch, args.sequences, args.groups)
    lengths = [len(s.tokens) for s in seqs]
    print(f"architecture {arch}")
    print(
        f"batch: {len(seqs)} sequences, tokens mean {statistics.mean(lengths):.0f} (max {max(lengths)}), "
        f"images/sequence {statistics.mean(len(s.images) for s in seqs):.1f}, load average {os.getloadavg()[0]:.1f}"
    )
    for threads in [int(t) for t in args.threads.split(",")]:
        for label, loss, keep_ref in (
            ("SFT", LossConfig(objective=SFT), False),
            ("PPO", LossConfig(objective=PPO_CLIP), False),
            ("PPO+KL", LossConfig(objective=PPO_CLIP, kl_coef=0.04), True),
        ):
            learner = Learner()
            params, _ = learner.init_policy(arch, OptimizerConfig(learning_rate=1e-4), seed=0, keep_reference=keep_ref, threads=threads)
            learner.train_step(seqs, loss, args.micro_batch)  # warm-up
            times, cpu = [], []
            for _ in range(args.repeats):
                t0, c0 = time.perf_counter(), time.process_time()
                learner.train_step(seqs, loss, args.micro_batch)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            print(
                f"threads {threads} {label:7s} step: median {statistics.median(times):.3f} s "
                f"(min {min(times):.3f}, max {max(times):.3f}), CPU {statistics.median(cpu):.3f} s; "
                f"{params} parameters; threads: {describe()}"
            )
        t0 = time.perf_counter()
        learner.score(seqs)
        print(f"threads {threads} score (no grad): {time.perf_counter() - t0:.3f} s")
    tmp = tempfile.mkdtemp(prefix="learner-bench-")
    try:
        d = os.path.join(tmp, "1")
        seconds = learner.export(d, '{"pieces":[]}')
        sizes = {f: os.path.getsize(os.path.join(d, f)) for f in sorted(os.listdir(d))}
        print(f"export: {seconds:.2f} s; " + ", ".join(f"{f} {n / 1e6:.2f} MB" for f, n in sizes.items()))
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
