"""The workshop page: the facilitator's controls, the live practices, the plots and the team view.

Layout:

* sidebar - *Run*: play/pause, step, speed, the band of 100 runs, and reset (which asks first once
  the run has started); *New run*: scenario, side-by-side scenario, team size, seed and sprints
  (they apply on **Reset**); *Practices, live*: sliders and selectors that change a practice from
  the next sprint on. Every control shows its value;
* main area - a header with the sprint and the **event buttons**, then the live plots with a
  one-sentence caption under each, then the team view; with a side-by-side scenario picked,
  the two setups sit in adjacent columns and step together on the same seed.

The session lives at server level (:func:`pe_sim.dashboard.session.shared_room`): reloading the
page or opening it in a second tab shows the same run, and the play loop runs in the room, not
in a tab. Each tab watches the room and redraws when it changes. The page does not use Mesa's
generic SolaraViz controls (play interval, render interval, threads, a raw step counter): a
facilitator needs none of them.

Every string that can come from a user (a scenario's name or description, a log entry) is escaped
before it reaches the page.

Run it with ``pe-sim dashboard`` (see :mod:`pe_sim.dashboard.server`), or ``solara run
pe_sim.dashboard.app`` after :func:`pe_sim.dashboard.server.configure_environment`.
"""

from __future__ import annotations

import os
import threading
import time

import solara

from pe_sim import config as cfg
from pe_sim.dashboard import figures
from pe_sim.dashboard.captions import CAPTIONS, CHOICE_LABELS, EVENT_BUTTONS, PRACTICE_LABELS, TITLES
from pe_sim.dashboard.figures import esc
from pe_sim.dashboard.session import (BAND_RUNS, DEFAULT_HORIZON, DEFAULT_SCENARIO, EVENTS, MAX_HORIZON,
                                      NO_COMPARE, PLAY_INTERVALS, Room, Workshop, shared_room)
from pe_sim.params import BY_NAME

ENV_SCENARIO = "PE_SIM_DASHBOARD_SCENARIO"
APP_NAME = "pe-sim workshop: PMs, EMs and engineers"
FRAME_GAP = 0.25  # seconds at least between two redraws a tab makes on its own (while playing fast)
HORIZONS = tuple(h for h in (26, 52, 104, 260, 520, MAX_HORIZON) if h <= MAX_HORIZON)
SPEEDS = {f"{1 / s:g} sprints a second" if s < 1 else f"one sprint every {s:g} s": s for s in PLAY_INTERVALS}


def initial_setup() -> str:
    return os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO


def room() -> Room:
    """The dashboard process's session (every tab and every reload attaches to it)."""
    return shared_room(setup=initial_setup())


def setup_choices(current: str) -> list[str]:
    names = cfg.scenario_names()
    return names if current in names else [current] + names


# --- what a redraw shows, shared by every tab ---------------------------------------------------------

_SNAPSHOTS: dict[int, tuple[tuple, dict]] = {}
_SNAPSHOT_LOCK = threading.Lock()


def snapshot(r: Room) -> dict:
    """Plots and team views of the room's current state, drawn once per change for all tabs."""
    with r.lock:  # the play loop steps in its own thread; draw one consistent sprint
        w = r.workshop
        bands = r.bands()
        key = (id(w), r.version, tuple(b is not None for b in bands) if bands else None)
        with _SNAPSHOT_LOCK:
            have = _SNAPSHOTS.get(id(r))
            if have and have[0] == key:
                return have[1]
        shown = {
            "plots": figures.all_plots(w.setups, bands=bands, horizon=w.horizon),
            "teams": [figures.team_html(s) for s in w.setups],
            "band_pending": bool(bands) and any(b is None for b in bands),
        }
        with _SNAPSHOT_LOCK:
            _SNAPSHOTS[id(r)] = (key, shown)
        return shown


# --- sidebar: running the session ------------------------------------------------------------------------

