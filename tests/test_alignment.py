"""Alignment links and progress arithmetic."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from sales_handbook.model import alignment
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.schema import Direction, period_bounds
from tests.planfiles import SMALL_PLAN

VALUES = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@given(VALUES, VALUES, VALUES, VALUES, st.sampled_from(list(Direction)))
def test_progress_is_clamped_and_monotonic(baseline: float, target: float, low: float, high: float,
                                          direction: Direction) -> None:
    assume(low <= high)
    at_low = alignment.progress(baseline, target, low, direction)
    at_high = alignment.progress(baseline, target, high, direction)
    assert 0.0 <= at_low <= 1.0 and 0.0 <= at_high <= 1.0
    better_when_higher = direction in (Direction.stay_above,) or (
        direction is Direction.increase and target >= baseline) or (
        direction is Direction.decrease and target > baseline)
    if better_when_higher:
        assert at_low <= at_high
    elif direction in (Direction.stay_below, Direction.decrease):
        assert at_low >= at_high


def test_progress_examples() -> None:
    assert alignment.progress(0, 100, 25, Direction.increase) == 0.25
    assert alignment.progress(10, 5, 8, Direction.decrease) == 0.4
    assert alignment.progress(0, 100, None, Direction.increase) is None
    assert alignment.progress(99.9, 99.9, 99.95, Direction.stay_above) == 1.0
    assert alignment.progress(18, 18, 19, Direction.stay_below) == 0.0


@given(st.integers(min_value=2000, max_value=2100), st.integers(min_value=1, max_value=4))
def test_quarters_tile_the_year(year: int, quarter: int) -> None:
    start, end = period_bounds(f"{year}-Q{quarter}")
    assert start.year == end.year == year and 89 <= (end - start).days <= 91
    if quarter < 4:
        assert (period_bounds(f"{year}-Q{quarter + 1}")[0] - end).days == 1


def test_serving_groups_goals_by_team_and_keeps_the_why() -> None:
    plan = load_plan(SMALL_PLAN)
    for objective in plan.objectives:
        groups = alignment.serving_by_team(plan, objective.id)
        flat = [(team.id, item.goal.id) for team, items in groups for item in items]
        expected = [(t.id, g.id) for t, g in plan.goals() if any(a.objective == objective.id for a in g.aligns_to)]
        assert flat == expected


def test_supporters_come_from_individual_goals() -> None:
    plan = load_plan(SMALL_PLAN)
    for team, goal in plan.goals():
        found = {(s.person.id, s.goal.id) for s in alignment.supporters(plan, goal.id)}
        expected = {(p.id, ig.id) for _, p, ig in plan.individual_goals() if goal.id in ig.supports}
        assert found == expected
