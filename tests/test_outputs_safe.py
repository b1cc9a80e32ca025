"""Output files: atomic, with a completion mark, and never overwritten without --force."""

from __future__ import annotations

import json
import os
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pe_sim.cli import main
from pe_sim.files import atomic

ROOT = Path(__file__).resolve().parents[1]
RUN = ["run", "one_roadmap", "--runs", "3", "--sprints", "4", "--seed", "2", "--quiet", "--no-plots"]


def test_a_failed_write_leaves_nothing_that_looks_complete(tmp_path):
    target = tmp_path / "data.csv"
    with pytest.raises(RuntimeError):
        with atomic(target) as tmp:
            tmp.write_text("half of the rows")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_run_writes_its_manifest_last_with_a_completion_mark(tmp_path):
    out = tmp_path / "out"
    assert main([*RUN, "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True
    from pe_sim.core.jit import MODEL_DIGEST

    assert manifest["packages"]["pe_sim_model"] == MODEL_DIGEST  # provenance: the model's code itself
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert set(manifest["files"]) >= {"outcomes.csv", "summary.csv", "summary.txt", "outcomes/one_roadmap.parquet"}


def test_force_replaces_only_what_pe_sim_wrote(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main([*RUN, "--out", str(out), "--force"]) == 2  # no pe-sim manifest: refuse
    assert "pe-sim" in capsys.readouterr().err and (out / "notes.txt").read_text() == "mine"
    fresh = tmp_path / "fresh"
    assert main([*RUN, "--out", str(fresh)]) == 0
    (fresh / "notes.txt").write_text("mine")
    assert main([*RUN, "--out", str(fresh)]) == 2  # exists: refuse without --force
    assert main([*RUN, "--out", str(fresh), "--force"]) == 0
    assert (fresh / "notes.txt").read_text() == "mine" and (fresh / "manifest.json").is_file()


def test_out_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    f = tmp_path / "taken"
    f.write_text("x")
    assert main([*RUN, "--out", str(f)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_report_and_compare_refuse_to_overwrite(tmp_path, capsys):
    page = tmp_path / "r.html"
    page.write_text("mine")
    assert main(["report", "one_roadmap", "--runs", "2", "--sprints", "3", "--out", str(page)]) == 2
    assert page.read_text() == "mine"
    png, csv = tmp_path / "c.png", tmp_path / "c.csv"
    png.write_text("mine")
    assert main(["compare", "one_roadmap", "split_backlogs", "--runs", "4", "--sprints", "3", "--figure", str(png),
                 "--csv", str(csv)]) == 2
    assert png.read_text() == "mine" and not csv.exists()
    assert "already exists" in capsys.readouterr().err


def test_compare_twice_with_the_default_figure_writes_a_new_file_each_time(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = ["compare", "one_roadmap", "split_backlogs", "--runs", "4", "--sprints", "3"]
    assert main(args) == 0
    assert main(args + ["--csv", str(tmp_path / "new" / "c.csv")]) == 0
    figures = sorted((tmp_path / "results").glob("compare-one_roadmap-split_backlogs-*.png"))
    assert len(figures) == 2 and all(f.stat().st_size > 1000 for f in figures)
    assert (tmp_path / "new" / "c.csv").is_file() and (tmp_path / "new" / "c_over_time.csv").is_file()
    assert f"figure: {figures[1].relative_to(tmp_path)}" in capsys.readouterr().out
    (tmp_path / "afile").write_text("mine")
    assert main(args + ["--figure", str(tmp_path / "afile" / "x.png")]) == 2
    assert "--figure: cannot make its folder" in capsys.readouterr().err
    assert main(args + ["--figure", str(tmp_path / "nope" / "x.png"), "--outcomes", "bogus"]) == 2
    assert not (tmp_path / "nope").exists()


def test_events_beyond_the_horizon_are_named_in_a_warning(tmp_path):
    f = tmp_path / "late.toml"
    f.write_text('[[events]]\nkind = "deadline_crunch"\nsprint = 40\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pe_sim.cli", *RUN[:1], str(f), "--runs", "2", "--sprints", "5",
                        "--quiet", "--no-plots", "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 0
    assert "deadline_crunch at sprint 40" in r.stderr and "never happens" in r.stderr


def test_sensitivity_refuses_to_overwrite_an_explicit_output(tmp_path, capsys):
    table = tmp_path / "indices.csv"
    table.write_text("mine")
    sweep = tmp_path / "s.toml"
    sweep.write_text('[sweep]\nbase = "one_roadmap"\ndesign = "saltelli"\npoints = 8\nsprints = 3\n'
                     '[vary]\npressure = { low = 0.1, high = 0.9 }\n', encoding="utf-8")
    assert main(["sensitivity", str(sweep), "--csv", str(table), "--out", str(tmp_path / "o")]) == 2
    assert table.read_text() == "mine" and "already exists" in capsys.readouterr().err


def test_report_and_compare_warn_about_events_beyond_the_horizon(tmp_path):
    f = tmp_path / "late.toml"
    f.write_text('[[events]]\nkind = "hiring_wave"\nsprint = 30\n', encoding="utf-8")
    for args in (["compare", str(f), "one_roadmap", "--runs", "4", "--sprints", "5", "--figure", "none"],
                 ["report", str(f), "--runs", "2", "--sprints", "5", "--out", str(tmp_path / "r.html")]):
        r = subprocess.run([sys.executable, "-m", "pe_sim.cli", *args], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, r.stderr[-2000:]
        assert "hiring_wave at sprint 30" in r.stderr


def test_a_figure_or_csv_path_ending_in_a_slash_is_refused_as_a_folder(tmp_path, capsys):
    args = ["compare", "one_roadmap", "split_backlogs", "--runs", "4", "--sprints", "3"]
    assert main(args + ["--figure", str(tmp_path / "newdir") + "/"]) == 2
    err = capsys.readouterr().err
    assert "--figure" in err and "is a folder; expected a file name" in err and "newdir/figure.png" in err
    assert main(args + ["--figure", "none", "--csv", str(tmp_path / "tables") + "/"]) == 2
    assert "tables/table.csv" in capsys.readouterr().err
    assert not (tmp_path / "newdir").exists() and not (tmp_path / "tables").exists()


def test_force_twice_keeps_the_users_files_and_an_old_manifest_cannot_make_it_delete_them(tmp_path):
    out = tmp_path / "p"
    plotted = [*RUN[:-1]]  # with plots
    assert main([*plotted, "--out", str(out)]) == 0
    mine = {".git/HEAD": "ref", "notes.md": "mine", "plots/my_own_plot.png": "mine", "outcomes/extra.txt": "mine"}
    for name, text in mine.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    for _ in range(2):
        assert main([*plotted, "--out", str(out), "--force"]) == 0
        assert all((out / name).read_text() == text for name, text in mine.items())
    manifest = json.loads((out / "manifest.json").read_text())
    assert not set(manifest["files"]) & set(mine) and "plots/overview.png" in manifest["files"]
    assert all((out / f).is_file() for f in manifest["files"]) and manifest["packages"]["numba"]
    manifest["files"] += list(mine)  # as an earlier version wrote it: every file in the folder
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main([*RUN, "--out", str(out), "--force"]) == 0
    assert all((out / name).read_text() == text for name, text in mine.items())
    assert not (out / "plots" / "overview.png").exists()  # pe-sim's own old plots do go


def test_an_interrupted_run_keeps_the_earlier_run_and_the_folder_stays_usable(tmp_path, monkeypatch):
    import pe_sim.runner

    out = tmp_path / "dup"
    assert main([*RUN, "--out", str(out)]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = pe_sim.runner.run
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(pe_sim.runner, "run", interrupted)
    two = ["run", "one_roadmap", "split_backlogs", *RUN[2:]]
    assert main([*two, "--out", str(out), "--force"]) == 130
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the earlier run is whole until the new one is complete, and nothing is left beside it
    assert main([*two, "--out", str(out)]) == 2  # a run is there: --force to replace it
    calls.clear()
    new = tmp_path / "new"
    assert main([*two, "--out", str(new)]) == 130
    assert not new.exists()  # an interrupted first run leaves no folder behind
    (new / ".pe-sim-partial" / "outcomes").mkdir(parents=True)  # one a killed run (kill -9) left
    monkeypatch.setattr(pe_sim.runner, "run", real)
    assert main([*two, "--out", str(new)]) == 0  # such a folder is reused as it is
    assert main([*two, "--out", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["manifest.json", "outcomes", "outcomes.csv", "summary.csv", "summary.txt", "difference.csv"])


def test_a_second_run_into_a_folder_in_use_is_refused_and_the_first_completes(tmp_path, capsys):
    """Two runs into one folder at once shared its staging folder (the second cleared the first's
    files mid-run); now the second is refused with one line while the first holds the folder."""
    from pe_sim.files import run_folder

    out = tmp_path / "shared"
    with run_folder(out, force=False) as stage:  # a first run, in progress
        (stage / "outcomes" / "x.parquet").write_bytes(b"first")
        capsys.readouterr()
        assert main([*RUN, "--out", str(out)]) == 2
        assert "another pe-sim command (a run, sweep, calibration or forecast) is using this folder now" in capsys.readouterr().err
        assert main([*RUN, "--out", str(out), "--force"]) == 2
        assert (stage / "outcomes" / "x.parquet").read_bytes() == b"first"  # untouched
    assert main([*RUN, "--out", str(out)]) == 0  # released: the interrupted first run's folder is reused
    assert (out / "manifest.json").is_file() and not (out / ".pe-sim-partial").exists()


def test_a_worker_forked_while_a_folder_is_locked_does_not_keep_the_lock(tmp_path):
    """A calibration's or sweep's worker processes are forked while the folder is locked; a flock
    belongs to every copy of its descriptor, so after a killed pe-sim its idle workers kept the
    folder locked for good. Now a forked child closes its copies at once. Here a pe-sim-like
    process locks a folder, forks a worker and dies without letting go; the worker lives on."""
    import os
    import signal
    import subprocess
    import sys

    from pe_sim.files import folder_lock

    out = tmp_path / "locked"
    script = (
        "import multiprocessing, os, sys, time\n"
        "from pathlib import Path\n"
        "from pe_sim.files import folder_lock\n"
        "def worker(up):\n"
        "    up.set()\n"
        "    time.sleep(60)\n"
        "with folder_lock(Path(sys.argv[1]), '--out', 'calibrate'):\n"
        "    fork = multiprocessing.get_context('fork')\n"
        "    up = fork.Event()\n"
        "    child = fork.Process(target=worker, args=(up,))\n"
        "    child.start()\n"
        "    up.wait(30)\n"
        "    Path(sys.argv[2]).write_text(str(child.pid))\n"
        "    os._exit(0)  # killed: no clean-up\n")
    pid, log = tmp_path / "worker.pid", tmp_path / "log.txt"
    with open(log, "w") as f:  # not a pipe: the worker would hold it open
        r = subprocess.run([sys.executable, "-c", script, str(out), str(pid)], stdout=f, stderr=f, timeout=60)
    assert r.returncode == 0, log.read_text()
    child = int(pid.read_text())
    try:
        os.kill(child, 0)  # the worker outlived the lock holder
        with folder_lock(out, "--out", "run"):  # and yet the folder is free
            pass
    finally:
        os.kill(child, signal.SIGKILL)


def test_a_second_sweep_into_a_folder_in_use_is_refused_and_nothing_is_computed_twice(tmp_path, capsys):
    """Two sweeps (or two resumes) into one folder at once computed and logged the same chunks twice,
    and an --overwrite removed the first's parts under it; now the second is refused with one line."""
    from pe_sim.files import folder_lock
    from pe_sim.sweeps import read_manifest

    out = tmp_path / "sw"
    sweep = ["sweep", "cadence_grid", "--out", str(out), "--workers", "1", "--no-progress"]
    assert main(sweep) == 0
    before = (out / "_done.jsonl").read_text()
    with folder_lock(out, "--out", "sweep"):  # a first sweep, in progress
        capsys.readouterr()
        for extra in ([], ["--resume"], ["--overwrite"]):
            assert main([*sweep, *extra]) == 2
            err = capsys.readouterr().err
            assert "another pe-sim command (a run, sweep, calibration or forecast) is using this folder now" in err and len(err.splitlines()) == 1, err
        assert (out / "_done.jsonl").read_text() == before and read_manifest(out)["status"] == "complete"
    assert main([*sweep, "--resume"]) == 0  # released
    (tmp_path / "afile").write_text("x")
    capsys.readouterr()
    assert main(["sweep", "cadence_grid", "--out", str(tmp_path / "afile"), "--no-progress"]) == 2
    assert "--out: is a file; expected a folder for the sweep's outputs" in capsys.readouterr().err


def test_an_output_path_that_cannot_be_written_is_one_line_not_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    assert main([*RUN, "--out", str(blocker / "run")]) == 2
    assert "--out: cannot be made or written" in capsys.readouterr().err
    assert main(["report", "one_roadmap", "--runs", "2", "--sprints", "2", "--out", str(blocker / "r.html")]) == 2
    assert "cannot make its folder" in capsys.readouterr().err  # before any simulating
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code = main([*RUN, "--out", str(locked / "sub" / "run")])
        err = capsys.readouterr().err
        if os.geteuid() != 0:  # root may write anywhere
            assert code == 2 and "Traceback" not in err and str(locked) in err
    finally:
        locked.chmod(0o700)


def test_an_os_error_naming_a_file_is_one_line_with_exit_2(monkeypatch, capsys):
    import pe_sim.cli

    def denied(args):
        raise PermissionError(13, "Permission denied", "/data/out/summary.csv")

    parser = pe_sim.cli.build_parser()
    monkeypatch.setattr(pe_sim.cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["run"].set_defaults(func=denied)
    assert main(["run", "one_roadmap"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "pe-sim: error: /data/out/summary.csv: Permission denied; choose a folder you can write to"


def test_a_name_too_long_for_the_file_system_is_one_line_asking_for_a_shorter_one(tmp_path, capsys):
    long = "z" * 300
    assert main(["run", "one_roadmap", "--runs", "2", "--sprints", "2", "--out", str(tmp_path / long)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pe-sim: error: ") and err.endswith("...: File name too long; use a shorter name")
    assert "\n" not in err and len(err) < 160
    assert main(["run", long]) == 2  # a config named so: not a file, and no scenario's name
    assert capsys.readouterr().err.strip().endswith("file: cannot be a scenario TOML file or a shipped scenario's name "
                                                    "(File name too long)")


def test_force_on_a_folder_with_a_foreign_manifest_is_refused_before_any_simulating(tmp_path, capsys, monkeypatch):
    import pe_sim.runner

    out = tmp_path / "theirs"
    out.mkdir()
    (out / "manifest.json").write_text('{"files": "not a list", "tool": "someone else"}')
    monkeypatch.setattr(pe_sim.runner, "run", lambda *a, **k: pytest.fail("simulated before refusing"))
    assert main([*RUN, "--out", str(out), "--force"]) == 2
    assert "holds no pe-sim run" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def test_a_run_that_finishes_while_another_waits_for_the_folder_is_not_replaced(tmp_path, monkeypatch, capsys):
    """The folder's contents are checked only once its lock is held: a first run that completes
    between a second run's look and its lock is not replaced without --force."""
    import pe_sim.files

    out = tmp_path / "race"
    (out / ".pe-sim-partial").mkdir(parents=True)  # the first run, still writing
    real = pe_sim.files._lock

    def first_run_finishes_meanwhile(fd):
        if not (out / "manifest.json").exists():
            monkeypatch.setattr(pe_sim.files, "_lock", real)
            assert main([*RUN, "--out", str(out)]) == 0  # it completes (and releases the folder) first
        return real(fd)

    monkeypatch.setattr(pe_sim.files, "_lock", first_run_finishes_meanwhile)
    assert main([*RUN, "--seed", "9", "--out", str(out)]) == 2
    assert "output folder already holds a pe-sim run; pass --force" in capsys.readouterr().err
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2  # the first run's, untouched


def test_two_outputs_of_one_command_never_share_a_file(tmp_path, capsys):
    same = tmp_path / "same.png"
    compare_args = ["compare", "one_roadmap", "split_backlogs", "--runs", "4", "--sprints", "3"]
    assert main(compare_args + ["--figure", str(same), "--csv", str(same)]) == 2
    assert "--csv" in capsys.readouterr().err and not same.exists()
    assert main(["sensitivity", "practices_sobol", "--figure", str(same), "--csv",
                 str(same)]) == 2
    assert "give each output its own name" in capsys.readouterr().err and not same.exists()
    assert main(["sensitivity", "practices_sobol", "--csv", str(tmp_path / "newdir" / "x.csv"),
                 "--outcomes", "bogus"]) == 2
    assert not (tmp_path / "newdir").exists()  # a bad --outcomes is found before any folder is made
    for args, words in (([*compare_args, "--figure", str(tmp_path / "f.csv")], "--figure: .csv: not a figure format"),
                        ([*compare_args, "--figure", str(tmp_path / "f")], "--figure: no suffix: not a figure format"),
                        ([*compare_args, "--csv", ".", "--figure", "none"], "--csv: is a folder"),
                        (["sensitivity", "practices_sobol", "--figure", str(tmp_path / "g.xyz")], "not a figure format"),
                        ([*compare_args, "--figure", str(tmp_path / "g.pgf")], ".pgf: not a figure format")):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err, err
        assert "rough" not in err  # no few-runs warning before an error that stops the command
    from pe_sim.analysis import sensitivity
    from pe_sim.config import ConfigError

    default_figure = tmp_path / "sens" / "_analysis" / "sobol.png"  # a table at the figure's default name
    with pytest.raises(ConfigError, match="the default figure: is the same file as csv"):
        sensitivity("practices_sobol", out=tmp_path / "sens", csv=default_figure, progress=False)
    with pytest.raises(ConfigError, match="is the same file as"):
        sensitivity("practices_sobol", out=tmp_path / "sens", csv=tmp_path / "z.png", figure=tmp_path / "z.png",
                    progress=False)
    assert not (tmp_path / "sens").exists()


def test_a_folder_that_holds_no_run_is_refused_without_advice_that_force_cannot_follow(tmp_path, capsys):
    """A stray summary.csv got "pass --force to replace the run in it", and then with --force "holds
    no pe-sim run ... choose another --out": the first answer is now the one --force would give."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("mine")
    assert main([*RUN, "--out", str(out)]) == 2
    first = capsys.readouterr().err.strip()
    assert main([*RUN, "--out", str(out), "--force"]) == 2
    assert capsys.readouterr().err.strip() == first
    assert "holds no pe-sim run" in first and "pass --force" not in first and "choose a new or empty --out" in first
    assert (out / "summary.csv").read_text() == "mine"


def test_files_written_together_are_in_place_all_or_none(tmp_path, monkeypatch):
    """The last file is the mark of a whole output: an old one goes before any new file is put in
    place, a new one comes last, so a kill between the renames never leaves old and new side by side."""
    from pe_sim import files

    figure, table = tmp_path / "f.png", tmp_path / "t.csv"
    figure.write_text("old figure")
    table.write_text("old table")
    with pytest.raises(KeyboardInterrupt):  # before the renames: the earlier pair as it was, no temporaries
        with files.together(figure, table) as (f, t):
            f.write_text("new figure")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "t.csv"] and table.read_text() == "old table"
    real = os.replace
    moved = []

    def killed_after_the_first(src, dst):
        if moved:
            raise SystemExit("killed")  # as a kill between the two renames would leave the folder
        moved.append(dst)
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", killed_after_the_first)
    with pytest.raises(SystemExit):
        with files.together(figure, table) as (f, t):
            f.write_text("new figure")
            t.write_text("new table")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png"] and figure.read_text() == "new figure"

    def interrupted_midway(src, dst):  # Ctrl-C in the middle of the renames waits for them
        os.kill(os.getpid(), signal.SIGINT)
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", interrupted_midway)
    with files.together(figure, table) as (f, t):
        f.write_text("newer figure")
        t.write_text("newer table")
    assert figure.read_text() == "newer figure" and table.read_text() == "newer table"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "t.csv"]
    with pytest.raises(KeyboardInterrupt):  # and afterwards Ctrl-C interrupts as before
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "cal"
    r = subprocess.run([sys.executable, "-m", "pe_sim.cli", "calibrate", "examples/team_history.csv", "--out", str(out),
                        "--population", "20", "--generations", "1", "--workers", "1", "--quiet"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return out


def forecast(calibration, out, *more):
    return main(["forecast", str(calibration), "--sprints", "3", "--draws", "10", "--out", str(out), *more])


def test_an_interrupted_forecast_leaves_no_forecast_and_says_so(calibration, tmp_path, monkeypatch, capsys):
    """Interrupted while drawing its figure, a forecast had printed its numbers, left forecast.csv
    without forecast.png, said "no file was left half-written" and refused a rerun without --force."""
    import pe_sim.files

    real = pe_sim.files.save_figure

    def interrupted(fig, path, **kwargs):
        real(fig, path, **kwargs)
        raise KeyboardInterrupt

    out = tmp_path / "fc"
    monkeypatch.setattr(pe_sim.files, "save_figure", interrupted)
    assert forecast(calibration, out) == 130
    said = capsys.readouterr()
    assert "pe-sim: interrupted; the forecast was not written" in said.err and "forecast of" not in said.out
    assert not out.exists()  # made by the forecast, and left empty: gone
    monkeypatch.setattr(pe_sim.files, "save_figure", real)
    assert forecast(calibration, out) == 0
    assert sorted(p.name for p in out.iterdir()) == ["forecast.csv", "forecast.png"]
    assert "forecast of" in capsys.readouterr().out
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "notes.txt").write_text("mine")
    monkeypatch.setattr(pe_sim.files, "save_figure", interrupted)
    assert forecast(calibration, out, "--force", "--seed", "7") == 130
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "notes.txt"} == before  # the earlier forecast
    assert "an earlier forecast in the output folder is kept as it was" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["forecast.csv", "forecast.png", "notes.txt"]


@pytest.mark.parametrize("left, missing", [("forecast.csv", "forecast.png"), ("forecast.png", "forecast.csv")])
def test_half_a_forecast_is_named_as_such_and_force_replaces_it(calibration, tmp_path, capsys, left, missing):
    out = tmp_path / "fc"
    out.mkdir()
    (out / left).write_text("from an older pe-sim, interrupted")
    assert forecast(calibration, out) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"pe-sim: error: {out}: --out: holds {left} but no {missing}: part of an earlier forecast (one "
                   "stopped before it had written both, or with a file removed since); pass --force to replace it, or "
                   "--out to write another folder")
    assert forecast(calibration, out, "--force") == 0
    assert sorted(p.name for p in out.iterdir()) == ["forecast.csv", "forecast.png"]
    assert (out / "forecast.png").read_bytes().startswith(b"\x89PNG")
    (out / "forecast.csv").unlink()
    (out / "forecast.csv").mkdir()  # a folder in the way: --force cannot help, so it is not offered
    assert forecast(calibration, out) == 2
    err = capsys.readouterr().err
    assert "is a folder where the forecast writes a file" in err and "--force" not in err


def fake_calibration(folder: Path, finished: bool = True) -> dict[str, bytes]:
    """A folder as `pe-sim calibrate` leaves it (recognised by its calibration.json and manifest),
    without running one; returns its files' contents to compare with later."""
    folder.mkdir(parents=True)
    (folder / "calibration.json").write_text('{"settings": {}}')
    (folder / "summary.csv").write_text("parameter,mean\nwork_uncertainty,0.5\n")
    (folder / "abc.db").write_bytes(b"SQLite format 3\x00")
    if finished:
        (folder / "manifest.json").write_text(json.dumps({
            "command": "calibrate", "complete": True,
            "files": ["abc.db", "calibration.json", "summary.csv", "manifest.json"]}))
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("finished", [True, False])
def test_run_never_writes_into_a_calibration_not_even_with_force(tmp_path, capsys, monkeypatch, finished):
    """`run --force` into a calibration folder replaced its manifest.json and summary.csv (the
    calibration's manifest lists files, and run took it for its own), and without --force called
    the calibration "a pe-sim run"."""
    import pe_sim.runner

    out = tmp_path / "cal"
    before = fake_calibration(out, finished)
    monkeypatch.setattr(pe_sim.runner, "run", lambda *a, **k: pytest.fail("simulated before refusing"))
    for force in ([], ["--force"]):
        assert main([*RUN, "--out", str(out), *force]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"pe-sim: error: {out}: --out: holds {'a' if finished else 'an unfinished'} calibration")
        assert "already holds a pe-sim run" not in err and "pass --force" not in err and "Traceback" not in err
        assert "choose a new or empty --out" in err and "\n" not in err
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_run_never_writes_into_a_sweep_or_forecast_folder(tmp_path, capsys, monkeypatch):
    import pe_sim.runner

    monkeypatch.setattr(pe_sim.runner, "run", lambda *a, **k: pytest.fail("simulated before refusing"))
    swept, forecasted = tmp_path / "sweep", tmp_path / "forecast"
    (swept / "data").mkdir(parents=True)
    (swept / "_manifest.json").write_text('{"format": 1, "status": "complete"}')
    forecasted.mkdir()
    (forecasted / "forecast.csv").write_text("sprint\n1\n")
    (forecasted / "forecast.png").write_bytes(b"\x89PNG")
    for out, words in ((swept, "holds a sweep"), (forecasted, "holds a forecast")):
        before = sorted(p.name for p in out.iterdir())
        assert main([*RUN, "--out", str(out), "--force"]) == 2
        err = capsys.readouterr().err
        assert words in err and "choose a new or empty --out" in err, err
        assert sorted(p.name for p in out.iterdir()) == before


def test_a_run_manifest_still_makes_a_run_folder_replaceable(tmp_path, capsys):
    """A forecast written into a run's folder is left alone by run --force (it is not the run's)."""
    out = tmp_path / "run"
    assert main([*RUN, "--out", str(out)]) == 0
    (out / "forecast.csv").write_text("mine")
    assert main([*RUN, "--out", str(out), "--force"]) == 0
    assert (out / "forecast.csv").read_text() == "mine"


TINY_SWEEP = """[sweep]
base = "split_backlogs"
design = "grid"
replicates = 2
sprints = 3
seed = 7
outcomes = ["customer_value"]

[vary]
syncs_per_sprint = [0, 1]
"""


def test_sweep_refuses_a_folder_that_holds_other_files(tmp_path, capsys):
    """`sweep --out` into a calibration or run folder added data/, _manifest.json, _design.parquet and
    _done.jsonl beside the other command's files, and exited 0."""
    toml = tmp_path / "tiny.toml"
    toml.write_text(TINY_SWEEP)

    def sweep(out, *more):
        return main(["sweep", str(toml), "--out", str(out), "--workers", "1", "--no-progress", *more])

    cal = tmp_path / "cal"
    fake_calibration(cal)
    ran = tmp_path / "run"
    assert main([*RUN, "--out", str(ran)]) == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    capsys.readouterr()
    for out, words in ((cal, "holds a calibration (pe-sim calibrate)"), (ran, "holds a pe-sim run"),
                       (mine, "holds files pe-sim sweep did not write (notes.txt)")):
        before = sorted(p.name for p in out.iterdir())
        for more in ([], ["--overwrite"], ["--resume"]):
            assert sweep(out, *more) == 2
            err = capsys.readouterr().err.strip()
            assert words in err and f"{out}: --out:" in err and "choose a new or empty --out" in err, err
            assert "\n" not in err and "Traceback" not in err
            assert sorted(p.name for p in out.iterdir()) == before  # nothing added
    empty = tmp_path / "empty"
    empty.mkdir()
    assert sweep(empty) == 0  # an empty folder is fine
    (empty / "_analysis").mkdir()  # as a sensitivity analysis of the sweep leaves it
    assert sweep(empty) == 2 and "already holds a complete sweep" in capsys.readouterr().err  # as before
    assert sweep(empty, "--resume") == 0 and sweep(empty, "--overwrite") == 0
    from pe_sim.config import ConfigError
    from pe_sim.sweeps import run_sweep

    with pytest.raises(ConfigError, match=r"out: holds a calibration .* even with overwrite=True"):
        run_sweep(str(toml), out=cal, workers=1, overwrite=True, progress=False)  # the Python API's words


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, a folder no one can write files into")
def test_report_into_a_folder_that_takes_no_files_is_refused_before_simulating(tmp_path, capsys, monkeypatch):
    """`report --out /proc/r.html` simulated, then failed naming its temporary file /proc/.r.html.<pid>.tmp."""
    import pe_sim.runner

    monkeypatch.setattr(pe_sim.runner, "run", lambda *a, **k: pytest.fail("simulated before refusing"))
    assert main(["report", "one_roadmap", "--runs", "3", "--sprints", "3", "--out", "/proc/r.html"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pe-sim: error: /proc/r.html: --out: cannot be written in /proc") and ".tmp" not in err
    assert "choose a folder you can write to" in err and "simulating" not in err


def test_a_failed_atomic_write_names_the_users_file_not_the_temporary_one(tmp_path):
    from pe_sim.files import write_text

    target = tmp_path / "gone" / "r.html"
    with pytest.raises(OSError) as caught:
        write_text(target, "x")
    assert caught.value.filename == str(target)


def test_report_counts_its_setups_and_shows_progress(tmp_path, capsys, monkeypatch):
    import pe_sim.commands.dashboard

    monkeypatch.setattr(pe_sim.commands.dashboard, "PROGRESS_DELAY", 0)  # shown at once, as in a long report
    assert main(["report", "one_roadmap", "--runs", "3", "--sprints", "3", "--out", str(tmp_path / "r.html")]) == 0
    err = capsys.readouterr().err
    assert "simulating 1 setup, 3 runs x 3 sprints each" in err and "1 setups" not in err
    assert "3/3" in err  # the progress bar, on stderr


def test_forecast_never_writes_into_another_commands_folder(tmp_path, capsys):
    """A forecast beside a run's or a sweep's files would mix two commands' outputs in one folder."""
    ran, swept = tmp_path / "run", tmp_path / "sweep"
    assert main([*RUN, "--out", str(ran)]) == 0
    (swept / "data").mkdir(parents=True)
    (swept / "_manifest.json").write_text('{"format": 1, "status": "complete"}')
    capsys.readouterr()
    for out, words in ((ran, "holds a pe-sim run"), (swept, "holds a sweep")):
        before = sorted(p.name for p in out.iterdir())
        assert main(["forecast", str(tmp_path / "calibration"), "--out", str(out), "--force"]) == 2
        err = capsys.readouterr().err
        assert words in err and "pe-sim forecast does not write into another command's folder" in err, err
        assert sorted(p.name for p in out.iterdir()) == before


def test_run_force_never_writes_through_a_linked_subfolder(tmp_path, capsys):
    """A run's plots/ (or outcomes/) replaced by a link to another folder: --force wrote the new plots
    into that folder, replacing its files."""
    out, victim = tmp_path / "run", tmp_path / "victim"
    assert main([*RUN[:-1], "--out", str(out)]) == 0  # with plots
    victim.mkdir()
    (victim / "overview.png").write_text("VICTIM")
    for sub in ("plots", "outcomes"):
        kept = tmp_path / f"{sub}-real"
        (out / sub).rename(kept)
        (out / sub).symlink_to(victim, target_is_directory=True)
        capsys.readouterr()
        assert main([*RUN[:-1], "--out", str(out), "--force"]) == 2
        err = capsys.readouterr().err
        assert f"{out / sub}: --out: is a symbolic link" in err and "Traceback" not in err, err
        assert sorted(p.name for p in victim.iterdir()) == ["overview.png"]
        assert (victim / "overview.png").read_text() == "VICTIM"
        (out / sub).unlink()
        kept.rename(out / sub)
    assert main([*RUN[:-1], "--out", str(out), "--force"]) == 0  # the real folders: replaced as before


def test_a_run_killed_while_moving_its_files_in_leaves_a_folder_force_replaces(tmp_path, monkeypatch, capsys):
    """The earlier run's manifest stays until the new files are in place: a run killed in between left
    a folder without any manifest, which no later run would replace."""
    import pe_sim.files as files

    out = tmp_path / "run"
    assert main([*RUN, "--out", str(out)]) == 0
    real_replace, moved = files.os.replace, []

    def killed_after_two(src, dst):
        if len(moved) == 2:
            raise KeyboardInterrupt  # stands for a kill between two moves
        moved.append(dst)
        real_replace(src, dst)

    staged = ["outcomes.csv", "summary.csv", "summary.txt"]
    (out / ".pe-sim-partial").mkdir()
    for name in staged:
        (out / ".pe-sim-partial" / name).write_text("new")
    monkeypatch.setattr(files.os, "replace", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        files.finish_run_folder(out, staged, {})
    monkeypatch.setattr(files.os, "replace", real_replace)
    assert (out / "manifest.json").is_file()  # the earlier run's, naming every file either run wrote
    (out / ".pe-sim-partial").mkdir(exist_ok=True)
    capsys.readouterr()
    assert main([*RUN, "--out", str(out)]) == 2 and "pass --force" in capsys.readouterr().err
    assert main([*RUN, "--out", str(out), "--force"]) == 0
    assert (out / "summary.csv").is_file() and not (out / ".pe-sim-partial").exists()


def test_sweep_never_removes_or_writes_files_through_a_linked_data_folder(tmp_path, capsys):
    """`sweep --overwrite` deleted the part files and manifest of the folder a data/ link pointed to,
    then wrote its own there."""
    toml = tmp_path / "tiny.toml"
    toml.write_text(TINY_SWEEP)
    out, victim = tmp_path / "sw", tmp_path / "victim"
    argv = ["sweep", str(toml), "--out", str(out), "--workers", "1", "--no-progress"]
    assert main(argv) == 0
    victim.mkdir()
    for name in ("part-000007.parquet", "_manifest.json", "notes.txt"):
        (victim / name).write_text(name)
    shutil.rmtree(out / "data")
    (out / "data").symlink_to(victim, target_is_directory=True)
    capsys.readouterr()
    for more in (["--overwrite"], ["--resume"], []):
        assert main([*argv, *more]) == 2
        err = capsys.readouterr().err
        assert f"{out / 'data'}: --out: is a symbolic link" in err, err
        assert sorted(p.name for p in victim.iterdir()) == ["_manifest.json", "notes.txt", "part-000007.parquet"]


def test_a_dangling_link_is_not_replaced_without_force(tmp_path, capsys):
    link = tmp_path / "report.html"
    link.symlink_to(tmp_path / "nowhere.html")
    assert main(["report", "split_backlogs", "--runs", "3", "--sprints", "3", "--out", str(link)]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err and link.is_symlink()


def test_a_refused_command_never_removes_the_folder_another_command_holds(tmp_path, monkeypatch):
    """A second command that found the folder missing, then lost the race for its lock, removed the (still
    empty) folder the first command had just made and locked."""
    import contextlib
    import pathlib

    from pe_sim.config import ConfigError
    from pe_sim.files import folder_lock

    folder, real_mkdir, first = tmp_path / "out", pathlib.Path.mkdir, contextlib.ExitStack()

    def others_first(self, *args, **kwargs):  # the first command gets in between the check and the mkdir
        monkeypatch.setattr(pathlib.Path, "mkdir", real_mkdir)
        first.enter_context(folder_lock(folder, "--out", "sweep"))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", others_first)
    with pytest.raises(ConfigError, match="another pe-sim command"):
        with folder_lock(folder, "--out", "run"):
            pass
    assert folder.is_dir()  # the holder's folder stays while it holds it
    first.close()
    assert not folder.exists()  # and the holder, which wrote nothing, leaves none behind
