"""`pe-sim run`: run configs, print a summary table, write data, plots and a manifest."""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from pe_sim import __version__
from pe_sim import config as cfg
from pe_sim.commands import add_run_options, path_arg, warn_few_runs
from pe_sim.files import atomic, finish_run_folder, run_folder
from pe_sim.words import counted

DEFAULT_COMPARISON = ("split_backlogs", "one_roadmap")  # the reference first: differences read one_roadmap - split


def register(sub) -> None:
    p = sub.add_parser(
        "run", help="run scenarios and compare them (default: split_backlogs, the reference, and one_roadmap)",
        description="Run one or more configs with the same seeds (common random numbers), print end-of-horizon "
                    "means with 95% CIs, and write per-sprint data (Parquet, CSV), a summary, plots and a "
                    "manifest to an output folder.")
    p.add_argument("configs", nargs="*", metavar="CONFIG",
                   help="scenario TOML files or shipped scenario names (default: %s)" % " ".join(DEFAULT_COMPARISON))
    add_run_options(p)
    p.add_argument("--out", type=path_arg, help="output folder (default: results/<scenarios>-<timestamp>)")
    p.add_argument("--force", action="store_true",
                   help="replace the files of an earlier run in an existing output folder (nothing else in it)")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument("--quiet", "--no-progress", dest="quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=main)


def main(args) -> int:
    from tqdm import tqdm  # heavy imports wait until a run is asked for, so `--help` is quick

    from pe_sim.runner import run
    from pe_sim.sweeps.store import package_versions
    from pe_sim.summary import format_table, paired_difference, summary_table

    configs = [cfg.load(c) for c in (args.configs or DEFAULT_COMPARISON)]
    configs = cfg.distinct_names(configs)
    names = [c.name for c in configs]
    runs = args.runs or configs[0].runs
    sprints = args.sprints or configs[0].sprints
    seed = configs[0].seed if args.seed is None else args.seed
    stamp = datetime.now(timezone.utc)
    out = args.out or Path("results") / f"{'-vs-'.join(names)[:80]}-{stamp:%Y%m%d-%H%M%S-%f}"  # two at once never meet
    with run_folder(out, args.force) as stage:  # the run is written here and moved into `out` when complete
        warn_few_runs(runs)  # once the folder is known to take the run
        for c in configs:
            for line in cfg.event_warnings(c, sprints):
                print(f"pe-sim: warning: {line}", file=sys.stderr)

        import pandas as pd

        written: list[str] = []

        def save(name: str, write) -> None:
            with atomic(stage / name) as tmp:
                write(tmp)
            written.append(name)

        frames = []
        with tqdm(total=runs * len(configs), unit="run", desc="simulating", disable=args.quiet, file=sys.stderr) as bar:
            for c in configs:
                df = run(c, runs, sprints, seed, engine=args.engine, on_runs=bar.update)
                save(f"outcomes/{c.name}.parquet", lambda tmp: df.to_parquet(tmp, index=False))
                frames.append(df)
        data = pd.concat(frames, ignore_index=True)
        if not args.quiet and len(data) > 200_000:
            print(f"pe-sim: writing {len(data):,} rows of per-sprint data to outcomes.csv ...", file=sys.stderr)
        save("outcomes.csv", lambda tmp: data.to_csv(tmp, index=False))
        summary = summary_table(data)
        save("summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
        # As everywhere in pe-sim: each setup minus the first config (the reference).
        diff = paired_difference(data, names[1], names[0]) if len(names) == 2 else None
        if diff is not None:
            save("difference.csv", lambda tmp: diff.to_csv(tmp, index=False))
        text = format_table(summary, diff, (names[1], names[0]) if diff is not None else None)
        save("summary.txt", lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
        plots = [] if args.no_plots else __import__("pe_sim.plots", fromlist=["save_plots"]).save_plots(data, stage / "plots")
        written += [p.relative_to(stage).as_posix() for p in plots]
        manifest = {
            "pe_sim_version": __version__, "created": stamp.isoformat(), "command": ["pe-sim", *sys.argv[1:]],
            "engine": args.engine, "seed": seed, "runs": runs, "sprints": sprints,
            "configs": [c.to_dict() for c in configs],
            "python": platform.python_version(),
            "packages": package_versions(),
            "notes": "runs are paired across configs: run i uses the same random numbers in every config",
            "complete": True,  # written last: a folder without it was interrupted
        }
        finish_run_folder(out, written, manifest)
    print(f"\nEnd of horizon ({counted(sprints, 'sprint')}, {counted(runs, 'run')} per config, seed {seed}); "
          "mean [95% CI]:\n")
    print(text)
    print(f"\nWrote per-sprint data, summary{', plots' if plots else ''} and manifest to {out}/")
    return 0

