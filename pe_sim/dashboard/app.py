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
                                      NO_COMPARE, PLAY_INTERVALS, SLIDER_STEPS, Room, Setup, Workshop, shared_room,
                                      shown_value)
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
                solara.Text(reset_question(r.workshop), style={"font-size": "12px"})
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


def reset_question(w: Workshop) -> str:
    """What the confirmation before a reset says: everything a reset throws away, practices included."""
    played = "The 1 sprint played so far is lost" if w.sprint == 1 else f"The {w.sprint} sprints played so far are lost"
    changed = [f"{'AB'[i] + ': ' if len(w.setups) > 1 else ''}{label} {now} -> {start}"
               for i, s in enumerate(w.setups) for label, start, now in s.practice_changes()]
    if changed:
        return (f"Start again from sprint 1? {played}, and the practices go back to the scenario's settings "
                f"({'; '.join(changed)}).")
    return f"Start again from sprint 1? {played}; the practices stay the scenario's settings."


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

def _set(r: Room, name: str, value, target, refresh) -> None:
    try:
        r.set_param(name, value, setup=target())
    except cfg.ConfigError:  # refused (the run ended meanwhile): the room's notice says why on the page
        pass
    refresh()


def _help(text: str, note: str = "") -> None:
    solara.HTML(tag="div", classes=["pe-help"], style="font-size:11.5px;color:#5b6673;margin:-14px 0 6px 0",
                unsafe_innerHTML=esc(text[0].upper() + text[1:] + ".") + (f" <b>{esc(note)}</b>" if note else ""))


def _choice(name: str, label: str, help_text: str, r: Room, target, refresh, disabled: bool):
    spec = BY_NAME[name]
    shown = {CHOICE_LABELS.get(c, c): c for c in spec.choices}
    current = r.workshop.setups[target() or 0].param(name)

    with solara.Div(classes=["pe-control", f"pe-control-{name}"]):
        solara.Select(label, values=list(shown), value=CHOICE_LABELS.get(current, current), disabled=disabled,
                      on_value=lambda text: _set(r, name, shown[text], target, refresh))
        _help(help_text)


def _slider(name: str, label: str, help_text: str, r: Room, target, refresh, disabled: bool, note: str = ""):
    spec = BY_NAME[name]
    step = SLIDER_STEPS.get(name, 0.05)
    current = float(r.workshop.setups[target() or 0].param(name))

    def change(value):
        _set(r, name, float(value), target, refresh)

    with solara.Div(classes=["pe-control", f"pe-control-{name}"]):
        shown = f"{label}: {shown_value(name, current)}"
        if step >= 1:
            solara.SliderInt(shown, value=int(round(current)), min=int(spec.lo), max=int(spec.hi), step=int(step),
                             on_value=change, disabled=disabled)
        else:
            solara.SliderFloat(shown, value=current, min=float(spec.lo), max=float(spec.hi), step=step,
                               on_value=change, disabled=disabled)
        _help(help_text, note)


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

    ended = not w.running
    if ended:
        note = ("The run has ended: a change here would not take effect. Reset starts a new run from the "
                "scenario's settings.")
    elif len(w.setups) == 1:
        note = f"Changes apply from the next sprint (sprint {w.sprint + 1})."
    else:
        note = f"Changes apply from the next sprint (sprint {w.sprint + 1}) to the setup picked here."
    targets = range(len(w.setups)) if target() is None else [target()]
    # a tech share only matters with split backlogs: under one roadmap tech work competes on value instead
    no_split = all(w.setups[i].param("roadmap_mode") != "split_backlogs" for i in targets)
    with solara.Card("Practices, live", classes=["pe-practices"]):
        solara.Text(note, style={"font-size": "12px"}, classes=["pe-practices-note"])
        if len(w.setups) > 1:
            solara.ToggleButtonsSingle(value=target_name, values=["A", "B", "both"], on_value=pick,
                                       classes=["pe-target"])
        for name, (label, help_text) in PRACTICE_LABELS.items():
            if BY_NAME[name].kind == "choice":
                _choice(name, label, help_text, r, target, refresh, ended)
            elif name == "tech_share" and no_split:
                _slider(name, label, help_text, r, target, refresh, True,
                        note="Not used with one roadmap: pick split backlogs to set it.")
            else:
                _slider(name, label, help_text, r, target, refresh, ended)


# --- main area -----------------------------------------------------------------------------------

