"""Values over time: the merge of readings into series (`model/trends.py`), history.json, and the git source
with its blob cache (`publish/trendsources.py`), on real git repositories."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_handbook.model import trends
from sales_handbook.model.trends import Point, Reading, TrendsError
from sales_handbook.plan.loader import load_plan
from sales_handbook.publish import trendsources
from sales_handbook.site import diagrams
from tests.planfiles import make_plan, replace_in

D = dt.date
QUALIFIED = trends.goal_key("qualified-leads")
ARR = trends.metric_key("grow-revenue", "arr")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - a Plan
    """The small plan: as_of 2026-11-15; qualified-leads at 55, the key metric arr at 11.2."""
    return load_plan(make_plan(tmp_path_factory.mktemp("small")))


def reading(day: dt.date, **values: trends.Value) -> Reading:
    keys = {"qualified": QUALIFIED, "arr": ARR, "gone": trends.goal_key("no-such-goal")}
    return Reading(day, {keys[name]: value for name, value in values.items()})


# ---------------------------------------------------------------- the merge rule


def test_one_point_per_day_a_later_reading_wins_and_the_plan_gives_the_last_point(small) -> None:  # noqa: ANN001
    got = trends.series(small, [reading(D(2026, 10, 1), qualified=(40.0, "low", "Slow start")),
                                reading(D(2026, 10, 1), qualified=(42.0, "medium", None)),
                                reading(D(2026, 10, 31), qualified=(50.0, None, None), arr=(10.5, None, None))])
    assert got[QUALIFIED] == (Point(D(2026, 10, 1), 42.0, "medium", None), Point(D(2026, 10, 31), 50.0),
                              Point(D(2026, 11, 15), 55.0))
    assert got[ARR] == (Point(D(2026, 10, 31), 10.5), Point(D(2026, 11, 15), 11.2, "medium"))


def test_the_plan_being_built_wins_its_own_day_and_later_days_are_dropped(small) -> None:  # noqa: ANN001
    got = trends.series(small, [reading(D(2026, 11, 15), qualified=(1.0, None, None)),
                                reading(D(2026, 12, 1), qualified=(99.0, None, None))])
    assert got[QUALIFIED] == (Point(D(2026, 11, 15), 55.0),)


def test_the_published_series_comes_first_and_any_reading_of_its_days_wins(small) -> None:  # noqa: ANN001
    earlier = {QUALIFIED: (Point(D(2026, 9, 30), 30.0, "high", "From the site"), Point(D(2026, 10, 15), 44.0))}
    got = trends.series(small, [reading(D(2026, 10, 15), qualified=(45.0, None, None))], earlier)
    assert [(p.as_of, p.current) for p in got[QUALIFIED]] == [(D(2026, 9, 30), 30.0), (D(2026, 10, 15), 45.0),
                                                              (D(2026, 11, 15), 55.0)]
    assert got[QUALIFIED][0].note == "From the site"


def test_points_follow_renames_of_goals_and_of_a_key_metrics_objective(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    replace_in(plan_dir, "teams/field-marketing.yaml", "    metric: custom\n",
               "    formerly: [webinar-leads]\n    metric: custom\n")
    replace_in(plan_dir, "objectives.yaml", "    category: growth\n",
               "    category: growth\n    formerly: [grow-arr]\n")
    plan = load_plan(plan_dir)
    old = Reading(D(2026, 10, 1), {trends.goal_key("webinar-leads"): (41.0, None, None),
                                   trends.metric_key("grow-arr", "arr"): (10.1, None, None),
                                   trends.goal_key("retired-long-ago"): (3.0, None, None)})
    got = trends.series(plan, [old])
    assert [p.current for p in got[QUALIFIED]] == [41.0, 55.0]
    assert [p.current for p in got[ARR]] == [10.1, 11.2]
    assert trends.goal_key("retired-long-ago") not in got and trends.goal_key("webinar-leads") not in got


def test_missing_values_give_no_point_and_a_plan_without_as_of_no_reading(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    replace_in(plan_dir, "organization.yaml", "as_of: 2026-11-15\n", "")
    plan = load_plan(plan_dir)
    assert trends.reading(plan) is None
    goal = plan.goal("qualified-leads")[1]
    assert trends.value_of(goal.model_copy(update={"current": None})) is None
    assert trends.value_of(goal.model_copy(update={"current": None, "note": "Counting again"})) == \
        (None, None, "Counting again")
    got = trends.series(plan, [reading(D(2026, 10, 1), qualified=(None, "low", None))])
    assert got[QUALIFIED] == (Point(D(2026, 10, 1), None, "low"), Point(D(2026, 12, 31), 55.0))  # the period's end
    assert diagrams.trend(got[QUALIFIED], 80.0) is None  # one point with a value: no line


days = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 11, 15))
values = st.tuples(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), st.sampled_from([None, "low", "high"]),
                   st.none())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(days, values), max_size=12))
def test_property_a_series_is_one_point_per_day_sorted_the_last_reading_of_a_day_winning(small,  # noqa: ANN001
                                                                                         given: list) -> None:
    got = trends.series(small, [Reading(day, {QUALIFIED: value}) for day, value in given])[QUALIFIED]
    dates = [p.as_of for p in got]
    assert dates == sorted(set(dates)) and dates[-1] == D(2026, 11, 15)
    assert got[-1].current == 55.0
    last_of_day = dict(given)
    for point in got[:-1]:
        assert (point.current, point.confidence, point.note) == last_of_day[point.as_of]


# ---------------------------------------------------------------- history.json


def test_history_json_reads_back_what_it_holds_and_skips_fields_it_does_not_know(small) -> None:  # noqa: ANN001
    got = trends.series(small, [reading(D(2026, 10, 1), qualified=(40.0, "low", "Slow «start»"),
                                        arr=(10.0, None, None))])
    raw = trends.dumps(got)
    assert trends.loads(raw, "history.json") == got
    data = json.loads(raw)
    assert data["schema_version"] == 1
    assert data["goals"]["qualified-leads"][0] == {"as_of": "2026-10-01", "current": 40.0, "confidence": "low",
                                                   "note": "Slow «start»"}
    assert data["metrics"]["grow-revenue"]["arr"][-1] == {"as_of": "2026-11-15", "current": 11.2, "confidence": "medium"}
    data["goals"]["qualified-leads"][0]["trend_colour"] = "red"
    data["dashboards"] = {}
    assert trends.loads(json.dumps(data).encode(), "x")[QUALIFIED] == got[QUALIFIED]


@pytest.mark.parametrize(("raw", "message"), [
    (b"{not json", "not a history.json written by the handbook"),
    (b'{"goals": {}}', "no schema_version"),
    (b'{"schema_version": 2, "goals": {}}', "written by a newer handbook"),
    (b'{"schema_version": 1, "goals": {"a": [{"current": 1}]}}', "does not hold a valid history"),
])
def test_a_history_json_that_cannot_be_read_is_named_with_the_reason(raw: bytes, message: str) -> None:
    with pytest.raises(TrendsError, match=message) as error:
        trends.loads(raw, "gh-pages:2026-Q4/history.json")
    assert str(error.value).startswith("gh-pages:2026-Q4/history.json: ")


# ---------------------------------------------------------------- the git source and its cache


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def check_in(project: Path, as_of: str, current: int, confidence: str, note: str | None = None) -> None:
    """Set the plan's as_of and qualified-leads' current and confidence (and note), and commit."""
    organization = project / "plan" / "organization.yaml"
    organization.write_text(re.sub(r"(?m)^as_of: .*$", f"as_of: {as_of}", organization.read_text()))
    team = project / "plan" / "teams" / "field-marketing.yaml"
    text = re.sub(r"(?m)^    (confidence|note): .*\n", "", team.read_text())
    extra = f"    confidence: {confidence}\n" + (f"    note: {note}\n" if note else "")
    team.write_text(re.sub(r"(?m)^    current: \d+\n", f"    current: {current}\n{extra}", text, count=1))
    git(project, "commit", "-qam", f"Check-in of {as_of}")


def project_with_check_ins(root: Path) -> Path:
    """A git repository holding the small plan (commit 1, as_of 2026-11-15) and three check-ins after it."""
    project = root / "project"
    make_plan(project)
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.name", "Plan Owner")
    git(project, "config", "user.email", "owner@example.com")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "The plan")
    check_in(project, "2026-10-15", 45, "low", "Webinar two was cancelled")
    check_in(project, "2026-10-31", 50, "medium")
    check_in(project, "2026-11-15", 55, "high")
    return project


def test_each_commit_gives_the_reading_of_the_plan_as_committed(tmp_path: Path) -> None:
    project = project_with_check_ins(tmp_path)
    readings, parsed = trendsources.from_git(project / "plan", tmp_path / "cache")
    assert [(r.as_of, r.values[QUALIFIED]) for r in readings] == [
        (D(2026, 11, 15), (55.0, None, None)), (D(2026, 10, 15), (45.0, "low", "Webinar two was cancelled")),
        (D(2026, 10, 31), (50.0, "medium", None)), (D(2026, 11, 15), (55.0, "high", None))]
    assert readings[1].values[ARR] == (11.2, "medium", None)  # unchanged files count in every commit
    assert parsed == 10  # one per distinct blob: organization.yaml 3 (the last as the first), objectives.yaml 1,
    # field-marketing.yaml 4, the two other team files 1 each


def test_a_second_read_parses_no_blob_and_a_corrupt_cache_is_read_again(tmp_path: Path) -> None:
    project = project_with_check_ins(tmp_path)
    cache = tmp_path / "cache"
    first, _ = trendsources.from_git(project / "plan", cache)
    again, parsed = trendsources.from_git(project / "plan", cache)
    assert (again, parsed) == (first, 0)
    cache_file = cache / trendsources.CACHE_FOLDER / trendsources.CACHE_FILE
    for corrupt in (b"\x00garbage", json.dumps({"version": 1, "blobs": {
            key: {"goals": [["qualified-leads"]]} for key in json.loads(cache_file.read_bytes())["blobs"]}}).encode()):
        cache_file.write_bytes(corrupt)
        read, parsed = trendsources.from_git(project / "plan", cache)
        assert (read, parsed) == (first, 10)
        assert trendsources.from_git(project / "plan", cache) == (first, 0)  # written again


def test_with_a_published_history_only_commits_of_its_last_day_or_later_are_read(tmp_path: Path) -> None:
    project = project_with_check_ins(tmp_path)
    readings, parsed = trendsources.from_git(project / "plan", None, since=D(2026, 10, 31))
    assert [(r.as_of, r.values[QUALIFIED]) for r in readings] == [
        (D(2026, 11, 15), (55.0, None, None)), (D(2026, 10, 31), (50.0, "medium", None)),
        (D(2026, 11, 15), (55.0, "high", None))]
    assert parsed == 3 + 1 + 3 + 2  # every organization.yaml; the files of the three commits read


def test_a_plan_outside_git_or_in_a_shallow_clone_gives_fewer_readings_never_an_error(tmp_path: Path) -> None:
    assert trendsources.from_git(make_plan(tmp_path / "loose"), None) == ([], 0)
    project = project_with_check_ins(tmp_path)
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{project}", str(tmp_path / "shallow")], check=True)
    readings, _ = trendsources.from_git(tmp_path / "shallow" / "plan", None)
    assert [(r.as_of, r.values[QUALIFIED]) for r in readings] == [(D(2026, 11, 15), (55.0, "high", None))]


def test_a_quoted_as_of_counts_as_the_loader_reads_it(tmp_path: Path) -> None:
    project = project_with_check_ins(tmp_path)
    organization = project / "plan" / "organization.yaml"
    organization.write_text(organization.read_text().replace("as_of: 2026-11-15", "as_of: '2026-11-20'"))
    git(project, "commit", "-qam", "Quoted")
    readings, _ = trendsources.from_git(project / "plan", None)
    assert readings[-1].as_of == D(2026, 11, 20)


def test_a_commit_whose_files_are_not_a_valid_plan_still_gives_its_numbers_or_nothing(tmp_path: Path) -> None:
    project = project_with_check_ins(tmp_path)
    team = project / "plan" / "teams" / "field-marketing.yaml"
    team.write_text(team.read_text().replace("    current: 55\n", "    current: 56\n    colour: teal\n", 1))
    git(project, "commit", "-qam", "An unknown field")
    (project / "plan" / "objectives.yaml").write_text("objectives: [unclosed\n")
    git(project, "commit", "-qam", "Not YAML")
    readings, _ = trendsources.from_git(project / "plan", None)
    assert readings[-2].values[QUALIFIED] == (56.0, "high", None)
    assert readings[-1].values[QUALIFIED] == (56.0, "high", None) and ARR not in readings[-1].values
