"""Is a goal on track? Progress judged against the part of its time frame that has passed.

Pure arithmetic over numbers and dates. The day it is judged on comes from
the plan (`as_of` in organization.yaml, else the last day of the plan's
period), never from the clock, so the same plan always shows the same status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from sales_handbook.model.alignment import progress
from sales_handbook.plan.language import N_
from sales_handbook.plan.plan import Plan
from sales_handbook.plan.schema import Department, Direction, KeyMetric, Measure, period_bounds

ON_TRACK_GAP = 0.10
"""Increase and decrease: on track while progress is at most this far (10 points) behind the time elapsed."""

AT_RISK_GAP = 0.25
"""Increase and decrease: at risk up to this far (25 points) behind; further behind is off track."""

AT_RISK_HEADROOM = 0.25
"""Stay above and stay below: at risk once less than a quarter of the starting margin to the line is left."""

Window = tuple[dt.date, dt.date]


class Status(str, Enum):
    """What a reader needs to know about a number: keep going, look closer, or act."""

    on_track = "on-track"
    at_risk = "at-risk"
    off_track = "off-track"
    no_current = "no-current"
    not_measurable = "not-measurable"

    @property
    def label(self) -> str:
        """The status in words (English: pages show it translated), so it never depends on colour."""
        return _LABELS[self]


_LABELS = {
    Status.on_track: N_("On track"),
    Status.at_risk: N_("At risk"),
    Status.off_track: N_("Off track"),
    Status.no_current: N_("No current value"),
    Status.not_measurable: N_("Not measurable"),
}


@dataclass(frozen=True)
class Assessment:
    """The status of one number and the figures it was judged from."""

    status: Status
    window: Window
    elapsed: float
    """Share of the time frame gone by on the as-of day, 0..1."""
    progress: float | None
    """Share of the way from baseline to target, 0..1 (stay kinds: 1 while the line holds, 0 once crossed)."""
    headroom: float | None
    """Stay kinds only: the margin to the line now, as a share of the margin at baseline (None without one)."""


def as_of(plan: Plan) -> dt.date:
    """The day status is judged on: `as_of` if the plan gives it, else the last day of its period."""
    return plan.organization.as_of or period_bounds(plan.organization.period)[1]


def window(measure: Measure | None, plan_period: str) -> Window:
    """The time frame a number is judged over.

    A goal's own quarter or dates; a goal with only a due date runs from the
    start of the plan's period (or its due date, if earlier); a key metric, or
    a goal that is not time-bound, runs over the plan's period.
    """
    period_start, period_end = period_bounds(plan_period)
    frame = None if measure is None else measure.time_frame()
    if frame is None:
        return period_start, period_end
    start, end = frame
    if measure.period is None and measure.start is None:  # type: ignore[union-attr]
        start = min(period_start, end)
    return start, end


def elapsed(frame: Window, day: dt.date) -> float:
    """Share of the time frame gone by on `day`, clamped to 0..1 (a one-day frame is 0 before it, 1 from it)."""
    start, end = frame
    if day >= end:
        return 1.0
    if day <= start:
        return 0.0
    return (day - start).days / (end - start).days


def assess(baseline: float, target: float | None, current: float | None, direction: Direction,
           frame: Window, day: dt.date) -> Assessment:
    """The status of a number on `day`.

    Increase and decrease: progress from baseline to target is compared with the
    share of the time frame gone by. Stay above and stay below: the value must
    hold its line all along, so time does not matter, only the margin left.
    """
    gone = elapsed(frame, day)
    if target is None:
        return Assessment(Status.not_measurable, frame, gone, None, None)
    done = progress(baseline, target, current, direction)
    if current is None or done is None:
        return Assessment(Status.no_current, frame, gone, None, None)
    if direction in (Direction.stay_above, Direction.stay_below):
        sign = 1.0 if direction is Direction.stay_above else -1.0
        margin_then, margin_now = sign * (baseline - target), sign * (current - target)
        headroom = margin_now / margin_then if margin_then > 0 else None
        if margin_now < 0:
            status = Status.off_track
        elif headroom is not None and headroom < AT_RISK_HEADROOM:
            status = Status.at_risk
        else:
            status = Status.on_track
        return Assessment(status, frame, gone, done, headroom)
    behind = gone - done
    if behind <= ON_TRACK_GAP:
        status = Status.on_track
    elif behind <= AT_RISK_GAP:
        status = Status.at_risk
    else:
        status = Status.off_track
    return Assessment(status, frame, gone, done, None)


def assess_measure(plan: Plan, measure: Measure | KeyMetric) -> Assessment:
    """The status of a goal, individual goal or key metric in this plan."""
    period, day = plan.organization.period, as_of(plan)  # read on every call: the incremental renderer notes reads
    assessed: dict[int, tuple[Measure | KeyMetric, Assessment]] = plan.derived("status.assessed", lambda _: {})
    known = assessed.get(id(measure))
    if known is not None and known[0] is measure:
        return known[1]
    frame = window(measure if isinstance(measure, Measure) else None, period)
    found = assess(measure.baseline, measure.target, measure.current, measure.direction, frame, day)
    assessed[id(measure)] = (measure, found)  # pages ask for a goal's status two or three times
    return found


@dataclass(frozen=True)
class Rollup:
    """How a group of goals stands: how many have each status. Objective, department, team and person
    pages open with one, so a reader sees the state of everything below before the detail."""

    counts: tuple[tuple[Status, int], ...]
    """Each status with its number of goals, in the order of `Status` (zeros included)."""

    @property
    def total(self) -> int:
        """How many goals the roll-up counts."""
        return sum(count for _, count in self.counts)

    def shown(self) -> tuple[tuple[Status, int], ...]:
        """The statuses some goal has, in the order of `Status`: what a sentence or a bar names."""
        return tuple((state, count) for state, count in self.counts if count)


def rollup(plan: Plan, measures: Iterable[Measure | KeyMetric]) -> Rollup:
    """The roll-up of some goals (each counted once, however often it is given)."""
    seen: dict[int, Measure | KeyMetric] = {id(m): m for m in measures}
    found = [assess_measure(plan, measure).status for measure in seen.values()]
    return Rollup(tuple((state, found.count(state)) for state in Status))


def rollup_of(plan: Plan, scope: str, scope_id: str) -> Rollup:
    """The roll-up of the goals under one item: 'objective' (the team goals serving it), 'department' and 'team'
    (their team goals), 'person' (their individual goals). KeyError for an id the plan does not have."""
    if scope == "objective":
        plan.objective(scope_id)
        return rollup(plan, (goal for _, goal, _ in plan.goals_serving(scope_id)))
    if scope == "department":
        department = Department(scope_id)
        return rollup(plan, (goal for team, goal in plan.goals() if team.department is department))
    if scope == "team":
        return rollup(plan, plan.team(scope_id).goals)
    if scope == "person":
        return rollup(plan, plan.person(scope_id)[1].goals)
    raise KeyError(scope)


def tally(plan: Plan) -> tuple[tuple[Status, int], ...]:
    """How many team goals have each status, in the order of `Status`."""
    return rollup(plan, (goal for _, goal in plan.goals())).counts


def tally_by_department(plan: Plan) -> tuple[tuple[Department, int, tuple[int, ...]], ...]:
    """Each department with goals: its number of teams, and how many of its team goals have each status
    (in the order of `Status`)."""
    found: dict[Department, tuple[set[str], list[int]]] = {}
    order = {state: i for i, state in enumerate(Status)}
    for team, goal in plan.goals():
        teams, counts = found.setdefault(team.department, (set(), [0] * len(order)))
        teams.add(team.id)
        counts[order[assess_measure(plan, goal).status]] += 1
    return tuple((department, len(found[department][0]), tuple(found[department][1]))
                 for department in Department if department in found)
