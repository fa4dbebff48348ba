"""Rendering on several cores gives the same pages, in the same order, as rendering on one."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from generator import parallel
from tests.planfiles import EXAMPLE_PLAN


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="forked rendering needs two cores")
def test_forked_workers_render_the_same_bytes(tmp_path: Path) -> None:
    # A fresh interpreter: this test process may run threads (a test server), and then nothing forks.
    script = textwrap.dedent(f"""
        from pathlib import Path
        from bench.synthetic import write_plan
        from generator import pages, parallel
        from generator.loader import load_plan

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
    done = subprocess.run([sys.executable, "-c", script], cwd=EXAMPLE_PLAN.parent, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("same ")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="forked reading needs two cores")
def test_team_files_read_on_several_cores_give_the_same_plan_and_the_same_errors(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        from pathlib import Path
        from bench.synthetic import write_plan
        from generator import loader, parallel
        from generator.diagnostics import PlanError

        root = write_plan(Path({str(tmp_path)!r}) / "plan", teams=30, seed=3)

        def load(parallel_files):
            loader._clean_reads.clear()
            loader.PARALLEL_FILES = parallel_files
            try:
                return loader.load_plan(root)
            except PlanError as error:
                return [str(d) for d in error.diagnostics]

        assert parallel.workers_wanted(30, 10) > 1
        assert load(10) == load(10_000)
        first, second = sorted((root / "teams").glob("*.yaml"))[:2]
        first.write_text(first.read_text() + "name: twice\\n")  # a duplicate key: only the careful reader says where
        second.write_bytes(b"name: \\xff\\n")  # not UTF-8
        forked, serial = load(10), load(10_000)
        assert forked == serial and any("duplicate key 'name'" in d for d in forked), forked
        print("same")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=EXAMPLE_PLAN.parent, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "same\n"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="forked workers need two cores")
def test_split_map_keeps_the_order_of_the_items_and_raises_a_worker_error() -> None:
    script = textwrap.dedent("""
        from generator import parallel

        def check(item):
            if item == 990:  # in the last worker's share
                raise KeyError(item)
            return str(item)

        items = list(range(1000))
        assert parallel.workers_wanted(len(items), 10) > 1
        assert list(parallel.split_map(str, items, 10)) == [str(i) for i in items]
        try:
            list(parallel.split_map(check, items, 10))
        except KeyError as error:
            print("raised", error)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=EXAMPLE_PLAN.parent, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "raised 990\n"


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
