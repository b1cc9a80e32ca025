"""The dashboard's live plots (small hand-written SVG charts) and its team view (HTML).

Each plot is an SVG document built as a string on the server and shown as an image, so nothing is
fetched from the internet, every browser shows the same picture, and a redraw costs about a
millisecond (a matplotlib figure per plot cost ~40 ms each, which made a side-by-side step take
more than half a second). Every piece of text that can come from a user (a scenario's name, an
event label) is XML-escaped, and SVG shown as an ``<img>`` runs no script in any case.

In side-by-side mode both columns share y-axis limits, so the room compares heights honestly.
Events are marked on every plot: a span for events that last several sprints (a crunch, an
absence), a line for one-off events (a resignation, a hiring wave). With a band (``bands``), the
plot also shows the middle 80 % and the median of 100 runs with the same settings behind the
chosen run, so a room sees whether this run's story is typical.
"""

from __future__ import annotations

import html
import math
from typing import Mapping, Sequence

from pe_sim.dashboard.captions import TITLES
from pe_sim.dashboard.session import Setup

PLOTS = ("customer_value", "velocity", "tech_debt", "incidents_trust", "trust", "burnout")
W, H = 540, 245  # SVG user units (pixels at 100 %)
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 34, 30
RIGHT_TWIN = 46
# Long runs: a series with more points than this is drawn as the lowest and highest value of each
# of MAX_POINTS / 2 runs of sprints. A plot is ~480 px wide, so a 1,000-sprint line has ~2 points
# per pixel the eye cannot tell apart, while the extremes (a spike of incidents, a burnout peak)
# stay; it keeps a frame's SVG and drawing time from growing with the run.
MAX_POINTS = 400
STEP_MIN_WIDTH = 2.0  # user units per sprint under which steps look like a line: drawn as one
FONT = "font-family='DejaVu Sans, Arial, Helvetica, sans-serif'"
COLORS = {"a": "#1f6fb4", "b": "#d9661a", "c": "#2e9a4a", "d": "#8a4fb8", "grey": "#7b8794", "event": "#b42318",
          "band": "#5b6673"}
EVENT_SHORT = {"customer_escalation": "escalation", "deadline_crunch": "crunch", "key_engineer_leaves": "key leaves",
               "pm_absent": "PM away", "em_absent": "EM away", "hiring_wave": "hiring", "competitor_launch": "competitor",
               "team_size": "reorg"}
# The outcome a plot's band is drawn for (the plot's main line).
BAND_SERIES = {"customer_value": "customer_value", "velocity": "velocity", "tech_debt": "tech_debt",
               "incidents_trust": "customer_trust", "trust": "trust_pm_em", "burnout": "burnout_mean"}
# outcome -> (p10, p50, p90) per sprint, and "runs" -> {outcome: runs x sprints array} (see session.band)
Band = Mapping[str, object]


def esc(text: object) -> str:
    """Text made safe for HTML and SVG (also inside attribute values)."""
    return html.escape(str(text), quote=True)


def _series(setup: Setup, key: str) -> list[float]:
    return [row[key] for row in setup.history]


def y_limits(setups: Sequence[Setup], bands: Sequence[Band | None] | None = None,
             upto: int | None = None) -> dict[str, tuple[float, float]]:
    """Shared y ranges per plot, so side-by-side columns compare at the same scale."""
    def top(keys, floor):
        vals = [row[k] for s in setups for row in s.history for k in keys]
        for b in bands or ():
            for k in keys:
                if b and k in b:
                    hi = b[k][2]
                    vals.extend(float(v) for v in (hi[:upto] if upto else hi))
        finite = [v for v in vals if math.isfinite(v)]
        return max([floor] + finite) * 1.08

    return {
        "customer_value": (0.0, top(["customer_value"], 1.0)),
        "velocity": (0.0, top(["velocity", "committed"], 1.0)),
        "tech_debt": (0.0, top(["tech_debt"], 10.0)),
        "incidents_trust": (0.0, top(["incidents"], 3.0)),
        "trust": (0.0, 1.0),
        "burnout": (0.0, 1.0),
    }


def nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About ``n`` round tick values between lo and hi."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    out, v = [], first
    while v <= hi + 1e-9 * step:
        out.append(round(v, 10))
        v += step
    return out


def _fmt(v: float) -> str:
    if v == int(v) and abs(v) < 1e6:
        return f"{int(v):,}"
    return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) < 10 else f"{v:,.1f}"


