"""How the plan's parts connect: which goals serve which objective, who supports whom.

Pure functions over a `Plan`. Pages show these links; the alignment rules
check them. Nothing here reads files or formats text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sales_handbook.plan.plan import Plan
from sales_handbook.plan.schema import Benefit, Department, Direction, Goal, IndividualGoal, Person, Team


DETAIL_LIMIT = 150
"""The most team goals a plan-wide table or map lists one by one. A larger plan's are counted by department:
at 1,000 teams the full progress table was 2.7 MB of Markdown and the map 18 MB of SVG, longer than anyone
reads, seconds to build, and rebuilt under `handbook serve` on every edit of any goal's title."""


def in_full(goal_count: int) -> bool:
    """Whether a plan-wide table or map of `goal_count` team goals lists them one by one (see DETAIL_LIMIT)."""
    return goal_count <= DETAIL_LIMIT


@dataclass(frozen=True)
class Serving:
    """A team goal that serves an objective, and why it does."""

    team: Team
    goal: Goal
    why: str


@dataclass(frozen=True)
class Support:
    """An individual goal that supports a team goal."""

    team: Team
    person: Person
    goal: IndividualGoal


def serving(plan: Plan, objective_id: str) -> tuple[Serving, ...]:
    """Every goal that serves an objective, in team order."""
    return tuple(Serving(team, goal, link.why) for team, goal, link in plan.goals_serving(objective_id))


def serving_by_team(plan: Plan, objective_id: str) -> tuple[tuple[Team, tuple[Serving, ...]], ...]:
    """The goals serving an objective, grouped by team (teams in id order)."""
    groups: dict[str, list[Serving]] = {}
    for item in serving(plan, objective_id):
        groups.setdefault(item.team.id, []).append(item)
    return tuple((plan.team(team_id), tuple(items)) for team_id, items in groups.items())


def departments_serving(plan: Plan, objective_id: str) -> tuple[Department, ...]:
    """The departments whose goals serve an objective, in the departments' order."""
    found = {team.department for team, _, _ in plan.goals_serving(objective_id)}
    return tuple(d for d in Department if d in found)


def supporters(plan: Plan, goal_id: str) -> tuple[Support, ...]:
    """Individual goals that support a team goal, from any team."""
    return tuple(Support(team, person, goal) for team, person, goal in plan.goals_supported_by(goal_id))


def teams_by_department(teams: Sequence[Team]) -> tuple[tuple[Department, tuple[Team, ...]], ...]:
    """Teams grouped by department, departments in their fixed order, teams by name."""
    return tuple(
        (department, tuple(sorted((t for t in teams if t.department is department), key=lambda t: (t.name, t.id))))
        for department in Department
        if any(t.department is department for t in teams)
    )


def counted_on_by(plan: Plan, team_id: str) -> tuple[tuple[Team, Goal], ...]:
    """Goals of other teams that name this team as a collaborator."""
    return plan.goals_naming(team_id)


def objectives_through(plan: Plan, goal: IndividualGoal) -> tuple[str, ...]:
    """Ids of the objectives an individual goal serves through the team goals it supports, without repeats,
    in first-seen order (a supported id that is no team goal of this plan adds none)."""
    team_goals = plan.ids("goal")
    return tuple(dict.fromkeys(link.objective for goal_id in goal.supports if goal_id in team_goals
                               for link in plan.goal(goal_id)[1].aligns_to))


def objectives_served(team: Team) -> tuple[str, ...]:
    """Ids of the objectives a team's goals serve, without repeats, in first-seen order."""
    return tuple(dict.fromkeys(link.objective for goal in team.goals for link in goal.aligns_to))


def benefits_for(plan: Plan, objective_id: str) -> tuple[Benefit, ...]:
    """Benefits that name an objective as evidence."""
    return tuple(b for b in plan.benefits if any(e.objective == objective_id for e in b.evidence))


def progress(baseline: float, target: float, current: float | None, direction: Direction) -> float | None:
    """How far the current value has come from baseline to target, clamped to 0..1.

    For 'stay above' and 'stay below' metrics there is no distance to cover:
    progress is 1 while the value holds the line and 0 once it crosses it.
    """
    if current is None:
        return None
    if direction is Direction.stay_above:
        return 1.0 if current >= target else 0.0
    if direction is Direction.stay_below:
        return 1.0 if current <= target else 0.0
    span = target - baseline
    if span == 0:
        reached = current >= target if direction is Direction.increase else current <= target
        return 1.0 if reached else 0.0
    return min(1.0, max(0.0, (current - baseline) / span))


def goals_per_objective(team: Team) -> Counter[str]:
    """How many of a team's goals serve each objective (0 for the others): its row of the team × objective matrix."""
    return Counter(objective for goal in team.goals for objective in {link.objective for link in goal.aligns_to})


def goals_by_department(plan: Plan) -> tuple[tuple[Department, tuple[Team, ...], tuple[int, ...]], ...]:
    """Each department with teams, its teams, and how many of their goals serve each objective (in plan order):
    the team × objective matrix of a plan too large to list team by team."""
    found = []
    for department, teams in teams_by_department(plan.teams):
        served: Counter[str] = Counter()
        for team in teams:
            served.update(goals_per_objective(team))
        found.append((department, teams, tuple(served[objective.id] for objective in plan.objectives)))
    return tuple(found)
