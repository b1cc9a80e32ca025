"""What a facilitator saw in a workshop room, pinned: events in one sprint add up, one way of numbering
sprints, plain words in the log and the heading, help on every control, changes that cannot take effect
refused, reset that says what it undoes and leaves no stale control, long runs that stay light, and
`python -m pe_sim`."""

from __future__ import annotations

import os
import re
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


# --- the band keeps up with a slider dragged fast ----------------------------------------------------------

SLOW_SEED = 4242  # the seed of the room whose bands are held up (a room of an earlier test may still draw one)


def _blocking_band(monkeypatch):
    """Hold up the bands of rooms with seed :data:`SLOW_SEED` until ``go``: records the settings each one
    started for and how many compute at once (at most)."""
    import threading

    from pe_sim.dashboard import session

    real = session.band
    started: list[tuple[str, float]] = []
    running = {"now": 0, "most": 0}
    count = threading.Lock()
    go = threading.Event()

    def slow_band(config, seed, horizon, runs=session.BAND_RUNS):
        if seed != SLOW_SEED:
            return real(config, seed, horizon, runs)
        with count:
            started.append((config.name, float(config.params["pressure"])))
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
        try:
            assert go.wait(30)
        finally:
            with count:
                running["now"] -= 1
        return {"key": session.band_key(config, seed, horizon, runs), "runs": {}}

    monkeypatch.setattr(session, "band", slow_band)
    return started, running, go


@pytest.mark.timeout(60)
def test_bands_for_settings_the_room_has_moved_past_are_dropped(monkeypatch):
    """21 quick changes of a slider with the band on started 42 band computations (100 runs x 1,000 sprints
    each) at once and stalled the room; now one worker per column computes the first and the newest only."""
    started, running, go = _blocking_band(monkeypatch)
    r = Room(setup="split_backlogs", compare="one_roadmap", horizon=1000, seed=SLOW_SEED)
    try:
        r.set_show_band(True)
        assert r.bands() == [None, None]
        wait_until(lambda: len(started) == 2, timeout=10)  # each column's band for the scenario's settings
        for i in range(21):
            r.set_param("pressure", i / 20)
            assert r.bands() == [None, None]
        time.sleep(0.1)  # nothing else starts while those two compute
        assert sorted(started) == [("one_roadmap", 0.4), ("split_backlogs", 0.4)] and running["now"] == 2
        go.set()
        wait_until(lambda: None not in (r.bands() or [None]), timeout=10)
        # then the newest settings, once per column; none of those in between
        assert len(started) == 4 and sorted(started[2:]) == [("one_roadmap", 1.0), ("split_backlogs", 1.0)]
        assert [b["key"] for b in r.bands()] == [b["key"] for b in r.bands(wait=True)]
        assert running["most"] == 2
        # a request still waiting when the band is switched off, or the room reset, is never started
        wait_until(lambda: running["now"] == 0, timeout=10)
        go.clear()
        r.set_param("pressure", 0.3)
        r.bands()
        wait_until(lambda: len(started) == 6, timeout=10)
        r.set_param("pressure", 0.35)
        r.bands()
        r.set_show_band(False)
        r.reset(setup="split_backlogs", horizon=1000, seed=SLOW_SEED)
        r.set_show_band(True)
        r.set_param("pressure", 0.6)
        r.bands()
        go.set()
        wait_until(lambda: r.bands() != [None], timeout=10)
        time.sleep(0.1)
        assert sorted(p for _, p in started[4:]) == [0.3, 0.3, 0.6]  # not 0.35, nor the reset's 0.4
        assert running["most"] == 2
    finally:
        go.set()


# --- the model's range of 1 to 40 engineers -------------------------------------------------------------------

def test_a_hiring_wave_never_takes_the_team_past_40_engineers():
    """Hiring waves every sprint took the default team of 6 to 50 engineers (150 when playing), beyond the
    model's range of 1 to 40, while the log said "hiring wave": a wave is now cut to the room left (and the
    log says so), and one with no room left is refused the way an event after the end is."""
    r = Room(setup="split_backlogs", seed=1)
    refused = 0
    for _ in range(15):
        try:
            r.inject_event("hiring_wave")
        except ConfigError as exc:
            refused += 1
            assert "the team already has 40 engineers (counting hires on the way), the most the model allows" in str(exc)
            assert r.notice.startswith("A hiring wave cannot take effect: the team already has 40 engineers")
        r.step()
        assert r.workshop.setups[0].model.headcount <= 40
    w = r.workshop
    assert refused >= 3 and w.setups[0].model.headcount >= 38
    cut = [x for x in w.log if "hired" in x]
    assert cut == ["sprint 12: hiring wave (1 of 3 hired: 40 engineers is the most the model allows)"]
    assert sum(1 for x in w.log if "hiring wave" in x) == 15 - refused  # a refused wave is not logged
    assert w.problems() == []
    r.set_param("pressure", 0.5)  # the next change that goes through clears the notice
    assert r.notice is None


