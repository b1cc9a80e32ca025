"""The dashboard's live plots (matplotlib PNGs rendered on the server) and its team view (HTML).

Plots are drawn with matplotlib's object API (no pyplot state, safe from Solara's worker
threads) and sent to the browser as PNG bytes, so nothing is fetched from the internet and every
browser shows the same picture. In side-by-side mode both columns share y-axis limits, so the
room compares heights honestly. Injected and scripted events are marked on every plot.
"""

from __future__ import annotations

import html
import io
from typing import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from pe_sim.dashboard.captions import TITLES  # noqa: E402
from pe_sim.dashboard.session import Setup  # noqa: E402

PLOTS = ("customer_value", "velocity", "tech_debt", "incidents_trust", "trust", "burnout")
SIZE = (5.4, 2.45)  # inches; at DPI this is about 540 x 245 pixels
DPI = 100
COLORS = {"a": "#1f6fb4", "b": "#d9661a", "c": "#2e9a4a", "d": "#8a4fb8", "grey": "#7b8794", "event": "#b42318"}
EVENT_SHORT = {"customer_escalation": "escalation", "deadline_crunch": "crunch", "key_engineer_leaves": "key leaves",
               "pm_absent": "PM away", "em_absent": "EM away", "hiring_wave": "hiring", "competitor_launch": "competitor"}


def _series(setup: Setup, key: str) -> list[float]:
    return [row[key] for row in setup.history]


def _x(setup: Setup) -> list[int]:
    return list(range(len(setup.history)))  # sprints are numbered from 0, as in configs and data


def y_limits(setups: Sequence[Setup]) -> dict[str, tuple[float, float]]:
    """Shared y ranges per plot, so side-by-side columns compare at the same scale."""
    def top(keys, floor):
        vals = [row[k] for s in setups for row in s.history for k in keys]
        return max([floor] + vals) * 1.08

    return {
        "customer_value": (0.0, top(["customer_value"], 1.0)),
        "velocity": (0.0, top(["velocity", "committed"], 1.0)),
        "tech_debt": (0.0, top(["tech_debt"], 10.0)),
        "incidents_trust": (0.0, top(["incidents"], 3.0)),
        "trust": (0.0, 1.0),
        "burnout": (0.0, 1.0),
    }


def _frame(ax, setup: Setup, ylim: tuple[float, float], horizon_hint: int) -> None:
    n = len(setup.history)
    ax.set_xlim(0.5, max(horizon_hint, n) + 0.5)
    ax.set_ylim(*ylim)
    ax.grid(alpha=0.25)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.set_xlabel("sprint", fontsize=8, labelpad=1)
    by_sprint: dict[int, list[str]] = {}
    for sprint, kind in setup.events:
        if sprint <= n:  # only events that have hit already
            label = EVENT_SHORT.get(kind, kind)
            if label not in by_sprint.setdefault(sprint, []):
                by_sprint[sprint].append(label)
    for sprint, labels in sorted(by_sprint.items()):
        x = sprint - 0.5  # just before the first sprint the event hits (sprints count from 0)
        ax.axvline(x, color=COLORS["event"], lw=0.9, ls=":", alpha=0.8)
        ax.text(x, ylim[1], " " + " + ".join(labels), fontsize=7, color=COLORS["event"], va="top", ha="right",
                rotation=90, clip_on=True)


def _draw_customer_value(ax, s: Setup):
    y = _series(s, "customer_value")
    ax.fill_between(_x(s), y, color=COLORS["c"], alpha=0.25, lw=0, step="mid")
    ax.plot(_x(s), y, color=COLORS["c"], lw=1.6, drawstyle="steps-mid", label="value this sprint")
    return f"total so far: {sum(y):,.0f}"


def _draw_velocity(ax, s: Setup):
    ax.plot(_x(s), _series(s, "committed"), color=COLORS["grey"], lw=1.2, ls="--", label="committed")
    ax.plot(_x(s), _series(s, "velocity"), color=COLORS["a"], lw=1.8, label="finished")
    ax.legend(fontsize=7, frameon=False, loc="lower left", ncol=2)
    v = _series(s, "velocity")
    return f"last sprint: {v[-1]:.1f} ideal-days" if v else ""


