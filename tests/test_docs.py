"""docs/ODD.md stays true to the code.

The generated tables (parameters, constants, initial levels, events, outcomes) must equal what
pe_sim.docs produces from the code now, and the prose must mention, as code, every parameter, rule
function, constant, outcome, event kind, random draw and state variable. A code change that is not
reflected in the ODD fails here; the fix is `python -m pe_sim.docs --write` plus a prose update.
"""

from __future__ import annotations

import pytest

from pe_sim import docs

FIX = docs.FIX_HINT


@pytest.fixture(scope="module")
def odd() -> str:
    assert docs.ODD_PATH.is_file(), f"{docs.ODD_PATH} is missing"
    return docs.ODD_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(docs.BLOCKS))
def test_generated_block_is_current(odd, name):
    current = docs.read_block(odd, name)
    assert current is not None, f"docs/ODD.md lacks the <!-- BEGIN {name} --> ... <!-- END {name} --> markers"
    assert current == docs.BLOCKS[name](), f"the {name} table in docs/ODD.md is out of date with the code: {FIX}"


def test_render_is_idempotent(odd):
    assert docs.render(odd) == odd, f"docs/ODD.md differs from its regenerated form: {FIX}"


def test_params_table_covers_every_parameter():
    from pe_sim.params import PARAMS

    table = docs.params_markdown()
    for p in PARAMS:
        assert f"| `{p.name}` |" in table
    # every row has the six columns (pipes inside cells are escaped)
    rows = [r for r in table.splitlines() if r.startswith("| `")]
    assert len(rows) == len(PARAMS)
    assert all(r.replace("\\|", "").count("|") == 7 for r in rows)


@pytest.mark.parametrize("kind", list(docs.required_names()))
def test_prose_mentions_every_name(odd, kind):
    missing = docs.missing_names(odd).get(kind, [])
    how = "called as `name(...)` in an equation" if kind == "rule" else "as code (`name`)"
    assert not missing, (f"{kind}s missing from the ODD prose ({how}, outside the generated tables): "
                         f"{', '.join(missing)}; {FIX}")


def test_rule_list_is_the_rules_module():
    names = docs.rule_names()
    assert "debt_drag" in names and "burnout_next" in names and "trust_next" in names
    assert "c" not in names  # a constants lookup, not a rule


def test_check_command_passes():
    assert docs.main(["--check"]) == 0, FIX


def test_detects_drift(odd):
    stale = odd.replace("| `velocity` |", "| `velocity_old` |", 1)
    assert "OUTCOMES" in docs.stale_blocks(stale)
    unmentioned = odd.replace("debt_drag(", "debt drag (")
    assert "debt_drag" in docs.missing_names(unmentioned).get("rule", [])
