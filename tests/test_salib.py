"""SALib reads a pe-sim Saltelli sweep in its own row order and gives pe-sim's Sobol' indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pe_sim.sweeps import load_results, run_sweep, sweep_from_dict


def test_salib_on_the_export_gives_pe_sims_sobol_indices(tmp_path):
    salib = pytest.importorskip("SALib.analyze.sobol")
    from pe_sim.analysis import sobol_from_outputs
    from pe_sim.sweeps import salib_problem_and_outputs

    spec = {"sweep": {"base": "one_roadmap", "design": "saltelli", "points": 64, "replicates": 1, "sprints": 6,
                      "seed": 5, "outcomes": ["customer_value"]},
            "vary": {"pressure": {"low": 0.1, "high": 0.9}, "syncs_per_sprint": {"low": 0, "high": 10},
                     "tech_share": {"low": 0.0, "high": 0.5}}}
    s = sweep_from_dict(spec)
    run_sweep(s, out=tmp_path, workers=1, progress=False)
    problem, y = salib_problem_and_outputs(tmp_path, "customer_value")
    assert problem["names"] == list(s.varied) and problem["num_vars"] == 3 and y.shape == (64 * 5,)
    si = salib.analyze(problem, y, calc_second_order=False, num_resamples=10, print_to_console=False, seed=1)
    data = load_results(tmp_path).groupby("point")["customer_value_total"].mean().sort_index().to_numpy()
    ours = sobol_from_outputs(data, 64, list(s.varied), resamples=10)
    np.testing.assert_allclose(si["S1"], ours["S1"], atol=0.02)
    np.testing.assert_allclose(si["ST"], ours["ST"], atol=0.02)
    # pe-sim's own row order fed to SALib is what gave wrong indices without an error
    blocked = data
    wrong = salib.analyze(problem, blocked, calc_second_order=False, num_resamples=10, print_to_console=False, seed=1)
    assert np.max(np.abs(wrong["ST"] - ours["ST"])) > 0.05


def test_one_factor_and_one_outcome_works_as_with_more_outcomes():
    """scipy squeezes a 1 x 1 result to a scalar and failed on it: a sweep varying one parameter for one
    outcome crashed after its runs. It gives what the same outcome gives beside another."""
    from pe_sim.analysis import sobol_from_outputs

    rng = np.random.default_rng(0)
    n = 16
    y = rng.random((3 * n, 1))
    alone = sobol_from_outputs(y, n, ["x0"], ["o"], resamples=50)
    beside = sobol_from_outputs(np.hstack([y, rng.random((3 * n, 1))]), n, ["x0"], ["o", "p"], resamples=50)
    assert len(alone) == 1 and list(alone["outcome"]) == ["o"]
    pd.testing.assert_frame_equal(alone, beside.iloc[:1])
