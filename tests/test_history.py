"""A team's sprint history: the shipped example reads back, and every kind of bad file gets one
clear error naming the file, the line and the column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pe_sim.config import ConfigError
from pe_sim.core.engine import param_batch, simulate
from pe_sim.events import schedule
from pe_sim.history import COLUMNS, REQUIRED, history_from_outcomes, read_history, write_history

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "team_history.csv"
HEADER = "sprint,committed,delivered,incidents,headcount,leavers,hires"


def rows(n=8, start=1):
    return [f"{s},40,30,1,6,0,0" for s in range(start, start + n)]


def write(tmp_path, lines, name="team.csv"):
    f = tmp_path / name
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def error(tmp_path, lines):
    f = write(tmp_path, lines)
    with pytest.raises(ConfigError) as e:
        read_history(f)
    assert e.value.file == str(f)
    return str(e.value)


def test_the_shipped_example_is_a_synthetic_team_that_reads_back():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.startswith("# SYNTHETIC TEAM, NOT REAL DATA")
    h = read_history(EXAMPLE)
    assert h.n_sprints == 26 and set(h.columns) == set(COLUMNS)
    assert h.starting_headcount == 7
    assert (h.columns["delivered"] <= h.columns["committed"]).all()


def test_a_simulated_run_written_as_history_reads_back_the_same(tmp_path):
    out = simulate(param_batch([{"n_engineers": 5}]), schedule((), 9), 9, 3, np.array([4]))
    cols = history_from_outcomes(out, 0, points_per_day=3.0, first_sprint=10)
    write_history(tmp_path / "h.csv", cols, comment="synthetic", decimals=6)
    h = read_history(tmp_path / "h.csv")
    assert list(h.columns["sprint"]) == list(range(10, 19))
    assert np.allclose(h.columns["delivered"], 3.0 * out["delivered"][0], atol=1e-6)
    assert np.array_equal(h.columns["leavers"], out["attrition"][0])
    assert h.starting_headcount == 5


def test_columns_in_any_order_comments_blank_lines_and_a_bom(tmp_path):
    lines = ["\ufeff# exported from our tracker", "hires,leavers,headcount,incidents,delivered,committed,sprint", ""]
    lines += [f"0,0,6,2,{20 + s},30,{s}" for s in range(1, 7)] + ["", "# end"]
    h = read_history(write(tmp_path, lines))
    assert list(h.columns["delivered"]) == [21, 22, 23, 24, 25, 26]
    assert "tech_share" not in h.columns


@pytest.mark.parametrize("lines, expected", [
    ([], "is empty; expected a header row with the columns sprint, committed"),
    (["# only a comment"], "is empty"),
    (["sprint,committed,delivered,incidents,headcount,leavers"] + [f"{s},1,1,0,6,0" for s in range(6)],
     "line 1: missing column hires"),
    (["sprint,committed,delivered,incidents,headcount"] + [f"{s},1,1,0,6" for s in range(6)],
     "missing columns leavers, hires"),
    ([HEADER.replace("delivered", "deliverd")] + rows(), "line 1: unknown column 'deliverd'; did you mean 'delivered'?"),
    ([HEADER.replace("hires", "Hours")] + rows(), "line 1: missing column hires (is 'Hours' hires?)"),
    ([HEADER.replace("leavers", "Leavers (incl. transfers)")] + rows(),
     "missing column leavers (is 'Leavers (incl. transfers)' leavers?)"),
    ([HEADER.replace("leavers", "Leavers total,Leavers note")] + [r + ",x" for r in rows()],
     "missing column leavers (is 'Leavers total' or 'Leavers note' leavers?)"),
    ([HEADER.replace("committed", "Story points committed")] + rows(),
     "missing column committed (is 'Story points committed' committed?)"),
    ([HEADER + ",tech_shar"] + [r + ",0.1" for r in rows()], "did you mean 'tech_share'?"),
    ([HEADER + ",hires"] + [r + ",0" for r in rows()], "column 'hires' appears twice"),
    ([HEADER] + rows(3) + ["4,40,abc,1,6,0,0"] + rows(4, 5), "line 5, column delivered: 'abc' is not a number"),
    ([HEADER] + rows(2) + ["3,40,30,-1,6,0,0"] + rows(5, 4), "line 4, column incidents: -1 is negative"),
    ([HEADER] + rows(2) + ["3,40,,1,6,0,0"] + rows(5, 4), "line 4, column delivered: empty"),
    ([HEADER] + rows(2) + ["3,40,30,1.5,6,0,0"] + rows(5, 4), "column incidents: 1.5 is not a whole number"),
    ([HEADER] + rows(2) + ["3,40,nan,1,6,0,0"] + rows(5, 4), "column delivered: 'nan' is not a finite number"),
    ([HEADER] + rows(2) + ["3,40,30,1,0,0,0"] + rows(5, 4), "column headcount: 0: a team needs at least one engineer"),
    ([HEADER + ",tech_share"] + [r + ",1.2" for r in rows()], "column tech_share: 1.2 is above 1"),
    ([HEADER] + rows(2) + ["3,40,30,1,6,0"] + rows(5, 4), "line 4: 6 values; expected 7"),
    ([HEADER] + rows(5), "5 sprints; at least 6 are needed"),
    ([HEADER] + rows(2) + ["3,40,30,1,6,8,1"] + rows(5, 4),
     "line 4, column leavers: 8 leavers, but the team had 6 engineers at the end of the sprint before and hired 1"),
    ([HEADER] + [f"{s},40,30,1,41,0,0" for s in range(1, 9)],
     "line 2, column headcount: 41 engineers; pe-sim models teams of 1 to 40 engineers"),
    ([HEADER] + rows(2) + ["3,1e300,30,1,6,0,0"] + rows(5, 4), "line 4, column committed: 1e300 is implausibly large"),
    ([HEADER, "1,10,8,1,1,9000,0"] + [f"{s},10,8,1,1,0,0" for s in range(2, 8)],
     "line 2: headcount - hires + leavers is 9001: the team starts with more engineers than the 40"),
    ([HEADER, "1e201,10,8,1,6,0,0"] + rows(6, 2), "column sprint: 1e201 is implausibly large for a sprint number"),
    ([HEADER] + rows(2) + ["3,40,30,20000,6,0,0"] + rows(5, 4), "line 4, column incidents: 20000 is implausibly large"),
    (["sprint,,committed,delivered,incidents,headcount,leavers,hires"] + rows(),
     "line 1: column 2 of the header has no name"),
    ([HEADER] + rows(2) + ["3,40,30,1,7,0,0"] + rows(5, 4),
     "line 4, column headcount: 7 engineers, but the sprint before ended with 6, 0 joined and 0 left (6)"),
    ([HEADER] + rows(2) + ["3,40,30,1,6,1,0"] + rows(5, 4), "line 4, column headcount: 6 engineers"),
    ([HEADER] + [f"{s},0,0,1,6,0,0" for s in range(1, 9)], "columns committed and delivered: 0 in every sprint"),
    ([HEADER] + rows(3) + rows(4, 5), "line 5, column sprint: 5 follows 3; missing sprint 4: add its row"),
    ([HEADER] + rows(3) + rows(5, 3), "line 5, column sprint: 3 follows 3; sprints must be in order"),
    ([HEADER, "1,40,30,1,1,0,1"] + rows(6, 2), "line 2: headcount - hires + leavers is below 1"),
    ([HEADER.replace(",", "|")] + [r.replace(",", "|") for r in rows()], "separated by '|'; pe-sim reads files separated by commas, semicolons or tabs"),
    (rows(), "line 1: starts with numbers, not a header row"),
])
def test_bad_history_files_get_one_clear_error(tmp_path, lines, expected):
    assert expected in error(tmp_path, lines)


def test_missing_file_directory_and_non_utf8(tmp_path):
    for target, expected in ((tmp_path / "nope.csv", "not found"), (tmp_path, "is not a file")):
        with pytest.raises(ConfigError, match=expected):
            read_history(target)
    f = tmp_path / "latin1.csv"
    f.write_bytes(("\n".join([HEADER] + rows()) + "\n# caf\xe9").encode("latin-1"))
    with pytest.raises(ConfigError, match="is not UTF-8"):
        read_history(f)


def test_every_required_column_is_needed(tmp_path):
    for drop in REQUIRED:
        keep = [c for c in HEADER.split(",") if c != drop]
        lines = [",".join(keep)] + [",".join("1" if c != "sprint" else str(s) for c in keep) for s in range(8)]
        assert f"missing column {drop}" in error(tmp_path, lines)


def test_trailing_empty_columns_of_a_spreadsheet_export_are_ignored(tmp_path):
    plain = read_history(write(tmp_path, [HEADER] + rows(), "plain.csv"))
    excel = read_history(write(tmp_path, [HEADER + ",,"] + [r + ",," for r in rows()], "excel.csv"))
    assert all(np.array_equal(plain.columns[k], excel.columns[k]) for k in plain.columns)
    assert "line 3: 9 values; expected 7" in error(tmp_path, [HEADER + ",,"] + rows(1) + ["2,40,30,1,6,0,0,5,"] + rows(6, 3))


def test_an_export_as_spreadsheets_write_it_reads_as_the_plain_file(tmp_path):
    """Real exports trip on case, separators, decimal commas and extra columns: none of them
    changes what the team's numbers are."""
    plain = read_history(write(tmp_path, [HEADER + ",tech_share"] + [f"{s},40.5,30,1,6,0,0,0.2" for s in range(1, 9)],
                               "plain.csv"))
    assert plain.ignored == ()
    header = "Sprint;Committed;Delivered;Incidents;Head-count;Leavers;Hires;Tech Share;Notes;Assignee"
    semi = read_history(write(tmp_path, [header] + [f"{s};40,5;30;1;6;0;0;0,2;ok, fine;ann" for s in range(1, 9)],
                              "semi.csv"))
    tabs = read_history(write(tmp_path, [header.replace(";", "\t")] + [f"{s}\t40.5\t30\t1\t6\t0\t0\t0.2\tok\tann"
                                                                       for s in range(1, 9)], "tabs.csv"))
    for h in (semi, tabs):
        assert set(h.columns) == set(plain.columns) and h.ignored == ("Notes", "Assignee")
        assert all(np.array_equal(plain.columns[k], h.columns[k]) for k in plain.columns)
    with pytest.raises(ConfigError, match="'1,5' is not a number"):  # a decimal comma only where commas do not separate
        read_history(write(tmp_path, [HEADER] + [f"{s},40,30,1,6,0,0" for s in range(1, 8)] + ['8,"1,5",30,1,6,0,0'],
                           "comma.csv"))


