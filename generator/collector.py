"""When Python's cyclic garbage collector runs during a build.

Loading and rendering a 1,000-team plan allocates millions of small objects
that are freed by reference counting, not by the cycle collector. Yet each
allocation burst triggers collections that walk every live object, the plan
included, again and again: a third of the time of a serve rebuild. So the
collector is paused around that work, and in a one-shot build the loaded
plan, which lives until the process ends, is moved out of its sight.

Under `handbook serve` the whole rebuild is paused, MkDocs' part included:
there a collection of the whole heap (a 1,000-team plan twice over, while the
new plan replaces the old) took 0.3 s at a random point of one rebuild in two.
The collector catches up between rebuilds, while the server waits for edits.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
