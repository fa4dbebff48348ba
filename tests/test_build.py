"""The MkDocs integration: strict builds, atomic site swaps, the plugin in `mkdocs.yml`."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.loader import load_plan
from tests.conftest import REPO, build_site
from tests.fresh import run_python
from tests.planfiles import EXAMPLE_PLAN, make_plan, replace_in


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_example_plan_builds_in_strict_mode_with_a_page_per_item(example_site: Path) -> None:
    plan = for_audience(load_plan(EXAMPLE_PLAN), Audience.public)
    expected = ["index.html", "mission/index.html", "objectives/index.html", "teams/index.html",
                "benefits/index.html", "reviews/index.html", "search/search_index.json", "sitemap.xml"]
    expected += [f"objectives/{o.id}/index.html" for o in plan.objectives]
    expected += [f"teams/{t.id}/index.html" for t in plan.teams]
    expected += [f"departments/{t.department.value}/index.html" for t in plan.teams]
    expected += [f"reviews/{r.period}/index.html" for r in plan.reviews]
    missing = [path for path in expected if not (example_site / path).is_file()]
    assert missing == []


def test_goal_sections_are_anchored_by_goal_id(example_site: Path) -> None:
    plan = for_audience(load_plan(EXAMPLE_PLAN), Audience.public)
    for team, goal in plan.goals():
        html = (example_site / "teams" / team.id / "index.html").read_text(encoding="utf-8")
        assert f'<h3 id="{goal.id}">' in html, (team.id, goal.id)


def test_the_plan_yaml_is_never_published(example_site: Path) -> None:
    published = [p.name for p in example_site.rglob("*") if p.suffix in (".yaml", ".yml")]
    assert published == []


def test_a_strict_warning_fails_the_build_and_keeps_the_previous_site(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    site = tmp_path / "site"
    assert build_site(plan, site) == 0
    before = tree_digest(site)
    replace_in(plan, "organization.yaml", "vision: ", "vision: See [the roadmap](roadmap.md). ")
    assert build_site(plan, site) == 1
    assert tree_digest(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan", "site"]


def test_an_invalid_plan_fails_before_building_and_keeps_the_previous_site(tmp_path: Path, capsys) -> None:
    plan = make_plan(tmp_path)
    site = tmp_path / "site"
    assert build_site(plan, site) == 0
    before = tree_digest(site)
    replace_in(plan, "organization.yaml", "period: ", "perod: ")
    assert build_site(plan, site) == 1
    assert "unknown field 'perod'" in capsys.readouterr().err
    assert tree_digest(site) == before


def test_plain_mkdocs_build_works_in_the_repository(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(tmp_path / "out")],
                            cwd=REPO, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1",
                                                                            "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "objectives" / "index.html").is_file()


def plain_mkdocs_build(folder: Path, theme_html: str = "") -> subprocess.CompletedProcess[str]:
    """`mkdocs build` run in `folder` (which holds plan/) with the repository's mkdocs.yml and theme.

    `theme_html` is added to the theme's main.html (blocks of Material's base.html, say).
    """
    shutil.copy(REPO / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(REPO / "theme", folder / "theme")
    main = folder / "theme" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + theme_html, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(folder / "out")],
                          cwd=folder, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1",
                                                                           "PATH": "/usr/bin:/bin"})


def test_plain_mkdocs_build_reports_plan_errors_with_file_and_line(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "organization.yaml", "period: ", "perod: ")
    result = plain_mkdocs_build(tmp_path)
    assert result.returncode == 1
    assert "plan/organization.yaml:" in result.stderr and "unknown field 'perod'" in result.stderr


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker beside MkDocs needs two cores")
def test_a_large_build_draws_figures_and_writes_redirects_in_a_worker_with_the_same_bytes(tmp_path: Path) -> None:
    """Large builds make figures, redirects and plan.json in a forked worker; the site is byte for byte the
    site made in one process (run in a fresh interpreter: the test process may run threads, which never fork)."""
    run_python(f"""
        import os
        from pathlib import Path
        from sales_handbook import cli
        from sales_handbook.speed import beside
        from sales_handbook.speed import forked

        os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
        out = Path({str(tmp_path)!r})
        beside.BESIDE_FROM = 1
        assert forked.processes_for(100, beside.BESIDE_FROM) > 1
        assert cli.main(["build", "--quiet", "--plan", "plan", "--site-dir", str(out / "beside")]) == 0
        beside.BESIDE_FROM = 10**9
        assert cli.main(["build", "--quiet", "--plan", "plan", "--site-dir", str(out / "here")]) == 0
    """)
    beside, here = tree_digest(tmp_path / "beside"), tree_digest(tmp_path / "here")
    assert beside == here
    assert "plan.json" in beside and any(path.startswith("goals/") for path in beside)
    assert "<svg" in (tmp_path / "beside" / "alignment" / "map" / "index.html").read_text(encoding="utf-8")


def test_plain_mkdocs_build_without_custom_dir_still_escapes_every_title(tmp_path: Path) -> None:
    """A mkdocs.yml that forgot `custom_dir` (copied without it, say) cannot switch the escaping off."""
    make_plan(tmp_path)
    replace_in(tmp_path / "plan", "teams/south-sales.yaml", "name: South Sales",
               'name: "Kundeservice </title><img src=x onerror=alert(1)>"')
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  custom_dir: theme\n", "")
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "out")], cwd=tmp_path,
                          capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "teams" / "south-sales" / "index.html").read_text(encoding="utf-8")
    assert "<title>Kundeservice &lt;/title&gt;&lt;img src=x onerror=alert(1)&gt; - " in page
    assert "<img src=x" not in page


def test_every_site_publishes_the_json_schema_of_every_plan_file_kind(example_site: Path) -> None:
    from sales_handbook.plan import jsonschema

    published = {path.relative_to(example_site).as_posix(): path.read_bytes()
                 for path in (example_site / jsonschema.SCHEMA_FOLDER).glob("*.json")}
    assert published == jsonschema.schema_files() and len(published) == len(jsonschema.KINDS)
