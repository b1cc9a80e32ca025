"""`pe-sim calibrate`: settings are checked, the team's statistics are the model's, a small
calibration writes every output, an interrupted one resumes, and a finished one is not overwritten."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from pe_sim import calibration as C
from pe_sim.config import ConfigError
from pe_sim.history import read_history

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "team_history.csv"


def cli(*args, command="calibrate"):
    return subprocess.run([sys.executable, "-m", "pe_sim.cli", command, *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT)


def forecast_cli(*args):
    return cli(*args, command="forecast")


@pytest.mark.parametrize("table, expected", [
    ({"calibrate": {"populaton": 100}}, "unknown key 'populaton'; did you mean 'population'?"),
    ({"scenario": {}}, "scenario: unknown table"),
    ({"calibrate": {"priors": {"presure": {"low": 0, "high": 1}}}}, "did you mean 'pressure'?"),
    ({"calibrate": {"priors": {"pressure": {"low": 0.5, "high": 0.2}}}}, "low 0.5 is not below high 0.2"),
    ({"calibrate": {"priors": {"pressure": {"low": 0, "high": 3}}}}, "leaves the parameter's valid range"),
    ({"calibrate": {"priors": {"points_per_day": {"low": 0, "high": 3, "scale": "log"}}}}, "must be above 0"),
    ({"calibrate": {"priors": {"pressure": [0, 1]}}}, "is not a prior"),
    ({"calibrate": {"priors": {"n_engineers": {"low": 2, "high": 9}}}}, "only real-valued parameters"),
    ({"calibrate": {"fixed": {"pressure": 2.0}}}, "calibrate.fixed.pressure"),
    ({"calibrate": {"base": "no_such_scenario"}}, "no such file or shipped scenario"),
    ({"calibrate": {"base": "x" * 300 + ".toml"}},
     "calibrate.base: '" + "x" * 300 + ".toml': cannot be a scenario TOML file or a shipped scenario's name (File name too long)"),
    ({"calibrate": {"population": 5}}, "calibrate.population"),
    ({"calibrate": {"min_acceptance": 1.5}}, "expected a share in [0, 1)"),
    ({"calibrate": {"priors": {"pressure": {"low": 0, "high": 1}}, "fixed": {"pressure": 0.5}}},
     "calibrate.fixed.pressure: is also given a prior in [calibrate.priors]"),
    ({"calibrate": {"fixed": {"n_engineers": 3}}}, "calibrate.fixed.n_engineers: comes from the history"),
    ({"calibrate": {"adjust": "quadratic"}}, "calibrate.adjust: 'quadratic' is not valid; expected one of 'linear', 'none'"),
    ({"calibrate": {"kernel_scale": 0}}, "calibrate.kernel_scale: 0 is not valid"),
    ({"calibrate": {"kernel_scale": True}}, "calibrate.kernel_scale: true is not valid"),
    ({"calibrate": {"min_acceptance": False}}, "calibrate.min_acceptance: false is not valid"),
    ({"calibrate": {"priors": {"pressure": {"low": True, "high": 1}}}}, "calibrate.priors.pressure.low: true is not"),
    ({"calibrate": {"warmup": -1}}, "calibrate.warmup: -1 is not valid; expected an integer in [0, 520]"),
    ({"calibrate": {"warmup": 2.5}}, "calibrate.warmup"),
])
def test_bad_calibration_settings_get_a_clear_error(table, expected, tmp_path):
    with pytest.raises(ConfigError, match=None) as e:
        C.settings_from_dict(table, "cal.toml", base_dir=tmp_path)
    assert expected in str(e.value) and str(e.value).startswith("cal.toml: ")


def test_settings_override_add_fix_and_drop_what_the_practice_ignores():
    s = C.settings_from_dict({"calibrate": {"base": "one_roadmap", "priors": {"pressure": {"low": 0.2, "high": 0.6},
                                                                             "delivery_noise": {"low": 0, "high": 0.4}},
                                            "fixed": {"initial_debt": 80.0}, "population": 50}}, "cal.toml")
    assert s.priors["pressure"] == C.Prior(0.2, 0.6) and "delivery_noise" in s.priors
    assert "initial_debt" not in s.priors and s.fixed == {"initial_debt": 80.0}
    assert "tech_share" not in s.priors  # one roadmap has no tech reservation to calibrate
    assert s.population == 50 and s.base == "one_roadmap"
    fixed_mode = C.settings_from_dict({"calibrate": {"fixed": {"roadmap_mode": "one_roadmap"}}}, "cal.toml")
    assert "tech_share" not in fixed_mode.priors and "skill_mean" in fixed_mode.priors
    with pytest.raises(ConfigError, match=r"calibrate.priors.tech_share: changes nothing when the team plans with one "
                                          r"roadmap \(the base one_roadmap\)"):  # asked for by name: not a silent drop
        C.settings_from_dict({"calibrate": {"base": "one_roadmap", "priors": {"tech_share": {"low": 0.1, "high": 0.9}}}},
                             "cal.toml")
    with pytest.raises(ConfigError, match=r"calibrate.priors.tech_share: .*\(calibrate.fixed.roadmap_mode\)"):
        C.settings_from_dict({"calibrate": {"base": "split_backlogs", "fixed": {"roadmap_mode": "one_roadmap"},
                                            "priors": {"tech_share": {"low": 0.1, "high": 0.9}}}}, "cal.toml")
    with pytest.raises(ConfigError, match=r"calibrate.fixed.tech_squeeze: changes nothing .* fixing it has no effect"):
        C.settings_from_dict({"calibrate": {"base": "one_roadmap", "fixed": {"tech_squeeze": 0.4}}}, "cal.toml")


def test_log_priors_are_sampled_in_log_units_and_the_model_sees_the_value():
    p = C.Prior(0.25, 20.0, "log")
    rv = p.rv()
    assert rv.name == "uniform" and rv.args == pytest.approx((np.log(0.25), np.log(80.0)))
    assert p.from_sampling(p.to_sampling(3.0)) == pytest.approx(3.0)
    lin = C.Prior(0.0, 2.0)
    assert lin.rv().args == (0.0, 2.0) and lin.from_sampling(1.5) == 1.5
    h = read_history(EXAMPLE)
    sim = C.TeamSimulator(C.Settings(), h)
    theta = {k: pr.quantile(0.3) for k, pr in C.DEFAULT_PRIORS.items()}
    sampled = {k: C.DEFAULT_PRIORS[k].to_sampling(v) for k, v in theta.items()}
    assert sim(sampled) == C.team_statistics(sim.history(theta, C.run_for(theta)))


def _abc_sample(informative: bool, n: int = 1000, seed: int = 0):
    """Accepted particles of a rejection ABC for s = theta + noise, theta ~ U(0, 1), observed s = 0.5."""
    rng = np.random.default_rng(seed)
    theta = rng.random(3 * n)
    s = theta + rng.normal(0.0, 0.02, 3 * n) if informative else rng.random(3 * n)
    d = np.abs(s - 0.5)
    keep = np.argsort(d)[:n]  # a third: tolerance about 0.17
    return theta[keep, None], s[keep, None], d[keep]


def test_regression_adjustment_removes_the_tolerance_and_keeps_the_prior_box():
    """Beaumont et al. (2002): with an informative statistic the adjusted particles gather at the
    true posterior (theta near 0.5, spread about the noise), far tighter than the accepted ones;
    with an uninformative one the spread stays; every value stays inside the prior."""
    prior = [C.Prior(0.0, 1.0)]
    theta, s, d = _abc_sample(True)
    w = np.full(len(d), 1.0 / len(d))
    adj, k, done = C.regression_adjust(theta, s, np.array([0.5]), d, w, prior)
    assert done
    assert np.std(theta) > 0.05  # the tolerance: about +-0.15 around 0.5
    mean = float(np.average(adj[:, 0], weights=k))
    sd = float(np.sqrt(np.average((adj[:, 0] - mean) ** 2, weights=k)))
    assert mean == pytest.approx(0.5, abs=0.005) and 0.01 < sd < 0.03
    assert k.sum() == pytest.approx(1.0) and k.min() >= 0.0 and k[np.argmax(d)] == 0.0  # Epanechnikov
    theta, s, d = _abc_sample(False)
    adj, k, done = C.regression_adjust(theta, s, np.array([0.5]), d, np.full(len(d), 1.0 / len(d)), prior)
    assert 0.8 < np.std(adj) / np.std(theta) < 1.2
    assert ((adj > 0) & (adj < 1)).all()
    few = slice(0, 15)  # too few particles for the regression: unadjusted
    a2, w2, done = C.regression_adjust(theta[few], s[few], np.array([0.5]), d[few], np.full(15, 1 / 15), prior)
    assert not done and (a2 == theta[few]).all() and (w2 == 1 / 15).all()


def test_a_simulated_team_is_judged_by_the_same_statistics_as_the_real_one():
    h = read_history(EXAMPLE)
    s = C.Settings()
    sim = C.TeamSimulator(s, h)
    theta = {k: p.quantile(0.5) for k, p in s.priors.items()}
    real, simulated = C.team_statistics(h.columns), sim(theta)
    assert set(real) == set(simulated)
    assert sim(theta) == simulated  # a draw's random numbers are keyed to the draw
    doubled = sim.history({**theta, C.POINTS_PER_DAY: 2 * theta[C.POINTS_PER_DAY]}, C.run_for(theta))
    same = sim.history(theta, C.run_for(theta))
    assert np.allclose(doubled["delivered"], 2 * same["delivered"])  # work is in the team's unit
    assert np.array_equal(doubled["incidents"], same["incidents"])
    assert np.array_equal(same["headcount"], h.columns["headcount"])  # the team's size follows its record


def test_a_warmed_up_team_enters_its_history_in_its_own_steady_state():
    """Started fresh, a simulated team's burnout climbed and its delivery fell through the first
    twenty sprints of the history (a forecast went on falling below a steady team's record); after
    the warm-up it starts where it goes on."""
    from dataclasses import replace

    h = read_history(EXAMPLE)
    s = C.Settings()
    theta = {k: p.quantile(0.5) for k, p in s.priors.items()}
    assert s.warmup == 26 and C.settings_from_dict({"calibrate": {"warmup": 4}}).warmup == 4
    assert C.settings_from_manifest({"settings": C.settings_record(s)}).warmup == 26
    burnout = {}
    for warmup in (0, 26):
        sim = C.TeamSimulator(replace(s, warmup=warmup), h)
        runs = np.stack([sim.outcomes(theta, r)["burnout_mean"][0] for r in range(200)])
        assert runs.shape == (200, h.n_sprints)  # the warm-up is not returned
        burnout[warmup] = runs.mean(axis=0)
    fresh, warm = burnout[0], burnout[26]
    assert fresh[0] < 0.6 * fresh[-5:].mean()  # fresh: a start-up climb
    assert abs(warm[0] - warm[-5:].mean()) < 0.15 * warm[-5:].mean()  # warmed up: level from the start
    sim = C.TeamSimulator(s, h)
    assert np.array_equal(sim.history(theta, 3)["headcount"], h.columns["headcount"])  # the record, after the warm-up


def test_a_forecast_goes_on_from_the_team_size_now_not_the_first():
    """A team that shrank from 9 to 6 was forecast at about 8 engineers (its first size, refilled by
    backfill); one that grew from 3 to 7 at 3. The simulated history now follows the recorded size."""
    from pe_sim.history import TeamHistory

    s = C.Settings()
    theta = {k: p.quantile(0.5) for k, p in s.priors.items()}
    post = pd.DataFrame([theta] * 4).assign(weight=0.25)
    for sizes in ([9, 9, 9, 8, 8, 7, 7, 6, 6, 6, 6, 6], [3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 7]):
        heads = np.array(sizes, dtype=float)
        change = np.diff(heads, prepend=heads[0])
        n = len(heads)
        h = TeamHistory("team.csv", {"sprint": np.arange(1.0, n + 1), "committed": np.full(n, 40.0),
                                     "delivered": np.full(n, 33.0), "incidents": np.ones(n), "headcount": heads,
                                     "leavers": np.maximum(-change, 0), "hires": np.maximum(change, 0)})
        assert h.current_headcount == sizes[-1]
        sim = C.TeamSimulator(s, h)
        assert np.array_equal(sim.history(theta, 3)["headcount"], heads)
        f, counts = C.forecast(h, s, post.drop(columns="weight"), post["weight"].to_numpy(), sprints=6, draws=40, seed=1)
        assert (counts == 1).all() and len(counts) == 40  # fresh runs: one a draw
        first = f["headcount"][:, 0]
        assert first.max() <= sizes[-1] and first.mean() > sizes[-1] - 0.5, (sizes, first)
        assert (C.posterior_draws(h, post.drop(columns="weight"), post["weight"].to_numpy(), 5)["n_engineers"]
                == sizes[-1]).all()


def test_statistics_respond_to_what_they_measure():
    h = read_history(EXAMPLE)
    cols = {k: v.copy() for k, v in h.columns.items()}
    base = C.team_statistics(cols)
    cols["delivered"] = cols["delivered"] * 0.5
    half = C.team_statistics(cols)
    assert half["say_do"] == pytest.approx(0.5 * base["say_do"])
    assert half["delivered_spread"] == pytest.approx(base["delivered_spread"])
    cols["incidents"] = cols["incidents"] + np.linspace(0, 6, h.n_sprints)
    assert C.team_statistics(cols)["incidents_trend"] > base["incidents_trend"] + 3


def test_weighted_quantiles():
    x, w = np.array([3.0, 1.0, 2.0, 4.0]), np.array([1.0, 1.0, 1.0, 1.0])
    assert C.weighted_quantile(x, w, 0.5) == pytest.approx(2.5)
    assert C.weighted_quantile(x, np.array([0.0, 0.0, 0.0, 1.0]), 0.05) == pytest.approx(4.0)


def test_bad_history_exits_2_with_one_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "team.csv"
    bad.write_text("sprint,committed,delivered\n1,2,3\n", encoding="utf-8")
    r = cli(bad, "--out", tmp_path / "out")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == f"pe-sim: error: {bad}: line 1: missing columns incidents, headcount, leavers, hires; " \
                               "expected a header row with the columns sprint, committed, delivered, incidents, " \
                               "headcount, leavers, hires (optional: tech_share, features_shipped)"
    assert not (tmp_path / "out").exists()


def test_a_small_calibration_writes_everything_resumes_and_is_not_overwritten(tmp_path):
    out = tmp_path / "cal"
    h = read_history(EXAMPLE)
    s = C.Settings(population=40, generations=1, seed=3)
    args = (EXAMPLE, "--out", out, "--population", 40, "--generations", 2, "--seed", 3, "--workers", 1)
    started = subprocess.Popen([sys.executable, "-m", "pe_sim.cli", "calibrate", *map(str, args)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while not (out / "calibration.json").exists() and started.poll() is None:
        time.sleep(0.05)
    started.kill()  # as if interrupted at once; then a first generation is put in its database
    started.wait()
    C.run_abc(h, s, out / "abc.db")
    other = cli(EXAMPLE, "--out", out, "--population", 50, "--generations", 2, "--seed", 3, "--workers", 1)
    assert other.returncode == 2 and "with other settings" in other.stderr
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert "resuming" in r.stderr and "narrowed by the data?" in r.stdout
    assert "NOT regression-adjusted: too few effective particles" in r.stdout  # 40 particles, 12 coefficients
    m = json.loads((out / "manifest.json").read_text())
    assert m["regression_adjusted"] is False and m["settings"]["adjust"] == "linear"
    assert m["complete"] is True and len(m["generations"]) == 2 and m["simulations"] >= 80
    assert m["packages"]["pe_sim_model"] and m["settings"]["warmup"] == 26
    assert m["history"]["sprints"] == 26 and set(m["settings"]["priors"]) == set(C.DEFAULT_PRIORS)
    post = pd.read_parquet(out / "posterior.parquet")
    assert len(post) == 40 and post["weight"].sum() == pytest.approx(1.0)
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["parameter"]) == list(C.DEFAULT_PRIORS)
    assert (summary["ci90_low"] <= summary["median"]).all() and (summary["median"] <= summary["ci90_high"]).all()
    for f in ("posterior.png", "predictive.png"):
        assert (out / f).stat().st_size > 10_000
    again = cli(EXAMPLE, "--out", out, "--population", 40, "--generations", 1, "--quiet")
    assert again.returncode == 2 and "holds a finished calibration; pass --force" in again.stderr
    forced = cli(EXAMPLE, "--out", out, "--population", 30, "--generations", 1, "--workers", 1, "--force", "--quiet")
    assert forced.returncode == 0, forced.stderr
    assert len(pd.read_parquet(out / "posterior.parquet")) == 30


def test_out_folder_with_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    r = cli(EXAMPLE, "--out", tmp_path, "--population", 20, "--generations", 1)
    assert r.returncode == 2 and "holds files pe-sim calibrate did not write (notes.txt)" in r.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"
    run_folder = tmp_path / "run"  # another command's output, even with --force, is left alone
    run_folder.mkdir()
    (run_folder / "manifest.json").write_text('{"command": "run", "complete": true}')
    r = cli(EXAMPLE, "--out", run_folder, "--population", 20, "--generations", 1, "--force")
    assert r.returncode == 2 and "not a calibration's" in r.stderr
    assert (run_folder / "manifest.json").exists()


def test_files_with_a_calibrations_names_in_a_folder_no_calibration_started_are_refused(tmp_path):
    """A folder with the user's own summary.csv and posterior.png had them replaced without --force."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "summary.csv").write_text("MY OWN SUMMARY")
    (mine / "posterior.png").write_text("x")
    r = cli(EXAMPLE, "--out", mine, "--population", 20, "--generations", 1)
    assert r.returncode == 2 and "holds files pe-sim calibrate did not write (posterior.png, summary.csv)" in r.stderr
    assert (mine / "summary.csv").read_text() == "MY OWN SUMMARY" and sorted(p.name for p in mine.iterdir()) == [
        "posterior.png", "summary.csv"]
    stray = tmp_path / "stray"  # an abc.db alone is no calibration's either
    stray.mkdir()
    (stray / "abc.db").write_text("junk")
    r = cli(EXAMPLE, "--out", stray, "--population", 20, "--generations", 1)
    assert r.returncode == 2 and "holds files pe-sim calibrate did not write (abc.db)" in r.stderr


def test_a_resume_with_other_settings_says_what_differs(tmp_path):
    from pe_sim.commands.calibrate import STARTED, _what_differs

    started = {"history_sha256": "a", "settings": {"population": 500, "seed": 1, "priors": {"x": 1}}}
    assert _what_differs(None, started) == f"whose {STARTED} is missing or unreadable (an abc.db no calibration here started)"
    assert _what_differs({**started, "history_sha256": "b"}, started) == "of another history file (its contents differ)"
    was = {"history_sha256": "a", "settings": {"population": 300, "seed": 1, "priors": {"x": 2}}}
    assert _what_differs(was, started) == "with other settings: population 300 (now 500), other priors"
    out = tmp_path / "cal"  # end to end: an interrupted calibration resumed with another population
    out.mkdir()
    (out / "abc.db").write_text("")
    (out / STARTED).write_text(json.dumps({"history_sha256": "0", "settings": {}}))
    r = cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1)
    assert r.returncode == 2 and "of another history file" in r.stderr and "pass --force to start again" in r.stderr