def _draw_tech_debt(ax, s: Setup):
    y = _series(s, "tech_debt")
    ax.fill_between(_x(s), y, color=COLORS["b"], alpha=0.25, lw=0)
    ax.plot(_x(s), y, color=COLORS["b"], lw=1.8)
    return f"now: {y[-1]:.0f} debt-days" if y else ""


def _draw_incidents_trust(ax, s: Setup):
    ax.bar(_x(s), _series(s, "incidents"), color=COLORS["event"], alpha=0.55, width=0.9, label="incidents")
    ax.set_ylabel("incidents", fontsize=8)
    ax2 = ax.twinx()
    ax2.plot(_x(s), _series(s, "customer_trust"), color=COLORS["a"], lw=1.8, label="customer trust")
    ax2.set_ylim(0, 1.02)
    ax2.tick_params(labelsize=8)
    ax2.set_ylabel("customer trust", fontsize=8, color=COLORS["a"])
    ax2.spines[["top"]].set_visible(False)
    y = _series(s, "customer_trust")
    return f"customer trust now: {y[-1]:.2f}" if y else ""


def _draw_trust(ax, s: Setup):
    ax.plot(_x(s), _series(s, "trust_pm_em"), color=COLORS["a"], lw=1.8, label="PM trusts EM")
    ax.plot(_x(s), _series(s, "trust_em_pm"), color=COLORS["a"], lw=1.2, ls="--", label="EM trusts PM")
    ax.plot(_x(s), _series(s, "trust_eng_em"), color=COLORS["d"], lw=1.8, label="engineers trust EM")
    ax.plot(_x(s), _series(s, "trust_eng_pm"), color=COLORS["d"], lw=1.2, ls="--", label="engineers trust PM")
    ax.legend(fontsize=6.5, frameon=False, loc="lower left", ncol=2)
    return ""


def _draw_burnout(ax, s: Setup):
    ax.plot(_x(s), _series(s, "burnout_mean"), color=COLORS["event"], lw=1.8, label="average")
    ax.plot(_x(s), _series(s, "burnout_max"), color=COLORS["event"], lw=1.2, ls="--", label="worst")
    ax.axhspan(0.7, 1.0, color=COLORS["event"], alpha=0.06, lw=0)
    ax.legend(fontsize=7, frameon=False, loc="upper left", ncol=2)
    y = _series(s, "burnout_mean")
    return f"average now: {y[-1]:.2f}" if y else ""


DRAW: dict[str, Callable] = {
    "customer_value": _draw_customer_value, "velocity": _draw_velocity, "tech_debt": _draw_tech_debt,
    "incidents_trust": _draw_incidents_trust, "trust": _draw_trust, "burnout": _draw_burnout,
}


def plot_png(key: str, setup: Setup, ylim: tuple[float, float], horizon_hint: int = 26) -> bytes:
    """One plot of one setup as PNG bytes."""
    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _frame(ax, setup, ylim, horizon_hint)
    note = DRAW[key](ax, setup)
    ax.set_title(f"{TITLES[key]}  ·  {setup.label}", fontsize=9.5, loc="left")
    if note:
        ax.text(1.0, 1.01, note, transform=ax.transAxes, fontsize=7.5, ha="right", va="bottom", color="#3b4652")
    fig.subplots_adjust(left=0.085, right=0.9 if key == "incidents_trust" else 0.975, bottom=0.17, top=0.88)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def all_plots(setups: Sequence[Setup], horizon_hint: int = 26) -> dict[tuple[str, int], bytes]:
    """Every plot of every setup: {(plot key, setup index): PNG bytes}."""
    limits = y_limits(setups)
    return {(k, i): plot_png(k, s, limits[k], horizon_hint) for k in PLOTS for i, s in enumerate(setups)}


# --- team view -----------------------------------------------------------------------------------

