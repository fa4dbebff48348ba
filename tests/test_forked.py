"""Work shared with forked workers gives what the same work gives in one process, errors included."""

from __future__ import annotations

import os

import pytest

from sales_handbook.speed import forked
from tests.fresh import run_python

TWO_CORES = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="forked workers need two cores")


@TWO_CORES
def test_split_map_keeps_the_order_of_the_items_and_raises_a_worker_error() -> None:
    printed = run_python("""
        from sales_handbook.speed import forked

        def check(item):
            if item == 990:  # in the last worker's share
                raise KeyError(item)
            return str(item)

        items = list(range(1000))
        assert forked.processes_for(len(items), 10) > 1
        assert list(forked.split_map(str, items, 10)) == [str(i) for i in items]
        try:
            list(forked.split_map(check, items, 10))
        except KeyError as error:
            print("raised", error)
    """)
    assert printed == "raised 990\n"


def test_small_jobs_and_threaded_processes_stay_in_process() -> None:
    assert forked.processes_for(9, 10) == 1
    assert list(forked.split_map(str, range(5), 10)) == ["0", "1", "2", "3", "4"]


@TWO_CORES
def test_a_worker_dies_with_its_parent_even_when_the_parent_is_killed(tmp_path) -> None:
    import signal
    import subprocess
    import sys
    import time

    parent = subprocess.Popen([sys.executable, "-c", """
import sys, time
from sales_handbook.speed import forked
worker = forked.Worker(lambda: time.sleep(120) or b"")
print(worker._process.pid, flush=True)
time.sleep(120)
"""], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    os.kill(worker, 0)  # it runs
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(worker, signal.SIGKILL)
        raise AssertionError("the worker outlived its killed parent")


def test_one_switch_keeps_everything_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(forked.WORKERS_VARIABLE, "1")
    assert forked.processes_for(10_000, 10) == 1 and not forked.fork_is_safe()
    assert forked.Worker(lambda: b"done here").result() == b"done here"
