"""Analysis: paired comparisons with CRN, Sobol' indices (Ishigami), Morris screening, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pe_sim.analysis import (compare, ishigami, ishigami_indices, morris_from_outputs, sensitivity,
                             sobol_from_outputs)
from pe_sim.cli import main
from pe_sim.config import ConfigError, load
from pe_sim.runner import run
from pe_sim.sweeps import load_results, morris_unit, read_manifest, saltelli_stack, saltelli_unit, sweep_from_dict


def test_sobol_indices_of_ishigami_match_the_known_values():
    n, d = 2048, 3
    unit, _ = saltelli_stack(*saltelli_unit(d, n, seed=3))
    y = ishigami(-np.pi + 2 * np.pi * unit)
    t = sobol_from_outputs(y, n, ["x1", "x2", "x3"], ["ishigami"], resamples=300)
    s1, st = ishigami_indices()
    np.testing.assert_allclose(t["S1"], s1, atol=0.04)
    np.testing.assert_allclose(t["ST"], st, atol=0.04)
    assert ((t["S1_low"] <= t["S1"]) & (t["S1"] <= t["S1_high"])).all()
    assert ((t["ST_low"] - 0.02 <= st) & (st <= t["ST_high"] + 0.02)).all()


def test_sobol_needs_a_and_b_from_one_sequence():
    """Two separately drawn Sobol' matrices are not independent: the indices come out wrong."""
    from scipy.stats import qmc

    n, d = 1024, 3
    a = qmc.Sobol(d, scramble=True, rng=1).random(n)
    b = qmc.Sobol(d, scramble=False).random(n)  # same low-discrepancy skeleton as a
    y = ishigami(-np.pi + 2 * np.pi * saltelli_stack(a, b)[0])
    bad = sobol_from_outputs(y, n, ["x1", "x2", "x3"], resamples=50)
    s1, st = ishigami_indices()
    assert np.max(np.abs(bad["ST"] - st)) > 0.1


def test_morris_ranks_a_linear_function_by_its_coefficients():
    unit, traj, step, moved = morris_unit(d=4, r=30, levels=4, seed=1)
    assert unit.shape == (30 * 5, 4) and (np.diff(step.reshape(30, 5), axis=1) == 1).all()
    y = unit @ np.array([0.0, 1.0, 3.0, -2.0])
    t = morris_from_outputs(y, unit, moved, list("abcd"))
    np.testing.assert_allclose(t["mu_star"], [0, 1, 3, 2], atol=1e-9)
    np.testing.assert_allclose(t["mu"], [0, 1, 3, -2], atol=1e-9)
    np.testing.assert_allclose(t["sigma"], 0, atol=1e-9)


def test_compare_uses_common_random_numbers(tmp_path):
    same = compare(["crunch", "crunch"], runs=30, sprints=8, outcomes=["customer_value", "tech_debt"])
    assert (same.summary[["diff", "ci_low", "ci_high", "effect_size"]] == 0).all().all()
    assert list(same.summary["setup"]) == ["crunch#2", "crunch#2"]

    base = load("split_backlogs")
    res = compare({"calm": base.with_params(pressure=0.1), "pressed": base.with_params(pressure=0.9)},
                  runs=200, sprints=30, seed=4, outcomes=["burnout_mean", "overtime_mean", "customer_value"],
                  figure=tmp_path / "c.png", resamples=500)
    s = res.summary.set_index("outcome")
    assert s.loc["burnout_mean", "diff"] > 0 and s.loc["burnout_mean", "ci_low"] > 0
    assert s.loc["burnout_mean", "effect_size"] > 0.5
    assert (s["ci_low"] <= s["diff"]).all() and (s["diff"] <= s["ci_high"]).all()
    assert set(s["summary"]) == {"final", "mean", "total"}
    # the time course ends at the horizon difference
    last = res.over_time[res.over_time["sprint"] == 29].set_index("outcome")["diff"]
    np.testing.assert_allclose(last[s.index], s["diff"], rtol=1e-9)
    assert len(res.runs) == 400 and {"setup", "run", "seed", "burnout_mean_final"} <= set(res.runs)
    assert (tmp_path / "c.png").stat().st_size > 10_000
    assert "pressed" in res.table()


