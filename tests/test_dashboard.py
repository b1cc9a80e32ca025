"""The workshop dashboard without a browser: a 1,000-sprint soak, the server-level session (play, pause,
horizon, reload, band), escaping, the plots, the Solara page driven headless, the offline settings and
the command line."""

from __future__ import annotations

import html
import random
import re
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("solara")
pytest.importorskip("mesa.visualization")

from pe_sim.cli import main  # noqa: E402
from pe_sim.dashboard import figures  # noqa: E402
from pe_sim.dashboard.captions import CAPTIONS, EVENT_BUTTONS, PRACTICE_LABELS, TITLES  # noqa: E402
from pe_sim.config import ConfigError  # noqa: E402
from pe_sim.dashboard.session import (EVENTS, LIVE_PARAMS, MAX_HORIZON, Room, Workshop,  # noqa: E402
                                      band, forget_room, shared_room)
from pe_sim.params import BY_NAME  # noqa: E402


def random_value(rnd: random.Random, name: str):
    p = BY_NAME[name]
    if p.kind == "choice":
        return rnd.choice(p.choices)
    if p.kind == "bool":
        return rnd.random() < 0.5
    v = rnd.uniform(p.lo, p.hi)
    return int(round(v)) if p.kind == "int" else round(v, 2)


def check_team_view(w: Workshop) -> None:
    for s in w.setups:
        here = [r for r in s.people.values() if r.left is None]
        assert len(here) == len(s.engineers()) == round(s.history[-1]["headcount"])
        html = figures.team_html(s)
        assert html.count("class='pe-engineer'") == len(s.team_view())
        assert f"data-sprint='{s.sprint}'" in html


@pytest.mark.timeout(180)
def test_soak_1000_sprints_with_random_practices_and_events():
    """1,000 sprints side by side with random live changes and events: no error, everything in bounds."""
    rnd = random.Random(20261122)
    assert MAX_HORIZON == 1000
    w = Workshop(setup="split_backlogs", compare="one_roadmap", n_engineers=8, seed=7, horizon=MAX_HORIZON)
    changes = events = 0
    for i in range(1000):
        r = rnd.random()
        if r < 0.15:
            name = rnd.choice(LIVE_PARAMS)
            w.set_param(name, random_value(rnd, name), setup=rnd.choice([0, 1, None]))
            changes += 1
        elif r < 0.20:
            w.inject_event(rnd.choice(EVENTS))
            events += 1
        w.step()
        if i % 100 == 99:
            assert w.problems() == [], w.problems()[:5]
            check_team_view(w)
        if i == 998:  # the last sprint of the longest run still takes events (one limit: MAX_HORIZON)
            w.inject_event("deadline_crunch")
        if i in (0, 499, 999):  # the page's drawing code copes with long, eventful histories
            svgs = figures.all_plots(w.setups, horizon=w.horizon)
            assert len(svgs) == len(figures.PLOTS) * 2
            for svg in svgs.values():
                ET.fromstring(svg)  # well-formed
    assert w.sprint == 1000 and w.steps == 1000
    assert not w.running  # play stops at the horizon
    w.step()
    assert w.sprint == 1000
    with pytest.raises(ConfigError, match="run has ended"):  # no events past the end
        w.inject_event("deadline_crunch")
    assert changes > 100 and events > 25
    assert w.problems() == []


def test_same_seed_same_luck_and_live_changes_apply_from_next_sprint():
    a = Workshop(setup="split_backlogs", compare="split_backlogs", seed=3)
    for _ in range(5):
        a.step()
    h0, h1 = a.setups[0].history, a.setups[1].history
    assert h0 == h1  # same scenario, same seed: identical columns
    a.set_param("pressure", 0.95, setup=0)
    assert a.setups[0].param("pressure") == 0.95 and a.setups[1].param("pressure") != 0.95
    assert a.setups[0].history == h1  # nothing rewritten
    a.step()
    assert a.setups[0].history[-1] != a.setups[1].history[-1]
    a.inject_event("key_engineer_leaves")
    a.step()
    for s in a.setups:
        assert s.history[-1]["attrition"] >= 1
        key = [r for r in s.people.values() if r.reason == "key_engineer_leaves"]
        team = figures.team_html(s)
        assert len(key) == 1 and f"data-key='{key[0].key}'" in team
        stayed = [r for r in s.people.values() if r.left is None]
        assert key[0].expertise > max(r.expertise for r in stayed) - 0.05  # the most expert (a sprint's learning since)
        assert "data-expertise=" in team
    with pytest.raises(Exception):
        a.set_param("pressure", 2.0)
    with pytest.raises(Exception):
        a.inject_event("alien_invasion")


