"""The benchmark's synthetic plans are valid handbook plans, the same for the same seed."""

from __future__ import annotations

from pathlib import Path

from bench.synthetic import GOALS_PER_PERSON, GOALS_PER_TEAM, OBJECTIVES, PEOPLE_PER_TEAM, REVIEWS, plan_files, write_plan
from sales_handbook.plan.loader import load_plan


def test_a_synthetic_plan_loads_under_the_real_schema(tmp_path: Path) -> None:
    plan = load_plan(write_plan(tmp_path / "plan", teams=12, seed=3))
    assert len(plan.teams) == 12
    assert len(plan.objectives) == OBJECTIVES
    assert len(plan.reviews) == REVIEWS
    for team in plan.teams:
        assert len(team.goals) == GOALS_PER_TEAM
        assert len(team.people) == PEOPLE_PER_TEAM
        assert all(len(person.goals) == GOALS_PER_PERSON for person in team.people)
        assert all(goal.aligns_to for goal in team.goals)


def test_the_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    first = write_plan(tmp_path / "a", teams=5, seed=11)
    second = write_plan(tmp_path / "b", teams=5, seed=11)
    files = sorted(p.relative_to(first) for p in first.rglob("*.yaml"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.yaml"))
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert plan_files(5, seed=12) != plan_files(5, seed=11)


def test_a_synthetic_plan_is_aligned_apart_from_the_flaws_it_is_asked_for(tmp_path: Path) -> None:
    """Benchmarks measure a plan as healthy as a looked-after one: the rule findings are the seeded flaws only."""
    from sales_handbook.rules import health

    clean = load_plan(write_plan(tmp_path / "clean", teams=100, seed=2, flaw_rate=0))
    assert [f.rule.id for f in health.findings(clean)] == []
    flawed = load_plan(write_plan(tmp_path / "flawed", teams=100, seed=2, flaw_rate=0.5))
    assert {f.rule.id for f in health.findings(flawed)} == {"goal-outside-parent-time-frame",
                                                          "collaborator-without-support"}
