"""The example plan built in German and Norwegian Bokmål, as a German or Norwegian company would: none of the
handbook's own English left on any page, dates and numbers in the local form, and every address and anchor the
same as in English (links in reviews keep working when a company switches language)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sales_handbook.plan import urls
from sales_handbook.plan.language import Phrase
from sales_handbook.plan.loader import load_plan
from sales_handbook.rules import health
from sales_handbook.site import pages, words
from tests import test_rules as rule_cases
from tests.conftest import build_site, plan_in
from tests.test_words import template_catalog
from tests.planfiles import replace_in

LANGUAGES = ("de", "nb")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")
CODE = re.compile(r"`[^`]*`|[\w/-]+\.ya?ml\b|'[^']*'")
"""Code and file names in a message (`handbook check`, organization.yaml, 'aligns_to:') are the same in every
language."""
MARKUP = re.compile(r"\*\*|\*|`|\[|\]\([^)]*\)|\]|\(|\)|:$")


def plan_text(plan: Path) -> str:
    """Every string the plan's YAML holds (titles, names, prose), lower case: text the handbook shows as written."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                found.append(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif value is not None:
            found.append(str(value))

    for path in plan.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return re.sub(r"\s+", " ", "\n".join(found)).lower()


def english_phrases() -> set[str]:
    """The pieces of every catalog source string between its placeholders and Markdown, of two words or more:
    what an untranslated string would leave on a page."""
    sources = [s for m in template_catalog() for s in (m.id if isinstance(m.id, tuple) else (m.id,))]
    phrases = set()
    for source in sources:
        for piece in PLACEHOLDER.split(CODE.sub(" ", source)):
            for part in MARKUP.split(piece):
                part = re.sub(r"\s+", " ", part).strip(" .,:;–-→·")
                if len(re.findall(r"[A-Za-z]{2,}", part)) >= 2:
                    phrases.add(part)
    return phrases


def page_texts(site: Path) -> dict[str, str]:
    """Each page's text as a reader gets it: the visible text, title and text alternatives, without scripts."""
    texts = {}
    for page in sorted(site.rglob("*.html")):
        source = page.read_text(encoding="utf-8")
        source = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", source, flags=re.S)
        alternatives = " ".join(re.findall(r'(?:title|aria-label|alt|placeholder)="([^"]*)"', source))
        visible = re.sub(r"<[^>]+>", " ", source)
        texts[page.relative_to(site).as_posix()] = re.sub(r"\s+", " ", html.unescape(f"{visible} {alternatives}"))
    return texts


def test_the_phrase_list_is_real() -> None:
    """The check below would see an English string left on a page: its list has the handbook's phrases."""
    phrases = english_phrases()
    assert {"Goals that serve this objective", "How status is computed", "Team goals, by department and team",
            "of the way with"} <= phrases
    assert len(phrases) > 300


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_english_words_of_the_handbook(example_site_in, language: str) -> None:
    site = example_site_in(language)
    plan = site.parent / "plan"
    own = plan_text(plan)
    phrases = [p for p in english_phrases() if p.lower() not in own]  # plan text is shown as written
    assert health.findings(load_plan(plan)), "the example plan has findings, so their words are checked too"
    left = {}
    for page, text in page_texts(site).items():
        if page.startswith("assets/"):
            continue
        found = english_left(text, phrases)
        if found:
            left[page] = found
    assert left == {}


def english_left(text: str, phrases: list[str]) -> list[str]:
    return sorted(p for p in phrases if re.search(rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])", text))


def spoken_phrases(phrase: Phrase) -> Iterator[Phrase]:
    """A phrase and every phrase among its arguments."""
    yield phrase
    for _, value in phrase.arguments:
        if isinstance(value, Phrase):
            yield from spoken_phrases(value)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rule_id", sorted(rule_cases.CASES))
def test_what_a_rule_says_about_a_place_is_in_the_plan_language(tmp_path: Path, rule_id: str, language: str) -> None:
    """Each rule's finding (its message, its own hint, the page it names) on the rule's page and the health page
    has no English left, while `handbook check` keeps saying it in English."""
    plan_dir = rule_cases.edited(tmp_path, rule_cases.CASES[rule_id][0])
    replace_in(plan_dir, "organization.yaml", "period:", f"language: {language}\nperiod:")
    plan = load_plan(plan_dir)
    found = health.of_rule(health.findings(plan), rule_id)
    english = [(file, message) for file, _, message in rule_cases.CASES[rule_id][1]]
    assert [(f.file, f.hit.message) for f in found] == english  # what `handbook check` prints: English, as before
    sources = {m.id if isinstance(m.id, str) else tuple(m.id) for m in template_catalog()}
    for finding in found:
        said = [finding.hit.says, *([finding.hit.advice] if finding.hit.advice else [])]
        label = finding.hit.subject.label
        said += [label] if isinstance(label, Phrase) else []
        for phrase in (p for top in said for p in spoken_phrases(top)):
            key = phrase.message if phrase.plural is None else (phrase.message, phrase.plural)
            assert key in sources, f"{key!r} is not in the catalogs: mark it with say() and run 'make catalogs'"
    own = plan_text(plan_dir)
    phrases = [p for p in english_phrases() if p.lower() not in own]
    rendered = pages.render(plan)
    for page in (urls.rule_page(rule_id), urls.HEALTH):
        text = re.sub(r"\\(.)", r"\1", rendered[page])  # Markdown escapes, as a reader does not see them
        assert english_left(text, phrases) == [], page
        for finding in found:
            assert finding.hit.message not in text


