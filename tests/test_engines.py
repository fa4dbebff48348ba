"""The engine fallback: ProperDocs (a maintained fork of MkDocs 1.x) builds the handbook unchanged.

`HANDBOOK_ENGINE=properdocs handbook build` runs the same plugin, theme and overrides on ProperDocs.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.planfiles import EXAMPLE_PLAN
from tests.test_adopt import HOSTILE, head_titles, run

HANDBOOK = str(Path(sys.executable).with_name("handbook"))


def build(folder: Path, **env: str) -> Path:
    """`handbook build` of a copy of the example plan, with one team named like an attack, in `folder`."""
    folder.mkdir()
    shutil.copytree(EXAMPLE_PLAN, folder / "plan")
    team = folder / "plan" / "teams" / "customer-success.yaml"
    team.write_text(re.sub(r"^name: .*$", f'name: "{HOSTILE}"', team.read_text("utf-8"), count=1, flags=re.M),
                    encoding="utf-8")
    run([HANDBOOK, "build", "--quiet"], folder, **env)
    return folder / "site"


def test_properdocs_builds_the_example_plan_with_the_same_pages_figures_and_escaped_titles(tmp_path: Path) -> None:
    pytest.importorskip("properdocs", reason="pip install 'sales-alignment-handbook[properdocs]'")
    proper = build(tmp_path / "properdocs", HANDBOOK_ENGINE="properdocs")
    mkdocs = build(tmp_path / "mkdocs")
    assert 'content="mkdocs-ProperDocs' in (proper / "index.html").read_text("utf-8")
    assert 'content="mkdocs-1.6' in (mkdocs / "index.html").read_text("utf-8")

    def files(site: Path) -> list[str]:
        return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()
                      and not p.name.startswith("sitemap.xml"))

    assert files(proper) == files(mkdocs)
    for page in ("alignment/map/index.html", "teams/customer-success/index.html", "objectives/index.html"):
        assert (proper / page).read_text("utf-8").count("<svg") == (mkdocs / page).read_text("utf-8").count("<svg")
    assert (proper / "alignment/map/index.html").read_text("utf-8").count("<svg") >= 1
    escaped = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    assert head_titles(proper / "teams" / "customer-success" / "index.html")[0].startswith(escaped)
    assert all("<" not in t for p in proper.rglob("*.html") for t in head_titles(p))
    assert "<img src=x" not in "".join(p.read_text("utf-8") for p in proper.rglob("*.html"))


def test_an_unknown_or_missing_engine_is_named_with_the_fix(tmp_path: Path) -> None:
    unknown = run([HANDBOOK, "check"], tmp_path, check=False, HANDBOOK_ENGINE="sphinx")
    assert unknown.returncode == 2 and "HANDBOOK_ENGINE='sphinx' is no engine" in unknown.stderr
    assert "Traceback" not in unknown.stderr
