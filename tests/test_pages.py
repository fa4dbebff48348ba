"""Rendered Markdown: golden pages for the small plan, and the same bytes every time.

Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change,
then read the diff before committing it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sales_handbook.model import alignment, status
from sales_handbook.plan import urls
from sales_handbook.site import pages, words
from sales_handbook.site.mdtext import inline
from sales_handbook.plan.loader import load_plan
from tests import goldens
from tests.planfiles import EXAMPLE_PLAN, SMALL_PLAN, make_plan, replace_in

GOLDEN = Path(__file__).parent / "golden" / "small-plan"


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return pages.render(load_plan(SMALL_PLAN))


def test_pages_match_the_golden_files(rendered: dict[str, str]) -> None:
    if goldens.updating():
        for path, text in rendered.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(text, encoding="utf-8")
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
              for p in sorted(GOLDEN.rglob("*.md"))}
    assert sorted(rendered) == sorted(golden)
    for path in rendered:
        assert rendered[path] == golden[path], f"{path} differs from tests/golden/small-plan/{path}"


def html_of(markdown_text: str) -> str:
    """A page's Markdown as HTML, with the site's Markdown extensions (mkdocs.yml)."""
    import markdown

    return markdown.markdown(markdown_text, extensions=["attr_list", "tables", "def_list", "admonition", "toc"])


def test_golden_pages_keep_their_structure(rendered: dict[str, str]) -> None:
    """What the bytes alone let through: lines that Markdown runs together into one paragraph.

    A bold label (`**Marketing:**`, `**Goals of other teams that count on us:**`) starts its own block or list
    item everywhere; one in the middle of a paragraph, on a line of its own, means a template lost a blank line.
    """
    for path, text in {**rendered, **pages.render(load_plan(EXAMPLE_PLAN))}.items():
        for paragraph in re.findall(r"<p>(.*?)</p>", html_of(text), re.S):
            assert not re.search(r"\n<strong>[^<]*:</strong>", paragraph), \
                f"{path}: lines run together: {paragraph[:200]!r}"


def test_home_lists_each_department_on_its_own(rendered: dict[str, str]) -> None:
    plan = load_plan(SMALL_PLAN)
    html = html_of(rendered[urls.HOME])
    section = html.split('id="find-your-team"', 1)[1].split("<h2", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", section, re.S)
    by_department = alignment.teams_by_department(plan.teams)
    assert len(items) == len(by_department) > 1
    for item, (department, teams) in zip(items, by_department):
        assert item.startswith(f"<strong>{words.words().label(department)}:</strong> ")
        assert re.findall(r">([^<]+)</a>", item) == [team.name for team in teams]


def test_a_teams_collaboration_shows_both_directions_apart(rendered: dict[str, str]) -> None:
    html = html_of(rendered[urls.team_page("north-sales")])
    section = html.split('id="collaboration"', 1)[1]
    blocks = re.findall(r"<(p|ul)>(.*?)</\1>", section, re.S)
    assert [kind for kind, _ in blocks] == ["p", "p", "ul"]
    assert blocks[0][1].startswith("<strong>Teams we count on:</strong> ")
    assert blocks[1][1] == "<strong>Goals of other teams that count on us:</strong>"


def test_golden_files_are_never_rewritten_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="UPDATE_GOLDEN is set under CI=true"):
        goldens.updating()
    monkeypatch.setenv("CI", "false")
    assert goldens.updating()
    monkeypatch.delenv("UPDATE_GOLDEN")
    monkeypatch.setenv("CI", "true")
    assert not goldens.updating()


def test_rendering_is_deterministic_across_loads() -> None:
    first = pages.render(load_plan(EXAMPLE_PLAN))
    second = pages.render(load_plan(EXAMPLE_PLAN))
    assert first == second


def test_every_page_is_in_the_navigation_once() -> None:
    plan = load_plan(EXAMPLE_PLAN)

    def leaves(items):
        for item in items:
            if isinstance(item, str):
                yield item
            else:
                for value in item.values():
                    yield from (leaves(value) if isinstance(value, list) else [value])

    listed = list(leaves(pages.navigation(plan)))
    unlisted = pages.unlisted(plan)
    assert unlisted == {urls.person_page(person.id) for _, person in plan.people()}
    assert sorted([*listed, *unlisted]) == sorted(pages.render(plan))
    assert len(listed) == len(set(listed))


def test_objective_page_lists_every_goal_that_serves_it_with_the_why(rendered: dict[str, str]) -> None:
    plan = load_plan(SMALL_PLAN)
    for objective in plan.objectives:
        text = rendered[urls.objective_page(objective.id)]
        for team, goal in plan.goals():
            for link in goal.aligns_to:
                if link.objective == objective.id:
                    assert f"(../teams/{team.id}.md#{goal.id})" in text
                    assert link.why in text


def test_a_goal_edit_changes_only_the_pages_that_show_it(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    before = pages.render(load_plan(plan_dir))
    replace_in(plan_dir, "teams/north-sales.yaml", "target: 1200", "target: 1300")
    after = pages.render(load_plan(plan_dir))
    changed = sorted(path for path in after if after[path] != before.get(path))
    # the goal's owner lists it among the team goals she owns
    assert changed == ["alignment/progress.md", "objectives/grow-revenue.md", "people/nora-lind.md",
                       "teams/north-sales.md"]


MACROS = """\
{% macro plain(a, b) %}[{{ a }}|{{ b }}]{% endmacro %}
{% macro defaults(a, b="B", c=none) %}<{{ a }},{{ b }},{{ c }}>{% endmacro %}
{% macro rest(a) %}{{ a }}{{ varargs | join("+") }}{{ kwargs.x }}{% endmacro %}
{% macro wrap(a) %}({{ a }}:{{ caller() }}){% endmacro %}
{% macro text(s) %}{{ s }}{% endmacro %}
{{ plain(1, 2) }} {{ defaults(1) }} {{ defaults(1, c=3) }} {{ defaults(a=1, b=2) }} {{ rest(1, 2, 3, x=4) }}
{% for i in [1, 2] %}{{ plain(i, loop.index) }}{{ defaults(i, c=loop.last) }}{% endfor %}
{% call wrap(5) %}inside{% endcall %} {{ text("<b>&") }}
"""


@pytest.mark.parametrize("autoescape", [False, True])
def test_macros_called_directly_render_as_jinja_renders_them(autoescape: bool) -> None:
    # pages calls plain macros without Jinja's argument handling: it must give Jinja's own result
    ours = pages._environment().overlay(autoescape=autoescape).from_string(MACROS).render()
    jinja = pages.jinja2.Environment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                     autoescape=autoescape)
    assert ours == jinja.from_string(MACROS).render()
    assert "[1|2] <1,B,None> <1,B,3> <1,2,None> 12+34" in ours
    assert ("&lt;b&gt;&amp;" if autoescape else "<b>&") in ours


def test_a_macro_called_with_an_unknown_argument_fails_as_in_jinja() -> None:
    template = pages._environment().from_string("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}")
    with pytest.raises(TypeError, match="macro 'm' takes no keyword argument 'b'"):
        template.render()


def test_markdown_and_svg_templates_never_share_compiled_code() -> None:
    # SVG templates are autoescaped: code compiled for Markdown must never be loaded for them
    markdown, svg = pages._environment().bytecode_cache, pages.svg_environment().bytecode_cache
    assert isinstance(markdown, pages._CompiledTemplates) and isinstance(svg, pages._CompiledTemplates)
    assert markdown.pattern != svg.pattern


def test_templates_render_when_compiled_code_cannot_be_kept(tmp_path: Path) -> None:
    env = pages._environment().overlay(cache_size=0)  # compile again, and try to keep the result
    env.bytecode_cache = pages._CompiledTemplates(str(tmp_path / "gone"))  # a folder that does not exist
    plan = load_plan(SMALL_PLAN)
    page = next(p for p in pages.plan_pages(plan) if p.template == "mission.md.j2")
    text = env.get_template(page.template).render(plan=plan, org=plan.organization, link=pages._linker(page.path),
                                                  urls=urls)
    assert pages.mdtext.collapse_blank_lines(text) == pages.render_page(plan, page)
    assert not (tmp_path / "gone").exists()


def test_a_plan_too_large_to_list_goal_by_goal_gets_its_progress_and_matrix_by_department(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Above alignment.DETAIL_LIMIT team goals, plan-wide tables count goals per department, and the counts add up."""
    from sales_handbook.model import alignment, status

    plan = load_plan(EXAMPLE_PLAN)
    full = pages.render(plan)
    monkeypatch.setattr(alignment, "DETAIL_LIMIT", 5)
    counted = pages.render(plan)
    goals = plan.goals()
    for page in (urls.PROGRESS, urls.MATRIX):
        assert all(goal.id not in counted[page] for _, goal in goals), page  # no row per goal any more
        assert any(goal.id in full[page] for _, goal in goals) or page == urls.MATRIX
        assert "too many for" in counted[page]
        for department in {team.department for team, _ in goals}:
            assert f"]({urls.href(page, urls.department_page(department.value))})" in counted[page]
    by_department = status.tally_by_department(plan)
    assert [sum(column) for column in zip(*(counts for _, _, counts in by_department))] == \
        [count for _, count in status.tally(plan)]
    matrix = alignment.goals_by_department(plan)
    assert [sum(column) for column in zip(*(counts for _, _, counts in matrix))] == \
        [len(alignment.serving(plan, objective.id)) for objective in plan.objectives]
    crowded = {urls.objective_page(o.id) for o in plan.objectives if not alignment.in_full(len(alignment.serving(plan, o.id)))}
    assert crowded  # objectives served by too many goals lose their overview table; their list stays
    assert all("| Goal | Target | Status | Team |" in full[page] and "| Goal | Target | Status | Team |" not in
               counted[page] for page in crowded)
    assert {path for path in counted if counted[path] != full[path]} == {urls.PROGRESS, urls.MATRIX, *crowded}


