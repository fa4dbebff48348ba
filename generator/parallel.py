"""Render a large plan's pages on every core: MkDocs builds on one, the generator need not.

Rendering 1,096 pages of a 1,000-team plan takes about 1.3 s on one core.
Forked workers inherit the loaded plan (nothing is sent to them), each
renders every n-th chunk of pages, and the Markdown comes back in page
order, so the result is the same bytes as `pages.render`. Small plans, a
single core, platforms without `fork`, and processes that run threads
(forking those is unsafe, e.g. under `mkdocs serve`) render in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence

from generator import health, lineage, pages
from generator.changes import Comparisons
from generator.model import Plan

MIN_PAGES = 300
"""Below this many pages starting workers costs more than it saves."""

CHUNK = 25
"""Pages per task: small enough to keep both cores busy to the end and the progress line moving."""

_job: tuple[Plan, list[pages.Page], Comparisons, lineage.Lineage] | None = None
"""What forked workers render: set just before forking, inherited by the children."""


def workers_wanted(page_count: int) -> int:
    """How many processes should render `page_count` pages here (1: render in-process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if (page_count < MIN_PAGES or cores < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return 1
    return min(cores, 4)


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
    chunks = [range(start, min(start + CHUNK, len(page_list))) for start in range(0, len(page_list), CHUNK)]
    _job = (plan, page_list, comparisons, lineage.of(plan))
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            rendered: dict[str, str] = {}
            for chunk, texts in zip(chunks, pool.imap(_render_chunk, chunks), strict=True):
                for index, text in zip(chunk, texts, strict=True):
                    rendered[page_list[index].path] = text
                    if on_page is not None:
                        on_page()
    finally:
        _job = None
    return rendered


def _render_chunk(indexes: range) -> list[str]:
    assert _job is not None, "workers are forked after the job is set"
    plan, page_list, comparisons, known = _job
    return [pages.render_page(plan, page_list[index], comparisons, known) for index in indexes]