def test_after_an_interrupted_force_the_advice_drops_force(tmp_path, capsys):
    """With --force the same command starts again; the advice to resume says to leave it out."""
    from pe_sim.commands.calibrate import said_interrupted

    assert said_interrupted(tmp_path / "abc.db", 20, force=True) == 130
    assert "Run the same command again without --force to start it." in capsys.readouterr().err
    said_interrupted(tmp_path / "abc.db", 20)
    assert "Run the same command again to start it." in capsys.readouterr().err


def test_statistics_the_model_does_not_reproduce_are_named(tmp_path):
    """A team smoother than any of the model's was forecast a quarter below its history without a
    word; the statistics outside the posterior-predictive range are now named, and kept for forecast."""
    h = read_history(EXAMPLE)
    rng = np.random.default_rng(1)
    like = {c: np.stack([h.columns[c] * rng.uniform(0.9, 1.1) for _ in range(200)]) for c in h.columns if c != "sprint"}
    assert C.misfits(h, like) == {} and C.misfit_lines({}) == []
    doubled = {**like, "delivered": like["delivered"] * 2.0}  # the model's teams deliver twice as much
    found = C.misfits(h, doubled)
    assert {"delivered_mean", "say_do"} <= set(found) and "incidents_mean" not in found
    assert found["delivered_mean"]["observed"] < found["delivered_mean"]["low"]
    text = "\n".join(C.misfit_lines(found))
    assert "work delivered per sprint (delivered_mean): the team" in text and "below the model's" in text
    assert "smoother than the model's" not in text  # a level misfit: the smooth-team remark would mislead
    smooth = {"delivered_spread": {"observed": 0.05, "low": 0.1, "high": 0.3}}
    assert "a team smoother than the model's is forecast lower" in "\n".join(C.misfit_lines(smooth))
    rough = {"delivered_spread": {"observed": 0.5, "low": 0.1, "high": 0.3}}
    assert "smoother" not in "\n".join(C.misfit_lines(rough))
    (tmp_path / "manifest.json").write_text(json.dumps({"predictive_misfits": found}))
    assert C.calibration_misfits(tmp_path) == found
    assert C.calibration_misfits(tmp_path / "none") == {}  # an older calibration: nothing recorded


