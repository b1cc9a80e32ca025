"""The workshop dashboard without a browser: a 1,000-sprint soak, the Solara page driven headless,
Mesa SolaraViz's reset contract, the offline settings and the command line."""

from __future__ import annotations

import inspect
import random
import re
import socket
import time
from pathlib import Path

import pytest

pytest.importorskip("solara")
pytest.importorskip("mesa.visualization")

from pe_sim.cli import main  # noqa: E402
from pe_sim.dashboard import figures  # noqa: E402
from pe_sim.dashboard.captions import CAPTIONS, EVENT_BUTTONS, PRACTICE_LABELS, TITLES  # noqa: E402
from pe_sim.dashboard.session import EVENTS, LIVE_PARAMS, NO_COMPARE, Workshop  # noqa: E402
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
    w = Workshop(setup="split_backlogs", compare="one_roadmap", n_engineers=8, seed=7, horizon=1000)
    t0 = time.perf_counter()
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
        if i in (0, 499, 999):  # the page's drawing code copes with long, eventful histories
            pngs = figures.all_plots(w.setups)
            assert len(pngs) == len(figures.PLOTS) * 2 and all(b[:4] == b"\x89PNG" for b in pngs.values())
    assert w.sprint == 1000 and w.steps == 1000
    assert not w.running  # play stops at the horizon
    w.step()
    assert w.sprint == 1000
    assert changes > 100 and events > 25
    assert w.problems() == []
    assert time.perf_counter() - t0 < 60


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
        assert any(r.reason == "key_engineer_leaves" for r in s.people.values())
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


def test_model_params_fit_solaraviz_reset():
    """SolaraViz re-creates the model on Reset from these inputs; 'scenario' would collide with Mesa's."""
    from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

    from pe_sim.dashboard.app import model_params

    params = model_params("crunch")
    assert "scenario" not in params
    w = Workshop(setup="crunch")
    _check_model_params(w, params)
    kwargs = _build_model_init_kwargs(w, {k: v["value"] for k, v in params.items()}, add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    fresh = type(w)(**kwargs)
    assert fresh.setup_name == "crunch" and len(fresh.setups) == 1
    sig = inspect.signature(Workshop)
    assert set(params) <= set(sig.parameters)
    assert params["compare"]["values"][0] == NO_COMPARE


# --- the page, driven without a browser -------------------------------------------------------------

def _html(rc, cls: str):
    import solara

    return [w for w in rc.find(solara.widgets.HTML).widgets if cls in (w.attributes or {}).get("class", "").split()]


def _images(rc) -> list[bytes]:
    import ipywidgets

    return [w.value for w in rc.find(ipywidgets.Image).widgets]


def test_page_headless_step_event_slider_reset_side_by_side():
    import ipyvuetify as v
    import solara

    from pe_sim.dashboard import app

    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        step = rc.find(v.Btn, children=["Step"])
        step.assert_single()
        assert _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "0"
        imgs0 = _images(rc)
        assert len(imgs0) == len(figures.PLOTS)
        captions = [w.unsafe_innerHTML for w in _html(rc, "pe-caption")]
        assert set(captions) == {CAPTIONS[k] for k in figures.PLOTS + ("team",)}
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
        assert "pressure = 0.9" in _html(rc, "pe-log")[0].unsafe_innerHTML
        assert any((w.label or "") == "Business pressure: 0.90" for w in rc.find(v.Slider).widgets)
        sel = rc.find(v.Select, label="Conflict style")
        sel.widget.v_model = "productive"
        step.widget.click()
        team_html = "".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                            if "pe-team" in (w.unsafe_innerHTML or ""))
        assert "resigned (key engineer) in sprint 4" in team_html
        # side by side: pick B, reset, both columns step together on the same seed
        rc.find(v.Select, label="Side by side with B (on Reset)").widget.v_model = "one_roadmap"
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "0"
        assert len(_images(rc)) == 2 * len(figures.PLOTS)
        step.widget.click()
        step.widget.click()
        assert _html(rc, "pe-sprint")[0].attributes["data-sprint"] == "2"
        assert len([w for w in rc.find(solara.widgets.HTML).widgets if "class='pe-team'" in (w.unsafe_innerHTML or "")]) == 2
        rc.find(v.Btn, children=["Hiring wave"]).widget.click()
        step.widget.click()
        team_html = "".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                            if "pe-team" in (w.unsafe_innerHTML or ""))
        assert team_html.count("new: joined sprint 3") == 6  # three joiners in each column
    finally:
        rc.close()


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


def test_user_strings_are_escaped_on_the_page():
    """A scenario name or label never reaches the page as HTML."""
    import solara

    from pe_sim.dashboard import app

    w = Workshop(setup="split_backlogs")
    w.setups[0].label = "<img src=x onerror=alert(1)>"
    w.log.append("<script>alert(2)</script>")
    box, rc = solara.render(app.WorkshopView(w), handle_error=False)
    try:
        page = "".join(x.unsafe_innerHTML or "" for x in rc.find(solara.widgets.HTML).widgets)
        assert "<img src=x" not in page and "<script>" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    finally:
        rc.close()
