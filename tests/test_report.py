"""The HTML handout: it opens, contains every figure, and has no external references."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from pe_sim import report
from pe_sim.cli import main
from pe_sim.config import load
from pe_sim.dashboard.captions import CAPTIONS
from pe_sim.plots import PLOTTED


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.unclosed_errors = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


URL_ATTRS = ("src", "href", "srcset", "action", "poster", "data", "background", "formaction", "xlink:href")


def assert_self_contained(doc: str) -> Collect:
    parser = Collect()
    parser.feed(doc)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "base"), tag
        for a in URL_ATTRS:
            if a in attrs:
                assert attrs[a].startswith("data:"), (tag, a, attrs[a][:80])
    # nothing that a browser, mail client or printer would fetch
    assert not re.search(r"(?i)\b(https?|ftp):|//[a-z0-9.-]+\.[a-z]{2,}/|url\(\s*['\"]?(?!data:)|@import", doc)
    return parser


@pytest.fixture(scope="module")
def built():
    configs = [load("one_roadmap"), load("split_backlogs"), load("crunch")]
    return report.build(configs, runs=40, sprints=30, seed=5)


def test_report_has_every_figure_embedded_and_no_external_references(built):
    doc = built.html
    parser = assert_self_contained(doc)
    imgs = [a for t, a in parser.tags if t == "img"]
    assert len(imgs) == len(built.figures) == 2 + len(report.FIGURE_OUTCOMES)
    for a in imgs:
        assert a["src"].startswith("data:image/png;base64,")
        png = base64.b64decode(a["src"].split(",", 1)[1], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
        assert a.get("alt")
    assert doc.count("<figcaption>") == len(imgs)
    for k in report.FIGURE_OUTCOMES:
        assert CAPTIONS[k].replace("'", "&#x27;") in doc


def test_report_says_what_was_run_and_the_key_outcomes_with_cis(built):
    doc = built.html
    assert doc.startswith("<!DOCTYPE html>") and doc.rstrip().endswith("</html>")
    for name in ("one_roadmap", "split_backlogs", "crunch"):
        assert f"<h3>{name}</h3>" in doc
    assert "roadmap_mode" in doc and "deadline crunch at sprint 14" in doc
    assert "40 runs per setup" in doc and "30 sprints" in doc and "seed 5" in doc
    assert "Key outcomes" in doc and "95% confidence interval" in doc
    s = built.summary
    assert set(s["scenario"]) == {"one_roadmap", "split_backlogs", "crunch"}
    assert (s["ci_low"] <= s["mean"]).all() and (s["mean"] <= s["ci_high"]).all()
    assert "In plain words" in doc and doc.count("<li class=") >= 5
    assert "pe-sim report one_roadmap split_backlogs crunch --runs 40 --sprints 30 --seed 5" in doc


def test_report_is_reproducible(built):
    again = report.build([load("one_roadmap"), load("split_backlogs"), load("crunch")], runs=40, sprints=30, seed=5)
    assert again.summary.equals(built.summary)


def test_report_command_writes_a_file_that_opens(tmp_path, capsys):
    out = tmp_path / "handout" / "report.html"
    assert main(["report", "one_roadmap", "split_backlogs", "--runs", "20", "--sprints", "20", "--seed", "3",
                 "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    doc = out.read_text(encoding="utf-8")
    assert_self_contained(doc)
    assert "one_roadmap vs split_backlogs" in doc
    # a repeated config still gets a column of its own
    out2 = tmp_path / "same.html"
    assert main(["report", "crunch", "crunch", "--runs", "5", "--sprints", "10", "--out", str(out2)]) == 0
    doc2 = out2.read_text(encoding="utf-8")
    assert "crunch vs crunch#2" in doc2  # labelled as run and compare label a repeated config


def test_report_command_rejects_bad_input(tmp_path, capsys):
    assert main(["report", "no_such_scenario", "--out", str(tmp_path / "r.html")]) == 2
    assert "no such file or shipped scenario" in capsys.readouterr().err
    assert main(["report", "crunch", "--out", str(tmp_path / "r.txt")]) == 2
    assert "expected an .html file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "crunch"])  # --out is required


@pytest.mark.skipif(not __import__("shutil").which("chromium") and not __import__("os").path.exists("/usr/bin/chromium")
                    and not __import__("os").environ.get("CI"),
                    reason="no Chromium to open the file with (apt-get install chromium); CI requires it")
def test_report_opens_in_a_browser_offline(tmp_path):
    """The file renders in Chromium from disk with every image decoded and no network request at all."""
    sync_api = pytest.importorskip("playwright.sync_api")
    path = tmp_path / "report.html"
    report.write(path, [load("one_roadmap"), load("split_backlogs")], runs=10, sprints=12, seed=1)
    requests = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            n = page.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth > 300).length")
            assert n == 2 + len(report.FIGURE_OUTCOMES)
            assert "What the simulation says" in page.inner_text("h1")
        finally:
            browser.close()
    assert all(u.startswith(("file:", "data:")) for u in requests), requests[:5]


def test_parameters_a_roadmap_mode_ignores_are_marked_and_truly_change_nothing():
    import numpy as np

    from pe_sim.params import SPLIT_ONLY, unused
    from tests.helpers import sim

    assert unused({"roadmap_mode": "one_roadmap"}) == SPLIT_ONLY and unused({"roadmap_mode": "split_backlogs"}) == ()
    for name, lo, hi in (("tech_share", 0.0, 0.6), ("tech_squeeze", 0.0, 1.0)):
        one = [sim(runs=30, sprints=20, roadmap_mode="one_roadmap", **{name: v}) for v in (lo, hi)]
        split = [sim(runs=30, sprints=20, roadmap_mode="split_backlogs", **{name: v}) for v in (lo, hi)]
        assert all(np.array_equal(one[0][k], one[1][k]) for k in one[0]), name  # the claim the note makes
        assert not np.array_equal(split[0]["tech_debt"], split[1]["tech_debt"]), name
    html = report._setups_html([load("one_roadmap"), load("split_backlogs")], per_run={"tech_share": None, "pm_insight": None})
    one_part, split_part = html.split("<h3>split_backlogs</h3>")
    assert "<code>tech_share</code> <small>(not used: one roadmap" in one_part
    assert "not used" not in split_part
    set_anyway = report._setups_html([load("one_roadmap").with_params(tech_share=0.3)])
    assert "tech work in split_backlogs mode <small>(not used: one roadmap" in set_anyway


@pytest.mark.parametrize("setups, name", [(2, "setup_{i}"), (9, "setup_{i}"),
                                           (5, "team_{i}_with_weekly_syncs_and_a_long_descriptive_setup_name_x"),
                                           (4, "one_roadmap_high_pressure_mobile_0{i}"), (20, "W" * 33 + "{i}"),
                                           (40, "team_{i}_with_weekly_syncs_and_a_long_descriptive_name_xx")])
def test_the_overview_legend_sits_below_every_panel(setups, name):
    """However many setups, and however long their names (up to 64 characters), the shared legend
    takes its own room under the panels and stays inside the figure (nine shipped scenarios' three
    rows covered the lower panels' labels; five long names ran off both edges)."""
    import matplotlib.pyplot as plt

    from pe_sim.plots import trajectory_figure

    df = pd.concat([pd.DataFrame({"scenario": name.format(i=i), "run": np.repeat([0, 1], 3),
                                  "sprint": np.tile([0, 1, 2], 2), **{k: np.arange(6.0) + i for k in PLOTTED}})
                    for i in range(setups)])
    fig = trajectory_figure(df)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes if ax.get_visible())
    inside = fig.bbox
    plt.close(fig)
    assert legend.y1 <= lowest
    assert inside.x0 <= legend.x0 and legend.x1 <= inside.x1 and legend.y0 >= inside.y0


