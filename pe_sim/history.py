"""A team's own sprint history: the CSV file a practitioner brings to calibrate pe-sim to their team.

One row per sprint, in order (at least 6 sprints, at most 1,000: the longest run pe-sim simulates), with a
header row naming the columns (any order):

========================  ========  =====================================================================
column                    required  meaning
========================  ========  =====================================================================
``sprint``                yes       sprint number; consecutive whole numbers (any start)
``committed``             yes       work committed at sprint planning, in the team's unit (story points
                                    or days: the scale is estimated when calibrating)
``delivered``             yes       work of the commitment delivered by the sprint's end, same unit
``incidents``             yes       production incidents during the sprint (whole number)
``headcount``             yes       engineers on the team at the end of the sprint (whole number, >= 1)
``leavers``               yes       engineers who left during the sprint (whole number)
``hires``                 yes       engineers who joined during the sprint (whole number); each
                                    sprint's headcount is the one before's plus hires minus leavers
``tech_share``            no        share of the commitment that was tech work (0-1, or in percent:
                                    "20%" cells, or a "Tech share %" header; shares such as 0.2
                                    under a percent header are refused, not read as 0.2%)
``features_shipped``      no        features released during the sprint (whole number)
========================  ========  =====================================================================

Header names may be in any case, with spaces, hyphens or nothing for underscores ("Tech share",
"Head-count"); columns
with other names (an export's notes, assignee, ...) are ignored and listed in ``ignored``, unless
a name is a near-miss of one of the above that the file lacks (a misspelling is refused). Fields may be separated by commas,
or, as spreadsheets in many locales export them, by semicolons (then with a decimal comma or
point) or tabs. Lines starting with ``#`` are comments (a synthetic file says so in one). Numbers are
plain: one with a thousands separator ("1,010.5", "1.010,00", "1 010") is refused with a note to
export plain ones. :func:`read_history`
checks everything and raises :class:`pe_sim.config.ConfigError` naming the file, the line and the
column of the first problem; findings that do not stop calibration (sprints that delivered more than
they committed) are returned in ``notes``. :func:`history_from_outcomes` turns simulated outcomes into the same
columns, so a simulated team and a real one are compared like for like.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from pe_sim.config import RUN_LIMITS, ConfigError
from pe_sim.params import BY_NAME

REQUIRED = ("sprint", "committed", "delivered", "incidents", "headcount", "leavers", "hires")
OPTIONAL = ("tech_share", "features_shipped")
COLUMNS = REQUIRED + OPTIONAL
WHOLE = frozenset({"sprint", "incidents", "headcount", "leavers", "hires", "features_shipped"})
MIN_SPRINTS = 6
MAX_SPRINTS = RUN_LIMITS["sprints"][1]  # the longest run pe-sim simulates (run's and sweep's --sprints)
# How alike (difflib's ratio) an unknown header must be to a column the file lacks to be refused as
# its misspelling ("deliverd", "head count"); less alike names ("Sprint goal", "Hours") are other columns.
MISSPELT = 0.85
MAX_HEADCOUNT = BY_NAME["n_engineers"].hi  # the model's range of team sizes
MAX_WORK = 1e6  # per sprint, in any unit: beyond it a value is a typo or an overflow, not a team's work
MAX_COUNT = 10_000  # incidents, leavers, hires or features in one sprint
MAX_SPRINT_NUMBER = 1_000_000
# The model outcome (pe_sim.outcomes) each column is compared with; work is in the model's
# ideal-days, scaled by the team's points per day.
OUTCOME = {"committed": "committed", "delivered": "delivered", "incidents": "incidents", "headcount": "headcount",
           "leavers": "attrition", "hires": "hires", "tech_share": "tech_share", "features_shipped": "features_shipped"}
WORK = frozenset({"committed", "delivered"})
# A number written with thousands separators: groups of three digits after a first group of one to
# three (not starting with 0: "0,125" is a decimal), then perhaps a decimal part with the other mark.
GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?P<sep>[,.'\u2019 \u00a0\u2009\u202f])\d{3}(?:(?P=sep)\d{3})*"
                     r"(?:(?P<dec>[.,])\d+)?")
SEPARATOR_NAMES = {",": "','", ".": "'.'", "'": "an apostrophe", "\u2019": "an apostrophe"}  # others: spaces
NOTED_SPRINTS = 5  # sprints named in a note; the rest are counted


@dataclass(frozen=True)
class TeamHistory:
    """A checked sprint history: ``columns`` maps each column present to a float array, one value a sprint."""

    source: str
    columns: Mapping[str, np.ndarray]
    ignored: tuple[str, ...] = ()  # header names of columns pe-sim does not use (notes, assignee, ...), as written
    notes: tuple[str, ...] = ()  # findings about the numbers that do not stop calibration, one sentence each
    sha256: str = ""  # of the file's bytes as read (those the columns came from); "" if not read from a file

    @property
    def n_sprints(self) -> int:
        return len(self.columns["sprint"])

    @property
    def starting_headcount(self) -> int:
        """Engineers at the start of the first sprint: its end headcount, less who joined, plus who left."""
        c = self.columns
        return int(c["headcount"][0] - c["hires"][0] + c["leavers"][0])

    @property
    def current_headcount(self) -> int:
        """Engineers on the team now: the last sprint's end headcount."""
        return int(self.columns["headcount"][-1])