def test_other_columns_that_resemble_ones_the_file_has_are_ignored_not_refused(tmp_path):
    extra = ["Sprint goal", "Sprint ID", "Points", "Hours", "Tech debt", "Completed", "Features", "Incidents P1",
             "New hires", "deliverd"]
    h = read_history(write(tmp_path, [HEADER + ",tech_share,features_shipped," + ",".join(extra)]
                           + [r + ",0.2,3," + ",".join(["x"] * len(extra)) for r in rows()]))
    assert h.ignored == tuple(extra) and "features_shipped" in h.columns


@pytest.mark.parametrize("head, cell", [("Tech share %", "20"), ("Tech share (%)", "20"), ("tech_share_pct", "20"),
                                        ("Tech share", "20%"), ("tech_share", "0.2")])
def test_a_tech_share_in_percent_reads_as_the_share(tmp_path, head, cell):
    h = read_history(write(tmp_path, [HEADER + "," + head] + [r + "," + cell for r in rows()]))
    assert np.allclose(h.columns["tech_share"], 0.2) and h.ignored == ()


def test_a_percent_above_100_is_refused(tmp_path):
    assert "column tech_share: 120% is above 100%" in error(tmp_path, [HEADER + ",Tech share %"]
                                                             + [r + ",120" for r in rows()])