def test_hiring_waves_in_two_columns_stop_at_40_each_and_the_page_says_why():
    import ipyvuetify as v
    import solara

    from pe_sim.dashboard import app

    w = Workshop(setup="split_backlogs", compare="one_roadmap", n_engineers=38, seed=1)
    w.setups[1].model.set_param("backfill", False)  # B: five leave, and no one replaces them
    for s in w.setups:  # and no one else leaves, so the head counts below follow the hires
        for name in ("base_attrition", "burnout_attrition", "dissatisfied_attrition"):
            s.model.set_param(name, 0.0)
    w.setups[1].model.inject_event("key_engineer_leaves", magnitude=5)
    w.inject_event("hiring_wave")
    assert w.log[-1] == "sprint 1: hiring wave (2 of 3 hired: 40 engineers is the most the model allows)"
    w.step()
    assert [s.model.headcount for s in w.setups] == [40, 35]
    w.inject_event("hiring_wave", magnitude=6)
    assert w.log[-1] == ("sprint 2: hiring wave (A: no one hired | B: 5 of 6 hired: 40 engineers is the most the "
                         "model allows)")
    assert [e for e in w.setups[0].events if e[0] == 1] == []  # nothing queued, nothing drawn in A
    w.step()
    assert w.setups[0].model.headcount <= 40 and w.setups[1].model.headcount == 40
    with pytest.raises(ConfigError, match="every team already has 40 engineers"):
        w.inject_event("hiring_wave")
    # a reorganisation in the same sprint sets the size, which never passes 40 either
    w.inject_event("team_size")
    w.inject_event("hiring_wave")
    w.step()
    assert max(s.model.headcount for s in w.setups) <= 40 and w.problems() == []
    # on the page: the refused click is said next to the event buttons
    forget_room()
    shared_room(setup="split_backlogs", n_engineers=40, horizon=5)
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        button(rc, "Hiring wave").click()

        def notices() -> str:
            return " ".join(str(a.children) for a in rc.find(v.Alert).widgets if "pe-notice" in (a.class_ or ""))
        wait_until(lambda: "A hiring wave cannot take effect: the team already has 40 engineers" in notices())
        button(rc, "Step").click()
        button(rc, "Deadline crunch").click()  # an event that goes through: the notice goes
        wait_until(lambda: notices() == "")
    finally:
        rc.close()
        forget_room()


def test_problems_flag_a_team_above_the_models_range():
    w = Workshop(setup="split_backlogs", n_engineers=39, seed=1)
    w.setups[0].model.inject_event("hiring_wave", magnitude=5)  # behind the workshop's back: no check
    w.step()
    assert any("44 engineers, above the model's range of 1 to 40" in p for p in w.problems())


# --- seeds ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [-1, 2**63, 2.5, True, "7", None])
def test_a_bad_seed_is_one_clear_config_error_and_the_room_keeps_its_run(seed):
    r = Room(setup="split_backlogs", horizon=5)
    r.step()
    with pytest.raises(ConfigError, match=r"<dashboard>: seed: .* is not valid; expected an integer in \[0, 9223372036854775807\]"):
        r.reset(setup="split_backlogs", seed=seed)
    assert r.sprint == 1
    assert Workshop(setup="split_backlogs", seed=0).seed_value == 0 and Workshop(seed=3.0).seed_value == 3


@pytest.mark.parametrize("size, said", [(0, "0 is out of range; expected [1, 40]"), (41, "41 is out of range"),
                                         (2.5, "2.5 is not a whole number"), ("6", "'6' is not a number")])
def test_a_bad_team_size_is_one_clear_config_error(size, said):
    """It was cut to a whole number (2.5 -> 2) or met numpy's or int()'s own error; 6.0 is 6."""
    with pytest.raises(ConfigError, match=r"<dashboard>: n_engineers: " + re.escape(said)):
        Room(setup="split_backlogs").reset(setup="split_backlogs", n_engineers=size)
    assert Workshop(setup="split_backlogs", n_engineers=6.0).n_engineers == 6


# --- python -m pe_sim -----------------------------------------------------------------------------------------

def test_python_dash_m_runs_the_same_command_line():
    env = dict(os.environ, PE_SIM_CACHE_DIR=os.environ.get("PE_SIM_CACHE_DIR", "/tmp/cc_dash"))
    out = subprocess.run([sys.executable, "-m", "pe_sim", "--version"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("pe-sim ")
    out = subprocess.run([sys.executable, "-m", "pe_sim", "dashboard", "no_such_scenario"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 2 and "no such file or shipped scenario" in out.stderr
