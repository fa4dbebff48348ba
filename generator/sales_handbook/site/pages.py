"""Render a plan into Markdown pages and the navigation that lists them.

Pure: a `Plan` goes in, `{page path: Markdown}` comes out, the same bytes for
the same plan. The words live in Jinja templates under `templates/`; this
module only decides which page gets which template and data.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.ext
import jinja2.lexer
import jinja2.runtime
from jinja2.runtime import missing
from markdown.extensions import toc
from markupsafe import Markup

from sales_handbook.model import alignment, status
from sales_handbook.plan import language as lang, lineage, urls
from sales_handbook.rules import catalogue as rules, health
from sales_handbook.site import mdtext, navgroups, words
from sales_handbook.model.changes import Comparisons
from sales_handbook.plan.plan import Plan
from sales_handbook.site.navgroups import Group
from sales_handbook.plan.schema import Category, Department, Objective, Review, Team

NavItem = str | dict[str, Any]


@dataclass(frozen=True)
class Page:
    """A page to write: its path under the docs folder, the template, and the data it shows."""

    path: str
    template: str
    context: dict[str, Any]


_PLAIN_CALLABLES = (FunctionType, MethodType, BuiltinFunctionType)
_MACRO = jinja2.runtime.Macro


class _Context(jinja2.runtime.Context):
    """Calls plain functions and plain macros directly: Jinja's general path is most of a call's cost.

    Templates call `link()`, lookups and helpers about 650,000 times at 1,000
    teams, and macros (`internal`, `measure_rows`...) 270,000 times; Jinja's
    checks for context-taking callables and its argument handling for macros
    cost a third of rendering. A macro that takes `caller`, `varargs` or
    `kwargs`, a call with an unknown keyword (Jinja's error), and anything that
    may want the context (decorated callables) still go through Jinja's own path.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        kind = type(__obj)
        # A bound method wants the context if its function does; asking the function is three times faster.
        if kind in _PLAIN_CALLABLES and not hasattr(__obj.__func__ if kind is MethodType else __obj, "jinja_pass_arg"):
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            return __obj(*args, **kwargs)
        if kind is _MACRO:
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            names = __obj.arguments
            if not (__obj.caller or __obj.catch_kwargs or __obj.catch_varargs) and len(args) <= len(names):
                # What Macro.__call__ does for such a macro: missing arguments by name, else to their defaults.
                arguments = args if len(args) == len(names) else (
                    *args, *(kwargs.pop(name, missing) for name in names[len(args):]))
                if not kwargs:
                    text = __obj._func(*arguments)
                    return Markup(text) if __self.eval_ctx.autoescape else text
        return super().call(__obj, *args, **kwargs)


class _WordsWhileCompiling(jinja2.ext.Extension):
    """Translates `_("constant")` while a template compiles: pages call `_()` 330,000 times at 1,000 teams.

    `_("Goals")` becomes the string "Ziele" in a German environment's compiled code, and
    `_("%(share)s of the way", share=x)` becomes `("%(share)s des Weges") | named(share=x)`: no call
    through the template context, no catalog lookup per page. Any other use of `_` (a message that is not a
    constant) is left to the `_` function. The compiled code differs by language, so each language's
    environment keeps its own compiled templates (`compiled_templates`).
    """

    def filter_stream(self, stream: jinja2.lexer.TokenStream) -> Iterator[jinja2.lexer.Token]:
        translate = self.environment.filters["translate"]
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            call = tokens[i:i + 4]
            if (len(call) == 4 and call[0].test("name:_") and call[1].type == "lparen" and call[2].type == "string"
                    and call[3].type in ("rparen", "comma")):
                line, message = call[0].lineno, translate(call[2].value)
                if call[3].type == "rparen":
                    yield jinja2.lexer.Token(line, "string", message % {})
                else:  # the named arguments and the closing parenthesis follow as they are
                    yield from (jinja2.lexer.Token(line, kind, value) for kind, value in (
                        ("lparen", "("), ("string", message), ("rparen", ")"), ("pipe", "|"), ("name", "named"),
                        ("lparen", "(")))
                i += 4
            else:
                yield tokens[i]
                i += 1


def _named(message: str, **variables: Any) -> str:
    """A translated message with its named placeholders filled: what `_(message, **variables)` returns."""
    return message % variables


@cache
def _environment(language: str = lang.DEFAULT) -> jinja2.Environment:
    """The templates with the words and formats of one language (a pure memo: one environment per language).

    `_`, `gettext` and `ngettext` are plain functions (`words.Words`) rather than
    Jinja's context-taking ones, so the fast call path above calls them directly;
    they behave as Jinja's "newstyle" gettext: `_("%(count)s goals", count=n)`.
    Constant messages are translated while compiling (`_WordsWhileCompiling`).
    """
    said = words.words(language)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sales_handbook.site", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        auto_reload=False,  # templates are package data: no need to stat them on every page
        extensions=["jinja2.ext.i18n", _WordsWhileCompiling],
    )
    env.context_class = _Context
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # `{% trans %}` passes its variables by name
    env.policies["ext.i18n.trimmed"] = True  # a `{% trans %}` paragraph is one line in the catalogs
    env.globals.update(_=said.gettext, gettext=said.gettext, ngettext=said.ngettext, translate=said.translate,
                       language=said.language)
    env.filters.update(
        inline=mdtext.inline,
        block=mdtext.block,
        number=said.number,
        percent=said.percent,
        label=said.label,
        label_in_text=said.label_in_text,
        english_label=words.english_label,
        translate=said.translate,
        say=said.say,
        named=_named,
        slug=slug,
        time_frame=said.time_frame,
        date=said.date,
    )
    env.bytecode_cache = compiled_templates(env, "markdown", said.language)
    return env


