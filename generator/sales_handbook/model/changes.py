"""What changed between two plans: goals, objectives and teams added, renamed, moved, retargeted, retired.

Pure: two `Plan`s go in, a `Changes` value comes out. Items are matched by id,
following the newer plan's records (`formerly:` for renames, `retired.yaml`
for items that left), so a renamed goal is one goal that was renamed, not one
retired and one added. `handbook diff`, the "What changed" page and the review
pages all show this value.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sales_handbook.plan import lineage
from sales_handbook.plan.lineage import Lineage
from sales_handbook.plan.plan import Kind, Plan
from sales_handbook.plan.schema import Goal, KeyMetric, Measure, Objective, Team

Value = str | float | None
T = TypeVar("T")


@dataclass(frozen=True)
class Ref:
    """An item as a change list names it: kind, id, title, and for a goal or person its team."""

    kind: Kind
    id: str
    title: str
    team: str | None = None
    team_name: str | None = None


@dataclass(frozen=True)
class FieldChange:
    """One field of an item, before and after; numbers stay numbers, with their unit."""

    field: str
    before: Value
    after: Value
    unit: str | None = None


@dataclass(frozen=True)
class Added:
    """An item the newer plan has and the older did not."""

    item: Ref


@dataclass(frozen=True)
class Retired:
    """An item of the older plan that left, with its `retired.yaml` record if there is one."""

    item: Ref
    recorded: bool
    when: str | None = None
    reason: str | None = None
    successor: Ref | None = None


@dataclass(frozen=True)
class Renamed:
    """An item that kept its place under a new id (`formerly:` lists the old one)."""

    before: str
    item: Ref


@dataclass(frozen=True)
class Moved:
    """A goal that now belongs to another team."""

    item: Ref
    before: Ref
    after: Ref


@dataclass(frozen=True)
class Edited:
    """An item some of whose fields changed."""

    item: Ref
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Realigned:
    """A goal that serves other objectives than before."""

    item: Ref
    added: tuple[Ref, ...]
    removed: tuple[Ref, ...]


@dataclass(frozen=True)
class GoalChanges:
    """Changes to team goals, by kind of change; one goal can appear under several."""

    added: tuple[Added, ...] = ()
    retired: tuple[Retired, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    moved: tuple[Moved, ...] = ()
    retargeted: tuple[Edited, ...] = ()
    """Baseline, target, unit or time frame changed."""
    realigned: tuple[Realigned, ...] = ()
    retitled: tuple[Edited, ...] = ()
    reassigned: tuple[Edited, ...] = ()


@dataclass(frozen=True)
class ObjectiveChanges:
    """Changes to organizational objectives."""

    added: tuple[Added, ...] = ()
    retired: tuple[Retired, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    changed: tuple[Edited, ...] = ()


@dataclass(frozen=True)
class TeamChanges:
    """Teams that were formed, renamed or dissolved."""

    added: tuple[Added, ...] = ()
    retired: tuple[Retired, ...] = ()
    renamed: tuple[Renamed, ...] = ()


@dataclass(frozen=True)
class PeopleChanges:
    """People who left the plan (a person who moved to another team has not)."""

    retired: tuple[Retired, ...] = ()


@dataclass(frozen=True)
class Changes:
    """Everything that changed from the plan labelled `old` to the plan labelled `new`."""

    old: str
    new: str
    goals: GoalChanges
    objectives: ObjectiveChanges
    teams: TeamChanges
    people: PeopleChanges = PeopleChanges()

    def is_empty(self) -> bool:
        """Whether the two plans have the same goals, objectives, teams and people, unchanged."""
        return not any(getattr(part, f.name) for part in (self.goals, self.objectives, self.teams, self.people)
                       for f in dataclasses.fields(part))


@dataclass(frozen=True)
class Comparisons:
    """What a site shows about change: since the previous published version, and for each review."""

    previous: str | None = None
    """The label of the previous published version; None if nothing was published before."""
    since_previous: Changes | None = None
    reviews: Mapping[str, Changes] = dataclasses.field(default_factory=dict)
    """Review period -> the changes computed for it (absent when its plans are not known)."""


C = TypeVar("C", GoalChanges, ObjectiveChanges, TeamChanges)


def compare(old: Plan, new: Plan, old_label: str, new_label: str) -> Changes:
    """The changes from `old` to `new`, read through the newer plan's renames and retirements."""
    now = lineage.of(new)
    left: dict[Kind, list[Retired]] = {kind: [] for kind in lineage.KINDS}
    for gone in lineage.departed(old, now):  # what the published-links check calls gone, too
        item = gone.item
        team = item.team if item.kind in ("goal", "person") else None  # where it was
        left[item.kind].append(_retired(now, new, Ref(item.kind, item.id, item.title, team,
                                                      old.team(team).name if team else None)))
    return Changes(old_label, new_label, _goals(old, new, now, left["goal"]),
                   _objectives(old, new, now, left["objective"]), _teams(old, new, now, left["team"]),
                   PeopleChanges(tuple(left["person"])))


