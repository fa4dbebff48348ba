"""The whole plan as one immutable value, with the lookups pages and rules need.

`Plan` is what the loader returns and everything downstream reads. It keeps
where each file came from, so rules can point at a line like a compiler.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from generator.diagnostics import Diagnostic, Severity, field_path
from generator.schema import (
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
from generator.yamlfile import PlainPath, SourceMap

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
        return frozenset(self._by_id[kind])

    def objective(self, objective_id: str) -> Objective:
        """The objective with this id (KeyError if there is none)."""
        return self._by_id["objective"][objective_id]  # type: ignore[return-value]

    def team(self, team_id: str) -> Team:
        """The team with this id (KeyError if there is none)."""
        return self._by_id["team"][team_id]  # type: ignore[return-value]

    def goals(self) -> tuple[tuple[Team, Goal], ...]:
        """Every team goal with its team, in team then file order."""
        return tuple((team, goal) for team in self.teams for goal in team.goals)

    def goal(self, goal_id: str) -> tuple[Team, Goal]:
        """The team goal with this id and its team (KeyError if there is none)."""
        return self._by_id["goal"][goal_id]  # type: ignore[return-value]

    def people(self) -> tuple[tuple[Team, Person], ...]:
        """Every person with their team."""
        return tuple((team, person) for team in self.teams for person in team.people)

    def person(self, person_id: str) -> tuple[Team, Person]:
        """The person with this id and their team (KeyError if there is none)."""
        return self._by_id["person"][person_id]  # type: ignore[return-value]

    def individual_goals(self) -> tuple[tuple[Team, Person, IndividualGoal], ...]:
        """Every individual goal with its person and team."""
        return tuple((team, person, goal) for team, person in self.people() for goal in person.goals)

    def locate(self, where: Located) -> tuple[str, int, int]:
        """File, line and column of a path in a plan file."""
        source = self.sources.get(where.file)
        if source is None:
            return where.file, 1, 1
        line, column = source.position(where.path)
        return source.file, line, column

    def display(self, file: str) -> str:
        """How a plan file is named in messages."""
        source = self.sources.get(file)
        return source.file if source else file

    def diagnostic(self, where: Located, message: str, hint: str = "", severity: Severity = "error") -> Diagnostic:
        """A diagnostic pointing at `where`."""
        file, line, column = self.locate(where)
        return Diagnostic(file, line, column, message, field_path(where.path), hint, severity)



def _first_by_id(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    """Index items by id; with duplicates (already an error) the first one counts, as in messages."""
    index: dict[str, object] = {}
    for item_id, item in pairs:
        index.setdefault(item_id, item)
    return index
