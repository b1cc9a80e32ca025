"""The parameter record the compiled rules read: one run's parameters as a float array.

Rules index it by name through the integer enum :class:`P` (``p[P.pressure]``), which numba
resolves at compile time; columns follow :data:`pe_sim.params.PARAMS`. Choices are encoded as
the index of the choice, booleans as 0/1.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Mapping

import numpy as np

from pe_sim.params import BY_NAME, NAMES, encode

P = IntEnum("P", {name: i for i, name in enumerate(NAMES)})


def record(values: Mapping[str, object]) -> np.ndarray:
    """One run's parameters as a float array in table order (missing names take their defaults)."""
    return np.array([encode(n, values.get(n, BY_NAME[n].default)) for n in NAMES], dtype=np.float64)