def test_every_plot_event_and_control_has_plain_words():
    for k in figures.PLOTS + ("team",):
        cap = CAPTIONS[k]
        assert cap.endswith(".") and cap.count(". ") == 0 and len(cap) < 200, k  # one sentence
        assert k in TITLES
    assert set(EVENT_BUTTONS) == set(EVENTS)
    assert set(PRACTICE_LABELS) == set(LIVE_PARAMS)


# --- the session: one room per dashboard process ------------------------------------------------------

def wait_until(cond, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("interval", [0.0, 0.001, 0.1])
def test_pause_stops_within_one_step_at_every_speed(interval):
    """Play at any speed starts at once, and once pause returns no further step starts."""
    # a long horizon: at full speed a 52-sprint run could end between pause and play
    room = Room(setup="split_backlogs", compare="one_roadmap", interval=interval, horizon=1000)
    t0 = time.monotonic()
    assert room.play()
    wait_until(lambda: room.sprint >= 3)
    assert time.monotonic() - t0 < 5 + 3 * interval  # not stuck at sprint 0
    for _ in range(3):  # pause, play again, pause: each pause holds, and comes at once even at full speed
        asked = time.monotonic()
        stopped = room.pause()
        assert time.monotonic() - asked < 0.5
        assert not room.playing
        time.sleep(max(0.05, 3 * interval))
        assert room.sprint == stopped
        assert room.play()
        wait_until(lambda: room.sprint >= stopped + 2)
    stopped = room.pause()
    time.sleep(0.1)
    assert room.sprint == stopped and room.workshop.problems() == []


@pytest.mark.timeout(60)
def test_play_stops_at_the_horizon():
    room = Room(setup="crunch", horizon=12, interval=0.0)
    assert room.play()
    wait_until(lambda: not room.playing)
    assert room.sprint == 12 and not room.running
    assert not room.play() and not room.step()
    time.sleep(0.05)
    assert room.sprint == 12 and len(room.workshop.setups[0].history) == 12
    room.reset(setup="crunch", horizon=12)
    assert room.sprint == 0 and room.running and room.step() and room.sprint == 1


def test_one_horizon_limit_in_one_place():
    """The Python session refuses what the events would refuse: one limit, checked by check_horizon."""
    for bad in (0, -1, MAX_HORIZON + 1, 2000, 2.5, "52", True, None):
        with pytest.raises(ConfigError, match="horizon"):
            Workshop(setup="crunch", horizon=bad)
    with pytest.raises(ConfigError):
        Room(setup="crunch").reset(setup="crunch", horizon=2000)
    w = Workshop(setup="crunch", horizon=3)
    for _ in range(3):
        w.inject_event("pm_absent")  # an event at every sprint up to the last
        w.step()
    with pytest.raises(ConfigError, match="run has ended"):
        w.inject_event("pm_absent")


def test_reload_and_second_tab_attach_to_the_same_session():
    """A reload (or a second tab) renders the process's room: the run goes on where it was."""
    import ipyvuetify as v
    import solara

    from pe_sim.dashboard import app

    forget_room()
    try:
        box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
        for _ in range(3):
            rc.find(v.Btn, children=["Step"]).widget.click()
        assert _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "3"
        rc.close()  # the tab is closed or reloaded
        assert shared_room().sprint == 3
        box, rc1 = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
        box, rc2 = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
        try:
            for rc in (rc1, rc2):
                assert _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "3"
            rc1.find(v.Btn, children=["Step"]).widget.click()
            assert _html(rc1, "pe-sprint")[0].attributes["data-sprint"] == "4"
            # the other tab's watcher redraws it
            wait_until(lambda: _html(rc2, "pe-sprint")[0].attributes["data-sprint"] == "4")
            # Reset after sprint 0 asks first; "Keep this run" keeps it
            button(rc2, "Reset").click()
            button(rc2, "Keep this run").click()
            assert shared_room().sprint == 4
            button(rc2, "Reset").click()
            button(rc2, "Yes, start again").click()
            assert shared_room().sprint == 0
            wait_until(lambda: _html(rc1, "pe-sprint")[0].attributes["data-sprint"] == "0")
        finally:
            rc1.close()
            rc2.close()
    finally:
        forget_room()


def test_every_user_string_is_escaped(tmp_path, monkeypatch):
    """A scenario's description and any setup label reach the page as text, never as markup (names
    that are not plain file names are refused when the config loads)."""
    import solara

    from pe_sim.dashboard import app

    evil = "<img src=x onerror=alert(1)>"
    path = tmp_path / "evil.toml"
    path.write_text(f"[scenario]\nname = 'evil'\ndescription = '{evil} <script>alert(2)</script> & more'\n"
                    "[params]\nn_engineers = 4\n\n[[events]]\nkind = 'deadline_crunch'\nsprint = 1\n")
    w = Workshop(setup=str(path), compare=str(path))
    w.setups[0].label = evil + " $x^$"  # a label from anywhere else is escaped too
    for _ in range(3):
        w.step()
    head = app.title_html(w)
    assert "<img" not in head and "<script" not in head
    assert "&lt;img src=x onerror=alert(1)&gt;" in head and "&lt;script&gt;" in head
    svgs = figures.all_plots(w.setups)
    for (key, i), svg in svgs.items():
        assert b"<img" not in svg
        ET.fromstring(svg)  # well-formed SVG despite the markup in the label
    assert any(b"&lt;img" in svg for svg in svgs.values())
    team = figures.team_html(w.setups[0])
    assert "<img" not in team and "&lt;img" in team
    # and on the page itself
    forget_room()
    monkeypatch.setenv(app.ENV_SCENARIO, str(path))
    try:
        box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
        try:
            texts = [w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets]
            assert any("&lt;img src=x" in t for t in texts)
            assert not any("<img" in t or "<script" in t for t in texts)
        finally:
            rc.close()
    finally:
        forget_room()


def test_events_that_last_are_drawn_as_spans():
    w = Workshop(setup="split_backlogs", seed=2)
    w.step()
    w.inject_event("deadline_crunch")  # four sprints of pressure
    w.inject_event("key_engineer_leaves")  # one-off
    for _ in range(6):
        w.step()
    assert (1, "deadline_crunch", 4) in w.setups[0].events  # 0-based, as configs count: it hits sprint 2
    svg = figures.all_plots(w.setups)[("velocity", 0)].decode()
    root = ET.fromstring(svg)
    spans = [e for e in root.iter() if e.get("class") == "pe-event-span"]
    lines = [e for e in root.iter() if e.get("class") == "pe-event-line"]
    assert len(spans) == 1 and len(lines) == 1
    ch = figures._Chart(figures.x_extent(7), (0.0, 1.0))
    per_sprint = ch.X(2) - ch.X(1)
    assert float(lines[0].get("x1")) == pytest.approx(ch.X(2), abs=0.06)  # the key engineer leaves in sprint 2
    assert float(spans[0].get("x")) == pytest.approx(ch.X(1.5), abs=0.06)  # the crunch covers sprints 2 to 5
    assert float(spans[0].get("width")) == pytest.approx(4 * per_sprint, rel=0.02)


def test_engineers_who_left_stay_marked():
    w = Workshop(setup="split_backlogs", seed=2)
    w.step()
    w.inject_event("key_engineer_leaves")
    for _ in range(20):  # long past the window of greyed cards
        w.step()
    s = w.setups[0]
    leavers = [r for r in s.people.values() if r.left is not None]
    assert leavers
    team = figures.team_html(s)
    for r in leavers:
        assert f"data-key='{r.key}'" in team, r
    assert "resigned (key engineer), sprint 2" in team
    assert f"{len(leavers)} left so far" in team


def test_a_reorganisation_moves_the_two_newest_of_each_column_off_for_good():
    w = Workshop(setup="split_backlogs", compare="one_roadmap", n_engineers=7, seed=4)
    w.inject_event("hiring_wave")  # three newcomers: the newest, so the ones a reorganisation moves
    w.step()
    before = [s.model.headcount for s in w.setups]
    newest = [sorted(s.engineers(), key=lambda a: (a.tenure, -a.slot))[:2] for s in w.setups]  # ties: the last slot
    w.inject_event("team_size")
    w.step()
    for s, n, gone in zip(w.setups, before, newest):
        moved = [d for d in s.model.departures if d["reason"] == "team_size"]
        assert len(moved) == 2 and {d["unique_id"] for d in moved} == {a.unique_id for a in gone}
        assert s.model.headcount <= n - 2
        assert "moved off (team resized) in sprint 2" in figures.team_html(s)
    assert w.log[-1] == f"sprint 2: reorganisation (A {before[0]} -> {before[0] - 2} engineers | B {before[1]} -> " \
                        f"{before[1] - 2} engineers)"
    sizes = [s.model.headcount for s in w.setups]
    for _ in range(10):  # no one replaces them: the team grows back only by replacing later leavers
        w.step()
    assert all(s.model.headcount <= k for s, k in zip(w.setups, sizes))
    assert w.problems() == []


def test_a_reorganisation_of_a_one_engineer_team_says_no_one_can_move():
    w = Workshop(setup="split_backlogs", n_engineers=1, seed=4)
    w.step()
    w.inject_event("team_size")
    w.step()
    assert w.setups[0].model.headcount == 1 and w.log[-1] == "sprint 2: reorganisation (1 engineer, no one can move)"
    w = Workshop(setup="split_backlogs", n_engineers=6, seed=4)
    w.step()
    w.inject_event("team_size")
    w.inject_event("team_size")  # twice in one sprint: four move, as the log says (the team it ends with)
    assert w.log[-2:] == ["sprint 2: reorganisation (6 -> 4 engineers)", "sprint 2: reorganisation (6 -> 2 engineers)"]
    w.step()
    assert w.setups[0].model.headcount == 2
    w.inject_event("team_size")
    assert w.log[-1] == "sprint 3: reorganisation (2 -> 1 engineer)"
    w.inject_event("pm_absent")
    assert w.log[-1] == "sprint 3: PM away"


def test_band_of_runs_with_the_same_settings_is_cached_and_contains_this_run():
    room = Room(setup="split_backlogs", horizon=30)
    for _ in range(5):
        room.step()
    assert room.bands() is None  # off by default: nothing computed
    room.set_show_band(True)
    (b,) = room.bands(wait=True)
    hist = [row["tech_debt"] for row in room.workshop.setups[0].history]
    assert b["runs"]["tech_debt"].shape == (100, 30)
    assert b["runs"]["tech_debt"][0, :5] == pytest.approx(hist)  # run 0 is this run
    lo, mid, hi = b["tech_debt"]
    assert (lo <= mid).all() and (mid <= hi).all()
    assert room.bands(wait=True)[0] is b  # cached per settings
    assert band(room.workshop.setups[0].model.config, room.workshop.seed_value, 30) is b
    room.set_param("pressure", 0.9)
    (b2,) = room.bands(wait=True)
    assert b2 is not b  # new settings, new band
    svg = figures.all_plots(room.workshop.setups, bands=[b2], horizon=30)[("tech_debt", 0)]
    assert b"of 100 runs" in svg
    # off the main thread: bands() returns None at once and bumps the version when ready
    room.set_param("pressure", 0.5)
    v = room.version
    assert room.bands() == [None]
    wait_until(lambda: room.bands() != [None], timeout=30)
    assert room.version > v


def test_a_step_redraws_as_svg_text_without_matplotlib():
    """A side-by-side step and its redraw make every chart as SVG text and never load matplotlib (a
    matplotlib figure per plot made a step take ~0.65 s). The time itself is a figure that
    benchmarks/bench_dashboard.py prints, not a test."""
    code = ("import sys\n"
            "from pe_sim.dashboard import figures\n"
            "from pe_sim.dashboard.session import Workshop\n"
            "w = Workshop(setup='split_backlogs', compare='one_roadmap')\n"
            "for _ in range(3):\n"
            "    w.step()\n"
            "    plots = figures.all_plots(w.setups, horizon=w.horizon)\n"
            "    cards = [figures.team_html(s) for s in w.setups]\n"
            "print(len(plots), all(p.count(b'<svg') == 1 for p in plots.values()), len(cards),\n"
            "      any(m.startswith('matplotlib') for m in sys.modules))\n")
    import os
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])))
    assert r.returncode == 0, r.stderr[-2000:]
    n_plots, all_svg, n_cards, matplotlib_loaded = r.stdout.split()
    assert int(n_plots) == 2 * len(figures.PLOTS) and all_svg == "True" and n_cards == "2"
    assert matplotlib_loaded == "False"


