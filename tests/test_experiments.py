"""Experiment scripts run end to end on a small design (their full runs are in their READMEs)."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXP07 = ROOT / "experiments" / "07_assumptions"


def test_experiment_07_samples_the_assumptions_and_holds_those_fixed(tmp_path):
    out = tmp_path / "exp07"
    run = [sys.executable, str(EXP07 / "run.py"), "--points", "6", "--replicates", "2", "--sprints", "3",
           "--fix", "plan_opacity=0", "--out", str(out)]
    r = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    design, man = pd.read_parquet(out / "design.parquet"), json.loads((out / "manifest.json").read_text())
    assert man["fixed"] == {"plan_opacity": 0.0} and "plan_opacity" not in design and "plan_opacity" not in man["ranges"]
    assert "tech_squeeze" in design and len(design) == 7  # the default point and 6 sampled ones
    assert len(pd.read_parquet(out / "runs.parquet")) == 7 * 2 * 2
    r = subprocess.run([sys.executable, str(EXP07 / "plot.py"), str(out), str(out / "figure.png")],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "held fixed at every point: plan_opacity = 0.0" in r.stdout and (out / "figure.png").stat().st_size > 10_000
    again = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)  # never replaces data without --force
    assert again.returncode == 2 and "already holds" in again.stderr
    bad = subprocess.run(run[:-4] + ["--fix", "plan_opacity=2", "--out", str(tmp_path / "x")], capture_output=True,
                         text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "--fix plan_opacity=2: 2.0 is out of range; expected [0, 1]" in bad.stderr
