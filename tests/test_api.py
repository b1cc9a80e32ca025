"""The notebook API: pe_sim.sweep / compare / sensitivity, imported lazily."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import types

import numpy as np
import pandas as pd
import pytest

import pe_sim
from pe_sim.config import ConfigError


def test_top_level_functions_work_on_tiny_inputs(tmp_path):
    assert pe_sim.__version__ == "0.1.0"
    assert all(callable(getattr(pe_sim, f)) for f in ("sweep", "compare", "sensitivity"))
    sweeps = importlib.import_module("pe_sim.sweeps")  # the package; no clash with the function pe_sim.sweep
    assert isinstance(sweeps, types.ModuleType) and pe_sim.sweeps is sweeps and pe_sim.sweep is sweeps.sweep

    df = pe_sim.sweep({"sweep": {"base": "crunch", "replicates": 2, "sprints": 3}, "vary": {"pressure": [0.2, 0.8]}},
                      out=tmp_path / "s", workers=1, progress=False)
    assert isinstance(df, pd.DataFrame) and list(df["run"]) == [0, 1, 2, 3] and "customer_value_total" in df

    res = pe_sim.compare(["one_roadmap", "split_backlogs"], runs=4, sprints=3, seed=1, resamples=100, workers=1)
    assert isinstance(res.summary, pd.DataFrame) and set(res.summary["setup"]) == {"split_backlogs"}
    assert isinstance(res.table(), str)

    t = pe_sim.sensitivity({"sweep": {"base": "crunch", "design": "saltelli", "points": 4, "replicates": 1,
                                      "sprints": 3, "outcomes": ["customer_value"]},
                            "vary": {"pressure": {"low": 0.1, "high": 0.9}, "tech_share": {"low": 0.0, "high": 0.5}}},
                           out=tmp_path / "sens", workers=1, resamples=20, figure=False, progress=False)
    assert isinstance(t, pd.DataFrame) and len(t) == 2 and {"S1", "ST"} <= set(t.columns)


@pytest.mark.parametrize("crn, warned", [(False, True), (True, False)])
def test_sensitivity_without_common_random_numbers_warns_of_inflated_indices(tmp_path, capsys, crn, warned):
    pe_sim.sensitivity({"sweep": {"base": "crunch", "design": "saltelli", "points": 4, "replicates": 2, "crn": crn,
                                  "sprints": 2, "outcomes": ["customer_value"]},
                        "vary": {"pressure": {"low": 0.1, "high": 0.9}}},
                       out=tmp_path / "sens", workers=1, resamples=20, figure=False)
    assert ("noise inflates the indices" in capsys.readouterr().err) is warned


def test_import_pe_sim_and_the_cli_parser_stay_light():
    code = ("import sys, pe_sim, pe_sim.cli; pe_sim.cli.build_parser(); "
            "print(sorted(m for m in ('pe_sim.sweeps', 'pe_sim.analysis', 'pyarrow.parquet', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    bare = subprocess.run([sys.executable, "-c", "import sys, pe_sim; print(len([m for m in sys.modules if m.startswith(('numpy', 'pandas'))]))"],
                          capture_output=True, text=True, check=True).stdout
    assert bare.strip() == "0"


def test_run_one_is_a_plain_model_function_for_ema_workbench():
    # EMA Workbench's Model(name, function=pe_sim.run_one) calls it with keyword arguments (parameters,
    # possibly numpy scalars, plus constants) and reads a dict of scalar outcomes.
    import numpy as np

    from pe_sim import config, runner
    from pe_sim.core.engine import OUTCOMES
    from pe_sim.summary import end_of_run
    from pe_sim.sweeps import summary_name

    out = pe_sim.run_one(scenario="crunch", sprints=8, run=3, pressure=np.float64(0.7), n_engineers=np.int64(5),
                         feedback="sbi")
    assert list(out) == [summary_name(o) for o in OUTCOMES]
    assert all(type(v) is float for v in out.values())
    cfg = config.load("crunch").with_params(pressure=0.7, n_engineers=5, feedback="sbi")
    ref = end_of_run(runner.run(cfg, runs=4, sprints=8, seed=cfg.seed)).set_index("run").loc[3]
    assert all(np.isclose(out[summary_name(o)], ref[o]) for o in OUTCOMES)  # run 3 of `pe-sim run`
    assert pe_sim.run_one(scenario="crunch", sprints=8, run=3, pressure=0.7, n_engineers=5, feedback="sbi") == out
    assert pe_sim.run_one(scenario="crunch", sprints=8, run=4, pressure=0.7, n_engineers=5, feedback="sbi") != out


def test_the_python_api_checks_run_settings_and_outcomes():
    """run_one, runner.run and compare refuse what a config's [run] table would (sprints=0 ran the
    config's 52, run=-1 wrapped around, an unknown outcome was a bare KeyError)."""
    from pe_sim import runner
    from pe_sim.config import ConfigError, load

    for kwargs, words in (({"sprints": 0}, "sprints: 0 is not valid; expected an integer in [1, 1000]"),
                          ({"sprints": 5000}, "sprints: 5000 is not valid"),
                          ({"run": -1}, "run: -1 is not valid"),
                          ({"seed": -2}, "seed: -2 is not valid"),
                          ({"outcomes": ["foo"]}, "outcomes[0]: unknown outcome 'foo'"),
                          ({"outcomes": ["velocity", "velocity"]}, "lists 'velocity' twice")):
        with pytest.raises(ConfigError, match=re.escape(words)):
            pe_sim.run_one("crunch", **kwargs)
    assert pe_sim.run_one("crunch", sprints=3, run=np.int64(2), outcomes=["velocity"]) == \
        pe_sim.run_one("crunch", sprints=3, run=2, outcomes=["velocity"])
    c = load("crunch")
    for kwargs, words in (({"runs": 0, "sprints": 3}, "runs: 0 is not valid"),
                          ({"runs": 2, "sprints": 0}, "sprints: 0 is not valid"),
                          ({"runs": 2, "sprints": -3}, "sprints: -3 is not valid")):
        with pytest.raises(ConfigError, match=re.escape(words)):
            runner.run(c, seed=1, **kwargs)
    with pytest.raises(ConfigError, match="lists 'velocity' twice"):
        pe_sim.compare(["crunch", "one_roadmap"], runs=4, sprints=3, outcomes=["velocity", "velocity"], workers=1)
    for kwargs, words in (({"sprints": 0}, "sprints: 0 is not valid"), ({"runs": 0}, "runs: 0 is not valid"),
                          ({"seed": -1}, "seed: -1 is not valid"), ({"sprints": 2.5}, "sprints: 2.5 is not valid")):
        with pytest.raises(ConfigError, match=re.escape(words)):
            pe_sim.compare(["crunch", "one_roadmap"], **{"runs": 4, "sprints": 3, **kwargs}, workers=1)
    with pytest.raises(ConfigError, match="resamples: 1 is not valid"):
        pe_sim.compare(["crunch", "one_roadmap"], runs=4, sprints=3, resamples=1, workers=1)