@solara.component
def RunCard(r: Room, version: int, refresh, pending: dict | None, ask_reset):
    def act(fn):
        def run(*args):
            fn(*args)
            refresh()
        return run

    with solara.Card("Run", classes=["pe-run"]):
        with solara.Row(style={"gap": "6px", "flex-wrap": "wrap"}):
            solara.Button("Pause" if r.playing else "Play", icon_name="mdi-pause" if r.playing else "mdi-play",
                          color="primary", on_click=act(r.toggle), disabled=not r.running and not r.playing,
                          classes=["pe-play"])
            solara.Button("Step", color="primary", outlined=True, on_click=act(r.step),
                          disabled=r.playing or not r.running, classes=["pe-step"])
            solara.Button("Reset", color="primary", outlined=True, on_click=lambda: ask_reset(settings_of(r.workshop)),
                          classes=["pe-reset"])
        if pending is not None:
            with solara.Div(classes=["pe-confirm"], style={"margin-top": "6px"}):
                solara.Text(f"Start again from sprint 0? The {r.sprint} sprints so far are lost.",
                            style={"font-size": "12px"})
                with solara.Row(style={"gap": "6px"}):
                    solara.Button("Yes, start again", color="error", small=True, classes=["pe-confirm-yes"],
                                  on_click=lambda: ask_reset(pending, True))
                    solara.Button("Keep this run", small=True, classes=["pe-confirm-no"],
                                  on_click=lambda: ask_reset(None))
        speed = next((k for k, v in SPEEDS.items() if abs(v - r.interval) < 1e-9), None)
        values = list(SPEEDS) if speed else [f"one sprint every {r.interval:g} s"] + list(SPEEDS)
        solara.Select("Speed while playing", values=values, value=speed or values[0],
                      on_value=act(lambda text: r.set_interval(SPEEDS.get(text, r.interval))),
                      classes=["pe-speed"])
        with solara.Div(classes=["pe-band-toggle"]):
            solara.Checkbox(label=f"Show {BAND_RUNS} runs with the same settings", value=r.show_band,
                            on_value=act(r.set_show_band))
        if r.error:
            solara.Error(r.error, dense=True)


def settings_of(w: Workshop, **pending) -> dict:
    out = {"setup": w.setup_name, "compare": w.compare_name or NO_COMPARE, "n_engineers": w.n_engineers,
           "seed": w.seed_value, "horizon": w.horizon}
    out.update({k: v for k, v in pending.items() if v is not None})
    return out


@solara.component
def NewRunCard(r: Room, version: int, ask_reset):
    w = r.workshop
    setup, set_setup = solara.use_state(w.setup_name)
    compare, set_compare = solara.use_state(w.compare_name or NO_COMPARE)
    size, set_size = solara.use_state(w.n_engineers)
    seed, set_seed = solara.use_state(w.seed_value)
    horizon, set_horizon = solara.use_state(w.horizon if w.horizon in HORIZONS else DEFAULT_HORIZON)
    # What "Start this run" uses, read when it is clicked: another thread may be redrawing the page when a
    # choice changes, and a click must not act on the choices of an older drawing.
    chosen = solara.use_ref({"setup": setup, "compare": compare, "n_engineers": size, "seed": seed,
                             "horizon": horizon})

    def choose(key: str, setter, convert=lambda x: x):
        def on_value(value):
            chosen.current = {**chosen.current, key: convert(value)}
            setter(convert(value))
        return on_value

    def start():
        ask_reset(dict(chosen.current))

    with solara.Card("New run", classes=["pe-new-run"]):
        solara.Text("These apply when you start the new run.", style={"font-size": "12px"})
        solara.Select("Scenario A", values=setup_choices(setup), value=setup, on_value=choose("setup", set_setup),
                      classes=["pe-setup"])
        solara.Select("Side by side with B", values=[NO_COMPARE] + cfg.scenario_names(), value=compare,
                      on_value=choose("compare", set_compare), classes=["pe-compare"])
        with solara.Div(classes=["pe-size"]):
            solara.SliderInt(f"Team size: {size}", value=size, min=1, max=max(20, size),
                             on_value=choose("n_engineers", set_size, int))
        with solara.Div(classes=["pe-seed"]):
            solara.SliderInt(f"Seed (the luck): {seed}", value=seed, min=1, max=100,
                             on_value=choose("seed", set_seed, int))
        solara.Select("Sprints to run", values=[str(h) for h in HORIZONS], value=str(horizon),
                      on_value=choose("horizon", set_horizon, int), classes=["pe-horizon"])
        solara.Button("Start this run", color="primary", outlined=True, on_click=start, classes=["pe-start"])


# --- practices, live --------------------------------------------------------------------------------

def _choice(name: str, label: str, r: Room, target, refresh):
    spec = BY_NAME[name]
    shown = {CHOICE_LABELS.get(c, c): c for c in spec.choices}
    current = r.workshop.setups[target() or 0].param(name)

    def change(text: str):
        r.set_param(name, shown[text], setup=target())
        refresh()

    with solara.Div(classes=["pe-control", f"pe-control-{name}"]):
        solara.Select(label, values=list(shown), value=CHOICE_LABELS.get(current, current), on_value=change)


