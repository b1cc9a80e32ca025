"""Sweeps: config validation, designs, determinism across workers/chunks/backends, resume after kill -9."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from helpers import group_alive as _group_alive
from pe_sim.cli import main
from pe_sim.config import ConfigError, load
from pe_sim.core.engine import OUTCOMES, param_arrays, simulate
from pe_sim.events import schedule
from pe_sim.params import PARAMS, encode
from pe_sim.sweeps import (Factor, load_results, load_sweep, make_design, read_manifest, run_sweep, saltelli_stack,
                           saltelli_unit, summary_name, sweep, sweep_from_dict)
from pe_sim.sweeps.design import _rng

ROOT = Path(__file__).resolve().parents[1]


def spec_dict(**sweep_kw):
    sw = {"base": "crunch", "design": "grid", "replicates": 3, "sprints": 12, "seed": 5}
    sw.update(sweep_kw)
    return {"sweep": sw, "vary": {"n_engineers": [2, 5, 12], "pressure": {"low": 0.2, "high": 0.8, "steps": 2},
                                  "conflict_style": ["fight", "productive"]}}


# --- validation -----------------------------------------------------------------------------------

BAD = [
    ("[sweep]\nbase = 'crunch'\ndesign = 'lhs'\npoints = 4\n[vary]\nn_engineers = {dist = 'uniform', low = 3.2, high = 3.8}\n",
     "vary.n_engineers", "3.2 to 3.8 holds no whole number; n_engineers takes whole numbers"),
    ("[sweep]\ndesign = 'grid'\n", "sweep.base", "missing"),
    ("[sweep]\nbase = 'crunch'\nreplicates = true\n", "sweep.replicates", "true is not valid"),
    ("[sweep]\nbase = 'crunch'\nreplicates = 2.5\n", "sweep.replicates", "2.5 is not valid"),
    ("[sweep]\nbase = 'crunch'\ncrn = 'yes'\n", "sweep.crn", "'yes' is not a boolean"),
    ("[sweep]\nbase = 'split_backlog'\n", "sweep.base", "did you mean 'split_backlogs'"),
    ("[sweep]\nbase = 'crunch'\ndesign = 'latin'\n", "sweep.design", "expected one of grid"),
    ("[sweep]\nbase = 'crunch'\nreplicats = 3\n", "sweep.replicats", "did you mean 'replicates'"),
    ("[sweep]\nbase = 'crunch'\n[vary]\npresure = [0.1]\n", "vary.presure", "did you mean 'pressure'"),
    ("[sweep]\nbase = 'crunch'\n[vary]\npressure = [0.1, 1.5]\n", "vary.pressure[1]", "out of range"),
    ("[sweep]\nbase = 'crunch'\n[vary]\npressure = [0.1, 0.1]\n", "vary.pressure", "repeats"),
    ("[sweep]\nbase = 'crunch'\n[vary]\npressure = 0.3\n", "vary.pressure", "single value"),
    ("[sweep]\nbase = 'crunch'\n[vary]\npressure = { low = 0.1, high = 0.9 }\n", "vary.pressure", "needs steps"),
    ("[sweep]\nbase = 'crunch'\n[vary]\npressure = { low = 0.9, high = 0.1, steps = 3 }\n", "vary.pressure", "below high"),
    ("[sweep]\nbase = 'crunch'\n[vary]\nroadmap_mode = { low = 0, high = 1 }\n", "vary.roadmap_mode", "list of values"),
    ("[sweep]\nbase = 'crunch'\n[vary]\nroadmap_mode = ['one_roadmap', 'split']\n", "vary.roadmap_mode[1]", "expected one of one_roadmap, split_backlogs"),
    ("[sweep]\nbase = 'crunch'\ndesign = 'sobol'\npoints = 100\n[vary]\npressure = { low = 0, high = 1 }\n",
     "sweep.points", "power of 2"),
    ("[sweep]\nbase = 'crunch'\ndesign = 'lhs'\n[vary]\npressure = { low = 0, high = 1 }\n", "sweep.points", "missing"),
    ("[sweep]\nbase = 'crunch'\ndesign = 'lhs'\npoints = 8\n", "vary", "at least one"),
    ("[sweep]\nbase = 'crunch'\n[vary]\ntech_share = { dist = 'gauss', mean = 0.2, sd = 0.1 }\n", "vary.tech_share.dist", "expected one of"),
    ("[sweep]\nbase = 'crunch'\n[vary]\ntech_share = { dist = 'normal', mean = 0.2, sd = 0 , steps = 3}\n", "vary.tech_share.sd", "sd > 0"),
    ("[sweep]\nbase = 'crunch'\n[vary]\ntech_share = { dist = 'normal', mean = 0.2 }\n", "vary.tech_share.sd", "missing"),
    ("[sweep]\nbase = 'crunch'\nkeep = 'all'\n", "sweep.keep", "summary, trajectories"),
    ("[sweep]\nbase = 'crunch'\noutcomes = ['customer_valu']\n", "sweep.outcomes[0]", "did you mean 'customer_value'"),
    ("[sweep]\nbase = 'crunch'\nreplicates = 0\n", "sweep.replicates", "expected"),
    ("[sweep]\nbase = 'crunch'\nseed = -1\n", "sweep.seed", "expected"),
    ("[sweep]\nbase = 'crunch'\nreplicates = 1000000000\n[vary]\npressure = [0.1, 0.2]\n", "sweep", "at most"),
    ("[sweep]\nbase = 'crunch'\n[sensitivity]\nmethod = 'fast'\n", "sensitivity.method", "sobol, morris"),
    ("[sweep\nbase = 'crunch'\n", "file", "not valid TOML"),
    ("[sweep]\nbase = 'crunch'\n[vary.hiring_wave]\nsprint = [3, 9]\n", "vary.hiring_wave", "0 hiring_wave events"),
    ("[sweep]\nbase = 'crunch'\n[vary.deadline_crunch]\nmagnitude = [0.2, 1.5]\n", "vary.deadline_crunch.magnitude[1]",
     "out of range"),
    ("[sweep]\nbase = 'crunch'\n[vary.deadline_crunch]\nstart = [1, 2]\n", "vary.deadline_crunch.start", "sprint, duration"),
    # the same event field as one quoted key: the base must have that event too (it crashed mid-sweep)
    ("[sweep]\nbase = 'one_roadmap'\n[vary]\n'deadline_crunch.magnitude' = [0.2, 0.8]\n", "vary.deadline_crunch.magnitude",
     "0 deadline_crunch events"),
    # steps on a sampled design would be silently ignored
    ("[sweep]\nbase = 'crunch'\ndesign = 'lhs'\npoints = 8\n[vary]\npressure = { low = 0.1, high = 0.9, steps = 5 }\n",
     "vary.pressure.steps", "grid design only"),
    ("[sweep]\nbase = 'crunch'\ndesign = 'sobol'\npoints = 8\n[vary]\ntech_share = { dist = 'normal', mean = 0.2, sd = 0.1, "
     "steps = 3 }\n", "vary.tech_share.steps", "grid design only"),
    # points in a grid (every combination of the values) were silently ignored
    ("[sweep]\nbase = 'crunch'\ndesign = 'grid'\npoints = 3\n[vary]\npressure = [0.1, 0.2]\n", "sweep.points",
     "3 is not used by a grid design, which runs every combination of the [vary] values; remove points, or choose a "
     "sampled design that draws 3 points"),
    ("[sweep]\nbase = 'crunch'\npoints = 3\n[vary]\npressure = [0.1, 0.2]\n", "sweep.points", "not used by a grid design"),
    # a file set up for `pe-sim sensitivity` is checked with its method and points (what that command refuses)
    ("[sweep]\nbase = 'crunch'\npoints = 1\n[vary]\npressure = { low = 0.1, high = 0.9 }\n[sensitivity]\n"
     "method = 'morris'\n", "sweep.points", "1 is too few trajectories for Morris screening; expected at least 2"),
    ("[sweep]\nbase = 'crunch'\npoints = 1\n[vary]\npressure = { low = 0.1, high = 0.9 }\n[sensitivity]\n",
     "sweep.points", "1 is too few base samples for Sobol' indices; expected a power of 2, at least 2"),
]


def test_integer_keys_of_a_sweep_take_whole_floats_as_every_integer_key_does(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[sweep]\nbase = 'crunch'\nreplicates = 3.0\nsprints = 1e1\n[vary]\npressure = [0.2, 0.4]\n")
    spec = load_sweep(f)
    assert (spec.replicates, spec.sprints) == (3, 10) and isinstance(spec.replicates, int)


@pytest.mark.parametrize("text,key,words", BAD)
def test_bad_sweep_configs_name_file_key_and_expectation(tmp_path, text, key, words):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_sweep(f)
    assert e.value.key == key and str(f) in str(e.value)
    assert words in str(e.value)


def test_bad_sweep_cli_prints_one_line_and_exits_2(tmp_path, capsys):
    f = tmp_path / "bad.toml"
    f.write_text("[sweep]\nbase = 'crunch'\n[vary]\npressure = [0.1, 2]\n")
    assert main(["sweep", str(f), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "vary.pressure[1]" in err[0] and "expected [0, 1]" in err[0]
    assert not (tmp_path / "o").exists()  # nothing started


def test_base_path_is_relative_to_the_sweep_file(tmp_path):
    (tmp_path / "mine.toml").write_text("[scenario]\nname = 'mine'\n[params]\npressure = 0.7\n")
    (tmp_path / "s.toml").write_text("[sweep]\nbase = 'mine.toml'\n")
    spec = load_sweep(tmp_path / "s.toml")
    assert spec.base.params["pressure"] == 0.7 and spec.out == "results/s"


# --- designs --------------------------------------------------------------------------------------

def test_grid_is_the_cartesian_product_last_factor_fastest():
    d = make_design(sweep_from_dict(spec_dict()))
    t = d.table
    assert len(t) == 3 * 2 * 2
    assert list(t["n_engineers"][:4]) == [2, 2, 2, 2] and list(t["conflict_style"][:2]) == ["fight", "productive"]
    assert sorted(set(t["pressure"])) == [0.2, 0.8]
    assert len(t.drop(columns="point").drop_duplicates()) == len(t)
    assert t["n_engineers"].dtype == np.int64


def test_lhs_puts_one_point_in_every_stratum_and_maps_factors():
    spec = sweep_from_dict({"sweep": {"base": "crunch", "design": "lhs", "points": 50},
                            "vary": {"pressure": {"low": 0.2, "high": 0.7}, "n_engineers": {"low": 3, "high": 7},
                                     "roadmap_mode": ["one_roadmap", "split_backlogs"],
                                     "tech_share": {"dist": "normal", "mean": 0.05, "sd": 0.2},
                                     "sync_hours": {"low": 0.1, "high": 4.0, "log": True}}})
    t = make_design(spec).table
    strata = np.floor((t["pressure"] - 0.2) / 0.5 * 50).astype(int)
    assert sorted(strata) == list(range(50))
    assert set(t["n_engineers"]) == {3, 4, 5, 6, 7}
    assert t["roadmap_mode"].value_counts().to_dict() == {"one_roadmap": 25, "split_backlogs": 25}
    assert t["tech_share"].min() == 0.0 and t["tech_share"].max() <= 1.0  # normal clipped to the valid range
    assert 0.1 <= t["sync_hours"].min() and t["sync_hours"].max() <= 4.0
    # deterministic given the seed, different for another seed
    assert make_design(spec).table.equals(t)
    assert not make_design(spec.replace(seed=spec.seed + 1)).table.equals(t)


def test_sobol_design_is_balanced():
    spec = sweep_from_dict({"sweep": {"base": "crunch", "design": "sobol", "points": 64},
                            "vary": {"pressure": {"low": 0.0, "high": 1.0}, "tech_share": {"low": 0.0, "high": 1.0}}})
    t = make_design(spec).table
    assert len(t) == 64
    assert sorted(np.floor(t["pressure"] * 64).astype(int)) == list(range(64))  # one point per 1/64 slab


def test_saltelli_a_and_b_are_halves_of_one_sobol_sequence():
    d, n = 3, 16
    a, b = saltelli_unit(d, n, seed=9)
    ab = qmc.Sobol(d=2 * d, scramble=True, bits=64, rng=_rng(9)).random(n)
    np.testing.assert_array_equal(a, ab[:, :d])
    np.testing.assert_array_equal(b, ab[:, d:])
    stack, labels = saltelli_stack(a, b)
    assert stack.shape == (n * (d + 2), d) and labels[:n] == ["A"] * n and labels[-1] == "AB2"
    blk = stack[2 * n + n:3 * n + n]  # AB1: A with column 1 from B
    np.testing.assert_array_equal(blk[:, [0, 2]], a[:, [0, 2]])
    np.testing.assert_array_equal(blk[:, 1], b[:, 1])


def test_factor_from_unit_covers_ints_and_choices_uniformly():
    f = Factor("n_engineers", "range", low=2, high=5)
    u = (np.arange(4000) + 0.5) / 4000
    assert np.bincount(f.from_unit(u))[2:].tolist() == [1000] * 4
    c = Factor("conflict_style", "values", values=("fight", "avoid", "productive"))
    assert list(c.from_unit(np.array([0.0, 0.34, 0.99, 1.0]))) == ["fight", "avoid", "productive", "productive"]


# --- determinism and layout -----------------------------------------------------------------------

def test_results_identical_for_any_workers_and_chunk_size_and_match_the_core(tmp_path):
    spec = sweep_from_dict(spec_dict())
    a = sweep(spec, out=tmp_path / "a", workers=1, chunk_size=7, progress=False)
    b = sweep(spec, out=tmp_path / "b", workers=2, chunk_size=5, progress=False)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert len(a) == 36 and list(a["run"]) == list(range(36))
    assert list(a.columns[:7]) == ["run", "point", "replicate", "seed", "n_engineers", "pressure", "conflict_style"]
    assert (a["point"] == a["run"] // 3).all() and (a["replicate"] == a["run"] % 3).all() and (a["seed"] == 5).all()
    # run 17 straight from the core, alone, with its global run id
    row = a.iloc[17]
    cfg = load("crunch").with_params(n_engineers=int(row.n_engineers), pressure=float(row.pressure),
                                     conflict_style=row.conflict_style)
    cols = {p.name: np.array([encode(p.name, cfg.params[p.name])]) for p in PARAMS}
    out = simulate(param_arrays(cols, 1), schedule(cfg.events, 12), 12, 5, np.array([17]), n_slots=12)
    assert row[summary_name("customer_value")] == out["customer_value"].sum()
    assert row[summary_name("tech_debt")] == out["tech_debt"][0, -1]
    # one pandas.read_parquet loads it; provenance sits beside it
    assert pd.read_parquet(tmp_path / "b").shape == a.shape
    m = read_manifest(tmp_path / "b")
    assert m["status"] == "complete" and m["runs"] == 36 and m["sweep"]["sweep"]["base"] == "crunch"
    assert m["versions"]["pe_sim"] and m["versions"]["numba"] != "not installed" and m["created"] and m["design"]["kind"] == "grid"
    from pe_sim.core.jit import MODEL_DIGEST

    assert m["versions"]["pe_sim_model"] == MODEL_DIGEST  # the model's code, apart from the version number
    assert pd.read_parquet(tmp_path / "b" / "_design.parquet").shape[0] == 12


def test_event_fields_vary_each_points_timeline(tmp_path):
    (tmp_path / "behind.toml").write_text(
        "[params]\npressure = 0.6\n[[events]]\nkind = 'hiring_wave'\nsprint = 10\nmagnitude = 3\n"
        "[[events]]\nkind = 'deadline_crunch'\nsprint = 2\nduration = 5\nmagnitude = 0.3\n")
    (tmp_path / "s.toml").write_text(
        "[sweep]\nbase = 'behind.toml'\nreplicates = 2\nsprints = 15\nseed = 8\n[vary]\n"
        "hiring_wave.sprint = [4, 40]\nhiring_wave.magnitude = [1, 6]\n"
        "deadline_crunch = { magnitude = [0.0, 0.5] }\nn_engineers = [3, 8]\n")
    spec = load_sweep(tmp_path / "s.toml")
    a = sweep(spec, out=tmp_path / "a", workers=1, chunk_size=3, progress=False)
    b = sweep(spec, out=tmp_path / "b", workers=2, chunk_size=10, progress=False)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert {"hiring_wave.sprint", "hiring_wave.magnitude", "deadline_crunch.magnitude"} <= set(a.columns)
    from pe_sim.sweeps import with_event_values
    for j in (5, 22, 31):
        row = a.iloc[j]
        cfg = spec.base.with_params(n_engineers=int(row.n_engineers))
        events = with_event_values(cfg.events, {k: row[k] for k in ("hiring_wave.sprint", "hiring_wave.magnitude",
                                                                     "deadline_crunch.magnitude")})
        cols = {p.name: np.array([encode(p.name, cfg.params[p.name])]) for p in PARAMS}
        out = simulate(param_arrays(cols, 1), schedule(events, 15), 15, 8, np.array([j]), n_slots=8 + 6)
        assert row["hires_total"] == out["hires"].sum() and row["burnout_mean_final"] == out["burnout_mean"][0, -1]
    late = a[a["hiring_wave.sprint"] == 40]  # after the horizon: the wave never comes
    assert (late.groupby("hiring_wave.magnitude")["headcount_final"].mean().diff().dropna().abs() < 1).all()


def test_a_team_size_varied_in_time_from_beyond_the_horizon_sizes_the_team(tmp_path):
    # the base's team_size lies beyond the horizon; a point that brings it in needs room for its team
    (tmp_path / "late.toml").write_text("[params]\nn_engineers = 5\n[[events]]\nkind = 'team_size'\nsprint = 100\n"
                                        "duration = 10\nmagnitude = 30\n")
    (tmp_path / "s.toml").write_text("[sweep]\nbase = 'late.toml'\nreplicates = 2\nsprints = 8\nseed = 3\n[vary]\n"
                                     "team_size.sprint = [2, 100]\n")
    a = sweep(load_sweep(tmp_path / "s.toml"), out=tmp_path / "a", workers=1, progress=False)
    final = a.groupby("team_size.sprint")["headcount_final"].mean()
    assert final[2] == 30 and final[100] <= 5


def test_trajectories_stream_one_row_per_run_and_sprint(tmp_path):
    spec = sweep_from_dict({"sweep": {"base": "crunch", "replicates": 2, "sprints": 6, "keep": "trajectories",
                                      "outcomes": ["tech_share", "burnout_mean"], "crn": True},
                            "vary": {"tech_share": [0.1, 0.3]}})
    df = sweep(spec, out=tmp_path / "t", workers=1, chunk_size=3, progress=False)
    assert len(df) == 4 * 6 and list(df["sprint"][:6]) == list(range(6))
    assert "tech_share_param" in df and "tech_share" in df and (df["stream"] == df["replicate"]).all()
    assert len(list((tmp_path / "t" / "data").glob("part-*.parquet"))) == 2


def test_summaries_use_the_one_classification_of_pe_sim_summary(tmp_path):
    from pe_sim.summary import REDUCTION, end_of_run

    d = {"sweep": {"base": "crunch", "replicates": 3, "sprints": 9, "seed": 4}, "vary": {"pressure": [0.2, 0.8]}}
    summ = sweep(d, out=tmp_path / "s", workers=1, progress=False)
    d["sweep"]["keep"] = "trajectories"
    traj = sweep(d, out=tmp_path / "t", workers=1, progress=False)
    runs = end_of_run(traj.assign(scenario="x"))
    for o, how in REDUCTION.items():
        assert summary_name(o) == f"{o}_{how}"
        np.testing.assert_allclose(summ[summary_name(o)], runs[o], rtol=1e-12, atol=1e-12, err_msg=o)
    assert {"velocity_mean", "customer_value_total", "tech_debt_final"} <= set(summ.columns)


def test_resume_refuses_parts_written_with_other_summary_columns(tmp_path):
    spec = sweep_from_dict(spec_dict(sprints=4))
    run_sweep(spec, out=tmp_path, workers=1, progress=False)
    m = read_manifest(tmp_path)  # as written before velocity was summarised as a mean
    m["columns"]["outcomes"] = {k.replace("velocity_mean", "velocity_total"): v for k, v in m["columns"]["outcomes"].items()}
    (tmp_path / "_manifest.json").write_text(json.dumps(m))
    with pytest.raises(ConfigError, match="velocity_total where pe-sim now writes velocity_mean"):
        run_sweep(spec, out=tmp_path, workers=1, resume=True, progress=False)


def test_existing_output_needs_resume_or_overwrite_and_resume_checks_the_sweep(tmp_path):
    spec = sweep_from_dict(spec_dict(sprints=4))
    run_sweep(spec, out=tmp_path, workers=1, progress=False)
    with pytest.raises(ConfigError, match="resume=True reuses it"):  # in Python's words
        run_sweep(spec, out=tmp_path, workers=1, progress=False)
    rep = run_sweep(spec, out=tmp_path, workers=1, resume=True, progress=False)
    assert rep.chunks_run == 0 and "already complete" in rep.line()
    with pytest.raises(ConfigError, match="different sweep"):
        run_sweep(spec.replace(seed=6), out=tmp_path, workers=1, resume=True, progress=False)
    import pe_sim.core.jit

    real = pe_sim.core.jit.MODEL_DIGEST
    try:  # the same sweep file after the model's rules changed: never resumed into the old data
        pe_sim.core.jit.MODEL_DIGEST = "0" * 16
        with pytest.raises(ConfigError, match=r"different sweep \(the model code \(pe-sim's rules changed since it ran\)\)"):
            run_sweep(spec, out=tmp_path, workers=1, resume=True, progress=False)
    finally:
        pe_sim.core.jit.MODEL_DIGEST = real
    rep = run_sweep(spec.replace(seed=6), out=tmp_path, workers=1, overwrite=True, progress=False)
    assert rep.chunks_run == rep.chunks and (load_results(tmp_path)["seed"] == 6).all()


def test_the_python_sweep_says_when_it_reuses_a_finished_sweep(tmp_path, capsys):
    spec = sweep_from_dict(spec_dict(sprints=4))
    first = sweep(spec, out=tmp_path, workers=1, progress=False)
    assert "reused" not in capsys.readouterr().err
    again = sweep(spec, out=tmp_path, workers=1)  # a notebook cell run twice: nothing to compute, and it says so
    err = capsys.readouterr().err
    assert "sweep already complete" in err and "overwrite=True" in err
    pd.testing.assert_frame_equal(first, again)
    sweep(spec, out=tmp_path, workers=1, progress=False)
    assert capsys.readouterr().err == ""
    assert len(read_manifest(tmp_path)["runs_log"]) == 1  # the reuses computed nothing: no sessions on record


def test_dask_local_cluster_gives_identical_data(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = sweep_from_dict(spec_dict())
    ref = sweep(spec, out=tmp_path / "ref", workers=1, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        got = sweep(spec, out=tmp_path / "dask", client=client, chunk_size=4, progress=False)
        assert read_manifest(tmp_path / "dask")["runs_log"][-1]["backend"] == "dask"
    pd.testing.assert_frame_equal(ref, got, check_exact=True)


def test_resume_after_kill_9_gives_the_uninterrupted_data(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text("[sweep]\nbase = 'split_backlogs'\ndesign = 'lhs'\npoints = 60\nreplicates = 1000\n"
                    "sprints = 52\nseed = 11\noutcomes = ['customer_value', 'tech_debt', 'burnout_mean']\n"
                    "[vary]\npressure = { low = 0.1, high = 0.9 }\nn_engineers = { low = 3, high = 9 }\n")
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "pe_sim.cli", "sweep", str(toml), "--out", str(out),
                             "--workers", "2", "--chunk-size", "1000", "--no-progress"],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "data").glob("part-*.parquet"))) < 3:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)  # the sweep process itself; its workers notice and exit
    proc.wait()
    parts_at_kill = len(list((out / "data").glob("part-*.parquet")))
    assert 3 <= parts_at_kill < 60, "the sweep finished before it could be killed"
    assert read_manifest(out)["status"] == "running"
    deadline = time.time() + 10
    while _group_alive(proc.pid) and time.time() < deadline:  # orphaned workers exit by themselves
        time.sleep(0.1)
    assert not _group_alive(proc.pid)

    rep = run_sweep(load_sweep(toml), out=out, resume=True, workers=2, progress=False)
    # chunks recorded as done are skipped (parts an orphaned worker finished after the kill are not
    # recorded, so they are recomputed and atomically replaced with identical data)
    assert 1 <= rep.chunks_skipped <= parts_at_kill + 4 and rep.chunks_run + rep.chunks_skipped == 60
    assert not list(out.glob(".*.tmp"))
    ref = sweep(load_sweep(toml), out=tmp_path / "ref", workers=2, chunk_size=1500, progress=False)
    got = load_results(out)
    assert got["run"].is_unique and len(got) == 60_000
    pd.testing.assert_frame_equal(ref, got, check_exact=True)
    lines = [json.loads(x) for x in (out / "_done.jsonl").read_text().splitlines()]
    assert {x["chunk"] for x in lines} == set(range(60))


def test_cli_sweep_runs_and_dry_run(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text("[sweep]\nbase = 'one_roadmap'\nreplicates = 2\nsprints = 3\n[vary]\nsyncs_per_sprint = [0, 10]\n")
    assert main(["sweep", str(f), "--dry-run"]) == 0
    assert "2 points x 2 replicates = 4 runs" in capsys.readouterr().out
    assert main(["sweep", str(f), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]) == 0
    done = capsys.readouterr().out
    assert "sweep done: 4 runs" in done and "runs/s in this process;" in done
    from pe_sim.sweeps.execute import default_workers

    many = default_workers() + 2  # more worker processes than cores: said, then run anyway
    assert main(["sweep", str(f), "--out", str(tmp_path / "o2"), "--workers", str(many), "--chunk-size", "1",
                 "--no-progress"]) == 0
    assert f"warning: {many} worker processes on {default_workers()} cores" in capsys.readouterr().err
    assert main(["sweep", str(f), "--out", str(tmp_path / "o"), "--resume", "--overwrite"]) == 2
    assert len(pd.read_parquet(tmp_path / "o")) == 4


def test_example_sweep_configs_validate():
    files = sorted((ROOT / "configs" / "sweeps").glob("*.toml")) + sorted((ROOT / "experiments").glob("*/*sweep*.toml"))
    assert files
    for f in files:
        spec = load_sweep(f)
        assert spec.n_runs() > 0 and set(spec.outcomes) <= set(OUTCOMES)


def test_sweep_data_loads_with_one_call_in_pandas_pyarrow_and_polars(tmp_path):
    import polars as pl
    import pyarrow.parquet as pq

    from pe_sim.sweeps import run_sweep

    spec = {"sweep": {"base": "one_roadmap", "design": "grid", "replicates": 3, "sprints": 4, "seed": 1,
                      "outcomes": ["customer_value"]}, "vary": {"pressure": [0.1, 0.5]}}
    run_sweep(spec, out=tmp_path / "s", workers=1, progress=False)
    data = tmp_path / "s" / "data"
    assert len(pd.read_parquet(data)) == len(pq.read_table(data)) == len(pl.read_parquet(data)) == 6
    assert len(pd.read_parquet(tmp_path / "s")) == 6  # bookkeeping beside the data is skipped


def test_a_sweep_killed_right_after_it_started_resumes(tmp_path):
    """The manifest is written first: a folder with only the manifest (killed at once) resumes."""
    from pe_sim.sweeps import run_sweep
    from pe_sim.sweeps.store import DESIGN_FILE

    spec = {"sweep": {"base": "one_roadmap", "design": "grid", "replicates": 2, "sprints": 3, "seed": 1,
                      "outcomes": ["customer_value"]}, "vary": {"pressure": [0.1, 0.5]}}
    out = tmp_path / "s"
    run_sweep(spec, out=out, workers=1, progress=False)
    full = pd.read_parquet(out / "data")
    for p in (out / "data").iterdir():  # as if killed before any chunk or the design were written
        p.unlink()
    (out / DESIGN_FILE).unlink()
    (out / "_done.jsonl").unlink()
    run_sweep(spec, out=out, workers=1, progress=False, resume=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "data"), full)


def test_a_dask_cluster_without_workers_gets_one_warning_while_the_sweep_waits(capsys):
    import threading

    from pe_sim.sweeps.execute import watch_workers

    class Cluster:  # a scheduler whose only worker was lost, then one that comes back
        def __init__(self):
            self.calls = 0

        def scheduler_info(self):
            self.calls += 1
            return {"workers": {} if self.calls < 8 or self.calls > 10 else {"w": {}}}

    stop = threading.Event()
    cluster = Cluster()
    t = threading.Thread(target=watch_workers, args=(cluster, stop, 0.02, 0.01))
    t.start()
    while cluster.calls < 20:
        stop.wait(0.01)
    stop.set()
    t.join(5)
    err = capsys.readouterr().err
    assert err.count("the Dask cluster has had no workers") == 2  # once, and again after a worker came and went
    assert "finish later with --resume)" in err
    stop.clear()
    t = threading.Thread(target=watch_workers, args=(Cluster(), stop, 0.02, 0.01), kwargs={"resume": "resume=True"})
    t.start()
    stop.wait(0.1)
    stop.set()
    t.join(5)
    assert "finish later with resume=True)" in capsys.readouterr().err  # a Python caller's own words


def test_a_resumed_sweeps_closing_line_counts_what_it_computed_now(tmp_path):
    from pe_sim.sweeps.api import SweepReport

    line = SweepReport(tmp_path, 19_200, 96, 48, 12, 36, 6.5, "inline", 1, "summary").line()
    assert "19,200 runs (96 points, summary) 4,800 of them computed now in 6.5 s" in line
    assert "12 of 48 chunks computed (36 already done), 738 runs/s in this process" in line


def test_an_out_folder_that_is_not_a_sweeps_is_never_overwritten_and_messages_say_what_is_there(tmp_path):
    spec = sweep_from_dict(spec_dict(sprints=3))
    mine = tmp_path / "mine"
    (mine / "data").mkdir(parents=True)
    (mine / "data" / "part-0.parquet").write_text("the user's own")
    for kwargs in ({}, {"overwrite": True}, {"resume": True}):
        with pytest.raises(ConfigError, match="no pe-sim sweep"):
            run_sweep(spec, out=mine, workers=1, progress=False, **kwargs)
    assert (mine / "data" / "part-0.parquet").read_text() == "the user's own"
    done = tmp_path / "done"
    run_sweep(spec, out=done, workers=1, progress=False)
    with pytest.raises(ConfigError, match=r"already holds a complete sweep; resume=True reuses it .* overwrite=True "
                                          r"computes it again$"):
        run_sweep(spec, out=done, workers=1, progress=False)


@pytest.mark.parametrize("flag,value,words", [
    ("--scheduler", "notaurl", "--scheduler: not a Dask scheduler address (missing port"),
    ("--scheduler", "foo://127.0.0.1:5", "--scheduler: not a Dask scheduler address (unknown address scheme"),
    ("--scheduler-file", "{}", "--scheduler-file: is not a Dask scheduler file"),
    ("--scheduler-file", "not json", "--scheduler-file: is not a Dask scheduler file"),
    ("--scheduler-file", None, "--scheduler-file: no such file"),
])
def test_a_bad_dask_address_or_scheduler_file_is_one_line(tmp_path, capsys, flag, value, words):
    if flag == "--scheduler-file":
        sf = tmp_path / "sched.json"
        if value is not None:
            sf.write_text(value)
        value = str(sf)
    assert main(["sweep", "cadence_grid", "--out", str(tmp_path / "o"), flag, value, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


# --- what a new user ran into ---------------------------------------------------------------------

FLOATS = ("pressure", "tech_share", "shielding", "early_warning", "blurry_line", "pm_learns_tech", "em_meets_customers",
          "engineer_ownership", "tech_value_framing", "buffer_scale")


@pytest.mark.parametrize("factors, steps, count", [
    (4, 65536, "18,446,744,073,709,551,616 points x 10 replicates = 184,467,440,737,095,516,160 runs"),  # 2**64: was 0
    (10, 100, "100,000,000,000,000,000,000 points x 10 replicates = 1,000,000,000,000,000,000,000 runs"),  # was wrapped
])
def test_a_grid_too_big_for_int64_is_refused_with_its_true_count(tmp_path, capsys, factors, steps, count):
    f = tmp_path / "big.toml"
    f.write_text("[sweep]\nbase = 'crunch'\n[vary]\n" + "".join(f"{n} = {{ low = 0.1, high = 0.3, steps = {steps} }}\n"
                                                               for n in FLOATS[:factors]))
    said = f"{f}: sweep: {count}; at most 1,000,000,000 runs per sweep"
    assert main(["validate", str(f)]) == 2
    assert capsys.readouterr().out.strip() == f"INVALID {said}"
    assert main(["sweep", str(f), "--dry-run"]) == 2  # was a traceback: numpy's "array is too big"
    assert capsys.readouterr().err.strip() == f"pe-sim: error: {said}"
    assert not (tmp_path / "results").exists()


SENSITIVITY_FILE = ("[sweep]\nbase = 'crunch'\nreplicates = 1\nsprints = 3\npoints = 2\noutcomes = ['tech_debt']\n"
                    "[vary]\npressure = {{ low = 0.1, high = 0.5 }}\ntech_share = {{ low = 0.1, high = 0.5 }}\n{extra}")


@pytest.mark.parametrize("extra", ["", "[sensitivity]\nresamples = 20\n"])
def test_sensitivity_takes_ranges_without_steps_that_a_grid_sweep_refuses(tmp_path, capsys, extra):
    f = tmp_path / "sens.toml"
    f.write_text(SENSITIVITY_FILE.format(extra=extra))
    steps = (f"pe-sim: error: {f}: vary.pressure: a range in a grid design needs steps, e.g. steps = 5 "
             "(`pe-sim sensitivity` uses its own design and needs no steps)")
    assert main(["sweep", str(f), "--dry-run"]) == 2  # no design key: a grid, which needs steps
    assert capsys.readouterr().err.strip() == steps
    assert main(["sensitivity", str(f), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress",
                 "--figure", "none", "--method", "morris"]) == 0  # it replaces the design: a grid's rules do not apply
    assert "morris sensitivity of sens (6 points x 1 replicate," in capsys.readouterr().out
    # validate checks what the file sets up: with a [sensitivity] table, that analysis; without, a sweep
    assert main(["validate", str(f)]) == (0 if extra else 2)
    out = capsys.readouterr().out
    assert out.startswith("ok") if extra else "needs steps" in out
    with pytest.raises(ConfigError, match="needs steps"):  # a spec read for validate is not run as a stepless grid
        run_sweep(load_sweep(f), out=tmp_path / "never", workers=1, progress=False)
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("method, points, words", [
    ("morris", 1, "sensitivity: points: 1 is too few trajectories for Morris screening; expected at least 2 (sigma and the "
                  "CI of mu* need two elementary effects of each parameter; 10 or more for a stable ranking, 20 is usual)"),
    ("sobol", 1, "sensitivity: points: 1 is too few base samples for Sobol' indices; expected a power of 2, at least 2 "
                 "(the bootstrap CIs need two; 64 or more for stable indices)"),  # was a scipy traceback
])
def test_sensitivity_needs_two_trajectories_or_base_samples(tmp_path, capsys, method, points, words):
    f = tmp_path / "sens.toml"
    f.write_text(SENSITIVITY_FILE.format(extra=""))
    assert main(["sensitivity", str(f), "--method", method, "--points", str(points), "--out", str(tmp_path / "o"),
                 "--no-progress"]) == 2  # morris wrote NaN intervals and sigma without a word
    assert capsys.readouterr().err.strip() == f"pe-sim: error: {words}"
    assert not (tmp_path / "o").exists()
    from pe_sim.analysis import sensitivity

    t = sensitivity(str(f), method=method, points=2, out=tmp_path / "two", workers=1, progress=False, figure=False,
                    resamples=20)  # the least that gives every interval
    cols = ["mu_star_low", "mu_star_high", "sigma"] if method == "morris" else ["S1_low", "S1_high", "ST_low", "ST_high"]
    assert t[cols].notna().all().all()


def test_resume_into_another_sweep_says_what_differs(tmp_path, capsys):
    spec = sweep_from_dict(spec_dict(sprints=4))
    run_sweep(spec, out=tmp_path, workers=1, progress=False)

    def said(other) -> str:
        with pytest.raises(ConfigError) as e:
            run_sweep(other, out=tmp_path, workers=1, resume=True, progress=False)
        assert "\n" not in str(e.value)
        return e.value.problem

    assert said(spec.replace(seed=6, replicates=4)) == (
        "holds a different sweep (sweep.replicates 3 (now 4), sweep.seed 5 (now 6)); use another out, or "
        "overwrite=True to discard it")
    other = sweep_from_dict({**spec_dict(sprints=4), "vary": {"n_engineers": [2, 5, 13],
                                                              "pressure": {"low": 0.2, "high": 0.9, "steps": 2}}})
    assert said(other).startswith('holds a different sweep (vary.n_engineers.values [2, 5, 12] (now [2, 5, 13]), '
                                  'vary.pressure.high 0.8 (now 0.9), vary.conflict_style [\'fight\', \'productive\'] '
                                  '(now unset));')
    swapped = spec.replace(factors=spec.factors[::-1])  # same [vary] in another order: other points, said so
    assert said(swapped) == (f"holds a different sweep (the order of [vary] {', '.join(spec.varied)} (now "
                             f"{', '.join(swapped.varied)}), which the design's points follow); use another out, or "
                             "overwrite=True to discard it")
    base = spec.base.with_params(pressure=0.7, shielding=0.1, tech_share=0.3)
    many = said(spec.replace(base=base, keep="trajectories", crn=True))  # long lists are cut short, on one line
    assert many.startswith("holds a different sweep (base.params.") and "and 1 more difference); use another" in many
    import pe_sim
    import pe_sim.core.jit

    m = read_manifest(tmp_path)
    del m["identity"]  # as sweeps made before the identity was kept: told from the rest of the manifest
    m["versions"]["pe_sim"] = "0.0.1"
    (tmp_path / "_manifest.json").write_text(json.dumps(m))
    assert said(spec.replace(seed=6)).startswith(f"holds a different sweep (pe-sim version 0.0.1 (now {pe_sim.__version__}), "
                                                 "sweep.seed 5 (now 6));")


def test_a_resume_keeps_the_first_chunk_size_and_says_so(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text("[sweep]\nbase = 'one_roadmap'\nreplicates = 3\nsprints = 3\n[vary]\nsyncs_per_sprint = [0, 1, 10]\n")
    out = tmp_path / "o"
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--chunk-size", "2", "--no-progress"]) == 0
    ref = load_results(out)
    (out / "data" / "part-000004.parquet").unlink()  # as if interrupted before the last chunk
    capsys.readouterr()
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--chunk-size", "300", "--resume",
                 "--no-progress"]) == 0
    assert (f"pe-sim: note: the sweep in {out} keeps its chunk size 2, fixed by its first run; the chunk size 300 "
            "asked for now is not used") in capsys.readouterr().err.splitlines()
    assert read_manifest(out)["chunk_size"] == 2 and len(list((out / "data").glob("part-*"))) == 5
    pd.testing.assert_frame_equal(ref, load_results(out), check_exact=True)
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--chunk-size", "2", "--resume"]) == 0
    assert "note:" not in capsys.readouterr().err  # the same chunk size: nothing to say


def test_a_folder_in_use_is_said_in_the_callers_words_the_commands_options_or_pythons_arguments(tmp_path, capsys):
    """`pe-sim sweep` said "--resume (resume=True) reuses it ... --overwrite (overwrite=True)": the
    command names its own options, a Python caller its arguments, each told only its own."""
    f = tmp_path / "s.toml"
    f.write_text("[sweep]\nbase = 'one_roadmap'\nreplicates = 1\nsprints = 2\n[vary]\nsyncs_per_sprint = [0, 1]\n")
    out = tmp_path / "o"
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"pe-sim: error: {out}: --out: already holds a complete sweep; --resume reuses it if it is this one "
                   "(nothing to compute), --overwrite computes it again")
    m = read_manifest(out)
    m["status"] = "running"  # as if interrupted
    (out / "_manifest.json").write_text(json.dumps(m))
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--no-progress"]) == 2
    assert capsys.readouterr().err.strip().endswith("--out: holds an unfinished sweep; pass --resume to finish it or "
                                                    "--overwrite to start again")
    other = tmp_path / "other.toml"
    other.write_text(f.read_text().replace("sprints = 2", "sprints = 3"))
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1", "--no-progress", "--resume"]) == 2
    assert capsys.readouterr().err.strip().endswith("(sweep.sprints 2 (now 3)); use another --out, or --overwrite to "
                                                    "discard it")
    with pytest.raises(ConfigError) as e:  # after the command, Python's words again
        run_sweep(load_sweep(f), out=out, workers=1, progress=False)
    assert e.value.problem == "holds an unfinished sweep; pass resume=True to finish it or overwrite=True to start again"
    assert "--" not in str(e.value)


def test_dry_run_and_sweep_warn_of_events_the_horizon_cuts_off(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text("[sweep]\nbase = 'crunch'\nreplicates = 1\nsprints = 13\n[vary]\npressure = [0.1, 0.5]\n")
    base = ROOT / "pe_sim" / "scenarios" / "crunch.toml"
    warned = [f"pe-sim: warning: {base}: events[1] (deadline_crunch at sprint 14) is beyond the last sprint (12) and "
              "never happens",
              f"pe-sim: warning: {base}: events[2] (key_engineer_leaves at sprint 20) is beyond the last sprint (12) and "
              "never happens"]
    assert main(["sweep", str(f), "--dry-run"]) == 0
    assert capsys.readouterr().err.splitlines() == warned  # as `pe-sim run` says them
    assert main(["sweep", str(f), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]) == 0
    assert capsys.readouterr().err.splitlines() == warned
    # a varied start: each point times the event itself (a sprint beyond the horizon is one of its values)
    f.write_text("[sweep]\nbase = 'crunch'\nreplicates = 1\nsprints = 13\n[vary]\n'deadline_crunch.sprint' = [4, 14]\n")
    assert main(["sweep", str(f), "--dry-run"]) == 0
    assert capsys.readouterr().err.splitlines() == warned[1:]


# --- no design maps a unit coordinate of 0 or 1 to an infinite quantile ------------------------------

def test_morris_takes_an_unbounded_distributions_levels_at_inner_quantiles_not_the_parameters_limits():
    """A Morris grid's levels 0 and 1 went through a normal's inverse CDF to -inf/+inf and were clipped to the
    parameter's limits: tech_share ~ normal(0.2, 0.05) took 0.0 and 1.0, and its mu* was three times pressure's."""
    from scipy.stats import lognorm, norm

    spec = sweep_from_dict({"sweep": {"base": "split_backlogs", "design": "morris", "points": 6, "replicates": 1,
                                      "sprints": 3, "seed": 1},
                            "vary": {"pressure": {"low": 0.1, "high": 0.9},
                                     "tech_share": {"dist": "normal", "mean": 0.2, "sd": 0.05},
                                     "syncs_per_sprint": {"dist": "lognormal", "median": 2.0, "sigma": 0.5}}})
    design = make_design(spec)
    q = (np.arange(4) + 0.5) / 4  # levels = 4: the midpoints of four equally likely strata, as a grid's
    np.testing.assert_allclose(np.unique(design.table["tech_share"]), norm.ppf(q, 0.2, 0.05))
    np.testing.assert_allclose(np.unique(design.table["syncs_per_sprint"]), lognorm.ppf(q, 0.5, scale=2.0))
    np.testing.assert_allclose(np.unique(design.table["pressure"]), 0.1 + 0.8 * np.arange(4) / 3)  # a range: its ends
    # each step moves an unbounded factor by half its probability scale (a range by p / (2 (p - 1)) of itself),
    # and the elementary effects divide by exactly that step
    moved = design.table["moved"].to_numpy()
    step = np.abs(np.diff(design.unit, axis=0))
    for i, name in enumerate(spec.varied):
        at = np.nonzero(moved[1:] == name)[0]
        np.testing.assert_allclose(step[at, i], 0.5 if i else 2 / 3)
    from pe_sim.sweeps import morris_probabilities

    np.testing.assert_allclose(morris_probabilities(np.array([0.0, 1 / 3, 2 / 3, 1.0]), 4), q)
    # the levels are part of the sweep's identity: runs made with the clipped extremes are not reused
    assert spec.identity()["morris_levels"] == "quantiles (k + 0.5) / levels"
    ranges = sweep_from_dict({**spec_dict(design="morris", points=4), "vary": {"pressure": {"low": 0.1, "high": 0.9}}})
    lhs = spec.replace(design="lhs", points=8)
    assert "morris_levels" not in ranges.identity() and "morris_levels" not in lhs.identity()


def test_morris_divides_an_integers_or_a_lists_effect_by_the_step_it_really_made():
    """Rounding moved n_engineers 3..8 by 4 or by 3 between levels 2/3 apart, and a list of three by one or two
    places, but each effect was divided by the same 2/3: a linear response got a spread (sigma) and a mu* off
    by up to a fifth. Divided by the steps really made, a linear response has one effect and sigma 0."""
    from pe_sim.analysis import morris_from_outputs

    spec = sweep_from_dict({"sweep": {"base": "split_backlogs", "design": "morris", "points": 12, "replicates": 1,
                                      "sprints": 3, "seed": 3},
                            "vary": {"n_engineers": {"low": 3, "high": 8}, "syncs_per_sprint": [1, 2, 5],
                                     "pressure": {"low": 0.1, "high": 0.9}}})
    design = make_design(spec)
    t = design.table
    moved = np.array([list(spec.varied).index(m) if m else -1 for m in t["moved"]])
    steps = {name: set(np.abs(np.diff(t[name].to_numpy().astype(float)))[moved[1:] == i])
             for i, name in enumerate(spec.varied)}
    assert steps["n_engineers"] == {3.0, 4.0}  # the uneven steps rounding makes
    place = {1: 0, 2: 1, 5: 2}
    y = (10.0 * t["n_engineers"] + 7.0 * t["syncs_per_sprint"].map(place) + 4.0 * t["pressure"]).to_numpy()
    position = np.column_stack([f.positions(t[f.name].to_numpy(), design.unit[:, i])
                                for i, f in enumerate(design.factors)])
    table = morris_from_outputs(y, position, moved, list(spec.varied)).set_index("parameter")
    # per unit of each factor's own scale: 10 x the range of 5, 7 x the list's 2 places, 4 x the range of 0.8
    np.testing.assert_allclose(table["mu_star"], [50.0, 14.0, 3.2])
    np.testing.assert_allclose(table["sigma"], 0.0, atol=1e-9)
    old = morris_from_outputs(y, design.unit, moved, list(spec.varied)).set_index("parameter")
    assert old.loc["n_engineers", "sigma"] > 5 and old.loc["syncs_per_sprint", "sigma"] > 5  # what it was


def test_morris_says_why_a_factor_that_never_moved_has_no_effects(tmp_path, capsys):
    """n_engineers normal(6, 0.3) rounds to 6 at every level: its rows were NaN without a word."""
    f = tmp_path / "still.toml"
    f.write_text("[sweep]\nbase = 'split_backlogs'\nreplicates = 1\nsprints = 3\n[vary]\n"
                 "n_engineers = {dist = 'normal', mean = 6, sd = 0.3}\npressure = {low = 0.1, high = 0.9}\n")
    assert main(["sensitivity", str(f), "--method", "morris", "--points", "10", "--workers", "1", "--no-progress",
                 "--figure", "none", "--out", str(tmp_path / "m")]) == 0
    err = capsys.readouterr().err
    assert "warning: n_engineers never changed value between the design's levels" in err and "pressure never" not in err


def test_morris_positions_of_an_integer_map_back_through_its_scale():
    """A rounded integer's position is its value's place on the factor's own scale (range, log range, CDF)."""
    from scipy.stats import norm

    lin = Factor("n_engineers", "range", low=3, high=8)
    np.testing.assert_allclose(lin.positions(np.array([3, 5, 8]), np.zeros(3)), [0.0, 0.4, 1.0])
    log = Factor("n_engineers", "range", low=2, high=32, log=True)
    np.testing.assert_allclose(log.positions(np.array([2, 8, 32]), np.zeros(3)), [0.0, 0.5, 1.0])
    nor = Factor("n_engineers", "dist", dist="normal", args=(("mean", 6.0), ("sd", 2.0)))
    np.testing.assert_allclose(nor.positions(np.array([4, 6]), np.zeros(2)), norm.cdf([4, 6], 6, 2))
    cont = Factor("pressure", "range", low=0.1, high=0.9)
    u = np.array([0.0, 0.3, 1.0])
    assert np.array_equal(cont.positions(0.1 + 0.8 * u, u), u)
    short = Factor("syncs_per_sprint", "values", values=(1, 2, 5))
    np.testing.assert_allclose(short.positions(np.array([1, 2, 5, 5]), np.array([0.0, 0.4, 0.7, 1.0])), [0, 0.5, 1, 1])


