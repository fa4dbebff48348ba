"""Progress of a long build on a terminal: the phase, and how far it has come.

A 1,000-team handbook takes a minute to build; a silent minute looks like a
hang. On a terminal the build shows each phase with counts, rewritten in
place. Piped into a CI log (not a terminal, or CI=true) it prints nothing:
logs stay readable and diffable.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

REFRESH_SECONDS = 0.1
"""Least time between two updates of the same line: redrawing is not free."""


def wanted(stream: TextIO) -> bool:
    """Whether to show progress on `stream`: only on a terminal, and never in CI."""
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Shows `phase: done/total` on one line of a terminal, or nothing when not wanted."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.phase = ""
        self.total = 0
        self.done = 0
        self._shown_at = 0.0
        self._started = time.monotonic()

    def start(self, phase: str, total: int = 0) -> None:
        """Begin a phase ('rendering pages'), with the number of steps if known."""
        self.finish()
        self.phase, self.total, self.done = phase, total, 0
        self._started = time.monotonic()
        self._show(force=True)

    def advance(self, steps: int = 1) -> None:
        """Count steps of the current phase."""
        self.done += steps
        self._show(force=self.done == self.total)

    def finish(self) -> None:
        """End the current phase's line, with its time."""
        if self.enabled and self.phase:
            self._show(force=True, end=f" ({time.monotonic() - self._started:.1f} s)\n")
        self.phase = ""

    def _show(self, *, force: bool = False, end: str = "") -> None:
        if not self.enabled or not self.phase:
            return
        now = time.monotonic()
        if not force and now - self._shown_at < REFRESH_SECONDS:
            return
        self._shown_at = now
        count = f" {self.done:,}/{self.total:,}" if self.total else ""
        self.stream.write(f"\r\x1b[Khandbook: {self.phase}{count}{end}")
        self.stream.flush()


SILENT = Progress(enabled=False)
"""For builds nobody watches (plain `mkdocs build`, tests, CI)."""
