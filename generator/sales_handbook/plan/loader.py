"""Load a plan folder into a validated `Plan`, or report every problem in it.

The loader is the only place that reads plan files. It reads each file with
positions (`yamlfile`), checks it against its schema model, turns schema
errors into compiler-style diagnostics, then checks references across files
(`references`). One run reports every problem it can find.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import posixpath
import re
import types
import typing
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sales_handbook.plan import references
from sales_handbook.plan.diagnostics import Diagnostic, PlanError, did_you_mean, excerpt, field_path
from sales_handbook.plan.plan import (
    BENEFITS_FILE as BENEFITS,
    OBJECTIVES_FILE as OBJECTIVES,
    ORGANIZATION_FILE as ORGANIZATION,
    RETIRED_FILE as RETIRED,
    REVIEWS_DIR as REVIEWS,
    TEAMS_DIR as TEAMS,
    Plan,
    review_file,
    team_file,
)
from sales_handbook.plan.schema import (
    ID_PATTERN,
    PERIOD_PATTERN,
    BenefitsFile,
    ObjectivesFile,
    Organization,
    RetiredFile,
    Review,
    ReviewFile,
    Team,
    TeamFile,
    id_problem,
    period_problem,
)
from sales_handbook.plan.yamlfile import FastRead, ParsedFile, PlainPath, SourceMap, fast_read, read_yaml

KNOWN_FILES = (ORGANIZATION, OBJECTIVES, BENEFITS, RETIRED)
OPTIONAL_FILES = (BENEFITS, RETIRED)


def display_path(path: Path) -> str:
    """How a plan file is named in messages: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


ParseMany = Callable[[Callable[[bytes], FastRead], Sequence[bytes]], Generator[FastRead, None, None]]
"""How the team files' bytes are parsed: one after another here, or on every core (`speed.parallel`)."""

PlanCheck = Callable[[Plan], list[Diagnostic]]
"""A further check of a loaded plan, whose problems are reported with the others (the rule settings)."""


class Reader:
    """Loads plans, keeping what read cleanly: whoever loads a plan again and again (`handbook serve`) keeps
    one, so an unchanged file is not parsed again and comes back as the same object, which also lets the
    incremental renderer see at once that it did not change."""

    def __init__(self, parse_many: ParseMany | None = None, checks: Sequence[PlanCheck] = ()) -> None:
        self.parse_many = parse_many or _one_by_one
        self.checks = tuple(checks)
        self.clean_reads: OrderedDict[tuple[str, type[BaseModel], type[BaseModel] | None],
                                      tuple[bytes, SourceMap, BaseModel]] = OrderedDict()
        self.references = references.Memo()

    def load(self, plan_dir: Path | str) -> Plan:
        """Read, validate and cross-check a plan folder; raise `PlanError` listing every problem."""
        return load_plan(plan_dir, self)


def _one_by_one(parse: Callable[[bytes], FastRead], raws: Sequence[bytes]) -> Iterator[FastRead]:
    yield from map(parse, raws)


