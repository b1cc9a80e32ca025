"""Bad configs get one clear error naming the file, the key, the value and what is valid."""

import pandas as pd
import pytest

from pe_sim import config as cfg


def write(tmp_path, text, name="bad.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, key, words", [
    ("[params]\ntech_shar = 0.3\n", "params.tech_shar", ["did you mean 'tech_share'"]),
    ("[params]\ntech_share = 1.5\n", "params.tech_share", ["1.5", "out of range", "[0, 1]"]),
    ("[params]\ntech_share = 'lots'\n", "params.tech_share", ["not a number"]),
    ("[params]\nn_engineers = 2.5\n", "params.n_engineers", ["whole number"]),
    ("[params]\nroadmap_mode = 'one_road'\n", "params.roadmap_mode", ["one_roadmap", "split_backlogs"]),
    ("[params]\nbackfill = 1\n", "params.backfill", ["true or false"]),
    ("[paramz]\n", "paramz", ["did you mean 'params'"]),
    ("[[events]]\nkind = 'deadline'\nsprint = 3\n", "events[0].kind", ["deadline_crunch"]),
    ("[[events]]\nkind = 'hiring_wave'\n", "events[0].sprint", ["missing"]),
    ("[[events]]\nkind = 'deadline_crunch'\nsprint = 3\nmagnitude = 9\n", "events[0].magnitude", ["[0, 1]"]),
    ("[[events]]\nkind = 'deadline_crunch'\nsprint = -1\n", "events[0].sprint", ["integer"]),
    ("[[events]]\nkind = 'team_size'\nsprint = 2\n", "events[0].magnitude", ["missing; team_size sets", "[1, 40]"]),
    ("[[events]]\nkind = 'pm_absent'\nsprint = 2\nlength = 3\n", "events[0].length", ["duration"]),
    ("[run]\nruns = 0\n", "run.runs", ["[1,"]),
    ("[scenario]\nnmae = 'x'\n", "scenario.nmae", ["did you mean 'name'"]),
    ("params = [1, 2\n", "file", ["not valid TOML"]),
])
def test_bad_config_errors_name_file_key_and_expectation(tmp_path, text, key, words):
    path = write(tmp_path, text)
    with pytest.raises(cfg.ConfigError) as err:
        cfg.load(path)
    msg = str(err.value)
    assert str(path) in msg and f": {key}:" in msg
    for w in words:
        assert w in msg


def test_missing_file_suggests_shipped_scenarios():
    with pytest.raises(cfg.ConfigError, match="did you mean 'split_backlogs'"):
        cfg.load("split_backlog")


def test_every_shipped_scenario_is_valid_and_documented():
    names = cfg.scenario_names()
    for required in ("one_roadmap", "split_backlogs", "feature_factory", "over_the_wall", "trust_partnership", "crunch"):
        assert required in names
    for n in names:
        c = cfg.load(n)
        text = (cfg.SCENARIO_DIR / f"{n}.toml").read_text()
        assert text.startswith("#") and "seed" in text.split("[")[0]  # a comment saying what and which seed
        assert c.description and c.source


def test_configs_are_immutable():
    c = cfg.load("crunch")
    with pytest.raises(TypeError):
        c.params["pressure"] = 1.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        c.name = "x"  # type: ignore[misc]
    assert c.with_params(pressure=0.9).params["pressure"] == 0.9 and c.params["pressure"] == 0.4


def test_a_bad_keyword_argument_is_blamed_on_the_caller_not_the_scenario_file():
    from pe_sim.config import ConfigError, load

    with pytest.raises(ConfigError) as e:
        load("crunch").with_params(pressure=3)
    assert str(e.value).startswith("crunch (keyword arguments): pressure: 3 is out of range")
    assert "crunch.toml" not in str(e.value)


def test_repeated_configs_are_labelled_alike_everywhere(tmp_path):
    """run, compare and report label a repeated config the same way: the first keeps its name."""
    from pe_sim.cli import main
    from pe_sim.config import distinct_names

    a, b = cfg.load("crunch"), cfg.load("split_backlogs")
    assert [c.name for c in distinct_names([a, b, a, a])] == ["crunch", "split_backlogs", "crunch#2", "crunch#3"]
    assert [c.name for c in distinct_names([a, b], ["x", None])] == ["x", "split_backlogs"]
    renamed = distinct_names([a, a])[1]
    assert renamed.params == a.params and renamed.events == a.events and renamed.path == a.path
    out = tmp_path / "r"
    assert main(["run", "crunch", "crunch", "--runs", "3", "--sprints", "2", "--out", str(out)]) == 0
    assert sorted(pd.read_csv(out / "summary.csv")["scenario"].unique()) == ["crunch", "crunch#2"]


def test_a_folder_given_as_a_config_is_named_as_a_folder(tmp_path):
    with pytest.raises(cfg.ConfigError, match="is a folder; expected a scenario TOML file"):
        cfg.load(tmp_path)


def test_events_that_never_happen_are_warned_about(tmp_path):
    path = write(tmp_path, "[run]\nsprints = 20\n[[events]]\nkind = 'team_size'\nsprint = 2\nduration = 5\nmagnitude = 6\n"
                           "[[events]]\nkind = 'hiring_wave'\nsprint = 4\nmagnitude = 3\n"
                           "[[events]]\nkind = 'hiring_wave'\nsprint = 7\nmagnitude = 2\n"
                           "[[events]]\nkind = 'pm_absent'\nsprint = 30\n")
    lines = cfg.event_warnings(cfg.load(path), 20)
    assert len(lines) == 2
    assert "events[3] (pm_absent at sprint 30) is beyond the last sprint (19)" in lines[0]
    assert "events[1] (hiring_wave at sprint 4) falls while events[0] (team_size, sprints 2-6)" in lines[1]
