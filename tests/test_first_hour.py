"""What a new user meets first: README paths, safe scenario names, quiet pipes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pe_sim import config as cfg

ROOT = Path(__file__).resolve().parent.parent


def test_every_relative_link_and_path_in_the_readme_exists_in_a_clone():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    paths = [p for p in links if not re.match(r"[a-z]+:", p)]
    assert paths, "expected relative links in the README"
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, f"README links to paths a clone lacks: {missing}"


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/abs", "a/b", "x\x00y", "n" * 300, "cost $\\foo{$", "..", ".hidden", ""])
def test_a_name_that_cannot_be_a_file_name_is_refused(tmp_path, name):
    f = tmp_path / "s.toml"
    toml_text = "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in name)
    f.write_text(f'[scenario]\nname = "{toml_text}"\n', encoding="utf-8")
    if name == "":
        assert cfg.load(str(f)).name == "s"  # an empty name falls back to the file's own name
        return
    with pytest.raises(cfg.ConfigError, match="scenario.name"):
        cfg.load(str(f))


def test_a_file_name_becomes_a_safe_scenario_name(tmp_path):
    f = tmp_path / "my team (2026).toml"
    f.write_text("[params]\npressure = 0.5\n", encoding="utf-8")
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", cfg.load(str(f)).name)


def test_validate_reports_a_bad_name_in_one_line_and_exit_2(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('[scenario]\nname = "../../escaped"\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pe_sim.cli", "validate", str(f)], capture_output=True, text=True)
    assert r.returncode == 2
    said = r.stdout + r.stderr
    assert "scenario.name" in said and "Traceback" not in said


@pytest.mark.parametrize("command", [["params"], ["scenarios"]])
def test_a_closed_pipe_ends_quietly(command):
    proc = subprocess.Popen([sys.executable, "-m", "pe_sim.cli", *command], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, like `| head -1`
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_plots_number_sprints_from_zero_as_configs_and_data_do():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from pe_sim.plots import draw_outcome

    df = pd.DataFrame({"scenario": "s", "run": [0, 0, 0, 1, 1, 1], "sprint": [0, 1, 2, 0, 1, 2],
                       "velocity": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]})
    fig, ax = plt.subplots()
    draw_outcome(ax, df, "velocity")
    assert list(ax.lines[0].get_xdata()) == [0, 1, 2]
    plt.close(fig)


def test_help_loads_no_heavy_library():
    """`pe-sim --help` stays quick: the engines, pandas, scipy, matplotlib, Mesa and numba load on use."""
    code = ("import sys, contextlib, io\nfrom pe_sim import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        cli.main(['--help'])\n    except SystemExit:\n        pass\n"
            "print(sorted(m for m in ('numpy', 'pandas', 'scipy', 'matplotlib', 'mesa', 'numba') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_run_and_compare_report_the_same_difference_the_same_way(tmp_path):
    """One convention: each setup minus the first config (the reference); one list of key outcomes."""
    import pandas as pd

    from pe_sim.analysis import CORE_OUTCOMES, compare
    from pe_sim.cli import main
    from pe_sim.summary import HEADLINE

    assert CORE_OUTCOMES == HEADLINE and "trust_em_pm" in HEADLINE
    out = tmp_path / "o"
    assert main(["run", "split_backlogs", "one_roadmap", "--runs", "12", "--sprints", "8", "--seed", "5",
                 "--quiet", "--no-plots", "--out", str(out)]) == 0
    run_diff = pd.read_csv(out / "difference.csv").set_index("outcome")["difference"]
    res = compare(["split_backlogs", "one_roadmap"], runs=12, sprints=8, seed=5, figure=None, workers=1)
    cmp_diff = res.summary.set_index("outcome")["diff"]
    for k in ("customer_value", "tech_debt"):
        assert run_diff[k] == pytest.approx(cmp_diff[k], rel=1e-9)
    assert "one_roadmap - split_backlogs" in (out / "summary.txt").read_text()


@pytest.mark.timeout(900)
def test_readme_python_snippet_runs_as_pasted_from_any_folder(tmp_path):
    """No __main__ guard, another folder: the snippet still runs (in the calling process) and says why."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Python API", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert "pe_sim.sweep(" in block and "__main__" not in block
    script = tmp_path / "snippet.py"
    script.write_text(block, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr and "BrokenProcessPool" not in r.stderr
    assert "if __name__" in r.stderr  # it says how to use every core


def test_dry_run_describes_factors_in_words():
    r = subprocess.run([sys.executable, "-m", "pe_sim.cli", "sweep", "cadence_grid", "--dry-run"],
                       capture_output=True, text=True, check=True)
    assert "{'name'" not in r.stdout and "syncs_per_sprint: values 0.0, 0.5" in r.stdout


@pytest.mark.parametrize("command,width", [(["params"], 140), (["scenarios"], 90)])
def test_tables_fit_the_terminal_and_wrap_at_words(command, width):
    import os

    env = dict(os.environ, COLUMNS=str(width))
    r = subprocess.run([sys.executable, "-m", "pe_sim.cli", *command], capture_output=True, text=True, env=env,
                       check=True)
    assert max(len(line) for line in r.stdout.splitlines()) <= width
    if command == ["scenarios"]:
        assert "few early warnings, scope creep" in " ".join(r.stdout.split())