@pytest.mark.parametrize("call, words", [
    (lambda: __import__("pe_sim.runner", fromlist=["run"]).run({"params": {}}, 2, 3, 1), "run: config: got a value of type dict; expected a Config"),
    (lambda: __import__("pe_sim.runner", fromlist=["run"]).run("one_roadmap", 2, 3, 1, engine="fast"),
     "run: engine: 'fast' is not an engine"),
    (lambda: pe_sim.compare("one_roadmap", runs=2, sprints=3), "compare: configs: expected a list"),
    (lambda: pe_sim.compare(["one_roadmap", "split_backlogs"], runs=5, sprints=3, confidence=95),
     "compare: confidence: 95 is not valid; expected a number in [0.5, 1)"),
    (lambda: pe_sim.compare(["one_roadmap", "split_backlogs"], runs=5, sprints=3, confidence="0.9"),
     "compare: confidence: '0.9' is not valid"),
    (lambda: pe_sim.compare(["one_roadmap", "split_backlogs"], runs=5, sprints=3, workers="2"),
     "compare: workers: '2' is not valid"),
    (lambda: pe_sim.compare(["one_roadmap", "split_backlogs"], runs=5, sprints=3, workers=0),
     "compare: workers: 0 is not valid"),
    (lambda: __import__('pe_sim.model', fromlist=['TeamModel']).TeamModel(scenario=42), "TeamModel: scenario: got a value of type int"),
    (lambda: __import__('pe_sim.model', fromlist=['TeamModel']).TeamModel(config={"params": {}}), "TeamModel: config: got a value of type dict"),
    (lambda: __import__('pe_sim.model', fromlist=['TeamModel']).TeamModel(n_sprints="x"), "TeamModel: n_sprints: 'x' is not valid"),
    (lambda: __import__('pe_sim.model', fromlist=['TeamModel']).TeamModel(n_sprints=-1), "TeamModel: n_sprints: -1 is not valid; expected an integer in [0, 1000]"),
    (lambda: __import__('pe_sim.model', fromlist=['TeamModel']).TeamModel(run=-1), "TeamModel: run: -1 is not valid"),
])
def test_the_python_api_names_a_bad_argument(call, words):
    """These were deep tracebacks (AttributeError, TypeError from pathlib or a comparison), a config
    made of a name's letters, NaN intervals, or silently accepted."""
    with pytest.raises(ConfigError) as e:
        call()
    assert words in str(e.value), str(e.value)


def test_sensitivity_takes_one_outcome_as_a_name_and_checks_points(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[sweep]\nbase = 'split_backlogs'\nreplicates = 1\nsprints = 3\noutcomes = ['tech_debt']\n"
                 "[vary]\npressure = { low = 0.1, high = 0.9 }\n[sensitivity]\nresamples = 100\n")
    with pytest.raises(ConfigError, match="sensitivity: points: '4' is not valid"):
        pe_sim.sensitivity(str(f), points="4", out=tmp_path / "o", workers=1, progress=False, figure=False)
    t = pe_sim.sensitivity(str(f), points=4, outcomes="tech_debt", out=tmp_path / "o", workers=1, progress=False,
                           figure=False)
    assert set(t["outcome"]) == {"tech_debt"}
