"""`pe-sim scenarios`, `pe-sim params` and `pe-sim validate`."""

from __future__ import annotations

from pe_sim import config as cfg
from pe_sim.params import BY_NAME, GROUPS, PARAMS, is_assumption
from pe_sim.words import counted


def register(sub) -> None:
    p = sub.add_parser("scenarios", help="list the shipped scenarios",
                       description="List the scenarios shipped with pe-sim, each with its description; any command "
                                   "that takes a CONFIG takes one of these names as well as a TOML file.")
    p.set_defaults(func=scenarios)
    p = sub.add_parser("params", help="print the parameter table (name, unit, default, range, meaning)",
                       description="Print the model's parameters: name, unit, default, valid range and meaning, and "
                                   "with --markdown the published source of each default (or 'assumption'). Any of "
                                   "them can be set in a config's [params] table or varied in a sweep.")
    p.add_argument("--group", choices=GROUPS, help="only this group")
    p.add_argument("--assumptions", action="store_true",
                   help="only the parameters whose value rests on no published source (the model's assumptions)")
    p.add_argument("--markdown", action="store_true", help="as a markdown table (with each value's source)")
    p.add_argument("names", nargs="*", metavar="NAME", help="only these parameters")
    p.set_defaults(func=params)
    p = sub.add_parser("validate", help="check config files and report the first problem in each",
                       description="Check pe-sim TOML files without running anything: scenario configs, sweep files "
                                   "(a [sweep] table) and calibration configs (a [calibrate] table). Prints 'ok' or "
                                   "the first problem of each, naming the key and what is valid; exits 2 if any is "
                                   "invalid.")
    p.add_argument("configs", nargs="+", metavar="CONFIG",
                   help="a TOML file (scenario, sweep or calibration config) or a shipped scenario name")
    p.set_defaults(func=validate)


def scenarios(args) -> int:
    import shutil
    import textwrap

    names = cfg.scenario_names()
    w = max(len(n) for n in names)
    room = max(30, shutil.get_terminal_size((120, 24)).columns - w - 2)
    for name in names:
        c = cfg.load(name)
        lines = textwrap.wrap(f"{c.description} [{c.source}]", room)  # wrapped at words, never cut
        print(f"{name:<{w}}  {lines[0]}")
        for more in lines[1:]:
            print(" " * (w + 2) + more)
    print(f"\n(files in {cfg.SCENARIO_DIR}; run one with `pe-sim run NAME`)")
    return 0