def test_a_cluster_that_cannot_be_reached_leaves_out_as_it_was(tmp_path):
    r = cli(EXAMPLE, "--out", tmp_path / "w0", "--scheduler", "notaurl", "--population", 20, "--generations", 1)
    assert r.returncode == 2 and "not a Dask scheduler address" in r.stderr
    assert not (tmp_path / "w0").exists()


def test_the_example_team_points_per_day_is_recovered(tmp_path):
    """The synthetic example was made at 2 points per ideal-day: a short calibration narrows
    points_per_day around it (the one parameter its records pin down well), and the regression
    adjustment narrows it (and skill) far more than the accepted particles alone."""
    from dataclasses import replace

    h = read_history(EXAMPLE)
    s = C.Settings(population=300, generations=4, seed=5)
    hist, gens = C.run_abc(h, s, tmp_path / "abc.db")
    rows = {}
    for adjust in C.ADJUSTMENTS:
        df, w = C.posterior(hist, replace(s, adjust=adjust))
        assert df.attrs["adjusted"] == (adjust == "linear")
        rows[adjust] = {r["parameter"]: r for r in C.summarise_posterior(df, w, s)}
    ppd, raw = rows["linear"][C.POINTS_PER_DAY], rows["none"][C.POINTS_PER_DAY]
    assert ppd["ci90_low"] < 2.0 < ppd["ci90_high"] and raw["ci90_low"] < 2.0 < raw["ci90_high"]
    # measured 0.31 and 0.61 (8 Dec, work pulled in; 0.18 and 0.56 before)
    assert ppd["width_vs_prior"] < 0.4 < 0.5 < raw["width_vs_prior"] and ppd["width_vs_prior"] < 0.6 * raw["width_vs_prior"]
    # skill: measured 0.55 against 0.86 (8 Dec); without the adjustment the ratio is 1
    assert rows["linear"]["skill_mean"]["width_vs_prior"] < 0.85 * rows["none"]["skill_mean"]["width_vs_prior"]
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_box_prior_and_cholesky_transition_are_pyabcs_distributions():
    """The fast parts give the same densities as pyabc's own and perturb with the fitted covariance."""
    import pickle

    import pyabc

    from pe_sim.abcsmc import BoxPrior, CholeskyNormalTransition

    rvs = {"a": pyabc.RV("uniform", 1.0, 3.0), "b": pyabc.RV("loguniform", 0.5, 8.0)}
    fast, slow = BoxPrior(**rvs), pyabc.Distribution(**rvs)
    for x in ({"a": 2.0, "b": 1.0}, {"a": 4.0, "b": 7.9}, {"a": 0.9, "b": 1.0}, {"a": 2.0, "b": 8.5}):
        assert fast.pdf(x) == pytest.approx(slow.pdf(x), rel=1e-12, abs=0)
    assert pickle.loads(pickle.dumps(fast)).pdf({"a": 2.0, "b": 1.0}) == pytest.approx(slow.pdf({"a": 2.0, "b": 1.0}))
    assert fast.copy().pdf({"a": 2.0, "b": 1.0}) == pytest.approx(slow.pdf({"a": 2.0, "b": 1.0}))
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.multivariate_normal([0, 0], [[1.0, 0.8], [0.8, 1.0]], 400), columns=["a", "b"])
    t = CholeskyNormalTransition()
    t.fit(X, np.full(400, 1 / 400))
    np.random.seed(1)
    draws = pd.DataFrame([t.rvs_single() for _ in range(4000)])
    assert np.allclose(np.cov(draws.to_numpy().T), np.cov(X.to_numpy().T) + t.cov, atol=0.12)
    assert t.pdf(draws.iloc[0]) > 0


def test_forecast_from_a_calibration(tmp_path, monkeypatch):
    out = tmp_path / "cal"
    r = cli(EXAMPLE, "--out", out, "--population", 30, "--generations", 1, "--workers", 1, "--quiet")
    assert r.returncode == 0, r.stderr
    import pe_sim.files
    from pe_sim.cli import main

    figures = []
    monkeypatch.setattr(pe_sim.files, "save_figure", lambda fig, path, **kw: figures.append(fig))
    assert main(["forecast", str(out), "--sprints", "6", "--backlog", "150", "--draws", "20", "--out",
                 str(tmp_path / "fig")]) == 0
    spans = {ax.get_xlim() for ax in figures[0].axes if ax.get_visible()}
    assert spans == {(0.5, 32.5)}  # every panel from the history's first sprint to the forecast's last
    f = forecast_cli(out, "--sprints", 6, "--backlog", 150, "--draws", 50)
    assert f.returncode == 0, f.stderr
    assert "backlog of 150: done within" in f.stdout and "delivered" in f.stdout
    assert ("50 posterior draws through the team's 26 sprints and 6 more, each its particle's own simulated team"
            in f.stderr)  # said before the work
    post = pd.read_parquet(out / "posterior.parquet")
    assert post[C.RUN].dtype == np.int64 and len(set(post[C.RUN])) == len(post)
    old = tmp_path / "old"  # a calibration from before the runs were kept: forecast afresh, and say so
    shutil.copytree(out, old)
    post.drop(columns=C.RUN).to_parquet(old / "posterior.parquet")
    fresh = forecast_cli(old, "--sprints", 6, "--draws", 50, "--force")
    assert fresh.returncode == 0 and "each simulated afresh (this calibration predates" in fresh.stderr
    assert pd.read_csv(old / "forecast" / "forecast.csv")["delivered_q50"].tolist() != \
        pd.read_csv(out / "forecast" / "forecast.csv")["delivered_q50"].tolist()
    table = pd.read_csv(out / "forecast" / "forecast.csv")
    assert list(table["sprint"]) == list(range(27, 33))
    assert (table["delivered_q10"] <= table["delivered_q90"]).all()
    assert "RuntimeWarning" not in f.stderr
    again = forecast_cli(out)
    assert again.returncode == 2 and "already holds a forecast (forecast.csv, forecast.png); pass --force" in again.stderr
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")  # a folder of the user's own: written into, nothing of theirs touched
    assert forecast_cli(out, "--out", mine, "--draws", 10, "--sprints", 2).returncode == 0
    assert (mine / "notes.txt").read_text() == "keep" and (mine / "forecast.csv").is_file()
    as_file = forecast_cli(out / "history.csv")
    assert as_file.returncode == 2 and "history.csv: CALIBRATION: is a file; expected a folder" in as_file.stderr
    blocked = forecast_cli(out, "--out", out / "history.csv" / "fc", "--draws", 10)  # found before simulating
    assert blocked.returncode == 2 and "cannot be made (a file is in the way)" in blocked.stderr
    assert "forecast of" not in blocked.stdout
    empty = forecast_cli(tmp_path)
    assert empty.returncode == 2 and "has no manifest.json" in empty.stderr
    missing = forecast_cli(tmp_path / "nowhere")
    assert missing.returncode == 2 and "nowhere: CALIBRATION: no such folder" in missing.stderr
    short = forecast_cli(out, "--sprints", 2, "--backlog", 600, "--draws", 20, "--force")
    assert short.returncode == 0 and re.search(r"not done within the 2 sprints forecast at (\d+%, )*(\d+% and )?95% confidence", short.stdout)
    assert "RuntimeWarning" not in short.stderr
    # the suggested look-ahead comes from the draws' delivery (it was 4x --sprints: 8 whatever the backlog)
    ahead = int(re.search(r"look further ahead with --sprints, e\.g\. --sprints (\d+), from the pace so far\)",
                          short.stdout).group(1))
    assert 8 < ahead < 520
    enough = forecast_cli(out, "--sprints", ahead, "--backlog", 600, "--draws", 20, "--force")
    unfinished = lambda r: float(re.search(r"in (\d+)% of draws", r.stdout).group(1)) if "of draws" in r.stdout else 0.0  # noqa: E731
    assert unfinished(short) == 100 and unfinished(enough) < 50, enough.stdout  # a crude calibration's slowest never do
    beyond = forecast_cli(out, "--sprints", 2, "--backlog", 1e308, "--draws", 20, "--force")  # it said --sprints 8
    assert "--sprints 8" not in beyond.stdout and "beyond the 520 the model can look ahead" in beyond.stdout
    assert "even at the fastest draws' " in beyond.stdout
    # a damaged folder: one line naming the file, exit 2, no traceback
    for damage, expected in ((lambda d: (d / "posterior.parquet").unlink(), "posterior.parquet: posterior: cannot be read"),
                             (lambda d: (d / "posterior.parquet").write_bytes(b"junk"), "posterior: cannot be read"),
                             (lambda d: (d / "manifest.json").write_text('{"command": "calib'), "manifest: is damaged"),
                             (lambda d: (d / "manifest.json").unlink(), "is an unfinished calibration; run the same"),
                             (lambda d: (d / "history.csv").write_text((d / "history.csv").read_text().replace(",6,", ",7,", 1)),
                              "history.csv: history: was changed after the calibration")):
        broken = tmp_path / "broken"
        shutil.rmtree(broken, ignore_errors=True)
        shutil.copytree(out, broken)
        damage(broken)
        b = forecast_cli(broken, "--out", tmp_path / "fc", "--draws", 10)
        assert b.returncode == 2 and expected in b.stderr and "Traceback" not in b.stderr, b.stderr
        assert not (tmp_path / "fc").exists()
    # the calibration can be replaced with its forecast, but not a folder holding anything else
    (out / "forecast" / "mine.txt").write_text("notes")
    kept = cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1, "--workers", 1, "--quiet", "--force")
    assert kept.returncode == 2 and "did not write (forecast/mine.txt)" in kept.stderr
    (out / "forecast" / "mine.txt").unlink()
    (out / "forecast" / ".notes").write_text("hidden, but not pe-sim's")
    hidden = cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1, "--workers", 1, "--quiet", "--force")
    assert hidden.returncode == 2 and "did not write (forecast/.notes)" in hidden.stderr
    (out / "forecast" / ".notes").unlink()
    (out / "forecast" / ".forecast.png.4242.tmp").write_text("a killed forecast's half-written figure")
    outside = tmp_path / "outside"  # a forecast folder that links elsewhere is not followed
    (out / "forecast").rename(outside)
    (out / "forecast").symlink_to(outside)
    linked = cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1, "--workers", 1, "--quiet", "--force")
    assert linked.returncode == 2 and "did not write (forecast)" in linked.stderr
    assert (outside / "forecast.csv").is_file() and (out / "manifest.json").is_file()
    (out / "forecast").unlink()
    outside.rename(out / "forecast")
    redo = cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1, "--workers", 1, "--quiet", "--force")
    assert redo.returncode == 0, redo.stderr
    assert not (out / "forecast").exists() and len(pd.read_parquet(out / "posterior.parquet")) == 20


