"""When Python's cyclic garbage collector runs during a build.

Loading and rendering a 1,000-team plan allocates millions of small objects
that are freed by reference counting, not by the cycle collector. Yet each
allocation burst triggers collections that walk every live object, the plan
included, again and again: a third of the time of a serve rebuild. So the
collector is paused around that work, and in a one-shot build the loaded
plan, which lives until the process ends, is moved out of its sight.

Under `handbook serve` (`BetweenRebuilds`) the collector never starts on its
own: a collection of the whole heap (a 1,000-team plan twice over, while the
new plan replaces the old) took 0.3 s at a random point of one rebuild in two,
or just after one, while the browser fetched the rebuilt page, or just as an
edit was noticed. Instead, once a rebuild has been followed by a quiet second,
one collection frees what the rebuilds left.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

QUIET = 1.0
"""Seconds after a serve rebuild without another one before the collector runs: the browser has the page."""


class Pause:
    """The collector paused from one call to another: `start` where a rebuild begins, `end` where it ends.

    `start` twice (a rebuild that failed before it could end) keeps one pause; `end`
    restores the collector as `start` found it, and does nothing without a `start`.
    """

    def __init__(self) -> None:
        self._was_enabled: bool | None = None

    def start(self) -> None:
        """Stop collecting until `end`."""
        if self._was_enabled is None:
            self._was_enabled = gc.isenabled()
            gc.disable()

    def end(self) -> None:
        """Collect again, if the collector was on when `start` paused it."""
        if self._was_enabled is not None:
            if self._was_enabled:
                gc.enable()
            self._was_enabled = None


EVERY = 5
"""Rebuilds after which the collector runs before the next one starts, however fast edits come: garbage
left by rebuilds with no quiet second between them is freed all the same."""


class BetweenRebuilds:
    """The collector under `handbook serve`: paused from the first rebuild until serving stops, and run once
    after each rebuild that is followed by `QUIET` seconds without another, and at least every `EVERY`
    rebuilds."""

    def __init__(self, every: int = EVERY) -> None:
        self._pause = Pause()
        self._cancel = threading.Event()
        self._waiting: threading.Thread | None = None
        self._every = every
        self._uncollected = 0
        self.collections = 0
        """How many collections it ran, for tests."""

    def rebuild_starts(self) -> None:
        """A rebuild begins: no collection now, not even the one the last rebuild was waiting to run, unless
        `EVERY` rebuilds went by without one."""
        self._call_off()
        self._pause.start()
        if self._uncollected >= self._every:
            self._collect()

    def _collect(self) -> None:
        gc.collect()
        self._uncollected = 0
        self.collections += 1

    def rebuild_ended(self) -> None:
        """A rebuild is done (or failed): collect once things have been quiet for a while."""
        self._call_off()
        self._uncollected += 1
        cancel = self._cancel = threading.Event()

        def collect_when_quiet() -> None:
            if not cancel.wait(QUIET):
                self._collect()

        self._waiting = threading.Thread(target=collect_when_quiet, name="handbook-collector", daemon=True)
        self._waiting.start()

    def stop(self) -> None:
        """Serving stops: the collector works as it did before."""
        self._call_off()
        self._pause.end()

    def _call_off(self) -> None:
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._cancel.set()
            waiting.join()


@contextmanager
def paused() -> Iterator[None]:
    """Run the block without cyclic garbage collection; cycles made meanwhile are collected later."""
    pause = Pause()
    pause.start()
    try:
        yield
    finally:
        pause.end()


def keep_until_exit() -> None:
    """Stop scanning every object alive now: for a one-shot build, after the plan is loaded.

    Never in a long-running process (`handbook serve`): frozen cycles are never freed.
    """
    gc.freeze()