@pytest.mark.parametrize("head, cell, shown", [("Tech share %", "0.2", "'Tech share'"),
                                               ("Tech share (%)", "0.25", "'Tech share'"),
                                               ("tech_share_pct", "0.2", "'tech_share'")])
def test_shares_under_a_percent_header_are_refused_not_read_a_hundred_times_smaller(tmp_path, head, cell, shown):
    """0.2 under "Tech share %" was read as 0.2% (the saved history said 0.002000): a team that
    did next to no tech work. Every value at most 1, and not all whole: shares, so the file is refused."""
    msg = error(tmp_path, [HEADER + "," + head] + [r + "," + cell for r in rows()])
    assert msg.endswith(f"team.csv: column {head!r}: the header says percent, but every value is at most 1 ({cell!r} "
                        f"on line 2 would be {cell}%, not {float(cell):.0%}); if the cells are shares, drop the percent "
                        f"from the header ({shown}), or write percentages ({float(cell) * 100:g} for {float(cell):.0%})")
    assert "\n" not in msg
    semicolons = error(tmp_path, [line + ";" + c for line, c in zip(semi([HEADER] + rows()),
                                                                     [head] + [cell.replace(".", ",")] * 8)])
    assert f"({cell.replace('.', ',')!r} on line 2 would be" in semicolons


