"""Exports a random-init policy version (a fixture for the policy service's tests).

    /usr/bin/python3 services/learner/export_random.py --out /tmp/policy-fixture/sketchvl-policy/1 \
        --vocab-size 1200 --seed 1 --d-model 64 --layers 2 --heads 4 --image-size 64 --max-positions 320

vocab.json is copied verbatim from --vocab (a path), or is the stub {"pieces":[]}.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from process_env import reexec_with_env  # noqa: E402

reexec_with_env()  # before torch is imported: malloc and OpenMP settings (see process_env.py)

from export import export_policy  # noqa: E402
from model import Architecture, Policy, count_parameters  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="version folder to create (must not exist)")
    p.add_argument("--vocab-size", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--max-positions", type=int, default=320)
    p.add_argument("--vocab", help="vocab.json to copy verbatim (default: a {\"pieces\":[]} stub)")
    p.add_argument("--config-json", default="", help="extra config.json fields (a JSON object)")
    args = p.parse_args(argv)

    arch = Architecture(
        vocab_size=args.vocab_size,
        image_size=args.image_size,
        d_model=args.d_model,
        layers=args.layers,
        heads=args.heads,
        max_positions=args.max_positions,
    )
    try:
        arch.validate()
    except ValueError as e:
        p.error(str(e))
    vocab = '{"pieces":[]}'
    if args.vocab:
        with open(args.vocab, encoding="utf-8") as f:
            vocab = f.read()
    policy = Policy.create(arch, args.seed)
    seconds = export_policy(policy, args.out, vocab, args.config_json, check_seed=args.seed)
    print(f"exported {count_parameters(policy)} parameters to {os.path.abspath(args.out)} in {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