class _Chart:
    """One plot: maps sprints and values to SVG coordinates and collects SVG elements."""

    def __init__(self, xmax: int, ylim: tuple[float, float], twin: bool = False):
        self.x0, self.x1 = LEFT, W - (RIGHT_TWIN if twin else RIGHT)
        self.y0, self.y1 = H - BOTTOM, TOP  # bottom, top in SVG coordinates
        # Sprints are numbered from 1 as the room counts them (and as the header, log and team view do):
        # the first sprint played is sprint 1, plotted at x = 1.
        self.xlo, self.xhi = 0.5, xmax + 0.5
        self.ylo, self.yhi = ylim
        self.parts: list[str] = []

    def X(self, x: float) -> float:
        return self.x0 + (x - self.xlo) / (self.xhi - self.xlo) * (self.x1 - self.x0)

    def Y(self, y: float, lim: tuple[float, float] | None = None) -> float:
        lo, hi = lim or (self.ylo, self.yhi)
        y = min(max(y, lo - 0.05 * (hi - lo)), hi + 0.05 * (hi - lo)) if math.isfinite(y) else lo
        return self.y0 - (y - lo) / (hi - lo) * (self.y0 - self.y1)

    def pts(self, xs, ys, lim=None) -> str:
        return " ".join(f"{self.X(x):.1f},{self.Y(y, lim):.1f}" for x, y in zip(xs, ys))

    def add(self, s: str) -> None:
        self.parts.append(s)

    def dense(self, n: int) -> bool:
        """Whether ``n`` sprints are too narrow to draw as steps."""
        return n > 1 and (self.x1 - self.x0) / (self.xhi - self.xlo) < STEP_MIN_WIDTH

    def line(self, ys, color, width=1.8, dash="", steps=False, lim=None, start=1) -> None:
        if not ys:
            return
        xs = list(range(start, start + len(ys)))
        steps = steps and not self.dense(len(ys))
        if len(ys) > MAX_POINTS:
            xs, ys = thin(xs, ys)
        elif steps:
            xs2, ys2 = [], []
            for x, y in zip(xs, ys):
                xs2 += [x - 0.5, x + 0.5]
                ys2 += [y, y]
            xs, ys = xs2, ys2
        elif len(ys) == 1:
            xs, ys = [xs[0] - 0.3, xs[0] + 0.3], [ys[0], ys[0]]
        d = f" stroke-dasharray='{dash}'" if dash else ""
        self.add(f"<polyline fill='none' stroke='{color}' stroke-width='{width}'{d} stroke-linejoin='round' "
                 f"points='{self.pts(xs, ys, lim)}' clip-path='url(#c)'/>")

    def area(self, ys, color, opacity=0.25, steps=False, lower=None, lim=None, start=1) -> None:
        """The area between ``ys`` and ``lower`` (default: the axis floor)."""
        if not ys:
            return
        xs = list(range(start, start + len(ys)))
        steps = steps and not self.dense(len(ys))
        if len(ys) > MAX_POINTS:  # the top edge keeps its highs and the bottom edge its lows
            top = thin(xs, ys, "max")
            low = thin(xs, list(lower), "min") if lower is not None else None
            xs, ys = top
            if low is not None:
                lower = low[1]
        elif steps:
            xs2, ys2, lo2 = [], [], []
            for i, (x, y) in enumerate(zip(xs, ys)):
                xs2 += [x - 0.5, x + 0.5]
                ys2 += [y, y]
                if lower is not None:
                    lo2 += [lower[i], lower[i]]
            xs, ys, lower = xs2, ys2, (lo2 if lower is not None else None)
        floor = (lim or (self.ylo, self.yhi))[0]
        low = list(lower) if lower is not None else [floor] * len(xs)
        poly = self.pts(xs, ys, lim) + " " + self.pts(xs[::-1], low[::-1], lim)
        self.add(f"<polygon fill='{color}' fill-opacity='{opacity}' stroke='none' points='{poly}' "
                 f"clip-path='url(#c)'/>")

    def bars(self, ys, color, opacity=0.55) -> None:
        d = []
        k = max(1, math.ceil(len(ys) / (MAX_POINTS // 2)))  # long runs: one bar (the highest) per k sprints
        w = 0.9 * k * (self.X(2) - self.X(1))
        for i in range(0, len(ys), k):
            y = max(ys[i:i + k])
            if y > 0:
                top = self.Y(y)
                mid = self.X(1 + i + (min(k, len(ys) - i) - 1) / 2)  # sprint i + 1 is the first of the group
                d.append(f"M{mid - w / 2:.1f} {self.y0:.1f}V{top:.1f}h{w:.2f}V{self.y0:.1f}z")
        if d:
            self.add(f"<path fill='{color}' fill-opacity='{opacity}' d='{''.join(d)}' clip-path='url(#c)'/>")

    def axes(self, twin: tuple[float, float] | None = None, twin_label: str = "", left_label: str = "") -> None:
        g = []
        for v in nice_ticks(self.ylo, self.yhi):
            y = self.Y(v)
            g.append(f"<line x1='{self.x0}' x2='{self.x1}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e3e7ec'/>"
                     f"<text x='{self.x0 - 4}' y='{y + 3.5:.1f}' text-anchor='end'>{_fmt(v)}</text>")
        for v in nice_ticks(0.0, self.xhi - 0.5, 6):
            if v != int(v) or v < 1 or v > self.xhi:  # no sprint 0: the first sprint is 1
                continue
            x = self.X(v)
            g.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{self.y0}' y2='{self.y0 + 3}' stroke='#7b8794'/>"
                     f"<text x='{x:.1f}' y='{self.y0 + 13}' text-anchor='middle'>{int(v)}</text>")
        g.append(f"<line x1='{self.x0}' x2='{self.x1}' y1='{self.y0}' y2='{self.y0}' stroke='#7b8794'/>"
                 f"<line x1='{self.x0}' x2='{self.x0}' y1='{self.y0}' y2='{self.y1}' stroke='#7b8794'/>"
                 f"<text x='{(self.x0 + self.x1) / 2:.0f}' y='{H - 4}' text-anchor='middle'>sprint</text>")
        if left_label:
            g.append(f"<text transform='translate(11 {(self.y0 + self.y1) / 2:.0f}) rotate(-90)' "
                     f"text-anchor='middle'>{esc(left_label)}</text>")
        if twin:
            g.append(f"<line x1='{self.x1}' x2='{self.x1}' y1='{self.y0}' y2='{self.y1}' stroke='#7b8794'/>")
            for v in nice_ticks(*twin):
                y = self.Y(v, twin)
                g.append(f"<text x='{self.x1 + 4}' y='{y + 3.5:.1f}' fill='{COLORS['a']}'>{_fmt(v)}</text>")
            g.append(f"<text transform='translate({W - 6} {(self.y0 + self.y1) / 2:.0f}) rotate(90)' "
                     f"text-anchor='middle' fill='{COLORS['a']}'>{esc(twin_label)}</text>")
        self.parts.insert(0, f"<g font-size='10' fill='#3b4652'>{''.join(g)}</g>")

    def events(self, events: Sequence[tuple[int, str, int]], now: int) -> None:
        """Spans for events that last, lines for one-off events: events that have hit already and those
        queued for the next sprint. ``events`` count sprints from 0 (as configs do): an event at 0-based
        sprint t hits sprint t + 1 on the axis, where its line sits (a span covers sprints t + 1 ..
        t + duration)."""
        seen: dict[tuple[int, int], list[str]] = {}
        for sprint, kind, duration in events:
            if sprint > now:
                continue
            label = EVENT_SHORT.get(kind, kind)
            labels = seen.setdefault((sprint, max(1, int(duration))), [])
            if label not in labels:
                labels.append(label)
        last_x, free_y = -1e9, self.y1 + 3.0
        for (sprint, duration), labels in sorted(seen.items()):
            hit = sprint + 1  # the sprint the event hits, as the log and the team view number it
            kind = "edge" if duration > 1 else "line"
            x = self.X(hit - 0.5) if duration > 1 else self.X(hit)
            if duration > 1:
                x2 = self.X(hit + duration - 0.5)
                self.add(f"<rect class='pe-event-span' data-sprint='{hit}' x='{x:.1f}' y='{self.y1}' "
                         f"width='{max(1.0, x2 - x):.1f}' height='{self.y0 - self.y1}' fill='{COLORS['event']}' "
                         f"fill-opacity='0.09' clip-path='url(#c)'/>")
            self.add(f"<line class='pe-event-{kind}' data-sprint='{hit}' x1='{x:.1f}' x2='{x:.1f}' y1='{self.y1}' "
                     f"y2='{self.y0}' "
                     f"stroke='{COLORS['event']}' stroke-width='1' stroke-dasharray='2 2' clip-path='url(#c)'/>")
            tx = x + 2 if x < self.x1 - 14 else x - 11  # rotated text extends to the right of its anchor
            text = " + ".join(labels)
            ty = free_y if x - last_x < 11 else self.y1 + 3.0  # close to the last label: start below it
            last_x, free_y = x, ty + 5.2 * len(text) + 4
            self.add(f"<text transform='translate({tx:.1f} {ty:.1f}) rotate(90)' font-size='9' "
                     f"fill='{COLORS['event']}'>{esc(text)}</text>")

    def legend(self, items: Sequence[tuple[str, str, str]], where: str = "bottom") -> None:
        rows: list[list[tuple[str, str, str]]] = [[]]
        room, used = self.x1 - self.x0 - 16, 0.0
        for item in items:  # wrap into rows that fit the plot
            w = 26 + 5.6 * len(item[0])
            if rows[-1] and used + w > room:
                rows.append([])
                used = 0.0
            rows[-1].append(item)
            used += w
        out = []
        for i, row in enumerate(rows):
            x = self.x0 + 8
            y = self.y0 - 8 - 13 * (len(rows) - 1 - i) if where == "bottom" else self.y1 + 12 + 13 * i
            width = sum(26 + 5.6 * len(label) for label, _, _ in row)
            out.append(f"<rect x='{x - 4}' y='{y - 10}' width='{width:.0f}' height='13' fill='#fff' "
                       f"fill-opacity='0.8'/>")
            for label, color, dash in row:
                d = f" stroke-dasharray='{dash}'" if dash else ""
                out.append(f"<line x1='{x}' x2='{x + 16}' y1='{y - 3}' y2='{y - 3}' stroke='{color}' "
                           f"stroke-width='2'{d}/><text x='{x + 20}' y='{y}'>{esc(label)}</text>")
                x += 26 + 5.6 * len(label)
        self.add(f"<g font-size='9.5' fill='#3b4652'>{''.join(out)}</g>")

    def svg(self, title: str, note: str, data: Mapping[str, str]) -> bytes:
        attrs = "".join(f" data-{k}='{esc(v)}'" for k, v in data.items())
        body = "".join(self.parts)
        return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}' viewBox='0 0 {W} {H}' "
                f"{FONT}{attrs}><rect width='{W}' height='{H}' fill='#fff'/>"
                f"<defs><clipPath id='c'><rect x='{self.x0}' y='{self.y1 - 1}' width='{self.x1 - self.x0}' "
                f"height='{self.y0 - self.y1 + 1}'/></clipPath></defs>"
                f"<text x='{self.x0}' y='16' font-size='12.5' font-weight='600' fill='#1d2733'>{esc(title)}</text>"
                f"<text x='{W - 6}' y='28' font-size='10' text-anchor='end' fill='#3b4652'>{esc(note)}</text>"
                f"{body}</svg>").encode()


