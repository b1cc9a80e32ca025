"""Bad configs get one clear error naming the file, the key, the value and what is valid."""

import os

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


def test_another_sprint_length_is_noted_the_rates_scale_but_the_run_counts_its_own_sprints(tmp_path, capsys):
    """sprint_days 5 once gave 56% annual turnover against 16% at 10, as the per-sprint rates did not scale; they do
    now (tests/test_sprint_length.py), and the note says what still changes: the horizon, events and outcomes count
    sprints of that length, and a few things stay per sprint. A run, a sweep varying it and validate say so."""
    path = write(tmp_path, "[params]\nsprint_days = 5\n")
    (line,) = cfg.event_warnings(cfg.load(path), 52)
    assert line.startswith(f"{path}: params.sprint_days = 5: the per-sprint rates and durations scale to this sprint "
                           "length (ODD 2.3), but the horizon, event timings and each sprint's outcomes count sprints")
    assert "do not scale" not in line and "close to, not the same as" in line
    assert cfg.event_warnings(cfg.load(write(tmp_path, "[params]\nsprint_days = 10\n", "ten.toml")), 52) == []
    # the reference length moved: named, and said whether the rates then scale or act once a sprint unscaled
    (ref,) = cfg.event_warnings(cfg.load(write(tmp_path, "[params]\nreference_sprint_days = 1\n", "r1.toml")), 52)
    assert "params.reference_sprint_days = 1: every per-sprint rate" in ref and ref.endswith("= 10")
    (same,) = cfg.event_warnings(cfg.load(write(tmp_path, "[params]\nsprint_days = 5\nreference_sprint_days = 5\n",
                                                "r5.toml")), 52)  # no "scale to this sprint length": they do not
    assert same.endswith("with sprint_days = 5 they act once a sprint as stated, unscaled")
    from pe_sim.cli import main
    from pe_sim.sweeps import sweep_from_dict

    assert main(["validate", str(path)]) == 0
    assert "scale to this sprint length" in capsys.readouterr().out
    spec = sweep_from_dict({"sweep": {"base": "split_backlogs"}, "vary": {"sprint_days": [5, 10]}})
    assert not [w for w in sweep_from_dict({"sweep": {"base": "split_backlogs"}, "vary": {"sprint_days": [10]}})
                .event_warnings() if "sprint_days" in w]  # every run at 10
    based = sweep_from_dict({"sweep": {"base": str(path)}, "vary": {"sprint_days": [10, 12]}})
    assert [w for w in based.event_warnings() if "sprint_days" in w] == [f"{based.file}: vary.sprint_days: the "
                                                                         f"per-sprint rates{line.split('per-sprint rates')[1]}"]
    assert any(w.endswith("vary.sprint_days: the per-sprint rates and durations scale to this sprint length (ODD 2.3), "
                          "but the horizon, event timings and each sprint's outcomes count sprints of this length, and a "
                          "few things stay per sprint (luck, a third path's bonus, voice relief, each plan's items), so "
                          "results are close to, not the same as, the same team's on two-week sprints; not so for split backlogs on "
                          "shorter sprints, whose tech reservation gets too small for the tech items, which keep their "
                          "size (ODD 2.3)")
               for w in spec.event_warnings())


def test_hiring_waves_that_could_take_the_team_past_40_engineers_are_warned_about(tmp_path, capsys):
    """n_engineers 40 plus two waves of 20 validated "ok" in silence and ran to 80 engineers: the model's
    range is 1 to 40 (n_engineers' limits), so the waves that could pass it are named, as a warning."""
    waves = "".join(f"[[events]]\nkind = 'hiring_wave'\nsprint = {t}\nmagnitude = 20\n" for t in (3, 10))
    path = write(tmp_path, "[params]\nn_engineers = 40\n" + waves + "[[events]]\nkind = 'hiring_wave'\nsprint = 60\n")
    (line,) = cfg.event_warnings(cfg.load(path), 52)[-1:]
    assert "hiring waves events[0] (+20 at sprint 3), events[1] (+20 at sprint 10) on top of n_engineers 40" in line
    assert "could take the team to 80 engineers, beyond the model's range of 1 to 40 engineers" in line
    assert "events[2] (" not in line  # beyond the last sprint: it never happens, so it adds no one
    from pe_sim.cli import main

    assert main(["validate", str(path)]) == 0  # a warning, not an error
    assert "could take the team to 80 engineers" in capsys.readouterr().out
    # a team_size event sets the count the waves after it add to; waves it holds add no one
    path = write(tmp_path, "[params]\nn_engineers = 40\n[[events]]\nkind = 'team_size'\nsprint = 2\nduration = 4\n"
                           "magnitude = 30\n[[events]]\nkind = 'hiring_wave'\nsprint = 3\nmagnitude = 20\n"
                           "[[events]]\nkind = 'hiring_wave'\nsprint = 8\nmagnitude = 11\n", "sized.toml")
    (held, line) = cfg.event_warnings(cfg.load(path), 52)
    assert "adds no one" in held
    assert "events[2] (+11 at sprint 8) on top of events[0] (team_size 30 at sprint 2) could take the team to 41" in line
    # within the range: no warning
    path = write(tmp_path, "[params]\nn_engineers = 34\n[[events]]\nkind = 'hiring_wave'\nsprint = 3\nmagnitude = 6\n",
                 "fits.toml")
    assert cfg.event_warnings(cfg.load(path), 52) == []


