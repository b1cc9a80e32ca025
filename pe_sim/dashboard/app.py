"""The workshop page: Mesa's SolaraViz (controls, setup, reset/step/play) plus the team's live view.

Layout:

* sidebar - SolaraViz's *Controls* (reset, play/pause, step, speed) and *Model Parameters*
  (scenario, side-by-side scenario, team size, seed: they apply on **Reset**), then
  *Practices, live*: sliders and selectors that change a practice from the next sprint on;
* main area - a header with the sprint and the **event buttons**, then the live plots with a
  one-sentence caption under each, then the team view; with a side-by-side scenario picked,
  the two setups sit in adjacent columns and step together on the same seed.

Run it with ``pe-sim dashboard`` (see :mod:`pe_sim.dashboard.server`), or ``solara run
pe_sim.dashboard.app`` after :func:`pe_sim.dashboard.server.configure_environment`.
"""

from __future__ import annotations

import html
import os

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from pe_sim import config as cfg
from pe_sim.dashboard import figures
from pe_sim.dashboard.captions import CAPTIONS, CHOICE_LABELS, EVENT_BUTTONS, PRACTICE_LABELS, TITLES
from pe_sim.dashboard.session import DEFAULT_SCENARIO, DEFAULT_SEED, EVENTS, NO_COMPARE, Workshop
from pe_sim.params import BY_NAME

ENV_SCENARIO = "PE_SIM_DASHBOARD_SCENARIO"
PLAY_INTERVAL_MS = 400  # a pace a room can follow
APP_NAME = "pe-sim workshop: PMs, EMs and engineers"


def initial_setup() -> str:
    return os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO


def model_params(first: str | None = None) -> dict:
    """SolaraViz's user inputs: they define a run and apply when the facilitator presses Reset."""
    first = first or initial_setup()
    names = cfg.scenario_names()
    choices = names if first in names else [first] + names
    size = int(cfg.load(first).params["n_engineers"])
    return {
        "setup": {"type": "Select", "value": first, "values": choices, "label": "Scenario A (on Reset)"},
        "compare": {"type": "Select", "value": NO_COMPARE, "values": [NO_COMPARE] + names,
                    "label": "Side by side with B (on Reset)"},
        "n_engineers": {"type": "SliderInt", "value": size, "min": 1, "max": max(20, size), "step": 1,
                        "label": "Team size (on Reset)"},
        "seed": {"type": "SliderInt", "value": DEFAULT_SEED, "min": 1, "max": 100, "step": 1,
                 "label": "Seed: the luck (on Reset)"},
    }


# --- practices, live --------------------------------------------------------------------------------

def _choice(name: str, label: str, w: Workshop, target: int | None):
    spec = BY_NAME[name]
    shown = {CHOICE_LABELS.get(c, c): c for c in spec.choices}
    current = w.setups[target or 0].param(name)

    def change(text: str):
        w.set_param(name, shown[text], setup=target)
        force_update()

    with solara.Div(classes=["pe-control", f"pe-control-{name}"]):
        solara.Select(label, values=list(shown), value=CHOICE_LABELS.get(current, current), on_value=change)


def _slider(name: str, label: str, w: Workshop, target: int | None, step: float):
    spec = BY_NAME[name]
    current = float(w.setups[target or 0].param(name))

    def change(value):
        w.set_param(name, float(value), setup=target)
        force_update()

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
def PracticesCard(w: Workshop):
    update_counter.get()
    target_name, set_target_name = solara.use_state("A")
    if len(w.setups) == 1:
        target, note = 0, "Changes apply from the next sprint."
    else:
        target = {"A": 0, "B": 1, "both": None}.get(target_name, 0)
        note = "Changes apply from the next sprint to the setup picked here."
    with solara.Card("Practices, live", classes=["pe-practices"]):
        solara.Text(note, style={"font-size": "12px"})
        if len(w.setups) > 1:
            solara.ToggleButtonsSingle(value=target_name, values=["A", "B", "both"], on_value=set_target_name,
                                       classes=["pe-target"])
        for name, (label, _help) in PRACTICE_LABELS.items():
            if BY_NAME[name].kind == "choice":
                _choice(name, label, w, target)
            else:
                _slider(name, label, w, target, STEPS.get(name, 0.05))


