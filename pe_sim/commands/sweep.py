"""`pe-sim sweep`, `pe-sim compare` and `pe-sim sensitivity`."""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import BrokenExecutor
from datetime import datetime
from pathlib import Path

from pe_sim import config as cfg
from pe_sim.cli import WORKER_LOST, UsageError
from pe_sim.commands import int_in, path_text, warn_few_runs
from pe_sim.files import atomic, check_figure_name, distinct_outputs, ready_to_write, refuse_existing
from pe_sim.outcomes import OUTCOMES
from pe_sim.params import unused
from pe_sim.words import counted


_positive = int_in(1, 10**9)


def _outcomes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    if names == ["all"]:
        return list(OUTCOMES)
    if "all" in names:
        raise UsageError("--outcomes: 'all' stands alone (every outcome); otherwise list outcome names")
    if not names:
        raise UsageError("--outcomes: expected a comma-separated list of outcome names")
    from pe_sim.config import ConfigError, check_outcomes

    try:
        return list(check_outcomes("--outcomes", "outcomes", names))
    except ConfigError as exc:
        raise UsageError(f"--outcomes: {exc.problem}") from None


def _add_backend(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=_positive, metavar="N", help="local worker processes (default: all cores)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://host:8786")
    g.add_argument("--scheduler-file", metavar="FILE", help="run on the Dask cluster described by this scheduler file")
    p.add_argument("--chunk-size", type=int_in(1, cfg.MAX_CHUNK), metavar="N", help="runs per chunk (default: automatic)")
    p.add_argument("--no-progress", "--quiet", dest="no_progress", action="store_true", help="no progress bar")


def register(sub) -> None:
    p = sub.add_parser(
        "sweep", help="run a parameter sweep (grid, LHS, Sobol') on local cores or a Dask cluster",
        description="Run the design of SWEEP.toml: chunks of runs on local processes (default: all cores) or a "
                    "Dask cluster, written as Parquet parts to the output directory. Results are bit-identical "
                    "for any worker count, chunk size or backend. After an interruption, --resume computes "
                    "only the missing chunks.")
    p.add_argument("sweep_file", metavar="SWEEP.toml")
    _add_backend(p)
    p.add_argument("--out", metavar="DIR", type=path_text, help="output directory (default: [sweep].out)")
    p.add_argument("--resume", action="store_true", help="finish an interrupted sweep in the output directory")
    p.add_argument("--overwrite", action="store_true", help="discard an existing sweep in the output directory")
    p.add_argument("--dry-run", action="store_true", help="validate and print the plan without running")
    p.set_defaults(func=_sweep)

    c = sub.add_parser(
        "compare", help="compare setups with common random numbers: differences, 95%% CIs, effect sizes, figure",
        description="Run every config with the same seed and run ids (common random numbers) and report each "
                    "setup's difference from the first: mean, bootstrap CI and standardised effect size "
                    "(Cohen's d) of the end-of-run summaries, and the difference over time, with a figure of "
                    "one panel per outcome.")
    c.add_argument("configs", nargs="+", metavar="CONFIG", help="scenario TOMLs or shipped scenario names; the first is the reference")
    c.add_argument("--runs", type=int_in(2, cfg.RUN_LIMITS["runs"][1]), metavar="N",
                   help="paired runs per setup, at least 2 (default: the first config's [run] runs)")
    c.add_argument("--sprints", type=int_in(*cfg.RUN_LIMITS["sprints"]), metavar="S", help="horizon (default: the first config's [run] sprints)")
    c.add_argument("--seed", type=int_in(*cfg.RUN_LIMITS["seed"]), metavar="N", help="root seed (default: the first config's [run] seed)")
    c.add_argument("--outcomes", metavar="A,B,...", help="outcomes to compare (default: a core set; 'all' for every one)")
    c.add_argument("--confidence", type=float, default=0.95, metavar="P", help="confidence level (default 0.95)")
    c.add_argument("--resamples", type=int_in(*cfg.RESAMPLES_LIMITS), default=2000, metavar="N",
                   help=f"bootstrap resamples (default 2000, at least {cfg.MIN_RESAMPLES})")
    c.add_argument("--figure", metavar="PNG", type=path_text, help="figure path (default: results/compare-<configs>-<time>.png, a new "
                                                   "file each time; 'none' to skip)")
    c.add_argument("--csv", metavar="PATH", type=path_text, help="also write the horizon table (and PATH with _over_time for the time course)")
    c.add_argument("--workers", type=_positive, metavar="N", help="local worker processes (default: all cores)")
    c.add_argument("--posterior", metavar="CALIBRATION", type=path_text,
                   help="a `pe-sim calibrate` folder: each paired run takes its calibrated parameters from a posterior "
                        "draw and the team's head count, so the setups are compared for teams like that one")
    c.add_argument("--force", action="store_true", help="replace an existing --figure or --csv file")
    c.add_argument("--no-progress", "--quiet", dest="no_progress", action="store_true", help="no progress bars (shown when the work takes a few seconds)")
    c.set_defaults(func=_compare)

    s = sub.add_parser(
        "sensitivity", help="global sensitivity: Sobol' first/total-order indices (or Morris screening) with CIs",
        description="Run the Saltelli design of SWEEP.toml's [vary] factors (A and B from one Sobol' sequence "
                    "of dimension 2d; N = [sweep].points base samples, N (d + 2) points) and report Sobol' "
                    "first- and total-order indices with bootstrap CIs for each outcome, plus a bar plot. "
                    "--method morris screens many parameters with elementary effects instead. The runs are kept "
                    "in the output directory; running again reuses them.")
    s.add_argument("sweep_file", metavar="SWEEP.toml")
    s.add_argument("--method", choices=("sobol", "morris"), help="default: [sensitivity].method or sobol")
    s.add_argument("--outcomes", metavar="A,B,...", help="default: [sensitivity].outcomes or customer_value,tech_debt,burnout_mean")
    s.add_argument("--points", type=_positive, metavar="N", help="base samples N (sobol: a power of 2) or trajectories (morris)")
    _add_backend(s)
    s.add_argument("--out", metavar="DIR", type=path_text, help="run data directory (default: [sweep].out, with _sobol or _morris "
                                                                     "added unless the file's design is already saltelli or morris)")
    s.add_argument("--overwrite", action="store_true", help="discard existing runs in the output directory")
    s.add_argument("--figure", metavar="PNG", type=path_text, help="figure path (default: DIR/_analysis/<method>.png; 'none' to skip)")
    s.add_argument("--csv", metavar="PATH", type=path_text, help="index table path (default: DIR/_analysis/<method>.csv)")
    s.add_argument("--force", action="store_true",
                   help="replace an existing --figure or --csv file (the default ones in DIR/_analysis are rewritten "
                        "by each analysis)")
    s.set_defaults(func=_sensitivity)


