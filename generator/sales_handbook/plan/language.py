"""The language a handbook speaks: the BCP 47 tag in organization.yaml, and the marker for words to translate.

Plan-level, so every stage can use it: the schema checks the tag, the model and
the rules mark their reader-facing words with `N_` (they stay English in the
model; `sales_handbook.site.words` translates them where a page shows them).
What the rules say about one place in a plan ("goal 'x' serves no objective")
is a `Phrase`: a catalog message and its arguments, English where `handbook
check` prints it and in the plan's language where a page shows it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Union

DEFAULT = "en"
"""A plan without `language:` is in English, as every handbook was before."""

TAG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8})*$"
"""BCP 47, the parts a handbook can use: language, then optional script, region and variants ('nb', 'de-CH',
'sr-Latn', 'pt-BR')."""

_TAG = re.compile(TAG_PATTERN)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention extraction tools look for)
    """Marks `message` for the catalogs without translating it here: it is translated where a page shows it."""
    return message


def tag_problem(value: str) -> str | None:
    """Why `value` is not a language tag the handbook accepts, or None."""
    if _TAG.match(value):
        return None
    return (f"'{value}' is not a language tag: use a BCP 47 tag such as 'en', 'de', 'nb' (Norwegian Bokmål) "
            "or 'de-CH'")


def primary(tag: str) -> str:
    """'de-CH' -> 'de', 'NB' -> 'nb': the language part, which picks the catalog."""
    return tag.split("-")[0].lower()


def english_label(value: Enum | str) -> str:
    """The English name of an enum value: 'customer-service' -> 'Customer service' (the msgid of its label)."""
    raw = value.value if isinstance(value, Enum) else str(value)
    return raw.replace("-", " ").capitalize()


Argument = Union[str, int, float, dt.date, Enum, "Phrase"]
"""What a phrase may say about the plan: plan text and ids (shown as written), numbers and dates (formatted for
the language), an enum value (its label) or another phrase (translated in turn)."""


@dataclass(frozen=True)
class Phrase:
    """A sentence about the plan kept as its catalog message and arguments, so each reader gets it in their
    language: `str()` is the English `handbook check` prints, `spoken` the words of a page.

    Made by `say` and `say_plural`, the names `make catalogs` extracts the messages by (`pybabel -k`).
    """

    message: str
    arguments: tuple[tuple[str, Argument], ...] = ()
    plural: str | None = None
    count: int = 1

    def spoken(self, gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str],
               shown: Callable[[Argument], str]) -> str:
        """The phrase in the language of `gettext` and `ngettext`, each argument `shown` as that language writes it."""
        text = gettext(self.message) if self.plural is None else ngettext(self.message, self.plural, self.count)
        return text % {name: value.spoken(gettext, ngettext, shown) if isinstance(value, Phrase) else shown(value)
                       for name, value in self.arguments}

    def __str__(self) -> str:
        return self.spoken(_as_written, _english_plural, _english)


def say(message: str, /, **arguments: Argument) -> Phrase:
    """A phrase with named placeholders: `say("goal '%(goal)s' serves no objective", goal=goal.id)`."""
    return Phrase(message, tuple(arguments.items()))


def say_plural(singular: str, plural: str, num: int, /, **arguments: Argument) -> Phrase:
    """A phrase whose words depend on `num` (its placeholder `%(num)s`), as `ngettext` picks them."""
    return Phrase(singular, (("num", num), *arguments.items()), plural, num)


def _as_written(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _english(value: Argument) -> str:
    """An argument as `handbook check` prints it: dates as ISO dates, enum values by their lower-case label."""
    if isinstance(value, Enum):
        return english_label(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
