"""The notebook API: pe_sim.sweep / compare / sensitivity, imported lazily."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pandas as pd

import pe_sim


def test_top_level_functions_work_on_tiny_inputs(tmp_path):
    assert pe_sim.__version__ == "0.1.0"
    assert all(callable(getattr(pe_sim, f)) for f in ("sweep", "compare", "sensitivity"))
    sweeps = importlib.import_module("pe_sim.sweeps")  # the package; no clash with the function pe_sim.sweep
    assert isinstance(sweeps, types.ModuleType) and pe_sim.sweeps is sweeps and pe_sim.sweep is sweeps.sweep

    df = pe_sim.sweep({"sweep": {"base": "crunch", "replicates": 2, "sprints": 3}, "vary": {"pressure": [0.2, 0.8]}},
                      out=tmp_path / "s", workers=1, progress=False)
    assert isinstance(df, pd.DataFrame) and list(df["run"]) == [0, 1, 2, 3] and "customer_value_total" in df

    res = pe_sim.compare(["one_roadmap", "split_backlogs"], runs=4, sprints=3, seed=1, resamples=50, workers=1)
    assert isinstance(res.summary, pd.DataFrame) and set(res.summary["setup"]) == {"split_backlogs"}
    assert isinstance(res.table(), str)

    t = pe_sim.sensitivity({"sweep": {"base": "crunch", "design": "saltelli", "points": 4, "replicates": 1,
                                      "sprints": 3, "outcomes": ["customer_value"]},
                            "vary": {"pressure": {"low": 0.1, "high": 0.9}, "tech_share": {"low": 0.0, "high": 0.5}}},
                           out=tmp_path / "sens", workers=1, resamples=20, figure=False, progress=False)
    assert isinstance(t, pd.DataFrame) and len(t) == 2 and {"S1", "ST"} <= set(t.columns)


def test_import_pe_sim_and_the_cli_parser_stay_light():
    code = ("import sys, pe_sim, pe_sim.cli; pe_sim.cli.build_parser(); "
            "print(sorted(m for m in ('pe_sim.sweeps', 'pe_sim.analysis', 'pyarrow.parquet', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    bare = subprocess.run([sys.executable, "-c", "import sys, pe_sim; print(len([m for m in sys.modules if m.startswith(('numpy', 'pandas'))]))"],
                          capture_output=True, text=True, check=True).stdout
    assert bare.strip() == "0"