def test_each_particle_keeps_the_run_that_got_it_accepted(tmp_path):
    """posterior() records each particle's run id: simulating the particle's values (as accepted)
    with it gives exactly the statistics pyabc judged; the adjustment moves values, not runs."""
    from dataclasses import replace

    h = read_history(EXAMPLE)
    s = C.Settings(population=40, generations=1, seed=3)
    hist, _ = C.run_abc(h, s, tmp_path / "abc.db")
    raw, _ = C.posterior(hist, replace(s, adjust="none"))
    adjusted, _ = C.posterior(hist, s)
    assert np.array_equal(raw.attrs["runs"], adjusted.attrs["runs"]) and len(set(raw.attrs["runs"])) == 40
    sim = C.TeamSimulator(s, h)
    judged = hist.get_population(t=hist.max_t).particles
    for i, pt in enumerate(judged):
        stats = C.team_statistics(sim.history(C.particles(raw, [i])[0], int(raw.attrs["runs"][i])))
        assert stats == pytest.approx({k: float(v) for k, v in pt.sum_stat.items()}, rel=1e-12, abs=1e-12)
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_forecast_goes_on_from_each_particles_own_run(monkeypatch):
    """With the runs, every draw is its particle's own run continued (the same numbers as that run
    simulated through the history and on), a particle drawn twice is simulated once, and the
    forecast differs from fresh runs of the same values; without, each draw is a fresh run."""
    h = read_history(EXAMPLE)
    s = C.Settings()
    thetas = [{k: p.quantile(q) for k, p in s.priors.items()} for q in (0.3, 0.5, 0.7)]
    df = pd.DataFrame(thetas)
    w, runs = np.array([0.2, 0.5, 0.3]), np.array([11, 222, 3333], dtype=np.int64)
    simulated = []
    many = C.TeamSimulator.many
    monkeypatch.setattr(C.TeamSimulator, "many", lambda self, th, ids, *a: simulated.append(len(th)) or many(self, th, ids, *a))
    own, counts = C.forecast(h, s, df, w, sprints=5, draws=30, seed=4, runs=runs)
    fresh, _ = C.forecast(h, s, df, w, sprints=5, draws=30, seed=4)
    assert simulated == [3, 30]
    assert list(counts) == list(np.bincount(C.pick(w, 30, 4), minlength=3))  # each particle stands for its draws
    sim = C.TeamSimulator(s, h, h.n_sprints + 5)
    for i in range(3):
        run = sim.outcomes(thetas[i], int(runs[i]))
        assert np.array_equal(own["delivered"][i], run["delivered"][0, h.n_sprints:] * thetas[i][C.POINTS_PER_DAY])
        assert np.array_equal(own["tech_debt"][i], run["tech_debt"][0, h.n_sprints:])
        said, done = run["committed"][0, h.n_sprints:], run["delivered"][0, h.n_sprints:]
        assert np.array_equal(own["say_do"][i], np.where(said > 0, done / np.where(said > 0, said, 1.0),
                                                         run["say_do"][0, h.n_sprints:]))  # delivered / committed
    assert (own["say_do"] > 1).any()  # a sprint that pulled in work delivered more than it committed
    for theta, run in sim.draws(df, w, 1, 4):  # the fallback's first draw: a fresh run, as before
        fresh_run = sim.outcomes(theta, run)
        assert np.array_equal(fresh["delivered"][0], fresh_run["delivered"][0, h.n_sprints:] * theta[C.POINTS_PER_DAY])
    assert not np.array_equal(own["delivered"][C.pick(w, 30, 4)], fresh["delivered"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6) | st.just(np.inf), st.integers(0, 7)), min_size=1, max_size=12)
       .filter(lambda rows: sum(c for _, c in rows) > 0),
       st.sampled_from([0.0, 0.05, 0.1, 0.15, 0.5, 0.85, 0.9, 0.95, 1.0, 1 / 3]))
def test_a_counted_quantile_is_numpys_quantile_of_the_repeated_draws(rows, q):
    """Quantiles of runs that stand for several draws each are those of the draws repeated, for both
    methods the forecast uses, over one axis and over columns (sprints)."""
    x, counts = np.array([v for v, _ in rows]), np.array([c for _, c in rows])
    cdf = np.quantile(np.repeat(x, counts), q, method="inverted_cdf")
    assert C.counted_quantile(x, counts, q, method="inverted_cdf") == cdf
    if np.isfinite(x).all():
        columns = np.column_stack([x, -2.0 * x, np.full(len(x), 3.0)])
        want = np.quantile(np.repeat(columns, counts, axis=0), [q, 0.5], axis=0)
        assert C.counted_quantile(columns, counts, [q, 0.5]) == pytest.approx(want, rel=1e-12, abs=1e-9)


def test_a_forecast_keeps_the_distinct_particles_not_every_draw(tmp_path):
    """A million draws of a small posterior simulate (and hold) its few particles once each, and the
    printed bands are those of the million draws."""
    h, s = read_history(EXAMPLE), C.Settings()
    thetas = [{k: p.quantile(q) for k, p in s.priors.items()} for q in (0.3, 0.5, 0.7)]
    df, w = pd.DataFrame(thetas), np.array([0.2, 0.5, 0.3])
    fc, counts = C.forecast(h, s, df, w, sprints=4, draws=1_000_000, seed=2, runs=np.array([5, 6, 7]))
    assert fc["delivered"].shape == (3, 4) and counts.sum() == 1_000_000
    assert counts / 1e6 == pytest.approx(w, abs=0.003)
    every = np.repeat(fc["delivered"], counts, axis=0)
    assert C.counted_quantile(fc["delivered"], counts, [0.1, 0.9]) == pytest.approx(np.quantile(every, [0.1, 0.9], axis=0))


def test_many_runs_at_once_are_the_runs_one_by_one_whatever_the_chunks():
    h, s = read_history(EXAMPLE), C.Settings()
    sim = C.TeamSimulator(s, h, h.n_sprints + 4)
    thetas = [{k: p.quantile(q) for k, p in s.priors.items()} for q in np.linspace(0.1, 0.9, 10)]
    runs = np.arange(100, 110)
    for chunk in (3, 256):
        got = sim.many(thetas, runs, ("delivered", "burnout_mean"), h.n_sprints - 2, chunk=chunk)
        for j, theta in enumerate(thetas):
            one = sim.outcomes(theta, int(runs[j]))
            assert np.array_equal(got["delivered"][j], one["delivered"][0, h.n_sprints - 2:])
            assert np.array_equal(got["burnout_mean"][j], one["burnout_mean"][0, h.n_sprints - 2:])