@pytest.mark.parametrize("setups, name", [(3, "s{i}"), (5, "team_{i}_with_weekly_syncs_and_a_long_descriptive_setup_name_x"),
                                           (40, "setup_{i}")])
def test_per_outcome_and_compare_legends_stay_inside_and_off_the_lines(setups, name):
    """The per-outcome figures (run's and report's) and compare's figure fit their legends the same
    way: inside the figure, and below the panel once there are many or long names."""
    import warnings

    import matplotlib.pyplot as plt

    from pe_sim.plots import outcome_figure

    df = pd.concat([pd.DataFrame({"scenario": name.format(i=i), "run": np.repeat([0, 1], 3),
                                  "sprint": np.tile([0, 1, 2], 2), **{k: np.arange(6.0) + i for k in PLOTTED}})
                    for i in range(setups)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tight_layout's "not applied" warning among them
        fig = outcome_figure(df, "velocity")
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = (fig.legends or [fig.axes[0].get_legend()])[0].get_window_extent(renderer)
    assert fig.bbox.x0 <= legend.x0 and legend.x1 <= fig.bbox.x1 and legend.y0 >= fig.bbox.y0
    if fig.legends:  # below the panel: clear of it
        assert legend.y1 <= fig.axes[0].get_tightbbox(renderer).y0
    else:
        assert setups <= 6
    plt.close(fig)


def test_the_compare_figure_fits_long_setup_names():
    from pe_sim.analysis import compare, plot_compare
    from pe_sim.config import load

    long = "a_{}_setup_whose_name_runs_to_sixty_four_characters_xxxxxxxxxxxx"
    c = load("one_roadmap")
    res = compare({long.format(i): c for i in range(5)}, runs=3, sprints=2, outcomes=["velocity"], workers=1,
                  resamples=100)
    fig = plot_compare(res)
    from pe_sim.plots import _renderer

    renderer = _renderer(fig)
    fig.draw(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    assert fig.bbox.x0 <= legend.x0 and legend.x1 <= fig.bbox.x1
    title = fig._suptitle.get_window_extent(renderer)
    assert fig.bbox.x0 <= title.x0 and title.x1 <= fig.bbox.x1


def test_every_key_outcome_has_a_direction_for_the_findings_colours():
    """trust_em_pm had none, so 'EM's trust in the PM is lower' showed in black beside red ones."""
    from pe_sim.report import HIGHER_IS_BETTER
    from pe_sim.summary import HEADLINE

    assert set(HIGHER_IS_BETTER) == set(HEADLINE)
