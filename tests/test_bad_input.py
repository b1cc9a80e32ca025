"""Generated malformed configs: every one gets one clear line naming the file and key, exit 2, no traceback.

A seeded generator writes scenario and sweep TOML files with wrong types, non-finite and
out-of-range numbers, malformed events, names that cannot be file names and absurd nesting; each
goes through `pe-sim validate` or `pe-sim sweep --dry-run` in process.
"""

from __future__ import annotations

import random

import pytest

from pe_sim.cli import main
from pe_sim.params import PARAMS

RNG = random.Random(20261122)
NUMERIC = [p.name for p in PARAMS if p.kind in ("float", "int")]
BAD_NUMBERS = ["nan", "inf", "-inf", "1e400", '"ten"', "[1]", "{ a = 1 }", "true", "-1e9", "1e9"]


def _scenarios() -> list[tuple[str, str, str]]:
    """(label, TOML text, the key the error must name)."""
    out = []
    for bad in BAD_NUMBERS:
        for name in RNG.sample(NUMERIC, 3):
            out.append((f"{name}={bad}", f"[params]\n{name} = {bad}\n", f"params.{name}"))
    for kind in ['["deadline_crunch"]', "{ a = 1 }", "3", '"meteor_strike"']:
        out.append((f"kind {kind}", f"[[events]]\nkind = {kind}\nsprint = 3\n", "events[0].kind"))
    out.append(("no kind", "[[events]]\nsprint = 3\n", "events[0].kind"))
    for field, value in [("sprint", "1.5"), ("sprint", "-2"), ("sprint", '"soon"'), ("duration", "0"),
                         ("magnitude", "nan"), ("magnitude", "[1]")]:
        base = "" if field == "sprint" else "sprint = 3\n"
        out.append((f"event {field}={value}", f'[[events]]\nkind = "deadline_crunch"\n{base}{field} = {value}\n',
                    f"events[0].{field}"))
    for kind in ("key_engineer_leaves", "hiring_wave"):
        out.append((f"{kind} 2.5", f'[[events]]\nkind = "{kind}"\nsprint = 3\nmagnitude = 2.5\n', "events[0].magnitude"))
    for name in ["a/b", "../../escaped", "/abs", "x\\u0000y", "n" * 300, "cost $\\\\foo{$", ".."]:
        out.append((f"name {name[:12]}", f'[scenario]\nname = "{name}"\n', "scenario.name"))
    out.append(("huge integer", "[params]\nn_engineers = 1" + "0" * 400 + "\n", "params.n_engineers"))
    out.append(("huge hex integer", "[run]\nseed = 0x" + "f" * 5000 + "\n", "run.seed"))
    out.append(("huge hex kind", "[[events]]\nsprint = 3\nkind = 0x" + "f" * 5000 + "\n", "events[0].kind"))
    out.append(("huge hex choice", "[params]\nroadmap_mode = 0x" + "f" * 5000 + "\n", "params.roadmap_mode"))
    out.append(("integer too long to read", "[run]\nseed = 1" + "0" * 5000 + "\n", "file"))
    out.append(("deep", "a = " + "[" * 3000 + "]" * 3000 + "\n", "file"))
    out.append(("deep table", "[params]\nx = " + "{ a = " * 2000 + "1" + " }" * 2000 + "\n", "file"))
    for table, value in [("params", "3"), ("events", "{ kind = 1 }"), ("scenario", "[1]"), ("run", '"fast"')]:
        out.append((f"{table} as {value}", f"{table} = {value}\n", table))
    return out


def _sweeps() -> list[tuple[str, str, str]]:
    head = '[sweep]\nbase = "one_roadmap"\n'
    cases = [
        ("outcomes nested", head + 'design = "grid"\noutcomes = [["velocity"]]\n[vary]\npressure = [0.1, 0.2]\n', "sweep.outcomes[0]"),
        ("outcomes number", head + 'design = "grid"\noutcomes = 3\n[vary]\npressure = [0.1, 0.2]\n', "sweep.outcomes"),
        ("dist list", head + 'design = "lhs"\npoints = 4\n[vary]\npressure = { dist = ["normal"], mean = 0.4, sd = 0.1 }\n', "vary.pressure.dist"),
        ("design list", head + 'design = ["grid"]\n[vary]\npressure = [0.1, 0.2]\n', "sweep.design"),
        ("replicates float", head + 'design = "grid"\nreplicates = 2.5\n[vary]\npressure = [0.1, 0.2]\n', "sweep.replicates"),
        ("value nan", head + 'design = "grid"\n[vary]\npressure = [nan, 0.2]\n', "vary.pressure"),
        ("range inf", head + 'design = "lhs"\npoints = 4\n[vary]\npressure = { low = 0.0, high = inf }\n', "vary.pressure"),
        ("name escapes", '[sweep]\nname = "../../escaped"\nbase = "one_roadmap"\ndesign = "grid"\n[vary]\npressure = [0.1]\n',
         "sweep.name"),
    ]
    return cases


@pytest.mark.parametrize("label,text,key", _scenarios(), ids=lambda x: x if isinstance(x, str) and len(x) < 40 else None)
def test_malformed_scenario_gets_one_clear_line(tmp_path, capsys, label, text, key):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    assert main(["validate", str(f)]) == 2
    said = capsys.readouterr()
    lines = [line for line in (said.out + said.err).splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in lines[0]
    assert str(f) in lines[0] and key in lines[0], lines[0]


@pytest.mark.parametrize("label,text,key", _sweeps(), ids=[c[0] for c in _sweeps()])
def test_malformed_sweep_gets_one_clear_line(tmp_path, capsys, label, text, key):
    f = tmp_path / "bad_sweep.toml"
    f.write_text(text, encoding="utf-8")
    assert main(["sweep", str(f), "--dry-run"]) == 2
    said = capsys.readouterr()
    assert "Traceback" not in said.out + said.err
    assert str(f) in said.err and key in said.err, said.err


def test_weights_that_share_one_may_not_add_up_to_more(tmp_path):
    """feeling_valued, growth and estimation_next weigh one term by 1 minus the others' sum: a sum
    above 1 would turn that term's sign (pressure making people feel more valued)."""
    from pe_sim.config import ConfigError, default, from_dict
    from pe_sim.sweeps import sweep_from_dict

    with pytest.raises(ConfigError, match=r"valued_w_respect 0.6 \+ valued_w_involvement 0.6 \+ valued_w_heard 0.15 = 1.35 "
                                          r"is above 1"):
        from_dict({"params": {"valued_w_respect": 0.6, "valued_w_involvement": 0.6}}, "s.toml")
    with pytest.raises(ConfigError, match="growth_w_tech"):
        default().with_params(growth_w_tech=0.9)
    assert default().with_params(growth_w_tech=0.6).params["growth_w_tech"] == 0.6  # 0.6 + 0.2 + 0.2 = 1 is fine
    sweep = {"sweep": {"name": "w", "base": "split_backlogs", "design": "grid", "replicates": 1, "sprints": 4},
             "vary": {"estimation_w_alignment": {"low": 0.0, "high": 0.7, "steps": 3}}}
    with pytest.raises(ConfigError, match="at the top of the varied ranges is above 1") as e:
        sweep_from_dict(sweep, "w.toml")
    assert str(e.value).startswith("w.toml: vary.estimation_base: ")
    sweep["vary"]["estimation_w_alignment"]["high"] = 0.5
    assert sweep_from_dict(sweep, "w.toml").factors
