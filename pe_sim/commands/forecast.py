"""`pe-sim forecast`: a calibrated team's coming sprints, as distributions."""

from __future__ import annotations

import contextlib
import math
import sys

from pe_sim.commands import int_in, path_arg
from pe_sim.config import ConfigError
from pe_sim.files import folder_lock, refuse_other_output

QUANTILES = (0.1, 0.5, 0.9)
FOLDER, TABLE, FIGURE = "forecast", "forecast.csv", "forecast.png"  # the default output: CALIBRATION/forecast
MAX_SPRINTS = 520  # the longest look-ahead (ten years of two-week sprints)


def _sprints(n: int) -> str:
    return f"{n} sprint{'' if n == 1 else 's'}"


def share_text(x: float) -> str:
    """A share of draws as a whole percentage that never rounds a few to none or most to all."""
    text = f"{x:.0%}"
    if text == "0%" and x > 0.0:
        return "under 1%"
    if text == "100%" and x < 1.0:
        return "over 99%"
    return text


def backlog_line(levels, horizon: int) -> str:
    """When the backlog is done at each confidence level (sprints, inf if beyond ``horizon``), with the
    levels that share an answer said together: "done within 4 sprints at 50% and 85%, ..."."""
    def together(qs):
        qs = [f"{q}%" for q in qs]
        return qs[0] if len(qs) == 1 else f"{', '.join(qs[:-1])} and {qs[-1]}"

    parts, answers = [], []
    for q, v in levels:
        if answers and (answers[-1][1] == v or not (math.isfinite(v) or math.isfinite(answers[-1][1]))):
            answers[-1][0].append(q)
        else:
            answers.append(([q], v))
    for qs, v in answers:
        parts.append(f"done within {_sprints(int(v))} at {together(qs)}" if math.isfinite(v)
                     else f"not done within the {_sprints(horizon)} forecast at {together(qs)}")
    return ", ".join(parts) + " confidence"


def register(sub) -> None:
    p = sub.add_parser(
        "forecast", help="forecast a calibrated team's coming sprints (velocity, say/do, debt, burnout, backlog)",
        description="From a finished `pe-sim calibrate` folder: simulate the team's coming sprints under its current "
                    "practice, each draw from the posterior going on from the simulated team that got its particle "
                    "accepted, and print the median and 80% interval of "
                    "work delivered (in the team's unit), say/do, tech debt, burnout and head count, and, with "
                    "--backlog, how many sprints the team needs to deliver that much work. Writes forecast.csv "
                    "(per sprint) and forecast.png into --out.")
    p.add_argument("posterior", type=path_arg, metavar="CALIBRATION", help="the folder `pe-sim calibrate` wrote")
    p.add_argument("--sprints", type=int_in(1, MAX_SPRINTS), default=13, help="sprints to look ahead (default 13)")
    p.add_argument("--backlog", type=float, metavar="WORK", help="work to finish, in the team's unit (points or days)")
    p.add_argument("--draws", type=int_in(10, 1_000_000), default=1000,
                   help="posterior draws, by weight (default 1000; beyond the posterior's particles they repeat its "
                        "simulated teams)")
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="seed of the draws (default 0)")
    p.add_argument("--out", type=path_arg, help="output folder (default: CALIBRATION/forecast)")
    p.add_argument("--force", action="store_true", help="replace an earlier forecast in --out")
    p.add_argument("--no-progress", "--quiet", dest="no_progress", action="store_true", help="no progress bar")
    p.set_defaults(func=main)


def main(args) -> int:
    import numpy as np

    from pe_sim.cli import UsageError

    if args.backlog is not None and not (np.isfinite(args.backlog) and args.backlog > 0):
        raise UsageError(f"--backlog: {args.backlog:g} is not valid; expected the work left, above 0 (points or days)")
    out = args.out or args.posterior / FOLDER
    if args.posterior.is_dir() and out.resolve() == args.posterior.resolve():
        raise ConfigError(str(out), "--out", "is the calibration folder itself; a forecast goes in a folder of its own "
                                             f"(the default is {args.posterior / FOLDER})")
    if out.exists() and not out.is_dir():
        raise ConfigError(str(out), "--out", "is a file; expected a folder for the forecast")
    refuse_other_output(out, "--out", "forecast")  # a run's, sweep's or calibration's folder is theirs
    with contextlib.ExitStack() as held:
        if args.posterior.is_dir():  # `calibrate --force` would remove what is read and written meanwhile
            held.enter_context(folder_lock(args.posterior, "CALIBRATION", "forecast"))
        return _forecast(args, out, held)


def _remove_if_empty(folder) -> None:
    with contextlib.suppress(OSError):  # not empty: it holds the forecast (or something of the user's)
        folder.rmdir()


