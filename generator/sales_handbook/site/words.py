"""The handbook's own words in the plan's language: gettext catalogs, and numbers and dates formatted by Babel.

Every word the handbook adds to a page is English in the source (templates
mark theirs with `_()`, Python marks its with `N_`) and is looked up here in
the catalog of the plan's `language:` (`locale/<language>/LC_MESSAGES/handbook.po`).
Plan text is never translated. Numbers, percentages, currencies and dates are
formatted by Babel for the same language, so a German page says `1.800` and
`1. Okt. 2026`, a Norwegian one `1 800` and `1. okt. 2026`.

Catalogs are read from the `.po` files shipped in the package and compiled in
memory on first use (a fraction of a second, once per process), so a source
checkout and an installed wheel work the same, with no build step to forget.
A language without a catalog falls back to English: `fallback_warning` says so
once, in `handbook check` and the build.
"""

from __future__ import annotations

import datetime as dt
import copy
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from babel import Locale, dates, numbers
from babel.messages import mofile, pofile
from babel.support import Translations

from sales_handbook.plan import language as tags
from sales_handbook.plan.language import N_, Argument, Phrase, english_label
from sales_handbook.site import mdtext
from sales_handbook.plan.schema import (Category, ChangeField, Department, Direction, MetricKind, Measure,
                                        time_frame_said)

DOMAIN = "handbook"
LANGUAGES = ("en", "de", "nb")
"""The languages with a complete catalog."""

ALIASES = {"no": "nb"}
"""Tags that name a language with a catalog by another name: 'no' (Norwegian) is written in Bokmål here."""

SEARCH_LANGUAGES = {"en": "en", "de": "de", "nb": "no"}
"""Material's search plugin (lunr) by catalog language: lunr knows Norwegian as 'no'."""

ENUM_LABELS = (
    N_("Growth"), N_("Customer satisfaction"), N_("Innovation"), N_("Market expansion"), N_("Efficiency"),
    N_("People"),
    N_("Increase"), N_("Decrease"), N_("Stay above"), N_("Stay below"),
    N_("Sales"), N_("Marketing"), N_("Product"), N_("Customer service"), N_("Finance"), N_("Operations"),
    N_("Revenue"), N_("Customers"), N_("Units sold"), N_("Retention"), N_("Market share"),
    N_("Product penetration"), N_("Satisfaction"), N_("Custom"),
    N_("Title"), N_("Baseline"), N_("Target"), N_("Time frame"), N_("Aligns to"), N_("Owner"), N_("Team"),
    N_("Added"), N_("Retired"), N_("Other"),
)
"""The names of the plan's enum values (`english_label`), for the catalogs; tests/test_words.py keeps it complete."""

THEME_WORDS = {
    "internal": N_("Internal: left out of the public handbook"),
    "table": N_("Table %(number)s"),
    "scrolls": N_("(scrolls sideways)"),
    "outdated": N_("You are reading an earlier quarter's plan."),
    "current": N_("Read the current plan."),
}
"""The words of the handbook's theme overrides (`theme/main.html`), which read them from `extra.handbook_words`
of the MkDocs configuration: an export built by plain MkDocs has them too. Placeholders stay for the script."""

LABELLED_ENUMS: tuple[type[Enum], ...] = (Category, Direction, Department, MetricKind, ChangeField)


def catalog_language(tag: str) -> str | None:
    """The catalog for a plan's `language:` tag ('de-CH' -> 'de', 'no' -> 'nb'), or None if there is none."""
    primary = tags.primary(tag)
    primary = ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else None


def fallback_warning(tag: str) -> str | None:
    """The one warning for a language the handbook has no words for, or None when it has them."""
    if catalog_language(tag) is not None:
        return None
    return (f"language '{tag}' has no catalog, so the handbook's own words stay in English (catalogs: "
            f"{', '.join(LANGUAGES)}; docs/translating.md says how to add one)")