def test_compare_rejects_bad_input():
    with pytest.raises(ConfigError, match="at least two"):
        compare(["crunch"], runs=5)
    with pytest.raises(ConfigError, match="did you mean"):
        compare(["crunch", "crunh"], runs=5)
    # per_run values are checked as a config's would be: name, one value per run, within range
    for per_run, message in [({"presure": [0.5] * 5}, r"per_run\['presure'\].*did you mean 'pressure'"),
                             ({"pressure": [0.5] * 4}, r"shape \(4,\); expected one value per run \(5,\)"),
                             ({"pressure": [0.5, 0.5, 7.0, 0.5, 0.5]}, r"run 2's value 7.0 is not valid; expected \[0, 1\]"),
                             ({"pressure": [np.nan] * 5}, "run 0's value nan"),
                             ({"n_engineers": [6, 6, 6.5, 6, 6]}, "run 2's value 6.5"),
                             ({"roadmap_mode": [0, 1, 2, 0, 1]}, "a code from 0 to 1"),
                             ({"pressure": ["high"] * 5}, "expected numbers")]:
        with pytest.raises(ConfigError, match=message):
            compare(["crunch", "split_backlogs"], runs=5, per_run=per_run)
    with pytest.raises(ConfigError, match=r"^run: per_run\['pressure'\]: run 0"):
        run(load("crunch"), 3, 2, 1, per_run={"pressure": [-1.0, 0.5, 0.5]})


def test_sensitivity_end_to_end_runs_the_saltelli_design_and_reuses_it(tmp_path):
    spec = sweep_from_dict({"sweep": {"base": "split_backlogs", "design": "lhs", "points": 16, "replicates": 2,
                                      "sprints": 15, "seed": 2, "crn": True,
                                      "outcomes": ["customer_value", "tech_debt", "burnout_mean"]},
                            "vary": {"pressure": {"low": 0.0, "high": 1.0}, "tech_share": {"low": 0.0, "high": 0.6},
                                     "conflict_style": ["fight", "avoid", "productive"]}})
    out = tmp_path / "sobol"
    t = sensitivity(spec, out=out, workers=1, progress=False, resamples=100)
    assert len(t) == 3 * 3 and set(t.columns) >= {"outcome", "parameter", "S1", "S1_low", "ST", "ST_high"}
    data = load_results(out)
    assert len(data) == 16 * (3 + 2) * 2 and read_manifest(out)["design"]["kind"] == "saltelli"
    assert (out / "_analysis" / "sobol.png").is_file() and (out / "_analysis" / "sobol.csv").is_file()
    assert len(pd.read_parquet(out)) == len(data)  # analysis files do not disturb the data directory
    again = sensitivity(spec, out=out, workers=1, progress=False, resamples=100, figure=False)
    pd.testing.assert_frame_equal(t[["S1", "ST"]], again[["S1", "ST"]])
    assert "replaced the earlier analysis in" not in t.attrs["text"]  # the defaults are pe-sim's, and it says so
    assert f"replaced the earlier analysis in {out / '_analysis' / 'sobol.csv'}" in again.attrs["text"]
    m = sensitivity(spec, method="morris", points=6, out=tmp_path / "morris", workers=1, progress=False,
                    resamples=50, outcomes=["burnout_mean"])
    assert len(m) == 3 and (m["mu_star"] >= 0).all() and (tmp_path / "morris" / "_analysis" / "morris.png").is_file()
    # explicit files: folders made first, an existing file kept unless force, and no runs wasted on a bad path
    table = tmp_path / "new" / "deeper" / "t.csv"
    again = sensitivity(spec, out=out, workers=1, progress=False, resamples=100, figure=False, csv=table)
    assert pd.read_csv(table).shape[0] == len(again)
    with pytest.raises(ConfigError, match="already exists; pass force=True"):  # in Python's words
        sensitivity(spec, out=out, workers=1, progress=False, resamples=100, figure=False, csv=table)
    sensitivity(spec, out=out, workers=1, progress=False, resamples=100, figure=False, csv=table, force=True)
    (tmp_path / "afile").write_text("mine")
    with pytest.raises(ConfigError, match="cannot make its folder"):
        sensitivity(spec, out=tmp_path / "never", workers=1, progress=False, figure=tmp_path / "afile" / "f.png")
    assert not (tmp_path / "never").exists() and (tmp_path / "afile").read_text() == "mine"


