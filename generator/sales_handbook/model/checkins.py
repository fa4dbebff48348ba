"""The monthly check-in as data: every number of a plan as a spreadsheet row, and rows read back as edits.

`handbook export --format csv` writes `rows` (publish/spreadsheet.py writes the file);
`handbook update FILE.csv` reads rows of `id,current[,confidence,note]` with `read`, which
checks every row against the plan and says where each problem is (`FILE.csv:ROW:COLUMN`),
and turns them into `Change`s: which field of which plan file gets which value. Writing
them into the YAML without touching anything else is `plan/yamledit.py`'s job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sales_handbook.model import alignment, status
from sales_handbook.plan import urls
from sales_handbook.plan.diagnostics import Diagnostic, did_you_mean, excerpt
from sales_handbook.plan.plan import OBJECTIVES_FILE, Plan, team_file
from sales_handbook.plan.schema import (
    CONTROL_CHARACTERS,
    MAX_NOTE_LENGTH,
    MAX_YEAR,
    MIN_YEAR,
    Confidence,
    KeyMetric,
    Measure,
)
from sales_handbook.plan.yamlfile import PlainPath

COLUMNS = ("kind", "id", "title", "team", "owner", "objectives", "metric", "unit", "baseline", "target", "current",
           "direction", "time_frame", "status", "confidence", "note", "as_of")
"""The export's columns, in order. `update` reads `id`, `current`, `confidence` and `note`, and ignores the rest."""

GOAL, INDIVIDUAL_GOAL, KEY_METRIC = "goal", "individual-goal", "key-metric"

CLEAR = "-"
"""A cell holding only this removes the field from the plan (an empty cell leaves it as it is)."""

UPDATED = ("current", "confidence", "note")
"""The columns `update` writes into the plan."""

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FORMULA_ESCAPED = re.compile(r"'(?=[=+\-@\t\r])")
"""The apostrophe the export puts before a cell that a spreadsheet would read as a formula."""


def number_text(value: float | None) -> str:
    """A number as a cell (and as YAML) writes it: 12 rather than 12.0, every digit kept."""
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@dataclass(frozen=True)
class Number:
    """One goal, individual goal or key metric, and where the plan defines it."""

    kind: str
    ref: str
    """What a row calls it: a goal's id, or `objective/metric` for a key metric (`urls.key_metric_ref`)."""
    measure: Measure | KeyMetric
    file: str
    path: PlainPath


def numbers(plan: Plan) -> Iterator[Number]:
    """Every number of the plan: key metrics by objective, then each team's goals and its people's goals."""
    for i, objective in enumerate(plan.objectives):
        for k, metric in enumerate(objective.key_metrics):
            yield Number(KEY_METRIC, urls.key_metric_ref(objective.id, metric.id), metric, OBJECTIVES_FILE,
                         ("objectives", i, "key_metrics", k))
    for team in plan.teams:
        for i, goal in enumerate(team.goals):
            yield Number(GOAL, goal.id, goal, team_file(team.id), ("goals", i))
        for i, person in enumerate(team.people):
            for j, own in enumerate(person.goals):
                yield Number(INDIVIDUAL_GOAL, own.id, own, team_file(team.id), ("people", i, "goals", j))


def rows(plan: Plan) -> list[dict[str, str]]:
    """The export: one row per number, every cell text (`plan` is already the audience's view)."""
    as_of = plan.organization.as_of.isoformat() if plan.organization.as_of else ""
    objectives = {o.id: o for o in plan.objectives}
    found = []
    for number in numbers(plan):
        measure = number.measure
        row = dict.fromkeys(COLUMNS, "")
        row.update(kind=number.kind, id=number.ref, baseline=number_text(measure.baseline),
                   target=number_text(measure.target), current=number_text(measure.current),
                   direction=measure.direction.value, status=status.assess_measure(plan, measure).status.value,
                   confidence=measure.confidence.value if measure.confidence else "", note=measure.note or "",
                   unit=measure.unit or "", as_of=as_of)
        if isinstance(measure, KeyMetric):
            objective_id, _ = urls.parse_key_metric_ref(number.ref)  # type: ignore[misc]
            row.update(title=measure.name, owner=objectives[objective_id].owner, objectives=objective_id,
                       time_frame=plan.organization.period)
        else:
            row.update(title=measure.title, metric=measure.metric_name or measure.metric.value,
                       time_frame=_time_frame(measure))
            team_id = number.file.removeprefix("teams/").removesuffix(".yaml")
            row["team"] = team_id
            if number.kind == GOAL:
                row["owner"] = getattr(measure, "owner", None) or ""
                row["objectives"] = " ".join(link.objective for link in measure.aligns_to)  # type: ignore[union-attr]
            else:
                row["owner"] = plan.team(team_id).people[number.path[1]].id  # type: ignore[index]
                row["objectives"] = " ".join(alignment.objectives_through(plan, measure))  # type: ignore[arg-type]
        found.append(row)
    return found


def _time_frame(measure: Measure) -> str:
    if measure.period is not None:
        return measure.period
    if measure.due is not None:
        return f"{measure.start.isoformat()}/{measure.due.isoformat()}" if measure.start else measure.due.isoformat()
    return ""


@dataclass(frozen=True)
class Change:
    """One field of one number to set (`value`, as YAML text) or to remove (`value` None)."""

    file: str
    path: PlainPath
    """The path of the number's mapping in its file."""
    key: str
    value: str | None
    row: int
    column: int


@dataclass(frozen=True)
class Read:
    """What a CSV file asks for: the changes, or the problems that stop all of them."""

    changes: tuple[Change, ...]
    problems: tuple[Diagnostic, ...]
    rows: int


