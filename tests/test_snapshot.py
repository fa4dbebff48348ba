"""plan.json: in every built site, the validated plan as data, byte-stable, and readable back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_handbook.model import snapshot
from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.loader import load_plan
from sales_handbook.model.snapshot import SnapshotError
from tests.planfiles import EXAMPLE_PLAN, SMALL_PLAN

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(str.strip)


def test_every_built_site_has_the_plan_as_data(example_site: Path) -> None:
    raw = (example_site / "plan.json").read_bytes()
    data = json.loads(raw)
    plan = for_audience(load_plan(EXAMPLE_PLAN), Audience.public)  # example_site is the public build
    assert data["schema_version"] == snapshot.SCHEMA_VERSION
    assert [t["id"] for t in data["teams"]] == [t.id for t in plan.teams]
    goals = {g["id"]: g for t in data["teams"] for g in t["goals"]}
    team, goal = plan.goals()[0]
    assert goals[goal.id]["target"] == goal.target
    assert goals[goal.id]["aligns_to"][0]["objective"] == goal.aligns_to[0].objective
    assert "built_at" not in data and "published" not in data
    assert raw == snapshot.dumps(plan)


def test_a_public_site_holds_no_internal_item_in_its_plan_json(example_site: Path) -> None:
    whole = load_plan(EXAMPLE_PLAN)
    public = for_audience(whole, Audience.public)
    internal_teams = {t.id for t in whole.teams} - {t.id for t in public.teams}
    internal_goals = {g.id for _, g in whole.goals()} - {g.id for _, g in public.goals()}
    assert internal_teams and internal_goals
    raw = (example_site / "plan.json").read_text(encoding="utf-8")
    assert [item for item in sorted(internal_teams | internal_goals) if f'"{item}"' in raw] == []


def test_the_snapshot_reads_back_to_the_same_plan() -> None:
    plan = load_plan(EXAMPLE_PLAN)
    raw = snapshot.dumps(plan)
    read = snapshot.loads(raw, "plan.json")
    assert (read.version, read.label) == (None, plan.organization.period)
    assert read.plan.teams == plan.teams and read.plan.reviews == plan.reviews
    assert read.plan.objectives == plan.objectives and read.plan.organization == plan.organization
    assert snapshot.dumps(read.plan) == raw


def test_keys_are_sorted_and_lists_keep_plan_order() -> None:
    raw = snapshot.dumps(load_plan(SMALL_PLAN))
    data = json.loads(raw)
    assert list(data) == sorted(data) and all(list(team) == sorted(team) for team in data["teams"])
    lines = {line.rstrip(",") for line in raw.decode().splitlines()}  # one item per line: diffs show what changed
    assert all(json.dumps(item, sort_keys=True, ensure_ascii=False) in lines
               for part in ("objectives", "teams", "reviews") for item in data[part])
    assert [o["id"] for o in data["objectives"]] == ["grow-revenue", "delight-customers"]


def test_a_published_version_and_source_date_epoch_are_recorded_only_when_given() -> None:
    plan = load_plan(SMALL_PLAN)
    stamp = snapshot.built_at({"SOURCE_DATE_EPOCH": "1790000000"})
    assert stamp == "2026-09-21T14:13:20Z"
    assert snapshot.built_at({}) is None
    data = json.loads(snapshot.dumps(plan, version="2026-Q4", title="Q4 2026", built_at=stamp))
    assert (data["published"], data["built_at"]) == ({"version": "2026-Q4", "title": "Q4 2026"}, stamp)
    assert snapshot.loads(snapshot.dumps(plan, version="2026-Q4", title="Q4 2026"), "x").label == "2026-Q4"


@pytest.mark.parametrize(("raw", "message"), [
    (b"\xff", "x.json: not a plan.json written by the handbook"),
    (b"[1, 2]", "x.json: not a plan.json written by the handbook (no schema_version)"),
    (b'{"schema_version": 99}', "schema_version 99 is not 1; it was written by a newer handbook"),
    (b'{"schema_version": 1, "organization": {}}', "x.json: plan.json does not hold a valid plan"),
])
def test_an_unreadable_snapshot_is_a_clear_error(raw: bytes, message: str) -> None:
    with pytest.raises(SnapshotError, match=message.replace("(", r"\(").replace(")", r"\)")):
        snapshot.loads(raw, "x.json")


@settings(max_examples=30, deadline=None)
@given(title=TEXT, target=st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_any_title_and_number_survive_the_round_trip(title: str, target: float) -> None:
    plan = load_plan(SMALL_PLAN)
    team = plan.teams[0]
    goal = team.goals[0].model_copy(update={"title": title, "target": target})
    edited = type(plan)(plan.organization, plan.objectives,
                        (team.model_copy(update={"goals": (goal, *team.goals[1:])}), *plan.teams[1:]),
                        plan.benefits, plan.reviews)
    read = snapshot.loads(snapshot.dumps(edited), "plan.json").plan
    assert read.teams[0].goals[0].title == title
    assert read.teams[0].goals[0].target == target


def test_a_plan_json_from_a_newer_handbook_with_fields_this_one_does_not_know_is_read() -> None:
    """A newer handbook adds optional fields without a new schema_version: this one reads around them."""
    data = json.loads(snapshot.dumps(load_plan(SMALL_PLAN)))
    data["dashboard"] = {"colour": "blue"}
    data["organization"]["fiscal_year_start"] = "04-01"
    data["teams"][0]["slack_channel"] = "#north"
    data["teams"][0]["goals"][0]["forecast"] = {"level": "high", "note": "pipeline is full"}
    data["objectives"][0]["key_metrics"][0]["source"] = "CRM"
    read = snapshot.loads(json.dumps(data).encode(), "plan.json").plan
    assert snapshot.dumps(read) == snapshot.dumps(load_plan(SMALL_PLAN))
