"""The handbook's words in the plan's language: catalogs complete, templates with no bare English, and numbers
and dates in the local form (site/words.py)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from babel.messages import pofile

from sales_handbook.plan import language
from sales_handbook.plan.diagnostics import PlanError
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.schema import Measure
from sales_handbook.site import pages, words
from tests.planfiles import SMALL_PLAN, make_plan, replace_in

LOCALE = Path(words.__file__).parent / "locale"
TEMPLATES = Path(pages.__file__).parent / "templates"
THEME = Path(pages.__file__).parent / "theme"
REPO = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)s")

SYNTAX = re.compile(r"""
    \{\s*\#[^}]*\}                   # an attribute list naming a section: { #goals }
  | <[^>]*>                          # an SVG or HTML tag and its attributes (words in them are checked below)
  | ^---$ | ^hide:$ | ^\s+-\s+(navigation|toc)$   # the front matter that hides Material's sidebars
  | ```yaml | ``` | settings: | rules: | \#\s*error\s*\|\s*warning\s*\|\s*info\s*\|\s*off   # the rule settings example
  | single-department-objective: | info | handbook-\w+ | //.*$ | \(function\s*\(\)\s*\{ | \}\)\(\);
  | \b(var|if|return|new|URL|location|document|currentScript|decodeURIComponent|hash|slice|getElementById
       |hasOwnProperty|replace|href|src|addresses|root|id)\b
""", re.VERBOSE | re.MULTILINE)
"""Template text that is Markdown, SVG or script syntax, not words for a reader: the only text outside `_()`
and `{% trans %}` that may hold letters."""

WORDS_IN_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|alt|placeholder)="([^"{]*[A-Za-z]{2}[^"{]*)"')


def catalog(language_code: str) -> list:
    with (LOCALE / language_code / "LC_MESSAGES" / f"{words.DOMAIN}.po").open("rb") as po:
        return [m for m in pofile.read_po(po, locale=language_code) if m.id]


def template_catalog() -> list:
    with (LOCALE / f"{words.DOMAIN}.pot").open("rb") as pot:
        return [m for m in pofile.read_po(pot) if m.id]


def bare_text(source: str, env: jinja2.Environment) -> list[str]:
    """The text of a template outside `_()`, `{% trans %}` and every other tag, line by line, with syntax removed
    (a tag's expressions count as nothing, so an HTML tag split by one is still seen whole)."""
    parts, in_trans = [], False
    for _, kind, value in env.lex(source):
        if kind == "name" and value in ("trans", "pluralize"):
            in_trans = True
        elif kind == "name" and value == "endtrans":
            in_trans = False
        elif kind == "data" and not in_trans:
            parts.append(value)
    text = SYNTAX.sub(" ", "".join(parts))
    return [line.strip() for line in text.splitlines() if re.search(r"[A-Za-z]{2}", line)]


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.j2") if p.name != "changes.txt.j2"))
def test_a_template_shows_no_english_word_outside_the_catalogs(name: str) -> None:
    """A word typed into a template without `_()` would stay English on a German page: this fails on one.

    changes.txt.j2 is the plain-text report of `handbook diff`, a command's output (like `handbook check`),
    which stays English.
    """
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    env = pages._environment()
    assert bare_text(source, env) == [], f"{name}: wrap these words in _() or {{% trans %}}"
    assert WORDS_IN_ATTRIBUTES.findall(source) == [], f"{name}: an attribute a reader hears has bare words"


def test_the_lint_sees_a_bare_english_word() -> None:
    """The check above would catch one: a new heading typed in English is found, a wrapped one is not."""
    env = pages._environment()
    assert bare_text('## Goals { #goals }\n\n| Owner | {{ x }} |\n', env) == ["## Goals", "| Owner |  |"]
    assert bare_text('## {{ _("Goals") }} { #goals }\n{% trans %}Who serves it{% endtrans %}\n', env) == []
    assert bare_text('<em title="{{ _("Internal") }}">{{ _("Internal") }}</em>', env) == []
    assert WORDS_IN_ATTRIBUTES.findall('<p title="Open the map">') == ["Open the map"]


def test_the_template_catalog_has_every_string_the_code_and_templates_mark(tmp_path: Path) -> None:
    """A string added to a template or marked N_() in Python without `make catalogs` fails here."""
    fresh = tmp_path / "handbook.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg", "-k", "say", "-k", "say_plural:1,2",
                    "--no-location", "--sort-output", "--omit-header", "-o", str(fresh), "."],
                   cwd=REPO, check=True)
    with fresh.open("rb") as pot:
        extracted = {m.id for m in pofile.read_po(pot) if m.id}
    assert extracted == {m.id for m in template_catalog()}, "run 'make catalogs', then translate the new strings"


@pytest.mark.parametrize("language_code", words.LANGUAGES)
def test_every_catalog_translates_every_string_with_the_same_placeholders(language_code: str) -> None:
    wanted = {m.id for m in template_catalog()}
    messages = catalog(language_code)
    assert {m.id for m in messages} == wanted, f"run 'make catalogs' for {language_code}"
    if language_code == "en":
        return  # the source language: an empty translation is the English text itself
    for message in messages:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        assert all(strings) and "fuzzy" not in message.flags, f"{language_code}: untranslated: {message.id!r}"
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(sources[-1])), (language_code, text)
            if not isinstance(message.id, tuple):  # a plural's singular may say "one" in words
                assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(sources[0])), (language_code, text)