def test_an_event_without_a_kind_says_the_kind_is_missing_and_lists_the_kinds(tmp_path):
    path = write(tmp_path, "[[events]]\nsprint = 3\n")
    with pytest.raises(cfg.ConfigError) as err:
        cfg.load(path)
    assert str(err.value) == (f"{path}: events[0].kind: missing; expected the kind of event, one of customer_escalation, "
                              "deadline_crunch, key_engineer_leaves, pm_absent, em_absent, hiring_wave, competitor_launch, "
                              "team_size")


@pytest.mark.parametrize("text, said", [
    ("[run]\nsprints = true\n", "run.sprints: true is not valid; expected an integer in [1, 1000]"),
    ("[params]\nn_engineers = true\n", "params.n_engineers: true is not a number; expected an integer in [1, 40]"),
    ("[params]\nroadmap_mode = false\n", "params.roadmap_mode: false is not a valid choice; expected one of"),
    ("[params]\nbackfill = \"yes\"\n", "params.backfill: 'yes' is not a boolean; expected true or false"),
    ("[params]\ntech_share = { a = 1, \"b c\" = [true, 2.5, \"it's\"] }\n",
     "params.tech_share: { a = 1, 'b c' = [true, 2.5, \"it's\"] } is not a number"),
    ("[run]\nseed = 2026-11-22\n", "run.seed: 2026-11-22 is not valid; expected an integer"),
    ("[scenario]\nname = false\n", "scenario.name: false is not text; expected a string"),
    ("[[events]]\nkind = true\nsprint = 3\n", "events[0].kind: true is not an event kind"),
    ("[[events]]\nkind = 'deadline_crunch'\nsprint = true\n", "events[0].sprint: true is not valid; expected an integer"),
    ("[[events]]\nkind = 'deadline_crunch'\nsprint = 3\nduration = false\n", "events[0].duration: false is not valid"),
    ("[[events]]\nkind = 'deadline_crunch'\nsprint = 3\nmagnitude = true\n",
     "events[0].magnitude: true is not valid for deadline_crunch"),
])
def test_values_in_messages_are_spelled_as_in_toml(tmp_path, text, said):
    """Whoever wrote `true` in a TOML file reads `true` in the message, not Python's `True`."""
    path = write(tmp_path, text)
    with pytest.raises(cfg.ConfigError) as err:
        cfg.load(path)
    msg = str(err.value)
    assert f"{path}: {said}" in msg, msg
    assert not {"True", "False", "None", "datetime"} & set(msg.replace(",", " ").replace(";", " ").split()), msg


def test_sweep_values_in_messages_are_spelled_as_in_toml():
    from pe_sim.sweeps import sweep_from_dict

    head = {"name": "s", "base": "one_roadmap", "design": "grid", "sprints": 4}
    for sweep, said in (({"vary": {"n_engineers": [4, True]}}, "s.toml: vary.n_engineers[1]: true is not a number"),
                        ({"vary": {"pressure": {"low": True, "high": 0.5}}}, "s.toml: vary.pressure.low: true is not a number"),
                        ({"vary": {"pressure": [0.2]}, "outcomes": [True]}, "s.toml: sweep.outcomes[0]: unknown outcome true")):
        vary = sweep.pop("vary")
        with pytest.raises(cfg.ConfigError) as err:
            sweep_from_dict({"sweep": {**head, **sweep}, "vary": vary}, "s.toml")
        assert str(err.value).startswith(said), str(err.value)