def test_a_stay_above_goal_says_where_it_stands_in_the_words_of_its_status(tmp_path: Path) -> None:
    """Not '97.5 % (100% of the way)' beside 'holding the line': a line is held or crossed, not travelled."""
    plan = load_plan(make_plan(tmp_path, SMALL_PLAN.parent / "names-plan"))
    html = html_of(pages.render(plan)[urls.team_page("key-accounts-europe")])
    section = html.split('id="key-account-retention"', 1)[1].split("<h3", 1)[0]
    rows = dict(re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", section, re.S))
    assert rows["Current"] == "97.5 % of key accounts (above the line of 95 % of key accounts)"
    assert rows["Status"].startswith("<strong>On track</strong>: holding the line, 50% of the starting margin left")
    example = pages.render(load_plan(EXAMPLE_PLAN))
    stays = [(team, goal) for team, goal in load_plan(EXAMPLE_PLAN).goals()
             if goal.direction.value.startswith("stay") and goal.current is not None]
    assert stays
    for team, goal in stays:
        text = example[urls.team_page(team.id)]
        current = text.split(f"{{ #{goal.id} }}", 1)[1].split("| Current |", 1)[1].split("\n", 1)[0]
        assert "the line of" in current and "of the way" not in current, goal.id


def test_a_team_page_opens_with_an_overview_of_its_goals_each_linking_to_its_section(rendered) -> None:
    plan = load_plan(SMALL_PLAN)
    for team in plan.teams:
        html = html_of(rendered[urls.team_page(team.id)])
        overview = html.split('id="goals"', 1)[1].split("<h3", 1)[0]
        rows = re.findall(r"<tr>(.*?)</tr>", overview.split("<tbody>", 1)[1], re.S)
        assert len(rows) == len(team.goals) > 0
        for row, goal in zip(rows, team.goals):
            cells = re.findall(r"<td>(.*?)</td>", row, re.S)
            assert cells[0].startswith(f'<a href="#{goal.id}">'), cells[0]
            assert f'<div id="handbook-figure-mini--{goal.id}"></div>' in cells[2]
            assert re.search(r"<strong>(On track|At risk|Off track|No current value)</strong>", cells[2])
            for link in goal.aligns_to:
                assert f"../objectives/{link.objective}.md" in cells[3]


def test_an_objective_page_opens_with_an_overview_of_the_goals_serving_it(rendered) -> None:
    plan = load_plan(SMALL_PLAN)
    for objective in plan.objectives:
        html = html_of(rendered[urls.objective_page(objective.id)])
        overview = html.split('id="goals-that-serve-this-objective"', 1)[1].split("<h3", 1)[0]
        served = alignment.serving(plan, objective.id)
        links = re.findall(r'<tr>\s*<td><a href="([^"]+)">', overview)
        assert links == [f"../teams/{item.team.id}.md#{item.goal.id}" for item in served] and links



def test_every_person_has_a_page_with_their_goals_what_they_support_and_serve(rendered: dict[str, str]) -> None:
    plan = load_plan(SMALL_PLAN)
    for team, person in plan.people():
        text = rendered[urls.person_page(person.id)]
        assert text.startswith(f"# {inline(person.name)}")
        assert f"[{inline(team.name)}]({urls.href(urls.person_page(person.id), urls.team_page(team.id))})" in text
        for goal in person.goals:
            assert f"### {inline(goal.title)} {{ #{goal.id} }}" in text
            for goal_id in goal.supports:
                if goal_id in plan.ids("goal"):
                    supported = plan.goal(goal_id)[1]
                    assert inline(supported.title) in text
                    for link in supported.aligns_to:
                        assert inline(plan.objective(link.objective).title) in text
        for _, owned in plan.goals_owned_by(person.id):
            assert f"[{inline(owned.title)}]" in text.split("## Team goals they own", 1)[1]
        # their team page lists them with a link to the page, and how their goals stand
        team_page = rendered[urls.team_page(team.id)]
        row = f"| [{inline(person.name)}]({urls.href(urls.team_page(team.id), urls.person_page(person.id))}) |"
        line = next(line for line in team_page.splitlines() if line.startswith(row))
        if person.goals:
            assert f" {len(person.goals)} goal" in line


def test_objective_team_department_and_home_pages_say_how_their_goals_stand(rendered: dict[str, str]) -> None:
    plan = load_plan(SMALL_PLAN)

    def sentence(scope: str, scope_id: str) -> str:
        found = status.rollup_of(plan, scope, scope_id)
        counts = ", ".join(f"{count} {state.label.lower()}" for state, count in found.shown())
        return f"{found.total} goal{'s' if found.total != 1 else ''}: {counts}"

    for objective in plan.objectives:
        if plan.goals_serving(objective.id):
            assert f"**{sentence('objective', objective.id)}**" in rendered[urls.objective_page(objective.id)]
            assert f"rollup-mini--objective--{objective.id}" in rendered[urls.HOME]
    for team in plan.teams:
        if team.goals:
            assert f"**{sentence('team', team.id)}**" in rendered[urls.team_page(team.id)]
    for department in {team.department for team in plan.teams}:
        assert sentence("department", department.value) in rendered[urls.department_page(department.value)]


def test_an_owners_check_in_is_shown_beside_the_computed_status(rendered: dict[str, str]) -> None:
    plan = load_plan(SMALL_PLAN)
    team, goal = plan.goal("north-new-arr")
    assert goal.confidence is not None and goal.note  # the fixture's check-in: low, while the goal is off track
    page = rendered[urls.team_page(team.id)]
    section = page.split(f"{{ #{goal.id} }}", 1)[1].split("\n### ", 1)[0]
    status_row = next(line for line in section.splitlines() if line.startswith("| Status |"))
    check_in = section.splitlines()[section.splitlines().index(status_row) + 1]
    assert check_in == f"| Owner's check-in | **Low confidence**: {inline(goal.note)} (15 Nov 2026) |"
    overview = next(line for line in page.splitlines() if line.startswith(f"| [{inline(goal.title)}]"))
    assert "**Off track** · low confidence" in overview
    metric = plan.objective("grow-revenue").key_metrics[0]
    assert f"- {inline(metric.name)}: **Medium confidence** (15 Nov 2026)" in rendered[urls.objective_page("grow-revenue")]


def test_each_language_keeps_its_own_compiled_templates() -> None:
    # constant messages are translated into the compiled code: German code must never be loaded for English
    patterns = {pages._environment(language).bytecode_cache.pattern for language in ("en", "de", "nb")}
    patterns |= {pages.svg_environment(language).bytecode_cache.pattern for language in ("en", "de", "nb")}
    assert len(patterns) == 6


@pytest.mark.parametrize("autoescape", [False, True])
def test_words_translated_while_compiling_read_as_gettext_reads_them(autoescape: bool) -> None:
    source = ('{{ _("Goals") }}|{{ _("%(share)s of the way", share="<b>") }}|{{ _(message) }}|'
              '{{ _("100%%") }}|{% trans count=2 %}{{ count }} rules{% endtrans %}')
    german = pages._environment("de").overlay(autoescape=autoescape).from_string(source)
    text = german.render(message="Goals")
    share = "&lt;b&gt;" if autoescape else "<b>"
    assert text == f"Ziele|{share} des Weges|Ziele|100%|2 rules"
