"""Who a build is for: the plan as the public may see it, or all of it for the company's own people.

Any objective, key metric, team, goal, person, individual goal, benefit,
review and retirement (`retired.yaml`), and any decision or goal change of a
review, can be marked
`visibility: internal`. The handbook may be published on the open web, so
confidentiality is decided here, once, on the model: pages, navigation, search
index and sitemap are all built from the plan this module returns, and nothing
downstream needs to know that internal items exist.

What a public build leaves out ("withheld"):

- every item marked internal;
- everything inside a withheld item: a team's goals and people, a person's
  individual goals, an objective's key metrics, a review's decisions and changes;
- items that only make sense through a withheld one: an individual goal whose
  supported goals are all withheld (one that supports no goal at all is public
  unless marked internal), a review's change to a withheld goal;
- every other id of a withheld item: its former ids (`formerly:`), which a
  review may name it by, and retired ids whose `retired.yaml` entry is internal;
- the weights of a team's goals (a person's individual goals) when some of
  them are withheld: the public weights would add up to less than 100, and the
  difference is the weight of what is withheld.

A public item that refers to a withheld one stays, and loses only the
reference: a goal's `aligns_to` entry (with its why), a collaborating team, an
owner (then None), a team's lead (then None), a supported goal, a benefit's
evidence (with its note), a goal named by a decision, a retirement's successor.
The reference is dropped,
never replaced by a placeholder, so neither the title nor the id nor the
existence of the internal item shows. Free text (descriptions, whys, reasons,
notes, a change's from/to, participants) is published as written: mark the
item internal if its text is confidential.

An internal build keeps everything and marks each withheld item internal, so
pages can badge exactly what the public does not see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from pydantic import BaseModel

from sales_handbook.plan import lineage
from sales_handbook.plan.plan import Kind, Plan
from sales_handbook.plan.schema import Benefit, Goal, IndividualGoal, Objective, Person, Retirement, Review, Team, Visibility

Item = TypeVar("Item", bound=BaseModel)
Goals = TypeVar("Goals", Goal, IndividualGoal)

AUDIENCE_VARIABLE = "HANDBOOK_AUDIENCE"
"""Environment variable naming the audience; overrides the plugin option in mkdocs.yml.