@pytest.mark.parametrize("value, shown", [
    (True, "true"), (False, "false"), (3, "3"), (6.0, "6.0"), (1e-5, "1e-05"), (float("nan"), "nan"),
    (float("-inf"), "-inf"), ("lots", "'lots'"), ("it's", '"it\'s"'), ("a\\b", "'a\\b'"), ("tab\there", '"tab\\there"'),
    ([1, "x", [True]], "[1, 'x', [true]]"), ({"a": 1, "b c": {}}, "{ a = 1, 'b c' = {} }"), ([[[[[1]]]]], "[[[[...]]]]"),
    (list(range(20)), "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...]"), ("n" * 300, "'" + "n" * 56 + "..."),
    (10**400, "an integer of over 300 digits"), (None, "None"),
], ids=lambda x: repr(x)[:24])
def test_toml_value_spells_values_as_toml_does(value, shown):
    assert cfg.toml_value(value) == shown


def test_integer_keys_take_floats_with_no_fraction_everywhere(tmp_path):
    """One rule for every integer key: 6 and 6.0 (or 1e1) name the same whole number; 6.5 does not."""
    import numpy as np

    path = write(tmp_path, "[params]\nn_engineers = 6.0\nfeature_backlog_items = 1e1\n"
                           "[[events]]\nkind = 'hiring_wave'\nsprint = 3.0\nduration = 2.0\nmagnitude = 2.0\n"
                           "[run]\nruns = 1.0\nsprints = 2e1\nseed = 7.0\n")
    c = cfg.load(path)
    values = [c.params["n_engineers"], c.params["feature_backlog_items"], c.runs, c.sprints, c.seed,
              c.events[0].sprint, c.events[0].duration]
    assert values == [6, 10, 1, 20, 7, 3, 2] and all(type(v) is int for v in values)
    assert c.events[0].magnitude == 2.0
    assert cfg.check_run_settings("api", runs=np.float64(4.0), sprints=np.int64(3)) == {"runs": 4, "sprints": 3}
    assert type(cfg.default().with_params(n_engineers=np.int64(5)).params["n_engineers"]) is int


@pytest.mark.parametrize("text, said", [
    ("[params]\nn_engineers = 6.5\n", "params.n_engineers: 6.5 is not a whole number; expected an integer in [1, 40]"),
    ("[run]\nruns = 6.5\n", "run.runs: 6.5 is not valid; expected an integer in [1, 10000000]"),
    ("[run]\nseed = 1e-3\n", "run.seed: 0.001 is not valid; expected an integer in [0, 9223372036854775807]"),
    ("[[events]]\nkind = 'pm_absent'\nsprint = 2.5\n", "events[0].sprint: 2.5 is not valid; expected an integer in [0, 1000]"),
    ("[[events]]\nkind = 'pm_absent'\nsprint = 2\nduration = 1.5\n",
     "events[0].duration: 1.5 is not valid; expected an integer in [1, 1000]"),
    ("[[events]]\nkind = 'hiring_wave'\nsprint = 2\nmagnitude = 2.5\n",
     "events[0].magnitude: 2.5 is not a whole number; hiring_wave counts engineers"),
    ("[params]\nn_engineers = 1" + "0" * 400 + "\n", "params.n_engineers: an integer of over 300 digits is out of range"),
], ids=lambda x: x.split(":")[0] if ":" in x else None)
def test_integer_keys_refuse_fractions(tmp_path, text, said):
    path = write(tmp_path, text)
    with pytest.raises(cfg.ConfigError) as err:
        cfg.load(path)
    assert str(err.value).startswith(f"{path}: {said}"), str(err.value)