def _fail(source: str, where: str, problem: str) -> None:
    raise ConfigError(source, where, problem)


def _breaks(text: str) -> int:
    """Line breaks in a cell (a quoted cell may hold some): the lines its row goes on for after it."""
    return len(re.findall(r"\r\n|\r|\n", text))


def _grouped(text: str) -> re.Match | None:
    """``text`` as a number with thousands separators ("1,010.5", "1.010,00", "1 010", "1,010"), else None."""
    m = GROUPED.fullmatch(text)
    return m if m and m["dec"] != m["sep"] else None  # "1,010,5" has no reading as a number


def _decimal_mark(text: str) -> str | None:
    """The decimal mark a cell shows beyond doubt: '.' in "40.5", "0.125" or "1,010.5"; None for
    whole numbers and for "1.010" or "1,010", which may be a decimal or a thousand and ten."""
    text = text.strip().removesuffix("%").strip()
    grouped = _grouped(text)
    if grouped:
        return grouped["dec"]
    m = re.fullmatch(r"[+-]?\d*([.,])\d+", text)
    return m[1] if m else None


def _thousands(source: str, where: str, text: str, grouped: re.Match, sprint: str, why: str = "") -> None:
    """Refuse a cell that looks like a number with thousands separators, saying how to write it."""
    plain = text.replace(grouped["sep"], "")
    if grouped["dec"]:
        plain = plain.replace(grouped["dec"], ".")
    at = f" (sprint {sprint})" if sprint else ""
    _fail(source, where, f"{text!r}{at} looks like a number with a thousands separator "
                         f"({SEPARATOR_NAMES.get(grouped['sep'], 'a space')}){why}; export plain numbers, without "
                         f"thousands separators (e.g. {plain})")