def to_json(changes: Changes) -> str:
    """The changes as JSON for tools: sorted keys, empty lists kept, so the shape never varies."""
    return json.dumps(_plain(changes), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _follow(now: Lineage, kind: Kind, old_id: str) -> str | None:
    """The id an old id has in the newer plan, if the item is still there."""
    found = now.resolve(kind, old_id)
    return found.id if isinstance(found, lineage.Item) else None


def _goal_ref(team: Team, goal: Goal) -> Ref:
    return Ref("goal", goal.id, goal.title, team.id, team.name)


def _team_ref(team: Team) -> Ref:
    return Ref("team", team.id, team.name)


def _objective_ref(objective: Objective) -> Ref:
    return Ref("objective", objective.id, objective.title)


def _retired(now: Lineage, new: Plan, item: Ref) -> Retired:
    entry = now.retired[item.kind].get(item.id)
    if entry is None:
        return Retired(item, recorded=False)
    successor = None
    if entry.successor is not None:
        found = now.resolve(item.kind, entry.successor)
        if isinstance(found, lineage.Item):
            team_name = new.team(found.team).name if item.kind == "goal" and found.team else None
            successor = Ref(item.kind, found.id, found.title, found.team if item.kind == "goal" else None, team_name)
        elif found is not None:
            successor = Ref(item.kind, found.id, found.title)
    return Retired(item, True, entry.retired, entry.reason, successor)


def _match(old_items: Iterable[tuple[T, Ref]], new_ids: Iterable[str], now: Lineage,
           out: dict[str, list[Any]]) -> Iterator[tuple[T, str]]:
    """Each old item that is still there, with its id in the newer plan (two old items may have merged).

    Afterwards `out['added']` holds the new ids no old item matched. Items that left are
    `lineage.departed`, gathered by `compare`.
    """
    candidates = list(new_ids)
    matched: set[str] = set()
    for item, ref in old_items:
        new_id = _follow(now, ref.kind, ref.id)
        if new_id is not None and new_id in candidates:
            matched.add(new_id)
            yield item, new_id
    out["added"] = [new_id for new_id in candidates if new_id not in matched]


def _goals(old: Plan, new: Plan, now: Lineage, retired: list[Retired]) -> GoalChanges:
    """Changes to team goals; `retired` are the goals that left, team and individual goals alike."""
    new_goals = {goal.id: (team, goal) for team, goal in new.goals()}
    out: dict[str, list[Any]] = {f.name: [] for f in dataclasses.fields(GoalChanges)}
    out["retired"] = retired
    for (old_team, old_goal), new_id in _match(((pair, _goal_ref(*pair)) for pair in old.goals()), new_goals,
                                               now, out):
        team, goal = new_goals[new_id]
        item = _goal_ref(team, goal)
        if new_id != old_goal.id:
            out["renamed"].append(Renamed(old_goal.id, item))
        if _follow(now, "team", old_team.id) != team.id:
            out["moved"].append(Moved(item, _team_ref(old_team), _team_ref(team)))
        targets = _measure_changes(old_goal, goal)
        if targets:
            out["retargeted"].append(Edited(item, targets))
        served = [a.objective for a in goal.aligns_to]
        was_serving = {old_id: _follow(now, "objective", old_id) or old_id for old_id in
                       (a.objective for a in old_goal.aligns_to)}
        gained = tuple(_objective_ref(new.objective(o)) for o in served if o not in was_serving.values())
        lost = tuple(_old_objective_ref(old, now, old_id) for old_id, now_id in was_serving.items()
                     if now_id not in served)
        if gained or lost:
            out["realigned"].append(Realigned(item, gained, lost))
        if old_goal.title != goal.title:
            out["retitled"].append(Edited(item, (FieldChange("title", old_goal.title, goal.title),)))
        if old_goal.owner != goal.owner:
            out["reassigned"].append(Edited(item, (FieldChange("owner", old_goal.owner, goal.owner),)))
    out["added"] = [Added(_goal_ref(*new_goals[goal_id])) for goal_id in out["added"]]
    return _collect(GoalChanges, out)


def _old_objective_ref(old: Plan, now: Lineage, objective_id: str) -> Ref:
    """An objective a goal stopped serving, named as it is now if it is still in the plan."""
    current = now.resolve("objective", objective_id)
    if isinstance(current, lineage.Item):
        return Ref("objective", current.id, current.title)
    return _objective_ref(old.objective(objective_id))


def _time_frame(measure: Measure) -> str:
    if measure.period is not None:
        return measure.period
    if measure.due is not None:
        return f"{measure.start} to {measure.due}" if measure.start else f"due {measure.due}"
    return "not time-bound"


def _measure_changes(old: Measure | KeyMetric, new: Measure | KeyMetric, prefix: str = "") -> tuple[FieldChange, ...]:
    """Baseline, target and unit changes (and the time frame of a goal)."""
    found = [FieldChange(prefix + name, getattr(old, name), getattr(new, name), new.unit)
             for name in ("baseline", "target") if getattr(old, name) != getattr(new, name)]
    if old.unit != new.unit:
        found.append(FieldChange(prefix + "unit", old.unit, new.unit))
    if isinstance(old, Measure) and isinstance(new, Measure) and _time_frame(old) != _time_frame(new):
        found.append(FieldChange("time_frame", _time_frame(old), _time_frame(new)))
    return tuple(found)


def _objectives(old: Plan, new: Plan, now: Lineage, retired: list[Retired]) -> ObjectiveChanges:
    out: dict[str, list[Any]] = {f.name: [] for f in dataclasses.fields(ObjectiveChanges)}
    out["retired"] = retired
    for before, new_id in _match(((o, _objective_ref(o)) for o in old.objectives), (o.id for o in new.objectives),
                                 now, out):
        after = new.objective(new_id)
        if new_id != before.id:
            out["renamed"].append(Renamed(before.id, _objective_ref(after)))
        fields = [FieldChange(name, getattr(before, name), getattr(after, name))
                  for name in ("title", "owner") if getattr(before, name) != getattr(after, name)]
        if before.category != after.category:
            fields.append(FieldChange("category", before.category.value, after.category.value))
        if before.description != after.description:
            fields.append(FieldChange("description", None, None))
        fields += _metric_changes(before.key_metrics, after.key_metrics)
        if fields:
            out["changed"].append(Edited(_objective_ref(after), tuple(fields)))
    out["added"] = [Added(_objective_ref(new.objective(o))) for o in out["added"]]
    return _collect(ObjectiveChanges, out)


def _metric_changes(before: Iterable[KeyMetric], after: Iterable[KeyMetric]) -> list[FieldChange]:
    """Key metrics added, removed or retargeted, as `key_metrics.<id>[.field]` changes."""
    old = {m.id: m for m in before}
    new = {m.id: m for m in after}
    found: list[FieldChange] = []
    for metric_id, metric in new.items():
        prefix = f"key_metrics.{metric_id}"
        if metric_id not in old:
            found.append(FieldChange(prefix, None, metric.name))
        else:
            found += _measure_changes(old[metric_id], metric, prefix + ".")
    found += [FieldChange(f"key_metrics.{metric_id}", metric.name, None)
              for metric_id, metric in old.items() if metric_id not in new]
    return found


def _teams(old: Plan, new: Plan, now: Lineage, retired: list[Retired]) -> TeamChanges:
    out: dict[str, list[Any]] = {f.name: [] for f in dataclasses.fields(TeamChanges)}
    out["retired"] = retired
    for before, new_id in _match(((t, _team_ref(t)) for t in old.teams), (t.id for t in new.teams), now, out):
        if new_id != before.id:
            out["renamed"].append(Renamed(before.id, _team_ref(new.team(new_id))))
    out["added"] = [Added(_team_ref(new.team(t))) for t in out["added"]]
    return _collect(TeamChanges, out)


def _collect(kind: type[C], out: dict[str, list[Any]]) -> C:
    """The change lists gathered in `out`, as the frozen value `kind`."""
    return kind(**{f.name: tuple(out[f.name]) for f in dataclasses.fields(kind)})
