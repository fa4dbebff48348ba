"""The language a handbook speaks: the BCP 47 tag in organization.yaml, and the marker for words to translate.

Plan-level, so every stage can use it: the schema checks the tag, the model and
the rules mark their reader-facing words with `N_` (they stay English in the
model; `sales_handbook.site.words` translates them where a page shows them).
"""

from __future__ import annotations

import re

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
