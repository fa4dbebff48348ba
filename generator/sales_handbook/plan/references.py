"""Checks that span files: unique ids and references that point at something real.

Each file can be valid on its own and the plan still be broken: a goal that
serves an objective nobody defined, a salesperson supporting a goal that was
renamed. These checks find that, with 'did you mean' hints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Set
from typing import NamedTuple

from sales_handbook.plan import lineage
from sales_handbook.plan.diagnostics import Diagnostic, did_you_mean
from sales_handbook.plan.plan import BENEFITS_FILE, OBJECTIVES_FILE, RETIRED_FILE, Located, Plan, review_file, team_file
from sales_handbook.plan.schema import ChangeField, Team
from sales_handbook.plan.yamlfile import PlainPath, SourceMap

RESERVED_ANCHORS = frozenset({"goals", "people", "collaboration", "description", "individual-goals", "owned-goals"})
"""Anchor ids the team and person pages use for their own sections; goal and person ids may not take them."""

RESERVED_PAGE_IDS = frozenset({"index"})
"""Ids whose page would replace a section's overview (`objectives/index.md`, `teams/index.md`)."""


def check(plan: Plan, *, incomplete: frozenset[str] = frozenset(),
          maybe: frozenset[str] | None = None, memo: Memo | None = None) -> list[Diagnostic]:
    """Every cross-file problem in the plan.

    `incomplete` names the kinds of item ('objective', 'team', 'goal', 'person',
    'retired') some of whose files failed to load, and `maybe` the ids written in
    those files: a reference of such a kind to one of them is not reported as
    unknown, since the broken file may define it; a reference to any other id is.
    With `maybe` None (a failed file could not be read) no reference of those kinds is.
    `memo`, kept by whoever loads the plan again and again (`handbook serve`),
    remembers each team's problems.
    """
    return [*_unique_ids(plan), *_references(plan, incomplete, maybe, memo or Memo()),
            *_lineage(plan, incomplete, maybe)]


def _may_be_in_broken_file(kind: str, value: str, incomplete: frozenset[str], maybe: frozenset[str] | None) -> bool:
    return kind in incomplete and (maybe is None or value in maybe)


def _unique_ids(plan: Plan) -> Iterator[Diagnostic]:
    objectives = [(o.id, Located(OBJECTIVES_FILE, ("objectives", i, "id"))) for i, o in enumerate(plan.objectives)]
    yield from _duplicates(plan, objectives, "objective")
    own_pages = [*((o, "objective", "the objectives overview") for o in objectives),
                 *(((t.id, Located(team_file(t.id))), "team", "the teams overview") for t in plan.teams)]
    for (item_id, where), kind, overview in own_pages:
        if item_id in RESERVED_PAGE_IDS:
            yield plan.diagnostic(where, f"{kind} id '{item_id}' is reserved: its page would replace {overview}",
                                  "choose another id" + (" (rename the file)" if kind == "team" else ""))
    for i, objective in enumerate(plan.objectives):
        metrics = [(m.id, Located(OBJECTIVES_FILE, ("objectives", i, "key_metrics", j, "id")))
                   for j, m in enumerate(objective.key_metrics)]
        yield from _duplicates(plan, metrics, f"key metric of objective '{objective.id}'")
    benefits = [(b.id, Located(BENEFITS_FILE, ("benefits", i, "id"))) for i, b in enumerate(plan.benefits)]
    yield from _duplicates(plan, benefits, "benefit")
    anchors: list[tuple[str, str, PlainPath]] = []  # located only for a problem: 31,000 at 1,000 teams
    for team in plan.teams:
        file = team_file(team.id)
        for i, goal in enumerate(team.goals):
            anchors.append((goal.id, file, ("goals", i, "id")))
        for i, person in enumerate(team.people):
            anchors.append((person.id, file, ("people", i, "id")))
            for j, goal in enumerate(person.goals):
                anchors.append((goal.id, file, ("people", i, "goals", j, "id")))
    repeated = {item_id for item_id, count in Counter(item_id for item_id, _, _ in anchors).items() if count > 1}
    yield from _duplicates(plan, ((item_id, Located(file, path)) for item_id, file, path in anchors
                                  if item_id in repeated), "goal or person")
    for item_id, file, path in anchors:
        if item_id in RESERVED_ANCHORS:
            yield plan.diagnostic(Located(file, path), f"id '{item_id}' is reserved for a section of the team page",
                                  "choose another id, for example one that names the team or person")


def _duplicates(plan: Plan, items: Iterable[tuple[str, Located]], kind: str) -> Iterator[Diagnostic]:
    first: dict[str, Located] = {}
    for item_id, where in items:
        if item_id in first:
            other_file, other_line, _ = plan.locate(first[item_id])
            yield plan.diagnostic(where, f"duplicate {kind} id '{item_id}' (also at {other_file}:{other_line})",
                                  "ids become URLs and anchors, so each must be unique: rename one of them")
        else:
            first[item_id] = where