`handbook build/serve --audience` sets it, since `mkdocs serve` reloads its
configuration on every rebuild and a plugin option set in code would be lost.
"""


class Audience(str, Enum):
    """Who a build is for. Public is the default: nothing internal is published by accident."""

    public = "public"
    internal = "internal"


@dataclass(frozen=True)
class Withheld:
    """The items a public build leaves out.

    Key metrics are keyed by (objective id, metric id), decisions and changes by
    (review period, position in the review), since they have no id of their own.
    """

    objectives: frozenset[str]
    key_metrics: frozenset[tuple[str, str]]
    teams: frozenset[str]
    goals: frozenset[str]
    people: frozenset[str]
    individual_goals: frozenset[str]
    benefits: frozenset[str]
    reviews: frozenset[str]
    decisions: frozenset[tuple[str, int]]
    changes: frozenset[tuple[str, int]]

    def __bool__(self) -> bool:
        """Whether anything is withheld at all: most plans mark nothing internal."""
        return any(getattr(self, f.name) for f in dataclasses.fields(self))


def withheld(plan: Plan) -> Withheld:
    """What a public build of `plan` leaves out, following internal items down to their parts.

    Computed once per plan: the view of the plan and the findings it may show both ask.
    """
    return plan.derived("withheld", _withheld)


def _withheld(plan: Plan) -> Withheld:
    internal = Visibility.internal
    objectives = frozenset(o.id for o in plan.objectives if o.visibility is internal)
    teams = frozenset(t.id for t in plan.teams if t.visibility is internal)
    goals = frozenset(g.id for t, g in plan.goals() if t.id in teams or g.visibility is internal)
    people = frozenset(p.id for t, p in plan.people() if t.id in teams or p.visibility is internal)
    individual_goals = frozenset(g.id for _, p, g in plan.individual_goals()
                                 if p.id in people or g.visibility is internal
                                 or (g.supports and set(g.supports) <= goals))
    reviews = frozenset(r.period for r in plan.reviews if r.visibility is internal)
    objectives, teams, goals, people, individual_goals = (
        _with_lineage(plan, kind, hidden) for kind, hidden in (
            ("objective", objectives), ("team", teams), ("goal", goals), ("person", people),
            ("goal", individual_goals)))
    any_goal = goals | individual_goals
    return Withheld(
        objectives=objectives,
        key_metrics=frozenset((o.id, m.id) for o in plan.objectives for m in o.key_metrics
                              if o.id in objectives or m.visibility is internal),
        teams=teams,
        goals=goals,
        people=people,
        individual_goals=individual_goals,
        benefits=frozenset(b.id for b in plan.benefits if b.visibility is internal),
        reviews=reviews,
        decisions=frozenset((r.period, i) for r in plan.reviews for i, d in enumerate(r.decisions)
                            if r.period in reviews or d.visibility is internal),
        changes=frozenset((r.period, i) for r in plan.reviews for i, c in enumerate(r.changes)
                          if r.period in reviews or c.visibility is internal or c.goal in any_goal),
    )


def _with_lineage(plan: Plan, kind: Kind, hidden: frozenset[str]) -> frozenset[str]:
    """`hidden` ids of one kind, with the ids the same items had before (`formerly:`) and the retired
    ids of that kind whose entry in `retired.yaml` is internal.

    A review may name a goal by a former id, and a retirement may name another as its successor: a
    public build that kept such a name would publish the internal item under another id. (A public
    retirement whose successor is internal stays, without its successor.)
    """
    known = lineage.of(plan)
    return hidden | {old for old, current in known.renames[kind].items() if current in hidden} | {
        i for i, entry in known.retired[kind].items() if entry.visibility is Visibility.internal}


class Copies:
    """The copies the views made of items with withheld parts, by the identity of their item (which each keeps):
    whoever makes views of plan after plan (`handbook serve`) keeps one, and gets the same copies again."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[BaseModel, dict[str, object], BaseModel]] = {}
        self.now: dict[int, tuple[BaseModel, dict[str, object], BaseModel]] = {}


def for_audience(plan: Plan, audience: Audience | str, copies: Copies | None = None) -> Plan:
    """The plan as `audience` may see it: public without any trace of internal items, internal marked.

    A plan with nothing internal is its own view, and so is every item the view leaves as it
    was: nothing is copied for nothing, and unchanged items stay the same objects, which the
    incremental renderer compares first. Computed once per plan and audience: the pages and
    the findings a site shows both ask.
    """
    hidden = withheld(plan)
    if not hidden:
        return plan
    chosen = Audience(audience)
    return plan.derived(f"view-{chosen.value}",
                        lambda _: _View(hidden, chosen is Audience.public, copies or Copies()).plan(plan))