def test_a_sampled_coordinate_of_exactly_0_or_1_takes_a_finite_quantile_not_the_parameters_limit():
    """A scrambled Sobol' or LHS coordinate can be exactly 0 (or round to 1): ppf(0) = -inf was clipped to the
    parameter's limit, 0 for a pressure ~ normal(0.5, 0.01)."""
    for dist, args in (("normal", (("mean", 0.5), ("sd", 0.01))), ("lognormal", (("median", 0.5), ("sigma", 0.02)))):
        f = Factor("pressure", "dist", dist=dist, args=args)
        v = f.from_unit(np.array([0.0, 1e-300, 0.5, 1.0]))
        assert np.isfinite(v).all() and (0.4 < v).all() and (v < 0.6).all(), (dist, v)
        assert v[0] < v[2] < v[3]



def test_a_sweep_varying_what_its_base_does_not_use_is_warned_about(tmp_path, capsys):
    """tech_share varied on a one-roadmap base: every point gave the same numbers, and sensitivity an
    index of 0 [0, 0], without a word."""
    one = {"sweep": {"base": "one_roadmap", "design": "grid", "replicates": 1, "sprints": 3},
           "vary": {"tech_share": [0.0, 0.5], "pressure": [0.2, 0.8]}}
    lines = [line for line in sweep_from_dict(one).event_warnings() if line.startswith("vary.")]
    assert lines == ["vary.tech_share: the base one_roadmap plans one roadmap, which does not use tech_share: every "
                     "value gives the same numbers (vary it on a split-backlogs base, or vary roadmap_mode too)"]
    both = {**one, "vary": {**one["vary"], "roadmap_mode": ["one_roadmap", "split_backlogs"]}}
    assert not [line for line in sweep_from_dict(both).event_warnings() if line.startswith("vary.")]
    split = {**one, "sweep": {**one["sweep"], "base": "split_backlogs"}}
    assert not [line for line in sweep_from_dict(split).event_warnings() if line.startswith("vary.")]
    f = tmp_path / "idle.toml"
    f.write_text("[sweep]\nbase = 'one_roadmap'\nreplicates = 1\nsprints = 3\n[vary]\ntech_share = [0.0, 0.5]\n")
    assert main(["validate", str(f)]) == 0
    assert "warning: vary.tech_share: the base one_roadmap plans one roadmap" in capsys.readouterr().out


