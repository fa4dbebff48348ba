"""Rendering on several cores gives the same pages, in the same order, as rendering on one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from sales_handbook.speed import parallel
from tests.fresh import run_python


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="forked rendering needs two cores")
def test_forked_workers_render_the_same_bytes(tmp_path: Path) -> None:
    printed = run_python(f"""
        from pathlib import Path
        from bench.synthetic import write_plan
        from sales_handbook.site import pages
        from sales_handbook.speed import parallel
        from sales_handbook.plan.loader import load_plan

        plan = load_plan(write_plan(Path({str(tmp_path)!r}) / "plan", teams=15, seed=2))
        parallel.MIN_PAGES = 10
        assert parallel.workers_wanted(len(pages.plan_pages(plan))) > 1
        counted = []
        forked = parallel.render(plan, on_page=lambda: counted.append(1))
        serial = pages.render(plan)
        assert list(forked.items()) == list(serial.items())
        assert len(counted) == len(serial)
        print("same", len(serial))
    """)
    assert printed.startswith("same ")


def test_small_plans_and_threaded_processes_render_in_process() -> None:
    assert parallel.workers_wanted(parallel.MIN_PAGES - 1) == 1
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.workers_wanted(10 * parallel.MIN_PAGES) == 1  # forking a threaded process is unsafe
    finally:
        stop.set()
        thread.join()
