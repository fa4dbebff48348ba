"""Search that finds people and places as people type them.

Material's search (lunr, in a web worker) matches the words of the index as
written: `braten` never finds "Bråten", and `osterreich` never finds
"Österreich". Before Material writes its index, each section gets two more
fields the worker searches but never shows:

- `folded`: the section's words that are not plain ASCII, folded the way people
  type them without the keys (`Bråten` -> `braten`, `Müller` -> `muller` and
  `mueller`, `Núñez` -> `nunez`, `Ørjan` -> `orjan`), boosted like titles when
  they are in the title;
- `id`: the id of the goal a section is about (on a team or person page), or of
  the person a page is about, so both are found by the ids people paste from
  reviews; a person's name, folded or not, finds their own page first.

The index keeps its words as written too, so `Bråten` still finds Bråten. Names
in Chinese, Japanese or Korean script are found by their characters: the site's
search separator (mkdocs.yml) splits text at CJK punctuation, and the worker
matches a query in Han script against the words of the index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from typing import Any

FIELDS = {"folded_title": {"boost": 1e3}, "folded": {"boost": 1.0}, "id": {"boost": 1e4}}
"""The fields added to Material's search, with their weight (Material's own: title 1e3, text 1)."""

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TAG = re.compile(r"<[^>]*>|&[a-z]+;|&#\d+;")

_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "ł": "l", "þ": "th",
                          "ı": "i", "ħ": "h"})
"""Letters that are not a base letter plus a mark, so Unicode decomposition leaves them as they are."""

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
"""How German is typed without umlauts (Mueller); the plain fold (Muller) is kept as well."""


def fold(word: str) -> str:
    """`word` in lower case without accents: 'Bråten' -> 'braten', 'Ørjan' -> 'orjan', 'Straße' -> 'strasse'."""
    lowered = word.lower().translate(_LETTERS)
    return "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))


def folded_words(text: str) -> list[str]:
    """The ASCII spellings of the words of `text` that are written with other letters, in order, once each.

    Words in scripts without an ASCII spelling (Chinese, Cyrillic...) have none and are left out.
    """
    found: dict[str, None] = {}
    for word in _WORD.findall(_TAG.sub(" ", text)):
        if word.isascii():
            continue
        lowered = word.lower()
        for spelling in (fold(word), fold(lowered.translate(_GERMAN))):
            if spelling.isascii() and spelling != lowered:
                found[spelling] = None
    return list(found)


def add_fields(entries: Iterable[dict[str, Any]], anchors: Collection[str],
               pages: Mapping[str, str] | None = None) -> None:
    """Give Material's search entries (`location`, `title`, `text`) the fields in `FIELDS`, in place.

    `anchors` are the ids whose sections are found by their id (goals); `pages` maps the location of a
    page about one item (a person's) to that item's id. Only entries with something to add get a field,
    so the index grows by the names that need it and not more.
    """
    pages = pages or {}
    for entry in entries:
        for name in FIELDS:
            entry.pop(name, None)  # a serve rebuild passes the previous build's entries again
        title = entry.get("title", "")
        text = entry.get("text", "")
        if not title.isascii():
            words = folded_words(title)
            if words:
                entry["folded_title"] = " ".join(words)
        if not text.isascii():
            words = folded_words(text)
            if words:
                entry["folded"] = " ".join(words)
        location = entry.get("location", "")
        _, _, anchor = location.partition("#")
        if anchor in anchors:
            entry["id"] = anchor
        elif location in pages:
            entry["id"] = pages[location]