def _references(plan: Plan, incomplete: frozenset[str], maybe: frozenset[str] | None,
                memo: Memo) -> Iterator[Diagnostic]:
    objectives = plan.ids("objective")
    teams = plan.ids("team")
    goals = plan.ids("goal")
    people = plan.ids("person")

    def ref(where: Located, kind: str, value: str, known: Set[str], defined_in: str) -> Iterator[Diagnostic]:
        if value in known or _may_be_in_broken_file(kind, value, incomplete, maybe):
            return
        hint = did_you_mean(value, known)
        if not hint and kind in incomplete and maybe:  # a file of this kind failed: it may define what was meant
            hint = did_you_mean(value, maybe, most=1)  # any word of that file: only the closest
        plural = "people" if kind == "person" else f"{kind}s"
        yield plan.diagnostic(where, f"unknown {kind} '{value}'",
                              f"{hint + ' ' if hint else ''}{plural} are defined in {defined_in}".strip())

    objectives_file = plan.display(OBJECTIVES_FILE)
    may_name = _MayName(objectives, teams, goals, people, incomplete, maybe, objectives_file)
    if may_name == memo.may_name:  # compared once here, by identity per team below
        may_name = memo.may_name
    memo.may_name = may_name
    for team in plan.teams:
        # A team that did not change (`handbook serve`: the same object and positions as in the last plan)
        # and may name the same ids reports what it reported then: 0.05 s per rebuild at 1,000 teams.
        source = plan.sources.get(team_file(team.id))
        kept = memo.team_problems.get(team.id)
        if kept is None or kept[0] is not team or kept[1] is not source or kept[2] is not may_name:
            kept = (team, source, may_name, list(_team_references(plan, team, may_name, ref)))
            memo.team_problems[team.id] = kept
        yield from kept[3]
    benefits_file = BENEFITS_FILE
    for i, benefit in enumerate(plan.benefits):
        for j, evidence in enumerate(benefit.evidence):
            where = Located(benefits_file, ("benefits", i, "evidence", j))
            if evidence.objective not in objectives:
                yield from ref(Located(where.file, (*where.path, "objective")), "objective", evidence.objective,
                               objectives, objectives_file)
            elif evidence.metric is not None:
                metrics = {m.id for m in plan.objective(evidence.objective).key_metrics}
                yield from ref(Located(where.file, (*where.path, "metric")), "key metric", evidence.metric,
                               metrics, f"objective '{evidence.objective}' in {objectives_file}, which has: "
                                        + ", ".join(sorted(metrics)))
    # Reviews are history: they may name a goal by an id it had then (renamed or retired since).
    # Goals named by decisions are checked by the alignment rule `decision-names-unknown-goal`.
    known = lineage.of(plan)
    reviewed = goals | known.published_ids("goal")
    if "retired" in incomplete:
        incomplete = incomplete | {"goal"}
    for review in plan.reviews:
        file = review_file(review.period)
        for i, change in enumerate(review.changes):
            if change.field is not ChangeField.retired:
                yield from ref(Located(file, ("changes", i, "goal")), "goal", change.goal, reviewed,
                               "the teams' 'goals:' lists (a retired goal is recorded with field: retired)")


class _MayName(NamedTuple):
    """The ids a team's file may name, and what decides how a problem with them is reported."""

    objectives: frozenset[str]
    teams: frozenset[str]
    goals: frozenset[str]
    people: frozenset[str]
    incomplete: frozenset[str]
    maybe: frozenset[str] | None
    objectives_file: str


_Ref = Callable[[Located, str, str, Set[str], str], Iterator[Diagnostic]]

class Memo:
    """What each team's own references reported, with the team, the ids and the positions it was checked with:
    a team that did not change since the last check reports the same without being checked again."""

    def __init__(self) -> None:
        self.team_problems: dict[str, tuple[Team, SourceMap | None, _MayName, list[Diagnostic]]] = {}
        self.may_name: _MayName | None = None