@cache
def svg_environment(language: str = lang.DEFAULT) -> jinja2.Environment:
    """The same templates and filters, autoescaped: in SVG drawings, plan text must never become markup."""
    env = _environment(language).overlay(autoescape=True)
    env.bytecode_cache = compiled_templates(env, "svg", words.words(language).language)
    return env


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs; one that cannot be written is compiled again next time."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def compiled_templates(env: jinja2.Environment, kind: str, language: str | None = None) -> jinja2.BytecodeCache | None:
    """Where `env` keeps its compiled templates: compiling them costs each process (each render worker) 0.13 s.

    Jinja keeps them in its private temporary folder, each checked against its
    template's source. The compiled code also depends on how the environment
    reads templates and, for the handbook's templates, on the words of their
    `language` (constant messages are translated while compiling), so those are
    in the file name: Markdown and SVG templates (autoescaped) never share compiled
    code, and a corrected catalog (its digest) compiles them again. Without such a
    folder, templates are compiled in every process, as before.
    """
    words_used = None if language is None else (language, words.catalog_digest(language))
    reading = (importlib.metadata.version("jinja2"), kind, words_used, env.optimized, sorted(env.extensions),
               getattr(env, "newstyle_gettext", False), env.policies.get("ext.i18n.trimmed"),
               *(getattr(env, name) for name in _READING_OPTIONS))
    try:
        return _CompiledTemplates(pattern=f"__handbook-{hashlib.sha256(repr(reading).encode()).hexdigest()[:16]}-%s")
    except (OSError, RuntimeError):  # Jinja refuses a temporary folder others could write to
        return None


_READING_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
                    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
                    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline")
"""The environment options Jinja's lexer depends on (its own cache of lexers is keyed by them)."""


def slug(text: object) -> str:
    """The anchor MkDocs gives a heading of this English text: a heading in the handbook's words gets it
    explicitly (`{ #... }`), so anchors stay the same in every language."""
    return toc.slugify(str(text), "-")


FIGURE_PREFIX = "handbook-figure-"
FIGURE_SEPARATOR = "--"
"""Joins the parts of a figure id; plan ids never hold two hyphens in a row, so the parts stay apart."""


def figure_slot(kind: str, *ids: str) -> str:
    """Where a page shows a drawing, filled by `sales_handbook.site.figures` after Markdown: 'map' (+ objective id),
    'goal' + goal id, 'metric' + objective id + metric id, 'rollup' or 'rollup-mini' + scope + id (see
    `status.rollup_of`)."""
    return f'<div id="{FIGURE_PREFIX}{FIGURE_SEPARATOR.join((kind, *ids))}"></div>'


