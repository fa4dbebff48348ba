"""`handbook export`: Markdown and files that plain MkDocs builds without the handbook's plugin, safe and complete."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.hostile import FIELDS, NASTY, hostile_plan, script_vectors
from tests.planfiles import EXAMPLE_PLAN
from tests.publishing import handbook


def build_without_the_plugin(export: Path) -> Path:
    """`mkdocs build` of the export with its own mkdocs.yml, strict, in a fresh process; the site folder."""
    config = yaml.safe_load((export / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "handbook" not in str(config["plugins"])  # plain MkDocs and Material
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(export / "mkdocs.yml"),
                           "-d", str(export / "site")], capture_output=True, text=True,
                          env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return export / "site"


@pytest.fixture(scope="module")
def hostile_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export")
    plan = hostile_plan(root / "plan", {field: NASTY for field in FIELDS})
    assert handbook(root, "export", "out", "--plan", str(plan)) == 0
    return root / "out"


def test_a_hostile_plan_exported_and_built_without_the_plugin_runs_no_script(hostile_export: Path) -> None:
    site = build_without_the_plugin(hostile_export)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        assert script_vectors(page.read_text(encoding="utf-8"), content_only=False) == [], page


FIGURE_TAGS = {"div", "span", "p", "strong", "svg", "g", "rect", "line", "text", "tspan", "title", "desc", "a", "path",
               "circle", "polygon", "polyline", "defs", "marker", "style", "use", "clippath", "lineargradient", "stop"}
"""What the handbook's own figures are made of (site/templates/*.svg.j2)."""


def test_the_exported_markdown_holds_no_html_from_the_plan(hostile_export: Path) -> None:
    """The only tags in the Markdown are the figures' (our SVG, plan text in it escaped): none with an event
    handler or a script address, and no link that runs script."""
    for page in (hostile_export / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        tags = re.findall(r"<([A-Za-z][\w-]*)([^>]*)>", text)
        assert {name.lower() for name, _ in tags} <= FIGURE_TAGS, page
        for _, attributes in tags:
            unquoted = re.sub(r'"[^"]*"', '""', attributes)  # plan text sits, escaped, inside quoted values
            assert not re.search(r"(^|\s)on\w+\s*=", unquoted, re.IGNORECASE), page
            for name, value in re.findall(r'([\w:-]+)="([^"]*)"', attributes):
                if name.lower() in {"href", "xlink:href", "src"}:
                    assert not re.match(r"\s*(javascript|data|vbscript):", value, re.IGNORECASE), page
        # a figure is a raw HTML block (it has no blank line): its text, escaped, is not read as Markdown
        outside_figures = re.sub(r'^<div class="handbook-.*?(?=\n\n|\Z)', "", text, flags=re.DOTALL | re.MULTILINE)
        outside_figures = re.sub(r"<svg.*?</svg>", "", outside_figures, flags=re.DOTALL)
        assert "](javascript:" not in outside_figures.lower(), page


def test_the_example_plan_exported_and_built_without_the_plugin_has_its_figures(tmp_path: Path) -> None:
    assert handbook(tmp_path, "export", "out", "--plan", str(EXAMPLE_PLAN)) == 0
    site = build_without_the_plugin(tmp_path / "out")
    map_page = (site / "alignment" / "map" / "index.html").read_text(encoding="utf-8")
    assert map_page.count('class="handbook-map"') == 1 and "<svg" in map_page.split('class="handbook-map"')[1]
    team = (site / "teams" / "enterprise-sales-emea" / "index.html").read_text(encoding="utf-8")
    goals = len(yaml.safe_load((EXAMPLE_PLAN / "teams" / "enterprise-sales-emea.yaml").read_text())["goals"])
    assert team.count('class="handbook-progress"') >= goals  # a progress bar per goal
    assert (site / "plan.json").is_file() and (site / "goals").is_dir()  # the redirects and the data


def test_an_export_replaces_only_an_export(tmp_path: Path, capsys) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    assert handbook(tmp_path, "export", "out", "--plan", str(EXAMPLE_PLAN)) == 1
    assert "holds files that a handbook build did not make" in capsys.readouterr().err
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"
