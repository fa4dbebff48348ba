"""The whole plan as one immutable value, with the lookups pages and rules need.

`Plan` is what the loader returns and everything downstream reads. It keeps
where each file came from, so rules can point at a line like a compiler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from sales_handbook.plan.diagnostics import Diagnostic, Severity, field_path
from sales_handbook.plan.schema import (
    Alignment,
    Benefit,
    Goal,
    IndividualGoal,
    Objective,
    Organization,
    Person,
    Retirement,
    Review,
    Team,
)
from sales_handbook.plan.yamlfile import PlainPath, SourceMap

T = TypeVar("T")

Kind = Literal["objective", "team", "goal", "person"]

ORGANIZATION_FILE = "organization.yaml"
OBJECTIVES_FILE = "objectives.yaml"
BENEFITS_FILE = "benefits.yaml"
RETIRED_FILE = "retired.yaml"
TEAMS_DIR = "teams"
REVIEWS_DIR = "reviews"


def team_file(team_id: str) -> str:
    """Where a team is defined, relative to the plan folder."""
    return f"{TEAMS_DIR}/{team_id}.yaml"


def review_file(period: str) -> str:
    """Where a review is recorded, relative to the plan folder."""
    return f"{REVIEWS_DIR}/{period}.yaml"


@dataclass(frozen=True)
class Located:
    """A plan file (relative to the plan folder) and a path inside it: enough to point at a line."""

    file: str
    path: PlainPath = ()


@dataclass(frozen=True)
class Plan:
    """A validated plan. Teams are sorted by id, reviews newest first."""

    organization: Organization
    objectives: tuple[Objective, ...]
    teams: tuple[Team, ...]
    benefits: tuple[Benefit, ...]
    reviews: tuple[Review, ...]
    retired: tuple[Retirement, ...] = ()
    """Items that left the plan (`retired.yaml`); their permanent URLs keep a page."""
    sources: Mapping[str, SourceMap] = field(default_factory=dict)
    """Positions per plan file, keyed by the file's path relative to the plan folder."""

    _by_id: Mapping[str, Mapping[str, object]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        by_id = {
            "objective": _first_by_id((o.id, o) for o in self.objectives),
            "team": _first_by_id((t.id, t) for t in self.teams),
            "goal": _first_by_id((g.id, (t, g)) for t in self.teams for g in t.goals),
            "person": _first_by_id((p.id, (t, p)) for t in self.teams for p in t.people),
        }
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))

    def ids(self, kind: Kind) -> frozenset[str]:
        """All ids of one kind of item ('objective', 'team', 'goal' or 'person')."""
        return self._id_sets[kind]

    def objective(self, objective_id: str) -> Objective:
        """The objective with this id (KeyError if there is none)."""
        return self._by_id["objective"][objective_id]  # type: ignore[return-value]

    def team(self, team_id: str) -> Team:
        """The team with this id (KeyError if there is none)."""
        return self._by_id["team"][team_id]  # type: ignore[return-value]

    def goals(self) -> tuple[tuple[Team, Goal], ...]:
        """Every team goal with its team, in team then file order."""
        return self._goals

    def goal(self, goal_id: str) -> tuple[Team, Goal]:
        """The team goal with this id and its team (KeyError if there is none)."""
        return self._by_id["goal"][goal_id]  # type: ignore[return-value]

    def people(self) -> tuple[tuple[Team, Person], ...]:
        """Every person with their team."""
        return self._people

    def person(self, person_id: str) -> tuple[Team, Person]:
        """The person with this id and their team (KeyError if there is none)."""
        return self._by_id["person"][person_id]  # type: ignore[return-value]

    def individual_goals(self) -> tuple[tuple[Team, Person, IndividualGoal], ...]:
        """Every individual goal with its person and team."""
        return self._individual_goals

    def individual_goal(self, goal_id: str) -> tuple[Team, Person, IndividualGoal]:
        """The individual goal with this id, its person and team (KeyError if there is none)."""
        return self._reverse.individual[goal_id]

    def goals_serving(self, objective_id: str) -> tuple[tuple[Team, Goal, Alignment], ...]:
        """Team goals that align to an objective, with the alignment, in team then file order."""
        return self._reverse.serving.get(objective_id, ())

    def goals_supported_by(self, goal_id: str) -> tuple[tuple[Team, Person, IndividualGoal], ...]:
        """Individual goals (of any team) that support a team goal."""
        return self._reverse.supporters.get(goal_id, ())

    def goals_owned_by(self, person_id: str) -> tuple[tuple[Team, Goal], ...]:
        """Team goals (of any team) whose owner is this person, in team then file order."""
        return self._reverse.owned.get(person_id, ())

    def goals_naming(self, team_id: str) -> tuple[tuple[Team, Goal], ...]:
        """Goals that name a team among their collaborators."""
        return self._reverse.collaborating.get(team_id, ())

    def locate(self, where: Located) -> tuple[str, int, int]:
        """File, line and column of a path in a plan file."""
        source = self.sources.get(where.file)
        if source is None:
            return where.file, 1, 1
        line, column = source.position(where.path)
        return source.file, line, column

    # Computed once per plan, on first use: each is a whole-plan scan, and pages and
    # checks ask per goal or per team, which would make a large plan quadratic.

    @cached_property
    def _id_sets(self) -> Mapping[Kind, frozenset[str]]:
        return {kind: frozenset(index) for kind, index in self._by_id.items()}  # type: ignore[misc]

    @cached_property
    def _goals(self) -> tuple[tuple[Team, Goal], ...]:
        return tuple((team, goal) for team in self.teams for goal in team.goals)

    @cached_property
    def _people(self) -> tuple[tuple[Team, Person], ...]:
        return tuple((team, person) for team in self.teams for person in team.people)

    @cached_property
    def _individual_goals(self) -> tuple[tuple[Team, Person, IndividualGoal], ...]:
        return tuple((team, person, goal) for team, person in self.people() for goal in person.goals)

    def derived(self, key: str, compute: Callable[[Plan], T]) -> T:
        """A value computed from this (immutable) plan, computed once and kept with it."""
        cache: dict[str, Any] = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            cache[key] = compute(self)
        return cache[key]

    @cached_property
    def _reverse(self) -> _ReverseIndex:
        return _ReverseIndex.of(self)

    def display(self, file: str) -> str:
        """How a plan file is named in messages."""
        source = self.sources.get(file)
        return source.file if source else file

    def diagnostic(self, where: Located, message: str, hint: str = "", severity: Severity = "error") -> Diagnostic:
        """A diagnostic pointing at `where`."""
        file, line, column = self.locate(where)
        return Diagnostic(file, line, column, message, field_path(where.path), hint, severity)