def _refuse_earlier(out, force: bool) -> None:
    """Refuse, before any work, to replace an earlier forecast in ``out`` without ``force``, and a
    folder where a forecast file goes (which ``force`` cannot replace either)."""
    ours = [name for name in (TABLE, FIGURE) if (out / name).exists() or (out / name).is_symlink()]
    for name in ours:
        if (out / name).is_dir():
            raise ConfigError(str(out / name), "--out", "is a folder where the forecast writes a file; move it or "
                                                        "choose another --out")
    if not ours or force:  # other files in the folder are the user's: never touched, so no reason to refuse
        return
    if len(ours) == 2:
        raise ConfigError(str(out), "--out", f"already holds a forecast ({', '.join(ours)}); pass --force to replace "
                                             "it, or --out to write another folder")
    missing = FIGURE if ours == [TABLE] else TABLE
    raise ConfigError(str(out), "--out", f"holds {ours[0]} but no {missing}: part of an earlier forecast (one "
                                         "stopped before it had written both, or with a file removed since); pass "
                                         "--force to replace it, or --out to write another folder")


def _forecast(args, out, held: contextlib.ExitStack) -> int:
    """The forecast itself, with the calibration folder locked; ``out`` is locked in ``held`` once
    the calibration has been read (a bad one leaves no folder behind)."""
    import numpy as np

    from pe_sim import calibration as C
    from pe_sim.files import save_figure, together

    history, settings, post = C.load_calibration(args.posterior)
    made = not out.exists()
    if not out.resolve().is_relative_to(args.posterior.resolve()):  # two forecasts into one --out: one would replace the other
        held.enter_context(folder_lock(out, "--out", "forecast"))
    if made:  # once it is ours (locked): a folder left empty by a failed forecast would pass for one that wrote nothing
        held.callback(_remove_if_empty, out)
    _refuse_earlier(out, args.force)
    try:  # before simulating: a folder that cannot be made is found now, not after the work
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a file is in the way" if isinstance(exc, (FileExistsError, NotADirectoryError)) else exc.strerror
        raise ConfigError(str(out), "--out", f"cannot be made ({why}); choose another folder") from None
    w = post["weight"].to_numpy(dtype=np.float64)
    runs = post[C.RUN].to_numpy(dtype=np.int64) if C.RUN in post.columns else None
    how = ("each its particle's own simulated team, the run that got it accepted, going on from the end of its "
           "history" if runs is not None else
           "each simulated afresh (this calibration predates pe-sim keeping each particle's run: calibrate again "
           "for forecasts that go on from the teams that got the particles accepted)")
    print(f"pe-sim forecast: {args.draws:,} posterior draws through the team's {history.n_sprints} sprints and "
          f"{args.sprints} more, {how} ...", file=sys.stderr)
    if runs is not None and args.draws > 10 * len(post):  # the draws only resample the particles' simulated teams
        print(f"pe-sim forecast: note: the posterior has {len(post):,} particles, each one simulated team; "
              f"{args.draws:,} draws repeat them (the bands get no finer than about {10 * len(post):,} draws make them)",
              file=sys.stderr)
    fc, counts = C.forecast(history, settings, post.drop(columns=["weight", C.RUN], errors="ignore"), w, args.sprints,
                    args.draws, args.seed, progress=not args.no_progress, runs=runs)
    first = int(history.columns["sprint"][-1]) + 1
    sprints = np.arange(first, first + args.sprints)

    import pandas as pd

    table = {"sprint": sprints}
    bands = {k: C.counted_quantile(x, counts, QUANTILES) for k, x in fc.items()}  # (quantile, sprint) each
    for k, band in bands.items():
        for q, row in zip(QUANTILES, band):
            table[f"{k}_q{int(q * 100):02d}"] = row
    frame = pd.DataFrame(table)
    lines = [f"forecast of {history.source}: {args.draws} posterior draws, sprints {first}-{first + args.sprints - 1} "
             f"(median [80% interval])"]
    for k, x in fc.items():
        per_sprint = x.mean(axis=1)
        lo, mid, hi = C.counted_quantile(per_sprint, counts, QUANTILES)
        last_lo, last_mid, last_hi = bands[k][:, -1]
        lines.append(f"  {k:14s} mean per sprint {mid:8.3g} [{lo:.3g}, {hi:.3g}]; at sprint {sprints[-1]}: "
                     f"{last_mid:.3g} [{last_lo:.3g}, {last_hi:.3g}]")
    if args.backlog is not None:
        n = C.sprints_to_finish(fc["delivered"], args.backlog)
        finite = np.isfinite(n)
        # whole sprints, never interpolated (a draw that does not finish counts as never)
        p50, p85, p95 = C.counted_quantile(n, counts, (0.5, 0.85, 0.95), method="inverted_cdf")
        unfinished = 1.0 - np.average(finite, weights=counts)
        lines.append(f"  backlog of {args.backlog:g}: {backlog_line(((50, p50), (85, p85), (95, p95)), args.sprints)}"
                     + (f"; not within {_sprints(args.sprints)} in {share_text(unfinished)} of draws"
                        if not finite.all() else ""))
        # how far to look: at a slow draw's pace so far (5th percentile) with half as much again for teams that slow
        # down; a backlog the fastest draws (95th) cannot finish within the longest forecast is beyond any
        slow, fast = (float(x) for x in C.counted_quantile(fc["delivered"].mean(axis=1), counts, (0.05, 0.95)))
        fast_need = args.backlog / fast if fast > 0 else np.inf
        if not np.isfinite(p95) and args.sprints < MAX_SPRINTS and fast_need <= MAX_SPRINTS:
            slow_need = args.backlog / slow if slow > 0 else np.inf
            ahead = int(min(MAX_SPRINTS, max(args.sprints + 1, np.ceil(1.5 * slow_need))))
            lines.append(f"  ({'some' if finite.any() else 'all'} draws need more than the {_sprints(args.sprints)} "
                         f"forecast: look further ahead with --sprints, e.g. --sprints {ahead}, from the pace so far)")
        elif not np.isfinite(p95) and args.sprints < MAX_SPRINTS:
            lines.append(f"  ({'some' if finite.any() else 'all'} draws need more than the {_sprints(args.sprints)} "
                         f"forecast; even at the fastest draws' {fast:.3g} a sprint the backlog takes about "
                         f"{fast_need:.3g} sprints, beyond the {MAX_SPRINTS} the model can look ahead)")
        elif not np.isfinite(p95):
            lines.append(f"  ({'some' if finite.any() else 'all'} draws need more than {MAX_SPRINTS} sprints, the longest "
                         "forecast: the backlog is beyond what the model can look ahead)")
    lines += C.misfit_lines(C.calibration_misfits(args.posterior))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import MaxNLocator

    panels = list(fc.items())
    if args.backlog is not None:
        panels.append(("work delivered from now (cumulative)", np.cumsum(fc["delivered"], axis=1)))
    fig, axes = plt.subplots(2, 3, figsize=(11, 6), squeeze=False)
    titles = {"delivered": "work delivered per sprint (team's unit)", "say_do": "say/do (delivered / committed)",
              "tech_debt": "tech debt (ideal-days)", "burnout_mean": "mean burnout (0-1)", "headcount": "engineers"}
    for ax, (k, x) in zip(axes.flat, panels):
        lo, mid, hi = bands[k] if k in bands else C.counted_quantile(x, counts, QUANTILES)
        ax.fill_between(sprints, lo, hi, color="tab:blue", alpha=0.25, lw=0)
        ax.plot(sprints, mid, color="tab:blue")
        if k in history.columns:
            ax.plot(history.columns["sprint"], history.columns[k], "k.-", lw=0.8, ms=3)
        elif k == "say_do":
            done, said = history.columns["delivered"], history.columns["committed"]
            ax.plot(history.columns["sprint"], np.where(said > 0, done / np.maximum(said, 1e-9), np.nan), "k.-",
                    lw=0.8, ms=3)
        if k.startswith("work delivered from now"):
            ax.axhline(args.backlog, color="tab:red", lw=1, ls="--", label=f"backlog {args.backlog:g}")
            ax.legend(fontsize=8, loc="upper left")
        ax.set_title(titles.get(k, k), fontsize=9)
        ax.set_xlabel("sprint")
        ax.set_xlim(min(history.columns["sprint"][0], sprints[0]) - 0.5, sprints[-1] + 0.5)  # every panel: history, then forecast
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    fig.suptitle("Forecast: median and 80% band over posterior draws (black: the team so far)", fontsize=10)
    fig.tight_layout()
    # All or nothing: the table, which says a forecast is whole, goes in place last, after the figure.
    with together(out / FIGURE, out / TABLE) as (figure_tmp, table_tmp):
        save_figure(fig, figure_tmp, staged=True, format="png", dpi=110)
        plt.close(fig)
        frame.to_csv(table_tmp, index=False)
    try:  # printed once written, so a forecast on the screen is one in the folder
        print("\n".join(lines))
        print(f"wrote {out}", file=sys.stderr)
    except KeyboardInterrupt:  # the files are in place: the interrupt message for a forecast cut short would be wrong
        print(f"pe-sim: interrupted; the forecast was written to {out}", file=sys.stderr)
        return 130
    return 0