def _slider(name: str, label: str, r: Room, target, step: float, refresh):
    spec = BY_NAME[name]
    current = float(r.workshop.setups[target() or 0].param(name))

    def change(value):
        r.set_param(name, float(value), setup=target())
        refresh()

    with solara.Div(classes=["pe-control", f"pe-control-{name}"]):
        shown = f"{label}: {current:.0f}" if step >= 1 else f"{label}: {current:.2f}"
        if step >= 1:
            solara.SliderInt(shown, value=int(round(current)), min=int(spec.lo), max=int(spec.hi), step=int(step),
                             on_value=change)
        else:
            solara.SliderFloat(shown, value=current, min=float(spec.lo), max=float(spec.hi), step=step,
                               on_value=change)


STEPS = {"tech_share": 0.05, "syncs_per_sprint": 1, "discovery_involvement": 0.05, "pressure": 0.05}


@solara.component
def PracticesCard(r: Room, version: int, refresh):
    target_name, set_target_name = solara.use_state("A")
    picked = solara.use_ref("A")  # read when a control changes (see NewRunCard)
    w = r.workshop

    def pick(name: str):
        picked.current = name
        set_target_name(name)

    def target() -> int | None:
        return 0 if len(r.workshop.setups) == 1 else {"A": 0, "B": 1, "both": None}.get(picked.current, 0)

    if len(w.setups) == 1:
        note = "Changes apply from the next sprint."
    else:
        note = "Changes apply from the next sprint to the setup picked here."
    with solara.Card("Practices, live", classes=["pe-practices"]):
        solara.Text(note, style={"font-size": "12px"})
        if len(w.setups) > 1:
            solara.ToggleButtonsSingle(value=target_name, values=["A", "B", "both"], on_value=pick,
                                       classes=["pe-target"])
        for name, (label, _help) in PRACTICE_LABELS.items():
            if BY_NAME[name].kind == "choice":
                _choice(name, label, r, target, refresh)
            else:
                _slider(name, label, r, target, STEPS.get(name, 0.05), refresh)


# --- main area -----------------------------------------------------------------------------------