def test_sensitivity_checks_points(tmp_path):
    spec = sweep_from_dict({"sweep": {"base": "crunch", "design": "lhs", "points": 10},
                            "vary": {"pressure": {"low": 0.0, "high": 1.0}}})
    with pytest.raises(ConfigError, match="power of 2"):
        sensitivity(spec, out=tmp_path)


def test_cli_compare_and_sensitivity(tmp_path, capsys):
    fig = tmp_path / "cmp.png"
    assert main(["compare", "split_backlogs", "one_roadmap", "--runs", "20", "--sprints", "6",
                 "--outcomes", "customer_value,tech_debt", "--figure", str(fig), "--csv", str(tmp_path / "c.csv")]) == 0
    out = capsys.readouterr().out
    assert "one_roadmap" in out and "95% CI" in out and fig.is_file()
    assert (tmp_path / "c_over_time.csv").is_file()
    assert main(["compare", "crunch", "crunch", "--outcomes", "customer_valu"]) == 2
    assert "did you mean 'customer_value'" in capsys.readouterr().err
    sw = tmp_path / "s.toml"
    sw.write_text("[sweep]\nbase = 'crunch'\ndesign = 'sobol'\npoints = 8\nreplicates = 1\nsprints = 5\n"
                  "[vary]\npressure = { low = 0.0, high = 1.0 }\nsyncs_per_sprint = { low = 0, high = 10 }\n"
                  "[sensitivity]\noutcomes = ['tech_debt']\nresamples = 50\n")
    assert main(["sensitivity", str(sw), "--out", str(tmp_path / "sens"), "--workers", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "sobol sensitivity" in out and "syncs_per_sprint" in out
    sensitivity(str(sw), out=tmp_path / "sens", workers=1, progress=True, figure=False)  # reused: no new runs
    err = capsys.readouterr().err  # the size of the design, which replaces the file's own, before any work
    assert ("saltelli design for sobol indices, replacing the file's design = 'sobol': 8 base samples x 4 = 32 points"
            " x 1 replicate = 32 runs") in err
    assert "8 base samples are too few for stable Sobol' indices" in err
    assert (tmp_path / "sens" / "_analysis" / "sobol.png").is_file()


def test_bca_of_a_mean_matches_scipys_and_serves_large_comparisons():
    from scipy import stats

    from pe_sim.analysis import SCIPY_BCA_MAX, bca_mean, compare

    rng = np.random.default_rng(1)
    for n in (300, 1500):
        d = rng.gamma(0.5, 2.0, n) - 0.8  # skewed: BCa's interval is asymmetric about the mean
        ref = stats.bootstrap((d,), np.mean, confidence_level=0.95, n_resamples=20000, method="BCa", vectorized=True,
                              rng=np.random.default_rng(2)).confidence_interval
        lo, hi = bca_mean(d, 0.95, 20000, np.random.default_rng(3))
        width = ref.high - ref.low
        assert abs(lo - ref.low) < 0.03 * width and abs(hi - ref.high) < 0.03 * width, (n, lo, hi, ref)
        assert hi - d.mean() > d.mean() - lo  # the long right tail
    res = compare(["split_backlogs", "one_roadmap"], runs=SCIPY_BCA_MAX + 100, sprints=3, outcomes=["tech_debt"],
                  resamples=500, workers=1)
    row = res.summary.iloc[0]
    assert row["ci_low"] < row["diff"] < row["ci_high"]
    t = res.over_time  # over time, a t-interval at this many runs
    assert (t["ci_low"] <= t["diff"]).all() and (t["diff"] <= t["ci_high"]).all() and (t["ci_high"] > t["ci_low"]).any()


def test_a_comparisons_paired_differences_run_by_run_average_to_its_table():
    res = compare(["split_backlogs", "one_roadmap", "crunch"], runs=6, sprints=4, seed=3, workers=1,
                  outcomes=["velocity", "tech_debt"])
    d = res.differences()
    assert list(d) == ["velocity (mean), one_roadmap - split_backlogs", "tech_debt (final), one_roadmap - split_backlogs",
                       "velocity (mean), crunch - split_backlogs", "tech_debt (final), crunch - split_backlogs"]
    assert [v.mean() for v in d.values()] == pytest.approx(list(res.summary["diff"]), rel=1e-12)
    runs = res.runs.set_index(["setup", "run"])
    assert d["tech_debt (final), crunch - split_backlogs"][2] == pytest.approx(
        runs.loc[("crunch", 2), "tech_debt_final"] - runs.loc[("split_backlogs", 2), "tech_debt_final"])


def test_compare_shows_how_far_the_runs_and_intervals_are_when_asked(capsys):
    compare(["crunch", "split_backlogs", "one_roadmap"], runs=30, sprints=4, outcomes=["customer_value", "tech_debt"],
            progress=True, workers=1)
    err = capsys.readouterr().err
    assert "simulating" in err and "90/90" in err  # every setup's runs, counted as they are done
    assert "intervals" in err and "4/4" in err  # two setups against the reference, two outcomes each
    compare(["crunch", "crunch"], runs=30, sprints=4, outcomes=["customer_value"], workers=1)
    assert capsys.readouterr().err == ""  # no bars unless asked (the CLI asks for long work)


def test_compare_csv_rows_carry_the_seed_sprints_and_confidence_that_compute_them_again(tmp_path, capsys):
    """compare's CSVs held no seed or sprints, so a comparison could not be rerun from what it wrote."""
    csv = tmp_path / "cmp.csv"
    assert main(["compare", "split_backlogs", "one_roadmap", "--runs", "6", "--sprints", "4", "--seed", "9",
                 "--confidence", "0.9", "--resamples", "200", "--outcomes", "tech_debt", "--figure", "none",
                 "--csv", str(csv)]) == 0
    capsys.readouterr()
    horizon, over = pd.read_csv(csv), pd.read_csv(tmp_path / "cmp_over_time.csv")
    assert list(horizon.columns) == ["reference", "setup", "outcome", "summary", "column", "mean_reference",
                                     "mean_setup", "diff", "ci_low", "ci_high", "effect_size", "sd_diff", "runs",
                                     "sprints", "seed", "confidence", "resamples", "meaning"]
    assert list(over.columns) == ["reference", "setup", "outcome", "summary", "sprint", "diff", "ci_low", "ci_high",
                                  "runs", "sprints", "seed", "confidence", "resamples"]
    for table in (horizon, over):
        assert (table["runs"] == 6).all() and (table["sprints"] == 4).all() and (table["seed"] == 9).all()
        assert (table["confidence"] == 0.9).all() and (table["resamples"] == 200).all()
    # what a row says is enough to compute it again
    r = horizon.iloc[0]
    again = compare(["split_backlogs", "one_roadmap"], runs=int(r.runs), sprints=int(r.sprints), seed=int(r.seed),
                    confidence=float(r.confidence), resamples=int(r.resamples), outcomes=["tech_debt"], workers=1)
    np.testing.assert_allclose(again.summary[["diff", "ci_low", "ci_high"]].to_numpy(),
                               horizon[["diff", "ci_low", "ci_high"]].to_numpy(), rtol=1e-12)


SMALL_SENSITIVITY = ("[sweep]\nbase = 'split_backlogs'\nreplicates = 1\nsprints = 3\noutcomes = ['tech_debt']\n"
                     "[vary]\npressure = { low = 0.1, high = 0.9 }\n[sensitivity]\nresamples = 20\n")


@pytest.mark.parametrize("method, points, words", [
    ("sobol", 4, "pe-sim sensitivity: warning: 4 base samples are too few for stable Sobol' indices (they can fall "
                 "outside [0, 1], with confident-looking intervals); use --points 64 or more"),
    ("morris", 3, "pe-sim sensitivity: warning: 3 trajectories are too few for a stable Morris ranking (mu*, sigma and "
                  "the CI of mu* rest on one elementary effect of each parameter per trajectory); use --points 10 or "
                  "more (20 is usual)"),
])
def test_sensitivity_warns_of_a_small_sample_with_or_without_progress(tmp_path, capsys, method, points, words):
    """The Sobol' warning was shown only with the progress lines (never with --no-progress), Morris had none."""
    f = tmp_path / "s.toml"
    f.write_text(SMALL_SENSITIVITY)
    assert main(["sensitivity", str(f), "--method", method, "--points", str(points), "--out", str(tmp_path / "o"),
                 "--workers", "1", "--figure", "none", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [words]  # one line, and nothing else without progress
    sensitivity(str(f), method=method, points=points, out=tmp_path / "o", workers=1, progress=True, figure=False)
    assert "use points=" in capsys.readouterr().err  # a Python caller is told the argument
    # at the numbers the messages call stable, no warning
    from pe_sim.analysis import MIN_MORRIS_TRAJECTORIES, MIN_SOBOL_POINTS, _few_points_warning

    assert _few_points_warning("sobol", MIN_SOBOL_POINTS) is None and _few_points_warning("sobol", 32)
    assert _few_points_warning("morris", MIN_MORRIS_TRAJECTORIES) is None and _few_points_warning("morris", 9)


def test_sobol_indices_outside_0_1_beyond_their_ci_are_marked_not_clipped():
    """At 4 base samples pe-sim printed ST 3.338 [3.019, 4.040] without a word, though a Sobol' index lies in [0, 1]."""
    from pe_sim.analysis import index_table_text, outside_unit_interval

    table = pd.DataFrame([
        {"outcome": "customer_value", "parameter": "pressure", "S1": 1.970, "S1_low": 0.500, "S1_high": 4.357,
         "ST": 3.338, "ST_low": 3.019, "ST_high": 4.040},  # S1 within its (wide) CI of [0, 1]; ST beyond
        {"outcome": "customer_value", "parameter": "tech_share", "S1": -0.310, "S1_low": -0.500, "S1_high": -0.120,
         "ST": 0.200, "ST_low": 0.100, "ST_high": 0.300},
        {"outcome": "tech_debt", "parameter": "pressure", "S1": -0.010, "S1_low": -0.050, "S1_high": 0.030,
         "ST": 1.042, "ST_low": 0.444, "ST_high": 1.897}])  # sampling noise: no mark
    off = outside_unit_interval(table)
    assert off.to_numpy().tolist() == [[False, True], [True, False], [False, False]]
    text = index_table_text(table, "sobol", 0.95, 4)
    lines = text.splitlines()
    assert "3.338*" in lines[1] and "1.970 " in lines[1] and "-0.310*" in lines[2] and "*" not in lines[3]
    assert lines[-1].startswith("* 2 indices lie outside [0, 1] by more than their 95% CI, though a Sobol' index lies "
                                "in [0, 1]: 4 base samples are too few")
    assert "not clipped" in lines[-1] and len(lines) == 5
    plain = index_table_text(table.iloc[2:], "sobol", 0.95, 64)
    assert "*" not in plain and len(plain.splitlines()) == 2
