"""The CLI end to end, as a user runs it."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pe_sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def pe_sim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pe_sim.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_run_default_comparison_writes_everything(tmp_path):
    out = tmp_path / "res"
    r = pe_sim("run", "--runs", "30", "--sprints", "20", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "one_roadmap" in r.stdout and "split_backlogs" in r.stdout and "customer_value" in r.stdout
    assert "[" in r.stdout  # confidence intervals
    data = pd.read_parquet(out / "outcomes")
    assert len(data) == 2 * 30 * 20
    assert {"scenario", "run", "sprint", "seed", "customer_value", "trust_pm_em"} <= set(data.columns)
    assert len(pd.read_csv(out / "outcomes.csv")) == len(data)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 20261122 and manifest["runs"] == 30 and manifest["pe_sim_version"]
    assert [c["scenario"]["name"] for c in manifest["configs"]] == ["split_backlogs", "one_roadmap"]  # the reference first
    for png in ("overview", "customer_value", "velocity", "tech_debt", "burnout_mean", "trust_pm_em"):
        assert (out / "plots" / f"{png}.png").stat().st_size > 5000
    again = pe_sim("run", "--runs", "5", "--sprints", "5", "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    forced = pe_sim("run", "crunch", "--runs", "5", "--sprints", "5", "--out", str(out), "--force", "--no-plots")
    assert forced.returncode == 0, forced.stderr
    assert set(pd.read_parquet(out / "outcomes")["scenario"]) == {"crunch"}


def test_same_seed_same_numbers(tmp_path):
    for name in ("a", "b"):
        assert main(["run", "over_the_wall", "--runs", "4", "--sprints", "6", "--seed", "3", "--quiet",
                     "--no-plots", "--out", str(tmp_path / name)]) == 0
    a = pd.read_parquet(tmp_path / "a" / "outcomes")
    b = pd.read_parquet(tmp_path / "b" / "outcomes")
    pd.testing.assert_frame_equal(a, b)


def test_bad_config_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[params]\npresure = 0.5\n")
    r = pe_sim("run", str(bad), "--out", str(tmp_path / "x"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "bad.toml" in r.stderr and "presure" in r.stderr and "pressure" in r.stderr
    v = pe_sim("validate", str(bad), "crunch")
    assert v.returncode == 2 and "INVALID" in v.stdout and "ok" in v.stdout


def test_bad_flag_values_are_explained(tmp_path):
    r = pe_sim("run", "--runs", "0")
    assert r.returncode == 2 and "out of range" in r.stderr
    assert r.stderr.splitlines() == ["pe-sim run: error: argument --runs: 0 is out of range; expected an integer in "
                                     "[1, 10000000] (`pe-sim run --help` lists the options)"]  # one line, no usage block
    r = pe_sim("run", "--engine", "gpu")
    assert r.returncode == 2 and "core" in r.stderr and len(r.stderr.splitlines()) == 1
    r = pe_sim("forecast")
    assert r.returncode == 2 and r.stderr.startswith("pe-sim forecast: error: the following arguments are required")
    r = pe_sim("scenarios", "--workers", "1")  # an option the command does not have: its own --help is named
    assert r.returncode == 2 and r.stderr == ("pe-sim scenarios: error: unrecognized arguments: --workers 1 (`pe-sim "
                                              "scenarios --help` lists the options)\n")
    r = pe_sim("compare", "split_backlogs", "one_roadmap", "--out", "x")  # not read as --outcomes x
    assert r.returncode == 2 and r.stderr == ("pe-sim compare: error: unrecognized arguments: --out x (`pe-sim "
                                              "compare --help` lists the options)\n")


def test_info_commands():
    r = pe_sim("params")
    assert r.returncode == 0 and "tech_share" in r.stdout and "[0, 1]" in r.stdout
    r = pe_sim("scenarios")
    assert r.returncode == 0 and "trust_partnership" in r.stdout
    r = pe_sim("--help")
    assert r.returncode == 0 and "run" in r.stdout


@pytest.mark.parametrize("engine", ["mesa"])
def test_run_with_mesa_engine(tmp_path, engine):
    r = pe_sim("run", "one_roadmap", "--runs", "2", "--sprints", "4", "--engine", engine, "--no-plots",
               "--out", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr


def test_params_can_list_only_the_assumptions():
    from pe_sim.params import PARAMS, is_assumption

    r = subprocess.run([sys.executable, "-m", "pe_sim.cli", "params", "--assumptions", "--markdown"],
                       capture_output=True, text=True, check=True)
    names = {line.split("`")[1] for line in r.stdout.splitlines() if line.startswith("| `")}
    assert names == {p.name for p in PARAMS if is_assumption(p)}
    assert "pressure" in names and "trust_loss_factor" not in names  # Slovic 1993 anchors the latter


def test_params_markdown_is_a_table_every_row_of_which_has_its_seven_cells(capsys):
    """A choice's range "fight | avoid | productive" split its row into extra cells, and a switch's default
    printed as Python's True (which a config cannot use)."""
    from pe_sim.cli import main
    from pe_sim.params import PARAMS

    assert main(["params", "--markdown"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + len(PARAMS)
    split = lambda row: [c for c in row.replace("\\|", "").split("|")][1:-1]  # noqa: E731 (escaped pipes kept)
    assert {len(split(r)) for r in rows} == {7}
    cells = {split(r)[0].strip(): split(r) for r in rows[2:]}
    assert cells["`backfill`"][3].strip() == "true" and cells["`roadmap_mode`"][3].strip() == "`one_roadmap`"
    assert cells["`conflict_style`"][4].strip() == "`fight`, `avoid`, `productive`"


def test_a_first_simulation_after_an_install_says_it_compiles(monkeypatch, capsys, tmp_path):
    """The notice comes when numba really starts compiling (a fresh function stands in for the model
    on an empty cache), once, and never for input that is refused before anything runs."""
    import numba

    import pe_sim.compiling as compiling
    import pe_sim.runner as runner

    from tests.helpers import sim

    sim(runs=2, sprints=2)  # the kernel compiled (or loaded) before the commands run
    real_run = runner.run

    def run_compiling(*a, **kw):
        numba.njit(lambda x: x + 1)(1)  # not in any cache: a real compile, as on a fresh install
        numba.njit(lambda x: x + 2)(1)  # a second compile says nothing more
        return real_run(*a, **kw)

    args = ["run", "one_roadmap", "--runs", "2", "--sprints", "2", "--no-plots"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0  # the model is in this session's cache
    assert "compiling" not in capsys.readouterr().err
    monkeypatch.setattr(runner, "run", run_compiling)
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().err.count("compiling the model for this machine") == 1
    assert main([*args, "--out", str(tmp_path / "c"), "--quiet"]) == 0
    assert "compiling" not in capsys.readouterr().err
    monkeypatch.setattr(compiling, "compiled_before", lambda: False)  # an empty cache, bad input
    assert main(["run", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "missing.toml" in err and "compiling" not in err
    assert main(["scenarios"]) == 0  # a command that simulates nothing says nothing about compiling
    assert "compiling" not in capsys.readouterr().err


def test_worker_processes_about_to_compile_are_announced_once(monkeypatch, capsys):
    """Sweeps and calibrations on local worker processes: the workers compile, so the notice is said
    before they start, on an empty cache only, and at most once with a compile in this process."""
    import numba

    import pe_sim.compiling as compiling

    said: list[int] = []
    compiling.workers_will_compile()  # outside a command: nothing to say
    with compiling.notice_compiling(lambda: said.append(1)):
        compiling.workers_will_compile()  # the cache holds the model
        assert said == []
        monkeypatch.setattr(compiling, "compiled_before", lambda: False)
        compiling.workers_will_compile()
        compiling.workers_will_compile()
        numba.njit(lambda x: x * 3)(1)
        assert said == [1]
    numba.njit(lambda x: x * 4)(1)  # after the command: the listener is gone
    assert said == [1]


def test_params_filters_by_name_and_shows_defaults_as_a_config_writes_them(capsys, tmp_path):
    assert main(["params", "backfill", "roadmap_mode"]) == 0
    out = capsys.readouterr().out
    assert "backfill      true " in out and '"one_roadmap"' in out and "pressure" not in out
    assert main(["params", "presure"]) == 2
    assert "did you mean 'pressure'" in capsys.readouterr().err
    toml = tmp_path / "c.toml"  # pasted as shown, each default is a valid value
    toml.write_bytes('\ufeff[params]\nbackfill = true\nroadmap_mode = "one_roadmap"\n'.encode("utf-8"))  # with a BOM
    assert main(["validate", str(toml)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("command, target, words", [
    (["compare", "crunch", "one_roadmap", "--runs", "3", "--sprints", "2"], "pe_sim.analysis.compare",
     "no file was left half-written"),
    (["sensitivity", "pe_sim/sweep_configs/practices_sobol.toml"], "pe_sim.analysis.sensitivity",
     "the runs finished so far are kept in its folder; the same command resumes from them"),
    (["sensitivity", "pe_sim/sweep_configs/practices_sobol.toml", "--overwrite"], "pe_sim.analysis.sensitivity",
     "the same command without --overwrite resumes from them"),
    (["run", "crunch", "--runs", "3", "--sprints", "2", "--out", "{tmp}/r"], "pe_sim.runner.run",
     "an earlier run in the output folder is kept as it was"),
])
def test_an_interrupt_says_what_it_left_for_that_command(command, target, words, tmp_path, monkeypatch, capsys):
    module, name = target.rsplit(".", 1)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib.import_module(module), name, interrupted)
    monkeypatch.chdir(ROOT)
    assert main([c.replace("{tmp}", str(tmp_path)) for c in command]) == 130
    err = capsys.readouterr().err
    assert "pe-sim: interrupted; " in err and words in err and "Traceback" not in err


@pytest.mark.parametrize("error, code, words", [
    (MemoryError, 2, "not enough memory for this work; make it smaller"),
    (__import__("concurrent.futures.process").futures.process.BrokenProcessPool, 1,
     "a worker process stopped unexpectedly (killed, or out of memory); no file was left half-written"),
])
def test_running_out_of_memory_or_losing_a_worker_is_one_line(error, code, words, monkeypatch, capsys):
    def fails(*args, **kwargs):
        raise error("from deep inside")

    monkeypatch.setattr(importlib.import_module("pe_sim.analysis"), "compare", fails)
    monkeypatch.chdir(ROOT)
    assert main(["compare", "one_roadmap", "split_backlogs", "--runs", "3", "--sprints", "2"]) == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and len([x for x in err.splitlines() if "error" in x]) == 1, err
    with pytest.raises(SystemExit) as e:  # paired runs: at least 2, said by the option's own check
        main(["compare", "crunch", "one_roadmap", "--runs", "1"])
    assert e.value.code == 2 and "--runs: 1 is out of range; expected an integer in [2, 10000000]" in capsys.readouterr().err


def test_few_runs_get_a_warning_about_rough_intervals(tmp_path, capsys):
    assert main(["run", "one_roadmap", "--runs", "3", "--sprints", "2", "--out", str(tmp_path / "r"), "--quiet",
                 "--no-plots"]) == 0
    assert "with 3 runs per config the 95% intervals are rough and very wide" in capsys.readouterr().err
    assert main(["run", "one_roadmap", "--runs", "10", "--sprints", "2", "--out", str(tmp_path / "s"), "--quiet",
                 "--no-plots"]) == 0
    assert "rough" not in capsys.readouterr().err


def test_an_empty_path_is_refused_not_taken_for_the_current_folder(capsys):
    for args in (["run", "crunch", "--out", ""], ["forecast", "somewhere", "--out", " "], ["report", "crunch", "--out", ""]):
        with pytest.raises(SystemExit) as e:
            main(args)
        assert e.value.code == 2 and "is empty; expected a path" in capsys.readouterr().err


def test_empty_paths_are_refused_by_sweep_compare_and_sensitivity_too(capsys):
    for args in (["sweep", "example", "--out", ""], ["sensitivity", "practices_sobol", "--out", ""],
                 ["compare", "crunch", "one_roadmap", "--csv", ""], ["compare", "crunch", "one_roadmap", "--figure", " "],
                 ["compare", "crunch", "one_roadmap", "--posterior", ""]):
        with pytest.raises(SystemExit) as e:
            main(args)
        assert e.value.code == 2 and "is empty; expected a path" in capsys.readouterr().err, args


def test_validate_takes_a_shipped_sweeps_name_as_sweep_and_sensitivity_do(tmp_path, capsys, monkeypatch):
    """`pe-sim sweep cadence_grid` ran, but `pe-sim validate cadence_grid` said there was no such scenario;
    from a folder holding a cadence_grid/ folder, that it was a folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cadence_grid").mkdir()
    assert main(["validate", "cadence_grid", "practices_sobol", "crunch"]) == 0
    out = capsys.readouterr().out
    assert "ok      cadence_grid: sweep 'cadence_grid', grid design" in out and "ok      crunch: scenario" in out
    assert main(["validate", str(tmp_path / "cadence_grid"), ""]) == 2  # folders: what validate takes, sweeps too
    assert capsys.readouterr().out.count("file: is a folder; expected a scenario, sweep or calibration TOML file, or "
                                         "the name of a shipped scenario or sweep (scenarios: ") == 2
    assert main(["validate", "cadense_grid"]) == 2
    out = capsys.readouterr().out
    assert "cadense_grid: file: no such file, shipped scenario or shipped sweep; did you mean 'cadence_grid'? " \
           "(scenarios: absences," in out and "; sweeps: cadence_grid," in out


def test_validate_checks_sweep_files_and_calibration_configs_as_what_they_are(tmp_path, capsys):
    """A calibration config was refused as a scenario with 'unknown key calibrate'."""
    good, bad = tmp_path / "cal.toml", tmp_path / "calbad.toml"
    good.write_text("[calibrate]\npopulation = 100\n")
    bad.write_text("[calibrate]\npopulaton = 100\n")
    sweep = ROOT / "pe_sim" / "sweep_configs" / "example.toml"
    assert main(["validate", str(good), str(sweep), "crunch"]) == 0
    out = capsys.readouterr().out
    assert "calibration config" in out and f"--config {good}" in out and "sweep 'example', lhs design" in out
    assert main(["validate", str(bad)]) == 2
    assert "calibrate.populaton: unknown key 'populaton'; did you mean 'population'?" in capsys.readouterr().out
    sens, late, cut = tmp_path / "sens.toml", tmp_path / "late.toml", tmp_path / "cut.toml"
    sens.write_text("[sweep]\nbase = 'split_backlogs'\n[vary]\npressure = {low = 0.1, high = 0.5}\n"
                    "tech_share = {low = 0.1, high = 0.3}\n[sensitivity]\nmethod = 'morris'\n")
    late.write_text("[scenario]\nname = 'late'\n[[events]]\nkind = 'deadline_crunch'\nsprint = 60\n")
    cut.write_text("[sweep]\nbase = 'late.toml'\nsprints = 20\n[vary]\npressure = [0.2, 0.4]\n")
    assert main(["validate", str(sens), str(cut)]) == 0
    out = capsys.readouterr().out
    assert "sensitivity file 'sens', morris (morris design of 60 points), 2 varied" in out and "grid" not in out.split("\n")[0]
    assert "warning: " in out and "(deadline_crunch at sprint 60) is beyond the last sprint (19)" in out
    for name in ("scenarios", "params", "validate"):  # each --help says what the command does
        with pytest.raises(SystemExit):
            main([name, "--help"])
        assert len(capsys.readouterr().out.split("\n\n")) >= 3


def _synopsis() -> dict[str, str]:
    """The README's command-line synopsis: each command's line (continuations joined, comments dropped)."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Command line\n\n```\n(.*?)```", text, re.S).group(1)
    lines: dict[str, str] = {}
    for line in block.splitlines():
        line = line.split("#", 1)[0].rstrip()
        if line.startswith("pe-sim "):
            command = line.split()[1]
            assert command not in lines, f"{command} twice in the README's synopsis"
            lines[command] = line
        elif line.strip():
            lines[command] += " " + line.strip()
    return lines


def test_the_readmes_synopsis_lists_every_command_with_exactly_its_options():
    """The synopsis lacked run's --no-plots, params' NAME and --group, dashboard's --host, ... : each
    command's options, arguments and small sets of choices are now checked against its parser."""
    import argparse
    import re

    from pe_sim.cli import build_parser

    commands = build_parser().commands
    synopsis = _synopsis()
    assert set(synopsis) == set(commands)
    for name, parser in commands.items():
        line = synopsis[name]
        shown = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", line))
        options = {s for a in parser._actions for s in a.option_strings if s.startswith("--") and s != "--help"}
        assert shown == options, f"{name}: the README lacks {sorted(options - shown)}, has no {sorted(shown - options)}"
        for a in parser._actions:
            if not a.option_strings and not isinstance(a, argparse._HelpAction):
                assert re.search(rf"(?<![\w.-]){re.escape(a.metavar or a.dest.upper())}(?![\w-])", line), \
                    f"{name}: the README lacks its argument {a.metavar or a.dest}"
            if a.option_strings and a.choices and len(a.choices) <= 4:  # a few choices are shown: core|mesa
                assert f"{a.option_strings[-1]} {'|'.join(a.choices)}" in line, f"{name}: {a.option_strings[-1]}'s choices"
        required = [a.option_strings[-1] for a in parser._actions if a.required and a.option_strings]
        for flag in required:  # a required option is shown without brackets
            assert re.search(rf"(^|[^\[|] ){flag} ", line), f"{name}: {flag} is required"


def test_counts_of_one_are_said_in_the_singular(tmp_path, capsys):
    """"1 runs x 52 sprints": a count of one takes the singular, in validate, run and a sweep's plan."""
    one = tmp_path / "one.toml"
    one.write_text("[scenario]\nname = 'one'\n[run]\nruns = 1\nsprints = 1\n")
    assert main(["validate", str(one)]) == 0
    assert "scenario 'one', 0 events, 1 run x 1 sprint" in capsys.readouterr().out
    assert main(["run", str(one), "--out", str(tmp_path / "r"), "--quiet", "--no-plots"]) == 0
    assert "End of horizon (1 sprint, 1 run per config, seed" in capsys.readouterr().out
    sweep = tmp_path / "s.toml"
    sweep.write_text("[sweep]\nbase = 'one_roadmap'\nreplicates = 1\nsprints = 1\n[vary]\npressure = [0.5]\n")
    assert main(["validate", str(sweep)]) == 0
    assert "1 varied, 1 replicate x 1 sprint" in capsys.readouterr().out
    assert main(["sweep", str(sweep), "--dry-run", "--out", str(tmp_path / "o")]) == 0
    assert "1 point x 1 replicate = 1 run of 1 sprint (1 chunk of 1)" in capsys.readouterr().out
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]) == 0
    assert "sweep done: 1 run (1 point, summary) in" in capsys.readouterr().out


def test_a_long_comparison_says_what_it_is_doing_and_a_short_one_is_quiet(monkeypatch, capsys):
    import pe_sim.commands.sweep as sweep_cmd

    args = ["compare", "one_roadmap", "split_backlogs", "--runs", "4", "--sprints", "3", "--figure", "none"]
    assert main(args) == 0
    assert "simulating" not in capsys.readouterr().err
    monkeypatch.setattr(sweep_cmd, "LONG_COMPARE_RUN_SPRINTS", 24)  # 2 setups x 4 runs x 3 sprints
    assert main(args) == 0
    assert "pe-sim compare: simulating 2 setups, 4 paired runs x 3 sprints each" in capsys.readouterr().err


def test_local_workers_and_a_dask_cluster_exclude_each_other(capsys, tmp_path):
    """--workers with --scheduler is refused before anything runs (it used to wait 20 s for the
    cluster, then ignore --workers)."""
    sweep = str(Path(__file__).resolve().parents[1] / "experiments" / "01_roadmap_vs_split" / "sweep.toml")
    history = str(Path(__file__).resolve().parents[1] / "examples" / "team_history.csv")
    for argv in (["sweep", sweep, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "s")],
                 ["sensitivity", sweep, "--workers", "2", "--scheduler-file", str(tmp_path / "f.json")],
                 ["calibrate", history, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "c")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "--workers 2:" in err and "not both" in err, err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("command, dest", [(["run"], "quiet"), (["calibrate", "team.csv"], "quiet"),
                                           (["sweep", "s.toml"], "no_progress"), (["sensitivity", "s.toml"], "no_progress"),
                                           (["compare", "a", "b"], "no_progress"), (["forecast", "cal"], "no_progress")])
def test_every_long_command_takes_both_quiet_and_no_progress(command, dest):
    """The commands had --quiet (run, calibrate) or --no-progress (sweep, compare); a user who knows one
    spelling should not meet 'unrecognized arguments' on another command."""
    from pe_sim.cli import build_parser

    parser = build_parser()
    assert getattr(parser.parse_args(command), dest) is False
    for flag in ("--quiet", "--no-progress"):
        assert getattr(parser.parse_args([*command, flag]), dest) is True
