"""The subcommands of `pe-sim`; each module's ``register(sub)`` adds its parsers."""

from __future__ import annotations

import argparse
from pathlib import Path

from pe_sim import config as cfg

ENGINES = ("core", "mesa")  # pe_sim.runner.ENGINES, named here so `--help` need not load the engines


def int_in(lo: int, hi: int):
    """argparse type: an integer in [lo, hi], with a message that says what was expected."""
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v} is out of range; expected an integer in [{lo}, {hi}]")
        return v
    return parse


def path_text(text: str) -> str:
    """argparse type: a path as text, never an empty string (``Path("")`` is the current folder,
    which a slip of the shell such as ``--out "$UNSET"`` should not silently mean)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; expected a path")
    return text


def path_arg(text: str) -> Path:
    """argparse type: a non-empty path (:func:`path_text`) as a Path."""
    return Path(path_text(text))


def add_run_options(p: argparse.ArgumentParser) -> None:
    """--runs, --sprints, --seed and --engine, shared by every command that runs configs."""
    p.add_argument("--runs", type=int_in(*cfg.RUN_LIMITS["runs"]), help="replicates per config (default: the first config's, 200)")
    p.add_argument("--sprints", type=int_in(*cfg.RUN_LIMITS["sprints"]), help="sprints per run (default: the first config's, 52)")
    p.add_argument("--seed", type=int_in(*cfg.RUN_LIMITS["seed"]), help="root seed (default: the first config's)")
    p.add_argument("--engine", choices=ENGINES, default="core", help="the compiled kernel (fast) or the Mesa agents")


FEW_RUNS = 10  # below this, a t-interval's multiplier is large (2.26 at 10 runs, 12.7 at 2): intervals are rough


def warn_few_runs(runs: int) -> None:
    """One line on stderr when so few runs make the confidence intervals too wide to read (they can
    reach below zero for counts that cannot)."""
    import sys

    if runs < FEW_RUNS:
        print(f"pe-sim: warning: with {runs} run{'s' if runs != 1 else ''} per config the 95% intervals are rough and "
              f"very wide (even below zero for counts); use --runs {FEW_RUNS * 5} or more for numbers to show",
              file=sys.stderr)
