"""Running the rules again only where an edit can matter finds exactly what running them all finds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import write_plan
from sales_handbook.rules import health
from sales_handbook.plan.loader import Reader, load_plan
from sales_handbook.plan.plan import Plan
from sales_handbook.speed.recheck import Rechecker
from sales_handbook.plan.schema import Alignment, Confidence, MetricKind, Team
from tests.planfiles import make_plan, replace_in


@pytest.fixture(scope="module")
def start(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """Six teams with many links across them, a third of them flawed, so rules find things to change."""
    return load_plan(write_plan(tmp_path_factory.mktemp("recheck") / "plan", teams=6, seed=5, flaw_rate=0.3))


def replaced(plan: Plan, teams: list[Team], **parts: object) -> Plan:
    """The plan with these teams (unchanged teams are the same objects, as the loader gives them)."""
    fields = {name: getattr(plan, name) for name in ("organization", "objectives", "benefits", "reviews", "retired")}
    return Plan(**{**fields, **parts}, teams=tuple(sorted(teams, key=lambda t: t.id)), sources=plan.sources)


def edit(plan: Plan, removed: list[Team], data: st.DataObject) -> Plan:
    """One edit a plan author could make, to one team file (or, rarely, to organization.yaml)."""
    teams = list(plan.teams)
    goal_ids = sorted(plan.ids("goal")) + ["ghost-goal"]
    team_ids = [t.id for t in teams] + [t.id for t in removed] + ["ghost-team"]
    objective_ids = [o.id for o in plan.objectives]
    kind = data.draw(st.sampled_from(["frame", "supports", "collaborators", "aligns", "drop-goal", "rename-goal",
                                      "metric", "drop-team", "restore-team", "territory", "weights", "period",
                                      "confidence"]))
    if kind == "period":
        period = data.draw(st.sampled_from(["2026-Q3", "2026-Q4", "2027-Q1"]))
        return replaced(plan, teams, organization=plan.organization.model_copy(update={"period": period}))
    if kind == "restore-team":
        if removed:
            teams.append(removed.pop(data.draw(st.integers(0, len(removed) - 1))))
        return replaced(plan, teams)
    index = data.draw(st.integers(0, len(teams) - 1))
    team = teams[index]
    if kind == "drop-team":
        removed.append(teams.pop(index))
        return replaced(plan, teams)
    goals, people = list(team.goals), list(team.people)
    confidence = data.draw(st.sampled_from([None, *Confidence]))
    on_person = kind in ("frame", "supports", "territory", "weights") or (kind == "confidence" and data.draw(st.booleans()))
    if on_person and people:
        p = data.draw(st.integers(0, len(people) - 1))
        person = people[p]
        own = list(person.goals)
        if kind == "territory":
            people[p] = person.model_copy(update={"territory": data.draw(st.sampled_from([None, *team.territories,
                                                                                          "Elsewhere"]))})
        elif own:
            g = data.draw(st.integers(0, len(own) - 1))
            if kind == "frame":
                due = dt.date(2026, 10, 1) + dt.timedelta(days=data.draw(st.integers(0, 150)))
                own[g] = own[g].model_copy(update={"period": None, "start": None, "due": due})
            elif kind == "supports":
                own[g] = own[g].model_copy(update={"supports": tuple(data.draw(st.lists(st.sampled_from(goal_ids),
                                                                                         max_size=2, unique=True)))})
            elif kind == "confidence":
                own[g] = own[g].model_copy(update={"confidence": confidence})
            else:
                own[g] = own[g].model_copy(update={"weight": data.draw(st.sampled_from([None, 50.0, 100.0]))})
            people[p] = person.model_copy(update={"goals": tuple(own)})
    elif goals:
        g = data.draw(st.integers(0, len(goals) - 1))
        goal = goals[g]
        if kind == "frame":
            goals[g] = goal.model_copy(update={"period": data.draw(st.sampled_from(["2026-Q3", "2026-Q4", "2027-Q1"])),
                                               "start": None, "due": None})
        elif kind == "collaborators":
            goals[g] = goal.model_copy(update={"collaborators": tuple(data.draw(st.lists(st.sampled_from(team_ids),
                                                                                         max_size=2, unique=True)))})
        elif kind == "aligns":
            chosen = data.draw(st.lists(st.sampled_from(objective_ids), max_size=2, unique=True))
            goals[g] = goal.model_copy(update={"aligns_to": tuple(Alignment(objective=o, why="w") for o in chosen)})
        elif kind == "drop-goal":
            del goals[g]
        elif kind == "rename-goal":
            new_id = data.draw(st.sampled_from([f"{goal.id}-x", "ghost-goal"]))
            if new_id not in plan.ids("goal"):
                goals[g] = goal.model_copy(update={"id": new_id})
        elif kind == "metric":
            goals[g] = goal.model_copy(update={"metric": data.draw(st.sampled_from(list(MetricKind)))})
        elif kind == "confidence":
            goals[g] = goal.model_copy(update={"confidence": confidence})
    teams[index] = team.model_copy(update={"goals": tuple(goals), "people": tuple(people)})
    return replaced(plan, teams)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_rechecking_after_each_edit_finds_what_a_full_check_finds(start: Plan, data: st.DataObject) -> None:
    rechecker = Rechecker()
    plan, removed = start, []
    assert rechecker.findings(plan) == health.findings(plan)
    for _ in range(data.draw(st.integers(1, 6))):
        plan = edit(plan, removed, data)
        assert rechecker.findings(plan) == health.findings(plan)


def test_an_edit_to_one_team_checks_that_team_and_its_neighbours_only(tmp_path: Path) -> None:
    start = load_plan(write_plan(tmp_path / "plan", teams=40, seed=5, flaw_rate=0.3))
    rechecker = Rechecker()
    rechecker.findings(start)
    assert rechecker.teams_checked == len(start.teams)
    team = start.teams[0]
    renamed = team.model_copy(update={"name": team.name + " (renamed)"})
    rechecker.findings(replaced(start, [renamed, *start.teams[1:]]))
    assert 1 <= rechecker.teams_checked < len(start.teams)
    rechecker.findings(replaced(start, list(start.teams[1:]) + [renamed],
                                organization=start.organization.model_copy(update={"period": "2027-Q1"})))
    assert rechecker.teams_checked == len(start.teams)


def test_a_finding_in_an_unchanged_file_appears_when_the_team_it_points_at_changes(tmp_path: Path) -> None:
    """North Sales' goal counts on Field Marketing; when Field Marketing stops serving that goal's objective,
    the finding is in north-sales.yaml, a file the edit did not touch."""
    folder = make_plan(tmp_path)
    rechecker = Rechecker()
    before = rechecker.findings(load_plan(folder))
    assert not [f for f in before if f.rule.id == "collaborator-without-support"]
    replace_in(folder, "teams/field-marketing.yaml", "      - objective: delight-customers\n"
               "        why: Webinar attendees arrive knowing what the product does.\n", "")
    after = load_plan(folder)
    found = rechecker.findings(after)
    assert found == health.findings(after)
    assert [f.file for f in found if f.rule.id == "collaborator-without-support"] == ["teams/north-sales.yaml"]


def test_a_key_metric_finding_of_a_per_team_rule_stays_after_an_edit_to_a_team(tmp_path: Path) -> None:
    """`confidence-disagrees` looks at team files and at objectives.yaml: an edit to a team re-checks only
    teams, and the key metric's finding, in a file no team owns, is still found."""
    folder = make_plan(tmp_path)
    replace_in(folder, "objectives.yaml", "        confidence: medium\n", "        confidence: low\n")
    rechecker, reader = Rechecker(), Reader()
    before = reader.load(folder)
    assert [f.file for f in rechecker.findings(before) if f.rule.id == "confidence-disagrees"] == ["objectives.yaml"]
    replace_in(folder, "teams/north-sales.yaml", "    confidence: low\n", "    confidence: high\n")
    after = reader.load(folder)
    found = rechecker.findings(after)
    assert rechecker.teams_checked < len(after.teams)
    assert found == health.findings(after)
    assert [f.file for f in found if f.rule.id == "confidence-disagrees"] == ["objectives.yaml",
                                                                            "teams/north-sales.yaml"]
