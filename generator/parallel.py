"""Render a large plan's pages, and read its files, on every core: MkDocs builds on one, the generator need not.

Rendering 1,121 pages of a 1,000-team plan takes about 1.4 s on one core.
Forked workers inherit the loaded plan (nothing is sent to them); they and
this process each take the next chunk of pages as they finish one (the
longest pages first), and the Markdown is put back in page order, so the
result is the same bytes as `pages.render`. `split_map` shares any other list of work (reading a
thousand team files) the same way. Small plans, a single core, platforms
without `fork`, and processes that run threads (forking those is unsafe,
e.g. under `mkdocs serve`) work in-process.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
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
"""Pages per task: small enough to keep both cores busy to the end and the progress line moving."""

_job: tuple[Plan, list[pages.Page], Comparisons, lineage.Lineage, list[list[int]], Any, Any] | None = None
"""What forked workers render, in chunks, and shared counts of chunks taken and pages rendered: set before forking."""

_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
"""What forked workers of `split_map` work on, inherited like `_job`."""


def workers_wanted(page_count: int, minimum: int | None = None) -> int:
    """How many processes should share `page_count` pages (or other items, at least `minimum`) here.

    1: work in-process.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if (page_count < (MIN_PAGES if minimum is None else minimum) or cores < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return 1
    return min(cores, 4)


def split_map(func: Callable[[T], R], items: Sequence[T], minimum: int) -> Iterator[R]:
    """`map(func, items)`, shared with forked workers when there are at least `minimum` items.

    Results come in the order of `items`. This process works out the first
    share as they are asked for, so the caller works on them while each
    worker takes one of the other shares. Workers inherit `func` and `items`;
    only results travel back, with `marshal`: they must be plain data (None,
    bool, numbers, str, and lists, tuples and dicts of them), which it
    sends several times faster than pickle.
    """
    global _work
    workers = min(workers_wanted(len(items), minimum), len(items))
    if workers <= 1:
        yield from map(func, items)
        return
    size = -(-len(items) // workers)
    shares = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _work = (func, items)
    try:
        with multiprocessing.get_context("fork").Pool(len(shares) - 1) as pool:
            theirs = pool.map_async(_work_share, shares[1:])
            yield from (func(items[index]) for index in shares[0])
            for share in theirs.get():
                yield from marshal.loads(share)
    finally:
        _work = None


def _work_share(indexes: range) -> bytes:
    assert _work is not None, "workers are forked after the work is set"
    func, items = _work
    return marshal.dumps([func(items[index]) for index in indexes])


def render(plan: Plan, findings: Sequence[health.Finding] | None = None, comparisons: Comparisons = Comparisons(),
           on_page: Callable[[], None] | None = None) -> dict[str, str]:
    """Every page of the handbook as Markdown, like `pages.render`, on several cores when it pays."""
    global _job
    page_list = pages.plan_pages(plan, findings)
    workers = workers_wanted(len(page_list))
    if workers == 1:
        return pages.render(plan, findings, comparisons, on_page)
    paths = [page.path for page in page_list]
    if len(set(paths)) < len(paths):
        raise ValueError("two pages would be written to one path: " + next(p for p in paths if paths.count(p) > 1))
    fork = multiprocessing.get_context("fork")
    chunks = _chunks(page_list)
    rendered_elsewhere = fork.Value("i", 0)
    _job = (plan, page_list, comparisons, lineage.of(plan), chunks, fork.Value("i", 0), rendered_elsewhere)
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

    try:
        # This process renders too: a worker costs copies of the memory it touches and sends back
        # what it rendered. All take the next chunk nobody has taken from one shared count. Workers
        # send their pages when they are done (sent while this process is busy, they would wait for
        # its reader thread) and count them as they go, for the progress line.
        with fork.Pool(workers - 1) as pool:
            theirs = pool.map_async(_render_taken_chunks, range(workers - 1))
            while (mine := _render_next_chunk()) is not None:
                indexes, chunk_texts = mine
                for index, text in zip(indexes, chunk_texts, strict=True):
                    texts[index] = text
                rendered_here += len(indexes)
                report()
            for worker_chunks in theirs.get():
                for indexes, chunk_texts in worker_chunks:
                    for index, text in zip(indexes, chunk_texts, strict=True):
                        texts[index] = text
            report()
    finally:
        _job = None
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


def _render_taken_chunks(_worker: int) -> list[tuple[list[int], list[str]]]:
    """A worker's part: chunks taken and rendered until none is left, counted as they are done."""
    assert _job is not None, "workers are forked after the job is set"
    *_, counted = _job
    done = []
    while (rendered := _render_next_chunk()) is not None:
        done.append(rendered)
        with counted.get_lock():
            counted.value += len(rendered[0])
    return done


def _render_next_chunk() -> tuple[list[int], list[str]] | None:
    """Take the next chunk nobody has taken and render it; None when every chunk is taken."""
    assert _job is not None, "workers are forked after the job is set"
    plan, page_list, comparisons, known, chunks, taken, _ = _job
    with taken.get_lock():
        number = taken.value
        taken.value = number + 1
    if number >= len(chunks):
        return None
    indexes = chunks[number]
    return indexes, [pages.render_page(plan, page_list[index], comparisons, known) for index in indexes]