@pytest.mark.parametrize(("language", "date", "number", "share", "search"), [
    ("de", "1. Okt. 2026 – 31. Dez. 2026", "1.300 kEUR", "73\u00a0% des Weges", "Suche"),
    ("nb", "1. okt. 2026–31. des. 2026", "1\u00a0300 kEUR", "73\u00a0% av veien", "Søk"),
])
def test_dates_and_numbers_are_in_the_local_form(example_site_in, language, date, number, share, search) -> None:
    page = (example_site_in(language) / "teams" / "north-america-sales" / "index.html").read_text(encoding="utf-8")
    text = html.unescape(page)
    assert date in text and number in text and share in text
    assert f'<html lang="{language}"' in page
    assert f'placeholder="{search}"' in page
    config = (example_site_in(language) / "search" / "search_index.json").read_text(encoding="utf-8")
    assert f'"lang":["{words.SEARCH_LANGUAGES[language]}"]' in config.replace(" ", "")


def anchors(site: Path) -> dict[str, list[str]]:
    return {page.relative_to(site).as_posix(): sorted(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))
            for page in sorted(site.rglob("*.html"))}


@pytest.mark.parametrize("language", LANGUAGES)
def test_switching_the_language_keeps_every_address_and_anchor(example_site, example_site_in, language) -> None:
    english, other = example_site, example_site_in(language)
    assert files(english) == files(other)
    assert anchors(english) == anchors(other)


def files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


@pytest.mark.parametrize(("language", "words_of_redirect"), [("de", "Weiterleitung zu"), ("nb", "Videresender til")])
def test_a_permanent_address_redirects_in_the_language(example_site_in, language, words_of_redirect) -> None:
    page = (example_site_in(language) / "goals" / "na-new-arr" / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in page and words_of_redirect in page


def test_a_theme_language_set_in_mkdocs_yml_wins_for_the_theme_only(tmp_path: Path) -> None:
    """docs/configuration.md: an explicit `theme.language` (not Material's default) is kept for the theme's words."""
    from sales_handbook import cli
    from tests.conftest import REPO, plan_in

    plan = plan_in(tmp_path, "de")
    config = tmp_path / "mkdocs.yml"
    config.write_text((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "  name: material\n", "  name: material\n  language: nb\n", 1).replace("custom_dir: theme", f"custom_dir: {REPO / 'theme'}"),
        encoding="utf-8")
    assert cli.main(["build", "--quiet", "--plan", str(plan), "--site-dir", str(tmp_path / "site"),
                     "--config", str(config)]) == 0
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nb"' in page and 'placeholder="Søk"' in page
    assert "Finden Sie Ihr Team" in page


def test_handbook_check_speaks_english_whatever_the_plan_language(tmp_path: Path, capsys) -> None:
    """`handbook check` is for plan authors and CI logs: its findings stay English in a German plan."""
    from sales_handbook import cli

    plan_dir = rule_cases.edited(tmp_path, rule_cases.CASES["goal-not-measurable"][0])
    replace_in(plan_dir, "organization.yaml", "period:", "language: de\nperiod:")
    assert cli.main(["check", "--plan", str(plan_dir)]) == 0
    out = capsys.readouterr().out
    assert "goal 'south-new-logos' is not measurable: it has no target and no unit [goal-not-measurable]" in out
    assert "hint: add 'target:' and 'unit:' to the goal" in out


def test_an_internal_site_keeps_every_address_and_anchor_in_another_language(example_internal_site,
                                                                              tmp_path: Path) -> None:
    """An internal item's heading ends with the marker, which is a word of the language: its anchor is still
    the one the English words give ('north-sales-internal')."""
    assert build_site(plan_in(tmp_path, "de"), tmp_path / "site", "internal") == 0
    german = tmp_path / "site"
    assert files(example_internal_site) == files(german)
    assert anchors(example_internal_site) == anchors(german)
    assert "Intern" in (german / "teams" / "deal-desk" / "index.html").read_text(encoding="utf-8")


def test_init_starts_a_plan_in_a_language_and_refuses_a_tag_that_is_none(tmp_path: Path, capsys) -> None:
    from sales_handbook import cli

    assert cli.main(["init", str(tmp_path / "nb"), "--name", "Eksempel AS", "--language", "nb"]) == 0
    assert load_plan(tmp_path / "nb" / "plan").organization.language == "nb"
    assert cli.main(["init", str(tmp_path / "en"), "--name", "Example Ltd"]) == 0
    assert load_plan(tmp_path / "en" / "plan").organization.language == "en"
    capsys.readouterr()
    assert cli.main(["init", str(tmp_path / "fr"), "--name", "Exemple SA", "--language", "fr"]) == 0
    assert capsys.readouterr().err.count("warning: language 'fr' has no catalog") == 1
    assert cli.main(["init", str(tmp_path / "junk"), "--name", "X", "--language", "français"]) == 1
    assert "--language: 'français' is not a language tag" in capsys.readouterr().err
    assert not (tmp_path / "junk").exists()
