"""When Python's cyclic garbage collector runs during a build.

Loading and rendering a 1,000-team plan allocates millions of small objects
that are freed by reference counting, not by the cycle collector. Yet each
allocation burst triggers collections that walk every live object, the plan
included, again and again: a third of the time of a serve rebuild. So the
collector is paused around that work, and in a one-shot build the loaded
plan, which lives until the process ends, is moved out of its sight.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block without cyclic garbage collection; cycles made meanwhile are collected later."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def keep_until_exit() -> None:
    """Stop scanning every object alive now: for a one-shot build, after the plan is loaded.

    Never in a long-running process (`handbook serve`): frozen cycles are never freed.
    """
    gc.freeze()
