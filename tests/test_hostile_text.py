"""Arbitrary text in every text field: a clean error, or safe pages whose tables keep their columns.

Per example, the plan is loaded, rendered, converted with mkdocs.yml's Markdown
extensions and sanitized, as the plugin does (a full MkDocs build per example
would be too slow; test_sanitize.py builds a fixed hostile plan in strict mode).
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import markdown
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sales_handbook.site import pages, sanitize
from sales_handbook.plan.diagnostics import PlanError
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import Plan
from tests.hostile import FIELDS, VECTORS, hostile_plan, markdown_options, script_vectors
from tests.planfiles import SMALL_PLAN

EXTENSIONS, EXTENSION_CONFIGS = markdown_options()

FRAGMENTS = (
    "\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n", "\n# ", "\n## Goals\n", "\n    code\n", " { #goals }", "\n{: #__config }",
    "\n- ", "\n1. ", "\n!!! note\n    ", "\n[ref]: javascript:alert(1)\n", "\n<div>\n", "</div>", "<details>",
    "<!--", "-->", "***", "```", "\\", "&amp;", "&#x3C;", "\r\n", "\t", "\u2028", "é", "\u0301",
)
"""Markdown and HTML pieces that change how the text around them is read."""

UNACCEPTABLE = ("", "   ", "\n\t\n", "a\x00b", "page\x0cbreak", "\x85", "\x1b[31m")
"""Texts a plan may not hold (empty, blank, control characters): put into one field of some examples."""

CHARACTERS = st.one_of(st.sampled_from("|`*_[]<>#\n&\\{}!~()=\"' :"),
                       st.characters(codec="utf-8", exclude_categories=("Cc",)))
TEXT = st.lists(
    st.one_of(st.text(CHARACTERS, min_size=1, max_size=12), st.sampled_from(VECTORS), st.sampled_from(FRAGMENTS)),
    min_size=1, max_size=4,
).map("".join).filter(str.strip)


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)


@cache
def _table() -> object:
    return markdown.Markdown(extensions=["tables"]).parser.blockprocessors["table"]


def cells(row: str) -> int:
    """How many cells Python-Markdown reads in a table row (escaped `\\|` and code spans kept)."""
    return len(_table()._split_row(row))  # type: ignore[attr-defined]


@cache
def template_headers() -> frozenset[str]:
    """The header rows of every table the templates write (none of them holds plan text)."""
    headers = set()
    for text in pages.render(load_plan(SMALL_PLAN)).values():
        lines = text.splitlines()
        headers |= {line for line, below in zip(lines, lines[1:]) if below.startswith("| ---")}
    return frozenset(headers)


def broken_tables(page_markdown: str) -> list[str]:
    """Rows of template tables whose cell count differs from the header's, or that lost their end."""
    problems = []
    lines = page_markdown.splitlines()
    for start, line in enumerate(lines):
        if line not in template_headers():
            continue
        width = cells(line)
        end = start + 2
        while end < len(lines) and lines[end].startswith("|"):
            if cells(lines[end]) != width:
                problems.append(f"{width} columns expected: {lines[end]!r}")
            end += 1
        if end < len(lines) and lines[end].strip():
            problems.append(f"table not followed by a blank line: {lines[end]!r}")
    return problems


def expected_anchors(plan: Plan) -> dict[str, set[str]]:
    """The anchors other pages link to, per page: goal and benefit ids, and team and person sections."""
    anchors = {"benefits.md": {b.id for b in plan.benefits}}
    for team in plan.teams:
        anchors[f"teams/{team.id}.md"] = {"goals", "people", "collaboration"} | {g.id for g in team.goals}
        for person in team.people:
            anchors[f"people/{person.id}.md"] = {"individual-goals"} | {g.id for g in person.goals}
    return anchors


def check_pages(plan: Plan) -> None:
    rendered = pages.render(plan)
    anchors = expected_anchors(plan)
    for path, text in rendered.items():
        html = sanitize.clean_html(to_html(text))
        assert script_vectors(html) == [], path
        assert broken_tables(text) == [], path
        for anchor in anchors.get(path, ()):
            assert f'id="{anchor}"' in html, (path, anchor)
        for table in html.split("<table>")[1:]:
            rows = table.split("</table>")[0].split("<tr>")[1:]
            widths = {row.count("<th") + row.count("<td") for row in rows}
            assert len(widths) == 1, (path, table)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.fixed_dictionaries({field: TEXT for field in FIELDS}),
       st.none() | st.tuples(st.sampled_from(FIELDS), st.sampled_from(UNACCEPTABLE)))
def test_any_text_in_any_field_gives_a_clean_error_or_safe_pages(texts: dict[str, str],
                                                                 spoiled: tuple[str, str] | None) -> None:
    if spoiled is not None:
        texts = {**texts, spoiled[0]: spoiled[1]}
    with tempfile.TemporaryDirectory() as folder:
        plan_dir = hostile_plan(Path(folder) / "plan", texts)
        try:
            plan = load_plan(plan_dir)
        except PlanError as error:
            event("plan rejected")
            assert error.diagnostics
            for diagnostic in error.diagnostics:
                assert diagnostic.file and diagnostic.line >= 1, diagnostic
            return
    event("pages rendered")
    check_pages(plan)


def test_the_checks_catch_a_broken_table_and_a_swallowed_anchor() -> None:
    header = sorted(template_headers())[0]
    width = cells(header)
    broken = f"{header}\n|{' --- |' * width}\n|{' x |' * (width + 1)}\nrest of the cell |\n"
    assert len(broken_tables(broken)) == 2
    swallowed = to_html("<div>\n\n### Goal { #goal-id }\n")
    assert 'id="goal-id"' not in swallowed