# --- the page, driven without a browser -------------------------------------------------------------

def _html(rc, cls: str):
    import solara

    return [w for w in rc.find(solara.widgets.HTML).widgets if cls in (w.attributes or {}).get("class", "").split()]


def button(rc, label: str):
    """The one button labelled ``label``, once it is on the page (a tab's watcher thread may still be
    rendering a change; reacton then renders this tab's own change right after)."""
    import ipyvuetify as v

    wait_until(lambda: len([w for w in rc.find(v.Btn).widgets if w.children == [label]]) == 1)
    return rc.find(v.Btn, children=[label]).widget


def _images(rc) -> list[bytes]:
    import ipywidgets

    return [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]


def test_page_headless_step_event_slider_reset_side_by_side():
    import ipyvuetify as v
    import solara

    from pe_sim.dashboard import app

    forget_room()
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        step = rc.find(v.Btn, children=["Step"])
        step.assert_single()
        labels = {w.label for w in rc.find(v.Slider).widgets} | {w.label for w in rc.find(v.Select).widgets}
        assert not any("Interval" in (x or "") or "Threads" in (x or "") for x in labels)  # no Mesa generics
        for name in ("Team size: 6", "Seed (the luck): 1", "Business pressure: 0.40"):
            assert name in labels, labels
        assert _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "0"
        imgs0 = _images(rc)
        assert len(imgs0) == len(figures.PLOTS)
        captions = [w.unsafe_innerHTML for w in _html(rc, "pe-caption")]
        assert set(captions) == {html.escape(CAPTIONS[k]) for k in figures.PLOTS + ("team",)}
        for _ in range(3):
            step.widget.click()
        assert _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "3"
        imgs3 = _images(rc)
        assert all(a != b for a, b in zip(imgs0, imgs3))  # every plot redrawn
        rc.find(v.Btn, children=["Key engineer leaves"]).widget.click()
        assert "key engineer leaves" in _html(rc, "pe-log")[0].unsafe_innerHTML
        sliders = [w for w in rc.find(v.Slider).widgets if (w.label or "").startswith("Business pressure: 0.40")]
        assert len(sliders) == 1
        sliders[0].v_model = 0.9
        assert "sprint 4: Business pressure = 0.90" in _html(rc, "pe-log")[0].unsafe_innerHTML
        assert any((w.label or "") == "Business pressure: 0.90" for w in rc.find(v.Slider).widgets)
        sel = rc.find(v.Select, label="Conflict style")
        sel.widget.v_model = "productive"
        step.widget.click()
        team_html = "".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                            if "pe-team" in (w.unsafe_innerHTML or ""))
        assert "resigned (key engineer) in sprint 4" in team_html
        # the band of 100 runs
        rc.find(v.Checkbox).widget.v_model = True
        wait_until(lambda: b"of 100 runs" in _images(rc)[0], timeout=60)
        # side by side: pick B, start the new run (it asks first), both columns step together
        rc.find(v.Select, label="Side by side with B").widget.v_model = "one_roadmap"
        rc.find(v.Btn, children=["Start this run"]).widget.click()
        button(rc, "Yes, start again").click()  # another thread may be drawing the band: wait for it
        wait_until(lambda: len(_images(rc)) == 2 * len(figures.PLOTS))
        assert shared_room().sprint == 0 and len(shared_room().workshop.setups) == 2
        wait_until(lambda: _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "0")
        button(rc, "Step").click()
        button(rc, "Step").click()
        assert shared_room().sprint == 2
        wait_until(lambda: _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "2")
        wait_until(lambda: len([w for w in rc.find(solara.widgets.HTML).widgets
                                if "class='pe-team'" in (w.unsafe_innerHTML or "")]) == 2)
        button(rc, "Hiring wave").click()
        button(rc, "Step").click()
        wait_until(lambda: _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "3")

        def team_html() -> str:
            return "".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                           if "pe-team" in (w.unsafe_innerHTML or ""))
        # the watcher thread may still be redrawing one column: wait for both, then check them
        wait_until(lambda: team_html().count("data-sprint='3'") == 2, timeout=20)
        assert team_html().count("new: joined sprint 3") == 6  # three joiners in each column
    finally:
        rc.close()
        forget_room()


