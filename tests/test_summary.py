"""End-of-horizon summaries: reductions, confidence intervals and order."""

import numpy as np
import pandas as pd
from scipy import stats

from pe_sim import config, runner
from pe_sim.summary import REDUCTION, end_of_run, mean_ci, paired_difference, summary_table


def test_mean_ci_matches_the_t_interval():
    x = np.random.default_rng(1).normal(3.0, 2.0, 50)
    m, lo, hi = mean_ci(x)
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert np.isclose(m, x.mean()) and np.allclose((lo, hi), ref)


def test_reductions_follow_the_nature_of_each_outcome():
    df = runner.run(config.load("crunch"), 5, 12, 3)
    runs = end_of_run(df)
    one = df[(df.scenario == "crunch") & (df.run == 2)].sort_values("sprint")
    row = runs[runs.run == 2].iloc[0]
    assert np.isclose(row["customer_value"], one["customer_value"].sum())     # flow: total
    assert np.isclose(row["tech_debt"], one["tech_debt"].iloc[-1])             # stock: final
    assert np.isclose(row["say_do"], one["say_do"].mean())                     # rate: mean
    assert set(REDUCTION.values()) == {"total", "final", "mean"}


def test_every_outcome_is_one_of_flow_rate_or_stock_and_per_sprint_counts_are_summed():
    from pe_sim.core.engine import OUTCOMES
    from pe_sim.summary import FLOWS, RATES, STOCKS

    assert sorted(FLOWS + RATES + STOCKS) == sorted(OUTCOMES)  # each exactly once, none by default
    for k in ("ideas_killed", "tech_items_raised", "customer_escalations", "engineer_escalations"):
        assert REDUCTION[k] == "total", k  # things that happen in a sprint: the last sprint's alone was reported
    for k in ("debt_capacity_loss", "corners_mean", "pushback"):
        assert REDUCTION[k] == "mean", k  # shares of each sprint


def test_scenario_order_is_kept_and_paired_difference_is_paired():
    names = ["split_backlogs", "trust_partnership", "one_roadmap"]
    df = pd.concat([runner.run(config.load(n), 20, 10, 1) for n in names], ignore_index=True)
    assert list(dict.fromkeys(summary_table(df)["scenario"])) == names
    diff = paired_difference(df, "one_roadmap", "one_roadmap").set_index("outcome")
    assert np.allclose(diff["difference"], 0.0)
    diff = paired_difference(df, "one_roadmap", "split_backlogs")  # tidy: each row says what it is
    assert list(diff.columns) == ["setup", "reference", "outcome", "summary", "difference", "ci_low", "ci_high", "runs"]
    assert set(diff["setup"]) == {"one_roadmap"} and set(diff["reference"]) == {"split_backlogs"}
    assert (diff["runs"] == 20).all() and list(diff["summary"]) == [REDUCTION[k] for k in diff["outcome"]]
    ends = end_of_run(df).set_index(["scenario", "run"])
    value = diff.set_index("outcome").loc["customer_value", "difference"]
    assert np.isclose(value, (ends.loc["one_roadmap", "customer_value"] - ends.loc["split_backlogs", "customer_value"]).mean())


def test_sweep_summaries_from_the_kernel_equal_summaries_of_trajectories():
    """Sweeps reduce each run inside the kernel (no runs x sprints arrays): the same numbers as
    reducing the trajectories, for every outcome, any horizon and with events."""
    from pe_sim.core.engine import simulate, simulate_summaries
    from pe_sim.sweeps.summaries import summarise, summary_name

    for name, sprints in (("crunch", 1), ("absences", 7), ("split_backlogs", 30)):
        p, sch = runner.batch(config.load(name), 12, sprints)
        traj = simulate(p, sch, sprints, 5, np.arange(40, 52))
        want = summarise(traj, tuple(traj))
        got = simulate_summaries(p, sch, sprints, 5, np.arange(40, 52))
        for k, v in got.items():
            assert np.array_equal(v, want[summary_name(k)]), (name, k)
        assert np.allclose(got["customer_value"], traj["customer_value"].sum(axis=1), rtol=1e-12)
        assert np.array_equal(got["tech_debt"], traj["tech_debt"][:, -1])
        assert np.allclose(got["say_do"], traj["say_do"].mean(axis=1), rtol=1e-12)


def test_one_run_says_it_has_no_confidence_interval():
    from pe_sim.summary import format_table

    df = runner.run(config.load("crunch"), 1, 3, 3)
    text = format_table(summary_table(df))
    assert "(one run: no CI)" in text and "nan" not in text