# --- chunks that cannot fit in memory are refused before anything is written -------------------------

def test_a_chunks_memory_estimate_covers_what_a_chunk_really_holds():
    """The estimate counts the core's output of every outcome and the tidy table: at least what a chunk's arrays
    take, and not wildly more (measured peaks were 460-620 bytes a run-sprint against the 760 it says)."""
    from pe_sim.core.engine import OUTCOMES
    from pe_sim.sweeps.execute import CHUNK_OVERHEAD, chunk_memory, compute_chunk, iter_jobs

    for keep in ("trajectories", "summary"):
        spec = sweep_from_dict(spec_dict(keep=keep, sprints=20))
        job = next(iter_jobs(spec, make_design(spec), 50, [0]))
        table = compute_chunk(job)
        held = table.nbytes + 8 * len(OUTCOMES) * 50 * (spec.sprints if keep == "trajectories" else 1) \
            + 8 * len(PARAMS) * 50  # the parameters as per-run arrays
        assert held <= chunk_memory(spec, 50) - CHUNK_OVERHEAD <= 2.5 * held, keep
    traj = sweep_from_dict(spec_dict(keep="trajectories", sprints=520))
    per_run_sprint = (chunk_memory(traj, 2000) - chunk_memory(traj, 1000)) / (1000 * 520)
    assert 8 * (len(OUTCOMES) + 5 + 3 + len(OUTCOMES) + 1) <= per_run_sprint < 8 * (len(OUTCOMES) + 5 + 3 + len(OUTCOMES) + 1) + 20


