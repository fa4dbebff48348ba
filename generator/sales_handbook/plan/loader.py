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
import os
import posixpath
import re
from collections import OrderedDict
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sales_handbook.plan import references
from sales_handbook.rules import health
from sales_handbook.speed import forked
from sales_handbook.plan.diagnostics import Diagnostic, PlanError, did_you_mean, field_path
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


def load_plan(plan_dir: Path | str) -> Plan:
    """Read, validate and cross-check a plan folder; raise `PlanError` listing every problem."""
    root = Path(plan_dir)
    problems: list[Diagnostic] = []
    if not root.is_dir():
        raise PlanError([Diagnostic(str(root), 1, 1, "plan folder not found",
                                    hint="pass --plan DIR with the folder that holds organization.yaml")])
    problems += _stray_files(root)

    sources: dict[str, SourceMap] = {}
    shown_as = functools.cache(display_path)  # asked twice per file; relpath reads the working folder each time

    def cached(name: str, model: type[BaseModel], wrapper: type[BaseModel] | None,
               raw: bytes) -> tuple[bytes, SourceMap, BaseModel] | None:
        """Digest, positions and model of the file when it last read cleanly with these bytes, else None."""
        remembered = _clean_reads.get((shown_as(root / name), model, wrapper))
        return remembered if remembered is not None and remembered[0] == _digest(raw) else None

    def check(name: str, model: type[BaseModel], wrapper: type[BaseModel] | None = None, *, raw: bytes | None = None,
              fast: FastRead | None = None, **fields: str) -> Any:
        """The file's model, or `wrapper(**fields, **model)`; None if the file has problems (added to them).

        `raw` and `fast` as for `read_yaml`, when the caller has read the file already.
        """
        path = root / name
        display = shown_as(path)
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

    checked: dict[str, BaseModel | None] = {}
    for name, model in ((ORGANIZATION, Organization), (OBJECTIVES, ObjectivesFile), (BENEFITS, BenefitsFile),
                        (RETIRED, RetiredFile)):
        path = root / name
        if path.is_file():
            checked[name] = check(name, model)
        elif name not in OPTIONAL_FILES:
            problems.append(Diagnostic(display_path(path), 1, 1, f"required file {name} is missing",
                                       hint=f"create {display_path(path)}; docs/plan-format.md shows an example"))
    teams: list[Team] = []
    team_paths = _yaml_files(root / TEAMS)
    raws = [path.read_bytes() for path in team_paths]
    wrappers = [Team if re.fullmatch(ID_PATTERN, path.stem) else None for path in team_paths]
    unread = [i for i, path in enumerate(team_paths) if not cached(team_file(path.stem), TeamFile, wrappers[i], raws[i])]
    unread_now = set(unread)
    # In the order of `unread`, as they are parsed: this process checks the first ones while workers parse the rest.
    with contextlib.closing(forked.split_map(fast_read, [raws[i] for i in unread], PARALLEL_FILES)) as fast_reads:
        for i, path in enumerate(team_paths):
            _file_id_ok(path, "team", problems)
            fast = next(fast_reads) if i in unread_now else None
            team = check(team_file(path.stem), TeamFile, wrappers[i], raw=raws[i], fast=fast, id=path.stem)
            if isinstance(team, Team):
                teams.append(team)
    if not team_paths:
        problems.append(Diagnostic(display_path(root / TEAMS), 1, 1, "the plan has no teams",
                                   hint="add one file per team: teams/<team-id>.yaml"))
    reviews: list[Review] = []
    for path in _yaml_files(root / REVIEWS):
        period_ok = _period_ok(path, problems)
        review = check(review_file(path.stem), ReviewFile, *((Review,) if period_ok else ()), period=path.stem)
        if isinstance(review, Review):
            reviews.append(review)

    organization = checked.get(ORGANIZATION)
    objectives = checked.get(OBJECTIVES)
    benefits = checked.get(BENEFITS)
    retired = checked.get(RETIRED)
    incomplete: set[str] = set()
    if not isinstance(objectives, ObjectivesFile):
        incomplete.add("objective")
    if len(teams) < len(team_paths) or any((root / TEAMS).glob("*.yml")):
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
    problems += references.check(plan, incomplete=frozenset(incomplete))
    problems += health.settings_problems(plan)
    if problems or plan.organization is _STAND_IN_ORGANIZATION:
        raise PlanError(problems)
    return plan


