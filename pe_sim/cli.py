"""The `pe-sim` command line.

Each subcommand lives in a module under :mod:`pe_sim.commands` with a ``register(sub)``
function that adds its parser and sets ``func`` (args -> exit code). Input errors
(:class:`~pe_sim.config.ConfigError`, :class:`UsageError`) print one clear line and exit 2.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from concurrent.futures import BrokenExecutor

from pe_sim import __version__
from pe_sim.config import ConfigError
from pe_sim.files import COMMAND_LINE

COMMANDS = (
    "pe_sim.commands.run",
    "pe_sim.commands.info",
    "pe_sim.commands.sweep",
    "pe_sim.commands.dashboard",
    "pe_sim.commands.calibrate",
    "pe_sim.commands.forecast",
)

SIMULATING = frozenset({"run", "sweep", "compare", "sensitivity", "dashboard", "report", "calibrate", "forecast"})


# What an interrupt leaves, by command (sweep and calibrate say how to resume themselves).
INTERRUPTED_ANY = "no file was left half-written"
INTERRUPTED = {
    "run": "no file was left half-written; an earlier run in the output folder is kept as it was",
    "report": "the report was not written; a file already there is kept as it was",
    "compare": "no file was left half-written",
    "sensitivity": "the runs finished so far are kept in its folder; the same command resumes from them",
    "forecast": "the forecast was not written; an earlier forecast in the output folder is kept as it was",
}


# A local worker process that died (killed, or by the kernel for memory) breaks its pool.
WORKER_LOST = "a worker process stopped unexpectedly (killed, or out of memory)"


class UsageError(Exception):
    """A bad command-line value; the message says what was expected."""


class Parser(argparse.ArgumentParser):
    """argparse's parser, with a bad option said in one line (not the usage block first), exit 2.

    Options are not abbreviated: ``compare --out DIR`` would otherwise be read as ``--outcomes DIR``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (`{self.prog} --help` lists the options)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="pe-sim",
        description="Agent-based simulation of how product managers, engineering managers and engineers work together.",
    )
    parser.add_argument("--version", action="version", version=f"pe-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    parser.commands = sub.choices  # each command's own parser, for errors that name its --help
    return parser


def _say_compiling() -> None:
    from tqdm import tqdm  # its write() keeps a progress bar that is already showing intact

    tqdm.write("pe-sim: compiling the model for this machine (once after an install or update, about 20 s) ...",
               file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    said_as = COMMAND_LINE.set(True)
    try:
        return _main(argv)
    finally:
        COMMAND_LINE.reset(said_as)  # a Python caller of main() gets its own words back after


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # said by the command's own parser, so that its --help is the one named
        (parser.commands.get(args.command) or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        if args.command in SIMULATING and not getattr(args, "quiet", False):
            from pe_sim.compiling import notice_compiling  # said when the compiler starts: after input checks

            with notice_compiling(_say_compiling):
                return int(args.func(args) or 0)
        return int(args.func(args) or 0)
    except (ConfigError, UsageError) as exc:
        print(f"pe-sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        said = INTERRUPTED.get(args.command, INTERRUPTED_ANY)
        if args.command == "sensitivity" and getattr(args, "overwrite", False):
            said = said.replace("the same command resumes", "the same command without --overwrite resumes")
        print(f"pe-sim: interrupted; {said}", file=sys.stderr)
        return 130
    except MemoryError:  # a design or batch larger than this machine holds (numpy says so with a traceback)
        print("pe-sim: error: not enough memory for this work; make it smaller (fewer design points, runs or "
              "sprints; keep = \"summary\" in a sweep) or use a machine with more memory", file=sys.stderr)
        return 2
    except BrokenExecutor:  # a local pool with a dead worker (BrokenProcessPool)
        print(f"pe-sim: error: {WORKER_LOST}; {INTERRUPTED.get(args.command, INTERRUPTED_ANY)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `pe-sim params | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:  # a path that cannot be made or written (no permission, a file where a folder should be)
        if exc.filename is None:
            raise
        from pe_sim.config import shown

        where = shown(f"{exc.filename}" + (f" -> {exc.filename2}" if exc.filename2 else ""))
        if exc.errno == errno.ENAMETOOLONG:  # reading or writing: no folder choice helps, a shorter name does
            print(f"pe-sim: error: {where[:80]}{'...' if len(where) > 80 else ''}: {exc.strerror}; use a shorter name",
                  file=sys.stderr)
        else:
            print(f"pe-sim: error: {where}: {exc.strerror or exc}; choose a folder you can write to", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
