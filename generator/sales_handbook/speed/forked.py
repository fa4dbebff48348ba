"""Work on every core: this process takes a share, forked workers take the others.

Loading and rendering a large plan are each a list of independent pieces of
work (team files, pages). Forked workers inherit everything this process has
loaded, so nothing is sent to them, and send back only their results. Small
jobs, a single core, platforms other than Linux, processes that run threads
(forking those is unsafe, e.g. under `mkdocs serve`) and HANDBOOK_WORKERS=1
work in-process.

Workers are plain forked processes that know their work from the moment
they exist and send one result back through a pipe. A process pool would
hand them their tasks from a thread of this process, which gets the GIL
only when this process's own work lets it go: workers then started up to
half a second late.
"""

from __future__ import annotations

import contextlib
import ctypes
import marshal
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


WORKERS_VARIABLE = "HANDBOOK_WORKERS"
"""At most this many processes share the work (the one switch of the speed-ups): 1 runs everything in this
process, for debugging and profiling."""


def processes_for(count: int, minimum: int) -> int:
    """How many processes (this one included) should share `count` pieces of work; 1 below `minimum` of them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if count < minimum or cores < 2 or not fork_is_safe():
        return 1
    return min(cores, 4, count, _allowed())


def fork_is_safe() -> bool:
    """Whether forking this process now is safe: on Linux, with no other thread running, and workers allowed.

    A forked child gets only the forking thread; a lock another thread held stays locked in it
    forever. macOS frameworks are not fork-safe at all (Python defaults to spawn there).
    """
    return (sys.platform.startswith("linux") and threading.active_count() == 1 and _allowed() > 1
            and "fork" in multiprocessing.get_all_start_methods())


def _allowed() -> int:
    value = os.environ.get(WORKERS_VARIABLE, "")
    return int(value) if value.isdigit() and int(value) > 0 else 4


class Worker:
    """A forked process doing one piece of work from the start; its result comes back through a pipe.

    `work` returns bytes (the caller chooses how to encode them); an exception
    in it is raised again by `result`. `stop` ends a worker whose result is no
    longer wanted, and reaps one that is done.
    """

    def __init__(self, work: Callable[[], bytes]) -> None:
        self._done: bytes | None = None
        if not fork_is_safe():  # checked when forking, not only when the work was planned
            self._done = work()
            return
        fork = multiprocessing.get_context("fork")
        self._reader, writer = fork.Pipe(duplex=False)

        parent = os.getpid()

        def run() -> None:
            _die_with(parent)
            self._reader.close()
            try:
                outcome = b"+" + work()
            except BaseException as error:  # noqa: BLE001 - sent to the parent, which raises it
                outcome = b"!" + _pickled_error(error)
            writer.send_bytes(outcome)
            writer.close()

        self._process = fork.Process(target=run, daemon=True)
        self._process.start()
        writer.close()  # else the next worker forked would hold it open, and a dead worker would not be noticed

    def result(self) -> bytes:
        """What the work returned, once it is done."""
        if self._done is not None:
            return self._done
        try:
            outcome = self._reader.recv_bytes()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"a worker process ended without a result (exit code {self._process.exitcode})") from None
        if outcome[:1] == b"!":
            raise pickle.loads(outcome[1:])
        return outcome[1:]

    def stop(self) -> None:
        """End the worker if it still runs (before it would find its pipe closed, and say so), and reap it."""
        if self._done is not None:
            return
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._reader.close()


def _die_with(parent: int) -> None:
    """In a worker: end when the parent ends, even by SIGKILL (Linux), and leave Ctrl-C to the parent.

    The parent stops its workers when it is interrupted; a worker that took Ctrl-C itself
    would only race it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _pickled_error(error: BaseException) -> bytes:
    try:
        return pickle.dumps(error)
    except Exception:  # noqa: BLE001 - an exception that cannot travel is described instead
        return pickle.dumps(RuntimeError(f"in a worker process: {error!r}"))


def split_map(func: Callable[[T], R], items: Sequence[T], minimum: int) -> Iterator[R]:
    """`map(func, items)`, shared with forked workers when there are at least `minimum` items.

    Results come in the order of `items`. This process works out the first
    share as they are asked for, so the caller works on them while each
    worker takes one of the other shares. Only results travel back, with
    `marshal`: they must be plain data (None, bool, numbers, str, and lists,
    tuples and dicts of them), which it sends several times faster than pickle.
    """
    processes = processes_for(len(items), minimum)
    if processes == 1:
        yield from map(func, items)
        return
    size = -(-len(items) // processes)
    shares = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    started: list[Worker] = []
    try:
        for share in shares[1:]:
            started.append(Worker(lambda share=share: marshal.dumps([func(items[index]) for index in share])))
        yield from (func(items[index]) for index in shares[0])
        for worker in started:
            yield from marshal.loads(worker.result())
    finally:
        for worker in started:
            worker.stop()