@solara.component
def EventBar(r: Room, version: int, refresh):
    w = r.workshop

    def fire(kind: str):
        try:
            r.inject_event(kind)
        except cfg.ConfigError:  # the run ended between the click and now: the page says so below
            pass
        refresh()

    with solara.Card(classes=["pe-events"], style={"padding": "6px 12px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "6px"}):
            solara.HTML(tag="span", unsafe_innerHTML=f"<b style='font-size:15px'>Sprint {w.sprint}</b>"
                        f"<span style='color:#5b6673;font-size:12px'> of {w.horizon}"
                        f"{' &middot; playing' if r.playing else ''}</span>",
                        classes=["pe-sprint"], attributes={"data-sprint": str(w.sprint),
                                                           "data-playing": str(r.playing).lower()})
            solara.Text("Inject an event now:", style={"margin-left": "12px"})
            for kind in EVENTS:
                label, _ = EVENT_BUTTONS[kind]
                solara.Button(label, on_click=lambda kind=kind: fire(kind), color="error", outlined=True, small=True,
                              classes=["pe-event", f"pe-event-{kind}"], disabled=not w.running)
        if not w.running:
            solara.Warning(f"End of the run ({w.horizon} sprints): press Reset to start again.", dense=True)
        recent = w.log[-3:]
        solara.HTML(tag="div", classes=["pe-log"], style="font-size:12px;color:#5b6673;min-height:16px",
                    unsafe_innerHTML=("Latest: " + " &middot; ".join(esc(x) for x in recent)) if recent else
                    "An event hits every column at once, from the next sprint on.")


def _plot(svg: bytes, key: str, col: int):
    with solara.Div(classes=["pe-plot", f"pe-plot-{key}", f"pe-col-{col}"], style={"margin-bottom": "10px"}):
        solara.Image(svg, width="100%", format="svg+xml")
        solara.HTML(tag="div", classes=["pe-caption"], unsafe_innerHTML=esc(CAPTIONS[key]),
                    style="font-size:13px;color:#3b4652;line-height:1.3;margin-top:2px")


def _team(html: str, col: int):
    with solara.Div(classes=["pe-team-view", f"pe-col-{col}"]):
        solara.HTML(tag="div", unsafe_innerHTML=html)
        solara.HTML(tag="div", classes=["pe-caption"], unsafe_innerHTML=esc(CAPTIONS["team"]),
                    style="font-size:13px;color:#3b4652;margin-top:4px")


def title_html(w: Workshop) -> str:
    """The page's heading: setup names and descriptions, every one escaped."""
    a = w.setups[0]
    title = esc(a.label) if len(w.setups) == 1 else f"A: {esc(a.label)} &nbsp;|&nbsp; B: {esc(w.setups[1].label)}"
    about = " ".join(f"{'AB'[i] + ': ' if len(w.setups) > 1 else ''}{esc(s.config.description)}"
                     for i, s in enumerate(w.setups) if s.config.description)
    return (f"<span style='font-size:18px;font-weight:600'>{title}</span> "
            f"<span style='color:#5b6673;font-size:13px'>&nbsp;team of {w.n_engineers} at the start, seed "
            f"{w.seed_value}{', same luck in both columns' if len(w.setups) > 1 else ''}</span>"
            + (f"<div class='pe-about' style='color:#3b4652;font-size:12.5px;margin-top:2px'>{about}</div>"
               if about else ""))


@solara.component
def WorkshopView(r: Room, version: int, refresh):
    """Everything in the main area; redraws after every step, event or reset."""
    shown = snapshot(r)
    w = r.workshop
    plots, teams = shown["plots"], shown["teams"]
    with solara.Column(style={"padding": "4px 8px", "gap": "6px"}, classes=["pe-main"]):
        solara.HTML(tag="div", classes=["pe-title"], unsafe_innerHTML=title_html(w))
        EventBar(r, version, refresh)
        if r.show_band:
            solara.HTML(tag="div", classes=["pe-band-note"], style="font-size:12.5px;color:#3b4652",
                        unsafe_innerHTML=(f"Computing {BAND_RUNS} runs with the same settings&hellip;"
                                          if shown["band_pending"] else
                                          f"Grey: the middle 80 % and the median of {BAND_RUNS} runs with each "
                                          f"column's settings now (practices changed live count from sprint 1; "
                                          f"this run is one of them). One run's story can be untypical."))
        ncols = len(w.setups)
        if ncols == 1:
            with solara.Columns([1, 1]):
                for half in (0, 1):
                    with solara.Column(style={"gap": "0"}):
                        for k in figures.PLOTS[half::2]:
                            _plot(plots[(k, 0)], k, 0)
            _team(teams[0], 0)
        else:
            with solara.Columns([1, 1]):
                for col in (0, 1):
                    with solara.Column(classes=[f"pe-column-{col}"], style={"gap": "0"}):
                        for k in figures.PLOTS:
                            _plot(plots[(k, col)], k, col)
                        _team(teams[col], col)


@solara.component
def Page():
    solara.Title("pe-sim workshop")
    r = room()
    version, set_version = solara.use_state(r.version)
    seen = solara.use_ref(r.version)

    pending, set_pending = solara.use_state(None)

    def refresh():
        seen.current = r.version
        set_version(r.version)

    def ask_reset(settings: dict | None, sure: bool = False):
        """Reset at once at sprint 0 (or when confirmed); otherwise pause and ask first."""
        if settings is None:
            set_pending(None)
        elif sure or r.sprint == 0:
            set_pending(None)
            r.reset(**settings)
        else:
            r.pause()
            set_pending(settings)
        refresh()

    def watch(cancel: threading.Event):
        """Redraw this tab whenever the room changes (the play loop, another tab, a band finishing).

        At most one redraw per :data:`FRAME_GAP` seconds, and never more than half the time: a fast
        play loop then skips frames instead of flooding the browser, so a click (pause!) still gets
        through at once."""
        while not cancel.is_set():
            v = r.wait_change(seen.current, timeout=0.5)
            if v != seen.current and not cancel.is_set():
                seen.current = v
                t0 = time.monotonic()
                set_version(v)
                cancel.wait(max(FRAME_GAP, time.monotonic() - t0))

    solara.use_thread(watch, dependencies=[id(r)], intrusive_cancel=False)
    with solara.AppBar():
        solara.AppBarTitle(APP_NAME)
    with solara.Sidebar():
        with solara.Column(style={"gap": "8px"}):
            RunCard(r, version, refresh, pending, ask_reset)
            PracticesCard(r, version, refresh)
            NewRunCard(r, version, ask_reset)
    WorkshopView(r, version, refresh)


__all__ = ["Page", "WorkshopView", "snapshot", "title_html", "TITLES"]
