"""Generated parts of docs/ODD.md, so the ODD cannot drift from the code.

The ODD holds blocks between marker comments, e.g.::

    <!-- BEGIN PARAMS -->
    ...generated table...
    <!-- END PARAMS -->

``python -m pe_sim.docs --write`` regenerates every block in place; ``--check`` exits 1 if a
block is stale or the prose misses a name (parameter, rule, outcome, event, draw, state
variable); with no option the blocks are printed. ``tests/test_docs.py`` runs the same checks.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import sys
from pathlib import Path
from typing import Callable

from pe_sim.core import engine, rng, rules
from pe_sim.events import EVENT_KINDS
from pe_sim.params import GROUPS, PARAMS, Param

ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
FIX_HINT = "run `python -m pe_sim.docs --write` and update the prose of docs/ODD.md"

# Public functions in rules.py that are helpers, not model rules.
NON_RULES = frozenset({"c"})


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


def params_markdown() -> str:
    """Every parameter, one table per group: name | unit | default | range | meaning | source."""
    out: list[str] = []
    for group in GROUPS:
        rows = [p for p in PARAMS if p.group == group]
        out.append(f"**{group}** ({len(rows)} parameters)")
        out.append("")
        out.append("| name | unit | default | range | meaning | source |")
        out.append("|---|---|---|---|---|---|")
        for p in rows:
            out.append(f"| `{p.name}` | {_cell(p.unit)} | {_cell(_value(p.default))} | {_cell(_range(p))} "
                       f"| {_cell(p.meaning)} | {_cell(p.source)} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def constants_markdown() -> str:
    """The fixed structural constants of rules.CONSTANTS: name | value | meaning."""
    out = ["| constant | value | meaning |", "|---|---|---|"]
    for name, (value, meaning) in rules.CONSTANTS.items():
        out.append(f"| `{name}` | {_value(value)} | {_cell(meaning)} |")
    return "\n".join(out) + "\n"


def outcomes_markdown() -> str:
    """The per-sprint outcomes of engine.OUTCOMES: outcome | meaning."""
    out = ["| outcome | meaning |", "|---|---|"]
    for name, meaning in engine.OUTCOMES.items():
        out.append(f"| `{name}` | {_cell(meaning)} |")
    return "\n".join(out) + "\n"


def initial_markdown() -> str:
    """Starting levels of team state that are not user parameters (engine.INITIAL)."""
    out = ["| state | initial value |", "|---|---|"]
    for name, value in engine.INITIAL.items():
        out.append(f"| `{name}` | {_value(value)} |")
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
    "CONSTANTS": constants_markdown,
    "OUTCOMES": outcomes_markdown,
    "INITIAL": initial_markdown,
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

def rule_names() -> list[str]:
    """Public functions defined in rules.py that are model rules."""
    return sorted(name for name, f in inspect.getmembers(rules, inspect.isfunction)
                  if f.__module__ == rules.__name__ and not name.startswith("_") and name not in NON_RULES)


def _prose(text: str) -> str:
    """``text`` without the generated blocks."""
    for name in BLOCKS:
        text = _block_re(name).sub("", text)
    return text


def _code(text: str) -> str:
    """Everything written as code: fenced blocks and inline code spans."""
    fenced = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    rest = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    inline = re.findall(r"`([^`\n]+)`", rest)
    return "\n".join(fenced + inline)


def required_names() -> dict[str, list[str]]:
    """Names the ODD's prose (outside generated blocks) must mention as code, by kind."""
    return {
        "parameter": [p.name for p in PARAMS],
        "rule": rule_names(),
        "constant": list(rules.CONSTANTS),
        "outcome": list(engine.OUTCOMES),
        "event kind": list(EVENT_KINDS),
        "random draw": [k for k in vars(rng.Draw) if k.isupper()],
        "state variable": [f.name for f in dataclasses.fields(engine.State)],
        "initial level": list(engine.INITIAL),
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