def read(text: str, display: str, plan: Plan) -> Read:
    """Check every row of a CSV (`id,current[,confidence,note]`, a header first) against `plan`.

    Every problem of every row is reported, each at `display:ROW:COLUMN` (rows and columns
    counted from 1 as a spreadsheet shows them, the header being row 1).
    """
    problems: list[Diagnostic] = []

    def problem(row: int, column: int, message: str, hint: str = "") -> None:
        problems.append(Diagnostic(display, row, column, message, hint=hint))

    text = text.removeprefix("\ufeff")
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        problem(1, 1, f"this is not a CSV file the handbook can read: {error}",
                "save it as CSV (UTF-8, comma-separated) from the spreadsheet")
        return Read((), tuple(problems), 0)
    if not table or not any(cell.strip() for cell in table[0]):
        problem(1, 1, "the file has no header row",
                "the first row names the columns: id,current and optionally confidence,note")
        return Read((), tuple(problems), 0)
    header = [cell.strip().lower() for cell in table[0]]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in columns and name in ("id", *UPDATED):
            problem(1, index + 1, f"column '{name}' appears twice (first as column {columns[name] + 1})",
                    "keep one of them: the handbook would not know which one to write")
        columns.setdefault(name, index)
    for required in ("id", "current"):
        if required not in columns:
            close = did_you_mean(required, [h for h in header if h])
            problem(1, 1, f"the header has no column '{required}'",
                    (close + " " if close else "") + "the columns 'id' and 'current' are needed; 'confidence' and "
                    "'note' may follow, other columns are ignored")
    if problems:
        return Read((), tuple(problems), 0)

    index = {number.ref: number for number in reversed(list(numbers(plan)))}  # the first of a duplicate id wins
    seen: dict[str, int] = {}
    changes: list[Change] = []
    count = 0
    for row_number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        count += 1

        def cell(name: str) -> str:
            position = columns.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        ref = cell("id")
        id_column = columns["id"] + 1
        if not ref:
            problem(row_number, id_column, "this row has no id", "write the id of a goal, an individual goal, or "
                    "'objective/metric' for a key metric, as 'handbook export --format csv' writes it")
            continue
        if ref in seen:
            problem(row_number, id_column, f"{excerpt(ref)} is also on row {seen[ref]}",
                    "keep one row per goal: the handbook would not know which value is right")
            continue
        seen[ref] = row_number
        number = index.get(ref)
        if number is None:
            close = _same_metric_elsewhere(ref, index) or did_you_mean(ref, index)
            example = next((n.ref for n in reversed(index.values()) if n.kind == KEY_METRIC), "objective/metric")
            problem(row_number, id_column, f"no goal, individual goal or key metric has the id {excerpt(ref)}",
                    close or "'handbook export --format csv' lists every id (a key metric's is 'objective/metric', "
                             f"like '{example}')")
            continue
        for name in UPDATED:
            value = cell(name)
            if not value or name not in columns:
                continue
            column = columns[name] + 1
            written = None if value == CLEAR else _checked(
                name, value, lambda message, hint="": problem(row_number, column, message, hint))
            if (value == CLEAR or written is not None) and written != as_written(number.measure, name):
                changes.append(Change(number.file, number.path, name, written, row_number, column))
    return Read(tuple(changes), tuple(problems), count)


def _same_metric_elsewhere(ref: str, known: Iterable[str]) -> str:
    """'did you mean' for a key metric named under the wrong objective: the same metric id under another one."""
    parts = urls.parse_key_metric_ref(ref)
    if parts is None:
        return ""
    others = [other for other in known if (urls.parse_key_metric_ref(other) or ("", ""))[1] == parts[1]]
    return ("did you mean " + " or ".join(repr(o) for o in others) + "?") if others else ""


def as_written(measure: Measure | KeyMetric, name: str) -> str | None:
    """A number's `current`, `confidence` or `note` as `_checked` writes it: a row that gives the same changes nothing,
    so an unedited export leaves the plan's text as it is."""
    value = getattr(measure, name)
    if value is None:
        return None
    if name == "current":
        return number_text(value)
    return value.value if name == "confidence" else quoted(value)


def _checked(name: str, value: str, problem: Callable[..., None]) -> str | None:
    """The YAML text for a cell's value, or None after reporting why it cannot be written."""
    if name == "current":
        if not _NUMBER.fullmatch(value) or not math.isfinite(float(value)):
            hint = ("write it with a point as the decimal mark and no thousands separator, like 1234.5"
                    if re.fullmatch(r"[+-]?[\d.,\s']+", value) else "write a number, like 41.9")
            problem(f"current value {excerpt(value)} is not a number", hint)
            return None
        return number_text(float(value))
    if name == "confidence":
        try:
            return Confidence(value.lower()).value
        except ValueError:
            close = did_you_mean(value, [c.value for c in Confidence])
            problem(f"confidence {excerpt(value)} is not high, medium or low",
                    (close + " " if close else "") + f"write high, medium or low (or '{CLEAR}' to remove it)")
            return None
    note = _FORMULA_ESCAPED.sub("", value, count=1) if value.startswith("'") else value
    if len(note) > MAX_NOTE_LENGTH:
        problem(f"this note is {len(note)} characters long, over the limit of {MAX_NOTE_LENGTH}",
                "a check-in note says in a sentence or two why; put longer text in the goal's description")
        return None
    control = CONTROL_CHARACTERS.search(note)
    if control:
        problem(f"the note holds the invisible control character U+{ord(control.group()):04X}",
                "retype the note: plan text holds printable characters only")
        return None
    return quoted(note)


def quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar: safe whatever it holds (colons, hashes, quotes, leading dashes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def date_text(value: str) -> str | None:
    """An `--as-of` date as YAML writes it, or None if it is not a date like 2026-12-15."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or not MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    return day.isoformat()