@pytest.mark.parametrize("cells, share", [
    (["0.5%"] * 8, 0.005),  # each cell says percent itself: read as written
    (["1", "0"] * 4, 0.005),  # whole numbers: percentages, as the header says
    (["0.5", "20"] * 4, 0.1025),  # one above 1: the column is in percent
])
def test_percentages_under_a_percent_header_are_read_as_percentages(tmp_path, cells, share):
    h = read_history(write(tmp_path, [HEADER + ",Tech share %"] + [r + "," + c for r, c in zip(rows(), cells)]))
    assert h.columns["tech_share"].mean() == pytest.approx(share)


def semi(lines):
    return [line.replace(",", ";") for line in lines]


@pytest.mark.parametrize("lines, expected", [
    ([HEADER] + rows(3) + ['4,"1,010.5",30,1,6,0,0'] + rows(4, 5),
     "line 5, column committed: '1,010.5' (sprint 4) looks like a number with a thousands separator (','); "
     "export plain numbers, without thousands separators (e.g. 1010.5)"),
    (semi([HEADER] + rows(3)) + ["4;1.010,00;30;1;6;0;0"] + semi(rows(4, 5)),
     "line 5, column committed: '1.010,00' (sprint 4) looks like a number with a thousands separator ('.'); "
     "export plain numbers, without thousands separators (e.g. 1010.00)"),
    ([HEADER] + rows(3) + ["4,40,1 010,1,6,0,0"] + rows(4, 5),
     "line 5, column delivered: '1 010' (sprint 4) looks like a number with a thousands separator (a space)"),
    ([HEADER] + rows(3) + ["4,40,1\u202f010.5,1,6,0,0"] + rows(4, 5),
     "thousands separator (a space); export plain numbers, without thousands separators (e.g. 1010.5)"),
    ([HEADER] + rows(3) + ["4,1'010,30,1,6,0,0"] + rows(4, 5),
     "line 5, column committed: \"1'010\" (sprint 4) looks like a number with a thousands separator (an apostrophe)"),
    ([HEADER] + rows(3) + ['4,"1,010,000",30,1,6,0,0'] + rows(4, 5), "(e.g. 1010000)"),
    # where a comma cannot be a decimal mark, "1,010" is not read as 1.01 (nor guessed to be 1010)
    ([HEADER] + rows(3) + ['4,"1,010",30,1,6,0,0'] + rows(4, 5),
     "line 5, column committed: '1,010' (sprint 4) looks like a number with a thousands separator (',')"),
    # "1,010" or "1.010" may be a decimal; the file's other cells say it is not
    (semi([HEADER] + rows(3)) + ["4;1,010;30;1;6;0;0"] + semi(rows(3, 5)) + ["8;40.5;30;1;6;0;0"],
     "line 5, column committed: '1,010' (sprint 4) looks like a number with a thousands separator (','), and the "
     "file's decimal mark is '.' ('40.5' on line 9); export plain numbers, without thousands separators (e.g. 1010)"),
    ([HEADER] + rows(3) + ["4,1.010,30,1,6,0,0"] + rows(3, 5) + ['8,"40,5",30,1,6,0,0'],
     "line 5, column committed: '1.010' (sprint 4) looks like a number with a thousands separator ('.'), and the "
     "file's decimal mark is ',' ('40,5' on line 9)"),
    ([HEADER] + rows(3) + ["4,40,30,1.010,6,0,0"] + rows(4, 5),
     "line 5, column incidents: '1.010' (sprint 4) looks like a number with a thousands separator ('.'), and "
     "incidents takes whole numbers"),
    ([HEADER, "1.010,40,30,1,6,0,0"] + rows(7, 2),
     "line 2, column sprint: '1.010' looks like a number with a thousands separator ('.'), and sprint takes whole"),
])
def test_a_number_with_a_thousands_separator_is_refused_saying_so(tmp_path, lines, expected):
    assert expected in error(tmp_path, lines)


