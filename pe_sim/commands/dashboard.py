"""`pe-sim dashboard` (the live workshop page) and `pe-sim report` (the HTML handout).

Neither imports Solara or matplotlib until it runs, so the rest of the CLI works without the
dashboard extras.
"""

from __future__ import annotations

import shlex
import sys

from pe_sim import config as cfg
from pe_sim.commands import add_run_options, int_in, path_arg, warn_few_runs
from pe_sim.files import ready_to_write
from pe_sim.words import counted


PROGRESS_DELAY = 1.0  # seconds of simulating before `pe-sim report` shows a progress bar


def register(sub) -> None:
    p = sub.add_parser(
        "dashboard", help="live workshop dashboard in the browser (offline, localhost)",
        description="Start the workshop dashboard (a Solara page over the Mesa model) on this machine and print its URL. "
                    "It needs no internet: Solara's assets come from the installed solara-assets package and "
                    "telemetry is off. Open the URL in any browser; stop with Ctrl+C.")
    p.add_argument("scenario", nargs="?", default=None, metavar="SCENARIO",
                   help="shipped scenario name or config TOML to start with (default: split_backlogs)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only; 0.0.0.0 shares it on the network)")
    p.add_argument("--port", type=int_in(0, 65535), default=8765,
                   help="port (default 8765; 0 picks a free one)")
    p.set_defaults(func=dashboard)

    p = sub.add_parser(
        "report", help="self-contained HTML handout comparing setups",
        description="Run configs with the same seeds and write one self-contained HTML file (figures embedded, "
                    "no external references): what was run, key outcomes with 95% CIs, and the plots.")
    p.add_argument("configs", nargs="+", metavar="CONFIG", help="scenario TOML files or shipped scenario names")
    p.add_argument("--out", type=path_arg, required=True, help="the HTML file to write, e.g. report.html")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--posterior", type=path_arg, metavar="CALIBRATION",
                   help="a `pe-sim calibrate` folder: each run takes its calibrated parameters from a posterior draw "
                        "and the team's head count (teams like that one)")
    add_run_options(p)
    p.set_defaults(func=report)


def dashboard(args) -> int:
    from pe_sim.cli import UsageError

    if args.scenario is not None:
        cfg.load(args.scenario)  # a clear ConfigError before any server starts
    if not args.host.strip():
        raise UsageError("--host must not be empty")
    try:
        from pe_sim.dashboard import server
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise UsageError(f"the dashboard needs the 'dashboard' extras ({exc.name} is missing): "
                         "pip install 'pe-sim[dashboard]'") from None
    return server.serve(args.scenario, host=args.host, port=args.port)


def report(args) -> int:
    from pe_sim.cli import UsageError

    if args.out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--out {args.out}: expected an .html file name")
    ready_to_write(args.out, args.force, "--out")  # before simulating: a folder that cannot be made is found now
    configs = [cfg.load(c) for c in args.configs]
    runs = args.runs or configs[0].runs
    warn_few_runs(runs)
    sprints = args.sprints or configs[0].sprints
    for c in configs:
        for line in cfg.event_warnings(c, sprints):
            print(f"pe-sim: warning: {line}", file=sys.stderr)
    seed = configs[0].seed if args.seed is None else args.seed
    from pe_sim import report as rep

    command = "pe-sim report " + " ".join(shlex.quote(c) for c in args.configs) + \
        f" --runs {runs} --sprints {sprints} --seed {seed} --out {shlex.quote(str(args.out))}" + \
        (f" --engine {args.engine}" if args.engine != "core" else "")
    per_run = team = unit = cautions = None
    if args.posterior:
        from pe_sim.calibration import hinges, posterior_runs, replaced_by_posterior

        history, _, per_run, unit, how = posterior_runs(args.posterior, runs, seed)
        command += f" --posterior {shlex.quote(str(args.posterior))}"
        team = (f"Teams like the one calibrated in {args.posterior}: each run i of every setup takes its "
                f"{', '.join(k for k in per_run if k != 'n_engineers')} from the same draw of that team's posterior, "
                f"with its {history.current_headcount} engineers of today, so the intervals include what is still "
                f"uncertain about the team. {how[0].upper() + how[1:]}.")
        cautions = lambda differences: hinges(args.posterior, per_run, differences)  # noqa: E731
        for line in replaced_by_posterior(configs, per_run):
            print(f"pe-sim report: warning: {line}", file=sys.stderr)
    print(f"simulating {counted(len(configs), 'setup')}, {counted(runs, 'run')} x {counted(sprints, 'sprint')} each ...",
          file=sys.stderr)
    from tqdm import tqdm

    # As `pe-sim run` shows it, on stderr; a report whose runs take under a second shows none (report has no --quiet).
    with tqdm(total=runs * len(configs), unit="run", desc="simulating", delay=PROGRESS_DELAY, file=sys.stderr) as bar:
        def on_runs(n: int) -> None:
            bar.update(n)
            if bar.n >= runs * len(configs):  # the figures come next: the bar is done, not stuck at 100%
                bar.close()

        result = rep.write(args.out, configs, runs, sprints, seed, engine=args.engine, command=command,
                           per_run=per_run, team=team, work_unit=unit, cautions=cautions, on_runs=on_runs)
    for line in result.cautions:
        print(line, file=sys.stderr)
    print(f"wrote {args.out} ({len(result.figures)} figures, {len(result.html) / 1e6:.1f} MB, self-contained)")
    return 0