@solara.component
def EventBar(r: Room, version: int, refresh):
    w = r.workshop

    def fire(kind: str):
        try:
            r.inject_event(kind)
        except cfg.ConfigError:  # refused (the run has ended, the team is at the model's limit): the notice says why
            pass
        refresh()

    with solara.Card(classes=["pe-events"], style={"padding": "6px 12px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "6px"}):
            # Sprints are counted from 1 everywhere (header, log, plots, team view): after 3 sprints
            # played, an event or a practice change lands in sprint 4.
            solara.HTML(tag="span", unsafe_innerHTML=f"<b style='font-size:15px'>{w.sprint} of {w.horizon} sprints "
                        f"played</b><span style='color:#5b6673;font-size:12px'>"
                        f"{' &middot; playing' if r.playing else ''}</span>",
                        classes=["pe-sprint"], attributes={"data-sprint": str(w.sprint),
                                                           "data-playing": str(r.playing).lower()})
            if w.running:
                solara.Text(f"Inject an event into sprint {w.sprint + 1}:", style={"margin-left": "12px"})
            for kind in EVENTS:
                label, what = EVENT_BUTTONS[kind]
                with solara.Tooltip(what):
                    solara.Button(label, on_click=lambda kind=kind: fire(kind), color="error", outlined=True,
                                  small=True, classes=["pe-event", f"pe-event-{kind}"], disabled=not w.running)
        if not w.running:
            solara.Warning(f"End of the run ({w.horizon} sprints): press Reset to start again.", dense=True)
        elif r.notice:  # why the last event or practice change was refused
            solara.Warning(r.notice, dense=True, classes=["pe-notice"])
        recent = w.log[-3:]
        solara.HTML(tag="div", classes=["pe-log"], style="font-size:12px;color:#5b6673;min-height:16px",
                    unsafe_innerHTML=("Latest: " + " &middot; ".join(esc(x) for x in recent)) if recent else
                    "An event hits every column at once, from the next sprint on; hover over a button to "
                    "see what it does.")


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


def planned_events(s: Setup) -> str:
    """The scenario's own events in plain words, sprints counted from 1 as on the page."""
    out = []
    for e in s.config.events:
        name = EVENT_BUTTONS[e.kind][0] if e.kind in EVENT_BUTTONS else e.kind.replace("_", " ")
        name = name if name[:2].isupper() else name[0].lower() + name[1:]
        if e.kind == "team_size":
            name = f"team resized to {e.magnitude:.0f}"
        lasts = max(1, e.duration)
        when = f"sprint {e.sprint + 1}" if lasts == 1 else f"sprints {e.sprint + 1}-{e.sprint + lasts}"
        out.append(f"{name} in {when}")
    return ", ".join(out)


def title_html(w: Workshop) -> str:
    """The page's heading: setup names, each scenario's description as it starts, its planned events and
    the practices changed live since (the description does not follow the sliders); all escaped."""
    a = w.setups[0]
    two = len(w.setups) > 1
    title = esc(a.label) if not two else f"A: {esc(a.label)} &nbsp;|&nbsp; B: {esc(w.setups[1].label)}"
    lines = []
    for i, s in enumerate(w.setups):
        parts = []
        if s.config.description:
            parts.append(f"<span class='pe-about'>At the start: {esc(s.config.description)}.</span>")
        planned = planned_events(s)
        if planned:
            parts.append(f"<span class='pe-planned'>Planned events: {esc(planned)}.</span>")
        changed = s.practice_changes()
        if changed:
            parts.append("<span class='pe-changed' style='color:#b42318'>Changed live since: "
                         + esc("; ".join(f"{label} {start} -> {now}" for label, start, now in changed)) + ".</span>")
        if parts:
            lines.append(f"<div>{'<b>' + 'AB'[i] + ':</b> ' if two else ''}{' '.join(parts)}</div>")
    return (f"<span style='font-size:18px;font-weight:600'>{title}</span> "
            f"<span style='color:#5b6673;font-size:13px'>&nbsp;team of {w.n_engineers} at the start, seed "
            f"{w.seed_value}{', same luck in both columns' if two else ''}</span>"
            + (f"<div style='color:#3b4652;font-size:12.5px;margin-top:2px'>{''.join(lines)}</div>" if lines else ""))


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
            # Keyed by the run: a reset (from this tab or another) builds these cards afresh, so no control
            # keeps a value it held for the previous run (a slider's own state, the New run choices).
            PracticesCard(r, version, refresh).key(f"practices-{r.run_number}")
            NewRunCard(r, version, ask_reset).key(f"new-run-{r.run_number}")
    WorkshopView(r, version, refresh)


__all__ = ["Page", "WorkshopView", "snapshot", "title_html", "TITLES"]
