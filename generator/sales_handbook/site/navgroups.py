"""Split long lists into alphabetical ranges, so no navigation level lists more than 30 entries.

Material renders, on every page, each navigation level on the way to that
page. A department of 700 teams in one level would put 700 links on each of
its 700 team pages: the site would grow with the square of the plan. Ranges
of at most 29 entries (30 with the section's own page) keep every page's
navigation small, so build time and site size grow linearly.

Pure: items in, nested ranges out. Labels read like a dictionary's guide
words ("Berlin – Bogotá"): as short as possible, in whole words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_ENTRIES = 30
"""The most entries one navigation level may list, a section's own page included."""


@dataclass(frozen=True)
class Group(Generic[T]):
    """A range of items: a navigation section with a label, and the position that names its page."""

    label: str
    key: tuple[int, ...]
    """1-based position of the range at each level, e.g. (3,) or (1, 2): stable for the same items."""
    items: tuple[T, ...]
    """Every item in the range, in order (also those in its subgroups)."""
    subgroups: tuple[Group[T], ...] = ()


def split(items: Sequence[T], name: Callable[[T], str], limit: int = MAX_ENTRIES - 1,
          *, key: tuple[int, ...] = (), before: str | None = None, after: str | None = None) -> tuple[Group[T], ...]:
    """Sorted `items` as ranges of at most `limit` entries per level; no ranges when all fit in one level.

    `before` and `after` are the names just outside these items (for labels).
    """
    if len(items) <= limit:
        return ()
    capacity = limit
    while capacity * limit < len(items):
        capacity *= limit
    parts = math.ceil(len(items) / capacity)
    chunks = _even_chunks(list(items), parts)
    groups = []
    for i, chunk in enumerate(chunks):
        previous = name(chunks[i - 1][-1]) if i else before
        following = name(chunks[i + 1][0]) if i + 1 < len(chunks) else after
        first, last = name(chunk[0]), name(chunk[-1])
        start, end = _guide_word(first, previous), _guide_word(last, following)
        sub_key = (*key, i + 1)
        groups.append(Group(
            label=start if start == end else f"{start} – {end}",
            key=sub_key,
            items=tuple(chunk),
            subgroups=split(chunk, name, limit, key=sub_key, before=previous, after=following),
        ))
    return tuple(groups)


def _even_chunks(items: list[T], parts: int) -> list[list[T]]:
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for i in range(parts):
        end = start + size + (i < extra)
        chunks.append(items[start:end])
        start = end
    return chunks


def _guide_word(name: str, neighbour: str | None) -> str:
    """The shortest whole-word prefix of `name` that tells it apart from the neighbouring range's name."""
    name = " ".join(name.split())
    if neighbour is None:
        return name.split(" ")[0]
    neighbour = " ".join(neighbour.split())
    differs = next((i for i, (a, b) in enumerate(zip(name.lower(), neighbour.lower())) if a != b),
                   min(len(name), len(neighbour)))
    end = name.find(" ", differs + 1)
    return name if end < 0 else name[:end]
