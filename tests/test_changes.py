"""changes.compare and `handbook diff`: what changed from one quarter's plan to the next.

tests/fixtures/next-quarter/README.md lists the changes between the small plan
and its next quarter; the golden reports in tests/golden/diff/ show them in
each output format (regenerate with UPDATE_GOLDEN=1, then read the diff).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_handbook import cli
from sales_handbook.model import changes
from sales_handbook.plan import lineage
from sales_handbook.site import report
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import Plan
from sales_handbook.plan.schema import Retirement
from tests import goldens
from tests.planfiles import SMALL_PLAN, TESTS, make_plan, replace_in

NEXT_QUARTER = TESTS / "fixtures" / "next-quarter"
GOLDEN = TESTS / "golden" / "diff"


@pytest.fixture(scope="module")
def quarters(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Plan]:
    return load_plan(SMALL_PLAN), load_plan(make_plan(tmp_path_factory.mktemp("next"), NEXT_QUARTER))


@pytest.fixture(scope="module")
def found(quarters: tuple[Plan, Plan]) -> changes.Changes:
    return changes.compare(*quarters, "2026-Q4", "2027-Q1")


def ids(entries: tuple) -> list[str]:
    return [entry.item.id for entry in entries]


def test_goals_added_retired_renamed_and_moved(found: changes.Changes) -> None:
    goals = found.goals
    assert ids(goals.added) == ["north-new-logos"]
    (retired,) = goals.retired
    assert (retired.item.id, retired.item.team, retired.recorded, retired.when) == (
        "south-new-logos", "south-sales", True, "2027-Q1")
    assert retired.successor == changes.Ref("goal", "north-new-logos", "Win 10 new Nordic customers",
                                            "north-sales", "North Sales")
    assert [(r.before, r.item.id) for r in goals.renamed] == [("north-new-arr", "north-arr-2027")]
    assert [(m.item.id, m.before.id, m.after.id) for m in goals.moved] == [
        ("north-handover-quality", "north-sales", "iberia-sales")]


def test_a_renamed_team_moves_none_of_its_goals(found: changes.Changes) -> None:
    assert [(r.before, r.item.id) for r in found.teams.renamed] == [("south-sales", "iberia-sales")]
    assert found.teams.added == () and found.teams.retired == ()
    assert "south-new-logos" not in ids(found.goals.moved)


def test_goals_retargeted_realigned_retitled_and_reassigned(found: changes.Changes) -> None:
    (retargeted,) = found.goals.retargeted
    assert retargeted.item.id == "north-arr-2027"
    assert retargeted.fields == (
        changes.FieldChange("baseline", 900, 1200, "kEUR"),
        changes.FieldChange("target", 1200, 1500, "kEUR"),
        changes.FieldChange("time_frame", "2026-Q4", "2027-Q1"),
    )
    (realigned,) = found.goals.realigned
    assert (realigned.item.id, realigned.added, [o.id for o in realigned.removed]) == (
        "qualified-leads", (), ["customer-loyalty"])
    assert [(e.item.id, e.fields[0].before) for e in found.goals.retitled] == [
        ("north-arr-2027", "Sign €1.2 m of new-customer ARR")]
    assert [(e.item.id, e.fields[0].after) for e in found.goals.reassigned] == [
        ("north-arr-2027", "olaf-berg"), ("north-handover-quality", "nora-lind")]


def test_a_renamed_objective_does_not_realign_the_goals_that_serve_it(found: changes.Changes) -> None:
    assert [(r.before, r.item.id) for r in found.objectives.renamed] == [("delight-customers", "customer-loyalty")]
    assert "north-handover-quality" not in ids(found.goals.realigned)
    changed = {e.item.id: [f.field for f in e.fields] for e in found.objectives.changed}
    assert changed == {"grow-revenue": ["key_metrics.arr.baseline", "key_metrics.arr.target"],
                       "customer-loyalty": ["title", "key_metrics.nps.target"]}


def test_the_same_plan_has_no_changes(quarters: tuple[Plan, Plan]) -> None:
    old, _ = quarters
    assert changes.compare(old, old, "a", "b").is_empty()
    assert "No goal, objective or team changed." in report.render(changes.compare(old, old, "a", "b"), "text")


def test_a_goal_removed_without_a_record_is_reported_as_such(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    text = (plan_dir / "teams/south-sales.yaml").read_text(encoding="utf-8")
    (plan_dir / "teams/south-sales.yaml").write_text(text[:text.index("goals:")] + text[text.index("people:"):],
                                                      encoding="utf-8")
    found = changes.compare(load_plan(SMALL_PLAN), load_plan(plan_dir), "old", "new")
    (retired,) = found.goals.retired
    assert (retired.item.id, retired.recorded, retired.reason) == ("south-new-logos", False, None)
    assert "removed with no record in retired.yaml" in report.render(found, "text")


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_the_report_matches_the_golden_file(found: changes.Changes, fmt: str) -> None:
    golden = GOLDEN / {"text": "changes.txt", "markdown": "changes.md", "json": "changes.json"}[fmt]
    text = report.render(found, fmt)  # type: ignore[arg-type]
    if goldens.updating():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_json_keeps_every_category_so_tools_see_one_shape(found: changes.Changes) -> None:
    data = json.loads(report.render(found, "json"))
    assert sorted(data) == ["goals", "new", "objectives", "old", "people", "teams"]
    assert sorted(data["goals"]) == ["added", "moved", "realigned", "reassigned", "renamed", "retargeted",
                                     "retired", "retitled"]
    assert data["goals"]["retargeted"][0]["fields"][1] == {"field": "target", "before": 1200.0, "after": 1500.0,
                                                           "unit": "kEUR"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def test_diff_reads_plan_folders_snapshots_and_git_revisions(tmp_path: Path, monkeypatch, capsys) -> None:
    repo = tmp_path / "repo"
    plan_dir = make_plan(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "0")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "Q4 plan")
    replace_in(plan_dir, "teams/north-sales.yaml", "target: 1200", "target: 1300")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-am", "raise the target")
    monkeypatch.chdir(repo)
    assert cli.main(["diff", "HEAD~1:plan", "plan", "--format", "json"]) == 0
    by_git = json.loads(capsys.readouterr().out)
    assert by_git["old"] == "HEAD~1:plan"
    assert [(g["item"]["id"], g["fields"]) for g in by_git["goals"]["retargeted"]] == [
        ("north-new-arr", [{"field": "target", "before": 1200.0, "after": 1300.0, "unit": "kEUR"}])]
    assert cli.main(["build", "--quiet", "--plan", "plan", "--site-dir", str(tmp_path / "site"),
                     "--config", str(TESTS.parent / "mkdocs.yml")]) == 0
    capsys.readouterr()
    assert cli.main(["diff", str(tmp_path / "site"), "HEAD~1:plan"]) == 0
    assert "target 1,300 kEUR -> 1,200 kEUR" in capsys.readouterr().out
    assert cli.main(["diff", str(tmp_path / "site" / "plan.json"), "plan"]) == 0
    assert "No goal, objective or team changed." in capsys.readouterr().out


def test_diff_names_what_it_cannot_read(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["diff", "no-such-plan", str(SMALL_PLAN)]) == 1
    assert "'no-such-plan' names no plan" in capsys.readouterr().err


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=3)), st.sets(st.integers(min_value=0, max_value=3)))
def test_renamed_goals_are_renames_and_dropped_goals_are_retirements(renamed: set[int], dropped: set[int]) -> None:
    """Whatever goals are renamed (with formerly) or dropped, the diff says exactly that, and no link is lost
    once the dropped ones are recorded in retired.yaml."""
    old = load_plan(SMALL_PLAN)
    goals = [goal for _, goal in old.goals()]
    assert len(goals) == 4
    dropped_ids = {goals[i].id for i in dropped - renamed}
    renamed_ids = {goals[i].id for i in renamed}

    def edit(goal):
        return goal.model_copy(update={"id": f"{goal.id}-new", "formerly": (goal.id,)}) if goal.id in renamed_ids \
            else goal

    teams = tuple(t.model_copy(update={"goals": tuple(edit(g) for g in t.goals if g.id not in dropped_ids)})
                  for t in old.teams)
    retired = tuple(Retirement(kind="goal", id=g.id, title=g.title, retired="2027-Q1", reason="Done.")
                    for g in goals if g.id in dropped_ids)
    new = dataclasses.replace(old, teams=teams, reviews=(), retired=retired)
    found = changes.compare(old, new, "old", "new")
    assert {(r.before, r.item.id) for r in found.goals.renamed} == {(i, f"{i}-new") for i in renamed_ids}
    assert {r.item.id for r in found.goals.retired} == dropped_ids
    assert all(r.recorded for r in found.goals.retired)
    assert found.goals.added == () and found.goals.moved == ()
    assert lineage.vanished(new, [("old", old)]) == []
    assert [v.id for v in lineage.vanished(dataclasses.replace(new, retired=()), [("old", old)])] == sorted(dropped_ids)


def test_diff_compares_what_the_audience_sees(tmp_path: Path, capsys) -> None:
    plan_dir = make_plan(tmp_path)
    replace_in(plan_dir, "teams/south-sales.yaml", "  - id: south-new-logos\n",
               "  - id: south-new-logos\n    visibility: internal\n")
    assert cli.main(["diff", str(SMALL_PLAN), str(plan_dir), "--format", "json"]) == 0
    public = json.loads(capsys.readouterr().out)
    assert [r["item"]["id"] for r in public["goals"]["retired"]] == ["south-new-logos"]
    assert cli.main(["diff", str(SMALL_PLAN), str(plan_dir), "--audience", "internal"]) == 0
    assert "No goal, objective or team changed." in capsys.readouterr().out