def test_a_number_that_may_be_a_decimal_reads_as_the_files_decimal_mark(tmp_path):
    """"1,010" is 1.01 where a comma is a decimal mark and nothing in the file says otherwise (as
    "1,5" is 1.5), and "1.010" is 1.01 in any file: an ambiguous cell is not guessed to be 1010."""
    for lines in (semi([HEADER] + rows(3)) + ["4;1,010;30;1;6;0;0"] + semi(rows(4, 5)),
                  semi([HEADER] + rows(3)) + ["4;1,010;30;1;6;0;0"] + semi(rows(3, 5)) + ["8;40,5;30;1;6;0;0"],
                  [HEADER] + rows(3) + ["4,1.010,30,1,6,0,0"] + rows(3, 5) + ["8,40.5,30,1,6,0,0"]):
        assert read_history(write(tmp_path, lines)).columns["committed"][3] == pytest.approx(1.01)
    h = read_history(write(tmp_path, semi([HEADER + ",tech_share"])
                           + [f"{s};40.5;30;1;6;0;0;0,125" for s in range(1, 9)]))
    assert np.allclose(h.columns["tech_share"], 0.125)  # "0,125" has no thousands


def test_a_cell_read_as_a_decimal_that_may_be_a_thousand_is_noted(tmp_path):
    """"1.200" in a file that shows no decimal mark was read as 1.2 without a word; now it still is
    (a guess either way could be wrong) but the history says so, naming the cell."""
    for lines, cell in ((semi([HEADER] + rows(3)) + ["4;40;1.200;1;6;0;0"] + semi(rows(4, 5)), "1.200"),
                        ([HEADER.replace(",", "\t")] + [r.replace(",", "\t") for r in rows(3)] + ["4\t40\t1,200\t1\t6\t0\t0"]
                         + [r.replace(",", "\t") for r in rows(4, 5)], "1,200")):
        h = read_history(write(tmp_path, lines))
        assert h.columns["delivered"][3] == pytest.approx(1.2)
        assert h.notes[-1] == (f"'{cell}' (line 5, delivered) read as a decimal (1.2): nothing else in the file shows "
                               f"whether its decimal mark is ',' or '.'; if '{cell}' means 1200, export plain numbers, "
                               "without thousands separators")
    clear = read_history(write(tmp_path, [HEADER] + rows(3) + ["4,40,1.200,1,6,0,0"] + rows(3, 5) + ["8,40.5,30,1,6,0,0"]))
    assert clear.notes == ()  # '40.5' shows the decimal mark: '1.200' is 1.2


def test_a_comma_file_with_a_thousands_separator_says_why_a_row_has_too_many_values(tmp_path):
    msg = error(tmp_path, [HEADER] + rows(3) + ["4,1,234,30,1,6,0,0"] + rows(4, 5))
    assert msg.endswith("line 5: 8 values; expected 7, one for each column of the header (a number written with a "
                        "thousands separator, such as 1,234, is two values in a comma-separated file: export plain "
                        "numbers)")
    assert error(tmp_path, [HEADER] + rows(3) + ["4,40,30,1,6,0,0,x"] + rows(4, 5)).endswith("of the header")


def test_lakh_grouping_and_a_decimal_comma_in_a_comma_file_say_what_to_do(tmp_path):
    msg = error(tmp_path, [HEADER] + rows(3) + ['4,"1,23,456",30,1,6,0,0'] + rows(4, 5))
    assert msg.endswith("column committed: '1,23,456' looks like a number with thousands separators (','); export plain "
                        "numbers, without thousands separators (e.g. 123456)")
    msg = error(tmp_path, [HEADER] + rows(3) + ['4,"40,5",30,1,6,0,0'] + rows(4, 5))
    assert msg.endswith("column committed: '40,5' is not a number here: this file separates its fields with commas, so "
                        "its decimal mark must be '.'; export it with '.' as the decimal mark, or with ';' between fields")

    msg = error(tmp_path, [HEADER] + rows(3) + ["4,1_040,30,1,6,0,0"] + rows(4, 5))  # Python's float would take it
    assert msg.endswith("column committed: '1_040' is not a number (digits with an underscore); write it plainly, "
                        "e.g. 1040")


def test_a_cell_too_long_for_csv_and_a_negative_percent_get_one_line(tmp_path):
    msg = error(tmp_path, [HEADER + ",notes"] + [r + ",x" for r in rows(3)] + ["4,40,30,1,6,0,0," + "y" * 200_000]
                + [r + ",x" for r in rows(4, 5)])
    assert "line 5: cannot be read as CSV (field larger than field limit" in msg
    msg = error(tmp_path, [HEADER + ",tech_share"] + [r + ",-5%" for r in rows(8)])
    assert msg.endswith("column tech_share: -5% is negative; expected a number >= 0")


