"""Serve renders again only the pages an edit changed, and they read exactly as a full render."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.synthetic import write_plan
from sales_handbook.plan import urls
from sales_handbook.site import pages
from sales_handbook.speed.incremental import Renderer
from sales_handbook.plan.loader import Reader
from tests.planfiles import replace_in

@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return write_plan(tmp_path / "plan", teams=15, seed=5)


@pytest.fixture
def reader() -> Reader:
    """What `handbook serve` keeps from one load to the next: unchanged files come back as the same objects."""
    return Reader()


def first_team_file(plan_dir: Path) -> tuple[str, str]:
    path = sorted((plan_dir / "teams").glob("*.yaml"))[0]
    return f"teams/{path.name}", path.stem


def test_first_render_is_the_full_render(plan_dir: Path, reader: Reader) -> None:
    plan = reader.load(plan_dir)
    renderer = Renderer()
    assert renderer.render(plan) == pages.render(plan)
    assert renderer.rendered_last == len(pages.plan_pages(plan))


def test_nothing_changed_renders_nothing(plan_dir: Path, reader: Reader) -> None:
    renderer = Renderer()
    renderer.render(reader.load(plan_dir))
    again = reader.load(plan_dir)
    assert renderer.render(again) == pages.render(again)
    assert renderer.rendered_last == 0


def retitle_goal(team: dict) -> None:
    team["goals"][0]["title"] = "Renamed goal one"


def raise_target(team: dict) -> None:
    team["goals"][0]["target"] += 7


def rename_team(team: dict) -> None:
    team["name"] = "Zz Renamed Team"


def serve_another_objective(team: dict) -> None:
    team["goals"][0]["aligns_to"] = [{"objective": "objective-40", "why": "It moved."}]


@pytest.mark.parametrize("edit", [retitle_goal, raise_target, rename_team, serve_another_objective],
                         ids=lambda f: f.__name__)
def test_an_edit_renders_its_pages_again_and_they_match_a_full_render(plan_dir: Path, reader: Reader, edit) -> None:
    rel, team_id = first_team_file(plan_dir)
    renderer = Renderer()
    before = renderer.render(reader.load(plan_dir))
    team = yaml.safe_load((plan_dir / rel).read_text(encoding="utf-8"))
    edit(team)
    (plan_dir / rel).write_text(yaml.safe_dump(team, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plan = reader.load(plan_dir)
    after = renderer.render(plan)
    assert after == pages.render(plan)  # never stale
    assert after[urls.team_page(team_id)] != before[urls.team_page(team_id)]
    assert 0 < renderer.rendered_last < len(after) / 2  # and most pages were kept


def test_an_edit_to_objectives_reaches_every_page_showing_them(plan_dir: Path, reader: Reader) -> None:
    renderer = Renderer()
    renderer.render(reader.load(plan_dir))
    replace_in(plan_dir, "objectives.yaml", "title: Growth objective 1\n", "title: Grow faster\n")
    plan = reader.load(plan_dir)
    assert renderer.render(plan) == pages.render(plan)
    assert "Grow faster" in renderer.render(plan)[urls.objective_page("objective-01")]


def test_unchanged_files_load_as_the_same_objects(plan_dir: Path, reader: Reader) -> None:
    rel, team_id = first_team_file(plan_dir)
    first = reader.load(plan_dir)
    replace_in(plan_dir, rel, "target: ", "target: 9", count=25)
    second = reader.load(plan_dir)
    assert second.team(team_id) is not first.team(team_id)
    assert second.team(team_id) != first.team(team_id)
    others = [t.id for t in first.teams if t.id != team_id]
    assert all(second.team(t) is first.team(t) for t in others)
    assert second.objectives is first.objectives