# --- offline settings ---------------------------------------------------------------------------------

def test_offline_settings_and_every_template_asset_is_installed():
    import ipywidgets

    import solara.server

    from pe_sim.dashboard.server import OFFLINE_CDN, assets_dir, configure_environment

    env = configure_environment("crunch", env={})
    assert env["SOLARA_ASSETS_PROXY"] == "true"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["SOLARA_ASSETS_CDN"] == OFFLINE_CDN and "127.0.0.1" in OFFLINE_CDN
    assert env["SOLARA_MODE"] == "production"
    assert env["SOLARA_THEME_TITLE"] == "pe-sim workshop"
    assert env["PE_SIM_DASHBOARD_SCENARIO"] == "crunch"
    root = assets_dir()
    assert root is not None and Path(env["SOLARA_ASSETS_PROXY_CACHE_DIR"]) == root
    # every {{cdn}} file the page template loads (Vue 2 branch) is on disk
    template = (Path(solara.server.__file__).parent / "templates" / "solara.html.j2").read_text()
    major = ipywidgets.__version__.split(".")[0]
    paths = set()
    for m in re.finditer(r"\{\{\s*cdn\s*\}\}(/?[^\"'\s]+)", template):
        p = m.group(1).replace("{{ipywidget_major_version}}", major).lstrip("/")
        if "vuetify3" in p or "{{" in p or "{%" in p:
            continue
        paths.add(p)
    fa = solara.server.settings.assets.fontawesome_path.lstrip("/")
    paths.add(fa)
    assert any("solara-vuetify-app" in p for p in paths) and any("require" in p for p in paths)
    missing = sorted(p for p in paths if not (root / p).is_file())
    assert not missing, f"solara-assets lacks {missing}; the page would need the internet"


