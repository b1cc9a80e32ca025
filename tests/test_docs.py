"""docs/ODD.md stays true to the code.

The generated blocks (parameters, anchored parameters, the count of assumptions, events, outcomes)
must equal what pe_sim.docs produces from the code now, and the prose must mention, as code, every
parameter, rule (each compiled function of rules.py and backlog.py, shown called), outcome, event
kind, random draw and state variable of the kernel. A code change that is not reflected in the ODD
fails here; the fix is `python -m pe_sim.docs --write` plus a prose update.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pe_sim import docs
from pe_sim.core import backlog, kernel, rng, rules
from pe_sim.params import PARAMS, is_assumption

FIX = docs.FIX_HINT


@pytest.fixture(scope="module")
def odd() -> str:
    assert docs.ODD_PATH.is_file(), f"{docs.ODD_PATH} is missing"
    return docs.ODD_PATH.read_text(encoding="utf-8")


def test_blocks_are_model_2():
    assert set(docs.BLOCKS) == {"PARAMS", "ANCHORS", "ASSUMPTIONS", "OUTCOMES", "EVENTS"}


@pytest.mark.parametrize("name", list(docs.BLOCKS))
def test_generated_block_is_current(odd, name):
    current = docs.read_block(odd, name)
    assert current is not None, f"docs/ODD.md lacks the <!-- BEGIN {name} --> ... <!-- END {name} --> markers"
    assert current == docs.BLOCKS[name](), f"the {name} block in docs/ODD.md is out of date with the code: {FIX}"


def test_render_is_idempotent(odd):
    assert docs.render(odd) == odd, f"docs/ODD.md differs from its regenerated form: {FIX}"


def test_params_table_covers_every_parameter():
    table = docs.params_markdown()
    rows = [r for r in table.splitlines() if r.startswith("| `")]
    assert len(rows) == len(PARAMS)
    by_name = {r.split("`")[1]: r for r in rows}
    assert set(by_name) == {p.name for p in PARAMS}
    # every row has the seven columns (pipes inside cells are escaped); the last marks assumptions
    assert all(r.replace("\\|", "").count("|") == 8 for r in rows)
    for p in PARAMS:
        assumed = by_name[p.name].rstrip(" |").endswith("| yes")
        assert assumed == is_assumption(p), p.name


def test_anchors_list_every_sourced_parameter():
    table = docs.anchors_markdown()
    for p in PARAMS:
        listed = f"| `{p.name}` |" in table
        assert listed == (bool(p.source) and not is_assumption(p)), p.name


def test_assumption_count_is_from_the_code():
    n = sum(is_assumption(p) for p in PARAMS)
    assert 0 < n < len(PARAMS)
    assert f" {n} numeric parameters rest on assumption" in docs.assumptions_markdown()


@pytest.mark.parametrize("kind", list(docs.required_names()))
def test_prose_mentions_every_name(odd, kind):
    missing = docs.missing_names(odd).get(kind, [])
    how = "called as `name(...)` in an equation" if kind == "rule" else "as code (`name`)"
    assert not missing, (f"{kind}s missing from the ODD prose ({how}, outside the generated tables): "
                         f"{', '.join(missing)}; {FIX}")


@pytest.mark.parametrize("name", [p.name for p in PARAMS])
def test_prose_mentions_every_parameter(odd, name):
    assert name not in docs.missing_names(odd).get("parameter", []), \
        f"parameter `{name}` is in the table but not in the ODD prose; {FIX}"


def test_required_names_are_model_2():
    req = docs.required_names()
    assert set(req) == {"parameter", "rule", "outcome", "event kind", "random draw", "state variable"}
    assert req["state variable"] == list(kernel.TEAM_STATE) + list(kernel.ENGINEER_STATE)
    assert req["random draw"] == [d.name for d in rng.Draw]
    assert req["outcome"] == list(kernel.OUTCOME_ORDER)


def test_rule_list_is_every_compiled_function_of_rules_and_backlog():
    names = docs.rule_names()
    for module in (rules, backlog):
        compiled = [n for n, o in vars(module).items()
                    if not n.startswith("_") and hasattr(o, "py_func") and o.py_func.__module__ == module.__name__]
        assert compiled, module.__name__
        assert set(compiled) <= set(names)
    for expected in ("debt_drag", "burnout_next", "trust_next", "clip01", "pm_utility", "select", "discover"):
        assert expected in names
    # imports are not rules of the importing module, and Python helpers are not rules
    assert "jit" not in names and "P" not in names and "normal" not in names


def test_check_command_passes():
    assert docs.main(["--check"]) == 0, FIX


def test_detects_drift(odd):
    stale = odd.replace("| `velocity` |", "| `velocity_old` |", 1)
    assert "OUTCOMES" in docs.stale_blocks(stale)
    unmentioned = odd.replace("debt_drag(", "debt drag (")
    assert "debt_drag" in docs.missing_names(unmentioned).get("rule", [])
    no_select = re.sub(r"\bselect\(", "pick(", odd)
    assert "select" in docs.missing_names(no_select).get("rule", [])
    no_param = re.sub(r"\bloyalty\b", "loyal", odd)
    assert "loyalty" in docs.missing_names(no_param).get("parameter", [])
    no_state = re.sub(r"\bescalation_work\b", "escalation work", odd)
    assert "escalation_work" in docs.missing_names(no_state).get("state variable", [])


def test_inline_code_may_wrap_but_not_across_paragraphs():
    wrapped = "a rule `x = debt_drag(p,\ndebt)` here"
    assert "debt_drag" in docs._code(wrapped)
    broken = "an unclosed `debt_drag(p,\n\ndebt) and a later `y`"
    assert "debt_drag" not in docs._code(broken)


def test_the_readme_lists_every_event_kind():
    from pathlib import Path

    from pe_sim.events import EVENT_KINDS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    listed = re.sub(r"\([^)]*\)", "", re.search(r"Event kinds: (.*?)\.\s", readme, re.S).group(1))  # not the notes
    assert set(re.findall(r"`(\w+)`", listed)) == set(EVENT_KINDS)


def test_the_readmes_copy_of_cadence_grid_is_the_shipped_file():
    """The README showed an older cadence_grid.toml (no description, two outcomes fewer)."""
    import re
    import tomllib

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = re.search(r"`cadence_grid\.toml` reads:\n\n```toml\n(.*?)```", readme, re.S)
    assert block, "README no longer shows cadence_grid.toml"
    shipped = (root / "pe_sim" / "sweep_configs" / "cadence_grid.toml").read_text(encoding="utf-8")
    assert tomllib.loads(block.group(1)) == tomllib.loads(shipped)
