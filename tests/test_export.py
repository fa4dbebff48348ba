"""`handbook export`: Markdown and files that plain MkDocs builds without the handbook's plugin, safe and complete."""

from __future__ import annotations

import codecs
import csv
import re
import shutil
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


# ---------------------------------------------------------------- the numbers as a spreadsheet


def read_csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(codecs.BOM_UTF8)  # Excel reads the file as UTF-8 on a double click
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_the_csv_on_standard_output_has_no_byte_order_mark(tmp_path: Path) -> None:
    """A pipe gets plain UTF-8 for the next tool; a file gets the mark a spreadsheet looks for (read_csv)."""
    done = subprocess.run([sys.executable, "-m", "sales_handbook.cli", "export", "--format", "csv", "-", "--plan",
                           str(EXAMPLE_PLAN)], capture_output=True, check=True, cwd=tmp_path)
    assert done.stdout.startswith(b"kind,id,")
    assert handbook(tmp_path, "export", "--format", "csv", "numbers.csv", "--plan", str(EXAMPLE_PLAN)) == 0
    assert (tmp_path / "numbers.csv").read_bytes() == codecs.BOM_UTF8 + done.stdout


def test_the_csv_export_has_a_row_per_number_with_the_plan_s_values(tmp_path: Path) -> None:
    from sales_handbook.model.audience import for_audience
    from sales_handbook.plan.loader import load_plan

    assert handbook(tmp_path, "export", "--format", "csv", "numbers.csv", "--plan", str(EXAMPLE_PLAN)) == 0
    rows = read_csv(tmp_path / "numbers.csv")
    plan = for_audience(load_plan(EXAMPLE_PLAN), "public")
    assert list(rows[0]) == ["kind", "id", "title", "team", "owner", "objectives", "metric", "unit", "baseline",
                             "target", "current", "direction", "time_frame", "status", "confidence", "note", "as_of"]
    kinds = [row["kind"] for row in rows]
    assert kinds.count("goal") == len(plan.goals())
    assert kinds.count("individual-goal") == len(plan.individual_goals())
    assert kinds.count("key-metric") == sum(len(o.key_metrics) for o in plan.objectives)
    by_id = {row["id"]: row for row in rows}
    assert {k: by_id["anz-new-arr"][k] for k in ("team", "owner", "objectives", "baseline", "target", "current",
                                                 "status", "confidence", "as_of")} == {
        "team": "anz-partner-sales", "owner": "liam-oconnor", "objectives": "grow-recurring-revenue", "baseline": "0",
        "target": "350", "current": "165", "status": "on-track", "confidence": "low", "as_of": "2026-11-20"}
    assert by_id["hannah-new-arr"]["owner"] == "hannah-reid"
    arr = by_id["grow-recurring-revenue/arr"]
    assert (arr["current"], arr["confidence"], arr["note"]) == (
        "41.75", "medium", "Holds if the December enterprise deals close as forecast.")
    assert by_id["delight-customers/nps"]["status"] == "no-current"


def test_the_csv_export_keeps_formulas_from_running_and_never_replaces_a_file_unasked(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(EXAMPLE_PLAN, plan)
    team = plan / "teams" / "anz-partner-sales.yaml"
    team.write_text(team.read_text(encoding="utf-8").replace("title: Sign €350k of new-customer ARR",
                                                             'title: "=HYPERLINK(\\"http://evil.test\\")"')
                    .replace("    note: Two of", "    note: +Two of"), encoding="utf-8")
    out = tmp_path / "numbers.csv"
    out.write_text("edited by hand", encoding="utf-8")
    assert handbook(tmp_path, "export", "--format", "csv", "numbers.csv") == 1
    assert out.read_text(encoding="utf-8") == "edited by hand"
    assert handbook(tmp_path, "export", "--format", "csv", "numbers.csv", "--force") == 0
    row = next(row for row in read_csv(out) if row["id"] == "anz-new-arr")
    assert row["title"] == "'=HYPERLINK(\"http://evil.test\")" and row["note"].startswith("'+Two of")
    # What update reads back is the plan's own text again: an unedited export changes nothing.
    git = ["git", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "plan"], check=True)
    assert handbook(tmp_path, "update", "numbers.csv", "--as-of", "2026-11-20") == 0
    assert subprocess.run([*git, "diff", "--name-only"], capture_output=True, text=True).stdout == ""


def test_export_edit_update_round_trip(tmp_path: Path) -> None:
    from sales_handbook.plan.loader import load_plan

    shutil.copytree(EXAMPLE_PLAN, tmp_path / "plan")
    assert handbook(tmp_path, "export", "--format", "csv", "numbers.csv") == 0
    rows = read_csv(tmp_path / "numbers.csv")
    for row in rows:
        if row["id"] == "latam-new-arr":
            row.update(current="333", confidence="low", note="A large tender moved to Q1.")
    with (tmp_path / "numbers.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert handbook(tmp_path, "update", "numbers.csv", "--as-of", "2026-12-01") == 0
    plan = load_plan(tmp_path / "plan")
    _, goal = plan.goal("latam-new-arr")
    assert (goal.current, goal.confidence.value, goal.note) == (333, "low", "A large tender moved to Q1.")
    assert str(plan.organization.as_of) == "2026-12-01"


def test_the_public_export_leaves_out_internal_numbers(tmp_path: Path) -> None:
    from sales_handbook.model import checkins
    from sales_handbook.model.audience import for_audience
    from sales_handbook.plan.loader import load_plan

    plan = load_plan(EXAMPLE_PLAN)
    assert handbook(tmp_path, "export", "--format", "csv", "public.csv", "--plan", str(EXAMPLE_PLAN)) == 0
    assert handbook(tmp_path, "export", "--format", "csv", "all.csv", "--plan", str(EXAMPLE_PLAN),
                    "--audience", "internal") == 0
    public = [row["id"] for row in read_csv(tmp_path / "public.csv")]
    everything = [row["id"] for row in read_csv(tmp_path / "all.csv")]
    assert public == [n.ref for n in checkins.numbers(for_audience(plan, "public"))]
    assert everything == [n.ref for n in checkins.numbers(plan)]
    assert set(public) < set(everything)


def test_the_xlsx_export_holds_the_same_rows(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    assert handbook(tmp_path, "export", "--format", "xlsx", "numbers.xlsx", "--plan", str(EXAMPLE_PLAN)) == 0
    assert handbook(tmp_path, "export", "--format", "csv", "numbers.csv", "--plan", str(EXAMPLE_PLAN)) == 0
    sheet = openpyxl.load_workbook(tmp_path / "numbers.xlsx").active
    values = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
    rows = read_csv(tmp_path / "numbers.csv")
    assert values[0] == list(rows[0])
    assert len(values) == len(rows) + 1
    first = dict(zip(values[0], values[1]))
    assert first["id"] == rows[0]["id"] and first["current"] == float(rows[0]["current"])
