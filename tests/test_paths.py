"""No id can make the generator write outside its output folder, or make two items share a page.

Ids become file names and URLs. Three guards hold: the schema and the loader
accept only lowercase letters and digits joined by single hyphens; every id that
passes maps to a page path inside the folder; and `sync_pages` refuses any path
that is absolute or resolves outside the folder, whatever produced it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_handbook.plan import urls
from sales_handbook.plan.diagnostics import Diagnostic, PlanError
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.schema import ID_PATTERN, PERIOD_PATTERN, Department
from sales_handbook.speed.writing import check_inside, sync_pages
from tests.planfiles import make_plan, replace_in, write

HOSTILE_IDS = ["../x", "/etc/x", ".", "..", "a/b", "a\\b", "A", "a--b", "-a", "a-", "é", "r&d", "R&D", "a b", ""]


def problems(plan: Path) -> tuple[Diagnostic, ...]:
    with pytest.raises(PlanError) as caught:
        load_plan(plan)
    return caught.value.diagnostics


def the_one(found: tuple[Diagnostic, ...], message: str, file: str) -> Diagnostic:
    matching = [d for d in found if message in d.message and d.file.endswith(file)]
    assert len(matching) == 1, "\n".join(d.format() for d in found)
    assert matching[0].line >= 1
    return matching[0]


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_a_goal_id_that_is_not_a_plain_slug_is_rejected(tmp_path: Path, bad: str) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "teams/north-sales.yaml", "- id: north-new-arr", f"- id: {json.dumps(bad)}")
    found = the_one(problems(plan), f"malformed id {bad!r}", "teams/north-sales.yaml")
    assert "lowercase letters and digits joined by single hyphens" in found.message


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_an_objective_id_that_is_not_a_plain_slug_is_rejected(tmp_path: Path, bad: str) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "objectives.yaml", "- id: grow-revenue", f"- id: {json.dumps(bad)}")
    the_one(problems(plan), f"malformed id {bad!r}", "objectives.yaml")


@pytest.mark.parametrize("bad", [".", "A", "a--b", "-a", "a-", "é", "r&d", "R&D", "a b", "index.md"])
def test_a_team_file_name_that_is_not_a_plain_slug_is_rejected(tmp_path: Path, bad: str) -> None:
    plan = make_plan(tmp_path)
    (plan / "teams" / "south-sales.yaml").rename(plan / "teams" / f"{bad}.yaml")
    found = the_one(problems(plan), f"malformed team id {bad!r}", f"teams/{bad}.yaml")
    assert "rename the file" in found.hint


@pytest.mark.parametrize("bad", [".", "2026-q3", "2026-Q5", "2026-Q3-x", "é", "index", "..2026-Q3"])
def test_a_review_file_name_that_is_not_a_quarter_is_rejected(tmp_path: Path, bad: str) -> None:
    plan = make_plan(tmp_path)
    (plan / "reviews" / "2026-Q3.yaml").rename(plan / "reviews" / f"{bad}.yaml")
    the_one(problems(plan), f"malformed review period {bad!r}", f"reviews/{bad}.yaml")


def test_a_team_file_in_a_subfolder_is_not_taken_as_a_team(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    (plan / "teams" / "nested").mkdir()
    (plan / "teams" / "south-sales.yaml").rename(plan / "teams" / "nested" / "south-sales.yaml")
    the_one(problems(plan), "not part of the plan format", "teams/nested/south-sales.yaml")


@pytest.mark.parametrize(("file", "old", "kind"), [
    ("objectives.yaml", "- id: grow-revenue", "objective"),
    ("teams/south-sales.yaml", None, "team"),
])
def test_an_id_that_would_replace_an_overview_page_is_rejected(tmp_path: Path, file: str, old: str | None,
                                                               kind: str) -> None:
    plan = make_plan(tmp_path)
    if old is None:
        (plan / file).rename(plan / "teams" / "index.yaml")
        file = "teams/index.yaml"
    else:
        replace_in(plan, file, old, "- id: index")
    the_one(problems(plan), f"{kind} id 'index' is reserved", file)


def test_the_same_goal_id_in_two_team_files_is_an_error_naming_both(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "teams/south-sales.yaml", "- id: south-new-logos", "- id: north-new-arr")
    found = [d for d in problems(plan) if "duplicate goal or person id 'north-new-arr'" in d.message]
    assert len(found) == 1 and found[0].line >= 1
    assert found[0].file.endswith("teams/south-sales.yaml") and "teams/north-sales.yaml:" in found[0].message


def test_a_person_id_equal_to_a_goal_id_of_another_team_is_an_error(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "teams/south-sales.yaml", "lead: sofia-marin", "lead: qualified-leads")
    replace_in(plan, "teams/south-sales.yaml", "- id: sofia-marin", "- id: qualified-leads")
    replace_in(plan, "teams/south-sales.yaml", "owner: sofia-marin", "owner: qualified-leads")
    messages = [d.message for d in problems(plan)]
    assert any("duplicate goal or person id 'qualified-leads'" in m for m in messages), messages


@settings(max_examples=50)
@given(st.from_regex(ID_PATTERN, fullmatch=True), st.from_regex(PERIOD_PATTERN, fullmatch=True))
def test_every_valid_id_maps_to_a_page_inside_the_folder(item_id: str, period: str) -> None:
    folder = Path("/srv/handbook/pages")
    paths = [urls.objective_page(item_id), urls.team_page(item_id), urls.review_page(period),
             *(urls.department_page(d.value) for d in Department)]
    for path in paths:
        assert ".." not in Path(path).parts and not Path(path).is_absolute()
        check_inside(folder, path)


@pytest.mark.parametrize("rel", ["../x.md", "/etc/x.md", "teams/../../x.md", "a/../../x.md", ".", "", "teams/.."])
def test_sync_pages_refuses_a_path_outside_the_folder_and_writes_nothing(tmp_path: Path, rel: str) -> None:
    folder = tmp_path / "pages"
    with pytest.raises(ValueError, match="page path"):
        sync_pages(folder, {"index.md": "# Home\n", rel: "# Escaped\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_sync_pages_refuses_a_path_through_a_symlink_that_leads_outside(tmp_path: Path) -> None:
    folder, outside = tmp_path / "pages", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / "teams").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="not inside"):
        sync_pages(folder, {"teams/alpha.md": "# Alpha\n"})
    assert list(outside.iterdir()) == []


def test_sync_pages_cleans_up_without_following_a_symlink_outside(tmp_path: Path) -> None:
    folder, outside = tmp_path / "pages", tmp_path / "outside"
    folder.mkdir()
    write(outside, "precious.md", "keep me\n")
    (folder / "old").symlink_to(outside, target_is_directory=True)
    sync_pages(folder, {"index.md": "# Home\n"})
    assert (outside / "precious.md").read_text() == "keep me\n"
