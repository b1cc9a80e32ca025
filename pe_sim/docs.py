"""Generated parts of docs/ODD.md, so the ODD cannot drift from the code.

The ODD holds blocks between marker comments, e.g.::

    <!-- BEGIN PARAMS -->
    ...generated table...
    <!-- END PARAMS -->

``python -m pe_sim.docs --write`` regenerates every block in place; ``--check`` exits 1 if a
block is stale or the prose misses a name (parameter, rule, outcome, event kind, random draw,
state variable); with no option the blocks are printed. ``tests/test_docs.py`` runs the same checks.

Rules are the public compiled functions (numba dispatchers) of :mod:`pe_sim.core.rules` and
:mod:`pe_sim.core.backlog`; the prose must show each one called, as ``name(...)``. State variables
are :data:`pe_sim.core.kernel.TEAM_STATE` and :data:`pe_sim.core.kernel.ENGINEER_STATE`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Callable

from types import ModuleType

from pe_sim.core import backlog, engine, kernel, rng, rules
from pe_sim.events import EVENT_KINDS
from pe_sim.params import GROUPS, PARAMS, Param, is_assumption

ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
FIX_HINT = "run `python -m pe_sim.docs --write` and update the prose of docs/ODD.md"

# Modules whose public compiled functions are the model's rules (all must appear called in the prose).
RULE_MODULES: tuple[ModuleType, ...] = (rules, backlog)


def _cell(text: object) -> str:
    """Text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f"`{v}`"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _range(p: Param) -> str:
    if p.kind == "choice":
        return ", ".join(f"`{c}`" for c in p.choices)
    if p.kind == "bool":
        return "true, false"
    return f"[{p.lo:g}, {p.hi:g}]"


def param_cells(p: Param) -> list[str]:
    """A parameter's markdown cells: name, unit, default, range, meaning, source (pipes escaped, TOML spellings)."""
    return [f"`{p.name}`", _cell(p.unit), _cell(_value(p.default)), _cell(_range(p)), _cell(p.meaning), _cell(p.source)]


