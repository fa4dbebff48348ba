"""Reuse the previous site's permanent-address folders instead of deleting 30,000 folders and making them again.

A 1,000-team site has a folder per goal and person (`goals/<id>/index.html`,
`people/<id>/index.html`: `sales_handbook.site.permalinks`), and from one build to the
next nearly all of them stay the same. Deleting the previous site's folders
and creating the new build's is kernel and disk time (seconds on an ordinary
disk) that the engine floor, which has no such folders, never spends. So,
like rsync:

- when a build is swapped in, the previous site's address folders
  (`urls.ADDRESS_ONLY_FOLDERS`) are moved into the *spare*, a folder of the
  handbook's cache (`.cache/handbook/spare/<site>`; renames on one file
  system, nothing is copied), and only the rest of that site is deleted (`keep`);
- the next build moves them from the spare into its own site folder, which
  MkDocs has just emptied (`take`, in the plugin's `on_files`), and the
  process writing the redirects beside MkDocs brings them up to date
  (`Recycled.update`): a file already holding the right bytes is only read,
  anything else in them is deleted, and what is missing is written. MkDocs
  writes its pages there (retirement pages) only after that (`Recycled.wait`,
  in `on_env`), so the two never race.

The site is the same, byte for byte and folder for folder, as one built from
nothing. Whatever is wrong with a spare (missing, taken by another build
first, another user's, something in it that cannot be deleted) costs time,
never the build: those folders are then written from nothing, as without one.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable, Mapping
from contextlib import suppress
import hashlib
from pathlib import Path

from sales_handbook.plan.urls import ADDRESS_ONLY_FOLDERS


def spare_for(cache: Path, site: Path) -> Path:
    """The spare of the site folder `site`, in the handbook's cache folder `cache` (`.cache/handbook`), which git
    ignores. Where the cache is on another file system than the site, nothing can be moved: no spare is kept."""
    return cache / "spare" / hashlib.sha256(str(site).encode("utf-8")).hexdigest()[:16]


def keep(old: Path, spare: Path) -> None:
    """Delete the previous site `old` (already swapped out) except its address folders, which become the spare.

    A folder the spare already has (two builds finished at once, or one failed before it took the spare)
    is deleted with the rest, and so is everything when the spare cannot be made.
    """
    with suppress(OSError):
        spare.mkdir(parents=True, exist_ok=True)
        if _ours(spare):
            for name in ADDRESS_ONLY_FOLDERS:
                if _ours(old / name) and not os.path.lexists(spare / name):
                    with suppress(OSError):
                        os.rename(old / name, spare / name)
    shutil.rmtree(old)
    with suppress(OSError):
        spare.rmdir()  # only if it got nothing: no spare rather than an empty one


def take(spare: Path, site: Path, pages: Iterable[str]) -> Recycled | None:
    """Move the spare's address folders into `site`, which MkDocs has just emptied; None if none was taken.

    `pages` are the paths MkDocs will write into the site (its files' `dest_uri`): in the taken folders,
    `Recycled.update` deletes what is at those paths, for MkDocs to write. Renames are atomic: of two
    builds taking one spare, each folder goes to one of them, and the other writes it from nothing.
    """
    taken = []
    if _ours(spare):
        for name in ADDRESS_ONLY_FOLDERS:
            if _ours(spare / name) and not os.path.lexists(site / name):
                try:
                    os.rename(spare / name, site / name)
                except OSError:
                    continue
                taken.append(name)
        with suppress(OSError):
            spare.rmdir()  # taken whole: a build that fails from here leaves no empty spare behind
    return Recycled(site, spare, tuple(taken), pages) if taken else None


class Recycled:
    """Address folders of an earlier site, moved into the site folder being built, to be brought up to date.

    `update` runs beside MkDocs, in the forked worker or the writer thread; `wait` (called before MkDocs
    writes any page) returns when it is done. The one who starts a process to run `update` calls
    `handed_to_process`; `close` ends what is left once the update ran or will not.
    """

    def __init__(self, site: Path, spare: Path, folders: tuple[str, ...], pages: Iterable[str]) -> None:
        self.site, self.spare, self.folders = site, spare, folders
        self._inside = tuple(f"{name}/" for name in folders)
        self._pages = frozenset(page for page in pages if page.startswith(self._inside))
        self._ready, self._signal = os.pipe()

    def update(self, files: Mapping[str, bytes]) -> dict[str, bytes]:
        """Make the folders hold exactly the `files` that belong in them and nothing else (MkDocs adds its pages
        next); return the files still to write. Tells `wait` when done, however it ends.

        A folder that cannot be brought up to date goes back to the spare (or, if another build has
        made a new spare meanwhile, is deleted) and its files are all written from nothing.
        """
        try:
            needed = _folders_of([*self._pages, *(path for path in files if path.startswith(self._inside))])
            right: set[str] = set()
            for name in self.folders:
                try:
                    right |= self._update(name, files, needed)
                    if name not in needed:  # nothing of this build goes in it
                        os.rmdir(self.site / name)
                except OSError:
                    self._give_back(name)
            return {path: data for path, data in files.items() if path not in right}
        finally:
            self._tell_ready()

    def _update(self, name: str, files: Mapping[str, bytes], needed: set[str]) -> set[str]:
        """Remove from folder `name` everything but `files` already holding their bytes; return those files."""
        right = set()
        site = str(self.site)
        folders = [name]
        while folders:
            folder = folders.pop()
            with os.scandir(os.path.join(site, folder)) as scan:
                entries = list(scan)
            for entry in entries:
                path = f"{folder}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    if path in needed:
                        folders.append(path)
                    else:
                        shutil.rmtree(entry.path)
                elif (path in files and path not in self._pages and entry.is_file(follow_symlinks=False)
                      and _holds(entry.path, files[path])):
                    right.add(path)
                else:
                    os.unlink(entry.path)  # stale, changed, a link, or where MkDocs writes a page
        return right

    def _give_back(self, name: str) -> None:
        folder = self.site / name
        try:
            self.spare.mkdir(exist_ok=True)
            if os.path.lexists(self.spare / name):
                raise FileExistsError(self.spare / name)
            os.rename(folder, self.spare / name)
        except OSError:
            shutil.rmtree(folder)

    def _tell_ready(self) -> None:
        """Tell `wait` (in this process or the parent) that MkDocs may write into the folders."""
        if self._signal >= 0:
            signal, self._signal = self._signal, -1
            try:
                os.write(signal, b".")
            finally:
                os.close(signal)

    def handed_to_process(self) -> None:
        """The update runs in a forked process: only it tells `wait` now, and if it dies, `wait` returns too."""
        if self._signal >= 0:
            os.close(self._signal)
            self._signal = -1

    def wait(self) -> None:
        """Return when `update` is done, or when the process running it has ended."""
        if self._ready >= 0:
            try:
                os.read(self._ready, 1)
            finally:
                os.close(self._ready)
                self._ready = -1

    def close(self) -> None:
        """Give up waiting: the build failed before or after the update (whose thread or process has ended)."""
        for name in ("_ready", "_signal"):
            descriptor = getattr(self, name)
            if descriptor >= 0:
                setattr(self, name, -1)
                os.close(descriptor)


def _ours(path: Path) -> bool:
    """Whether `path` is a folder (not a link to one) of this user: only those are moved in and out of a site."""
    try:
        status = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(status.st_mode) and status.st_uid == os.geteuid()


def _holds(path: str, data: bytes) -> bool:
    """Whether `path` is a file of its own (no other name links to it) holding exactly `data`.

    Opened without following a link or waiting on a pipe, and never written: anything else is
    deleted and written again.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1 or status.st_size != len(data):
            return False
        return os.read(descriptor, len(data) + 1) == data
    finally:
        os.close(descriptor)


def _folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder that holds one of `paths` (relative file paths), at any depth."""
    folders: set[str] = set()
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders
