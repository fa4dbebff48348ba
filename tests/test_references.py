"""references.check: ids unique across files, references that point at something real."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sales_handbook.plan import references
from sales_handbook.plan.diagnostics import Diagnostic, PlanError
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import Plan
from tests.planfiles import make_plan, replace_in, write


def problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *edits: tuple[str, str, str]) -> list[Diagnostic]:
    """Diagnostics of small-plan after `(file, old, new)` text replacements."""
    plan = make_plan(tmp_path)
    for rel, old, new in edits:
        replace_in(plan, rel, old, new)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanError) as caught:
        load_plan(Path("plan"))
    return list(caught.value.diagnostics)


def short(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int, str, str]]:
    return [(d.file, d.line, d.column, d.message, d.field) for d in diagnostics]


@pytest.fixture()
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Plan:
    make_plan(tmp_path)
    monkeypatch.chdir(tmp_path)
    return load_plan(Path("plan"))


def test_small_plan_has_no_reference_problems(small: Plan) -> None:
    assert references.check(small) == []
    assert references.check(small, incomplete=frozenset({"team", "goal", "person"})) == []


def test_unknown_objective_suggests_the_close_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch,
                          ("teams/field-marketing.yaml", "objective: delight-customers", "objective: delight-customer"))
    assert short([problem]) == [("plan/teams/field-marketing.yaml", 22, 20, "unknown objective 'delight-customer'",
                                 "goals[0].aligns_to[1].objective")]
    assert problem.hint == "did you mean 'delight-customers'? objectives are defined in plan/objectives.yaml"


def test_unknown_objective_without_a_close_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch,
                          ("teams/south-sales.yaml", "objective: grow-revenue", "objective: world-peace"))
    assert problem.message == "unknown objective 'world-peace'"
    assert problem.hint == "objectives are defined in plan/objectives.yaml"


@pytest.mark.parametrize(("rel", "old", "new", "where"), [
    ("teams/south-sales.yaml", "id: south-new-logos", "id: goals", ("plan/teams/south-sales.yaml", 5, 9, "goals[0].id")),
    ("teams/south-sales.yaml", "id: sofia-marin", "id: people", ("plan/teams/south-sales.yaml", 19, 9, "people[0].id")),
    ("teams/north-sales.yaml", "id: olaf-handovers", "id: description",
     ("plan/teams/north-sales.yaml", 65, 13, "people[1].goals[1].id")),
    ("teams/field-marketing.yaml", "id: qualified-leads", "id: collaboration",
     ("plan/teams/field-marketing.yaml", 5, 9, "goals[0].id")),
    ("teams/north-sales.yaml", "id: olaf-new-arr", "id: individual-goals",
     ("plan/teams/north-sales.yaml", 55, 13, "people[1].goals[0].id")),
])
def test_reserved_anchor_ids_are_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          rel: str, old: str, new: str, where: tuple) -> None:
    found = problems(tmp_path, monkeypatch, (rel, old, new))
    reserved = [d for d in found if "is reserved" in d.message]
    assert len(reserved) == 1
    (d,) = reserved
    assert (d.file, d.line, d.column, d.field) == where
    assert d.message == f"id '{new.removeprefix('id: ')}' is reserved for a section of the team page"
    assert d.hint == "choose another id, for example one that names the team or person"


def test_reserved_words_are_fine_as_team_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only goal and person ids share the team page's anchors; a team called 'people' has its own page."""
    plan = make_plan(tmp_path)
    (plan / "teams" / "south-sales.yaml").rename(plan / "teams" / "people.yaml")
    replace_in(plan, "teams/field-marketing.yaml", "      - south-sales\n", "      - people\n")
    monkeypatch.chdir(tmp_path)
    assert "people" in load_plan(Path("plan")).ids("team")