def _digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=20).digest()


PARALLEL_FILES = 200
"""From this many team files to parse, forked workers parse a share each: 0.6 s of YAML at 1,000 teams."""

_clean_reads: OrderedDict[tuple[str, type[BaseModel], type[BaseModel] | None],
                          tuple[bytes, SourceMap, BaseModel]] = OrderedDict()
"""Files that read cleanly, by name: digest of their bytes, positions, and what they became.

`handbook serve` loads the whole plan again on every edit; an unchanged file
is not parsed again and comes back as the same object, which also lets the
incremental renderer see at once that it did not change.
"""
_CLEAN_READS_KEPT = 20_000

_STAND_IN_ORGANIZATION = Organization.model_construct(name="", mission="", vision="", period="", values=())
"""Lets cross-file checks run when organization.yaml is broken; such a plan is never returned."""


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.suffix == ".yaml" and p.is_file()), key=lambda p: p.name)


def _stray_files(root: Path) -> list[Diagnostic]:
    """Files a plan author probably meant as plan files but misnamed (`.yml`, `objective.yaml`)."""
    found: list[Diagnostic] = []
    for path in sorted(root.rglob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        if rel in KNOWN_FILES or (path.parent.name in (TEAMS, REVIEWS) and path.parent.parent == root
                                  and path.suffix == ".yaml"):
            continue
        hint = _did_you_mean_file(rel, _plan_files_like(path.relative_to(root)))
        found.append(Diagnostic(display_path(path), 1, 1, "this file is not part of the plan format, so it is ignored",
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


def _file_id_ok(path: Path, kind: str, problems: list[Diagnostic]) -> bool:
    if re.fullmatch(ID_PATTERN, path.stem):
        return True
    problems.append(Diagnostic(display_path(path), 1, 1,
                               f"malformed {kind} id {path.stem!r} (the file name is the {kind}'s id)",
                               hint="rename the file: lowercase letters and digits joined by hyphens, "
                                    "like teams/enterprise-sales-emea.yaml"))
    return False


def _period_ok(path: Path, problems: list[Diagnostic]) -> bool:
    if re.fullmatch(PERIOD_PATTERN, path.stem):
        return True
    problems.append(Diagnostic(display_path(path), 1, 1,
                               f"malformed review period {path.stem!r} (the file name is the review's quarter)",
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
    return f"the text {str(value)!r}"


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
        return f"unknown field '{name}'", hint, True
    if kind == "enum":
        choices = [m.value for m in _enum_at(model, loc) or []]
        hint = did_you_mean(str(value), choices) or ""
        owner = _model_at(model, loc[:-1])
        what = name.replace("_", " ") if owner is not None and name in owner.model_fields else f"value for '{name}'"
        return (f"{str(value)!r} is not a valid {what}",
                (hint + " " if hint else "") + f"choose one of: {', '.join(choices)}", False)
    if kind in ("float_parsing", "float_type", "int_parsing", "finite_number"):
        return f"expected a number, found {_kind(value)}", "write a plain number like 1250000 or 12.5 (no units)", False
    if kind.startswith("date") or kind.startswith("datetime"):
        reason = error.get("ctx", {}).get("error", "")
        return (f"invalid date {str(value)!r}" + (f": {reason}" if reason else ""),
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
        return str(error["msg"]).removeprefix("Value error, "), "", False
    return str(error["msg"]), "", False


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
