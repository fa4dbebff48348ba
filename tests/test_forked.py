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


@TWO_CORES
def test_concurrent_jobs_give_their_results_in_order_and_raise_a_worker_error() -> None:
    printed = run_python("""
        import os
        from sales_handbook.speed import forked

        here = os.getpid()
        print(forked.concurrently([lambda: ("first", os.getpid() == here), lambda: ("second", os.getpid() == here)],
                                  worth_it=True))
        try:
            forked.concurrently([lambda: 1, lambda: {}["missing"]], worth_it=True)
        except KeyError as error:
            print("raised", error)
    """)
    assert printed == "[('first', True), ('second', False)]\nraised 'missing'\n"


def test_small_jobs_and_threaded_processes_stay_in_process() -> None:
    assert forked.processes_for(9, 10) == 1
    assert forked.concurrently([lambda: os.getpid(), lambda: os.getpid()], worth_it=False) == [os.getpid()] * 2
    assert list(forked.split_map(str, range(5), 10)) == ["0", "1", "2", "3", "4"]