def test_the_cli_says_a_thousands_separator_in_one_line_and_exits_2(tmp_path, capsys):
    from pe_sim.cli import main

    f = write(tmp_path, [HEADER] + rows(3) + ['4,"1,010.5",30,1,6,0,0'] + rows(4, 5))
    assert main(["calibrate", str(f), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == (f"pe-sim: error: {f}: line 5, column committed: '1,010.5' (sprint 4) looks like a number with a "
                   "thousands separator (','); export plain numbers, without thousands separators (e.g. 1010.5)\n")
    assert not (tmp_path / "out").exists()


def test_sprints_that_delivered_more_than_they_committed_are_noted_not_refused(tmp_path):
    h = read_history(write(tmp_path, [HEADER] + rows(2) + ["3,40,45,1,6,0,0", "4,40,41,1,6,0,0"] + rows(4, 5)))
    assert h.n_sprints == 8 and h.columns["delivered"][2] == 45  # the numbers as they are
    assert h.notes == ("delivered is above committed in 2 of 8 sprints (sprints 3, 4): a simulated team delivers "
                       "more than it committed only by pulling in work once its whole plan is done (pull_in), so such "
                       "sprints are hard for it to match; calibration uses the numbers as they are, not clipped (say/do "
                       "= mean delivered / mean committed = 0.83)",)
    every = read_history(write(tmp_path, [HEADER] + [f"{s},40,50,1,6,0,0" for s in range(11, 19)]))
    assert every.notes == ("delivered is above committed in 8 of 8 sprints (sprints 11, 12, 13, 14, 15, ...): a "
                           "simulated team delivers more than it committed only by pulling in work once its whole plan "
                           "is done (pull_in), so such sprints are hard for it to match; calibration uses the numbers "
                           "as they are, not clipped (say/do = mean delivered / mean committed = 1.25)",)
    one = read_history(write(tmp_path, [HEADER] + rows(2) + ["3,0,5,1,6,0,0"] + rows(5, 4)))
    assert one.notes[0].startswith("delivered is above committed in 1 of 8 sprints (sprint 3): ")
    assert read_history(write(tmp_path, [HEADER] + [f"{s},40,40,1,6,0,0" for s in range(1, 9)])).notes == ()
    assert read_history(EXAMPLE).notes == ()


def test_errors_name_the_file_line_not_the_rows_number_when_notes_span_lines(tmp_path):
    """A notes cell with line breaks made 'line 7, column committed' point at record 7, ten lines
    before the bad value; the line is now the file's, as an editor numbers it."""
    notes = ['"first\nsecond"', '"a\r\nb\nc"', "plain", '"x\n\ny"']
    lines = [HEADER + ",notes"] + [f"{r},{notes[k % 4]}" for k, r in enumerate(rows(5))]
    lines += ['6,abc,30,1,6,0,0,"n"'] + [r + ",z" for r in rows(3, 7)]
    text = "\n".join(lines) + "\n"
    bad_line = text[:text.index("6,abc")].count("\n") + 1
    assert bad_line == 13  # header, then rows of 2, 3, 1, 3 and 2 lines
    f = tmp_path / "team.csv"
    f.write_bytes(text.encode())
    with pytest.raises(ConfigError) as e:
        read_history(f)
    assert str(e.value).endswith("line 13, column committed: 'abc' is not a number")
    # a value after a cell with line breaks, in the same row, is on the row's later line
    f.write_text("\n".join([HEADER.replace("hires", 'notes,hires')] + ['1,40,30,1,6,0,"one\ntwo",0',
                                                                       '2,40,30,1,6,0,"three\nfour\nfive",x'] +
                           [r.rsplit(",", 1)[0] + ',"",0' for r in rows(6, 3)]) + "\n")
    with pytest.raises(ConfigError) as e:
        read_history(f)
    assert str(e.value).endswith("line 6, column hires: 'x' is not a number")
    # sprints out of order, a headcount that does not add up: the line of that row's cell
    f.write_text("\n".join([HEADER + ",notes"] + [r + ',"a\nb"' for r in rows(3)] + [r + ",c" for r in rows(4, 5)]) + "\n")
    with pytest.raises(ConfigError) as e:
        read_history(f)
    assert "line 8, column sprint: 5 follows 3" in str(e.value)
    f.write_text("\n".join([HEADER.replace("headcount", "notes,headcount")] + ['1,40,30,1,"a\nb",6,0,0'] * 1
                           + ['2,40,30,1,"c\nd",7,0,0'] + [f"{s},40,30,1,x,7,0,0" for s in range(3, 9)]) + "\n")
    with pytest.raises(ConfigError) as e:
        read_history(f)
    assert "line 5, column headcount: 7 engineers, but the sprint before ended with 6" in str(e.value)


def test_an_unclosed_quote_and_a_comment_with_a_quote_are_said_with_their_lines(tmp_path):
    # a comment's quote quotes nothing: it once swallowed the rows after it into one cell
    h = read_history(write(tmp_path, [HEADER, '# exported,"by our tool'] + rows(8)))
    assert h.n_sprints == 8
    msg = error(tmp_path, [HEADER + ",notes"] + [r + ",x" for r in rows(3)] + ['4,40,30,1,6,0,0,"never closed']
                + [r + ",x" for r in rows(4, 5)])
    assert msg.endswith(": line 5: a quoted cell is never closed: its '\"' takes in every line after it, to the end "
                        "of the file (line 9); close the quote")
    h = read_history(write(tmp_path, [HEADER + ",notes"] + [r + ",x" for r in rows(7)] + ['8,40,30,1,6,0,0,"open']))
    assert h.n_sprints == 8  # an open quote in the last line takes in nothing
    # a line separator or a form feed in a cell is no line break (str.splitlines broke the row there)
    h = read_history(write(tmp_path, [HEADER + ",notes"] + [r + ",a\u2028b\x0cc\x85d" for r in rows(8)]))
    assert h.n_sprints == 8 and h.ignored == ("notes",)
    msg = error(tmp_path, [HEADER + ",notes"] + [r + ",a\u2028b" for r in rows(3)] + ["4,40,x,1,6,0,0,"] + rows(4, 5))
    assert "line 5, column delivered: 'x' is not a number" in msg


def test_a_history_longer_than_the_longest_run_is_refused_before_its_cells_are_read(tmp_path):
    from pe_sim.config import RUN_LIMITS
    from pe_sim.history import MAX_SPRINTS

    assert MAX_SPRINTS == RUN_LIMITS["sprints"][1] == 1000
    assert read_history(write(tmp_path, [HEADER] + rows(MAX_SPRINTS))).n_sprints == MAX_SPRINTS
    msg = error(tmp_path, [HEADER] + rows(100_000) + ["x,y,z,1,2,3,4"])
    assert msg.endswith("file: 100,001 sprints; pe-sim calibrates to at most 1,000 (the longest run it simulates); use "
                        "the most recent 1,000 sprints (keep the header and the last 1,000 rows)")


BAD = "\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\u202e\x85\x7f"
BAD_SHOWN = r"\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\u202e\x85\x7f"


@pytest.mark.parametrize("cell", [f"1_0{BAD}", f"{BAD}", f"4{BAD}0", f"1,2{BAD}"])
def test_a_bad_cells_text_reaches_the_message_escaped(tmp_path, cell):
    f = tmp_path / "team.csv"
    f.write_text("\n".join([HEADER] + rows(3) + [f'4,"{cell}",30,1,6,0,0'] + rows(4, 5)) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        read_history(f)
    msg = str(e.value)
    assert "line 5, column committed" in msg and "\x1b" not in msg and "\u202e" not in msg and "\x07" not in msg
    assert "\x85" not in msg and "\x7f" not in msg


def test_a_header_with_control_characters_is_escaped_in_errors(tmp_path):
    msg = error(tmp_path, [HEADER.replace("hires", f"hires{BAD}")] + rows())
    assert "missing column hires" in msg and BAD_SHOWN in msg and "\x1b" not in msg
    h = read_history(write(tmp_path, [HEADER + f",{BAD}"] + [r + ",x" for r in rows()]))
    assert h.ignored == (BAD,)  # kept as written; whoever shows it escapes it (calibrate does)


def test_the_digest_is_of_the_bytes_read(tmp_path):
    import hashlib

    f = write(tmp_path, [HEADER] + rows())
    assert read_history(f).sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