def test_every_value_of_the_plan_enums_has_a_name_in_the_catalogs() -> None:
    labels = {words.english_label(value) for enum in words.LABELLED_ENUMS for value in enum}
    assert labels == set(words.ENUM_LABELS)


@pytest.mark.parametrize(("language_code", "plural"), [("de", "3 Ziele"), ("nb", "3 mål"), ("en", "3 goals")])
def test_plurals_follow_the_language(language_code: str, plural: str) -> None:
    said = words.words(language_code)
    assert said.ngettext("%(num)s goal", "%(num)s goals", 3) == plural
    assert said.ngettext("%(num)s goal", "%(num)s goals", 1).startswith("1 ")


def test_numbers_read_as_people_of_each_language_write_them() -> None:
    english, german, norwegian = words.words("en"), words.words("de"), words.words("nb")
    assert english.number(1250000, "kEUR") == "1,250,000 kEUR"
    assert english.number(12.5, "%") == "12.5%"
    assert english.number(None, "EUR") == "—"
    assert english.number(3.10, "h") == "3.1 h"
    assert english.number(1250000, "EUR") == "€1,250,000"  # a currency code: the currency's sign, where it goes
    assert german.number(1800, "customers") == "1.800 customers"
    assert german.number(12.5, "%") == "12,5\u00a0%"
    assert german.number(1250000, "EUR") == "1.250.000\u00a0€"
    assert norwegian.number(1800) == "1\u00a0800"
    assert norwegian.number(1250000, "NOK") == "1\u00a0250\u00a0000\u00a0kr"
    assert english.percent(0.423) == "42%" and german.percent(0.423) == "42\u00a0%"


def test_a_unit_is_plan_text_escaped_for_markdown_but_plain_in_a_drawing() -> None:
    said = words.words("de")
    assert said.number(2, "[x]*") == "2 \\[x\\]\\*"
    assert said.figure(2, "EUR   million") == "2 EUR million"


def measure(**frame: object) -> Measure:
    return Measure(id="g", title="A goal", metric="revenue", baseline=0, **frame)


def test_dates_and_time_frames_read_in_the_language() -> None:
    english, german, norwegian = words.words("en"), words.words("de"), words.words("nb")
    day = dt.date(2026, 10, 1)
    assert english.date(day) == "1 Oct 2026"
    assert german.date(day) == "1. Okt. 2026"
    assert norwegian.date(day) == "1. okt. 2026"
    quarter = measure(period="2026-Q4")
    assert english.time_frame(quarter) == "2026-Q4 (1 Oct 2026 – 31 Dec 2026)"
    assert german.time_frame(quarter) == "2026-Q4 (1. Okt. 2026 – 31. Dez. 2026)"
    assert german.time_frame(measure(due=dt.date(2026, 11, 15))) == "fällig am 15. Nov. 2026"
    assert norwegian.time_frame(measure()) == "uten tidsramme"


@pytest.mark.parametrize(("tag", "catalog_language"), [("de", "de"), ("de-CH", "de"), ("NB", "nb"), ("no", "nb"),
                                                       ("en-GB", "en"), ("fr", None), ("sr-Latn-RS", None)])
def test_a_language_tag_picks_its_catalog(tag: str, catalog_language: str | None) -> None:
    assert words.catalog_language(tag) == catalog_language
    assert words.words(tag).language == (catalog_language or "en")
    assert (words.fallback_warning(tag) is None) == (catalog_language is not None)


@pytest.mark.parametrize("junk", ["français", "de_DE", "d", "english please", "de-"])
def test_a_language_that_is_no_tag_is_a_located_error(tmp_path: Path, junk: str) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "organization.yaml", "period:", f'language: "{junk}"\nperiod:')
    with pytest.raises(PlanError) as raised:
        load_plan(plan)
    text = str(raised.value)
    assert "organization.yaml:" in text and "[language]" in text and "is not a language tag" in text
    assert language.tag_problem(junk) is not None


def test_a_language_without_a_catalog_is_english_with_one_warning(tmp_path: Path, capsys) -> None:
    from sales_handbook import cli

    plan = make_plan(tmp_path)
    replace_in(plan, "organization.yaml", "period:", "language: fr\nperiod:")
    assert cli.main(["check", "--plan", str(plan)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: language 'fr' has no catalog") == 1
    assert "organization.yaml" in err
    rendered = pages.render(load_plan(plan))
    assert rendered["index.md"] == pages.render(load_plan(SMALL_PLAN))["index.md"]


def test_the_same_plan_in_another_language_renders_the_same_bytes_each_time(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "organization.yaml", "period:", "language: nb\nperiod:")
    first, second = pages.render(load_plan(plan)), pages.render(load_plan(plan))
    assert first == second
    assert first.keys() == pages.render(load_plan(SMALL_PLAN)).keys()


def test_templates_compiled_with_one_catalog_are_not_used_with_another(monkeypatch: pytest.MonkeyPatch) -> None:
    """Constant messages are translated while a template compiles, and compiled templates are kept between runs:
    a corrected catalog (a new release, same templates) must compile them again, or the old words would stay."""
    kept = pages._environment.__wrapped__("de").bytecode_cache.pattern
    assert kept == pages._environment.__wrapped__("de").bytecode_cache.pattern  # the same words: reused
    assert kept != pages._environment.__wrapped__("nb").bytecode_cache.pattern
    monkeypatch.setattr(words, "catalog_digest", lambda language: "a corrected catalog")
    assert pages._environment.__wrapped__("de").bytecode_cache.pattern != kept
    assert pages.svg_environment.__wrapped__("de").bytecode_cache.pattern != kept