@pytest.mark.parametrize("raw, said", [
    ('[scenario]\ndescription = "\xe9quipe"\n'.encode("latin-1"), "is not UTF-8 text; save it as UTF-8"),
    ('[scenario]\ndescription = "équipe"\n'.encode("utf-16"), "is not UTF-8 text (it is UTF-16); save it as UTF-8"),
], ids=["latin-1", "utf-16"])
def test_a_toml_file_that_is_not_utf8_is_one_clear_error_for_every_reader(tmp_path, capsys, raw, said):
    from pe_sim.cli import main
    from pe_sim.sweeps import load_sweep

    path = tmp_path / "team.toml"
    path.write_bytes(raw)
    for read in (cfg.load, cfg.read_toml, load_sweep):  # scenarios, calibration settings, sweeps
        with pytest.raises(cfg.ConfigError) as err:
            read(path)
        assert str(err.value) == f"{path}: file: {said}"
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert out.strip() == f"INVALID {path}: file: {said}" and "Traceback" not in out


@pytest.mark.parametrize("name", ["a..b", "équipe", "-x", "n" * 65, "a b"])
def test_a_refused_name_is_refused_by_the_rule_its_message_states(tmp_path, name):
    path = tmp_path / "s.toml"
    path.write_text(f'[scenario]\nname = "{name}"\n', encoding="utf-8")
    with pytest.raises(cfg.ConfigError) as err:
        cfg.load(path)
    msg = str(err.value)
    assert ": scenario.name:" in msg
    for w in ("1-64 ASCII letters", "starting with a letter or digit", "no '..'", "empty to use the file's name"):
        assert w in msg


@pytest.mark.parametrize("name, loaded", [("a.b-c_1", "a.b-c_1"), ("N" * 64, "N" * 64), ("", "s")])
def test_a_name_the_message_allows_is_accepted(tmp_path, name, loaded):
    path = tmp_path / "s.toml"
    path.write_text(f'[scenario]\nname = "{name}"\n', encoding="utf-8")
    assert cfg.load(path).name == loaded  # an empty name is the file's own name, as the message says


@pytest.mark.parametrize("argv, said", [
    (["tech_share", "--group", "team"], "no parameter matches: tech_share in group 'team' (tech_share is in group '"),
    (["tech_share", "--assumptions"], "no parameter matches: tech_share with --assumptions (tech_share has a published source)"),
    (["tech_share", "--assumptions", "--markdown"], "no parameter matches: tech_share with --assumptions"),
])
def test_params_whose_filters_exclude_every_named_parameter_say_so(capsys, argv, said):
    from pe_sim.cli import main

    assert main(["params", *argv]) == 2  # as an unknown NAME: the request cannot be met
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("pe-sim: error: pe-sim params: NAME: ") and said in captured.err
    assert captured.err.count("\n") == 1


def test_params_with_a_filter_that_keeps_a_named_parameter_print_it(capsys):
    from pe_sim.cli import main

    assert main(["params", "tech_share", "--group", "planning"]) == 0
    captured = capsys.readouterr()
    assert "tech_share" in captured.out and captured.err == ""


def test_terminal_control_characters_from_a_users_file_are_shown_escaped(tmp_path, capsys):
    """An unknown key with an escape sequence (it recoloured the terminal and retitled its window) or a
    right-to-left override is printed escaped, in the key and in the message."""
    from pe_sim.cli import main

    f = tmp_path / "evil.toml"
    f.write_text('[params]\n"\\u001b[31mred\\u001b]0;pwned\\u0007" = 1\n"\\u202eabc" = 2\n', encoding="utf-8")
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr()
    said = err.out + err.err
    assert "\x1b" not in said and "\x07" not in said and "\u202e" not in said
    assert "\\x1b[31mred" in said or "\\u001b[31mred" in said, said
    from pe_sim.config import shown

    assert shown("a\x1b[1m\x9b\u2066b\u00e9") == "a\\x1b[1m\\x9b\\u2066b\u00e9"  # letters, accents included, stay


def test_a_description_with_control_characters_and_a_device_are_clear_errors(tmp_path, capsys):
    from pe_sim.cli import main

    f = tmp_path / "nul.toml"
    f.write_text('[scenario]\ndescription = "a\\u0000b"\nsource = "ok\\tfine\\nmore"\n', encoding="utf-8")
    assert main(["validate", str(f)]) == 2
    assert "scenario.description: holds the control character \\x00; expected plain text" in capsys.readouterr().out
    f.write_text('[scenario]\ndescription = "tab\\tand\\nlines"\n', encoding="utf-8")
    assert main(["validate", str(f)]) == 0
    capsys.readouterr()
    if os.path.exists("/dev/zero"):
        assert main(["validate", "/dev/zero"]) == 2
        assert "/dev/zero: file: is not a regular file" in capsys.readouterr().out