def _backend_kwargs(args) -> dict:
    if args.workers and (args.scheduler or args.scheduler_file):
        raise UsageError(f"--workers {args.workers}: local worker processes do not apply to a Dask cluster (its own "
                         f"workers run the chunks); give --workers or --{'scheduler' if args.scheduler else 'scheduler-file'}, "
                         f"not both")
    return dict(workers=args.workers, scheduler=args.scheduler, scheduler_file=args.scheduler_file,
                chunk_size=args.chunk_size, progress=not args.no_progress)


def _sweep(args) -> int:
    from pe_sim.sweeps import describe, load_sweep, run_sweep

    if args.resume and args.overwrite:
        raise UsageError("--resume and --overwrite exclude each other")
    spec = load_sweep(args.sweep_file, rules="sweep")  # the design the file names, as it runs
    if args.out:
        spec = spec.replace(out=args.out)
    for line in spec.event_warnings():  # as run and compare say them, before a plan or any work
        print(f"pe-sim: warning: {line}", file=sys.stderr)
    if args.dry_run:
        dask = bool(getattr(args, "scheduler", None) or getattr(args, "scheduler_file", None))
        print(describe(spec, args.workers, args.chunk_size, dask=dask, resume=args.resume))
        return 0
    finish = f"finished chunks are in {spec.out}. Finish with: pe-sim sweep {args.sweep_file}" \
             f"{' --out ' + args.out if args.out else ''} --resume"
    try:
        report = run_sweep(spec, resume=args.resume, overwrite=args.overwrite, **_backend_kwargs(args))
    except KeyboardInterrupt:
        print(f"pe-sim: interrupted; {finish}", file=sys.stderr)
        return 130
    except BrokenExecutor:  # a local pool with a dead worker (BrokenProcessPool)
        print(f"pe-sim: error: {WORKER_LOST}; {finish}", file=sys.stderr)
        return 1
    print(report.line())
    return 0


LONG_COMPARE_RUN_SPRINTS = 100_000  # run-sprints of a comparison that takes a few seconds (with its bootstrap)