def load_plan(plan_dir: Path | str, reader: Reader | None = None, *, shown_as: str | None = None) -> Plan:
    """Read, validate and cross-check a plan folder; raise `PlanError` listing every problem.

    With a `reader`, what it kept from earlier loads is reused, and its further checks run.
    Messages name its files relative to the working folder, or under `shown_as` when given: how
    the user named a plan that is read from a temporary copy (`HEAD~1:plan/teams/x.yaml`).
    """
    reader = reader or Reader()
    _clean_reads = reader.clean_reads
    root = Path(plan_dir)
    named = display_path if shown_as is None else (lambda path: f"{shown_as}/{path.relative_to(root).as_posix()}")
    show = functools.cache(named)  # asked twice per file; relpath reads the working folder each time
    problems: list[Diagnostic] = []
    if not root.is_dir():
        raise PlanError([Diagnostic(str(root), 1, 1, "plan folder not found",
                                    hint="pass --plan DIR with the folder that holds organization.yaml")])
    problems += _stray_files(root, show)

    sources: dict[str, SourceMap] = {}
    inside = root.resolve()

    def readable(path: Path) -> bool:
        """Whether `path` is the plan's own file; a link to outside the plan folder is reported, and never read."""
        if path.resolve().is_relative_to(inside):
            return True
        problems.append(Diagnostic(show(path), 1, 1, "this file is a link to a file outside the plan folder, "
                                   "so it is not read", hint="copy the file into the plan folder instead of linking "
                                   "to it: a plan reads only its own files"))
        return False

    def cached(name: str, model: type[BaseModel], wrapper: type[BaseModel] | None,
               raw: bytes) -> tuple[bytes, SourceMap, BaseModel] | None:
        """Digest, positions and model of the file when it last read cleanly with these bytes, else None."""
        remembered = _clean_reads.get((show(root / name), model, wrapper))
        return remembered if remembered is not None and remembered[0] == _digest(raw) else None

    def check(name: str, model: type[BaseModel], wrapper: type[BaseModel] | None = None, *, raw: bytes | None = None,
              fast: FastRead | None = None, **fields: str) -> Any:
        """The file's model, or `wrapper(**fields, **model)`; None if the file has problems (added to them).

        `raw` and `fast` as for `read_yaml`, when the caller has read the file already.
        """
        path = root / name
        display = show(path)
        raw = path.read_bytes() if raw is None else raw
        remembered = cached(name, model, wrapper, raw)
        if remembered is not None:
            sources[name] = remembered[1]
            return remembered[2]
        parsed = read_yaml(path, display, raw=raw, fast=fast)
        problems_before = len(problems)
        problems.extend(parsed.diagnostics)
        sources[name] = parsed.source
        result = _validate(parsed, model, problems)
        if result is not None and wrapper is not None:
            result = wrapper(**fields, **dict(result))
        if result is not None and len(problems) == problems_before:
            key = (display, model, wrapper)
            _clean_reads[key] = (_digest(raw), parsed.source, result)
            _clean_reads.move_to_end(key)
            while len(_clean_reads) > _CLEAN_READS_KEPT:
                _clean_reads.popitem(last=False)
        return result

    # What files that failed to load may define: every id-like word written in them. A reference to
    # an id written in none of them is reported as unknown in this same run; None: a failed file
    # could not be read at all (missing, or a link out), so references of its kinds are not judged.
    broken_words: set[str] | None = set()

    def failed(raw: bytes | None, *also: str) -> None:
        nonlocal broken_words
        if raw is None or broken_words is None:
            broken_words = None
        else:
            broken_words |= {*_ID_WORDS.findall(raw.decode("utf-8", errors="replace")), *(a.lower() for a in also)}

    checked: dict[str, BaseModel | None] = {}
    for name, model in ((ORGANIZATION, Organization), (OBJECTIVES, ObjectivesFile), (BENEFITS, BenefitsFile),
                        (RETIRED, RetiredFile)):
        path = root / name
        if path.is_file():
            ours = readable(path)
            checked[name] = check(name, model) if ours else None
            if checked[name] is None:
                failed(path.read_bytes() if ours else None)
        elif name not in OPTIONAL_FILES:
            failed(None)
            problems.append(Diagnostic(show(path), 1, 1, f"required file {name} is missing",
                                       hint=f"create {show(path)}; docs/plan-format.md shows an example"))
    teams: list[Team] = []
    team_files = _yaml_files(root / TEAMS)
    team_paths = [path for path in team_files if readable(path)]
    if len(team_paths) < len(team_files):
        failed(None)
    raws = [path.read_bytes() for path in team_paths]
    wrappers = [Team if id_problem(path.stem) is None else None for path in team_paths]
    unread = [i for i, path in enumerate(team_paths) if not cached(team_file(path.stem), TeamFile, wrappers[i], raws[i])]
    unread_now = set(unread)
    # In the order of `unread`, as they are parsed: this process checks the first ones while workers parse the rest.
    with contextlib.closing(reader.parse_many(fast_read, [raws[i] for i in unread])) as fast_reads:
        for i, path in enumerate(team_paths):
            _file_id_ok(path, "team", problems, show)
            fast = next(fast_reads) if i in unread_now else None
            team = check(team_file(path.stem), TeamFile, wrappers[i], raw=raws[i], fast=fast, id=path.stem)
            if isinstance(team, Team):
                teams.append(team)
            else:
                failed(raws[i], path.stem)
    if not team_files:
        problems.append(Diagnostic(show(root / TEAMS), 1, 1, "the plan has no teams",
                                   hint="add one file per team: teams/<team-id>.yaml"))
    reviews: list[Review] = []
    for path in _yaml_files(root / REVIEWS):
        if not readable(path):
            continue
        period_ok = _period_ok(path, problems, show)
        review = check(review_file(path.stem), ReviewFile, *((Review,) if period_ok else ()), period=path.stem)
        if isinstance(review, Review):
            reviews.append(review)
        else:
            failed(path.read_bytes())

    organization = checked.get(ORGANIZATION)
    objectives = checked.get(OBJECTIVES)
    benefits = checked.get(BENEFITS)
    retired = checked.get(RETIRED)
    incomplete: set[str] = set()
    if not isinstance(objectives, ObjectivesFile):
        incomplete.add("objective")
    misnamed = sorted((root / TEAMS).glob("*.yml"))
    for path in misnamed:
        failed(path.read_bytes() if path.is_file() and path.resolve().is_relative_to(inside) else None, path.stem)
    if len(teams) < len(team_files) or misnamed:
        incomplete |= {"team", "goal", "person"}
    if (root / RETIRED).is_file() and not isinstance(retired, RetiredFile):
        incomplete.add("retired")
    plan = Plan(
        organization=organization if isinstance(organization, Organization) else _STAND_IN_ORGANIZATION,
        objectives=objectives.objectives if isinstance(objectives, ObjectivesFile) else (),
        teams=tuple(sorted(teams, key=lambda t: t.id)),
        benefits=benefits.benefits if isinstance(benefits, BenefitsFile) else (),
        reviews=tuple(sorted(reviews, key=lambda r: r.period, reverse=True)),
        retired=retired.retired if isinstance(retired, RetiredFile) else (),
        sources=sources,
    )
    problems += references.check(plan, incomplete=frozenset(incomplete),
                                 maybe=None if broken_words is None else frozenset(broken_words),
                                 memo=reader.references)
    for check_plan in reader.checks:
        problems += check_plan(plan)
    if problems or plan.organization is _STAND_IN_ORGANIZATION:
        raise PlanError(problems)
    return plan


