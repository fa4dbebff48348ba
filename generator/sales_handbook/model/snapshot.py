"""`plan.json`: the validated plan as data, in every built site, and read back for comparison.

Dashboards read it instead of parsing YAML, and the next quarter's build reads
the published one to know which ids were published (so none disappears
unnoticed) and what changed. The bytes depend only on the plan: keys sorted,
lists in plan order, no timestamp unless SOURCE_DATE_EPOCH asks for one.

Write the plan as its readers may see it (a public build writes the public
plan): the snapshot holds whatever `Plan` it is given.

Format (`schema_version` 1)::

    {"schema_version": 1,
     "published": {"version": "2026-Q4", "title": "Q4 2026"},   # only when published as a version
     "built_at": "2026-10-06T08:00:00Z",                         # only with SOURCE_DATE_EPOCH
     "organization": {...}, "objectives": [...], "teams": [...],
     "benefits": [...], "reviews": [...], "retired": [...]}

Keys are sorted; each top-level field starts a line, and each item of a list
(a team, an objective, a review...) is a line of its own, so two published
snapshots diff line by line.

Each part is the plan file's fields as the README documents them; a team
also has its `id` and a review its `period`.

Versions: readers ignore fields they do not know, so a newer handbook may add
optional fields (a goal's `confidence`, say) without changing `schema_version`,
and older handbooks keep reading what it publishes. `schema_version` goes up
only when an older reader would misread the data: a field removed, renamed, or
given another type or meaning. A reader that finds a `schema_version` it does
not know stops instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from sales_handbook.plan.diagnostics import field_path
from sales_handbook.plan.plan import Plan
from sales_handbook.plan.schema import Benefit, Objective, Organization, Retirement, Review, Team

SCHEMA_VERSION = 1


class SnapshotError(Exception):
    """A plan.json that cannot be read: not JSON, not a plan, or from a newer handbook."""


@dataclass(frozen=True)
class Snapshot:
    """A plan read back from plan.json, with the version it was published as, if any."""

    plan: Plan
    version: str | None = None
    title: str | None = None

    @property
    def label(self) -> str:
        """How messages and pages name this snapshot: its version, else the plan's quarter."""
        return self.version or self.plan.organization.period


def dumps(plan: Plan, *, version: str | None = None, title: str | None = None, built_at: str | None = None,
          lines: Lines | None = None) -> bytes:
    """The snapshot of `plan` as UTF-8 JSON bytes: the same plan and arguments give the same bytes.

    Sorted keys, one top-level field per line and one item of each list per
    line, so published snapshots diff and grep well. Each line is encoded by
    json's C encoder (`indent` would turn it off). With `lines` (kept by `handbook
    serve` from one rebuild to the next), an item that is the same object as in
    the last snapshot is not encoded again: an edit changes one team, not all.
    """
    memo = lines or Lines()
    previous, memo.kept = memo.kept, {}

    def line(model: BaseModel) -> str:
        known = previous.get(id(model))
        text = known[1] if known is not None and known[0] is model else _encode(_data(model))
        memo.kept[id(model)] = (model, text)
        return text

    fields: dict[str, str] = {
        "schema_version": _encode(SCHEMA_VERSION),
        "organization": line(plan.organization),
        **{name: "[\n" + ",\n".join(line(item) for item in items) + "\n]" if items else "[]"
           for name, items in (("objectives", plan.objectives), ("teams", plan.teams), ("benefits", plan.benefits),
                               ("reviews", plan.reviews), ("retired", plan.retired))},
    }
    if version is not None:
        fields["published"] = _encode({"version": version, "title": title or version})
    if built_at is not None:
        fields["built_at"] = _encode(built_at)
    body = ",\n".join(f"{_encode(key)}: {fields[key]}" for key in sorted(fields))
    return ("{\n" + body + "\n}\n").encode("utf-8")


class Lines:
    """The encoded line of each item of the last snapshot, by identity (the item is kept, so its id stays its own)."""

    def __init__(self) -> None:
        self.kept: dict[int, tuple[BaseModel, str]] = {}


def _encode(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def loads(raw: bytes, source: str) -> Snapshot:
    """Read a snapshot back; `source` names it in errors (a path, or `branch:path`)."""
    data = versioned_json(raw, source, "plan.json", SCHEMA_VERSION, SnapshotError)
    try:
        plan = Plan(
            organization=Organization.model_validate(known_fields(data["organization"], Organization)),
            objectives=tuple(Objective.model_validate(known_fields(o, Objective)) for o in data["objectives"]),
            teams=tuple(Team.model_validate(known_fields(t, Team)) for t in data["teams"]),
            benefits=tuple(Benefit.model_validate(known_fields(b, Benefit)) for b in data["benefits"]),
            reviews=tuple(Review.model_validate(known_fields(r, Review)) for r in data["reviews"]),
            retired=tuple(Retirement.model_validate(known_fields(r, Retirement)) for r in data.get("retired", [])),
        )
    except ValidationError as error:  # its own words quote whole values: name the fields instead
        fields = "; ".join(f"{field_path(e['loc']) or 'top'}: {e['msg']}"
                           for e in error.errors(include_url=False, include_input=False)[:3])
        raise SnapshotError(f"{source}: plan.json does not hold a valid plan: {fields}") from None
    except (KeyError, TypeError) as error:
        raise SnapshotError(f"{source}: plan.json does not hold a valid plan: {error}") from None
    published = data.get("published") or {}
    return Snapshot(plan, published.get("version"), published.get("title"))


def versioned_json(raw: bytes, source: str, name: str, version: int, error: type[Exception]) -> dict[str, Any]:
    """The JSON object of a data file the handbook publishes (`plan.json`, `history.json`), if it holds
    `version` of its format; else `error`, saying what is wrong and, for a newer format, to upgrade."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise error(f"{source}: not a {name} written by the handbook ({problem})") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise error(f"{source}: not a {name} written by the handbook (no schema_version)")
    found = data["schema_version"]
    if found != version:
        newer = isinstance(found, int) and found > version
        raise error(f"{source}: {name} schema_version {found!r} is not {version}"
                    + ("; it was written by a newer handbook: upgrade sales-alignment-handbook" if newer else ""))
    return data


def known_fields(data: Any, model: type[BaseModel]) -> Any:
    """`data` without the fields `model` (and the models inside it) does not know: those a newer handbook added.

    The plan files forbid unknown fields, to catch typos; a published plan.json is read by
    handbooks of other versions, and an older one must read what a newer one wrote.
    """
    if not isinstance(data, dict):
        return data
    kept = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in data:
            inner = _models_in(field.annotation)
            value = data[key]
            if inner is not None and isinstance(value, list):
                value = [known_fields(item, inner) for item in value]
            elif inner is not None and isinstance(value, dict):
                value = known_fields(value, inner)
            kept[key] = value
    return kept


def _models_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (alone, in a list or tuple, or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _models_in(argument)
        if found is not None:
            return found
    return None


def built_at(environ: Mapping[str, str]) -> str | None:
    """The build time SOURCE_DATE_EPOCH names (reproducible builds), else None: no clock in the bytes."""
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _data(model: BaseModel) -> Any:
    return model.model_dump(mode="json", by_alias=True)