def test_the_backlog_line_says_each_answer_once():
    from pe_sim.commands.forecast import backlog_line

    inf = float("inf")
    assert backlog_line(((50, 1.0), (85, 1.0), (95, 1.0)), 13) == "done within 1 sprint at 50%, 85% and 95% confidence"
    assert backlog_line(((50, 4.0), (85, 5.0), (95, 5.0)), 13) == \
        "done within 4 sprints at 50%, done within 5 sprints at 85% and 95% confidence"
    assert backlog_line(((50, 4.0), (85, inf), (95, inf)), 1) == \
        "done within 4 sprints at 50%, not done within the 1 sprint forecast at 85% and 95% confidence"


def test_a_share_of_draws_never_rounds_a_few_to_none_or_most_to_all():
    from pe_sim.commands.forecast import share_text

    assert [share_text(x) for x in (0.0, 0.001, 0.005, 0.0051, 0.3, 0.994, 0.996, 0.999, 1.0)] == \
        ["0%", "under 1%", "under 1%", "1%", "30%", "99%", "over 99%", "over 99%", "100%"]


def test_sprints_to_finish_a_backlog():
    delivered = np.array([[10.0, 10, 10, 10], [5, 5, 5, 5], [40, 0, 0, 0]])
    assert list(C.sprints_to_finish(delivered, 30)) == [3.0, np.inf, 1.0]


def test_compare_for_teams_like_this_one_uses_a_posterior_draw_per_paired_run(tmp_path):
    from pe_sim.analysis import compare, run_config
    from pe_sim.config import load

    out = tmp_path / "cal"
    assert cli(EXAMPLE, "--out", out, "--population", 30, "--generations", 1, "--workers", 1, "--quiet").returncode == 0
    post = pd.read_parquet(out / "posterior.parquet")
    h = read_history(out / "history.csv")
    draws = C.posterior_draws(h, post.drop(columns="weight"), post["weight"].to_numpy(), 40, seed=2)
    assert set(draws) == (set(C.DEFAULT_PRIORS) - {C.POINTS_PER_DAY}) | {"n_engineers"}
    assert h.starting_headcount == 7 and h.current_headcount == 6
    assert (draws["n_engineers"] == 6).all() and len(np.unique(draws["pressure"])) > 5  # the team's size now
    split = run_config(load("split_backlogs"), 40, 10, 1, ("velocity", "headcount"), per_run=draws)
    assert split["headcount"][:, 0].max() == 6
    one = run_config(load("split_backlogs"), 40, 10, 1, ("velocity",), per_run={k: v[::-1] for k, v in draws.items()})
    assert not np.array_equal(split["velocity"], one["velocity"])  # each run takes its own draw
    res = compare(["split_backlogs", "split_backlogs"], runs=40, sprints=10, seed=1, per_run=draws, workers=1)
    assert np.allclose(res.summary["diff"], 0.0)  # paired: the same draw in both setups
    with pytest.raises(ConfigError, match="one value per run"):
        compare(["split_backlogs", "one_roadmap"], runs=40, sprints=10, per_run={"pressure": np.zeros(3)}, workers=1)
    r = cli("split_backlogs", "one_roadmap", "--posterior", out, "--runs", 30, "--sprints", 8, "--figure", "none",
            command="compare")
    assert r.returncode == 0, r.stderr
    assert "draw from the posterior" in r.stderr and "customer_value" in r.stdout
    assert "tech_share is not used by one_roadmap (one roadmap)" in r.stderr
    assert "is in the team's own unit, as in its history" in r.stderr
    unit = C.posterior_unit(post.drop(columns="weight"), post["weight"].to_numpy(), 40, seed=2)
    picks = C.pick(post["weight"].to_numpy(), 40, 2)  # the same draws as posterior_draws'
    assert np.array_equal(unit, post["points_per_day"].to_numpy()[picks])
    assert np.array_equal(draws["pressure"], post["pressure"].to_numpy()[picks])
    plain = compare(["split_backlogs", "one_roadmap"], runs=40, sprints=10, seed=1, per_run=draws, workers=1,
                    outcomes=["velocity", "tech_debt"])
    doubled = compare(["split_backlogs", "one_roadmap"], runs=40, sprints=10, seed=1, per_run=draws, workers=1,
                      outcomes=["velocity", "tech_debt"], work_unit=np.full(40, 2.0))
    a, b = plain.summary.set_index("outcome"), doubled.summary.set_index("outcome")
    assert np.isclose(b.loc["velocity", "mean_setup"], 2 * a.loc["velocity", "mean_setup"])
    assert b.loc["tech_debt", "mean_setup"] == a.loc["tech_debt", "mean_setup"]  # debt-days are not the team's unit
    assert "in the team's unit" in b.loc["velocity", "meaning"]


def test_a_calibration_runs_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    h = read_history(EXAMPLE)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        s = C.Settings(population=30, generations=1)
        hist, gens = C.run_abc(h, s, tmp_path / "abc.db", client=client)
        df, w = C.posterior(hist, s)
    assert len(gens) == 1 and len(df) == 30 and w.sum() == pytest.approx(1.0)


def test_posterior_draws_drive_both_engines_alike_and_the_report(tmp_path):
    from pe_sim import runner
    from pe_sim.config import load

    out = tmp_path / "cal"
    assert cli(EXAMPLE, "--out", out, "--population", 30, "--generations", 1, "--workers", 1, "--quiet").returncode == 0
    post = pd.read_parquet(out / "posterior.parquet")
    draws = C.posterior_draws(read_history(out / "history.csv"), post.drop(columns="weight"), post["weight"].to_numpy(), 3)
    core = runner.run(load("split_backlogs"), 3, 6, 9, engine="core", per_run=draws)
    mesa = runner.run(load("split_backlogs"), 3, 6, 9, engine="mesa", per_run=draws)
    num = core.select_dtypes("number").columns
    assert np.allclose(core[num].to_numpy(), mesa[num].to_numpy(), rtol=0, atol=1e-9)
    plain = runner.run(load("split_backlogs"), 3, 6, 9)
    assert not np.allclose(core["velocity"], plain["velocity"])
    html = tmp_path / "r.html"
    r = cli("split_backlogs", "one_roadmap", "--posterior", out, "--runs", 20, "--sprints", 6, "--out", html,
            command="report")
    assert r.returncode == 0, r.stderr
    text = html.read_text(encoding="utf-8")
    assert "Teams like the one calibrated in" in text and "All parameters at their defaults" not in text
    assert "Drawn per run from the team&#x27;s posterior: <code>base_attrition</code>" in text or \
        "Drawn per run from the team's posterior: <code>base_attrition</code>" in text
    assert "in the team&#x27;s own unit" in text or "in the team's own unit" in text
    drawn = re.search(r"Drawn per run from the team(?:&#x27;|')s posterior: (.*?)\.", text)[1]
    assert "n_engineers" not in drawn  # the head count now is the same in every run, not a draw
    heads = int(read_history(out / "history.csv").current_headcount)
    assert f"current head count in every run: <code>n_engineers</code> = {heads}." in text


def test_the_report_gives_work_in_the_team_unit():
    """report --posterior multiplies run i's velocity, committed and delivered by run i's draw of
    points_per_day (as compare does); other outcomes keep their units."""
    from pe_sim import report as rep
    from pe_sim.config import load

    configs = [load("split_backlogs")]
    unit = np.array([1.0, 2.0, 0.5])
    plain = rep.simulate(configs, 3, 4, 9)
    scaled = rep.in_team_unit(plain, unit, 3)
    factor = unit[plain["run"].to_numpy()]
    for o in ("velocity", "committed", "delivered"):
        assert np.array_equal(scaled[o].to_numpy(), plain[o].to_numpy() * factor)
    for o in ("tech_debt", "customer_value", "features_shipped"):
        assert np.array_equal(scaled[o].to_numpy(), plain[o].to_numpy())
    with pytest.raises(ValueError, match="one value per run"):
        rep.in_team_unit(plain, np.ones(2), 3)
    built = rep.build(configs, 3, 4, 9, work_unit=unit)
    assert np.array_equal(built.data["velocity"].to_numpy(), scaled["velocity"].to_numpy())
    assert "in the team&#x27;s unit, the calibration&#x27;s points_per_day" in built.html  # the key outcomes say so
    assert "(ideal-days)" not in built.html and "(ideal-days)" in rep.build(configs, 3, 4, 9).html