def plan_pages(plan: Plan, findings: Sequence[health.Finding] | None = None) -> list[Page]:
    """Every page of the handbook, in navigation order.

    `findings` are the alignment findings to show, when they were found on more of
    the plan than this (the whole plan, before `audience` left items out); by
    default the rules run on `plan` itself.
    """
    pages = [
        Page(urls.HOME, "home.md.j2", {}),
        Page(urls.MISSION, "mission.md.j2", {}),
        Page(urls.OBJECTIVES, "objectives.md.j2", {}),
        *(Page(urls.objective_page(o.id), "objective.md.j2", {"objective": o}) for o in plan.objectives),
        Page(urls.TEAMS, "teams.md.j2", {}),
        *(page for d, teams in alignment.teams_by_department(plan.teams) for page in _department_pages(d, teams)),
        *(Page(urls.team_page(t.id), "team.md.j2", {"team": t}) for t in plan.teams),
        *(Page(urls.person_page(p.id), "person.md.j2", {"team": t, "person": p}) for t, p in plan.people()),
        *_alignment_pages(plan, health.findings(plan) if findings is None else tuple(findings)),
        Page(urls.BENEFITS, "benefits.md.j2", {}),
        Page(urls.REVIEWS, "reviews.md.j2", {}),
        Page(urls.CHANGES, "changes.md.j2", {}),
        *(Page(urls.review_page(r.period), "review.md.j2", {"review": r}) for r in plan.reviews),
    ]
    return pages


def unlisted(plan: Plan) -> frozenset[str]:
    """The pages the navigation leaves out: one per person, thousands in a large plan, each reached from its
    team's page, by search and by its address."""
    return frozenset(urls.person_page(person.id) for _, person in plan.people())


def _department_pages(department: Department, teams: tuple[Team, ...]) -> list[Page]:
    """A department's page, and one per range of its teams when they are too many for one level."""
    groups = team_groups(teams)
    return [
        Page(urls.department_page(department.value), "department.md.j2",
             {"department": department, "teams": teams, "groups": groups}),
        *(Page(urls.team_group_page(department.value, group.key), "team_group.md.j2",
               {"department": department, "group": group})
          for group in _depth_first(groups)),
    ]


def team_groups(teams: tuple[Team, ...]) -> tuple[Group[Team], ...]:
    """A department's teams (sorted by name) in alphabetical ranges, or () when they fit in one level."""
    return navgroups.split(teams, lambda team: team.name)


def _depth_first(groups: tuple[Group[Any], ...]) -> list[Group[Any]]:
    return [found for group in groups for found in (group, *_depth_first(group.subgroups))]


def _alignment_pages(plan: Plan, found: tuple[health.Finding, ...]) -> list[Page]:
    """Health, map, matrix, progress and the rules: how well the plan aligns, and how that is judged."""
    return [
        Page(urls.HEALTH, "health.md.j2", {"findings": found}),
        Page(urls.ALIGNMENT_MAP, "map.md.j2", {}),
        Page(urls.MATRIX, "matrix.md.j2", {}),
        Page(urls.PROGRESS, "progress.md.j2", {}),
        Page(urls.RULES, "rules.md.j2", {"findings": found}),
        *(Page(urls.rule_page(r.id), "rule.md.j2", {"rule": r, "findings": health.of_rule(found, r.id)})
          for r in rules.catalogue()),
    ]


def render_page(plan: Plan, page: Page, comparisons: Comparisons = Comparisons(),
                known: lineage.Lineage | None = None) -> str:
    """The Markdown of one page."""
    template = _environment(plan.organization.language).get_template(page.template)
    text = template.render(
        plan=plan,
        comparisons=comparisons,
        lineage=known or lineage.of(plan),
        org=plan.organization,
        page=page.path,
        link=_linker(page.path),
        urls=urls,
        alignment=alignment,
        progress=_progress,
        assess=lambda measure: status.assess_measure(plan, measure),
        rollup=lambda scope, scope_id: status.rollup_of(plan, scope, scope_id),
        as_of=status.as_of(plan),
        figure=figure_slot,
        health=health,
        rules=rules,
        status=status,
        **page.context,
    )
    return mdtext.collapse_blank_lines(text)


def render(plan: Plan, findings: Sequence[health.Finding] | None = None,
           comparisons: Comparisons = Comparisons(), on_page: Callable[[], None] | None = None) -> dict[str, str]:
    """Every page of the handbook as Markdown, keyed by its path under the docs folder.

    `comparisons` (what changed since the previous published version, and per
    review) comes from the published history; without it the pages say so.
    Two pages with one path would silently keep only the last, so that is an error.
    `findings` as for `plan_pages`; `on_page` is called after each page, for a progress display.
    """
    rendered: dict[str, str] = {}
    known = lineage.of(plan)
    for page in plan_pages(plan, findings):
        if page.path in rendered:
            raise ValueError(f"two pages would be written to {page.path}")
        rendered[page.path] = render_page(plan, page, comparisons, known)
        if on_page is not None:
            on_page()
    return rendered


