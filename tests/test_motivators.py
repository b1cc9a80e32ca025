"""No two motivator weights are interchangeable: each enters its own choices.

For every pair of motivator weights, setting them to two different values and then swapping
them must change the outcomes (paired random numbers, so any difference is the weights').
"""

import itertools

import numpy as np
import pytest

from pe_sim.params import PARAMS

from helpers import sim

WEIGHTS = [p.name for p in PARAMS if p.group == "motivators" and p.name != "motivator_spread"]


@pytest.mark.parametrize("a,b", list(itertools.combinations(WEIGHTS, 2)))
def test_swapping_two_motivator_weights_changes_outcomes(a, b):
    one = sim(runs=16, sprints=16, **{a: 0.9, b: 0.2})
    two = sim(runs=16, sprints=16, **{a: 0.2, b: 0.9})
    assert any(not np.array_equal(one[k], two[k]) for k in one), f"{a} and {b} are interchangeable"
