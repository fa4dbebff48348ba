"""Render a large plan's pages on every core: MkDocs builds on one, the generator need not.

Rendering 1,121 pages of a 1,000-team plan takes about 1.4 s on one core.
Forked workers (`sales_handbook.speed.forked`) inherit the loaded plan, nothing is
sent to them; they and this process each take the next chunk of pages as
they finish one (the longest pages first), and the Markdown is put back in
page order, so the result is the same bytes as `pages.render`. Small plans,
a single core, platforms without `fork`, and processes that run threads
render in-process.
"""

from __future__ import annotations

import marshal
import multiprocessing
from collections import Counter
from collections.abc import Callable, Generator, Sequence

from sales_handbook.plan import lineage
from sales_handbook.rules import health
from sales_handbook.site import pages
from sales_handbook.model.changes import Comparisons
from sales_handbook.plan.loader import PlanCheck, Reader
from sales_handbook.plan.yamlfile import FastRead
from sales_handbook.speed.forked import Worker, processes_for, split_map
from sales_handbook.plan.plan import Plan

PARALLEL_FILES = 200
"""From this many team files to parse, forked workers parse a share each: 0.6 s of YAML at 1,000 teams."""


def parse_many(parse: Callable[[bytes], FastRead], raws: Sequence[bytes]) -> Generator[FastRead, None, None]:
    """`loader.Reader`'s parsing of team files, shared with forked workers from `PARALLEL_FILES` files."""
    yield from split_map(parse, raws, PARALLEL_FILES)


def reader(checks: Sequence[PlanCheck] = ()) -> Reader:
    """A plan reader that parses large plans on every core."""
    return Reader(parse_many, checks)


MIN_PAGES = 300
"""Below this many pages starting workers costs more than it saves."""

CHUNK = 25
"""Pages per chunk: small enough to keep every core busy to the end and the progress line moving."""


def workers_wanted(page_count: int) -> int:
    """How many processes (this one included) should render `page_count` pages here (1: in-process)."""
    return processes_for(page_count, MIN_PAGES)


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

    started: list[Worker] = []
    try:
        started += (Worker(worker_part) for _ in range(workers - 1))
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