def _bar(value: float, color: str, label: str) -> str:
    pct = max(0.0, min(1.0, value)) * 100
    return (f"<div style='display:flex;align-items:center;gap:4px;font-size:11px;line-height:14px'>"
            f"<span style='width:52px;color:#3b4652'>{label}</span>"
            f"<span style='flex:1;height:8px;background:#e6eaef;border-radius:4px;overflow:hidden'>"
            f"<span style='display:block;height:8px;width:{pct:.0f}%;background:{color}'></span></span>"
            f"<span style='width:28px;text-align:right'>{value:.2f}</span></div>")


def _spark(values: Sequence[float], color: str) -> str:
    vals = list(values)[-40:]
    if len(vals) < 2:
        return "<svg width='120' height='18'></svg>"
    w, h = 120, 18
    pts = " ".join(f"{i * w / (len(vals) - 1):.1f},{h - 1 - v * (h - 2):.1f}" for i, v in enumerate(vals))
    return (f"<svg width='{w}' height='{h}' viewBox='0 0 {w} {h}' role='img' aria-label='burnout over time'>"
            f"<line x1='0' y1='{h - 1 - 0.7 * (h - 2):.1f}' x2='{w}' y2='{h - 1 - 0.7 * (h - 2):.1f}' "
            f"stroke='#f3c4c0' stroke-width='1'/><polyline fill='none' stroke='{color}' stroke-width='1.5' "
            f"points='{pts}'/></svg>")


def _burnout_color(b: float) -> str:
    # green -> amber -> red
    if b < 0.35:
        return "#2e9a4a"
    if b < 0.6:
        return "#e0a100"
    return "#c62d1f"


def team_html(setup: Setup) -> str:
    """One card per engineer: burnout and ramp-up bars, a burnout sparkline, joining and leaving marks."""
    now = setup.sprint
    cards = []
    for r in setup.team_view():
        b = r.burnout[-1] if r.burnout else 0.0
        if r.left is not None:
            why = {"key_engineer_leaves": "resigned (key engineer)"}.get(
                r.reason, "left, burned out" if b >= 0.6 else "left")
            badge = f"<span style='color:#b42318;font-weight:600'>{html.escape(why)} in sprint {r.left}</span>"
            style = "opacity:.45;border:1px dashed #b42318"
            state = "left"
        elif r.joined >= 0 and r.ramp < 0.999:
            badge = f"<span style='color:#1f6fb4;font-weight:600'>new: joined sprint {r.joined}</span>"
            style = "border:1px solid #1f6fb4"
            state = "new"
        else:
            since = "starting team" if r.joined < 0 else f"since sprint {r.joined}"
            badge = f"<span style='color:#5b6673'>{since}</span>"
            style = "border:1px solid #d3dae2"
            state = "here"
        cards.append(
            f"<div class='pe-engineer' data-state='{state}' data-key='{r.key}' data-burnout='{b:.3f}' "
            f"data-ramp='{r.ramp:.3f}' style='{style};border-radius:6px;padding:5px 7px;width:168px;"
            f"background:#fff'>"
            f"<div style='font-size:12px;font-weight:600;display:flex;justify-content:space-between'>"
            f"<span>{html.escape(r.name)}</span><span style='font-size:10px;font-weight:400'>skill {r.skill:.1f}"
            f"</span></div><div style='font-size:10.5px;margin-bottom:2px'>{badge}</div>"
            + (f"<div style='font-size:10px;color:#5b6673'>cares most about {html.escape(r.cares)}</div>"
               if r.cares else "") +
            f"{_bar(b, _burnout_color(b), 'burnout')}{_bar(r.ramp, '#1f6fb4', 'ramp-up')}"
            f"{_spark(r.burnout, _burnout_color(b))}</div>")
    here = sum(1 for r in setup.team_view() if r.left is None)
    head = (f"<div style='font-size:12px;color:#3b4652;margin-bottom:4px'><b>{html.escape(setup.label)}</b>: "
            f"{here} engineer{'s' if here != 1 else ''} after sprint {now}</div>")
    return (f"<div class='pe-team' data-sprint='{now}'>{head}"
            f"<div style='display:flex;flex-wrap:wrap;gap:6px'>{''.join(cards)}</div></div>")
