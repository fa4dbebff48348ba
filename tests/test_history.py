"""history: which published plan a build compares with, and which plans a review's changes run between."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from sales_handbook.model import snapshot
from sales_handbook.publish import history
from sales_handbook.publish.history import History, HistoryError, Published
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import Plan
from tests.planfiles import SMALL_PLAN, make_plan
from tests.publishing import git


def plan_for(period: str, north_target: int = 1200) -> Plan:
    plan = load_plan(SMALL_PLAN)
    north = plan.team("north-sales")
    goal = north.goals[0].model_copy(update={"target": north_target})
    teams = tuple(t.model_copy(update={"goals": (goal, *t.goals[1:])}) if t.id == "north-sales" else t
                  for t in plan.teams)
    return dataclasses.replace(plan, organization=plan.organization.model_copy(update={"period": period}),
                               teams=teams)


def published(version: str, period: str, *aliases: str, target: int = 1200) -> Published:
    return Published(version, version, aliases, plan_for(period, target))


def test_the_previous_version_is_the_one_latest_points_to_but_never_the_one_being_built() -> None:
    q4, q3 = published("2026-Q4", "2026-Q4", "latest"), published("2026-Q3", "2026-Q3")
    assert History((q4, q3)).previous() == q4
    assert History((q4, q3), building="2027-Q1").previous() == q4
    assert History((q4, q3), building="2026-Q4").previous() == q3
    assert History((q3,), building="2026-Q3").previous() is None
    assert History().previous() is None


def test_a_review_compares_the_plan_of_its_quarter_with_the_plan_that_followed() -> None:
    current = plan_for("2027-Q1", north_target=1500)
    past = History((published("2026-Q4", "2026-Q4", "latest", target=1300), published("2026-Q3", "2026-Q3")))
    q3 = past.review_changes("2026-Q3", current, "2027-Q1")
    assert (q3.old, q3.new) == ("2026-Q3", "2026-Q4")
    assert [f.after for f in q3.goals.retargeted[0].fields] == [1300]
    q4 = past.review_changes("2026-Q4", current, "2027-Q1")
    assert (q4.old, q4.new) == ("2026-Q4", "2027-Q1")
    assert [f.after for f in q4.goals.retargeted[0].fields if f.field == "target"] == [1500]
    assert past.review_changes("2026-Q2", current, "2027-Q1") is None
    assert past.review_changes("2027-Q1", current, "2027-Q1") is None


def test_the_plan_being_built_stands_for_its_quarter_over_an_earlier_snapshot_of_it() -> None:
    rebuilt = plan_for("2026-Q4", north_target=1400)
    past = History((published("2026-Q4", "2026-Q4", "latest", target=1300), published("2026-Q3", "2026-Q3")),
                   building="2026-Q4")
    q3 = past.review_changes("2026-Q3", rebuilt, "2026-Q4")
    assert [f.after for f in q3.goals.retargeted[0].fields] == [1400]
    found = past.comparisons(rebuilt, "2026-Q4")
    assert found.previous == "2026-Q3" and set(found.reviews) == {"2026-Q3"}


def test_a_snapshot_path_is_a_file_or_a_site_folder(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    assert history.load("none", plan_dir=tmp_path, branch="gh-pages").published == ()
    with pytest.raises(HistoryError, match="no such file: give a plan.json or a built site folder"):
        history.load(str(tmp_path / "site"), plan_dir=tmp_path, branch="gh-pages")
    (tmp_path / "site" / "plan.json").write_bytes(snapshot.dumps(plan_for("2026-Q4"), version="2026-Q4",
                                                                  title="Q4 2026"))
    (found,) = history.load(str(tmp_path / "site"), plan_dir=tmp_path, branch="gh-pages").published
    assert (found.version, found.title, found.label) == ("2026-Q4", "Q4 2026", "Q4 2026 (2026-Q4)")
    (tmp_path / "bad.json").write_text('{"schema_version": 7}', encoding="utf-8")
    with pytest.raises(HistoryError, match="schema_version 7 is not 1"):
        history.load(str(tmp_path / "bad.json"), plan_dir=tmp_path, branch="gh-pages")


def test_auto_finds_nothing_outside_a_repository_or_without_the_branch(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    assert history.load("auto", plan_dir=plan_dir, branch="gh-pages").published == ()
    git(tmp_path, "init", "-q", "-b", "main")
    assert history.load("auto", plan_dir=plan_dir, branch="gh-pages").published == ()


def test_auto_reads_every_version_on_the_branch_that_has_a_plan(tmp_path: Path) -> None:
    """Versions published before the handbook wrote plan.json are skipped, not errors."""
    plan_dir = make_plan(tmp_path)
    git(tmp_path, "init", "-q", "-b", "gh-pages")
    (tmp_path / "versions.json").write_text(json.dumps([
        {"version": "2026-Q4", "title": "2026-Q4", "aliases": ["latest"]},
        {"version": "2026-Q3", "title": "2026-Q3", "aliases": []},
    ]), encoding="utf-8")
    (tmp_path / "2026-Q4").mkdir()
    (tmp_path / "2026-Q4" / "plan.json").write_bytes(snapshot.dumps(load_plan(plan_dir)))
    (tmp_path / "2026-Q3").mkdir()
    (tmp_path / "2026-Q3" / "index.html").write_text("<p>old</p>", encoding="utf-8")
    git(tmp_path, "add", "versions.json", "2026-Q4", "2026-Q3")
    git(tmp_path, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "pages")
    git(tmp_path, "checkout", "-q", "--orphan", "main")
    found = history.load("auto", plan_dir=plan_dir, branch="gh-pages")
    assert [(p.version, p.aliases) for p in found.published] == [("2026-Q4", ("latest",))]
    assert found.source == "branch gh-pages"
    assert [label for label, _ in found.labelled()] == ["2026-Q4"]