def _toml(value) -> str:
    """A default as it is written in a config's [params] (true, not Python's True; choices quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


def params(args) -> int:
    for name in args.names:
        if name not in BY_NAME:
            raise cfg._unknown("pe-sim params", "NAME", name, BY_NAME)
    rows = [p for p in PARAMS if args.group in (None, p.group) and (not args.assumptions or is_assumption(p))
            and (not args.names or p.name in args.names)]
    if not rows:  # every group has assumptions, so only NAMEs outside --group/--assumptions get here
        raise cfg.ConfigError("pe-sim params", "NAME", _nothing_matches(args))
    if args.markdown:  # the cells of docs/ODD.md's table: pipes escaped, values as TOML spells them
        from pe_sim.docs import param_cells

        print("| name | group | unit | default | range | meaning | source |")
        print("|---|---|---|---|---|---|---|")
        for p in rows:
            name, *rest = param_cells(p)
            print("| " + " | ".join([name, p.group, *rest]) + " |")
        return 0
    import shutil
    import textwrap

    cols = [("name", lambda p: p.name), ("default", lambda p: _toml(p.default)),
            ("valid range", lambda p: p.describe_range()), ("unit", lambda p: p.unit)]
    widths = [max(len(title), *(len(get(p)) for p in rows)) for title, get in cols]
    lead = sum(widths) + 2 * len(widths) + 2
    room = max(30, shutil.get_terminal_size((120, 24)).columns - lead)  # meanings wrap, never overflow
    print("  " + "  ".join(t.ljust(w) for (t, _), w in zip(cols, widths)) + "  meaning\n")
    for group in GROUPS:
        sub = [p for p in rows if p.group == group]
        if not sub:
            continue
        print(f"[{group}]")
        for p in sub:
            text = p.meaning + (f" [source: {p.source}]" if p.source else "")
            lines = textwrap.wrap(text, room) or [""]
            print("  " + "  ".join(get(p).ljust(w) for (_, get), w in zip(cols, widths)) + "  " + lines[0])
            for more in lines[1:]:
                print(" " * lead + more)
        print()
    return 0


def _nothing_matches(args) -> str:
    """Why `pe-sim params [NAME...] --group/--assumptions` selects nothing: the filters, and why each NAME fails them."""
    filters = ([f"in group '{args.group}'"] if args.group else []) + (["with --assumptions"] if args.assumptions else [])
    names = list(dict.fromkeys(args.names))
    why = []
    for name in names:
        p = BY_NAME[name]
        fails = ([f"is in group '{p.group}'"] if args.group not in (None, p.group) else []) + \
            (["has a published source"] if args.assumptions and not is_assumption(p) else [])
        why.append(f"{name} {' and '.join(fails)}")
    said = " ".join([", ".join(names)] * bool(names) + filters)
    return f"no parameter matches: {said}" + (f" ({'; '.join(why)})" if why else "")


def validate(args) -> int:
    bad = 0
    for path in args.configs:
        try:
            print(f"ok      {path}: {_check(path)}")
        except cfg.ConfigError as exc:
            print(f"INVALID {exc}")
            bad += 1
    return 2 if bad else 0


def _check(path: str) -> str:
    """Validate one file as what its top table says it is; a line about it (ConfigError if invalid)."""
    from pathlib import Path

    from pe_sim.sweeps.spec import SWEEP_DIR, sweep_names

    scenarios, sweeps = cfg.scenario_names(), sweep_names()
    shipped = f"(scenarios: {', '.join(scenarios)}; sweeps: {', '.join(sweeps)})"
    try:
        is_file, is_dir, exists = Path(path).is_file(), Path(path).is_dir(), Path(path).exists()
    except OSError:  # a name too long for the file system, say: cfg.load below says so
        is_file = is_dir = exists = False
    if path in sweeps and path not in scenarios and not is_file:
        data = cfg.read_toml(SWEEP_DIR / f"{path}.toml")  # a shipped example sweep by name, as `pe-sim sweep NAME` takes it
    elif is_file:
        data = cfg.read_toml(Path(path))
    elif is_dir and path not in scenarios:
        raise cfg.ConfigError(path, "file", "is a folder; expected a scenario, sweep or calibration TOML file, or the "
                                            f"name of a shipped scenario or sweep {shipped}")
    elif not exists and path not in scenarios and len(path) < 200:
        raise cfg.ConfigError(path, "file", f"no such file, shipped scenario or shipped sweep"
                                            f"{cfg._did_you_mean(path, scenarios + sweeps)} {shipped}")
    else:
        data = {}
    if "sweep" in data:
        from pe_sim.sweeps import load_sweep

        spec = load_sweep(path)
        notes = "".join(f"\n  warning: {line}" for line in spec.event_warnings())
        if "sensitivity" in data and "design" not in data["sweep"]:  # a file for `pe-sim sensitivity` only
            from pe_sim.sweeps.spec import sensitivity_design

            s = sensitivity_design(spec)
            return (f"sensitivity file '{spec.name}', {s.sensitivity.get('method', 'sobol')} ({s.design} design of "
                    f"{counted(s.n_points(), 'point')}), {len(spec.factors)} varied, {counted(spec.replicates, 'replicate')} x "
                    f"{counted(spec.sprints, 'sprint')}{notes}")
        return (f"sweep '{spec.name}', {spec.design} design, {len(spec.factors)} varied, "
                f"{counted(spec.replicates, 'replicate')} x {counted(spec.sprints, 'sprint')}{notes}")
    if "calibrate" in data:
        from pe_sim.calibration import settings_from_dict

        s = settings_from_dict(data, str(path), Path(path).parent)
        return (f"calibration config, base {s.base}, {counted(len(s.priors), 'calibrated parameter')}, "
                f"{counted(s.population, 'particle')} "
                f"(use it with pe-sim calibrate TEAM.csv --config {path})")
    c = cfg.load(path)
    notes = "".join(f"\n  warning: {line}" for line in cfg.event_warnings(c, c.sprints))
    return f"scenario '{c.name}', {counted(len(c.events), 'event')}, {counted(c.runs, 'run')} x {counted(c.sprints, 'sprint')}{notes}"
