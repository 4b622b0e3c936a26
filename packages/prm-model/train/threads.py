"""Intra-op threads for everything that computes: PyTorch's OpenMP pool and OpenBLAS.

Debian's torch calls the system BLAS (libopenblas0-pthread), whose own pthread pool ignores
torch.set_num_threads and defaults to every core (services/learner/threads.py has the story).
"""

import ctypes
import ctypes.util

import torch


def _openblas():
    for name in ("libblas.so.3", ctypes.util.find_library("openblas") or ""):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)  # already loaded by torch: dlopen returns the same library
        except OSError:
            continue
        if hasattr(lib, "openblas_set_num_threads"):
            return lib
    return None


def set_threads(n: int) -> None:
    """Uses n threads (n >= 1) in PyTorch's pool and OpenBLAS."""
    if n < 1:
        raise ValueError(f"threads must be at least 1, got {n}")
    torch.set_num_threads(n)
    lib = _openblas()
    if lib is not None:
        lib.openblas_set_num_threads(ctypes.c_int(n))