def _number(source: str, line: int, col: str, text: str, decimal_comma: bool = False, percent: bool = False,
            sprint: str = "", marks: Mapping[str, str] | None = None, unsure: list | None = None) -> float:
    """One cell's value, checked for its column; a share in percent (a "%" header or cell) as a share.
    ``sprint`` is the row's sprint number (for messages) and ``marks`` the decimal marks other cells
    of the file show beyond doubt (mark -> where), to tell a thousands separator from a decimal mark;
    a cell read as a decimal that may have been a thousand ("1.200" in a file that shows no decimal
    mark) is added to ``unsure`` as (line, column, text)."""
    where = f"line {line}, column {col}"
    text = shown = text.strip()
    if not text:
        _fail(source, where, "empty; expected a number")
    if col == "tech_share" and text.endswith("%"):
        text, percent = text[:-1].strip(), True
    grouped = _grouped(text)
    if "_" in text:  # Python reads 1_010 as 1010; a spreadsheet never writes it, so it is a typo or a code
        _fail(source, where, f"{text[:40]!r} is not a number (digits with an underscore); write it plainly, e.g. "
                             f"{text.replace('_', '')[:40]}")
    try:
        x = float(text.replace(",", ".") if decimal_comma and text.count(",") == 1 and "." not in text else text)
    except ValueError:
        if grouped:
            _thousands(source, where, text, grouped, sprint)
        if re.fullmatch(r"[+-]?\d{1,2}(,\d{2})+,\d{3}(\.\d+)?", text):  # lakh grouping: 1,23,456
            _fail(source, where, f"{text!r} looks like a number with thousands separators (','); export plain "
                                 f"numbers, without thousands separators (e.g. {text.replace(',', '')})")
        if not decimal_comma and re.fullmatch(r"[+-]?\d*,\d+", text):  # a quoted decimal comma in a comma file
            _fail(source, where, f"{text!r} is not a number here: this file separates its fields with commas, so its "
                                 "decimal mark must be '.'; export it with '.' as the decimal mark, or with ';' "
                                 "between fields")
        _fail(source, where, f"{text[:40]!r} is not a number")
    if grouped:  # "1.010" (or "1,010" where a comma may be decimal): a decimal unless the file says otherwise
        sep, other = grouped["sep"], "," if grouped["sep"] == "." else "."
        marks = marks or {}
        if other in marks and sep not in marks:  # never guess: only a file whose decimal mark is clear
            _thousands(source, where, text, grouped, sprint, f", and the file's decimal mark is {other!r} "
                                                             f"({marks[other]})")
        if col in WHOLE and x != int(x):  # "1.010 incidents" is a thousand and ten, not a typo for 1
            _thousands(source, where, text, grouped, sprint, f", and {col} takes whole numbers")
        if unsure is not None and not (sep in marks and other not in marks):
            unsure.append((line, col, text))  # the file does not say which its decimal mark is
    if percent:
        if x > 100:
            _fail(source, where, f"{text}% is above 100%; expected a share between 0 and 100%")
        x /= 100.0
    if not math.isfinite(x):
        _fail(source, where, f"{text[:40]!r} is not a finite number")
    if x < 0:
        _fail(source, where, f"{shown} is negative; expected a number >= 0")
    if col in WHOLE and x != int(x):
        _fail(source, where, f"{text} is not a whole number")
    if col == "tech_share" and x > 1:
        _fail(source, where, f"{text} is above 1; expected a share between 0 and 1")
    if col == "headcount" and x < 1:
        _fail(source, where, f"{text}: a team needs at least one engineer")
    if col == "sprint" and x > MAX_SPRINT_NUMBER:
        _fail(source, where, f"{text} is implausibly large for a sprint number (at most {MAX_SPRINT_NUMBER:,})")
    if col == "headcount" and x > MAX_HEADCOUNT:
        _fail(source, where, f"{text} engineers; pe-sim models teams of 1 to {MAX_HEADCOUNT:g} engineers (n_engineers)")
    if col in WORK and x > MAX_WORK:
        _fail(source, where, f"{text} is implausibly large for one sprint's work (at most {MAX_WORK:,.0f})")
    if col in WHOLE and col not in ("sprint", "headcount") and x > MAX_COUNT:
        _fail(source, where, f"{text} is implausibly large for one sprint (at most {MAX_COUNT:,})")
    return x


def _guess(column: str, others: dict[str, str]) -> str | None:
    """Which of the file's other headers (normalised name -> as written) may be the missing ``column``:
    those that have its words ("Leavers (incl. transfers)", "Story points committed"), else the
    closest spelling; None if none is."""
    words = set(column.split("_"))
    hits = [n for n in others if words <= set(re.split(r"[^a-z0-9]+", n))]
    hits = hits or difflib.get_close_matches(column, list(others), n=1)
    return f"is {' or '.join(repr(others[n]) for n in hits[:3])} {column}?" if hits else None