def _compare(args) -> int:
    from pe_sim.analysis import compare

    if not 0.5 <= args.confidence < 1:
        raise UsageError(f"--confidence: {args.confidence} is not valid; expected a number in [0.5, 1)")
    if len(args.configs) < 2:
        raise UsageError("compare needs at least two configs (the first is the reference)")
    configs = [cfg.load(c) for c in args.configs]
    for loaded in configs:
        for line in cfg.event_warnings(loaded, args.sprints or loaded.sprints):
            print(f"pe-sim: warning: {line}", file=sys.stderr)
    if args.figure is None:  # pe-sim's own new file, so comparing twice never collides
        names = "-".join(c.name for c in configs)[:80]
        figure = str(Path("results") / f"compare-{names}-{datetime.now():%Y%m%d-%H%M%S-%f}.png")
    else:
        figure = None if args.figure.lower() == "none" else args.figure
    if args.csv:  # a folder ("." or "dir/") is refused before a companion file name is made from it
        refuse_existing(args.csv, args.force, "--csv")
    over = Path(args.csv).with_name(f"{Path(args.csv).stem}_over_time{Path(args.csv).suffix or '.csv'}") if args.csv else None
    distinct_outputs((figure, "--figure"), (args.csv, "--csv"), (over, "--csv"))
    for path, flag in ((figure, "--figure"), (over, "--csv")):
        if path:  # before any work, so nothing is lost and nothing overwritten (--csv was checked above)
            refuse_existing(path, args.force, flag)
    if figure:
        check_figure_name(figure, "--figure")
    outcomes = _outcomes(args.outcomes)  # checked before any folder is made
    for path, flag in ((figure, "--figure"), (args.csv, "--csv")):
        if path:
            ready_to_write(path, args.force, flag)
    if (args.runs or configs[0].runs) >= 2:  # after the checks: below 2 runs compare refuses anyway
        warn_few_runs(args.runs or configs[0].runs)
    per_run = unit = None
    if args.posterior:
        from pe_sim.calibration import posterior_runs, replaced_by_posterior

        runs = args.runs or configs[0].runs
        seed = configs[0].seed if args.seed is None else args.seed
        history, _, per_run, unit, how = posterior_runs(Path(args.posterior), runs, seed)
        idle = [f"{k} is not used by {c.name} (one roadmap)" for c in configs for k in unused(c.params) if k in per_run]
        print(f"pe-sim: {runs} paired runs, each with a draw from the posterior of {args.posterior} "
              f"({', '.join(k for k in per_run if k != 'n_engineers')}) and {history.current_headcount} engineers (its size now); "
              f"{how}{''.join('; ' + line for line in idle)}", file=sys.stderr)
        for line in replaced_by_posterior(configs, per_run):
            print(f"pe-sim compare: warning: {line}", file=sys.stderr)
    runs, sprints = args.runs or configs[0].runs, args.sprints or configs[0].sprints
    long = runs * sprints * len(configs) >= LONG_COMPARE_RUN_SPRINTS
    if long:  # a few seconds or more: say what is being done, and show how far it is
        print(f"pe-sim compare: simulating {len(configs)} setups, {counted(runs, 'paired run')} x "
              f"{counted(sprints, 'sprint')} each, then the bootstrap intervals ...", file=sys.stderr)
    res = compare(args.configs, runs=args.runs, sprints=args.sprints, seed=args.seed, outcomes=outcomes,
                  confidence=args.confidence, resamples=args.resamples, figure=figure, workers=args.workers,
                  per_run=per_run, work_unit=unit, force=args.force, progress=long and not args.no_progress)
    print(res.table())
    if args.posterior:
        from pe_sim.calibration import hinges

        for line in hinges(Path(args.posterior), per_run, res.differences()):
            print(line)
    if args.csv:
        with atomic(args.csv) as tmp:
            res.summary.to_csv(tmp, index=False)
        with atomic(over) as tmp:
            res.over_time.to_csv(tmp, index=False)
    if figure:
        print(f"figure: {figure}")
    return 0


def _sensitivity(args) -> int:
    from pe_sim.analysis import sensitivity

    figure = args.figure
    outcomes = _outcomes(args.outcomes)  # checked before any folder is made
    paths = ((None if not figure or figure.lower() == "none" else figure, "--figure"), (args.csv, "--csv"))
    if paths[0][0]:
        refuse_existing(paths[0][0], args.force, "--figure")  # a folder is named as one first
        check_figure_name(paths[0][0], "--figure")
    distinct_outputs(*paths)
    for path, flag in paths:
        if path:  # an explicit path is the user's: replaced only with --force (defaults live in pe-sim's folder)
            ready_to_write(path, args.force, flag)
    res = sensitivity(args.sweep_file, method=args.method, outcomes=outcomes, points=args.points,
                      out=args.out, overwrite=args.overwrite,
                      figure=False if figure and figure.lower() == "none" else figure, csv=args.csv,
                      force=args.force, **_backend_kwargs(args))
    print(res.attrs.get("text", res.to_string(index=False)))
    return 0
