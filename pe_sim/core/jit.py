"""The one numba decorator the model's compiled code uses.

Compiled functions are cached on disk (``cache=True``), so only the first run after an install
compiles. numba invalidates a cached function only when *its own* file changes, not when a
function it calls in another file does; the cache folder is therefore keyed by a hash of every
source file of :mod:`pe_sim.core` and of the parameter names, so any change to the model
compiles afresh. ``PE_SIM_CACHE_DIR`` moves the cache (default: the user's cache folder).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

_CORE = Path(__file__).resolve().parent


def _model_digest() -> str:
    # Compiled code depends on the core's sources and on the order of the parameter names (the
    # columns of the parameter array); parameter defaults are read in Python, so changing one
    # does not need a new compile.
    from pe_sim.params import NAMES

    h = hashlib.sha256()
    for f in sorted(_CORE.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    h.update(" ".join(NAMES).encode())
    return h.hexdigest()[:16]


# The model's code, as a short hash: a sweep records it, so one is never resumed with other rules.
MODEL_DIGEST = _model_digest()


def _cache_dir() -> Path:
    root = os.environ.get("PE_SIM_CACHE_DIR")
    if root is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "pe-sim", "numba")
    return Path(root) / f"{numba.__version__}-{MODEL_DIGEST}"


CACHE_DIR = _cache_dir()
try:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    numba.config.CACHE_DIR = str(CACHE_DIR)
    _CACHE = True
except OSError:  # a read-only home: compile every time rather than fail
    _CACHE = False


def compiled_before() -> bool:
    """Whether the compiled kernel is in this install's cache (if not, the first simulation
    compiles it: about 20 s)."""
    return _CACHE and any(CACHE_DIR.glob("*/kernel.run_batch*.nbi"))


# Divisions follow IEEE arithmetic (numba's "numpy" error model) rather than checking every divisor
# for zero as Python does: the rules guard their divisors (parameters used as divisors have ranges
# above zero; computed ones are taken as max(x, EPS)), results are the same, and the kernel runs
# 10-14% faster without the checks (measured with benchmarks/bench_core.py).
ERROR_MODEL = "numpy"


def jit(fn):
    """Compile a scalar rule (no Python objects, no fast-math, so results are reproducible)."""
    return numba.njit(cache=_CACHE, error_model=ERROR_MODEL)(fn)


def jit_nogil(fn):
    """Compile a kernel that releases the GIL, so several Python threads run it at once."""
    return numba.njit(cache=_CACHE, nogil=True, error_model=ERROR_MODEL)(fn)


def jit_borrow(fn):
    """Compile a function that only reads and writes arrays its caller owns and allocates none.

    It is compiled without numba's reference counting (the ``_nrt`` option): a call to an ordinary
    compiled function that takes arrays increments and decrements their reference counts
    atomically, about 80 atomic operations per run-sprint in the backlog and planning functions
    (measured with callgrind), which cost the kernel 10-15% of its time; results are identical.
    Allocating an array inside such a function fails to compile, which keeps the promise checked."""
    return numba.njit(cache=_CACHE, error_model=ERROR_MODEL, _nrt=False)(fn)