def _records(source: str, lines: list[str], delimiter: str) -> list[tuple[int, list[str]]]:
    """The file's rows as (the line each starts on, its cells), without blank rows and comments. A
    quoted cell may go on over several lines, so a row's number among the rows is not its line."""
    at_start = [True]

    def physical():
        for line in lines:
            start, at_start[0] = at_start[0], False
            # a comment is a line that starts with '#' where a row would start: its quotes quote nothing
            yield "\n" if start and line.lstrip().startswith("#") else line

    reader = csv.reader(physical(), delimiter=delimiter)
    rows = []
    last = 0  # the line the last row (or comment) starts on
    try:
        while True:
            at_start[0] = True
            start = reader.line_num + 1
            try:
                r = next(reader)
            except StopIteration:
                break
            last = start
            if r and any(c.strip() for c in r) and not r[0].lstrip().startswith("#"):
                rows.append((start, r))
    except csv.Error as exc:  # a cell beyond the csv module's limit (131,072 characters), a stray NUL, ...
        where = f"line {start}" if reader.line_num <= start else f"lines {start}-{reader.line_num}"
        _fail(source, where, f"cannot be read as CSV ({exc}); export the sprints' rows alone, as plain CSV")
    if 0 < last < len(lines):
        # The last row goes on over lines: if a quote in it is never closed, csv reads the rows after
        # it as one cell of it (silently: a history cut short), so that is said, not read.
        try:
            list(csv.reader(lines[last - 1:], delimiter=delimiter, strict=True))
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                _fail(source, f"line {last}", f"a quoted cell is never closed: its '\"' takes in every line after it, "
                                               f"to the end of the file (line {len(lines)}); close the quote")
    return rows


