"""lineage: what every published id became, and the check that no published id is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_handbook.plan import lineage
from sales_handbook.rules import health
from sales_handbook.plan.diagnostics import PlanError
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import Plan
from sales_handbook.plan.schema import Retirement
from tests.planfiles import make_plan, replace_in, write

RETIRED_WEBINARS = """\
retired:
  - kind: goal
    id: south-webinars
    title: Run four webinars for Iberian food distributors
    retired: 2026-Q4
    reason: Field Marketing runs webinars for both sales teams now.
    successor: qualified-leads
"""


@pytest.fixture()
def plan_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make_plan(tmp_path)
    return Path("plan")


def test_live_former_and_retired_ids_resolve(plan_dir: Path) -> None:
    replace_in(plan_dir, "teams/north-sales.yaml", "  - id: north-new-arr\n",
               "  - id: north-new-arr\n    formerly: [north-arr]\n")
    write(plan_dir, "retired.yaml", RETIRED_WEBINARS)
    known = lineage.of(load_plan(plan_dir))
    live = known.resolve("goal", "north-new-arr")
    assert isinstance(live, lineage.Item)
    assert (live.page, live.anchor) == ("teams/north-sales.md", "north-new-arr")
    assert known.resolve("goal", "north-arr") == live
    retired = known.resolve("goal", "south-webinars")
    assert isinstance(retired, Retirement) and retired.successor == "qualified-leads"
    assert known.resolve("goal", "no-such-goal") is None
    assert known.resolve("team", "north-arr") is None
    assert {"north-arr", "south-webinars", "olaf-new-arr"} <= known.published_ids("goal")


def test_individual_goals_and_people_have_permanent_ids(plan_dir: Path) -> None:
    known = lineage.of(load_plan(plan_dir))
    olaf_goal = known.resolve("goal", "olaf-new-arr")
    olaf = known.resolve("person", "olaf-berg")
    assert isinstance(olaf_goal, lineage.Item) and (olaf_goal.page, olaf_goal.anchor) == (
        "people/olaf-berg.md", "olaf-new-arr")
    assert isinstance(olaf, lineage.Item) and (olaf.page, olaf.anchor, olaf.title, olaf.team) == (
        "people/olaf-berg.md", None, "Olaf Berg", "north-sales")


def published(plan_dir: Path) -> list[tuple[str, Plan]]:
    return [("2026-Q3", load_plan(plan_dir))]


def test_nothing_vanishes_when_every_removal_is_recorded(plan_dir: Path) -> None:
    before = published(plan_dir)
    replace_in(plan_dir, "teams/north-sales.yaml", "id: north-new-arr", "id: north-arr\n    formerly: [north-new-arr]")
    replace_in(plan_dir, "teams/north-sales.yaml", "      - north-new-arr", "      - north-arr")
    replace_in(plan_dir, "reviews/2026-Q3.yaml", "goal: north-new-arr", "goal: north-arr")
    assert lineage.check_published(load_plan(plan_dir), before, "plan/retired.yaml") == []


def test_a_removed_goal_is_an_error_that_says_how_to_fix_it(plan_dir: Path) -> None:
    before = published(plan_dir)
    text = (plan_dir / "teams/south-sales.yaml").read_text(encoding="utf-8")
    goals_start, people_start = text.index("goals:"), text.index("people:")
    (plan_dir / "teams/south-sales.yaml").write_text(text[:goals_start] + text[people_start:], encoding="utf-8")
    (problem,) = lineage.check_published(load_plan(plan_dir), before, "plan/retired.yaml")
    assert problem.format() == (
        "plan/retired.yaml:1:1: error: goal 'south-new-logos' was published in 2026-Q3 and is no longer in the plan, "
        "so its links would break\n"
        "    hint: if it was renamed, add 'formerly: [south-new-logos]' to its new entry; if it left the plan, "
        "add it to plan/retired.yaml: {kind: goal, id: south-new-logos, title: \"Win 12 new customers\", "
        "retired: 2026-Q4, reason: \"...\"}")


def test_a_removed_retirement_or_former_id_is_an_error(plan_dir: Path) -> None:
    replace_in(plan_dir, "teams/north-sales.yaml", "  - id: north-new-arr\n",
               "  - id: north-new-arr\n    formerly: [north-arr]\n")
    write(plan_dir, "retired.yaml", RETIRED_WEBINARS)
    before = published(plan_dir)
    (plan_dir / "retired.yaml").unlink()
    replace_in(plan_dir, "teams/north-sales.yaml", "    formerly: [north-arr]\n", "")
    problems = lineage.check_published(load_plan(plan_dir), before, "plan/retired.yaml")
    assert [p.message for p in problems] == [
        "goal 'north-arr' was published in 2026-Q3 as a former id of 'north-new-arr' and is no longer listed "
        "under any 'formerly:', so its links would break",
        "goal 'south-webinars' was published in 2026-Q3 as retired and is no longer in plan/retired.yaml, "
        "so its retirement page would disappear",
    ]
    assert problems[0].hint == "add 'north-arr' to 'formerly:' of goal 'north-new-arr', or retire it in plan/retired.yaml"
    assert "successor: qualified-leads" in problems[1].hint


def test_a_chain_of_renames_points_at_the_newest_holder(plan_dir: Path) -> None:
    replace_in(plan_dir, "teams/north-sales.yaml", "  - id: north-new-arr\n",
               "  - id: north-new-arr\n    formerly: [north-arr]\n")
    before = published(plan_dir)
    replace_in(plan_dir, "teams/north-sales.yaml", "id: north-new-arr\n    formerly: [north-arr]",
               "id: north-arr-2027\n    formerly: [north-new-arr]")
    replace_in(plan_dir, "teams/north-sales.yaml", "      - north-new-arr", "      - north-arr-2027")
    (problem,) = lineage.check_published(load_plan(plan_dir), before, "plan/retired.yaml")
    assert problem.hint == ("add 'north-arr' to 'formerly:' of goal 'north-arr-2027' ('north-new-arr' is now "
                            "'north-arr-2027'), or retire it in plan/retired.yaml")


def test_the_newest_version_that_published_an_id_is_named(plan_dir: Path) -> None:
    old = load_plan(plan_dir)
    replace_in(plan_dir, "teams/south-sales.yaml", "title: Win 12 new customers", "title: Win 14 new customers")
    newer = load_plan(plan_dir)
    replace_in(plan_dir, "teams/south-sales.yaml", "id: south-new-logos", "id: south-logos")
    (gone,) = lineage.vanished(load_plan(plan_dir), [("2026-Q4", newer), ("2026-Q3", old)])
    assert (gone.kind, gone.id, gone.version, gone.title) == ("goal", "south-new-logos", "2026-Q4", "Win 14 new customers")


def test_reviews_may_name_goals_by_former_or_retired_ids(plan_dir: Path) -> None:
    replace_in(plan_dir, "teams/north-sales.yaml", "id: north-new-arr", "id: north-arr\n    formerly: [north-new-arr]")
    replace_in(plan_dir, "teams/north-sales.yaml", "      - north-new-arr", "      - north-arr")
    replace_in(plan_dir, "reviews/2026-Q3.yaml", "      - qualified-leads\n", "      - qualified-leads\n      - south-webinars\n")
    unknown = [f for f in health.findings(load_plan(plan_dir)) if f.rule.id == "decision-names-unknown-goal"]
    assert [f.hit.message for f in unknown] == [
        "decision 2 of the 2026-Q3 review names goal 'south-webinars', which is not in the plan"]
    write(plan_dir, "retired.yaml", RETIRED_WEBINARS)
    plan = load_plan(plan_dir)
    assert plan.retired[0].id == "south-webinars"
    assert [f for f in health.findings(plan) if f.rule.id == "decision-names-unknown-goal"] == []


def test_a_former_id_claimed_by_two_items_is_an_error(plan_dir: Path) -> None:
    replace_in(plan_dir, "teams/north-sales.yaml", "  - id: north-new-arr\n",
               "  - id: north-new-arr\n    formerly: [north-arr]\n")
    replace_in(plan_dir, "teams/south-sales.yaml", "  - id: south-new-logos\n",
               "  - id: south-new-logos\n    formerly: [north-arr]\n")
    with pytest.raises(PlanError) as caught:
        load_plan(plan_dir)
    (problem,) = caught.value.diagnostics
    assert (problem.file, problem.line, problem.field) == ("plan/teams/south-sales.yaml", 6, "goals[0].formerly[0]")
    assert problem.message == "former goal id 'north-arr' is also listed at plan/teams/north-sales.yaml:7"


def test_check_and_build_compare_with_a_previous_snapshot(tmp_path: Path, capsys) -> None:
    from sales_handbook import cli
    from tests.conftest import REPO

    plan_dir = make_plan(tmp_path)
    site = tmp_path / "site"
    assert cli.main(["build", "-q", "--plan", str(plan_dir), "--site-dir", str(site),
                     "--config", str(REPO / "mkdocs.yml")]) == 0
    replace_in(plan_dir, "teams/south-sales.yaml", "id: south-new-logos", "id: south-logos")
    capsys.readouterr()
    assert cli.main(["check", "--plan", str(plan_dir), "--previous", str(site / "plan.json")]) == 1
    assert "goal 'south-new-logos' was published in 2026-Q4" in capsys.readouterr().err
    assert cli.main(["check", "--plan", str(plan_dir), "--previous", "none"]) == 0
    assert cli.main(["build", "-q", "--plan", str(plan_dir), "--site-dir", str(tmp_path / "other"),
                     "--previous", str(site), "--config", str(REPO / "mkdocs.yml")]) == 1
    assert not (tmp_path / "other").exists()


def test_plain_mkdocs_build_fails_when_a_published_id_is_lost(tmp_path: Path) -> None:
    """The plugin checks too, so `mkdocs build` and `mkdocs serve` keep published links as well."""
    import shutil
    import subprocess
    import sys

    from sales_handbook.model import snapshot
    from tests.conftest import REPO

    plan_dir = make_plan(tmp_path)
    (tmp_path / "published.json").write_bytes(snapshot.dumps(load_plan(plan_dir), version="2026-Q4"))
    replace_in(plan_dir, "teams/south-sales.yaml", "id: south-new-logos", "id: south-logos")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert config.count("      audience: public\n") == 1
    config = config.replace("      audience: public\n", "      audience: public\n      previous: published.json\n")
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "out")], cwd=tmp_path,
                            capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert f"published links would break (compared with {tmp_path / 'published.json'})" in result.stderr
    assert "goal 'south-new-logos' was published in 2026-Q4" in result.stderr


def test_a_published_item_made_internal_breaks_public_links_and_says_so(tmp_path: Path, capsys) -> None:
    from sales_handbook import cli
    from sales_handbook.model import snapshot

    plan_dir = make_plan(tmp_path)
    (tmp_path / "published.json").write_bytes(snapshot.dumps(load_plan(plan_dir), version="2026-Q4"))
    replace_in(plan_dir, "teams/south-sales.yaml", "  - id: south-new-logos\n",
               "  - id: south-new-logos\n    visibility: internal\n")
    capsys.readouterr()
    previous = ["--previous", str(tmp_path / "published.json")]
    assert cli.main(["check", "--plan", str(plan_dir), *previous]) == 1
    err = capsys.readouterr().err
    assert "goal 'south-new-logos' was published in 2026-Q4 and is now internal" in err
    assert "give the internal goal a new id and retire 'south-new-logos'" in err
    assert cli.main(["check", "--plan", str(plan_dir), "--audience", "internal", *previous]) == 0
