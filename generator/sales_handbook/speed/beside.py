"""A one-shot build's other work, done beside MkDocs while it converts the pages.

The site's files beside its pages (30,000 redirects and plan.json at 1,000
teams) and the figures of every page (25,000 progress bars) are pure functions
of the plan. In MkDocs' one thread they took seconds; a forked worker makes
them on the second core while MkDocs converts the pages, and brings the
previous site's address folders up to date (`recycling`) on the way. A small
build writes the files on a thread and draws each page's figures when it is
written.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Mapping
from pathlib import Path

from sales_handbook.model.trends import Trends
from sales_handbook.plan.plan import Plan
from sales_handbook.site import figures
from sales_handbook.speed import forked, writing
from sales_handbook.speed.recycling import Recycled
from sales_handbook.speed.writing import FileWriter

BESIDE_FROM = 300
"""Pages from which a build draws figures and writes the site's files in a forked worker, beside MkDocs."""


class Beside:
    """The site's files being written into `folder`, and the pages' figures being drawn, while MkDocs works."""

    def __init__(self, folder: Path, plan: Plan, rendered: Mapping[str, str], files: Callable[[], dict[str, bytes]],
                 recycled: Recycled | None, trends: Callable[[], Trends] = dict) -> None:
        """`files` and `trends` are called in the worker when there is one: their work is done beside MkDocs."""
        self._plan = plan
        self._recycled = recycled
        self._drawn: dict[str, dict[str, str]] | None = None
        self._worker: forked.Worker | None = None
        self._writer: FileWriter | None = None
        if forked.processes_for(len(rendered), BESIDE_FROM) > 1:
            def work() -> bytes:
                writing.write_files(folder, files(), recycled=recycled)
                return marshal.dumps(figures.draw_all(plan, rendered, trends()))

            self._worker = forked.Worker(work)
            if recycled is not None:
                recycled.handed_to_process()
        else:
            self._writer = FileWriter(folder, files(), recycled)

    def folders_ready(self) -> None:
        """Return once the recycled address folders are up to date: MkDocs writes retirement pages into them."""
        recycled, self._recycled = self._recycled, None
        if recycled is not None:
            try:
                recycled.wait()
            finally:
                recycled.close()

    def drawn(self, page: str) -> dict[str, str] | None:
        """The figures of `page` by slot id, when the worker drew them (None: draw them here)."""
        return self._drawn_by_worker(page)

    def finish(self) -> None:
        """Wait until every file is written; raise OSError if one could not be."""
        if self._worker is not None:  # no page had figures: the worker's files must be written all the same
            self._drawn_by_worker("")
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.wait()

    def stop(self) -> None:
        """The build failed: stop writing into its folder."""
        worker, self._worker = self._worker, None
        writer, self._writer = self._writer, None
        recycled, self._recycled = self._recycled, None
        if worker is not None:
            worker.stop()
        try:
            if writer is not None:
                writer.wait()
        except OSError:
            pass  # the build has failed already: MkDocs reports its own error
        finally:
            if recycled is not None:  # its updater has ended with the worker or the writer
                recycled.close()

    def _drawn_by_worker(self, page: str) -> dict[str, str] | None:
        """The figures the worker drew for `page` (waiting for it the first time), or None if it draws none."""
        if self._drawn is None:
            worker, self._worker = self._worker, None
            if worker is None:
                return None
            try:
                self._drawn = marshal.loads(worker.result())
            finally:
                worker.stop()
        return self._drawn.get(page, {})
