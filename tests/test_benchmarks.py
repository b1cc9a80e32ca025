"""The benchmark scripts run (tiny sizes): their figures go into the README and closing notes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script, args, expect", [
    ("bench_items.py", ["--runs", "20", "--sprints", "4", "--repeat", "1"], "items alone (a floor)"),
    ("bench_core.py", ["--runs", "20", "--mesa-runs", "1", "--sprints", "4", "--repeat", "1", "--no-compile"],
     "ratio: kernel (1 thread) / mesa"),
    ("bench_calibrate.py", ["--population", "20", "--generations", "1", "--workers", "1", "--forecast-draws", "30",
                            "--forecast-sprints", "3"], "forecast, fresh runs: 30 draws x 3 sprints"),
    ("calibration_choices.py", ["--kernel", "--teams", "1", "--population", "20", "--generations", "1", "--workers", "1"],
     "kernel_scale generations simulations effective sample"),
    ("calibration_choices.py", ["--forecast", "--population", "20", "--generations", "1", "--workers", "1"],
     "simulated afresh"),
])
def test_benchmark_scripts_run(script, args, expect):
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert expect in r.stdout