def test_chunks_too_big_for_memory_are_refused_before_the_folder_is_made(tmp_path, capsys, monkeypatch):
    import pe_sim.sweeps.api as api
    import pe_sim.sweeps.execute as execute

    f = tmp_path / "s.toml"
    f.write_text("[sweep]\nbase = 'crunch'\nreplicates = 2\nsprints = 52\nkeep = 'trajectories'\nchunk_size = 6\n"
                 "[vary]\npressure = [0.2, 0.5, 0.8]\n")
    per_run = execute.chunk_memory(load_sweep(f), 1) - execute.CHUNK_OVERHEAD
    monkeypatch.setattr(execute, "available_memory", lambda: int(execute.CHUNK_OVERHEAD + 4.5 * per_run))
    monkeypatch.setattr(api, "available_memory", lambda: int(execute.CHUNK_OVERHEAD + 4.5 * per_run))
    out = tmp_path / "out"
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"{f}: sweep.chunk_size: chunks of 6 runs x 52 sprints (trajectories) need about " in err
    assert "this machine has free; use a chunk size of at most 4\n" in err and "Traceback" not in err
    assert not out.exists()  # no folder, no "running" manifest left behind
    nested = tmp_path / "a" / "b" / "out"
    assert main(["sweep", str(f), "--out", str(nested), "--workers", "1", "--no-progress"]) == 2
    assert not (tmp_path / "a").exists()  # nor the folders made on the way
    # a chunk holds at most the sweep's runs: a huge chunk size for 6 runs is not refused
    assert main(["sweep", str(f), "--out", str(tmp_path / "few"), "--workers", "1", "--chunk-size", "1000000",
                 "--dry-run"]) == 0
    assert "(1 chunk of 1,000,000)" in (dry := capsys.readouterr().out) and "too little" in dry  # 6 runs > 4.5 fit
    monkeypatch.setattr(execute, "available_memory", lambda: int(execute.chunk_memory(load_sweep(f), 6)))
    monkeypatch.setattr(api, "available_memory", execute.available_memory)
    assert main(["sweep", str(f), "--out", str(tmp_path / "few"), "--workers", "1", "--chunk-size", "1000000",
                 "--no-progress"]) == 0
    monkeypatch.setattr(execute, "available_memory", lambda: int(execute.CHUNK_OVERHEAD + 4.5 * per_run))
    monkeypatch.setattr(api, "available_memory", lambda: int(execute.CHUNK_OVERHEAD + 4.5 * per_run))
    assert main(["sweep", str(f), "--out", str(out), "--workers", "2", "--chunk-size", "3", "--no-progress"]) == 2
    assert "--chunk-size: chunk_size: chunks of 3 runs x 52 sprints (trajectories) need 2 workers at about " in \
        capsys.readouterr().err  # two workers hold two chunks: "use a chunk size of at most 2 or fewer workers"
    assert main(["sweep", str(f), "--out", str(out), "--dry-run"]) == 0
    assert "too little: running would be refused" in capsys.readouterr().out
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--chunk-size", "4", "--no-progress"]) == 0
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--dry-run", "--chunk-size", "4"]) == 0
    dry = capsys.readouterr().out
    assert "(2 chunks of 4)" in dry and "memory: about " in dry and "too little" not in dry
    assert main(["sweep", str(f), "--out", str(out), "--dry-run", "--resume", "--chunk-size", "1000"]) == 0
    assert "(2 chunks of 4 (kept from the sweep's first run))" in capsys.readouterr().out  # as a resume would run
    assert main(["sweep", str(f), "--out", str(out), "--dry-run", "--scheduler", "tcp://127.0.0.1:1"]) == 0
    assert "on each of the cluster's workers (not checked here)" in capsys.readouterr().out
    monkeypatch.setattr(execute, "available_memory", lambda: int(execute.CHUNK_OVERHEAD + 2.5 * per_run))  # less now
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--resume", "--no-progress"]) == 0  # no work
    done = out / "_done.jsonl"
    done.write_text(done.read_text().splitlines()[0] + "\n")  # as if killed after the first chunk
    (out / "data" / "part-000001.parquet").unlink()
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--resume", "--no-progress"]) == 2
    assert "its chunk size is fixed by its first run (--overwrite starts again with another): a chunk size of at " \
           "most 2 would fit" in capsys.readouterr().err
