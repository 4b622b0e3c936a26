"""Intra-op thread count for everything that computes: PyTorch's OpenMP pool AND OpenBLAS.

Debian's torch calls the system BLAS (libopenblas0-pthread), whose own pthread pool ignores
torch.set_num_threads and defaults to every core; without setting both, "1 thread" ran matrix
products on 2 cores (and N threads could oversubscribe the machine).
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
    """n > 0: use n threads for PyTorch's pool and OpenBLAS; 0 leaves both at their defaults."""
    if n <= 0:
        return
    torch.set_num_threads(n)
    lib = _openblas()
    if lib is not None:
        lib.openblas_set_num_threads(ctypes.c_int(n))


def describe() -> str:
    lib = _openblas()
    blas = lib.openblas_get_num_threads() if lib is not None and hasattr(lib, "openblas_get_num_threads") else "n/a"
    return f"torch {torch.get_num_threads()}, openblas {blas}"
