"""Write generated pages and finished sites to disk without losing anything.

Pages are rewritten only when their text changed, so `mkdocs serve --dirty`
rebuilds just what an edit touched. A finished site replaces the old one in
one rename, so a reader never sees a half-written folder; the old one's
address folders can be kept for the next build (`sales_handbook.speed.recycling`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Generic, TypeVar, cast

from sales_handbook.speed import forked
from sales_handbook.speed.recycling import Recycled


def sync_pages(folder: Path, pages: Mapping[str, str], written: Mapping[str, str] | None = None) -> list[str]:
    """Make `folder` hold exactly `pages`; return the paths whose content changed.

    `written` is what an earlier call wrote into `folder`, when the caller knows
    (`handbook serve`): a page the same as then is not read back to compare.
    Raises ValueError, before writing anything, if a page path is absolute or leads
    outside `folder`: ids are checked long before, but a path is never trusted here.
    """
    written = written or {}
    for rel in pages:
        if rel not in written:  # those were checked when they were written
            check_inside(folder, rel)
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for rel, text in sorted(pages.items()):
        target = folder / rel
        if written.get(rel) == text and target.is_file():
            continue
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        changed.append(rel)
    wanted = {folder / rel for rel in pages}
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


def check_inside(folder: Path, rel: str) -> Path:
    """`folder/rel`, or ValueError if `rel` is absolute or resolves (through `..` or a symlink) outside `folder`."""
    if not rel or PurePosixPath(rel).is_absolute() or Path(rel).is_absolute():
        raise ValueError(f"page path {rel!r} is not a relative file path")
    root = folder.resolve()
    target = (folder / rel).resolve()
    if target == root or not target.is_relative_to(root):
        raise ValueError(f"page path {rel!r} resolves to {target}, which is not inside {root}")
    return folder / rel


class FileWriter:
    """Writes many small files into a site folder beside the page building, and reports when all are written.

    A 1,000-team handbook has 30,000 permanent-link redirects, each a file in a
    folder of its own: creating them is kernel time (seconds on this kind of
    machine) that a second core does while the first renders pages. A forked
    process does it when this process runs no other thread (`handbook build`);
    a thread would get the GIL back after each system call only when page
    building lets it go, and took 50 s for what a process does in a few. A
    small build's few files are written by a thread. In `recycled` folders (a
    build reusing the previous site's), files already right are only read.
    `wait()` returns when all is done and raises what went wrong, if anything did.
    """

    def __init__(self, folder: Path, files: Mapping[str, bytes], recycled: Recycled | None = None) -> None:
        _check_relative(files)
        self._worker: forked.Worker | None = None
        self._thread: Background[None] | None = None
        if forked.processes_for(len(files), _FORK_FROM) > 1:
            self._worker = forked.Worker(lambda: _write(folder, files, (), recycled) or b"")
            if recycled is not None:
                recycled.handed_to_process()
        else:
            self._thread = Background(lambda: _write(folder, files, (), recycled), "handbook-file-writer")

    def wait(self) -> None:
        """Block until every file is written; raise the error that stopped the writing, if any."""
        if self._worker is not None:
            worker, self._worker = self._worker, None
            try:
                worker.result()
            finally:
                worker.stop()
        if self._thread is not None:
            self._thread.wait()


R = TypeVar("R")


class Background(Generic[R]):
    """Work on a thread of this process: `wait` returns what it returned, or raises what stopped it."""

    def __init__(self, work: Callable[[], R], name: str) -> None:
        self._result: R | None = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._result = work()
            except BaseException as error:  # handed to the thread that waits
                self._error = error

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def wait(self) -> R:
        """Block until the work is done; its result, or the error that stopped it."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(R, self._result)


def write_afterwards(folder: Path, make: Callable[[], Mapping[str, bytes]],
                     previous: Mapping[str, bytes]) -> Background[dict[str, bytes]]:
    """Make a site's files and write those that differ from `previous` (removing those no longer wanted) on a
    thread started when the build is done; its result is the files, as the next call's `previous`.

    Under `handbook serve` MkDocs reloads the browser when the build returns;
    the redirects and plan.json (0.2 s to make at 1,000 teams, most of it
    walking 30,000 ids) are not the page being looked at, so they are made and
    written just after, and the next rebuild waits for them first. A served
    site is written while it is served anyway: MkDocs writes its pages in place.
    """
    def work() -> dict[str, bytes]:
        files = make()
        _check_relative(files)
        _write(folder, {rel: data for rel, data in files.items() if previous.get(rel) != data},
               sorted(previous.keys() - files.keys()))
        return dict(files)

    return Background(work, "handbook-site-files")


_FORK_FROM = 1000
"""Fewer files than this are written by a thread: starting a process costs more than they do."""


def write_files(folder: Path, wanted: Mapping[str, bytes], unwanted: Sequence[str] = (),
                recycled: Recycled | None = None) -> None:
    """Write `wanted` under `folder` and remove `unwanted` from it, here and now (bringing `recycled` folders up
    to date first: their files already right are not written again).

    Raises ValueError, before writing anything, if a path is absolute or leads
    out of `folder`: the paths come from checked ids, but are never trusted here.
    """
    _check_relative(wanted)
    _write(folder, wanted, unwanted, recycled)


def _check_relative(paths: Iterable[str]) -> None:
    for rel in paths:  # by string: 30,000 PurePosixPath objects cost a third of a second per serve rebuild
        if not rel or rel.startswith("/") or "\\" in rel or ".." in rel.split("/"):
            raise ValueError(f"file path {rel!r} is not a relative path inside the site folder")


def _write(folder: Path, wanted: Mapping[str, bytes], unwanted: Sequence[str],
           recycled: Recycled | None = None) -> None:
    """Write checked paths with plain system calls (a file object costs more than the file here)."""
    if recycled is not None:
        wanted = recycled.update(wanted)
    made: set[str] = set()
    for rel, data in wanted.items():
        path = os.path.join(folder, rel)
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)
    for rel in unwanted:
        Path(folder, rel).unlink(missing_ok=True)