def render_template(name: str, language: str = lang.DEFAULT, **context: Any) -> str:
    """Render a template that is not a site page (a change report, a retirement page), with the pages' filters
    and the words of `language` (a plan's `language:` tag)."""
    return mdtext.collapse_blank_lines(_environment(language).get_template(name).render(urls=urls, **context))


def navigation(plan: Plan) -> list[NavItem]:
    """The site navigation: sections with their overview page first, teams by department.

    No level lists more than `navgroups.MAX_ENTRIES` entries: long lists are
    split (objectives by category, teams into alphabetical ranges, reviews by
    year), so every page's navigation stays small however large the plan.
    """
    said = words.words(plan.organization.language)
    _ = said.gettext
    return [
        {_("Home"): urls.HOME},
        {_("Mission and vision"): urls.MISSION},
        {_("Objectives"): [urls.OBJECTIVES, *_objectives_nav(plan.objectives, said)]},
        {_("Teams"): [
            urls.TEAMS,
            *({said.label(department): [urls.department_page(department.value),
                                        *_teams_nav(department, teams, team_groups(teams))]}
              for department, teams in alignment.teams_by_department(plan.teams)),
        ]},
        {_("Alignment"): [
            urls.HEALTH,
            {_("Alignment map"): urls.ALIGNMENT_MAP},
            {_("Team × objective matrix"): urls.MATRIX},
            {_("Progress and status"): urls.PROGRESS},
            {_("Rules"): [urls.RULES, *({said.translate(r.title): urls.rule_page(r.id)} for r in rules.catalogue())]},
        ]},
        {_("Benefits"): urls.BENEFITS},
        {_("Review history"): [urls.REVIEWS, {_("What changed"): urls.CHANGES}, *_reviews_nav(plan.reviews, said)]},
    ]


def _teams_nav(department: Department, teams: tuple[Team, ...], groups: tuple[Group[Team], ...]) -> list[NavItem]:
    if not groups:
        return [{t.name: urls.team_page(t.id)} for t in teams]
    return [{group.label: [urls.team_group_page(department.value, group.key),
                           *_teams_nav(department, group.items, group.subgroups)]}
            for group in groups]


def _objectives_nav(objectives: tuple[Objective, ...], said: words.Words) -> list[NavItem]:
    entries = [{o.title: urls.objective_page(o.id)} for o in objectives]
    if len(entries) < navgroups.MAX_ENTRIES:
        return entries
    return [{said.label(category): _ranges_nav(in_category, lambda o: o.title, lambda o: urls.objective_page(o.id))}
            for category in Category
            if (in_category := [o for o in objectives if o.category is category])]


def _reviews_nav(reviews: tuple[Review, ...], said: words.Words) -> list[NavItem]:
    def _review_title(review: Review) -> str:
        return said.gettext("%(period)s review", period=review.period)

    entries = [{_review_title(r): urls.review_page(r.period)} for r in reviews]
    if len(entries) + 2 <= navgroups.MAX_ENTRIES:  # with the section's page and "What changed"
        return entries
    years = dict.fromkeys(r.period[:4] for r in reviews)
    return [{year: [{_review_title(r): urls.review_page(r.period)} for r in reviews if r.period.startswith(year)]}
            for year in years]


def _ranges_nav(items: list[Any], title: Callable[[Any], str], page: Callable[[Any], str]) -> list[NavItem]:
    """Items as navigation entries, in alphabetical ranges (sections without a page) when too many."""
    ordered = sorted(items, key=title) if len(items) > navgroups.MAX_ENTRIES else items

    def entries(chunk: tuple[Any, ...] | list[Any], groups: tuple[Group[Any], ...]) -> list[NavItem]:
        if not groups:
            return [{title(item): page(item)} for item in chunk]
        return [{group.label: entries(group.items, group.subgroups)} for group in groups]

    return entries(ordered, navgroups.split(ordered, title, navgroups.MAX_ENTRIES))


def _linker(from_page: str) -> Callable[..., str]:
    def link(to_page: str, anchor: str | None = None) -> str:
        return urls.href(from_page, to_page, anchor)

    return link


def _progress(measure: Any) -> float | None:
    if measure.target is None:
        return None
    return alignment.progress(measure.baseline, measure.target, measure.current, measure.direction)
