"""A self-contained HTML handout comparing setups, good enough to email after a workshop.

`pe-sim report CONFIG [CONFIG ...] --out report.html` runs every config with the same seeds
(common random numbers) and writes one HTML file: what was run, the key outcomes with 95%
confidence intervals, plain-language comparisons, and the plots. Figures are embedded as
base64 PNG and the styles are inline, so the file has no external references at all: it opens
offline, from an email attachment, and prints.
"""

from __future__ import annotations

import base64
import html
import io
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from pe_sim import __version__
from pe_sim.config import Config, distinct_names
from pe_sim.files import write_text
from pe_sim.core.engine import OUTCOMES
from pe_sim.outcomes import WORK_OUTCOMES, meaning_in_team_unit
from pe_sim.dashboard.captions import CAPTIONS, OUTCOME_NAMES, REDUCTION_WORDS
from pe_sim.events import EVENT_KINDS
from pe_sim.params import BY_NAME, unused
from pe_sim.runner import run
from pe_sim.summary import HEADLINE, REDUCTION, end_of_run, paired_difference, summary_table

# One figure per outcome, in this order, each with its caption from CAPTIONS.
FIGURE_OUTCOMES = ("customer_value", "velocity", "tech_debt", "incidents", "customer_trust",
                   "burnout_mean", "trust_pm_em", "trust_eng_em")
# Whether a higher value is good news for the room (used only for wording).
# Whether more of each key outcome (summary.HEADLINE) is good for the team, for the findings' colours.
HIGHER_IS_BETTER = {"customer_value": True, "features_shipped": True, "velocity": True, "tech_debt": False,
                    "incidents": False, "customer_trust": True, "burnout_mean": False, "attrition": False,
                    "trust_pm_em": True, "trust_em_pm": True, "trust_eng_em": True, "alignment": True}

CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1d2733; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 2px solid #dfe5ec; padding-bottom: .2rem; }
.meta { color: #5b6673; font-size: .9rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #d3dae2; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f1f4f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.2rem 0; page-break-inside: avoid; } figure img { max-width: 100%; height: auto; }
figcaption { color: #3b4652; font-size: .92rem; margin-top: .3rem; }
.findings li { margin: .25rem 0; } .better { color: #1a7f37; } .worse { color: #b42318; }
code { background: #f1f4f7; padding: 0 .25rem; border-radius: 3px; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } }
"""


@dataclass
class Report:
    html: str
    data: pd.DataFrame
    summary: pd.DataFrame
    figures: list[str]  # titles of the embedded figures, in order
    cautions: list[str] = field(default_factory=list)  # lines the handout shows under the team's description


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _fmt(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    ax = abs(x)
    if ax >= 100:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def simulate(configs: Sequence[Config], runs: int, sprints: int, seed: int, engine: str = "core",
             per_run=None, on_runs: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Every config's runs, one frame; ``on_runs(n)`` is told of each batch of n runs done (a progress bar)."""
    return pd.concat([run(c, runs, sprints, seed, engine=engine, per_run=per_run, on_runs=on_runs) for c in configs],
                     ignore_index=True)


# Figure titles when work is in a calibrated team's own unit (points or days, as in its history).
TEAM_UNIT_TITLES = {"velocity": "Velocity (the team's unit per sprint)"}


def in_team_unit(df: pd.DataFrame, work_unit, runs: int) -> pd.DataFrame:
    """``df`` with the work outcomes of run i multiplied by ``work_unit[i]`` (the team's unit per
    ideal-day of run i's posterior draw)."""
    unit = np.asarray(work_unit, dtype=np.float64)
    if unit.shape != (runs,):
        raise ValueError(f"work_unit must hold one value per run ({runs}), got shape {unit.shape}")
    df = df.copy()
    scale = unit[df["run"].to_numpy()]
    for o in sorted(WORK_OUTCOMES & set(df.columns)):
        df[o] = df[o] * scale
    return df


# --- figures ---------------------------------------------------------------------------------------

def overview_figure(df: pd.DataFrame, titles: dict[str, str] | None = None):
    from pe_sim.plots import trajectory_figure

    return trajectory_figure(df, titles=titles)


def outcome_figure(df: pd.DataFrame, outcome: str, titles: dict[str, str] | None = None):
    from pe_sim.plots import outcome_figure as figure

    return figure(df, outcome, titles, size=(7.0, 3.3))


def outcomes_ci_figure(summary: pd.DataFrame):
    """End-of-horizon means with 95% CIs: one small panel per headline outcome."""
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(summary["outcome"]))
    scenarios = list(dict.fromkeys(summary["scenario"]))
    ncols = 4
    nrows = -(-len(outcomes) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 1.0 + 0.32 * len(scenarios) * nrows + 1.1 * nrows),
                             squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, k in zip(axes.flat, outcomes):
        sub = summary[summary["outcome"] == k].set_index("scenario")
        for i, s in enumerate(scenarios):
            r = sub.loc[s]
            lo = r["mean"] - r["ci_low"] if np.isfinite(r["ci_low"]) else 0
            hi = r["ci_high"] - r["mean"] if np.isfinite(r["ci_high"]) else 0
            ax.errorbar([r["mean"]], [i], xerr=[[lo], [hi]], fmt="o", color=colors[i % len(colors)], capsize=3)
        ax.set_yticks(range(len(scenarios)), scenarios if ax in axes[:, 0] else [""] * len(scenarios), fontsize=8)
        ax.set_ylim(-0.7, len(scenarios) - 0.3)
        ax.invert_yaxis()
        ax.set_title(f"{OUTCOME_NAMES.get(k, k)}\n({REDUCTION_WORDS[REDUCTION[k]]})", fontsize=8.5)
        ax.tick_params(axis="x", labelsize=7.5)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


# --- text ------------------------------------------------------------------------------------------

def _changed_params(c: Config) -> list[tuple[str, object, object]]:
    return [(k, v, BY_NAME[k].default) for k, v in c.params.items() if k in BY_NAME and v != BY_NAME[k].default]


def _event_text(ev) -> str:
    kind = EVENT_KINDS[ev.kind]
    span = f"for {ev.duration} sprint{'s' if ev.duration != 1 else ''}" if ev.duration > 1 else "once"
    return f"{ev.kind.replace('_', ' ')} at sprint {ev.sprint}, {span} (magnitude {ev.magnitude:g}: {kind.magnitude_meaning})"


def findings(df: pd.DataFrame, names: list[str], outcomes=HEADLINE) -> list[str]:
    """Plain-language sentences comparing every setup with the first one (paired runs)."""
    if len(names) < 2:
        return []
    base = names[0]
    out = []
    for other in names[1:]:
        diff = paired_difference(df, other, base, outcomes).set_index("outcome")
        summ = summary_table(df[df["scenario"] == base], outcomes).set_index("outcome")
        for k in outcomes:
            d = diff.loc[k]
            what = f"{OUTCOME_NAMES.get(k, k)} ({REDUCTION_WORDS[REDUCTION[k]]})"
            if not (np.isfinite(d.ci_low) and np.isfinite(d.ci_high)) or d.ci_low <= 0 <= d.ci_high:
                out.append(f"<li><b>{_e(other)}</b> vs <b>{_e(base)}</b>: no clear difference in {_e(what)} "
                           f"(difference {_fmt(d.difference)}, 95% CI {_fmt(d.ci_low)} to {_fmt(d.ci_high)}).</li>")
                continue
            higher = d.difference > 0
            base_mean = summ.loc[k, "mean"]
            rel = f"{abs(d.difference) / abs(base_mean):.0%}; " if abs(base_mean) > 1e-9 else ""
            good = HIGHER_IS_BETTER.get(k)
            cls = "" if good is None else (" class='better'" if higher == good else " class='worse'")
            out.append(f"<li{cls}><b>{_e(other)}</b>: {_e(what)} is {'higher' if higher else 'lower'} than with "
                       f"<b>{_e(base)}</b> by {_fmt(abs(d.difference))} "
                       f"({_e(rel)}95% CI {_fmt(abs(d.ci_low if higher else d.ci_high))} to "
                       f"{_fmt(abs(d.ci_high if higher else d.ci_low))}).</li>")
    return out


def _summary_html(summary: pd.DataFrame, meanings: dict[str, str]) -> str:
    scenarios = list(dict.fromkeys(summary["scenario"]))
    cells = {(r.outcome, r.scenario): r for r in summary.itertuples()}
    head = "".join(f"<th>{_e(s)}</th>" for s in scenarios)
    rows = []
    for k in dict.fromkeys(summary["outcome"]):
        tds = "".join(
            f"<td class='num'>{_fmt(cells[(k, s)].mean)} <small>[{_fmt(cells[(k, s)].ci_low)}, "
            f"{_fmt(cells[(k, s)].ci_high)}]</small></td>" for s in scenarios)
        rows.append(f"<tr><td>{_e(OUTCOME_NAMES.get(k, k))} <small>({_e(REDUCTION_WORDS[REDUCTION[k]])}; "
                    f"{_e(meanings[k])})</small></td>{tds}</tr>")
    return f"<table><tr><th>outcome</th>{head}</tr>{''.join(rows)}</table>"


_IDLE = " <small>(not used: one roadmap ranks tech items together with features)</small>"


def _setups_html(configs: Sequence[Config], per_run=None) -> str:
    """Each setup's parameters that differ from the defaults; with ``per_run``, the parameters drawn
    per run (a team's posterior) are named instead of shown as one value."""
    per_run = per_run or {}
    heads = per_run.get("n_engineers")  # the team's head count now: the same in every run, not a draw
    drawn = sorted(k for k in per_run if k != "n_engineers")
    parts = []
    for c in configs:
        idle = unused(c.params)
        changed = [row for row in _changed_params(c) if row[0] not in drawn and (heads is None or row[0] != "n_engineers")]
        rows = "".join(
            f"<tr><td><code>{_e(k)}</code></td><td>{_e(v)}</td><td>{_e(d)}</td><td>{_e(BY_NAME[k].meaning)}"
            f"{_IDLE if k in idle else ''}</td></tr>" for k, v, d in changed)
        table = (f"<table><tr><th>parameter</th><th>value</th><th>default</th><th>meaning</th></tr>{rows}</table>"
                 if changed else "<p>All other parameters at their defaults.</p>" if drawn else
                 "<p>All parameters at their defaults.</p>")
        if drawn:
            size = (f" The team's current head count in every run: <code>n_engineers</code> = {int(heads[0])}."
                    if heads is not None and len(heads) else "")
            table = (f"<p>Drawn per run from the team's posterior: "
                     f"{', '.join(f'<code>{_e(k)}</code>' + (_IDLE if k in idle else '') for k in drawn)}.{size}</p>{table}")
        events = ("<ul>" + "".join(f"<li>{_e(_event_text(ev))}</li>" for ev in c.events) + "</ul>"
                  if c.events else "<p>No scripted events.</p>")
        parts.append(f"<h3>{_e(c.name)}</h3><p>{_e(c.description or 'No description.')}"
                     f"{' <small>(from ' + _e(c.source) + ')</small>' if c.source else ''}</p>"
                     f"{table}<p><b>Events:</b></p>{events}")
    return "".join(parts)


def _spec(c: Config) -> str:
    """How to name a config on the command line: a shipped scenario by name, anything else by path."""
    from pe_sim.config import SCENARIO_DIR

    if not c.path or Path(c.path).resolve().parent == SCENARIO_DIR.resolve():
        return c.name.split("#")[0]
    return c.path


def paired_differences(df: pd.DataFrame, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Each setup's end-of-run differences from the first, run by run, for the key outcomes, labelled
    "outcome (summary), setup - reference" as :meth:`pe_sim.analysis.Comparison.differences` does."""
    ends = {name: part.sort_values("run") for name, part in end_of_run(df).groupby("scenario", sort=False)}
    ref = ends[names[0]]
    return {f"{o} ({REDUCTION[o]}), {name} - {names[0]}": ends[name][o].to_numpy() - ref[o].to_numpy()
            for name in names[1:] for o in HEADLINE}


def build(configs: Sequence[Config], runs: int, sprints: int, seed: int, engine: str = "core",
          command: str | None = None, per_run=None, team: str | None = None, work_unit=None,
          cautions: Callable[[dict[str, np.ndarray]], list[str]] | None = None,
          on_runs: Callable[[int], None] | None = None) -> Report:
    """Run the configs and return the handout (HTML text plus the data behind it). ``per_run`` and
    ``team``: parameters drawn from a calibrated team's posterior, and a line saying so;
    ``work_unit`` (one value per run, :func:`pe_sim.calibration.posterior_unit`) puts the work
    outcomes (velocity, committed, delivered) in the team's own unit, as ``compare`` does;
    ``cautions`` turns the paired differences (:func:`paired_differences`) into lines shown under
    the team's description (e.g. :func:`pe_sim.calibration.hinges`); ``on_runs(n)`` is told of each
    batch of n runs simulated (``len(configs) * runs`` in all), e.g. a progress bar's ``update``."""
    configs = distinct_names(configs)
    names = [c.name for c in configs]
    df = simulate(configs, runs, sprints, seed, engine, per_run, on_runs)
    if work_unit is not None:
        df = in_team_unit(df, work_unit, runs)
    summary = summary_table(df)
    caution_lines = cautions(paired_differences(df, names)) if cautions is not None else []
    titles = TEAM_UNIT_TITLES if work_unit is not None else None
    meanings = {**OUTCOMES, **({o: meaning_in_team_unit(o) for o in WORK_OUTCOMES} if work_unit is not None else {})}
    figs: list[tuple[str, str, str]] = []  # (title, caption, base64 png)
    figs.append(("Key outcomes with 95% confidence intervals",
                 "Each dot is the average over all runs at the end of the horizon and the whiskers are its 95% "
                 "confidence interval: where whiskers do not overlap, the setups really differ.",
                 _png(outcomes_ci_figure(summary))))
    figs.append(("Overview: outcomes sprint by sprint",
                 "Lines are averages over all runs and the shaded bands their 95% confidence intervals.",
                 _png(overview_figure(df, titles))))
    for k in FIGURE_OUTCOMES:
        name = OUTCOME_NAMES.get(k, k)
        figs.append((name[:1].upper() + name[1:] + " sprint by sprint", CAPTIONS[k], _png(outcome_figure(df, k, titles))))
    finding_items = findings(df, names)
    stamp = datetime.now(timezone.utc)
    title = " vs ".join(names)
    figure_html = "".join(
        f"<figure><img alt='{_e(t)}' src='data:image/png;base64,{b64}'><figcaption><b>{_e(t)}.</b> {_e(cap)}"
        f"</figcaption></figure>" for t, cap, b64 in figs)
    command = command or ("pe-sim report " + " ".join(_spec(c) for c in configs)
                          + f" --runs {runs} --sprints {sprints} --seed {seed} --out report.html")
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pe-sim handout: {_e(title)}</title><style>{CSS}</style></head>
<body>
<h1>What the simulation says: {_e(title)}</h1>
<p class="meta">pe-sim {_e(__version__)} &middot; generated {stamp:%Y-%m-%d %H:%M} UTC &middot; {runs} runs per setup
&middot; {sprints} sprints (two weeks each) &middot; seed {seed} &middot; engine {_e(engine)}</p>
<p>Each setup below was simulated {runs} times with the same random numbers (run <i>i</i> of every setup meets the
same luck), so differences come from the practices, not from chance. A run follows one team of a product manager,
an engineering manager and their engineers for {sprints} sprints.</p>
{('<p>' + _e(team) + '</p>') if team else ''}
{('<p><b>' + _e(caution_lines[0][:1].upper() + caution_lines[0][1:]) + '</b></p><ul>'
  + ''.join('<li>' + _e(line.strip()) + '</li>' for line in caution_lines[1:]) + '</ul>') if caution_lines else ''}
<h2>What was run</h2>
{_setups_html(configs, per_run)}
<h2>Key outcomes</h2>
<p>Mean over runs with its 95% confidence interval in brackets.</p>
{_summary_html(summary, meanings)}
{('<h2>In plain words</h2><p>Each setup compared with <b>' + _e(names[0]) + '</b>, run by run '
  '(green: better for the team or customers, red: worse).</p><ul class="findings">' + ''.join(finding_items) + '</ul>')
  if finding_items else ''}
<h2>Plots</h2>
{figure_html}
<h2>Reproduce</h2>
<p>Same numbers on any machine: <code>{_e(command)}</code></p>
<p class="meta">Python {_e(platform.python_version())}. Models are for discussion, not prediction: the value is in
comparing setups under the same assumptions.</p>
</body></html>
"""
    return Report(doc, df, summary, [t for t, _, _ in figs], caution_lines)


def write(path: str | Path, configs: Sequence[Config], runs: int, sprints: int, seed: int,
          engine: str = "core", command: str | None = None, per_run=None, team: str | None = None,
          work_unit=None, cautions=None, on_runs: Callable[[int], None] | None = None) -> Report:
    rep = build(configs, runs, sprints, seed, engine, command, per_run, team, work_unit, cautions, on_runs)
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    write_text(path, rep.html)
    return rep