def test_cli_dashboard_rejects_bad_input_before_serving(capsys):
    assert main(["dashboard", "no_such_scenario"]) == 2
    assert "no such file or shipped scenario" in capsys.readouterr().err
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    assert "pass another --port" in capsys.readouterr().err
    for host in ("nosuchhost.invalid", "10.255.255.1"):  # a name that does not resolve; an address not ours
        for port in ("0", "8765"):
            assert main(["dashboard", "--host", host, "--port", port]) == 2
            err = capsys.readouterr().err
            assert f"--host {host}: not an address of this machine" in err and "--port" not in err



def test_a_local_server_refuses_other_hosts_and_other_origins_websockets():
    """DNS rebinding (a page of evil.example resolving to 127.0.0.1) and a cross-origin WebSocket could
    reach the room's session; a loopback Host with no or the same-machine Origin passes."""
    import asyncio

    from pe_sim.dashboard.server import LocalOnly

    reached = []

    async def app(scope, receive, send):
        reached.append(scope["type"])

    def call(kind, host, origin=None):
        sent = []

        async def send(message):
            sent.append(message)

        headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
        asyncio.run(LocalOnly(app)({"type": kind, "headers": headers}, None, send))
        return sent

    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"):
        assert call("http", host) == [] and call("websocket", host, "http://127.0.0.1:8765") == []
    assert reached == ["http", "websocket"] * 4
    assert call("http", "evil.example:8765")[0]["status"] == 403
    assert call("http", "127.0.0.1.evil.example")[0]["status"] == 403
    assert call("websocket", "127.0.0.1:8765", "http://evil.example") == [{"type": "websocket.close", "code": 1008}]
    asyncio.run(LocalOnly(app)({"type": "lifespan"}, None, None))  # start-up and shut-down pass through
    assert reached[-1] == "lifespan" and len(reached) == 9
