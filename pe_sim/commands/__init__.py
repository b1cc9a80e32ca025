"""The subcommands of `pe-sim`; each module's ``register(sub)`` adds its parsers."""

from __future__ import annotations

import argparse

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


def add_run_options(p: argparse.ArgumentParser) -> None:
    """--runs, --sprints, --seed and --engine, shared by every command that runs configs."""
    p.add_argument("--runs", type=int_in(*cfg.RUN_LIMITS["runs"]), help="replicates per config (default: the first config's, 200)")
    p.add_argument("--sprints", type=int_in(*cfg.RUN_LIMITS["sprints"]), help="sprints per run (default: the first config's, 52)")
    p.add_argument("--seed", type=int_in(*cfg.RUN_LIMITS["seed"]), help="root seed (default: the first config's)")
    p.add_argument("--engine", choices=ENGINES, default="core", help="the compiled kernel (fast) or the Mesa agents")