def thin(xs: Sequence[float], ys: Sequence[float], keep: str = "both") -> tuple[list[float], list[float]]:
    """At most :data:`MAX_POINTS` points of a long series: per run of sprints its lowest and highest
    point in sprint order (``keep`` "max" or "min": only that one, for an area's top or bottom edge)."""
    import numpy as np

    a = np.asarray(ys, dtype=float)
    n = len(a)
    k = math.ceil(n / (MAX_POINTS // 2))
    m = math.ceil(n / k)
    runs = np.concatenate([a, np.full(m * k - n, np.nan)]).reshape(m, k)  # the last run may be shorter
    first = np.arange(m) * k
    lo, hi = first + np.nanargmin(runs, axis=1), first + np.nanargmax(runs, axis=1)
    picks = lo if keep == "min" else hi if keep == "max" else np.stack([np.minimum(lo, hi),
                                                                         np.maximum(lo, hi)], axis=1).ravel()
    x = np.asarray(xs, dtype=float)
    return x[picks].tolist(), a[picks].tolist()


def _rank(value: float, band: Band | None, key: str, t: int) -> str:
    """Where this run's value at sprint t sits among the band's runs (a short phrase)."""
    runs = (band or {}).get("runs", {}).get(key) if band else None
    if runs is None or t < 1 or t > runs.shape[1]:
        return ""
    below = int((runs[:, t - 1] < value - 1e-12).sum())
    return f"above {below} of {runs.shape[0]} runs"


def _band(ch: _Chart, band: Band | None, key: str, upto: int, lim=None) -> None:
    if not band or key not in band:
        return
    lo, mid, hi = (list(v[:upto]) for v in band[key][:3])
    if not lo:
        return
    ch.area(hi, COLORS["band"], opacity=0.16, lower=lo, lim=lim)
    ch.line(mid, COLORS["band"], width=1.0, dash="4 3", lim=lim)


def x_extent(n: int, hint: int = 26, horizon: int | None = None) -> int:
    """The last sprint on the x axis: whole blocks of ``hint`` sprints past the current one (so the axis
    moves in steps a room can follow and a fresh event's span has room), never past the horizon."""
    xmax = max(hint, math.ceil((n + 1) / hint) * hint)
    return max(n, min(xmax, horizon)) if horizon else xmax


def plot_svg(key: str, setup: Setup, ylim: tuple[float, float], horizon_hint: int = 26,
             band: Band | None = None, horizon: int | None = None) -> bytes:
    """One plot of one setup as SVG bytes."""
    n = len(setup.history)
    xmax = x_extent(n, horizon_hint, horizon)
    twin = key == "incidents_trust"
    ch = _Chart(xmax, ylim, twin=twin)
    upto = xmax
    note = ""
    legend: list[tuple[str, str, str]] = []
    main = BAND_SERIES[key]
    tlim = (0.0, 1.02)
    if key == "customer_value":
        _band(ch, band, main, upto)
        y = _series(setup, "customer_value")
        ch.area(y, COLORS["c"], steps=True)
        ch.line(y, COLORS["c"], 1.6, steps=True)
        note = f"total so far: {sum(y):,.0f}"
    elif key == "velocity":
        _band(ch, band, main, upto)
        ch.line(_series(setup, "committed"), COLORS["grey"], 1.2, dash="5 3")
        v = _series(setup, "velocity")
        ch.line(v, COLORS["a"], 1.8)
        legend = [("committed", COLORS["grey"], "5 3"), ("finished", COLORS["a"], "")]
        note = f"last sprint: {v[-1]:.1f} ideal-days" if v else ""
    elif key == "tech_debt":
        _band(ch, band, main, upto)
        y = _series(setup, "tech_debt")
        ch.area(y, COLORS["b"])
        ch.line(y, COLORS["b"], 1.8)
        note = f"now: {y[-1]:.0f} debt-days" if y else ""
    elif key == "incidents_trust":
        ch.bars(_series(setup, "incidents"), COLORS["event"])
        _band(ch, band, main, upto, lim=tlim)
        y = _series(setup, "customer_trust")
        ch.line(y, COLORS["a"], 1.8, lim=tlim)
        note = f"customer trust now: {y[-1]:.2f}" if y else ""
    elif key == "trust":
        _band(ch, band, main, upto)
        ch.line(_series(setup, "trust_pm_em"), COLORS["a"], 1.8)
        ch.line(_series(setup, "trust_em_pm"), COLORS["a"], 1.2, dash="5 3")
        ch.line(_series(setup, "trust_eng_em"), COLORS["d"], 1.8)
        ch.line(_series(setup, "trust_eng_pm"), COLORS["d"], 1.2, dash="5 3")
        legend = [("PM trusts EM", COLORS["a"], ""), ("EM trusts PM", COLORS["a"], "5 3"),
                  ("engineers trust EM", COLORS["d"], ""), ("engineers trust PM", COLORS["d"], "5 3")]
    elif key == "burnout":
        ch.add(f"<rect x='{ch.x0}' y='{ch.Y(1.0):.1f}' width='{ch.x1 - ch.x0}' height='{ch.Y(0.7) - ch.Y(1.0):.1f}' "
               f"fill='{COLORS['event']}' fill-opacity='0.06'/>")
        _band(ch, band, main, upto)
        y = _series(setup, "burnout_mean")
        ch.line(y, COLORS["event"], 1.8)
        ch.line(_series(setup, "burnout_max"), COLORS["event"], 1.2, dash="5 3")
        legend = [("average", COLORS["event"], ""), ("worst", COLORS["event"], "5 3")]
        note = f"average now: {y[-1]:.2f}" if y else ""
    else:
        raise KeyError(key)
    if band and main in band:
        legend = legend + [("100 runs: middle 80 %, median", COLORS["band"], "4 3")]
        series = _series(setup, main)
        rank = _rank(series[-1], band, main, n) if series else ""
        if rank:
            note = f"{note} · {rank}" if note else rank
    ch.events(setup.events, n)
    if legend:
        ch.legend(legend, "top" if key == "burnout" else "bottom")
    ch.axes(twin=tlim if twin else None, twin_label="customer trust" if twin else "",
            left_label="incidents" if twin else "")
    return ch.svg(f"{TITLES[key]}  ·  {setup.label}", note, {"sprint": str(n), "plot": key})


def all_plots(setups: Sequence[Setup], horizon_hint: int = 26, bands: Sequence[Band | None] | None = None,
              horizon: int | None = None) -> dict[tuple[str, int], bytes]:
    """Every plot of every setup: {(plot key, setup index): SVG bytes}."""
    bands = list(bands) if bands is not None else [None] * len(setups)
    n = max((len(s.history) for s in setups), default=0)
    limits = y_limits(setups, bands, upto=x_extent(n, horizon_hint, horizon))
    return {(k, i): plot_svg(k, s, limits[k], horizon_hint, bands[i] if i < len(bands) else None, horizon)
            for k in PLOTS for i, s in enumerate(setups)}


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


def _why(r) -> str:
    b = r.burnout[-1] if r.burnout else 0.0
    named = {"key_engineer_leaves": "resigned (key engineer)", "team_size": "moved off (team resized)"}
    return named.get(r.reason, "left, burned out" if b >= 0.6 else "left")


EARLIER_SHOWN = 40  # earlier leavers listed by name; more are counted


def team_html(setup: Setup) -> str:
    """One card per engineer (burnout, ramp-up and expertise bars, a burnout sparkline, joining marks), greyed cards
    for people who left recently, and a line marking everyone who left earlier."""
    now = setup.sprint
    cards = []
    for r in setup.team_view():
        b = r.burnout[-1] if r.burnout else 0.0
        if r.left is not None:
            badge = f"<span style='color:#b42318;font-weight:600'>{esc(_why(r))} in sprint {r.left}</span>"
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
            f"data-ramp='{r.ramp:.3f}' data-expertise='{r.expertise:.3f}' style='{style};border-radius:6px;padding:5px 7px;width:168px;"
            f"background:#fff'>"
            f"<div style='font-size:12px;font-weight:600;display:flex;justify-content:space-between'>"
            f"<span>{esc(r.name)}</span><span style='font-size:10px;font-weight:400'>skill {r.skill:.1f}"
            f"</span></div><div style='font-size:10.5px;margin-bottom:2px'>{badge}</div>"
            + (f"<div style='font-size:10px;color:#5b6673'>cares most about {esc(r.cares)}</div>"
               if r.cares else "") +
            f"{_bar(b, _burnout_color(b), 'burnout')}{_bar(r.ramp, '#1f6fb4', 'ramp-up')}"
            f"{_bar(r.expertise, '#6b4fbb', 'expertise')}"
            f"{_spark(r.burnout, _burnout_color(b))}</div>")
    earlier = setup.earlier_leavers()
    gone = ""
    if earlier:
        shown = [f"<span class='pe-left-earlier' data-key='{r.key}' style='white-space:nowrap'>"
                 f"{esc(r.name)} ({esc(_why(r))}, sprint {r.left})</span>" for r in earlier[:EARLIER_SHOWN]]
        more = f" and {len(earlier) - EARLIER_SHOWN} more" if len(earlier) > EARLIER_SHOWN else ""
        gone = (f"<div class='pe-left-list' data-count='{len(earlier)}' style='font-size:11px;color:#b42318;"
                f"margin-top:5px'><b>Left earlier ({len(earlier)}):</b> " + " &middot; ".join(shown) + more + "</div>")
    here = sum(1 for r in setup.people.values() if r.left is None)
    left = sum(1 for r in setup.people.values() if r.left is not None)
    head = (f"<div style='font-size:12px;color:#3b4652;margin-bottom:4px'><b>{esc(setup.label)}</b>: "
            f"{here} engineer{'s' if here != 1 else ''} after sprint {now}"
            f"{f', {left} left so far' if left else ''}</div>")
    return (f"<div class='pe-team' data-sprint='{now}' data-left='{left}'>{head}"
            f"<div style='display:flex;flex-wrap:wrap;gap:6px'>{''.join(cards)}</div>{gone}</div>")