@dataclass(frozen=True)
class _ReverseIndex:
    """Who points at whom: objective -> goals serving it, goal -> supporters, team -> goals naming it,
    person -> goals they own."""

    serving: Mapping[str, tuple[tuple[Team, Goal, Alignment], ...]]
    supporters: Mapping[str, tuple[tuple[Team, Person, IndividualGoal], ...]]
    collaborating: Mapping[str, tuple[tuple[Team, Goal], ...]]
    individual: Mapping[str, tuple[Team, Person, IndividualGoal]]
    owned: Mapping[str, tuple[tuple[Team, Goal], ...]]

    @classmethod
    def of(cls, plan: Plan) -> _ReverseIndex:
        serving: dict[str, list[tuple[Team, Goal, Alignment]]] = {}
        collaborating: dict[str, list[tuple[Team, Goal]]] = {}
        owned: dict[str, list[tuple[Team, Goal]]] = {}
        for team, goal in plan.goals():
            if goal.owner is not None:
                owned.setdefault(goal.owner, []).append((team, goal))
            for link in goal.aligns_to:
                serving.setdefault(link.objective, []).append((team, goal, link))
            for team_id in dict.fromkeys(goal.collaborators):
                collaborating.setdefault(team_id, []).append((team, goal))
        supporters: dict[str, list[tuple[Team, Person, IndividualGoal]]] = {}
        by_id: dict[str, tuple[Team, Person, IndividualGoal]] = {}
        for team, person, individual in plan.individual_goals():
            by_id.setdefault(individual.id, (team, person, individual))
            for goal_id in dict.fromkeys(individual.supports):
                supporters.setdefault(goal_id, []).append((team, person, individual))
        return cls(_frozen(serving), _frozen(supporters), _frozen(collaborating), MappingProxyType(by_id),
                   _frozen(owned))


def _frozen(index: dict[str, list]) -> Mapping[str, tuple]:  # type: ignore[type-arg]
    return MappingProxyType({key: tuple(items) for key, items in index.items()})


def _first_by_id(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    """Index items by id; with duplicates (already an error) the first one counts, as in messages."""
    index: dict[str, object] = {}
    for item_id, item in pairs:
        index.setdefault(item_id, item)
    return index
