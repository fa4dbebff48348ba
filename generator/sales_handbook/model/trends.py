"""Values over time: how each goal's, individual goal's and key metric's `current` moved, one point per day.

A *reading* is what one plan said on its `as_of` day: for each number, its
`current`, `confidence` and `note`. Readings come from several sources
(`publish/trendsources.py` reads them): the series a published site carried
(`history.json`), the published plans (`plan.json` of each version), the
commits of the plan folder, and the plan being built. `series` merges them.

The merge rule:

- One point per `as_of` day. For one day, a later source wins: the series of
  `history.json`, then each published plan, then the commits oldest first, then
  the plan being built (the published site was built from a commit; the commit
  is the finer record; the plan being built is what its owner says now).
- Ids follow renames: a point recorded under an id that a live item lists under
  `formerly:` (a goal, or the objective of a key metric) belongs to that item.
  Points of items the plan no longer has are dropped.
- An item that a reading gives no `current`, `confidence` or `note` gets no
  point from it; a reading without `as_of` gives no points (its day is unknown).
- The plan being built gives its own point on its `as_of` day (else the last day
  of its period, the day its status is judged on), and it is the last point:
  points of later days are dropped.

Pure functions of plain data: the figures and the data file are drawn from the
result (`Trends`) wherever the plan goes, a forked worker included.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sales_handbook.model import status
from sales_handbook.model.snapshot import versioned_json
from sales_handbook.plan import lineage
from sales_handbook.plan.plan import Plan
from sales_handbook.plan.schema import KeyMetric, Measure

SCHEMA_VERSION = 1

Key = tuple[str, ...]
"""('goal', goal_id) for a goal or individual goal, ('metric', objective_id, metric_id) for a key metric."""

Value = tuple[float | None, str | None, str | None]
"""A number's check-in on one day: current, confidence, note."""


class TrendsError(Exception):
    """A history.json that cannot be read: not JSON, not a history, or from a newer handbook."""


class Point(NamedTuple):
    """One number on one day, with its owner's check-in then (a tuple: a large plan has 200,000 of them)."""

    as_of: dt.date
    current: float | None
    confidence: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Reading:
    """What one plan said on its `as_of` day: each number's value, by key."""

    as_of: dt.date
    values: Mapping[Key, Value]


Trends = Mapping[Key, tuple[Point, ...]]
"""Each number's points, oldest first; only numbers with at least one point."""


def goal_key(goal_id: str) -> Key:
    """The key of a goal or an individual goal (they share one id namespace)."""
    return ("goal", goal_id)


def metric_key(objective_id: str, metric_id: str) -> Key:
    """The key of a key metric: metric ids are unique only within their objective."""
    return ("metric", objective_id, metric_id)


def value_of(item: Measure | KeyMetric) -> Value | None:
    """A number's check-in, or None when it gives nothing to show."""
    confidence = item.confidence.value if item.confidence is not None else None
    if item.current is None and confidence is None and item.note is None:
        return None
    return (item.current, confidence, item.note)


def _values(plan: Plan) -> Iterator[tuple[Key, Value | None]]:
    for objective in plan.objectives:
        for metric in objective.key_metrics:
            yield metric_key(objective.id, metric.id), value_of(metric)
    for _, goal in plan.goals():
        yield goal_key(goal.id), value_of(goal)
    for _, _, individual in plan.individual_goals():
        yield goal_key(individual.id), value_of(individual)


def reading(plan: Plan, as_of: dt.date | None = None) -> Reading | None:
    """What `plan` says on its `as_of` day (or `as_of`, if given); None when it names no day."""
    day = as_of or plan.organization.as_of
    if day is None:
        return None
    return Reading(day, {key: value for key, value in _values(plan) if value is not None})


