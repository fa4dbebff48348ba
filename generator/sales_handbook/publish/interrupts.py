"""Ctrl-C and SIGTERM during a command: always noticed, never swallowed, never half-applied.

Python turns SIGINT into a KeyboardInterrupt wherever the main thread is. When
that is inside a callback from C code (nh3 calls back into Python while it
sanitizes a page), the exception is printed as "Exception ignored" and lost,
and the build went on. So a signal is also noted here: whatever swallowed the
exception, the build checks `raise_if_received` before it swaps a site in,
and does that check and the swap with the signals held (`held`), so a signal
lands either before the check (nothing is swapped in) or after the swap.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """The signals a command received while `catching`; a received one ends the command with 128 + its number."""

    def __init__(self) -> None:
        self.received: int | None = None

    @property
    def exit_code(self) -> int:
        """130 after Ctrl-C, 143 after SIGTERM (the shell's convention)."""
        return 128 + (self.received or signal.SIGINT)

    @contextlib.contextmanager
    def catching(self) -> Iterator[None]:
        """Note SIGINT and SIGTERM and raise KeyboardInterrupt for them, while the block runs (main thread only).

        A KeyboardInterrupt that C code swallows is not printed: it has been noted, and the
        build stops at its next check.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {number: signal.getsignal(number) for number in _SIGNALS}
        hook = sys.unraisablehook

        def note(number: int, frame: FrameType | None) -> None:
            self.received = self.received or number
            raise KeyboardInterrupt

        def quiet(unraisable: Any) -> None:
            if not isinstance(unraisable.exc_value, KeyboardInterrupt):
                hook(unraisable)

        for number in _SIGNALS:
            signal.signal(number, note)
        sys.unraisablehook = quiet
        try:
            yield
        finally:
            sys.unraisablehook = hook
            for number, handler in previous.items():
                signal.signal(number, handler)

    def raise_if_received(self) -> None:
        """Raise KeyboardInterrupt if a signal came, even one whose exception was swallowed."""
        if self.received is not None:
            raise KeyboardInterrupt


class Held:
    """SIGINT and SIGTERM held back while a block runs (see `held`); off a main thread, nothing is held."""

    def __init__(self, active: bool) -> None:
        self._active = active

    def discard(self) -> None:
        """Drop the signals that came while held: the work they would stop is already done."""
        for number in _SIGNALS if self._active else ():
            if number in signal.sigpending():
                signal.sigwait({number})


@contextlib.contextmanager
def held() -> Iterator[Held]:
    """Hold SIGINT and SIGTERM while the block runs (a swap, a clean-up); they are delivered after it."""
    if threading.current_thread() is not threading.main_thread():
        yield Held(False)
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield Held(True)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
