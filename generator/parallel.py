"""Render a large plan's pages, and read its files, on every core: MkDocs builds on one, the generator need not.

Rendering 1,121 pages of a 1,000-team plan takes about 1.4 s on one core.
Forked workers inherit the loaded plan (nothing is sent to them); they and
this process each take the next chunk of pages as they finish one (the
longest pages first), and the Markdown is put back in page order, so the
result is the same bytes as `pages.render`. `split_map` shares any other
list of work (reading a thousand team files) the same way. Small plans, a
single core, platforms without `fork`, and processes that run threads
(forking those is unsafe, e.g. under `mkdocs serve`) work in-process.

Workers are plain forked processes that know their work from the moment
they exist and send one result back through a pipe. A process pool would
hand them their tasks from a thread of this process, which gets the GIL
only when this process's own work lets it go: workers then started up to
half a second late.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import pickle
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from generator import health, lineage, pages
from generator.changes import Comparisons
from generator.model import Plan

T = TypeVar("T")
R = TypeVar("R")

MIN_PAGES = 300
"""Below this many pages starting workers costs more than it saves."""

CHUNK = 25
"""Pages per chunk: small enough to keep every core busy to the end and the progress line moving."""


def workers_wanted(page_count: int, minimum: int | None = None) -> int:
    """How many processes should share `page_count` pages (or other items, at least `minimum`) here.

    1: work in-process.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if (page_count < (MIN_PAGES if minimum is None else minimum) or cores < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return 1
    return min(cores, 4)


class _Worker:
    """A forked process doing one piece of work from the start; its result comes back through a pipe.

    `work` returns bytes (the caller chooses how to encode them); an exception
    in it is raised again by `result`. `stop` ends a worker whose result is no
    longer wanted, and reaps one that is done.
    """

    def __init__(self, work: Callable[[], bytes]) -> None:
        fork = multiprocessing.get_context("fork")
        self._reader, writer = fork.Pipe(duplex=False)

        def run() -> None:
            self._reader.close()
            try:
                outcome = b"+" + work()
            except BaseException as error:  # noqa: BLE001 - sent to the parent, which raises it
                outcome = b"!" + _pickled_error(error)
            writer.send_bytes(outcome)
            writer.close()

        self._process = fork.Process(target=run, daemon=True)
        self._process.start()
        writer.close()

    def result(self) -> bytes:
        """What the work returned, once it is done."""
        try:
            outcome = self._reader.recv_bytes()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"a worker process ended without a result (exit code {self._process.exitcode})") from None
        if outcome[:1] == b"!":
            raise pickle.loads(outcome[1:])
        return outcome[1:]

    def stop(self) -> None:
        """End the worker if it still runs, and reap it."""
        self._reader.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _pickled_error(error: BaseException) -> bytes:
    try:
        return pickle.dumps(error)
    except Exception:  # noqa: BLE001 - an exception that cannot travel is described instead
        return pickle.dumps(RuntimeError(f"in a worker process: {error!r}"))


def split_map(func: Callable[[T], R], items: Sequence[T], minimum: int) -> Iterator[R]:
    """`map(func, items)`, shared with forked workers when there are at least `minimum` items.

    Results come in the order of `items`. This process works out the first
    share as they are asked for, so the caller works on them while each
    worker takes one of the other shares. Workers inherit `func` and `items`;
    only results travel back, with `marshal`: they must be plain data (None,
    bool, numbers, str, and lists, tuples and dicts of them), which it
    sends several times faster than pickle.
    """
    workers = min(workers_wanted(len(items), minimum), len(items))
    if workers <= 1:
        yield from map(func, items)
        return
    size = -(-len(items) // workers)
    shares = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    started = []
    try:
        for share in shares[1:]:
            started.append(_Worker(lambda share=share: marshal.dumps([func(items[index]) for index in share])))
        yield from (func(items[index]) for index in shares[0])
        for worker in started:
            yield from marshal.loads(worker.result())
    finally:
        for worker in started:
            worker.stop()


def render(plan: Plan, findings: Sequence[health.Finding] | None = None, comparisons: Comparisons = Comparisons(),
           on_page: Callable[[], None] | None = None) -> dict[str, str]:
    """Every page of the handbook as Markdown, like `pages.render`, on several cores when it pays.

    This process renders too: a worker costs copies of the memory it touches
    and sends back what it rendered. Everyone takes the next chunk nobody has
    taken from one shared count. Workers send their pages when they are done,
    and count them as they go, for the progress line.
    """
    page_list = pages.plan_pages(plan, findings)
    workers = workers_wanted(len(page_list))
    if workers == 1:
        return pages.render(plan, findings, comparisons, on_page)
    paths = [page.path for page in page_list]
    if len(set(paths)) < len(paths):
        raise ValueError("two pages would be written to one path: " + next(p for p in paths if paths.count(p) > 1))
    fork = multiprocessing.get_context("fork")
    chunks = _chunks(page_list)
    taken, rendered_elsewhere = fork.Value("i", 0), fork.Value("i", 0)
    known = lineage.of(plan)

    def next_chunk() -> tuple[list[int], list[str]] | None:
        """Take the next chunk nobody has taken and render it; None when every chunk is taken."""
        with taken.get_lock():
            number = taken.value
            taken.value = number + 1
        if number >= len(chunks):
            return None
        indexes = chunks[number]
        return indexes, [pages.render_page(plan, page_list[index], comparisons, known) for index in indexes]

    def worker_part() -> bytes:
        done = []
        while (rendered := next_chunk()) is not None:
            done.append(rendered)
            with rendered_elsewhere.get_lock():
                rendered_elsewhere.value += len(rendered[0])
        return marshal.dumps(done)

    texts = [""] * len(page_list)
    rendered_here = reported = 0

    def report() -> None:
        """Count the pages rendered so far, here and by the workers, on the progress line."""
        nonlocal reported
        rendered = rendered_here + rendered_elsewhere.value
        for _ in range(rendered - reported):
            if on_page is not None:
                on_page()
        reported = rendered

    started: list[_Worker] = []
    try:
        started += (_Worker(worker_part) for _ in range(workers - 1))
        while (mine := next_chunk()) is not None:
            for index, text in zip(*mine, strict=True):
                texts[index] = text
            rendered_here += len(mine[0])
            report()
        for worker in started:
            for indexes, chunk_texts in marshal.loads(worker.result()):
                for index, text in zip(indexes, chunk_texts, strict=True):
                    texts[index] = text
        report()
    finally:
        for worker in started:
            worker.stop()
    return {page.path: text for page, text in zip(page_list, texts, strict=True)}


def _chunks(page_list: Sequence[pages.Page]) -> list[list[int]]:
    """The pages' indexes in chunks of `CHUNK`, the pages that show most of the plan first.

    A page whose template few pages use (the matrix, progress, an objective) lists much
    of the plan; each of a thousand team pages shows one team. Handed out last, one long
    page kept a worker busy for a third of a second while the others had nothing left.
    """
    uses = Counter(page.template for page in page_list)
    order = sorted(range(len(page_list)), key=lambda index: uses[page_list[index].template])
    return [order[start:start + CHUNK] for start in range(0, len(order), CHUNK)]
