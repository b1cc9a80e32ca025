"""`pe-sim calibrate`: infer a team's uncertain parameters from its own sprint history."""

from __future__ import annotations

import hashlib
import json
import platform
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from pe_sim import __version__
from pe_sim.commands import forecast as forecast_cmd, int_in, path_arg
from pe_sim.cli import UsageError
from pe_sim.config import ConfigError, shown, toml_value
from pe_sim.files import MANIFEST, is_leftover, write_text
from pe_sim.words import counted

DB = "abc.db"
DB_SIDECARS = tuple(DB + end for end in ("-journal", "-wal", "-shm"))  # SQLite's own, beside a database it was writing
STARTED = "calibration.json"  # what a calibration was started with, so a resume can check it is the same
FORECAST, FORECAST_FILES = forecast_cmd.FOLDER, (forecast_cmd.TABLE, forecast_cmd.FIGURE)
OUTPUTS = (STARTED, "history.csv", "posterior.parquet", "summary.csv", "posterior.png", "predictive.png", MANIFEST)


def register(sub) -> None:
    p = sub.add_parser(
        "calibrate", help="calibrate the model to a team's sprint history (ABC-SMC)",
        description="Read a team's sprint history (CSV: sprint, committed, delivered, incidents, headcount, "
                    "leavers, hires; optional tech_share, features_shipped), infer the team's uncertain parameters "
                    "by approximate Bayesian computation (pyabc's ABC-SMC) and write the posterior (Parquet), a "
                    "summary with 90% credible intervals, plots of the posterior and of posterior-predictive "
                    "bands over the team's history, and a manifest. Interrupt and rerun with the same --out to "
                    "resume from the last complete generation.")
    p.add_argument("history", type=path_arg, metavar="TEAM.csv", help="the team's sprint history")
    p.add_argument("--config", type=path_arg, metavar="CAL.toml",
                   help="a [calibrate] table: base practice, priors, fixed values, population, generations, seed, "
                        "min_acceptance, adjust, kernel_scale, warmup (see the README); the options below override it")
    p.add_argument("--out", type=path_arg, help="output folder (default: results/calibrate-<file>-<timestamp>)")
    p.add_argument("--population", type=int_in(20, 1_000_000), help="particles per generation (default 500)")
    p.add_argument("--generations", type=int_in(1, 100), help="most generations (default 8)")
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), help="seed of the sampler and the model (default 1)")
    p.add_argument("--workers", type=int_in(1, 1024), help="local processes (default: all cores; 1 is reproducible "
                                                           "from the seed)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://host:port) instead")
    p.add_argument("--scheduler-file", metavar="FILE", help="Dask scheduler file instead of an address")
    p.add_argument("--force", action="store_true", help="discard a finished calibration in --out and start again")
    p.add_argument("--quiet", "--no-progress", dest="quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=main)


def settings_for(args):
    from dataclasses import replace

    from pe_sim import calibration as C
    from pe_sim.config import read_toml

    if args.config and not args.config.is_file():
        raise ConfigError(str(args.config), "--config", "no such file (expected a TOML file with a [calibrate] table)")
    s = C.settings_from_dict(read_toml(args.config), str(args.config), args.config.parent) if args.config else C.Settings()
    for key in ("population", "generations", "seed"):
        if getattr(args, key) is not None:
            s = replace(s, **{key: getattr(args, key)})
    return C.with_practice(s)


def check_inputs_outside(out: Path, inputs: dict[str, Path | None]) -> None:
    """Refuse an input file (the history, a --config, its base) that a calibration into ``out`` would
    remove or replace: one with the name of a file calibrate writes there, or in its forecast/
    (which --force removes, and a finished run rewrites). Said before anything in ``out`` is touched."""
    import os

    if not out.is_dir():  # a folder still to be made holds nothing
        return
    folder = Path(os.path.realpath(out))
    ours = {DB, *DB_SIDECARS, *OUTPUTS, FORECAST}
    for key, path in inputs.items():
        if path is None or not path.is_file():
            continue
        # the file itself, and where a link named as input points: removing either loses the input
        for where in (Path(os.path.realpath(path.parent)) / path.name, Path(os.path.realpath(path))):
            try:
                inside = where.relative_to(folder).parts
            except ValueError:
                continue
            if inside and inside[0] in ours:
                raise ConfigError(str(path), key, f"is inside --out {out} (as {'/'.join(inside)}), among "
                                                  f"the files calibrate writes there (--force removes them, a "
                                                  f"calibration replaces them), so calibrating into {out} would "
                                                  "lose it; copy it out of the folder and calibrate from the copy, or "
                                                  "choose another --out (nothing was removed)")


def prepare_folder(out: Path, force: bool) -> bool:
    """Make ``out`` ready; returns whether an unfinished calibration is there to resume. Nothing is
    removed unless every file in the folder is one a calibration writes."""
    if out.exists() and not out.is_dir():
        raise ConfigError(str(out), "--out", "is a file; expected a folder")
    ours = {DB, *DB_SIDECARS, *OUTPUTS}
    forecast = out / FORECAST  # `pe-sim forecast`'s default output: belongs to this calibration
    strangers = []  # what is in forecast/ that pe-sim forecast did not write (its killed writes' temporaries are its own)
    if forecast.is_dir() and not forecast.is_symlink():  # never followed out of the folder
        strangers = sorted(f"{FORECAST}/{f.name}" for f in forecast.iterdir()
                           if not ((f.name in FORECAST_FILES or is_leftover(f.name, FORECAST_FILES))
                                   and f.is_file() and not f.is_symlink()))
    theirs = forecast.is_dir() and not forecast.is_symlink() and not strangers
    others = sorted(f.name for f in out.iterdir() if f.name not in ours and not f.name.startswith(".")
                    and f.name != FORECAST) if out.is_dir() else []
    others += strangers or ([FORECAST] if (forecast.exists() or forecast.is_symlink()) and not theirs else [])
    if not others and out.is_dir() and not (out / STARTED).is_file() and not (out / MANIFEST).is_file():
        # a calibration writes calibration.json before anything else: without it, files with its names are not its
        others = sorted(f.name for f in out.iterdir() if f.name in ours)
    if others:
        raise ConfigError(str(out), "--out", f"holds files pe-sim calibrate did not write ({', '.join(others[:3])}{', ...' if len(others) > 3 else ''}); "
                                             "choose an empty or new folder")
    manifest = out / MANIFEST
    done = False
    if manifest.is_file():
        try:
            m = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            m = {}
        if not isinstance(m, dict) or m.get("command") != "calibrate":
            raise ConfigError(str(out), "--out", "holds a manifest.json that is not a calibration's; choose an empty "
                                                 "or new folder")
        done = m.get("complete") is True
    if done and not force:
        raise ConfigError(str(out), "--out", "holds a finished calibration; pass --force to replace it or choose "
                                             "another folder")
    if done or (force and (out / DB).exists()):
        for name in ours:
            (out / name).unlink(missing_ok=True)
        if theirs:  # a forecast of the calibration being replaced
            for f in forecast.iterdir():
                f.unlink()
            forecast.rmdir()
    out.mkdir(parents=True, exist_ok=True)
    return (out / DB).exists()


def main(args) -> int:
    interrupted: list[bool] = []

    def on_ctrl_c(signum, frame):
        interrupted.append(True)
        raise KeyboardInterrupt

    def unraisable(u):  # a Ctrl-C landing in a finaliser is swallowed there: the flag has it, no traceback
        if not isinstance(u.exc_value, KeyboardInterrupt):
            hook(u)

    import threading

    main_thread = threading.current_thread() is threading.main_thread()  # only there can a handler be set
    previous = signal.signal(signal.SIGINT, on_ctrl_c) if main_thread else None
    hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        return calibrate(args, interrupted)
    except KeyboardInterrupt:  # before sampling started, or while the results were written
        again = "the same command again without --force" if getattr(args, "force", False) else "the same command again"
        print(f"pe-sim: interrupted; nothing finished was lost. Run {again} to start or resume it.", file=sys.stderr)
        return 130
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = hook


def calibrate(args, interrupted: list[bool]) -> int:
    """The command; ``interrupted`` is set by the Ctrl-C handler ``main`` installs (pyabc can swallow
    the KeyboardInterrupt itself, so the flag is what counts)."""
    from pe_sim.history import COLUMNS as C_COLUMNS, read_history

    history = read_history(args.history)  # every input is checked before anything is written
    if history.ignored:  # what was left out of the user's file, not progress: said even with --quiet
        print(f"pe-sim calibrate: {shown(str(args.history))}: not used (pe-sim reads {', '.join(C_COLUMNS)}): "
              f"{', '.join(shown(n) for n in history.ignored)}", file=sys.stderr)
    for note in history.notes:  # what the model cannot match in the user's file: said even with --quiet
        print(f"pe-sim calibrate: warning: {shown(str(args.history))}: {shown(note)}", file=sys.stderr)
    settings = settings_for(args)
    from pe_sim.config import load, sprint_days_warning
    from pe_sim.params import BY_NAME

    base = load(settings.base)
    events = base.events
    days = settings.fixed.get("sprint_days", base.params["sprint_days"])
    if "sprint_days" in settings.priors or days != BY_NAME["sprint_days"].default:  # as run, sweep and validate say
        where = "calibrate.priors.sprint_days" if "sprint_days" in settings.priors else f"sprint_days = {days:g}"
        print(f"pe-sim calibrate: warning: {sprint_days_warning(where)}", file=sys.stderr)
    if events:  # a practice's one-off events have no place in a real team's past: its record is the timeline
        print(f"pe-sim calibrate: note: the base {settings.base!r} has {len(events)} event{'s' if len(events) > 1 else ''} "
              f"({', '.join(sorted({e.kind for e in events}))}); calibration simulates the team's own history without "
              f"{'them' if len(events) > 1 else 'it'} (its head count sprint by sprint), so "
              f"{'they are' if len(events) > 1 else 'it is'} not used", file=sys.stderr)
    if args.scheduler and args.scheduler_file:
        raise ConfigError("--scheduler", "--scheduler-file", "give one of the two, not both")
    if args.workers and (args.scheduler or args.scheduler_file):
        cluster = "--scheduler" if args.scheduler else "--scheduler-file"
        raise UsageError(f"--workers {args.workers}: local processes do not apply to a Dask cluster (its own workers "
                         f"simulate); give --workers or {cluster}, not both")
    stamp = datetime.now(timezone.utc)
    out = args.out or Path("results") / f"calibrate-{args.history.stem[:40]}-{stamp:%Y%m%d-%H%M%S}"
    check_inputs_outside(out, {"file": args.history, "--config": args.config, "calibrate.base": Path(settings.base)})
    client = None
    if args.scheduler or args.scheduler_file:  # first: a cluster that cannot be reached leaves --out as it was
        from pe_sim.sweeps.execute import connect_dask

        client = connect_dask(args.scheduler, args.scheduler_file)
    from pe_sim.files import folder_lock

    with folder_lock(out, "--out", "calibrate"):  # two calibrations in one folder would write one database at once
        return _calibrate_into(out, args, interrupted, history, settings, client, stamp)


def _calibrate_into(out: Path, args, interrupted: list[bool], history, settings, client, stamp) -> int:
    """The calibration itself, into the locked folder ``out``."""
    from pe_sim.history import write_history

    from pe_sim.calibration import settings_record

    # the digest of the bytes read and checked (the file is not read again: it may be gone or changed)
    digest = history.sha256 or hashlib.sha256(args.history.read_bytes()).hexdigest()
    resuming = prepare_folder(out, args.force)
    started = {"history_sha256": digest, "settings": settings_record(settings)}
    if resuming:
        before = json.loads((out / STARTED).read_text(encoding="utf-8")) if (out / STARTED).is_file() else None
        kept = _kept_practice(before)
        if _without_source(before, kept) != _without_source(json.loads(json.dumps(started)), kept):
            raise ConfigError(str(out), "--out", f"holds an unfinished calibration {_what_differs(before, started)}; "
                                                 "rerun it as it was started, or pass --force to start again")
    else:
        write_text(out / STARTED, json.dumps(started, indent=2) + "\n")

    import pandas as pd

    from pe_sim import calibration as C
    from pe_sim.files import atomic
    from pe_sim.sweeps import default_workers
    from pe_sim.sweeps.execute import warn_if_oversubscribed
    from pe_sim.sweeps.store import package_versions

    workers = args.workers or default_workers()
    if client is None:
        warn_if_oversubscribed(workers)
    if not args.quiet:
        print(f"pe-sim calibrate: {history.n_sprints} sprints of {shown(history.source)}; {len(settings.priors)} "
              f"parameters ({', '.join(settings.priors)}); {settings.population} particles, up to "
              f"{counted(settings.generations, 'generation')}{'; resuming' if resuming else ''} -> {shown(str(out))}",
              file=sys.stderr)
    t0 = time.perf_counter()
    if interrupted:
        return said_interrupted(out / DB, settings.population, args.force)
    try:
        h, gens = C.run_abc(history, settings, out / DB, workers=workers, client=client, progress=not args.quiet)
    except C.DamagedDatabase as e:
        raise ConfigError(str(out / DB), "--out", f"is not a calibration database pe-sim can resume ({e}); pass "
                                                  "--force to start again") from None
    except (KeyboardInterrupt, Exception):
        # An interrupt inside pyabc can surface as another error from its clean-up (a database
        # session rolled back mid-write); the next run repairs the database either way.
        if not interrupted:
            raise
        return said_interrupted(out / DB, settings.population, args.force)
    if interrupted:  # the interrupt was swallowed somewhere inside pyabc; stop all the same
        return said_interrupted(out / DB, settings.population, args.force)
    seconds = time.perf_counter() - t0
    df, w = C.posterior(h, settings)
    write_history(out / "history.csv", history.columns, comment=f"the team history calibrated to, read from {history.source}",
                  decimals=6)
    post = df.reset_index(drop=True)
    post["weight"] = w
    post[C.RUN] = post.attrs.pop("runs")  # a column (so a forecast goes on from each particle's own run), not metadata
    with atomic(out / "posterior.parquet") as tmp:
        post.to_parquet(tmp, index=False)
    rows = C.summarise_posterior(df, w, settings)
    table = pd.DataFrame(rows)
    with atomic(out / "summary.csv") as tmp:
        table.to_csv(tmp, index=False)
    bands = C.predictive(history, settings, df, w, draws=200, seed=settings.seed)
    covered = C.coverage(history, bands)
    found = C.misfits(history, bands)
    plot_posterior(table, df, w, out / "posterior.png")
    plot_predictive(history, bands, out / "predictive.png", covered)
    manifest = {
        "pe_sim_version": __version__, "command": "calibrate", "python": platform.python_version(),
        "packages": package_versions(),
        "started_utc": stamp.isoformat(timespec="seconds"),
        "history": {"file": str(args.history), "sha256": digest,
                    "copy_sha256": hashlib.sha256((out / "history.csv").read_bytes()).hexdigest(),
                    "sprints": history.n_sprints, "columns": [c for c in history.columns]},
        "settings": settings_record(settings),
        "sampler": "dask" if client is not None else f"{workers} local process{'es' if workers > 1 else ''}",
        "generations": [vars(g) for g in gens], "simulations": int(h.total_nr_simulations),
        "seconds": round(seconds, 1), "observed_statistics": C.team_statistics(history.columns),
        "predictive_coverage_90": covered, "predictive_misfits": found,
        "regression_adjusted": bool(df.attrs.get("adjusted")),
        "files": [DB, *OUTPUTS], "complete": True,
    }
    write_text(out / MANIFEST, json.dumps(manifest, indent=2, default=float) + "\n")  # last: marks the run complete
    # printed once the folder is complete, so a reader that stops early (`| head`) leaves it whole
    print("\n".join([format_summary(table, covered, settings, bool(df.attrs.get("adjusted"))), *C.misfit_lines(found)]))
    if not args.quiet:
        print(f"{h.total_nr_simulations:,} simulated teams over {counted(len(gens), 'generation')} in {seconds:.0f} s"
              f"{' (this session; the earlier generations ran before)' if resuming else ''}; wrote {shown(str(out))}",
              file=sys.stderr)
    return 0


def _without_source(record, practice: bool = True):
    """A calibration's start record without the name of the config file it came from: the same
    settings from a copy of the file are the same calibration. With ``practice`` the base is
    compared by its recorded values, not by its path (which depends on the folder calibrate ran
    from); without, the values are left out (a calibration started before they were kept has none)."""
    if not isinstance(record, dict) or not isinstance(record.get("settings"), dict):
        return record
    drop = {"source", "base"} if practice else {"source", "practice"}
    return {**record, "settings": {k: v for k, v in record["settings"].items() if k not in drop}}


def _kept_practice(record) -> bool:
    """Whether a start record holds the base's values (calibrations started since they are kept)."""
    return isinstance(record, dict) and isinstance(record.get("settings"), dict) and "practice" in record["settings"]


def _what_differs(before, started: dict) -> str:
    """How an unfinished calibration differs from the one asked for, in a few words."""
    if not isinstance(before, dict) or "settings" not in before:
        return f"whose {STARTED} is missing or unreadable (an {DB} no calibration here started)"
    if before.get("history_sha256") != started["history_sha256"]:
        return "of another history file (its contents differ)"
    kept = _kept_practice(before)  # compared as the resume check compares them
    was = _without_source(before, kept).get("settings") or {}
    now = _without_source(json.loads(json.dumps(started)), kept)["settings"]
    keys = sorted(k for k in set(was) | set(now) if was.get(k) != now.get(k))
    shown = ", ".join(f"{k} {toml_value(was.get(k))} (now {toml_value(now.get(k))})" for k in keys[:3] if k not in ("priors", "practice"))
    if "priors" in keys:
        shown = ", ".join(x for x in (shown, "other priors") if x)
    if "practice" in keys:
        a, b = (x if isinstance(x, dict) else {} for x in (was["practice"], now.get("practice")))
        changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        values = ", ".join(f"{k} {toml_value(a.get(k))} (now {toml_value(b.get(k))})" for k in changed[:3])
        shown = ", ".join(x for x in (shown, f"the base's values of {values}{', ...' if len(changed) > 3 else ''}") if x)
    return f"with other settings: {shown}" if shown else "with other settings"


def said_interrupted(db: Path, population: int, force: bool = False) -> int:
    """Tell an interrupted user what is kept and how to go on; the exit code of an interrupt. (With
    --force the same command would start again, so the advice drops it.)"""
    from pe_sim import calibration as C

    try:  # a count only: the run that resumes repairs the database
        kept = C.repair_database(db, population, fix=False) if db.exists() else 0
    except C.DamagedDatabase:
        kept = None
    again = "the same command again without --force" if force else "the same command again"
    if kept:
        what = f"{kept} finished generation{'s are' if kept > 1 else ' is'} kept in {db}. Run {again} to resume."
    elif kept == 0:
        what = f"no generation had finished. Run {again} to start it."
    else:
        what = f"the finished generations are in {db}. Run {again} to resume."
    print(f"pe-sim: interrupted; {shown(what)}", file=sys.stderr)
    return 130


def format_summary(table, covered, settings, adjusted: bool) -> str:
    if adjusted:
        how = "posterior of the last generation, regression-adjusted (Beaumont et al. 2002)"
    elif settings.adjust == "none":
        how = "posterior of the last generation as accepted (adjust = \"none\")"
    else:
        how = ("posterior of the last generation, NOT regression-adjusted: too few effective particles for the "
               "regression (raise population); its intervals are wider than the data warrant")
    lines = [how, f"{'parameter':22s} {'median':>9s} {'90% credible interval':>24s} {'prior range':>18s}  narrowed by the data?"]
    for r in table.itertuples():
        lines.append(f"{r.parameter:22s} {r.median:9.3g} {f'[{r.ci90_low:.3g}, {r.ci90_high:.3g}]':>24s} "
                     f"{f'[{r.prior_low:.3g}, {r.prior_high:.3g}]':>18s}  "
                     f"{'yes' if r.identified else 'no'} (interval {r.width_vs_prior:.0%} of the prior's 90%)")
    lines.append("posterior-predictive check: share of the team's sprints inside the 90% band: "
                 + ", ".join(f"{k} {v:.0%}" for k, v in covered.items()))
    return "\n".join(lines)


def plot_posterior(table, df, w, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from pe_sim.files import save_figure

    n = len(table)
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.8 * cols, 2.6 * rows), squeeze=False)
    for ax, r in zip(axes.flat, table.itertuples()):
        bins = 30 if r.prior_scale == "linear" else np.geomspace(r.prior_low, r.prior_high, 31)
        ax.hist(df[r.parameter], bins=bins, weights=w, range=(r.prior_low, r.prior_high) if r.prior_scale == "linear"
                else None, density=True, color="tab:blue", alpha=0.7)
        if r.prior_scale == "log":
            ax.set_xscale("log")
        ax.axvspan(r.ci90_low, r.ci90_high, color="tab:orange", alpha=0.15, lw=0)
        ax.set_xlim(r.prior_low, r.prior_high)
        ax.set_title(r.parameter, fontsize=9)
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle("Posterior (histogram over the prior's range; shaded: 90% credible interval)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)


def plot_predictive(history, bands, path: Path, covered: dict[str, float] | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from pe_sim.files import save_figure

    names = list(bands)
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    x = history.columns["sprint"]
    for ax, c in zip(axes.flat, names):
        lo, mid, hi = np.quantile(bands[c], [0.05, 0.5, 0.95], axis=0)
        ax.fill_between(x, lo, hi, color="tab:blue", alpha=0.25, lw=0, label="model, 90% band")
        ax.plot(x, mid, color="tab:blue", lw=1.2, label="model, median")
        ax.plot(x, history.columns[c], "k.-", lw=0.8, ms=3, label="the team")
        share = f"; {covered[c]:.0%} of the team's sprints inside the band" if covered and c in covered else ""
        ax.set_title(f"{c}{share}", fontsize=9)
        ax.set_xlabel("sprint")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    save_figure(fig, path, dpi=110)
    plt.close(fig)