def test_duplicate_person_across_teams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch, ("teams/south-sales.yaml", "  - id: sofia-marin\n    name: Sofia",
                                                  "  - id: sofia-marin\n    name: Sofia\n    role: x\n"
                                                  "  - id: mark-field\n    name: Mark"))
    assert short([problem]) == [("plan/teams/south-sales.yaml", 22, 9,
                                 "duplicate goal or person id 'mark-field' "
                                 "(also at plan/teams/field-marketing.yaml:26)",
                                 "people[1].id")]


def test_goal_and_person_share_one_id_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch, ("teams/south-sales.yaml", "id: south-new-logos", "id: nora-lind"))
    assert problem.message == "duplicate goal or person id 'nora-lind' (also at plan/teams/north-sales.yaml:38)"


def test_duplicate_key_metric_within_one_objective(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch, ("objectives.yaml", "        current: 11.2\n",
                                                  "        current: 11.2\n      - id: arr\n        name: Again\n"
                                                  "        unit: x\n        baseline: 1\n        target: 2\n"))
    assert short([problem]) == [("plan/objectives.yaml", 14, 13,
                                 "duplicate key metric of objective 'grow-revenue' id 'arr' "
                                 "(also at plan/objectives.yaml:8)",
                                 "objectives[0].key_metrics[1].id")]


def test_same_metric_id_in_two_objectives_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "objectives.yaml", "id: nps", "id: arr")
    monkeypatch.chdir(tmp_path)
    assert [m.id for o in load_plan(Path("plan")).objectives for m in o.key_metrics] == ["arr", "arr"]


def test_team_cannot_collaborate_with_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch, ("teams/north-sales.yaml", "      - field-marketing", "      - north-sales"))
    assert short([problem]) == [("plan/teams/north-sales.yaml", 32, 9, "a team cannot collaborate with itself",
                                 "goals[1].collaborators[0]")]


def test_goal_aligned_twice_to_one_objective(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch,
                          ("teams/field-marketing.yaml", "objective: delight-customers", "objective: grow-revenue"))
    assert problem.message == "goal already aligns to objective 'grow-revenue'"
    assert (problem.line, problem.field) == (22, "goals[0].aligns_to[1].objective")


def test_unknown_evidence_metric_names_its_objective(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch, ("benefits.yaml", "metric: arr", "metric: ar"))
    assert short([problem]) == [("plan/benefits.yaml", 7, 17, "unknown key metric 'ar'",
                                 "benefits[0].evidence[0].metric")]
    assert problem.hint == ("did you mean 'arr'? key metrics are defined in objective 'grow-revenue' "
                            "in plan/objectives.yaml, which has: arr")


def test_metric_of_another_objective_is_unknown_and_the_valid_ones_are_listed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = problems(tmp_path, monkeypatch, ("benefits.yaml", "metric: arr", "metric: nps"))
    assert problem.message == "unknown key metric 'nps'"
    assert problem.hint == "key metrics are defined in objective 'grow-revenue' in plan/objectives.yaml, which has: arr"