def params_markdown() -> str:
    """Every parameter, one table per group: name | unit | default | range | meaning | source | assumed
    (``yes`` when :func:`pe_sim.params.is_assumption`: no publication anchors the value)."""
    out: list[str] = []
    for group in GROUPS:
        rows = [p for p in PARAMS if p.group == group]
        out.append(f"**{group}** ({len(rows)} parameters)")
        out.append("")
        out.append("| name | unit | default | range | meaning | source | assumed |")
        out.append("|---|---|---|---|---|---|---|")
        for p in rows:
            out.append("| " + " | ".join(param_cells(p) + ["yes" if is_assumption(p) else ""]) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def anchored_params() -> list[Param]:
    """Parameters whose value cites a source other than "assumption" (choices and switches have none)."""
    return [p for p in PARAMS if p.source and not is_assumption(p)]


def anchors_markdown() -> str:
    """Every parameter whose source is not an assumption: name | group | source."""
    out = ["| parameter | group | source |", "|---|---|---|"]
    for p in anchored_params():
        out.append(f"| `{p.name}` | {_cell(p.group)} | {_cell(p.source)} |")
    return "\n".join(out) + "\n"


def assumptions_markdown() -> str:
    """One sentence counting the parameters whose value is an assumption."""
    n_num = sum(p.kind in ("float", "int") for p in PARAMS)
    n_assumed = sum(is_assumption(p) for p in PARAMS)
    n_anchored = len(anchored_params())
    n_choice = len(PARAMS) - n_num
    return (f"Of the {len(PARAMS)} parameters, {n_assumed} numeric parameters rest on assumption "
            f"(`is_assumption`), {n_anchored} cite a source (§6.2) and {n_choice} are practices "
            f"chosen by the user (choices and switches, no source needed).\n")


def outcomes_markdown() -> str:
    """The per-sprint outcomes of engine.OUTCOMES: outcome | meaning."""
    out = ["| outcome | meaning |", "|---|---|"]
    for name, meaning in engine.OUTCOMES.items():
        out.append(f"| `{name}` | {_cell(meaning)} |")
    return "\n".join(out) + "\n"


def events_markdown() -> str:
    """Event kinds of events.EVENT_KINDS: kind | default magnitude | default duration | range | magnitude."""
    out = ["| kind | default magnitude | default duration (sprints) | magnitude range | magnitude means |",
           "|---|---|---|---|---|"]
    for k in EVENT_KINDS.values():
        out.append(f"| `{k.name}` | {k.magnitude:g} | {k.duration} | [{k.lo:g}, {k.hi:g}] | {_cell(k.magnitude_meaning)} |")
    return "\n".join(out) + "\n"


BLOCKS: dict[str, Callable[[], str]] = {
    "PARAMS": params_markdown,
    "ANCHORS": anchors_markdown,
    "ASSUMPTIONS": assumptions_markdown,
    "OUTCOMES": outcomes_markdown,
    "EVENTS": events_markdown,
}


def _block_re(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- BEGIN {name} -->\n)(.*?)(<!-- END {name} -->)", re.S)


def read_block(text: str, name: str) -> str | None:
    """The current content of a generated block in ``text`` (None if its markers are missing)."""
    m = _block_re(name).search(text)
    return None if m is None else m.group(2)


def render(text: str) -> str:
    """``text`` with every generated block replaced by what the code gives now."""
    for name, make in BLOCKS.items():
        pattern = _block_re(name)
        if not pattern.search(text):
            raise ValueError(f"docs/ODD.md has no <!-- BEGIN {name} --> ... <!-- END {name} --> block")
        text = pattern.sub(lambda m, body=make(): m.group(1) + body + m.group(3), text, count=1)
    return text


def stale_blocks(text: str) -> list[str]:
    """Names of blocks whose content differs from what the code gives now."""
    return [name for name, make in BLOCKS.items() if read_block(text, name) != make()]


# --- names the prose must mention ---------------------------------------------------------------

def _is_compiled(obj: object) -> bool:
    """A numba dispatcher (what ``@jit`` returns): it keeps the Python source as ``py_func``."""
    return callable(obj) and hasattr(obj, "py_func")


def rule_names() -> list[str]:
    """Public compiled functions defined in rules.py and backlog.py: every one is a model rule."""
    names: set[str] = set()
    for module in RULE_MODULES:
        for name, obj in vars(module).items():
            if name.startswith("_") or not _is_compiled(obj):
                continue
            if getattr(obj.py_func, "__module__", None) == module.__name__:  # defined here, not imported
                names.add(name)
    return sorted(names)


def state_names() -> list[str]:
    """The state variables carried from sprint to sprint: the team's, then each engineer's."""
    return list(kernel.TEAM_STATE) + list(kernel.ENGINEER_STATE)


def _prose(text: str) -> str:
    """``text`` without the generated blocks."""
    for name in BLOCKS:
        text = _block_re(name).sub("", text)
    return text


def _code(text: str) -> str:
    """Everything written as code: fenced blocks and inline code spans."""
    fenced = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    rest = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    # An inline code span may wrap onto the next line (as in CommonMark), but not across a blank line.
    inline = re.findall(r"`((?:[^`\n]|\n(?![ \t]*\n))+)`", rest)
    return "\n".join(fenced + inline)


def required_names() -> dict[str, list[str]]:
    """Names the ODD's prose (outside generated blocks) must mention as code, by kind."""
    return {
        "parameter": [p.name for p in PARAMS],
        "rule": rule_names(),
        "outcome": list(engine.OUTCOMES),
        "event kind": list(EVENT_KINDS),
        "random draw": [d.name for d in rng.Draw],
        "state variable": state_names(),
    }


def missing_names(text: str) -> dict[str, list[str]]:
    """Names not mentioned in the ODD's prose as code; rules must appear called, as ``name(``."""
    code = _code(_prose(text))
    tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    called = set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", code))
    missing: dict[str, list[str]] = {}
    for kind, names in required_names().items():
        have = called if kind == "rule" else tokens
        gone = [n for n in names if n not in have]
        if gone:
            missing[kind] = gone
    return missing


def problems(text: str) -> list[str]:
    """Everything that makes the ODD untrue to the code, one line each (empty when in sync)."""
    out = [f"generated block {name} is stale" for name in stale_blocks(text)]
    for kind, names in missing_names(text).items():
        out.append(f"{kind}s not mentioned in the ODD prose: {', '.join(names)}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pe_sim.docs", description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="regenerate the blocks in docs/ODD.md in place")
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/ODD.md is out of date with the code")
    ap.add_argument("--path", type=Path, default=ODD_PATH, help="the ODD file (default: docs/ODD.md)")
    args = ap.parse_args(argv)
    if args.write:
        text = args.path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            args.path.write_text(new, encoding="utf-8")
            print(f"updated {args.path}")
        else:
            print(f"{args.path} is up to date")
        missing = missing_names(new)
        for kind, names in missing.items():
            print(f"still to describe in the prose ({kind}s): {', '.join(names)}", file=sys.stderr)
        return 1 if missing else 0
    if args.check:
        found = problems(args.path.read_text(encoding="utf-8"))
        for line in found:
            print(f"{args.path}: {line}", file=sys.stderr)
        if found:
            print(FIX_HINT, file=sys.stderr)
        return 1 if found else 0
    for name, make in BLOCKS.items():
        print(f"<!-- BEGIN {name} -->\n{make()}<!-- END {name} -->\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