# --- main area -----------------------------------------------------------------------------------

@solara.component
def EventBar(w: Workshop):
    update_counter.get()

    def fire(kind: str):
        w.inject_event(kind)
        force_update()

    with solara.Card(classes=["pe-events"], style={"padding": "6px 12px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "6px"}):
            solara.HTML(tag="span", unsafe_innerHTML=f"<b style='font-size:15px'>Sprint {w.sprint}</b>",
                        classes=["pe-sprint"], attributes={"data-sprint": str(w.sprint)})
            solara.Text("Inject an event now:", style={"margin-left": "12px"})
            for kind in EVENTS:
                label, _ = EVENT_BUTTONS[kind]
                solara.Button(label, on_click=lambda kind=kind: fire(kind), color="error", outlined=True, small=True,
                              classes=["pe-event", f"pe-event-{kind}"], disabled=not w.running)
        if not w.running:
            solara.Warning(f"End of the run ({w.horizon} sprints): press Reset to start again.", dense=True)
        recent = w.log[-3:]
        solara.HTML(tag="div", classes=["pe-log"], style="font-size:12px;color:#5b6673;min-height:16px",
                    unsafe_innerHTML=("Latest: " + " &middot; ".join(html.escape(x) for x in recent)) if recent else
                    "An event hits every column at once, from the next sprint on.")


def _plot(png: bytes, key: str, col: int):
    with solara.Div(classes=["pe-plot", f"pe-plot-{key}", f"pe-col-{col}"], style={"margin-bottom": "10px"}):
        solara.Image(png, width="100%")
        solara.HTML(tag="div", classes=["pe-caption"], unsafe_innerHTML=CAPTIONS[key],
                    style="font-size:13px;color:#3b4652;line-height:1.3;margin-top:2px")


def _team(html: str, col: int):
    with solara.Div(classes=["pe-team-view", f"pe-col-{col}"]):
        solara.HTML(tag="div", unsafe_innerHTML=html)
        solara.HTML(tag="div", classes=["pe-caption"], unsafe_innerHTML=CAPTIONS["team"],
                    style="font-size:13px;color:#3b4652;margin-top:4px")


@solara.component
def WorkshopView(w: Workshop):
    """Everything in the main area; redraws after every step, event or reset."""
    update_counter.get()
    with w.lock:  # the play loop steps in a worker thread; draw a consistent sprint
        key = (id(w), w.sprint, sum(len(s.events) for s in w.setups))
        plots = solara.use_memo(lambda: figures.all_plots(w.setups), dependencies=[key])
        teams = [figures.team_html(s) for s in w.setups]
    a = w.setups[0]
    with solara.Column(style={"padding": "4px 8px", "gap": "6px"}, classes=["pe-main"]):
        title = a.label if len(w.setups) == 1 else f"A: {a.label}  |  B: {w.setups[1].label}"
        solara.HTML(tag="div", classes=["pe-title"], unsafe_innerHTML=(
            f"<span style='font-size:18px;font-weight:600'>{html.escape(title)}</span> "
            f"<span style='color:#5b6673;font-size:13px'>&nbsp;team of {w.n_engineers} at the start, seed "
            f"{w.seed_value}{', same luck in both columns' if len(w.setups) > 1 else ''}</span>"))
        EventBar(w)
        with solara.Sidebar():
            PracticesCard(w)
        if len(w.setups) == 1:
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
    first = solara.use_memo(lambda: Workshop(setup=initial_setup()), dependencies=[])
    model = solara.use_reactive(first)
    params = solara.use_memo(model_params, dependencies=[])
    SolaraViz(model, components=[], model_params=params, name=APP_NAME, play_interval=PLAY_INTERVAL_MS)
    WorkshopView(model.value)


__all__ = ["Page", "WorkshopView", "model_params", "TITLES"]
