"""The monthly check-in's files: the numbers exported as a spreadsheet, and a CSV written back into the plan.

`export_table` writes `model.checkins.rows` as CSV (or xlsx, with openpyxl installed);
`update` reads a CSV of `id,current[,confidence,note]`, checks every row, edits the
plan's YAML in place (`plan.yamledit`), loads the edited plan from a temporary copy,
and only then replaces each changed file, atomically. Nothing is written unless all of
it is right.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from sales_handbook.model import checkins
from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.diagnostics import Diagnostic, PlanError
from sales_handbook.plan.loader import display_path, load_plan
from sales_handbook.plan.plan import ORGANIZATION_FILE, Plan
from sales_handbook.plan.yamledit import Edit, apply

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula: plan text starting so gets an apostrophe in front."""
NUMBER_COLUMNS = frozenset({"baseline", "target", "current"})


class CheckInError(Exception):
    """A check-in file that cannot be written or read; the message says which and why."""


def table_bytes(rows: list[dict[str, str]], fmt: str) -> bytes:
    """The export as the bytes of a CSV (UTF-8, header row, CRLF as RFC 4180 says) or xlsx file."""
    if fmt == "xlsx":
        return _xlsx(rows)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=checkins.COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({name: _safe_cell(name, value) for name, value in row.items()} for row in rows)
    return out.getvalue().encode("utf-8")


def _safe_cell(name: str, value: str) -> str:
    """A cell as the CSV holds it: plan text a spreadsheet would run as a formula is kept as text ('=…)."""
    if name not in NUMBER_COLUMNS and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    try:
        from openpyxl import Workbook
    except ImportError:
        raise CheckInError("xlsx needs the openpyxl library, which is not installed: pip install "
                           "'sales-alignment-handbook[xlsx]' (or use --format csv)") from None
    book = Workbook()
    sheet = book.active
    sheet.title = "Check-in"
    sheet.append(list(checkins.COLUMNS))
    for row in rows:
        sheet.append([float(value) if name in NUMBER_COLUMNS and value else value for name, value in row.items()])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl makes a text starting with '=' a formula; plan text is never one
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_table(plan: Plan, audience: Audience, out: str, fmt: str, *, force: bool) -> str:
    """Write the numbers of the plan as `audience` may see them to `out` ('-': standard output); where it went.

    An existing file is replaced only with `force`: the user may have edited it since the last export.
    """
    data = table_bytes(checkins.rows(for_audience(plan, audience)), fmt)
    if out == "-":
        if fmt == "xlsx" and sys.stdout.isatty():
            raise CheckInError("an xlsx file is not for a terminal: give a file name, like numbers.xlsx")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return "standard output"
    path = Path(out)
    if path.is_dir():
        raise CheckInError(f"{out} is a folder: give the name of the {fmt} file to write, like {out}/numbers.{fmt}")
    if path.exists() and not force:
        raise CheckInError(f"{out} already exists and was not replaced: give another name, or --force to replace it")
    if fmt == "csv":  # a file opened with a double click: the mark tells Excel it is UTF-8 ('Ørjan', not 'Ã˜rjan')
        data = codecs.BOM_UTF8 + data
    _write_atomically(path, data)
    return display_path(path)


@dataclass(frozen=True)
class Updated:
    """What `update` did (or, in a dry run, would do)."""

    rows: int
    values: int
    files: dict[str, tuple[str, str]]
    """Per changed plan file (as shown to the user): its text before and after."""
    as_of: str

    def diff(self) -> str:
        """The change as a unified diff, file by file."""
        return "".join("".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                                    f"a/{name}", f"b/{name}"))
                       for name, (before, after) in self.files.items())


