"""Output files: atomic, with a completion mark, and never overwritten without --force."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pe_sim.cli import main
from pe_sim.files import atomic

RUN = ["run", "one_roadmap", "--runs", "3", "--sprints", "4", "--seed", "2", "--quiet", "--no-plots"]


def test_a_failed_write_leaves_nothing_that_looks_complete(tmp_path):
    target = tmp_path / "data.csv"
    with pytest.raises(RuntimeError):
        with atomic(target) as tmp:
            tmp.write_text("half of the rows")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_run_writes_its_manifest_last_with_a_completion_mark(tmp_path):
    out = tmp_path / "out"
    assert main([*RUN, "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert set(manifest["files"]) >= {"outcomes.csv", "summary.csv", "summary.txt", "outcomes/one_roadmap.parquet"}


def test_force_replaces_only_what_pe_sim_wrote(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main([*RUN, "--out", str(out), "--force"]) == 2  # no pe-sim manifest: refuse
    assert "pe-sim" in capsys.readouterr().err and (out / "notes.txt").read_text() == "mine"
    fresh = tmp_path / "fresh"
    assert main([*RUN, "--out", str(fresh)]) == 0
    (fresh / "notes.txt").write_text("mine")
    assert main([*RUN, "--out", str(fresh)]) == 2  # exists: refuse without --force
    assert main([*RUN, "--out", str(fresh), "--force"]) == 0
    assert (fresh / "notes.txt").read_text() == "mine" and (fresh / "manifest.json").is_file()


def test_out_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    f = tmp_path / "taken"
    f.write_text("x")
    assert main([*RUN, "--out", str(f)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_report_and_compare_refuse_to_overwrite(tmp_path, capsys):
    page = tmp_path / "r.html"
    page.write_text("mine")
    assert main(["report", "one_roadmap", "--runs", "2", "--sprints", "3", "--out", str(page)]) == 2
    assert page.read_text() == "mine"
    png, csv = tmp_path / "c.png", tmp_path / "c.csv"
    png.write_text("mine")
    assert main(["compare", "one_roadmap", "split_backlogs", "--runs", "4", "--sprints", "3", "--figure", str(png),
                 "--csv", str(csv)]) == 2
    assert png.read_text() == "mine" and not csv.exists()
    assert "already exists" in capsys.readouterr().err


def test_compare_twice_with_the_default_figure_writes_a_new_file_each_time(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = ["compare", "one_roadmap", "split_backlogs", "--runs", "4", "--sprints", "3"]
    assert main(args) == 0
    assert main(args + ["--csv", str(tmp_path / "new" / "c.csv")]) == 0
    figures = sorted((tmp_path / "results").glob("compare-one_roadmap-split_backlogs-*.png"))
    assert len(figures) == 2 and all(f.stat().st_size > 1000 for f in figures)
    assert (tmp_path / "new" / "c.csv").is_file() and (tmp_path / "new" / "c_over_time.csv").is_file()
    assert f"figure: {figures[1].relative_to(tmp_path)}" in capsys.readouterr().out
    (tmp_path / "afile").write_text("mine")
    assert main(args + ["--figure", str(tmp_path / "afile" / "x.png")]) == 2
    assert "--figure: cannot make the folder of" in capsys.readouterr().err
    assert main(args + ["--figure", str(tmp_path / "nope" / "x.png"), "--outcomes", "bogus"]) == 2
    assert not (tmp_path / "nope").exists()


def test_events_beyond_the_horizon_are_named_in_a_warning(tmp_path):
    f = tmp_path / "late.toml"
    f.write_text('[[events]]\nkind = "deadline_crunch"\nsprint = 40\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pe_sim.cli", *RUN[:1], str(f), "--runs", "2", "--sprints", "5",
                        "--quiet", "--no-plots", "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 0
    assert "deadline_crunch at sprint 40" in r.stderr and "never happens" in r.stderr


def test_sensitivity_refuses_to_overwrite_an_explicit_output(tmp_path, capsys):
    table = tmp_path / "indices.csv"
    table.write_text("mine")
    sweep = tmp_path / "s.toml"
    sweep.write_text('[sweep]\nbase = "one_roadmap"\ndesign = "saltelli"\npoints = 8\nsprints = 3\n'
                     '[vary]\npressure = { low = 0.1, high = 0.9 }\n', encoding="utf-8")
    assert main(["sensitivity", str(sweep), "--csv", str(table), "--out", str(tmp_path / "o")]) == 2
    assert table.read_text() == "mine" and "already exists" in capsys.readouterr().err


def test_report_and_compare_warn_about_events_beyond_the_horizon(tmp_path):
    f = tmp_path / "late.toml"
    f.write_text('[[events]]\nkind = "hiring_wave"\nsprint = 30\n', encoding="utf-8")
    for args in (["compare", str(f), "one_roadmap", "--runs", "4", "--sprints", "5", "--figure", "none"],
                 ["report", str(f), "--runs", "2", "--sprints", "5", "--out", str(tmp_path / "r.html")]):
        r = subprocess.run([sys.executable, "-m", "pe_sim.cli", *args], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, r.stderr[-2000:]
        assert "hiring_wave at sprint 30" in r.stderr


def test_a_figure_or_csv_path_ending_in_a_slash_is_refused_as_a_folder(tmp_path, capsys):
    args = ["compare", "one_roadmap", "split_backlogs", "--runs", "4", "--sprints", "3"]
    assert main(args + ["--figure", str(tmp_path / "newdir") + "/"]) == 2
    err = capsys.readouterr().err
    assert "--figure" in err and "is a folder; expected a file name" in err and "newdir/figure.png" in err
    assert main(args + ["--figure", "none", "--csv", str(tmp_path / "tables") + "/"]) == 2
    assert "tables/table.csv" in capsys.readouterr().err
    assert not (tmp_path / "newdir").exists() and not (tmp_path / "tables").exists()