def _catalog_source(language: str) -> Any:
    return resources.files("sales_handbook.site") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> Translations:
    """The compiled catalog of a language in LANGUAGES, read from its `.po` file (a pure memo: catalogs are
    package data)."""
    with _catalog_source(language).open("rb") as po:
        catalog = pofile.read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def catalog_digest(language: str) -> str:
    """A digest of a language's catalog: templates compiled with its words are kept under it, so a corrected
    translation is never shown from code compiled with the old one (`pages.compiled_templates`)."""
    return hashlib.sha256(_catalog_source(language).read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class Words:
    """One language's words and formats: what templates call `_`, `ngettext` and the number and date filters.

    Each attribute is a plain function, so the pages' fast template call path (`pages._Context`) calls it
    directly; the formatters are cached, since a plan repeats its figures and dates on many pages.
    """

    language: str
    """The catalog language ('en', 'de', 'nb'): also Material's `theme.language` and the pages' `lang`."""
    gettext: Callable[..., str]
    ngettext: Callable[..., str]
    translate: Callable[[str], str]
    """A word marked with `N_` in Python (a status, a rule's title): looked up as it is, no placeholders filled."""
    number: Callable[..., str]
    figure: Callable[[float, str], str]
    """A number with its unit as plain text, for a drawing (`number` escapes the unit for Markdown)."""
    percent: Callable[[float | None], str]
    date: Callable[[dt.date], str]
    time_frame: Callable[[Measure], str]
    label: Callable[[Enum | str], str]
    label_in_text: Callable[[Enum | str], str]
    """A label inside a sentence: lower case, except in German, where nouns keep their capital."""
    theme_words: dict[str, str]
    """THEME_WORDS translated, for `extra.handbook_words`."""
    say: Callable[[Phrase | str], str]
    """What a rule says about a place in the plan (a `Phrase`), or plan text as it is."""


@cache
def words(tag: str = tags.DEFAULT) -> Words:
    """The words of a plan's `language:` tag (English when it has no catalog). A pure memo: one per language."""
    language = catalog_language(tag) or tags.DEFAULT
    found = translations(language)
    lookup, plural_lookup = found.gettext, found.ngettext
    locale = Locale.parse(language)

    def gettext(message: str, **variables: Any) -> str:
        return lookup(message) % variables

    def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return plural_lookup(singular, plural, num) % variables

    decimal_pattern = _two_decimals(locale.decimal_formats[None])
    percent_pattern = _two_decimals(locale.percent_formats[None])
    currency_pattern = _two_decimals(locale.currency_formats["standard"])

    def formatted(value: float | int, unit: str, escape: Callable[[str], str]) -> str:
        if unit == "%":
            return numbers.format_percent(value / 100, percent_pattern, locale=locale)
        if numbers.is_currency(unit):
            return numbers.format_currency(value, unit, currency_pattern, locale=locale, currency_digits=False)
        shown = numbers.format_decimal(value, decimal_pattern, locale=locale)
        return f"{shown} {escape(unit)}" if unit else shown

    @lru_cache(maxsize=1 << 14)
    def number(value: float | int | None, unit: str = "") -> str:
        return "—" if value is None else formatted(value, unit, mdtext.inline)

    @lru_cache(maxsize=1 << 12)
    def figure(value: float, unit: str = "") -> str:
        return formatted(value, unit, lambda text: " ".join(text.split()))

    @lru_cache(maxsize=1 << 10)
    def percent(fraction: float | None) -> str:
        return "—" if fraction is None else numbers.format_percent(fraction, locale=locale)

    @lru_cache(maxsize=1 << 12)
    def date(value: dt.date) -> str:
        # English as the handbook always wrote it ('31 Dec 2026', unambiguous); other languages their own way.
        if language == tags.DEFAULT:
            return dates.format_date(value, "d MMM y", locale=locale)
        return dates.format_skeleton("yMMMd", value, locale=locale)

    @lru_cache(maxsize=1 << 12)
    def frame(period: str | None, start: dt.date | None, due: dt.date | None) -> str:
        return say(time_frame_said(period, start, due, days=True))

    def time_frame(measure: Measure) -> str:
        return frame(measure.period, measure.start, measure.due)

    @lru_cache(maxsize=1 << 10)
    def label(value: Enum | str) -> str:
        return lookup(english_label(value))

    @lru_cache(maxsize=1 << 10)
    def label_in_text(value: Enum | str) -> str:
        return label(value) if language == "de" else label(value).lower()

    def shown(value: Argument) -> str:
        if isinstance(value, Enum):
            return label_in_text(value)
        if isinstance(value, dt.date):
            return date(value)
        if isinstance(value, (int, float)):
            return number(value)
        return str(value)

    def say(text: Phrase | str) -> str:
        return text if isinstance(text, str) else text.spoken(lookup, plural_lookup, shown)

    theme_words = {key: lookup(message) for key, message in THEME_WORDS.items()}
    translate = lru_cache(maxsize=1 << 12)(lookup)  # statuses and rule words: a few dozen, shown 100,000 times
    return Words(language, gettext, ngettext, translate, number, figure, percent, date, time_frame, label, label_in_text,
                 theme_words, say)


def _two_decimals(pattern: numbers.NumberPattern) -> numbers.NumberPattern:
    """The locale's pattern, showing up to two decimals and no trailing zeros: 12.5, 1,800, 3.14."""
    shown = copy.copy(pattern)
    shown.frac_prec = (0, 2)
    return shown
