"""Process environment for a PyTorch CPU learner, applied by re-executing the process once.

glibc malloc: every large tensor PyTorch allocates (activations of a 32-sequence batch are tens of
MB each) is, by default, a fresh mmap that glibc unmaps again on free, so every training step
page-faults all of its activations back in. On these machines that made the encoder's forward 7x
slower (0.6 s vs 0.086 s for 164 images) and a whole step about 2x slower. Serving large blocks
from the heap and never trimming it keeps the memory mapped between steps (the process holds its
peak, ~1 GB for 32 sequences of ~200 tokens, as any training process does).

OpenMP: threads that wait passively instead of spinning. The learner shares its cores with the
mesh's other processes; with spinning waiters, 2 threads on a busy 2-core machine measured 6.6 s
per step against 4.4 s passive (and 2.5 s with 1 thread).

These variables are read only at start-up, hence the re-exec; a variable the caller already set
wins.
"""

import os
import sys

SETTINGS = {
    "MALLOC_MMAP_THRESHOLD_": str(1 << 40),  # never mmap a block on its own
    "MALLOC_TRIM_THRESHOLD_": str(1 << 40),  # never give the heap's top back
    "MALLOC_ARENA_MAX": "1",  # gRPC worker threads share the tuned main heap
    "OMP_WAIT_POLICY": "PASSIVE",
}
_MARK = "SKETCHVL_LEARNER_ENV_APPLIED"


def reexec_with_env() -> None:
    """Re-executes this Python script with SETTINGS in its environment (no-op the second time)."""
    if os.environ.get(_MARK) == "1" or os.environ.get("SKETCHVL_LEARNER_REEXEC") == "0":
        return
    env = {**SETTINGS, **os.environ, _MARK: "1"}
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], env)