def test_a_wrong_case_id_gets_the_id_it_means(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`metric: NPS` is malformed (ids are lowercase), and the hint says which id it means (issue 11, item 17)."""
    (problem,) = problems(tmp_path, monkeypatch, ("benefits.yaml", "metric: arr", "metric: ARR"))
    assert problem.message.startswith("malformed id 'ARR': ids are lowercase letters")
    assert problem.hint == "did you mean 'arr'?"


def test_retired_goal_may_be_unknown_other_changes_may_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "reviews/2026-Q3.yaml", "  - goal: north-handover-quality\n    field: added",
               "  - goal: old-goal\n    field: retired")
    monkeypatch.chdir(tmp_path)
    load_plan(Path("plan"))  # a retired goal is no longer in any team file

    replace_in(plan, "reviews/2026-Q3.yaml", "field: retired", "field: title")
    with pytest.raises(PlanError) as caught:
        load_plan(Path("plan"))
    (problem,) = caught.value.diagnostics
    assert (problem.line, problem.message, problem.field) == (23, "unknown goal 'old-goal'", "changes[1].goal")
    assert problem.hint == ("goals are defined in the teams' 'goals:' lists "
                            "(a retired goal is recorded with field: retired)")


def test_broken_team_file_hides_only_references_to_what_it_may_define(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids written in the file that failed may be defined there, so only they are not called unknown (issue 11, 15).

    Every other unknown reference is reported in the same run, not after the broken file is fixed.
    """
    plan = make_plan(tmp_path)
    replace_in(plan, "teams/north-sales.yaml", "target: 1200", "target: lots")
    replace_in(plan, "teams/field-marketing.yaml", "owner: mark-field", "owner: nobody-at-all")
    replace_in(plan, "teams/field-marketing.yaml", "      - north-sales\n", "      - no-such-team\n")
    replace_in(plan, "teams/south-sales.yaml", "objective: grow-revenue", "objective: grow-revenu")
    replace_in(plan, "teams/south-sales.yaml", "owner: sofia-marin", "owner: olaf-berg")  # in north-sales.yaml
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanError) as caught:
        load_plan(Path("plan"))
    assert [(d.file, d.message) for d in caught.value.diagnostics] == [
        ("plan/teams/field-marketing.yaml", "unknown person 'nobody-at-all'"),
        ("plan/teams/field-marketing.yaml", "unknown team 'no-such-team'"),
        ("plan/teams/north-sales.yaml", "expected a number, found the text 'lots'"),
        ("plan/teams/south-sales.yaml", "unknown objective 'grow-revenu'"),
    ]


def test_check_reports_on_a_plan_built_in_memory(small: Plan) -> None:
    """check() works on any Plan value: here the south team's lead is swapped for an unknown person."""
    teams = tuple(t.model_copy(update={"lead": "sofia-marn"}) if t.id == "south-sales" else t for t in small.teams)
    broken = dataclasses.replace(small, teams=teams)
    (problem,) = references.check(broken)
    assert short([problem]) == [("plan/teams/south-sales.yaml", 3, 7,
                                 "team lead 'sofia-marn' is not one of this team's people", "lead")]
    assert problem.hint == "did you mean 'sofia-marin'?"


def test_new_team_file_missing_from_sources_points_at_line_one(small: Plan) -> None:
    team = small.team("south-sales").model_copy(update={"id": "west-sales", "lead": "nobody"})
    broken = dataclasses.replace(small, teams=(*small.teams, team))
    found = references.check(broken)
    assert ("teams/west-sales.yaml", 1, 1, "team lead 'nobody' is not one of this team's people", "lead") in short(found)


def test_a_new_team_with_its_own_lead_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fourth team nobody references is fine: references are one-way."""
    plan = make_plan(tmp_path)
    write(plan, "teams/west-sales.yaml", "name: West Sales\ndepartment: sales\nlead: wes\n"
                                         "people:\n  - id: wes\n    name: Wes\n    role: Seller\n")
    monkeypatch.chdir(tmp_path)
    assert "west-sales" in load_plan(Path("plan")).ids("team")


def test_a_file_that_did_not_change_is_checked_again_when_the_ids_it_names_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`handbook serve` loads the plan again on every edit and keeps what unchanged team files reported."""
    make_plan(tmp_path)
    monkeypatch.chdir(tmp_path)
    load_plan(Path("plan"))
    Path("plan/teams/north-sales.yaml").rename("plan/teams/nordic-sales.yaml")
    with pytest.raises(PlanError) as caught:
        load_plan(Path("plan"))
    assert ("plan/teams/field-marketing.yaml", "unknown team 'north-sales'") in [
        (d.file, d.message) for d in caught.value.diagnostics]
    Path("plan/teams/nordic-sales.yaml").rename("plan/teams/north-sales.yaml")
    load_plan(Path("plan"))
