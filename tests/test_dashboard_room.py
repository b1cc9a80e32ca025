"""What a facilitator saw in a workshop room, pinned: events in one sprint add up, one way of numbering
sprints, plain words in the log and the heading, help on every control, changes that cannot take effect
refused, reset that says what it undoes and leaves no stale control, long runs that stay light, and
`python -m pe_sim`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("solara")

from pe_sim import runner  # noqa: E402
from pe_sim.config import ConfigError  # noqa: E402
from pe_sim.dashboard import figures  # noqa: E402
from pe_sim.dashboard.captions import EVENT_BUTTONS, PRACTICE_LABELS  # noqa: E402
from pe_sim.dashboard.session import Room, Workshop, band, forget_room, shared_room  # noqa: E402

from test_dashboard import _html, button, wait_until  # noqa: E402


# --- events in the same sprint add up --------------------------------------------------------------

@pytest.mark.parametrize("order", [("hiring_wave", "team_size"), ("team_size", "hiring_wave")])
def test_a_hiring_wave_and_a_reorganisation_in_one_sprint_add_up(order):
    """6 + 3 hired - 2 moved = 7, whichever button came first; the log says 7 and the kernel (the band's
    runs) ends with 7 too."""
    w = Workshop(setup="split_backlogs", seed=1)
    for kind in order:
        w.inject_event(kind)
    assert "6 -> 7 engineers" in w.log[-1] and w.log[-1].startswith("sprint 1: ")
    w.step()
    s = w.setups[0]
    assert s.model.headcount == 7 and s.history[-1]["headcount"] == 7
    # the newest move: two of the three new hires go straight to the other team, one joins this one
    assert sum(1 for r in s.people.values() if r.joined == 1) == 1
    assert "2 of the new hires go straight to the other team" in w.log[-1]
    core = runner.run_core(s.model.config, 3, 1, w.seed_value)
    assert list(core["headcount"][:, 0]) == [7, 7, 7]  # the band's kernel reads the same events the same way
    assert w.problems() == []


@pytest.mark.parametrize("order", [("team_size", "key_engineer_leaves"), ("key_engineer_leaves", "team_size")])
def test_a_key_engineer_leaving_in_a_reorganisation_sprint_is_not_swallowed(order):
    w = Workshop(setup="split_backlogs", compare="one_roadmap", n_engineers=40, seed=1)
    for kind in order:
        w.inject_event(kind)
    assert "A 40 -> 37 engineers: -1 key engineer, -2 moved" in w.log[-1]
    w.step()
    for s in w.setups:
        assert s.model.headcount == 37
        reasons = sorted(d["reason"] for d in s.model.departures)
        assert reasons == ["key_engineer_leaves", "team_size", "team_size"]
        assert band(s.model.config, w.seed_value, 1, runs=2)["runs"]["velocity"].shape == (2, 1)


def test_a_reorganisation_alone_still_moves_the_two_newest():
    w = Workshop(setup="split_backlogs", n_engineers=5, seed=3)
    w.step()
    w.inject_event("team_size")
    assert w.log[-1] == "sprint 2: reorganisation (5 -> 3 engineers)"
    w.step()
    assert w.setups[0].model.headcount == 3


# --- one way of numbering sprints ----------------------------------------------------------------------

def test_an_event_has_one_sprint_number_in_header_log_team_view_and_plot():
    """After 22 sprints played, an event lands in sprint 23: the page says so, the log, the team view and
    the plot all say 23."""
    from pe_sim.dashboard import app

    w = Workshop(setup="split_backlogs", seed=1)
    for _ in range(7):
        w.step()
    w.inject_event("hiring_wave")
    assert w.log[-1] == "sprint 8: hiring wave"
    for _ in range(15):
        w.step()
    assert "joined sprint 8" in figures.team_html(w.setups[0]) or "since sprint 8" in figures.team_html(w.setups[0])
    assert w.sprint == 22
    w.inject_event("key_engineer_leaves")
    assert w.log[-1] == "sprint 23: key engineer leaves"
    w.step()
    assert "resigned (key engineer) in sprint 23" in figures.team_html(w.setups[0])
    svg = figures.all_plots(w.setups, horizon=w.horizon)[("velocity", 0)]
    root = ET.fromstring(svg)
    line = next(e for e in root.iter() if e.get("class") == "pe-event-line" and e.get("data-sprint") == "23")
    ch = figures._Chart(figures.x_extent(w.sprint, horizon=w.horizon), (0.0, 1.0))
    assert float(line.get("x1")) == pytest.approx(ch.X(23), abs=0.06)  # on sprint 23 of the axis
    # the axis counts from 1 (no sprint 0): the first point is sprint 1
    ticks = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if (t.text or "").isdigit()]
    assert "0" not in ticks[-8:]
    poly = next(e for e in root.iter("{http://www.w3.org/2000/svg}polyline"))
    first_x = float(poly.get("points").split()[0].split(",")[0])
    assert first_x == pytest.approx(ch.X(1), abs=0.06)
    head = app.title_html(w)  # (the header text is checked on the page below)
    assert "seed 1" in head


# --- plain words ------------------------------------------------------------------------------------------

def test_the_log_uses_the_controls_words_and_whole_numbers_for_counts():
    w = Workshop(setup="split_backlogs", compare="one_roadmap", seed=1)
    w.step()
    w.set_param("roadmap_mode", "one_roadmap", setup=0)
    w.set_param("feedback", "sbi")
    w.set_param("syncs_per_sprint", 10.0, setup=1)
    w.set_param("pressure", 0.5)
    assert w.log[-4:] == ["sprint 2: Roadmap = one roadmap (A)", "sprint 2: Feedback practice = SBI feedback (both)",
                          "sprint 2: PM-EM syncs per sprint = 10 (B)", "sprint 2: Business pressure = 0.50 (both)"]


def test_a_change_after_the_end_is_refused_and_not_logged():
    w = Workshop(setup="split_backlogs", horizon=2)
    w.step()
    w.step()
    logged = list(w.log)
    with pytest.raises(ConfigError, match="run has ended.*Reset"):
        w.set_param("pressure", 0.5)
    assert w.log == logged and w.setups[0].param("pressure") != 0.5


def test_the_heading_gives_the_start_the_planned_events_and_what_changed_since():
    from pe_sim.dashboard import app

    w = Workshop(setup="crunch")
    head = app.title_html(w)
    assert "At the start: Customer escalation, then a 6-sprint deadline crunch" in head
    # the scenario's own events say when, so a description that trails off ("leaves after") is still clear
    assert ("Planned events: customer escalation in sprints 13-14, deadline crunch in sprints 15-20, key engineer "
            "leaves in sprint 21.") in head
    assert "Changed live" not in head
    w.set_param("tech_share", 0.0)
    assert "Changed live since: Tech share (split backlogs) 0.20 -&gt; 0.00." in app.title_html(w)


# --- the page: help, disabled controls, reset -------------------------------------------------------------

def test_page_shows_help_disables_what_cannot_act_and_reset_restores_every_control():
    import ipyvuetify as v
    import solara

    from pe_sim.dashboard import app

    forget_room()
    shared_room(setup="split_backlogs", horizon=3)
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    box2, rc2 = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)  # a second tab
    try:
        # what every event and control does is on the page
        tips = " ".join(str(w.children) for w in rc.find(v.Tooltip).widgets)
        for kind, (_, what) in EVENT_BUTTONS.items():
            assert what in tips, kind
        helps = " ".join(w.unsafe_innerHTML for w in _html(rc, "pe-help"))
        for name, (_, help_text) in PRACTICE_LABELS.items():
            assert help_text[1:] in helps, name
        head = _html(rc, "pe-sprint")[0].unsafe_innerHTML
        assert "0 of 3 sprints played" in head

        def texts(tab) -> list[str]:
            return [str(w.children[0]) for w in tab.find(v.Html, tag="span").widgets if w.children]

        def slider(start: str, tab=rc):
            (s,) = [w for w in tab.find(v.Slider).widgets if (w.label or "").startswith(start)]
            return s

        # the tech share does nothing under one roadmap: its slider is off and says why
        assert not slider("Tech share").disabled
        rc.find(v.Select, label="Roadmap").widget.v_model = "one roadmap"
        assert slider("Tech share").disabled
        assert "Not used with one roadmap" in " ".join(w.unsafe_innerHTML for w in _html(rc, "pe-help"))
        slider("Business pressure").v_model = 0.9
        button(rc, "Step").click()
        # reset says it also undoes the practices, and afterwards every control shows the scenario's value
        button(rc, "Reset").click()
        (asked,) = [t for t in texts(rc) if "Start again" in t]
        assert "The 1 sprint played so far is lost" in asked and "practices go back to the scenario's" in asked
        assert "Business pressure 0.90 -> 0.40" in asked and "Roadmap one roadmap -> split backlogs" in asked
        button(rc, "Yes, start again").click()
        assert shared_room().sprint == 0
        pressure = slider("Business pressure")
        assert pressure.label == "Business pressure: 0.40" and pressure.v_model == 0.4
        assert not slider("Tech share").disabled
        # at the end of the run, no control offers a change that could not take effect
        for _ in range(3):
            button(rc, "Step").click()
        wait_until(lambda: slider("Business pressure").disabled, timeout=10)
        assert any("run has ended" in t for t in texts(rc))
        assert all(w.disabled for w in rc.find(v.Btn).widgets if "pe-event" in (w.class_ or ""))
        # the other tab starts a new run with another team size: this tab's "New run" card then shows the
        # run that is on, not the choices it showed before
        wait_until(lambda: _html(rc2, "pe-sprint")[0].attributes["data-sprint"] == "3", timeout=10)  # redrawn
        time.sleep(0.5)  # its watcher's frame gap: no redraw under our hands
        size = [w for w in rc2.find(v.Slider).widgets if (w.label or "").startswith("Team size")][0]
        size.v_model = 9
        button(rc2, "Start this run").click()
        button(rc2, "Yes, start again").click()
        assert shared_room().workshop.n_engineers == 9
        wait_until(lambda: any((w.label or "") == "Team size: 9" for w in rc.find(v.Slider).widgets), timeout=10)
    finally:
        rc.close()
        rc2.close()
        forget_room()


# --- long runs ---------------------------------------------------------------------------------------------

def test_a_long_run_draws_at_most_max_points_per_line_and_keeps_its_peaks():
    room = Room(setup="split_backlogs", compare="one_roadmap", horizon=1000)
    for _ in range(1000):
        room.workshop.step()
    room.set_show_band(True)
    bands = room.bands(wait=True)
    plots = figures.all_plots(room.workshop.setups, bands=bands, horizon=1000)
    assert sum(len(v) for v in plots.values()) < 400_000  # 0.91 MB when every sprint was a point
    for svg in plots.values():
        for e in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}polyline"):
            assert len(e.get("points").split()) <= figures.MAX_POINTS
    ys = [0.0] * 1000
    ys[617] = 5.0
    xs, kept = figures.thin(list(range(1, 1001)), ys)
    assert len(kept) <= figures.MAX_POINTS and 5.0 in kept and xs[kept.index(5.0)] == 618
    assert figures.thin(list(range(10)), list(range(10)), "max")[1] == list(range(10))[: len(range(10))]


# --- python -m pe_sim -----------------------------------------------------------------------------------------

def test_python_dash_m_runs_the_same_command_line():
    env = dict(os.environ, PE_SIM_CACHE_DIR=os.environ.get("PE_SIM_CACHE_DIR", "/tmp/cc_dash"))
    out = subprocess.run([sys.executable, "-m", "pe_sim", "--version"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("pe-sim ")
    out = subprocess.run([sys.executable, "-m", "pe_sim", "dashboard", "no_such_scenario"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 2 and "no such file or shipped scenario" in out.stderr