@pytest.mark.timeout(180)
def test_ctrl_c_with_worker_processes_stops_cleanly_and_says_how_to_resume(tmp_path):
    """Ctrl-C reaches the whole process group: the workers leave it to the main process, which
    stops with exit 130 and the resume hint, not a worker's traceback or "a worker is dead"."""
    import os
    import signal

    out = tmp_path / "cal"
    p = subprocess.Popen([sys.executable, "-m", "pe_sim.cli", "calibrate", str(EXAMPLE), "--out", str(out),
                          "--workers", "2", "--population", "200", "--generations", "30"], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = []
    for line in p.stderr:  # the progress lines: interrupt while the third generation is being sampled
        seen.append(line)
        if "pe-sim calibrate: generation 2 of 30: " in line:
            time.sleep(0.3)
            os.killpg(p.pid, signal.SIGINT)
            break
    rest = p.stderr.read()
    p.wait(timeout=60)
    err = "".join(seen) + rest
    assert p.returncode == 130, err
    assert "Run the same command again to resume" in err and "Traceback" not in err and "dead" not in err


def test_a_half_written_generation_is_dropped_and_the_calibration_resumes(tmp_path):
    """An interrupt while pyabc adds a generation's particles leaves part of them committed: the
    next run drops that generation and resumes from the one before; a database where nothing had
    finished starts afresh, and a file that is not pyabc's database is refused with one line."""
    import sqlite3

    out = tmp_path / "cal"
    h = read_history(EXAMPLE)
    args = (EXAMPLE, "--out", out, "--population", 30, "--generations", 3, "--seed", 5, "--workers", 1, "--quiet")
    started = subprocess.Popen([sys.executable, "-m", "pe_sim.cli", "calibrate", *map(str, args)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not (out / "calibration.json").exists() and started.poll() is None:
        time.sleep(0.05)
    started.kill()
    started.wait()
    (out / "abc.db").unlink(missing_ok=True)
    C.run_abc(h, C.Settings(population=30, generations=2, seed=5), out / "abc.db")
    db = out / "abc.db"
    with sqlite3.connect(db) as con:  # generation 1 half-written: 12 of its 30 particles are gone
        con.execute("DELETE FROM particles WHERE id IN (SELECT pa.id FROM particles pa JOIN models m ON pa.model_id = m.id "
                    "JOIN populations p ON m.population_id = p.id WHERE p.t = 1 LIMIT 12)")
    assert C.repair_database(db, 30, fix=False) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM populations WHERE t = 1").fetchone()[0] == 1  # a count changes nothing
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    m = json.loads((out / "manifest.json").read_text())
    assert [g["t"] for g in m["generations"]] == [0, 1, 2]
    assert all(g["simulations"] >= 30 for g in m["generations"])
    post = pd.read_parquet(out / "posterior.parquet")
    assert len(post) == 30 and post["weight"].sum() == pytest.approx(1.0)

    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert C.repair_database(empty, 30) == 0
    hist, gens = C.run_abc(h, C.Settings(population=20, generations=1, seed=5), empty)
    assert len(gens) == 1

    # the last generation's population row gone, its models and particles left behind: SQLite would give
    # the next generation the same id and the old rows would join it, unless they are removed first
    mid = tmp_path / "mid"
    shutil.copytree(out, mid)
    (mid / "manifest.json").unlink()
    with sqlite3.connect(mid / "abc.db") as con:
        con.execute("DELETE FROM populations WHERE t = 2")
    r = cli(*args[:2], mid, *args[3:])
    assert r.returncode == 0, r.stderr
    post = pd.read_parquet(mid / "posterior.parquet")
    assert len(post) == 30 and post["weight"].sum() == pytest.approx(1.0)

    for name, damage in (("bytes", lambda db: db.write_bytes(b"not a database, just some bytes " * 64)),
                         ("table", lambda db: sqlite3.connect(db).execute("DROP TABLE samples").connection.commit())):
        bad = tmp_path / f"bad-{name}"
        shutil.copytree(out, bad)
        (bad / "manifest.json").unlink()
        damage(bad / "abc.db")
        r = cli(*args[:2], bad, *args[3:])
        assert r.returncode == 2 and "is not a calibration database pe-sim can resume" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_an_interrupt_pyabc_swallows_still_stops_the_calibration(tmp_path, monkeypatch, capsys):
    """pyabc can catch a KeyboardInterrupt (in a finaliser, or turn it into another error in its
    clean-up) and carry on: the command's own Ctrl-C flag stops it all the same, with exit 130."""
    import os
    import signal

    from pe_sim.cli import main

    def swallowing(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass
        return None, []

    monkeypatch.setattr(C, "run_abc", swallowing)
    assert main(["calibrate", str(EXAMPLE), "--out", str(tmp_path / "cal"), "--workers", "1", "--quiet"]) == 130
    assert "pe-sim: interrupted; no generation had finished" in capsys.readouterr().err
    assert not (tmp_path / "cal" / "manifest.json").exists()

    def failing_cleanup(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            raise RuntimeError("a session rolled back during flush") from None

    monkeypatch.setattr(C, "run_abc", failing_cleanup)
    assert main(["calibrate", str(EXAMPLE), "--out", str(tmp_path / "cal"), "--workers", "1", "--quiet"]) == 130
    assert "Traceback" not in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back


def test_pyabc_progress_becomes_one_plain_line_per_generation():
    lines = C._ProgressLines(8)
    shown = [lines.text(m) for m in ("Calibration sample t = -1.", "t: 0, eps: 5.23713049e+00.",
                                     "Accepted: 50 / 107 = 4.6729e-01, ESS: 5.0000e+01.", "Timing of generation 0: 1.2 s",
                                     "t: 1, eps: 4.11998620e+00.", "Accepted: 50 / 133 = 3.7594e-01, ESS: 2.8965e+01.",
                                     "Stop: Maximum number of generations.", "Something pyabc says one day")]
    assert shown == [None, None, "generation 1 of 8: 50 of 107 simulated teams within distance 5.24 (47% accepted), "
                                 "effective sample 50", None, None,
                     "generation 2 of 8: 50 of 133 simulated teams within distance 4.12 (38% accepted), "
                     "effective sample 29", "stopped: maximum number of generations", "Something pyabc says one day"]


def test_a_team_that_knows_its_unit_fixes_points_per_day(tmp_path):
    for bad in (0, 1e160, -1, True, "2"):
        with pytest.raises(ConfigError, match="calibrate.fixed.points_per_day: .* is not valid; expected the team's unit"):
            C.settings_from_dict({"calibrate": {"fixed": {"points_per_day": bad}}}, "cal.toml")
    s = C.settings_from_dict({"calibrate": {"fixed": {"points_per_day": 2.5}}}, "cal.toml")
    assert C.POINTS_PER_DAY not in s.priors and s.fixed == {"points_per_day": 2.5}
    h = read_history(EXAMPLE)
    sim = C.TeamSimulator(s, h)
    theta = {k: 0.5 * (p.low + p.high) for k, p in s.priors.items()}
    days = sim.outcomes(theta, 7)["delivered"][0]
    assert np.allclose(sim.history(theta, 7)["delivered"], 2.5 * days)  # the team's unit, not 1
    cal = tmp_path / "cal.toml"
    cal.write_text("[calibrate]\nbase = 'crunch'\n[calibrate.fixed]\npoints_per_day = 2.5\nsprint_days = 10\n")
    out = tmp_path / "cal"
    from pe_sim.sweeps import default_workers

    many = default_workers() + 1
    r = cli(EXAMPLE, "--config", cal, "--out", out, "--population", 20, "--generations", 1, "--workers", many, "--quiet")
    assert r.returncode == 0, r.stderr
    assert "note: the base 'crunch' has 3 events" in r.stderr and "so they are not used" in r.stderr
    assert f"warning: {many} worker processes on" in r.stderr
    assert "points_per_day" not in pd.read_parquet(out / "posterior.parquet")
    f = forecast_cli(out, "--sprints", 3, "--draws", 20)
    assert f.returncode == 0, f.stderr
    c = cli("split_backlogs", "one_roadmap", "--posterior", out, "--runs", 10, "--sprints", 4, "--figure", "none",
            command="compare")
    assert c.returncode == 0, c.stderr
    assert "at its fixed 2.5 per ideal-day" in c.stderr and "(sprint_days = 10.0) are not applied" in c.stderr


def test_sqlites_journal_beside_the_database_is_the_calibrations_own(tmp_path):
    """A calibration killed while pyabc wrote left abc.db-journal, and neither a resume nor --force
    would touch a folder with that 'file pe-sim calibrate did not write'."""
    out = tmp_path / "cal"
    args = (EXAMPLE, "--out", out, "--population", 20, "--generations", 2, "--workers", 1, "--quiet")
    assert cli(*args).returncode == 0
    (out / "manifest.json").unlink()  # unfinished, as if killed mid-write
    (out / "abc.db-journal").write_bytes(b"")
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    (out / "abc.db-wal").write_bytes(b"")
    r = cli(*args, "--force")
    assert r.returncode == 0, r.stderr
    assert not (out / "abc.db-wal").exists()


def test_a_second_calibration_into_a_folder_in_use_is_refused(tmp_path):
    """Two calibrations writing one pyabc database at once corrupted it (two generations with one
    number); the second is now refused while the first holds the folder, and nothing is written."""
    from pe_sim.files import folder_lock

    out = tmp_path / "cal"
    with folder_lock(out, "--out", "calibrate"):
        r = cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1, "--workers", 1, "--quiet")
        assert r.returncode == 2 and "another pe-sim command (a run, sweep, calibration or forecast) is using this folder now" in r.stderr
        assert "Traceback" not in r.stderr and list(out.iterdir()) == []
    assert cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1, "--workers", 1,
               "--quiet").returncode == 0  # once it is free


def test_what_calibrate_leaves_out_or_cannot_match_is_said_even_with_quiet(tmp_path):
    lines = EXAMPLE.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
    cells = [row.split(",") for row in lines[first + 1:]]
    cells[2][2] = str(float(cells[2][1]) + 5)  # the third sprint delivered more than it committed
    team = tmp_path / "team.csv"
    team.write_text("\n".join([lines[first] + ",Notes"] + [",".join(row) + ",x" for row in cells]) + "\n")
    bad = tmp_path / "bad.toml"
    bad.write_text("[calibrate]\npopulaton = 20\n")
    r = cli(team, "--config", bad, "--out", tmp_path / "cal", "--quiet")
    assert r.returncode == 2 and "populaton" in r.stderr and not (tmp_path / "cal").exists()
    assert f"{team}: not used (pe-sim reads" in r.stderr and "): Notes" in r.stderr  # said before the settings' error
    assert f"warning: {team}: delivered is above committed in 1 of 26 sprints (sprint {cells[2][0]})" in r.stderr


def test_a_calibration_resumes_from_a_copy_of_its_config_file(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text("[calibrate]\npopulation = 20\ngenerations = 1\n[calibrate.fixed]\nsprint_days = 10\n")
    b.write_text(a.read_text())
    out = tmp_path / "cal"
    assert cli(EXAMPLE, "--config", a, "--out", out, "--workers", 1, "--quiet").returncode == 0
    (out / "manifest.json").unlink()  # as if stopped after its last generation
    r = cli(EXAMPLE, "--config", b, "--out", out, "--workers", 1, "--quiet")
    assert r.returncode == 0 and (out / "manifest.json").is_file(), r.stderr
    assert "sprint_days" not in r.stderr  # fixed at 10: nothing to warn about
    b.write_text(a.read_text().replace("10", "5"))
    (out / "manifest.json").unlink()
    r = cli(EXAMPLE, "--config", b, "--out", out, "--workers", 1, "--quiet")
    assert r.returncode == 2 and "with other settings: fixed" in r.stderr
    assert "warning: sprint_days = 5: the per-sprint rates and durations scale to this sprint length" in r.stderr  # as run says


def test_a_calibration_keeps_its_practice_from_a_base_beside_its_config(tmp_path):
    """A base file is found beside the config (from any folder); the calibration records the base's
    values, so a forecast from elsewhere, or after the file changed or went, uses the practice it
    was calibrated with; an unfinished calibration with a changed base is not resumed; a calibration
    from before the practice was kept names its base when the base cannot be found."""
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "mybase.toml").write_text("[scenario]\nname = 'mybase'\n[params]\nsyncs_per_sprint = 4\n")
    (conf / "cal.toml").write_text("[calibrate]\nbase = 'mybase.toml'\npopulation = 20\ngenerations = 1\n")
    out = tmp_path / "cal"
    r = cli(EXAMPLE, "--config", conf / "cal.toml", "--out", out, "--workers", 1, "--quiet")  # run from the repository
    assert r.returncode == 0, r.stderr
    v = cli(conf / "cal.toml", command="validate")
    assert v.returncode == 0 and f"base {conf / 'mybase.toml'}" in v.stdout, v.stderr
    practice = json.loads((out / "manifest.json").read_text())["settings"]["practice"]
    assert practice["syncs_per_sprint"] == 4
    first = forecast_cli(out, "--sprints", 3, "--draws", 20, "--out", tmp_path / "f1")
    (conf / "mybase.toml").write_text("[scenario]\nname = 'mybase'\n[params]\nsyncs_per_sprint = 1\n")
    second = forecast_cli(out, "--sprints", 3, "--draws", 20, "--out", tmp_path / "f2")
    assert first.returncode == second.returncode == 0 and first.stdout.split("\n")[1:] == second.stdout.split("\n")[1:]
    from dataclasses import replace

    s, h = C.Settings(), read_history(EXAMPLE)
    theta = {k: p.quantile(0.5) for k, p in s.priors.items()}
    runs = [C.TeamSimulator(replace(s, practice={**practice, "syncs_per_sprint": n}), h).outcomes(theta, 5)["delivered"]
            for n in (4, 1)]
    assert not np.array_equal(*runs)  # so re-reading the changed base would have changed the forecast
    (out / "manifest.json").unlink()  # as if stopped after its last generation: the base changed meanwhile
    r = cli(EXAMPLE, "--config", conf / "cal.toml", "--out", out, "--workers", 1, "--quiet")
    assert r.returncode == 2 and "with other settings: the base's values of syncs_per_sprint 4.0 (now 1.0)" in r.stderr
    (conf / "mybase.toml").write_text("[scenario]\nname = 'mybase'\n[params]\nsyncs_per_sprint = 4\n")
    import os

    relative = os.path.relpath(conf / "cal.toml", ROOT)  # the same file named from elsewhere: the same calibration
    r = cli(EXAMPLE, "--config", relative, "--out", out, "--workers", 1, "--quiet")
    assert r.returncode == 0 and (out / "manifest.json").is_file(), r.stderr
    old = tmp_path / "old"  # a calibration from before the practice was kept, whose base is gone
    r = cli(EXAMPLE, "--config", conf / "cal.toml", "--out", old, "--workers", 1, "--quiet")
    assert r.returncode == 0, r.stderr
    m = json.loads((old / "manifest.json").read_text())
    del m["settings"]["practice"]
    (old / "manifest.json").write_text(json.dumps(m))
    (conf / "mybase.toml").unlink()
    f = forecast_cli(old, "--sprints", 3, "--draws", 20)
    assert f.returncode == 2 and f"{old}: base: the calibration's base" in f.stderr and "no such file" in f.stderr


def test_a_forecast_holds_its_calibration_and_its_out_folder(tmp_path):
    """`calibrate --force` removed the forecast folder under a running forecast (a traceback), and two
    forecasts into one --out both wrote, one replacing the other: each now holds the calibration
    folder (and an --out outside it) while it works; --out may not be the calibration folder itself."""
    from pe_sim.files import folder_lock

    out = tmp_path / "cal"
    assert cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1, "--workers", 1, "--quiet").returncode == 0
    with folder_lock(out, "--out", "calibrate"):  # a calibration replacing it, in progress
        r = forecast_cli(out, "--draws", 10, "--sprints", 2)
        assert r.returncode == 2 and "is using this folder now" in r.stderr and not (out / "forecast").exists()
        assert "Traceback" not in r.stderr
    elsewhere = tmp_path / "fc"
    with folder_lock(elsewhere, "--out", "forecast"):  # another forecast writing there
        r = forecast_cli(out, "--draws", 10, "--sprints", 2, "--out", elsewhere)
        assert r.returncode == 2 and f"{elsewhere}: --out: another pe-sim command" in r.stderr
        assert list(elsewhere.iterdir()) == []
    assert forecast_cli(out, "--draws", 10, "--sprints", 2, "--out", elsewhere).returncode == 0
    many = forecast_cli(out, "--draws", 201, "--sprints", 2, "--out", elsewhere, "--force")
    assert many.returncode == 0 and "note: the posterior has 20 particles, each one simulated team; 201 draws" in many.stderr
    assert "note:" not in forecast_cli(out, "--draws", 200, "--sprints", 2, "--out", elsewhere, "--force").stderr
    itself = forecast_cli(out, "--draws", 10, "--sprints", 2, "--out", out)
    assert itself.returncode == 2 and "is the calibration folder itself" in itself.stderr
    assert not (out / "forecast.csv").exists()


@pytest.fixture(scope="module")
def small_calibration(tmp_path_factory):
    """One small finished calibration, for tests that copy it and damage the copy."""
    out = tmp_path_factory.mktemp("small") / "cal"
    assert cli(EXAMPLE, "--out", out, "--population", 20, "--generations", 1, "--workers", 1, "--quiet").returncode == 0
    return out


@pytest.mark.parametrize("damage, where", [
    (lambda p: p.assign(run=pd.array([None] * len(p), dtype="Int64")), "posterior.parquet: run: is not a column of run ids"),
    (lambda p: p.assign(run=p["run"].astype(float)), "posterior.parquet: run: is not a column of run ids"),
    (lambda p: p.assign(run=-p["run"] - 1), "posterior.parquet: run: holds run ids outside [0, 2^63)"),
    (lambda p: p.assign(run=p["run"].astype("uint64") + np.uint64(2**63)), "run: holds run ids outside"),
    (lambda p: p.assign(run=p["run"].astype(str)), "run: is not a column of run ids"),
    (lambda p: p.assign(pressure=np.nan), "posterior.parquet: pressure: holds missing or infinite values"),
    (lambda p: p.assign(pressure=5.0), "pressure: holds values outside its prior"),
    (lambda p: p.assign(points_per_day=-1.0), "points_per_day: holds values outside its prior"),
    (lambda p: p.assign(skill_mean="x"), "skill_mean: holds values that are not numbers"),
    (lambda p: p.assign(weight=1e308), "weight: is not a set of weights"),
    (lambda p: p.iloc[:0], "posterior: has no particles"),
    (lambda p: p.drop(columns="pressure"), "posterior: has no column pressure"),
])
def test_a_damaged_posterior_is_one_line_naming_the_column(tmp_path, damage, where, small_calibration):
    copy = tmp_path / "cal"
    shutil.copytree(small_calibration, copy)
    damage(pd.read_parquet(copy / "posterior.parquet")).to_parquet(copy / "posterior.parquet")
    r = forecast_cli(copy, "--draws", 10, "--sprints", 2)
    assert r.returncode == 2 and where in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("edit, where", [
    (lambda s: s.update(practice=[1, 2]), "settings.practice: [1, 2] is not a table of parameter values"),
    (lambda s: s["practice"].update(roadmap_mode="nonsense"), "settings.practice.roadmap_mode: 'nonsense' is not a valid"),
    (lambda s: s["practice"].update(pressure="high"), "settings.practice.pressure: 'high' is not a number"),
    (lambda s: s["practice"].update(pressure=7.0), "settings.practice.pressure: 7.0 is out of range"),
    (lambda s: s["fixed"].update(pressure="x"), "settings.fixed.pressure: 'x' is not a number"),
    (lambda s: s.update(warmup=-5), "settings.warmup: -5 is not in [0, 520]"),
    (lambda s: s["priors"]["pressure"].update(low=2.0), "settings.priors.pressure"),
])
def test_a_damaged_manifest_is_one_line_naming_the_setting(tmp_path, edit, where, small_calibration):
    copy = tmp_path / "cal"
    shutil.copytree(small_calibration, copy)
    m = json.loads((copy / "manifest.json").read_text())
    edit(m["settings"])
    (copy / "manifest.json").write_text(json.dumps(m))
    r = forecast_cli(copy, "--draws", 10, "--sprints", 2)
    assert r.returncode == 2 and f"manifest.json: {where}" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "the manifest is damaged" in r.stderr


def test_a_what_if_difference_that_follows_a_parameter_the_history_left_open_is_named(small_calibration, monkeypatch,
                                                                                     tmp_path):
    """hinges() names the paired differences that track a parameter the calibration did not narrow,
    with the mean difference below and above its median; differences that track nothing, or only a
    parameter the history narrowed, get no line."""
    x = np.linspace(0.0, 300.0, 40)
    noise = np.sin(np.arange(40.0))
    per_run = {"initial_debt": x, "pressure": np.linspace(0.1, 0.9, 40)[::-1] ** 2, "n_engineers": np.full(40, 6.0)}
    differences = {"tech_debt (final), b - a": 2.0 * x + noise, "velocity (mean), b - a": noise}
    lines = C.hinges(small_calibration, per_run, differences)
    assert lines[0].startswith("caution: these differences follow a parameter the team's history did not narrow")
    assert len(lines) == 2 and lines[1].startswith("  tech_debt (final), b - a: ")
    below, above = (2.0 * x + noise)[x <= 150].mean(), (2.0 * x + noise)[x > 150].mean()
    assert f"{below:+.3g} in the runs with initial_debt up to 150, {above:+.3g} above (Spearman +1.00;" in lines[1]
    assert C.hinges(small_calibration, per_run, {"velocity (mean), b - a": noise}) == []
    many = {f"o{i}": (i + 1) * x for i in range(6)}
    assert C.hinges(small_calibration, per_run, many)[-1] == "  ... and 2 more differences like these"
    summarise = C.summarise_posterior
    narrowed = lambda *a: [{**r, "identified": r["identified"] or r["parameter"] == "initial_debt"} for r in summarise(*a)]
    monkeypatch.setattr(C, "summarise_posterior", narrowed)  # the history pins initial_debt down: the next one named
    assert "in the runs with pressure up to" in C.hinges(small_calibration, per_run, differences)[1]
    monkeypatch.setattr(C, "summarise_posterior", lambda *a: [{**r, "identified": True} for r in summarise(*a)])
    assert C.hinges(small_calibration, per_run, differences) == []
    r = cli("split_backlogs", "one_roadmap", "--posterior", small_calibration, "--runs", 60, "--sprints", 30,
            "--figure", "none", command="compare")
    assert r.returncode == 0, r.stderr
    assert "caution: these differences follow a parameter" in r.stdout and "tech_debt (final), one_roadmap" in r.stdout
    html = tmp_path / "r.html"
    r = cli("split_backlogs", "one_roadmap", "--posterior", small_calibration, "--runs", 60, "--sprints", 30,
            "--out", html, command="report")
    assert r.returncode == 0, r.stderr
    assert "caution: these differences follow a parameter" in r.stderr
    text = html.read_text(encoding="utf-8")
    assert "<b>Caution: these differences follow a parameter" in text and "<li>tech_debt (final), one_roadmap" in text


def test_the_reports_paired_differences_are_compares():
    from pe_sim import report as rep
    from pe_sim.analysis import compare
    from pe_sim.config import load
    from pe_sim.summary import HEADLINE

    configs = [load("split_backlogs"), load("one_roadmap")]
    got = rep.paired_differences(rep.simulate(configs, 5, 6, 4), ["split_backlogs", "one_roadmap"])
    want = compare(configs, runs=5, sprints=6, seed=4, workers=1, outcomes=list(HEADLINE)).differences()
    assert list(got) == list(want)
    for label in want:
        assert got[label] == pytest.approx(want[label], rel=1e-9, abs=1e-9)


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_force_with_the_history_inside_out_is_refused_before_anything_is_removed(tmp_path, small_calibration):
    """`calibrate CAL4/history.csv --out CAL4 --force` removed the whole calibration, the history it
    was reading included, then failed reading it: now it is refused and nothing is touched."""
    cal4 = tmp_path / "CAL4"
    shutil.copytree(small_calibration, cal4)
    (cal4 / "forecast").mkdir()
    (cal4 / "forecast" / "forecast.csv").write_text("sprint\n1\n")
    before = _listing(cal4)
    small = ("--population", 20, "--generations", 1, "--workers", 1, "--quiet")
    r = cli(cal4 / "history.csv", "--out", cal4, *small, "--force")
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith(f"pe-sim: error: {cal4 / 'history.csv'}: file: is inside --out {cal4} (as history.csv), "
                               "among the files calibrate writes there (--force removes them")
    assert "copy it out of the folder and calibrate from the copy, or choose another --out (nothing was removed)" in r.stderr
    assert _listing(cal4) == before
    r = cli(cal4 / "history.csv", "--out", cal4, *small)  # without --force it is no better: refused the same way
    assert r.returncode == 2 and "is inside --out" in r.stderr and _listing(cal4) == before
    (cal4 / "forecast" / "forecast.csv").write_bytes(EXAMPLE.read_bytes())  # a history by the name of a forecast's
    before = _listing(cal4)
    r = cli(cal4 / "forecast" / "forecast.csv", "--out", cal4, *small, "--force")
    assert r.returncode == 2 and "(as forecast/forecast.csv)" in r.stderr and _listing(cal4) == before
    link = tmp_path / "team.csv"  # a link elsewhere to the file --force would remove
    link.symlink_to(cal4 / "history.csv")
    r = cli(link, "--out", cal4, *small, "--force")
    assert r.returncode == 2 and f"{link}: file: is inside --out {cal4} (as history.csv)" in r.stderr
    assert _listing(cal4) == before
    # a history of the user's own in the folder, under a name calibrate does not write, is kept by --force
    (cal4 / "forecast" / "forecast.csv").unlink()
    (cal4 / "forecast").rmdir()
    mine = cal4 / ".team.csv"
    mine.write_bytes(EXAMPLE.read_bytes())
    r = cli(mine, "--out", cal4, *small, "--force")
    assert r.returncode == 0, r.stderr
    assert mine.read_bytes() == EXAMPLE.read_bytes() and (cal4 / "manifest.json").is_file()


def test_inputs_inside_out_are_found_through_links(tmp_path):
    from pe_sim.commands.calibrate import check_inputs_outside

    out = tmp_path / "cal"
    out.mkdir()
    (out / "history.csv").write_text("x")
    (tmp_path / "elsewhere.csv").write_text("y")
    check_inputs_outside(out, {"file": tmp_path / "elsewhere.csv", "--config": None, "calibrate.base": Path("split_backlogs")})
    check_inputs_outside(tmp_path / "new", {"file": out / "history.csv"})  # a folder still to make removes nothing
    (out / "posterior.png").symlink_to(tmp_path / "elsewhere.csv")  # the link would go: the user's input is the link
    with pytest.raises(ConfigError) as e:
        check_inputs_outside(out, {"--config": out / "posterior.png"})
    assert e.value.key == "--config" and "(as posterior.png)" in e.value.problem
    linked_out = tmp_path / "linked"
    linked_out.symlink_to(out)
    with pytest.raises(ConfigError) as e:
        check_inputs_outside(linked_out, {"calibrate.base": out / "history.csv"})
    assert e.value.key == "calibrate.base"
    (out / ".mine.csv").write_text("z")  # not a file calibrate writes or removes
    check_inputs_outside(out, {"file": out / ".mine.csv"})


BAD = "\x1b[31mRED\x1b[0m\x85\x1b]0;pwned\x07\u202e"
BAD_SHOWN = r"\x1b[31mRED\x1b[0m\x85\x1b]0;pwned\x07\u202e"


def test_a_historys_own_text_reaches_the_terminal_escaped(tmp_path):
    """A header such as an escape sequence was printed raw in the 'not used' line."""
    lines = EXAMPLE.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
    team = tmp_path / "te\x1b[2Jam\u202e.csv"  # its name too
    team.write_text("\n".join([lines[first] + f",{BAD}"] + [row + ",x" for row in lines[first + 1:]]) + "\n",
                    encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text("[calibrate]\npopulaton = 20\n")
    r = subprocess.run([sys.executable, "-m", "pe_sim.cli", "calibrate", str(team), "--config", str(bad), "--out",
                        str(tmp_path / "cal"), "--quiet"], capture_output=True, encoding="utf-8", cwd=ROOT)
    assert r.returncode == 2 and f"): {BAD_SHOWN}\n" in r.stderr
    assert f"pe-sim calibrate: {tmp_path}/te\\x1b[2Jam\\u202e.csv: not used (pe-sim reads" in r.stderr
    assert not any(c in r.stderr for c in "\x1b\x07\u202e\x85")


def test_a_history_longer_than_the_longest_run_exits_2_and_writes_nothing(tmp_path):
    team = tmp_path / "team.csv"
    team.write_text("sprint,committed,delivered,incidents,headcount,leavers,hires\n"
                    + "".join(f"{s},40,30,1,6,0,0\n" for s in range(1, 100_001)))
    t0 = time.perf_counter()
    r = cli(team, "--out", tmp_path / "cal", "--population", 20, "--generations", 1, "--workers", 1)
    assert r.returncode == 2 and r.stderr == (f"pe-sim: error: {team}: file: 100,000 sprints; pe-sim calibrates to at "
                                              "most 1,000 (the longest run it simulates); use the most recent 1,000 "
                                              "sprints (keep the header and the last 1,000 rows)\n")
    assert not (tmp_path / "cal").exists() and time.perf_counter() - t0 < 60


def test_a_setups_own_values_replaced_by_the_posterior_are_named():
    """compare --posterior replaced feature_factory's tech_share 0 and pressure 0.8 by the team's draws
    without a word, which hid most of the setup's difference."""
    from pe_sim import config as cfg

    configs = [cfg.load(n) for n in ("split_backlogs", "feature_factory", "one_roadmap")]
    per_run = {k: np.zeros(3) for k in ("tech_share", "pressure", "skill_mean", "n_engineers")}
    lines = C.replaced_by_posterior(configs, per_run)
    assert len(lines) == 1 and lines[0].startswith("feature_factory sets tech_share = 0.0, pressure = 0.8; the posterior's")
    assert C.replaced_by_posterior(configs, {"skill_mean": np.zeros(3)}) == []  # nobody's file sets it
