"""Problems found in a plan, reported like a compiler: FILE:LINE:COL: message.

Every error a plan author can cause ends up as a `Diagnostic`, so the command
line, the MkDocs plugin and the tests all print and compare the same text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place in one plan file."""

    file: str
    line: int
    column: int
    message: str
    field: str = ""
    hint: str = ""
    severity: Severity = "error"

    def format(self) -> str:
        """Render as `FILE:LINE:COL: severity: message [field]` plus an indented hint; a problem that is in no
        line of a file (line 0: a command-line option, a whole file) is `FILE: severity: ...`."""
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        head = f"{where}: {self.severity}: {self.message}"
        if self.field:
            head += f" [{self.field}]"
        if self.hint:
            head += f"\n    hint: {self.hint}"
        return head


class PlanError(Exception):
    """Raised when a plan cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__(format_report(self.diagnostics))


def format_report(diagnostics: Iterable[Diagnostic]) -> str:
    """All diagnostics, one block each, followed by a count, as a terminal shows them."""
    items = list(diagnostics)
    errors = sum(d.severity == "error" for d in items)
    body = "\n".join(d.format() for d in items)
    noun = "error" if errors == 1 else "errors"
    return f"{body}\n{errors} {noun} in the plan" if items else "no problems"


def did_you_mean(word: str, choices: Iterable[str], *, most: int = 3) -> str:
    """A 'did you mean' hint for a misspelt name (the `most` closest), or an empty string when nothing is close."""
    close = close_to(word, choices, most=most)
    if not close:
        return ""
    return "did you mean " + " or ".join(repr(c) for c in close) + "?"


def close_to(word: str, choices: Iterable[str], *, most: int = 3) -> list[str]:
    """The `most` choices closest to a misspelt name, closest first; none when nothing is close.

    Case does not count: 'NPS' means 'nps', and 'Increase' is close to 'increase'.
    """
    options = sorted(set(choices))
    close = [c for c in options if c.lower() == word.lower()][:most]
    if not close:
        lowered: dict[str, str] = {}
        for choice in options:
            lowered.setdefault(choice.lower(), choice)
        close = [lowered[c] for c in difflib.get_close_matches(word.lower(), sorted(lowered), n=most, cutoff=0.6)]
    return close


def field_path(path: Iterable[str | int]) -> str:
    """`('goals', 2, 'aligns_to', 0)` -> `goals[2].aligns_to[0]`, the way authors read YAML.

    Keys are data: invisible characters in them are escaped, and a path longer than
    `EXCERPT_LIMIT` is shortened in the middle.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{printable(part)}" if out else printable(str(part))
    if len(out) > EXCERPT_LIMIT:
        half = EXCERPT_LIMIT // 2
        out = f"{out[:half]}…{out[-half:]}"
    return out


EXCERPT_LIMIT = 80
"""The most characters of a plan's own text that a message quotes."""


def clip(text: str) -> str:
    """A name or title of the plan as a message shows it unquoted: at most `EXCERPT_LIMIT` characters."""
    return text if len(text) <= EXCERPT_LIMIT else text[:EXCERPT_LIMIT] + "…"


def excerpt(value: object) -> str:
    """A value of the plan quoted in a message: at most `EXCERPT_LIMIT` characters of it, invisible ones escaped.

    Every message that quotes what a file holds goes through here, so a file that is
    not a plan (a key, a log) is never printed whole.
    """
    text = str(value)
    if len(text) <= EXCERPT_LIMIT:
        return repr(text)
    return f"{text[:EXCERPT_LIMIT]!r}… ({len(text):,} characters)"


def one_line(error: BaseException, limit: int = 300) -> str:
    """An error's message on one line and at most `limit` characters, for a command's one-line report."""
    text = " ".join(str(error).split())
    return text[:limit] + ("…" if len(text) > limit else "")


def printable(text: str) -> str:
    """`text` as a terminal can show it: control characters and lone surrogates escaped (`\\x01`, `\\ud800`)."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