def _digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=20).digest()


_ID_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_CLEAN_READS_KEPT = 20_000

_STAND_IN_ORGANIZATION = Organization.model_construct(name="", mission="", vision="", period="", values=())
"""Lets cross-file checks run when organization.yaml is broken; such a plan is never returned."""


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.suffix == ".yaml" and p.is_file()), key=lambda p: p.name)


def _stray_files(root: Path, show: Callable[[Path], str]) -> list[Diagnostic]:
    """Files a plan author probably meant as plan files but misnamed (`.yml`, `objective.yaml`)."""
    found: list[Diagnostic] = []
    for path in sorted(root.rglob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        if rel in KNOWN_FILES or (path.parent.name in (TEAMS, REVIEWS) and path.parent.parent == root
                                  and path.suffix == ".yaml"):
            continue
        hint = _did_you_mean_file(rel, _plan_files_like(path.relative_to(root)))
        found.append(Diagnostic(show(path), 1, 1, "this file is not part of the plan format, so it is ignored",
                                hint=hint or "plan files are organization.yaml, objectives.yaml, benefits.yaml, "
                                             "retired.yaml, teams/<team-id>.yaml and reviews/<YYYY-QN>.yaml"))
    return found


def _did_you_mean_file(rel: str, candidates: list[str]) -> str:
    """'Did you mean' for a file, comparing names without '.yaml', which would make any two names look alike."""
    full = {posixpath.splitext(name)[0]: name for name in candidates}
    hint = did_you_mean(posixpath.splitext(rel)[0], full)
    for stem, name in full.items():
        hint = hint.replace(f"'{stem}'", f"'{name}'")
    return hint


def _plan_files_like(rel: Path) -> list[str]:
    """The plan files a stray file could have been meant as, judging by its folder and name."""
    folder, stem = rel.parent.as_posix(), rel.stem
    teams = [f"{TEAMS}/{stem}.yaml"] if re.fullmatch(ID_PATTERN, stem) else []
    reviews = [f"{REVIEWS}/{stem}.yaml"] if re.fullmatch(PERIOD_PATTERN, stem) else []
    if folder == ".":
        return list(KNOWN_FILES)
    if folder == TEAMS:
        return teams
    if folder == REVIEWS:
        return reviews
    return [*KNOWN_FILES, *teams, *reviews]


def _file_id_ok(path: Path, kind: str, problems: list[Diagnostic], show: Callable[[Path], str]) -> bool:
    if re.fullmatch(ID_PATTERN, path.stem):
        if id_problem(path.stem) is None:
            return True
        problems.append(Diagnostic(show(path), 1, 1, f"the file name is the {kind}'s id: {id_problem(path.stem)}",
                                   hint="rename the file"))
        return False
    problems.append(Diagnostic(show(path), 1, 1,
                               f"malformed {kind} id {excerpt(path.stem)} (the file name is the {kind}'s id)",
                               hint="rename the file: lowercase letters and digits joined by hyphens, "
                                    "like teams/enterprise-sales-emea.yaml"))
    return False


def _period_ok(path: Path, problems: list[Diagnostic], show: Callable[[Path], str]) -> bool:
    if re.fullmatch(PERIOD_PATTERN, path.stem):
        if period_problem(path.stem) is None:
            return True
        problems.append(Diagnostic(show(path), 1, 1,
                                   f"the file name is the review's quarter: {period_problem(path.stem)}",
                                   hint="rename the file"))
        return False
    problems.append(Diagnostic(show(path), 1, 1,
                               f"malformed review period {excerpt(path.stem)} (the file name is the review's quarter)",
                               hint="name review files by quarter, like reviews/2026-Q3.yaml"))
    return False


def _validate(parsed: ParsedFile, model: type[BaseModel], problems: list[Diagnostic]) -> BaseModel | None:
    if parsed.diagnostics and not isinstance(parsed.data, dict):
        return None
    if not isinstance(parsed.data, dict):
        line, column = parsed.source.position(()) if parsed.data is not None else (1, 1)
        problems.append(Diagnostic(parsed.source.file, line, column,
                                   f"expected a mapping of fields at the top of the file, found {_kind(parsed.data)}",
                                   hint=f"start the file with fields like: {', '.join(_field_names(model)[:3])}"))
        return None
    try:
        return model.model_validate(parsed.data)
    except ValidationError as exc:
        already = {d.field for d in parsed.diagnostics if d.field}
        problems.extend(d for d in _schema_diagnostics(exc, model, parsed.source)
                        if not any(_within(d.field, field) for field in already))
        return None


def _within(field: str, ancestor: str) -> bool:
    """Whether a field path is `ancestor` or below it (an error there was already reported)."""
    return field == ancestor or field.startswith((ancestor + ".", ancestor + "["))


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return f"the text {excerpt(value)}"


def _schema_diagnostics(exc: ValidationError, model: type[BaseModel], source: SourceMap) -> list[Diagnostic]:
    found = []
    for error in exc.errors(include_url=False):
        loc: PlainPath = tuple(error["loc"])
        kind = error["type"]
        message, hint, at_key = _explain(error, model, loc)
        path = loc[:-1] if kind == "missing" else loc
        line, column = source.position(path, key=at_key)
        found.append(Diagnostic(source.file, line, column, message, field_path(loc), hint))
    return found


def _explain(error: Any, model: type[BaseModel], loc: PlainPath) -> tuple[str, str, bool]:
    """Message, hint, and whether to point at the key rather than the value."""
    kind = error["type"]
    value = error.get("input")
    name = str(loc[-1]) if loc else ""
    if kind == "missing":
        owner = _model_at(model, loc[:-1])
        return (f"missing required field '{name}'",
                f"add '{name}:' here" + (f" ({owner.__name__} needs {', '.join(_required(owner))})" if owner else ""),
                False)
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = _field_names(owner) if owner else []
        hint = did_you_mean(name, allowed) or (f"fields allowed here: {', '.join(allowed)}" if allowed else "")
        return f"unknown field {excerpt(name)}", hint, True
    if kind == "enum":
        choices = [m.value for m in _enum_at(model, loc) or []]
        hint = did_you_mean(str(value), choices) or ""
        owner = _model_at(model, loc[:-1])
        what = name.replace("_", " ") if owner is not None and name in owner.model_fields else f"value for {excerpt(name)}"
        return (f"{excerpt(value)} is not a valid {what}",
                (hint + " " if hint else "") + f"choose one of: {', '.join(choices)}", False)
    if kind == "finite_number" and _is_huge(value):
        return (f"the number {excerpt(value)} is too large to compute with",
                "write a number between -1e308 and 1e308 (in a larger unit, if need be)", False)
    if kind in ("float_parsing", "float_type", "int_parsing", "finite_number"):
        return f"expected a number, found {_kind(value)}", "write a plain number like 1250000 or 12.5 (no units)", False
    if kind.startswith("date") or kind.startswith("datetime"):
        reason = error.get("ctx", {}).get("error", "")
        return (f"invalid date {excerpt(value)}" + (f": {reason}" if reason else ""),
                "write dates as YYYY-MM-DD, like 2026-12-31", False)
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, found {_kind(value)}", f"write '{name}:' followed by lines starting with '- '", False
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        owner = _model_at(model, loc)
        fields = f" ({owner.__name__} has {', '.join(_field_names(owner))})" if owner else ""
        return (f"expected a mapping of fields, found {_kind(value)}",
                f"write this entry's fields as 'name: value' lines{fields}", False)
    if kind in ("string_type",):
        return f"expected text, found {_kind(value)}", "write the text on the same line, quoted if it has a ':'", False
    if kind == "too_short":
        return f"'{name}' needs at least {error['ctx']['min_length']} item(s)", "add an item", False
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        hint = _id_suggestion(value) if message.startswith("malformed id") else ""
        return message, hint, False
    return str(error["msg"]), "", False


def _is_huge(value: Any) -> bool:
    """Whether a number's text is a number too large for a float ('1e400'), not NaN or infinity written out."""
    try:
        return math.isinf(float(value)) and not str(value).strip().lstrip("+-").lower().startswith("inf")
    except (TypeError, ValueError, OverflowError):
        return False


def _id_suggestion(value: Any) -> str:
    """'did you mean' for a malformed id: the same words as an id ('NPS' -> 'nps', 'EMEA new_logos' -> 'emea-new-logos')."""
    words = re.findall(r"[a-z0-9]+", str(value).lower())
    suggestion = "-".join(words)
    if not words or id_problem(suggestion) is not None:
        return ""
    return f"did you mean {suggestion!r}?"


def _unwrap(annotation: Any) -> list[Any]:
    """The classes an annotation can hold: Optional[X] -> [X], tuple[X, ...] -> [X]."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [a for arg in typing.get_args(annotation) for a in _unwrap(arg) if a is not type(None)]
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (tuple, list):
        return _unwrap(typing.get_args(annotation)[0])
    return [annotation]  # a dict stays whole: its keys are data, so _annotation_at maps a key to the value type


def _annotation_at(model: type[BaseModel], loc: PlainPath) -> list[Any]:
    current: list[Any] = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        following: list[Any] = []
        for cls in current:
            if isinstance(cls, type) and issubclass(cls, BaseModel):
                for field_name, info in cls.model_fields.items():
                    if part in (field_name, info.alias):
                        following += _unwrap(info.annotation)
            elif typing.get_origin(cls) is dict:
                following += _unwrap(typing.get_args(cls)[1])
        current = following
    return current


def _model_at(model: type[BaseModel], loc: PlainPath) -> type[BaseModel] | None:
    found = [c for c in _annotation_at(model, loc) if isinstance(c, type) and issubclass(c, BaseModel)]
    return found[0] if found else None


def _enum_at(model: type[BaseModel], loc: PlainPath) -> type[Enum] | None:
    found = [c for c in _annotation_at(model, loc) if isinstance(c, type) and issubclass(c, Enum)]
    return found[0] if found else None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _required(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items() if info.is_required()]