def read_history(path: Path | str) -> TeamHistory:
    """Read and check a team's sprint history CSV (see the module docstring for the columns)."""
    source = str(path)
    p = Path(path)
    if not p.is_file():
        _fail(source, "file", "not found (expected a CSV file of the team's sprints)" if not p.exists()
              else "is not a file (expected a CSV file of the team's sprints)")
    try:
        data = p.read_bytes()  # once: the digest a calibration records is of the bytes its columns came from
    except OSError as exc:
        _fail(source, "file", f"cannot be read ({exc.strerror or exc})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(source, "file", "is not UTF-8 text; save it as CSV (UTF-8)")
    # The file's lines as an editor numbers them (ended by \n, \r\n or \r only: not by the form feeds
    # or Unicode separators str.splitlines also breaks at), each with its line end, for csv to read.
    lines = list(io.StringIO(text, newline=""))
    first = next((x for x in lines if x.strip() and not x.lstrip().startswith("#")), "")
    # Spreadsheets in many locales export with ';' (and a decimal comma) or tabs: read what the header uses.
    delimiter = next((d for d in (";", "\t") if d in first and "," not in first), ",")
    rows = _records(source, lines, delimiter)
    expected = f"expected a header row with the columns {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})"
    if not rows:
        _fail(source, "file", f"is empty; {expected}")
    header_line, header = rows[0]
    # Header names as people write them: "Sprint", "Tech share", "features-shipped" are the columns they mean.
    plain = {c.replace("_", ""): c for c in COLUMNS}
    names = [plain.get(n.replace("_", ""), n) for n in
             (" ".join(h.split()).lower().replace(" ", "_").replace("-", "_") for h in header)]
    # "Tech share %", "Tech share (%)": the share in percent
    percent = {k for k, n in enumerate(names) if re.sub(r"[\W_]*(%|\(%\)|pct|percent)$", "", n).replace("_", "") == "techshare"
               and n != "tech_share"}
    names = ["tech_share" if k in percent else n for k, n in enumerate(names)]
    while names and not names[-1]:  # trailing empty columns, as spreadsheets export them
        names.pop()
    rows = rows[:1] + [(i, r[:len(names)] if len(r) > len(names) and not any(c.strip() for c in r[len(names):]) else r)
                       for i, r in rows[1:]]
    ignored = []
    for k, name in enumerate(names):
        if not name:
            _fail(source, f"line {header_line}", f"column {k + 1} of the header has no name ({expected})")
        if name not in COLUMNS:
            if len(names) == 1 and "|" in name:
                _fail(source, f"line {header_line}", "the columns are separated by '|'; pe-sim reads files separated "
                                                     "by commas, semicolons or tabs (export the file as CSV)")
            if name.replace(".", "", 1).lstrip("-").isdigit():
                _fail(source, f"line {header_line}", f"starts with numbers, not a header row; the first line "
                                                     f"names the columns ({expected})")
            close = [c for c in difflib.get_close_matches(name, COLUMNS, n=1, cutoff=MISSPELT) if c not in names]
            if close:  # a misspelt column is a mistake to point out, not a column to drop
                _fail(source, f"line {header_line}", f"unknown column {header[k].strip()!r}; did you mean {close[0]!r}? "
                                                     f"({expected})")
            ignored.append(header[k].strip())  # the export's other columns (notes, assignee, ...): not used
    dup = sorted({n for n in names if names.count(n) > 1 and n in COLUMNS})
    if dup:
        _fail(source, f"line {header_line}", f"column {dup[0]!r} appears twice")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        others = {n: header[k].strip() for k, n in enumerate(names) if n not in COLUMNS}
        guesses = [g for g in (_guess(c, others) for c in missing) if g]
        _fail(source, f"line {header_line}", f"missing column{'s' if len(missing) > 1 else ''} "
                                             f"{', '.join(missing)}{' (' + '; '.join(guesses) + ')' if guesses else ''}; "
                                             f"{expected}")
    if len(rows) - 1 > MAX_SPRINTS:  # before its cells are read: a calibration to it would run for hours
        _fail(source, "file", f"{len(rows) - 1:,} sprints; pe-sim calibrates to at most {MAX_SPRINTS:,} (the longest run "
                              f"it simulates); use the most recent {MAX_SPRINTS:,} sprints (keep the header and the "
                              f"last {MAX_SPRINTS:,} rows)")
    values: dict[str, list[float]] = {n: [] for n in names if n in COLUMNS}
    cell_lines: dict[str, list[int]] = {n: [] for n in values}  # the line each value is on, sprint by sprint
    # The decimal marks the file shows beyond doubt ("40.5", "0,2"): they tell whether a "1.010" or
    # "1,010" elsewhere is a decimal or has a thousands separator.
    marks: dict[str, str] = {}
    for start, row in rows[1:]:
        for name, cell, line in zip(names, row, _lines_of(start, row)):
            mark = _decimal_mark(cell) if name in values else None
            if mark and mark not in marks:
                marks[mark] = f"{cell.strip()!r} on line {line}"
    at = names.index("sprint")
    unsure: list[tuple[int, str, str]] = []
    bare: list[tuple[int, str, float]] = []  # (line, cell, value as written) of a "%" column's cells without "%"
    for start, row in rows[1:]:
        if len(row) != len(names):
            split = delimiter == "," and len(row) > len(names) and any(
                re.fullmatch(r"[+-]?\d{1,3}", a.strip()) and re.fullmatch(r"\d{3}(\.\d+)?", b.strip())
                for a, b in zip(row, row[1:]))
            hint = (" (a number written with a thousands separator, such as 1,234, is two values in a comma-separated "
                    "file: export plain numbers)") if split else ""
            _fail(source, f"line {start}", f"{len(row)} values; expected {len(names)}, one for each column of the "
                                          f"header{hint}")
        sprint = row[at].strip() if row[at].strip().isdigit() else ""
        for k, (name, cell, line) in enumerate(zip(names, row, _lines_of(start, row))):
            if name in values:
                cell_lines[name].append(line)
                values[name].append(_number(source, line, name, cell, decimal_comma=delimiter != ",",
                                            percent=k in percent, sprint=sprint if k != at else "", marks=marks,
                                            unsure=unsure))
                if k in percent and not cell.strip().endswith("%"):
                    bare.append((line, cell.strip(), round(values[name][-1] * 100.0, 9)))
    if bare and all(x <= 1 for _, _, x in bare) and not all(x == int(x) for _, _, x in bare):
        # Shares (0.2) under a percent header: read as written they are all under 1%, a team that
        # did almost no tech work. Whole numbers (0 and 1) may be percentages, so they are read as such.
        line, cell, _ = next((b for b in bare if b[2] != int(b[2])))
        head = header[next(iter(percent))].strip()
        share = float(cell.replace(",", "."))
        _fail(source, f"column {head!r}", f"the header says percent, but every value is at most 1 ({cell!r} on line "
                                          f"{line} would be {cell}%, not {share:.0%}); if the cells are shares, drop "
                                          f"the percent from the header ({_without_percent(head)!r}), or write "
                                          f"percentages ({_percent_text(cell)} for {share:.0%})")
    data_lines = [line for line, _ in rows[1:]]
    if len(data_lines) < MIN_SPRINTS:
        _fail(source, "file", f"{len(data_lines)} sprint{'s' if len(data_lines) != 1 else ''}; at least "
                              f"{MIN_SPRINTS} are needed")
    sprints = values["sprint"]
    for k in range(1, len(sprints)):
        if sprints[k] != sprints[k - 1] + 1:
            gap = (f"missing sprint {int(sprints[k - 1]) + 1}: add its row (a sprint without work has 0 committed "
                   "and delivered) or number the sprints consecutively" if sprints[k] > sprints[k - 1] + 1
                   else "sprints must be in order, one row each")
            _fail(source, f"line {cell_lines['sprint'][k]}, column sprint",
                  f"{int(sprints[k])} follows {int(sprints[k - 1])}; {gap}")
    columns = {n: np.array(values[n], dtype=np.float64) for n in COLUMNS if n in values}
    h = TeamHistory(source, columns, tuple(ignored), _notes(columns) + _unsure_note(unsure),
                    hashlib.sha256(data).hexdigest())
    if h.starting_headcount < 1:
        _fail(source, f"line {data_lines[0]}", "headcount - hires + leavers is below 1: the team starts with no engineers")
    if h.starting_headcount > MAX_HEADCOUNT:
        _fail(source, f"line {data_lines[0]}", f"headcount - hires + leavers is {h.starting_headcount}: the team starts "
                                               f"with more engineers than the {MAX_HEADCOUNT:g} pe-sim models")
    heads, leavers, hires = columns["headcount"], columns["leavers"], columns["hires"]
    for k in range(1, len(heads)):  # nobody can leave who was not there: last sprint's team and this one's hires
        if leavers[k] > heads[k - 1] + hires[k]:
            _fail(source, f"line {cell_lines['leavers'][k]}, column leavers",
                  f"{leavers[k]:g} leavers, but the team had {heads[k - 1]:g} engineers at the end of the sprint "
                  f"before and hired {hires[k]:g}")
        # the model's team changes only by who leaves and who joins, so the columns must agree
        if heads[k] != heads[k - 1] + hires[k] - leavers[k]:
            _fail(source, f"line {cell_lines['headcount'][k]}, column headcount",
                  f"{heads[k]:g} engineers, but the sprint before ended with {heads[k - 1]:g}, {hires[k]:g} joined and "
                  f"{leavers[k]:g} left ({heads[k - 1] + hires[k] - leavers[k]:g}); count people who moved to or "
                  "from other teams as leavers and hires")
    if not np.any(columns["committed"] > 0) and not np.any(columns["delivered"] > 0):
        _fail(source, "columns committed and delivered", "0 in every sprint; the history records no work to "
                                                         "calibrate to")
    return h


def _lines_of(start: int, row: list[str]) -> list[int]:
    """The line each cell of a row that starts on line ``start`` is on (after a quoted cell with line
    breaks, the next cell is on a later line)."""
    lines = []
    for cell in row:
        lines.append(start)
        start += _breaks(cell)
    return lines


def _without_percent(head: str) -> str:
    """A percent column's header without its percent mark ("Tech share %" -> "Tech share")."""
    return re.sub(r"[\s_-]*(%|\(%\)|pct|percent)$", "", head, flags=re.I) or "tech_share"


def _percent_text(cell: str) -> str:
    """A share's cell as a percentage, as it would be written ("0.2" -> "20", "0,25" -> "25")."""
    return f"{float(cell.replace(',', '.')) * 100:.10g}".replace(".", "," if "," in cell else ".")


def _unsure_note(unsure: list[tuple[int, str, str]]) -> tuple[str, ...]:
    """A note on cells read as decimals that may have had a thousands separator (none: no note)."""
    if not unsure:
        return ()
    line, col, text = unsure[0]
    more = f" and {len(unsure) - 1} more cell{'s' if len(unsure) > 2 else ''}" if len(unsure) > 1 else ""
    value = float(text.replace(",", "."))
    return (f"{text!r} (line {line}, {col}){more} read as a decimal ({value:g}): nothing else in the file shows "
            f"whether its decimal mark is ',' or '.'; if {text!r} means {text.replace(',', '').replace('.', '')}, "
            "export plain numbers, without thousands separators",)


def _notes(columns: Mapping[str, np.ndarray]) -> tuple[str, ...]:
    """What in a checked history the model cannot reproduce but calibration can go on with."""
    notes = []
    committed, delivered = columns["committed"], columns["delivered"]
    over = columns["sprint"][delivered > committed]
    if len(over):  # work pulled in mid-sprint: the model does so only once its whole plan is done (kernel.pull_in)
        shown = ", ".join(str(int(s)) for s in over[:NOTED_SPRINTS]) + (", ..." if len(over) > NOTED_SPRINTS else "")
        say_do = ""
        if np.mean(committed) > 0:  # calibration's say/do (calibration.team_statistics), unclipped
            say_do = f" = {float(np.mean(delivered) / np.mean(committed)):.2f}"
        notes.append(f"delivered is above committed in {len(over)} of {len(committed)} sprints "
                     f"({'sprints' if len(over) > 1 else 'sprint'} {shown}): a simulated team delivers more than it "
                     "committed only by pulling in work once its whole plan is done (pull_in), so such sprints are "
                     "hard for it to match; calibration uses the numbers as they are, not clipped "
                     f"(say/do = mean delivered / mean committed{say_do})")
    return tuple(notes)


def history_from_outcomes(outcomes: Mapping[str, np.ndarray], run: int, points_per_day: float = 1.0,
                          first_sprint: int = 1, columns: tuple[str, ...] = COLUMNS) -> dict[str, np.ndarray]:
    """One simulated run as history columns: model outcomes (R, sprints) mapped to the CSV's
    columns, work converted from ideal-days to the team's unit at ``points_per_day``."""
    n = outcomes["committed"].shape[1]
    out = {"sprint": np.arange(first_sprint, first_sprint + n, dtype=np.float64)}
    for c in columns:
        if c != "sprint":
            x = np.asarray(outcomes[OUTCOME[c]][run], dtype=np.float64)
            out[c] = x * points_per_day if c in WORK else x.copy()
    return out


def write_history(path: Path | str, columns: Mapping[str, np.ndarray], comment: str = "", decimals: int = 1) -> None:
    """Write history columns as a CSV (atomically), whole-number columns without decimals."""
    from pe_sim.files import atomic

    names = [c for c in COLUMNS if c in columns]
    with atomic(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        for line in comment.splitlines():
            f.write(f"# {line}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        for k in range(len(columns["sprint"])):
            w.writerow([str(int(round(columns[c][k]))) if c in WHOLE else f"{columns[c][k]:.{decimals}f}" for c in names])