def update(plan_dir: Path, table: Path, as_of: str, *, dry_run: bool) -> Updated:
    """Write the values of the CSV `table` and `as_of` into the plan at `plan_dir`, or raise `PlanError`
    listing every problem (nothing is written then). With `dry_run` nothing is written at all."""
    plan = load_plan(plan_dir)
    shown = display_path(table)
    try:
        raw = table.read_bytes()
    except OSError as error:
        raise CheckInError(f"cannot read {shown}: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise PlanError([Diagnostic(shown, line, 1, f"{shown} is not UTF-8 text (byte 0x{raw[error.start]:02x})",
                                    hint="save it as 'CSV UTF-8' from the spreadsheet")]) from None
    found = checkins.read(text, shown, plan)
    problems = list(found.problems)
    day = checkins.date_text(as_of)
    if day is None:
        problems.append(Diagnostic("--as-of", 0, 0, f"{as_of!r} is not a date",
                                   hint="give the day the values were measured as YYYY-MM-DD, like 2026-12-15"))
    if problems or day is None:
        raise PlanError(problems)
    by_file: dict[str, list[tuple[Edit, checkins.Change | None]]] = {}
    for change in found.changes:
        by_file.setdefault(change.file, []).append((Edit.check_in(change.path, change.key, change.value), change))
    current_as_of = plan.organization.as_of.isoformat() if plan.organization.as_of else None
    if day != current_as_of:
        by_file.setdefault(ORGANIZATION_FILE, []).append((Edit((), "as_of", day, ("period",)), None))
    files: dict[str, tuple[str, str]] = {}
    refused: list[Diagnostic] = []
    for name, edits in by_file.items():
        before = (plan_dir / name).read_bytes().decode("utf-8")
        edited = apply(before, [edit for edit, _ in edits])
        for refusal in edited.refused:
            change = next(change for edit, change in edits if edit is refusal.edit)
            where = f"{plan.display(name)}:{refusal.line}:{refusal.column}"
            refused.append(Diagnostic(shown, change.row, change.column, f"{refusal.message} at {where}",
                                      hint=refusal.hint) if change is not None else
                           Diagnostic(plan.display(name), refusal.line, refusal.column, refusal.message,
                                      hint=refusal.hint))
        files[name] = (before, edited.text)
    if refused:
        raise PlanError(refused)
    _check_loads(plan_dir, files, found.changes, day)
    if not dry_run:
        for name, (_, after) in files.items():
            _write_atomically(plan_dir / name, after.encode("utf-8"))
    values = len(found.changes)
    return Updated(found.rows, values, {plan.display(name): texts for name, texts in files.items()}, day)


def _check_loads(plan_dir: Path, files: dict[str, tuple[str, str]], changes: Iterable[checkins.Change],
                 as_of: str) -> None:
    """Load the edited plan from a temporary copy; raise `PlanError` if it no longer loads or does not hold
    exactly the values written."""
    with tempfile.TemporaryDirectory(prefix="handbook-update-") as scratch:
        copy = Path(scratch) / "plan"
        shutil.copytree(plan_dir, copy, symlinks=True)
        for name, (_, after) in files.items():
            (copy / name).write_bytes(after.encode("utf-8"))
        try:
            edited = load_plan(copy, shown_as=display_path(plan_dir))
        except PlanError as error:
            raise PlanError([*error.diagnostics, Diagnostic(
                display_path(plan_dir), 1, 1, "the plan would no longer load after this update, so nothing was written",
                hint="this is a bug in 'handbook update' if the plan loaded before: report it with the CSV")]) from None
    numbers = {(number.file, number.path): number.measure for number in checkins.numbers(edited)}
    for change in changes:
        value = getattr(numbers[(change.file, change.path)], change.key)
        written = checkins.as_written(numbers[(change.file, change.path)], change.key)
        if written != change.value:  # pragma: no cover - a safety net: the edit would have changed something else
            raise CheckInError(f"writing {change.key} of row {change.row} would give {value!r}: nothing was written; "
                               "this is a bug in 'handbook update', please report it with the CSV")
    if edited.organization.as_of is None or edited.organization.as_of.isoformat() != as_of:  # pragma: no cover
        raise CheckInError("writing as_of did not give the date asked for: nothing was written; please report it")


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step (a temporary file beside it, renamed), keeping its permissions."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask, which a new file's permissions follow (reading it means setting it: set it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