def series(plan: Plan, readings: Iterable[Reading], earlier: Mapping[Key, Sequence[Point]] | None = None) -> Trends:
    """Every number of `plan` with its points, by the merge rule of the module notes.

    `earlier` is the series a published site carried (`loads`), `readings` the other sources oldest
    source first; the plan's own reading is added last.
    """
    renames = lineage.of(plan).renames
    goal_renames, objective_renames = renames["goal"], renames["objective"]
    wanted = {key for key, _ in _values(plan)}
    resolved: dict[Key, Key | None] = {}

    def resolve(key: Key) -> Key | None:
        if key in resolved:
            return resolved[key]
        if key[0] == "goal":
            live: Key = ("goal", goal_renames.get(key[1], key[1]))
        else:
            live = ("metric", objective_renames.get(key[1], key[1]), *key[2:])
        resolved[key] = result = live if live in wanted else None
        return result

    days: dict[Key, dict[dt.date, Point]] = {}
    for key, points in (earlier or {}).items():
        live = resolve(key)
        if live is not None:
            kept = days.setdefault(live, {})
            for point in points:
                kept[point.as_of] = point
    own = reading(plan, status.as_of(plan))
    assert own is not None
    for found in (*readings, own):
        day = found.as_of
        for key, (current, confidence, note) in found.values.items():
            live = resolve(key)
            if live is not None:
                days.setdefault(live, {})[day] = Point(day, current, confidence, note)
    last = own.as_of
    return {key: tuple(sorted((p for p in points.values() if p.as_of <= last), key=lambda p: p.as_of))
            for key, points in days.items() if any(p.as_of <= last for p in points.values())}


def dumps(trends: Trends) -> bytes:
    """The data file `history.json`: every number's points, keys sorted, one number per line.

    Format (`schema_version` 1)::

        {"schema_version": 1,
         "goals": {"<goal id>": [{"as_of": "2026-03-31", "current": 120.0,
                                  "confidence": "high", "note": "..."}, ...], ...},
         "metrics": {"<objective id>": {"<metric id>": [...], ...}, ...}}

    Points are oldest first; `confidence` and `note` only when given, `current` null when not.
    Readers ignore fields they do not know (see `model/snapshot.py` for the versioning rule).
    """
    goals = sorted((key[1], points) for key, points in trends.items() if key[0] == "goal")
    metrics: dict[str, list[tuple[str, tuple[Point, ...]]]] = {}
    for key, points in sorted(trends.items()):
        if key[0] == "metric":
            metrics.setdefault(key[1], []).append((key[2], points))

    def encoded(points: Sequence[Point]) -> str:
        return json.dumps([_point_data(p) for p in points], ensure_ascii=False, sort_keys=True)

    goal_lines = ",\n".join(f"{json.dumps(goal_id)}: {encoded(points)}" for goal_id, points in goals)
    metric_lines = ",\n".join(
        f"{json.dumps(objective_id)}: {{" + ", ".join(f"{json.dumps(metric_id)}: {encoded(points)}"
                                                       for metric_id, points in items) + "}"
        for objective_id, items in sorted(metrics.items()))
    return (f'{{\n"goals": {{\n{goal_lines}\n}},\n"metrics": {{\n{metric_lines}\n}},\n'
            f'"schema_version": {SCHEMA_VERSION}\n}}\n').encode("utf-8")


def _point_data(point: Point) -> dict[str, Any]:
    data: dict[str, Any] = {"as_of": point.as_of.isoformat(), "current": point.current}
    if point.confidence is not None:
        data["confidence"] = point.confidence
    if point.note is not None:
        data["note"] = point.note
    return data


def loads(raw: bytes, source: str) -> dict[Key, tuple[Point, ...]]:
    """Read a history.json back; `source` names it in errors. Fields it does not know are skipped."""
    data = versioned_json(raw, source, "history.json", SCHEMA_VERSION, TrendsError)
    try:
        found: dict[Key, tuple[Point, ...]] = {}
        for goal_id, points in data.get("goals", {}).items():
            found[goal_key(str(goal_id))] = tuple(_point(p) for p in points)
        for objective_id, metrics in data.get("metrics", {}).items():
            for metric_id, points in metrics.items():
                found[metric_key(str(objective_id), str(metric_id))] = tuple(_point(p) for p in points)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise TrendsError(f"{source}: history.json does not hold a valid history: {error!r}") from None
    return found


def _point(data: Mapping[str, Any]) -> Point:
    current = data.get("current")
    confidence, note = data.get("confidence"), data.get("note")
    return Point(dt.date.fromisoformat(data["as_of"]), None if current is None else float(current),
                 None if confidence is None else str(confidence), None if note is None else str(note))