@dataclass(frozen=True)
class _View:
    """One pass over the plan: drop (public) or mark (internal) each withheld item and reference."""

    hidden: Withheld
    public: bool
    copies: Copies

    def plan(self, plan: Plan) -> Plan:
        self.copies.last, self.copies.now = self.copies.now, {}
        h = self.hidden
        return dataclasses.replace(
            plan,
            objectives=tuple(self._objective(o) for o in self._pick(
                plan.objectives, (o.id in h.objectives for o in plan.objectives))),
            teams=tuple(self._team(t) for t in self._pick(plan.teams, (t.id in h.teams for t in plan.teams))),
            benefits=tuple(self._benefit(b) for b in self._pick(
                plan.benefits, (b.id in h.benefits for b in plan.benefits))),
            reviews=tuple(self._review(r) for r in self._pick(
                plan.reviews, (r.period in h.reviews for r in plan.reviews))),
            retired=tuple(self._retirement(r) for r in self._pick(
                plan.retired, (r.visibility is Visibility.internal for r in plan.retired))),
        )

    def _pick(self, items: Sequence[Item], hidden: Iterable[bool]) -> tuple[Item, ...]:
        """Public: the items not withheld. Internal: every item, the withheld ones marked internal."""
        pairs = list(zip(items, hidden, strict=True))
        if self.public:
            return tuple(item for item, is_hidden in pairs if not is_hidden)
        return tuple(item.model_copy(update={"visibility": Visibility.internal}) if is_hidden else item
                     for item, is_hidden in pairs)

    def _refs(self, ids: Iterable[str], hidden: frozenset[str]) -> tuple[str, ...]:
        """References to withheld items are dropped from a public build, kept in an internal one."""
        return tuple(i for i in ids if not (self.public and i in hidden))

    def _ref(self, item_id: str | None, hidden: frozenset[str]) -> str | None:
        return None if self.public and item_id in hidden else item_id

    def _objective(self, objective: Objective) -> Objective:
        metrics = objective.key_metrics
        return self._updated(objective, {"key_metrics": self._pick(
            metrics, ((objective.id, m.id) in self.hidden.key_metrics for m in metrics))})

    def _team(self, team: Team) -> Team:
        h = self.hidden
        goals = self._pick(team.goals, (g.id in h.goals for g in team.goals))
        return self._updated(team, {
            "lead": self._ref(team.lead, h.people),
            "goals": tuple(self._goal(g) for g in self._unweighed(goals, len(team.goals))),
            "people": tuple(self._person(p) for p in self._pick(team.people, (p.id in h.people for p in team.people))),
        })

    def _unweighed(self, kept: tuple[Goals, ...], of: int) -> tuple[Goals, ...]:
        """A public build shows no weights of goals whose team (or person) has withheld goals.

        Weights are shares of 100: the public ones would add up to less, and the
        rest is the weight of what is withheld. Scaled up to 100 they would be
        numbers the plan does not hold, so they are left out.
        """
        if not self.public or len(kept) == of:
            return kept
        return tuple(self._updated(g, {"weight": None}) for g in kept)

    def _goal(self, goal: Goal) -> Goal:
        h = self.hidden
        return self._updated(goal, {
            "owner": self._ref(goal.owner, h.people),
            "collaborators": self._refs(goal.collaborators, h.teams),
            "aligns_to": tuple(a for a in goal.aligns_to
                               if not (self.public and a.objective in h.objectives)),
        })

    def _person(self, person: Person) -> Person:
        h = self.hidden
        goals = self._pick(person.goals, (g.id in h.individual_goals for g in person.goals))
        return self._updated(person, {
            "goals": tuple(self._updated(g, {"supports": self._refs(g.supports, h.goals)})
                           for g in self._unweighed(goals, len(person.goals))),
        })

    def _benefit(self, benefit: Benefit) -> Benefit:
        h = self.hidden
        return self._updated(benefit, {"evidence": tuple(
            e for e in benefit.evidence
            if not (self.public and (e.objective in h.objectives or (e.objective, e.metric) in h.key_metrics))
        )})

    def _retirement(self, entry: Retirement) -> Retirement:
        """A retirement page names its successor only if the audience may see the successor."""
        h = self.hidden
        hidden = {"goal": h.goals | h.individual_goals, "team": h.teams, "objective": h.objectives,
                  "person": h.people}[entry.kind.value]
        return self._updated(entry, {"successor": self._ref(entry.successor, hidden)})

    def _review(self, review: Review) -> Review:
        h = self.hidden
        period = review.period
        decisions = self._pick(review.decisions, ((period, i) in h.decisions for i in range(len(review.decisions))))
        changes = self._pick(review.changes, ((period, i) in h.changes for i in range(len(review.changes))))
        return self._updated(review, {
            "decisions": tuple(self._updated(d, {"goals": self._refs(d.goals, h.goals | h.individual_goals)})
                               for d in decisions),
            "changes": changes,
        })

    def _updated(self, item: Item, changes: dict[str, object]) -> Item:
        """`item` with `changes`, or `item` itself when they change nothing.

        The copy made for the same item and changes in the last view is handed out again: under
        `handbook serve` the loader keeps the objects of unchanged files, and so the view keeps its
        copies, which the incremental renderer and the rules' recheck compare by identity.
        """
        if all(getattr(item, name) == value for name, value in changes.items()):
            return item
        known = self.copies.last.get(id(item))
        if known is not None and known[0] is item and known[1] == changes:
            copy = known[2]
        else:
            copy = item.model_copy(update=changes)
        self.copies.now[id(item)] = (item, changes, copy)
        return copy  # type: ignore[return-value]
