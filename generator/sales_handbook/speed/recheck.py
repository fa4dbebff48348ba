"""Run the alignment rules again only on the teams an edit can change: what `handbook serve` does on every edit.

The rules take about a quarter of a second on a 1,000-team plan, and an edit
changes one team file. Most rules (`Rule.find_in_team`) find each problem in one
team's file by looking at that team and at what its goals point to: the team
goals its people support, the teams its goals count on, the people of other
teams who support its goals. So after an edit those rules run again on the teams
whose files changed and on every team that points at them or that they point
at, before or after the edit; the other teams keep their findings, which are
located in files that did not change. Rules about the whole plan run every time,
and so does the part of a per-team rule that looks outside `teams/`
(`Rule.find_elsewhere`: key metrics in objectives.yaml).
A change outside `teams/` (the organization, its settings, objectives, benefits,
reviews, retirements) runs everything again.

The loader hands back the very same object for a file that did not change, so
"changed" is a question of identity, asked of a thousand teams in microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sales_handbook.rules import health
from sales_handbook.plan.diagnostics import Severity
from sales_handbook.plan.plan import Plan
from sales_handbook.rules.catalogue import Rule, TeamFinder
from sales_handbook.plan.schema import Team

_REST = ("organization", "objectives", "benefits", "reviews", "retired")
"""The parts of a plan outside `teams/`; when any of them changes, every rule runs again."""


@dataclass(frozen=True)
class _Checked:
    plan: Plan
    strict: bool
    by_team: dict[str, tuple[Team, list[health.Finding]]]
    """Per team id: the team checked, and what the per-team rules found in it."""


class Rechecker:
    """Finds what `health.findings` finds, running the rules again only where the last plan changed."""

    def __init__(self) -> None:
        self._last: _Checked | None = None
        self.teams_checked = 0
        """How many teams the last call ran the per-team rules on (the others kept their findings)."""

    def findings(self, plan: Plan, *, strict: bool = False) -> tuple[health.Finding, ...]:
        """The same findings, in the same order, as `health.findings(plan, strict=strict)`."""
        last = self._last
        rules = health.graded_rules(plan, strict)
        if last is None or last.strict != strict or not all(_same_items(getattr(plan, part), getattr(last.plan, part))
                                                           for part in _REST):
            again = {team.id for team in plan.teams}
            kept: dict[str, tuple[Team, list[health.Finding]]] = {}
        else:
            again = _affected(last.plan, plan)
            kept = last.by_team
        per_team = [(rule, severity, rule.find_in_team) for rule, severity in rules if rule.find_in_team is not None]
        whole_plan = [(rule, severity) for rule, severity in rules if rule.find_in_team is None]
        by_team: dict[str, tuple[Team, list[health.Finding]]] = {}
        self.teams_checked = 0
        for team in plan.teams:
            if team.id in again or team.id not in kept:
                by_team[team.id] = (team, list(_in_team(plan, team, per_team)))
                self.teams_checked += 1
            else:
                by_team[team.id] = kept[team.id]
        self._last = _Checked(plan, strict, by_team)
        found = [health.finding(plan, rule, severity, hit) for rule, severity in whole_plan for hit in rule.find(plan)]
        found += [health.finding(plan, rule, severity, hit) for rule, severity, _ in per_team
                  if rule.find_elsewhere is not None for hit in rule.find_elsewhere(plan)]
        return health.in_order([*found, *(f for _, team_found in by_team.values() for f in team_found)])


def _in_team(plan: Plan, team: Team, rules: Sequence[tuple[Rule, Severity, TeamFinder]]) -> Iterator[health.Finding]:
    for rule, severity, find_in_team in rules:
        for hit in find_in_team(plan, team):
            yield health.finding(plan, rule, severity, hit)


def _same_items(new: object, old: object) -> bool:
    """Whether a part of the plan is the same objects as before (a tuple is rebuilt, its items are kept)."""
    if new is old:
        return True
    return (isinstance(new, tuple) and isinstance(old, tuple) and len(new) == len(old)
            and all(a is b for a, b in zip(new, old, strict=True)))


def _affected(old: Plan, new: Plan) -> set[str]:
    """Ids of the teams whose per-team findings may differ between two plans that differ only in teams/."""
    before = {team.id: team for team in old.teams}
    after = {team.id: team for team in new.teams}
    changed = {team_id for team_id in before.keys() | after.keys() if before.get(team_id) is not after.get(team_id)}
    affected = set(changed)
    for team_id in changed:
        for version in (before.get(team_id), after.get(team_id)):
            for plan in (old, new):
                affected.update(_pointing_at(plan, team_id, version))
                if version is not None:
                    affected.update(_pointed_at(plan, version))
    return affected


def _pointing_at(plan: Plan, team_id: str, team: Team | None) -> Iterator[str]:
    """Teams of `plan` whose goals count on `team_id`, or whose people support a goal of `team` (by id)."""
    yield from (owner.id for owner, _ in plan.goals_naming(team_id))
    if team is not None:
        for goal in team.goals:
            yield from (owner.id for owner, _, _ in plan.goals_supported_by(goal.id))


def _pointed_at(plan: Plan, team: Team) -> Iterable[str]:
    """Teams of `plan` that `team`'s goals count on, or that own a goal its people support.

    Today's rules read what a team points at, not who points at it (apart from a collaborating
    team's own people, which `_pointing_at` covers); these teams are checked again too, so that a
    rule about who supports a team's goals stays right without anyone remembering this place.
    """
    known = plan.ids("goal")
    named = {collaborator for goal in team.goals for collaborator in goal.collaborators}
    supported = {goal_id for person in team.people for own in person.goals for goal_id in own.supports}
    return named | {plan.goal(goal_id)[0].id for goal_id in supported if goal_id in known}