def _team_references(plan: Plan, team: Team, may_name: _MayName, ref: _Ref) -> Iterator[Diagnostic]:
    """The references one team's file makes that lead nowhere."""
    objectives, teams, goals, people = may_name.objectives, may_name.teams, may_name.goals, may_name.people
    objectives_file = may_name.objectives_file
    file = team_file(team.id)
    own_people = {p.id for p in team.people}
    if team.lead is not None and team.lead not in own_people:
        hint = did_you_mean(team.lead, own_people)
        yield plan.diagnostic(Located(file, ("lead",)), f"team lead '{team.lead}' is not one of this team's people",
                              hint or "list the lead under 'people:' in this file")
    # Each place is located only when something is wrong there: 60,000 references at 1,000 teams.
    for i, goal in enumerate(team.goals):
        at = ("goals", i)
        seen: set[str] = set()
        for j, alignment in enumerate(goal.aligns_to):
            if alignment.objective not in objectives or alignment.objective in seen:
                where = Located(file, (*at, "aligns_to", j, "objective"))
                yield from ref(where, "objective", alignment.objective, objectives, objectives_file)
                if alignment.objective in seen:
                    yield plan.diagnostic(where, f"goal already aligns to objective '{alignment.objective}'",
                                          "merge the two entries into one with a single 'why'")
            seen.add(alignment.objective)
        for j, collaborator in enumerate(goal.collaborators):
            if collaborator not in teams or collaborator == team.id:
                where = Located(file, (*at, "collaborators", j))
                if collaborator == team.id:
                    yield plan.diagnostic(where, "a team cannot collaborate with itself",
                                          "name other teams this goal needs")
                yield from ref(where, "team", collaborator, teams, "teams/<team-id>.yaml")
        if goal.owner is not None and goal.owner not in people:
            yield from ref(Located(file, (*at, "owner")), "person", goal.owner, people, "the teams' 'people:' lists")
    for i, person in enumerate(team.people):
        for j, goal in enumerate(person.goals):
            for k, supported in enumerate(goal.supports):
                if supported not in goals:
                    yield from ref(Located(file, ("people", i, "goals", j, "supports", k)), "goal", supported,
                                   goals, "the teams' 'goals:' lists")


def _lineage(plan: Plan, incomplete: frozenset[str], maybe: frozenset[str] | None) -> Iterator[Diagnostic]:
    """Renames and retirements that keep old URLs answerable must not contradict the plan or each other."""
    known = lineage.of(plan)
    claimed: dict[tuple[str, str], Located] = {}
    for record in lineage.formerly_records(plan):
        kind, item_id = record.item.kind, record.item.id
        for j, old in enumerate(record.ids):
            where = Located(record.where.file, (*record.where.path, j))
            if old == item_id:
                yield plan.diagnostic(where, f"{kind} '{item_id}' lists its own id under 'formerly'",
                                      "'formerly' lists the ids this item had before it was renamed")
            elif old in known.items[kind]:
                yield plan.diagnostic(where, f"former id '{old}' is the id of a {kind} in the plan",
                                      "an old URL leads to one item only: a live id cannot also be a former one; "
                                      "ids are never reused, so give one of them a new id")
            elif (kind, old) in claimed:
                other_file, other_line, _ = plan.locate(claimed[kind, old])
                yield plan.diagnostic(where, f"former {kind} id '{old}' is also listed at {other_file}:{other_line}",
                                      "an old URL leads to one item only: keep it on the item that replaced it")
            elif old in known.retired[kind]:
                yield plan.diagnostic(where, f"former {kind} id '{old}' is also retired in {plan.display(RETIRED_FILE)}",
                                      "an old URL leads either to the item that replaced it (formerly) or to a "
                                      "retirement page: keep one of the two")
            claimed.setdefault((kind, old), where)
    seen: dict[tuple[str, str], Located] = {}
    for i, entry in enumerate(plan.retired):
        kind = entry.kind.value
        where = Located(RETIRED_FILE, ("retired", i, "id"))
        if (kind, entry.id) in seen:
            other_file, other_line, _ = plan.locate(seen[kind, entry.id])
            yield plan.diagnostic(where, f"{kind} '{entry.id}' is retired twice (also at {other_file}:{other_line})",
                                  "keep one entry per retired item")
            continue
        seen[kind, entry.id] = where
        if entry.id in known.items[kind] and kind not in incomplete:
            yield plan.diagnostic(where, f"{kind} '{entry.id}' is retired but still in the plan",
                                  "remove this entry, or give the item in the plan a new id: "
                                  "ids are never reused, so an old link keeps its meaning")
        if entry.successor is None:
            continue
        at = Located(RETIRED_FILE, ("retired", i, "successor"))
        if entry.successor == entry.id:
            yield plan.diagnostic(at, f"{kind} '{entry.id}' names itself as its successor",
                                  "name the item that took over, or leave 'successor' out")
        elif entry.successor not in known.items[kind] and entry.successor not in known.retired[kind]:
            if _may_be_in_broken_file(kind, entry.successor, incomplete, maybe):
                continue
            renamed = known.renames[kind].get(entry.successor)
            hint = (f"'{entry.successor}' was renamed to '{renamed}': name '{renamed}'" if renamed else
                    did_you_mean(entry.successor, known.items[kind]) or
                    f"a successor is a {kind} in the plan (or another retired {kind})")
            yield plan.diagnostic(at, f"unknown successor {kind} '{entry.successor}'", hint)
