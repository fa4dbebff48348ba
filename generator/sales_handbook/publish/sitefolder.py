"""The folder a build replaces: which folders may be replaced, one build at a time, swapped in at one instant.

`handbook build` and `handbook publish --dir` replace a whole folder, so the
folder is checked before anything is touched:

- it must not be `/`, nor be or hold the plan folder, the MkDocs configuration,
  the current folder or the home folder, nor be (or directly hold) a git work
  tree;
- it must be missing, empty, or a site a handbook build made: marked with
  `MARKER`, or (built by a version before the marker) holding the handbook's
  `plan.json`.

Builds into one folder take turns: each holds a lock on the folder's parent
(`lock`), which also makes it safe to clear what a killed build left there.
The finished site is swapped in with one `renameat2(RENAME_EXCHANGE)` where
Linux offers it, so the old site or the new one is at the target at every
instant; elsewhere two renames are used, and the next build puts the old site
back first if a kill fell between them (`recover`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from sales_handbook.plan.urls import SNAPSHOT
from sales_handbook.publish.interrupts import Interrupts, held

MARKER = ".handbook-site"
"""The file that marks a folder as a site `handbook build` made (and may replace)."""

MARKER_TEXT = ("This folder is a site built by the Alignment Handbook (handbook build). The next build into it\n"
               "replaces the whole folder: keep nothing of your own here.\n")

_RENAME_EXCHANGE = 2


class SiteFolderError(Exception):
    """The folder cannot be replaced by a build: nothing was touched."""


def refuse_unsafe(target: Path, protected: Mapping[str, Path]) -> None:
    """Raise SiteFolderError, saying how to go on, unless a build may replace `target` (resolved).

    `protected` names the paths that a site folder may neither be nor hold, like
    {'plan folder': plan_dir, 'MkDocs configuration': config_file}.
    """
    def refuse(why: str, fix: str = "choose another site folder (like --site-dir site)") -> SiteFolderError:
        return SiteFolderError(f"{target} cannot be the site folder: {why}. A build replaces the whole folder; "
                               f"{fix}. Nothing was changed.")

    if target.parent == target:
        raise refuse("it is the root of the file system")
    resolved = {name: path.resolve() for name, path in protected.items()}
    for name, path in resolved.items():
        if path == target:
            raise refuse(f"it is the {name}")
    for name, path in resolved.items():
        if path.is_relative_to(target):
            raise refuse(f"it holds the {name} ({path})")
    if not os.path.lexists(target):
        return
    if target.is_symlink() or not target.is_dir():
        raise refuse("it is a file, not a folder", "remove that file, or choose another site folder")
    if (target / ".git").exists() or any((child / ".git").exists() for child in _folders_in(target)):
        raise refuse("it is (or holds) a git work tree")
    if not is_replaceable(target):
        raise refuse("it holds files that a handbook build did not make",
                     f"empty or remove it yourself if nothing in it is needed ('rm -r {target}'), "
                     "or choose another site folder")


def replace(target: Path, protected: Mapping[str, Path], fill: Callable[[Path], None], *,
            interrupts: Interrupts | None = None, waiting: Callable[[str], None] = lambda message: None,
            mark: bool = True, dispose: Callable[[Path], None] = lambda old: shutil.rmtree(old, ignore_errors=True)
            ) -> None:
    """Fill a new folder and put it at `target` in one step; on any failure `target` stays as it was.

    `target` (absolute) must be a folder that may be replaced (`refuse_unsafe`: SiteFolderError,
    before anything is touched). Writers of one folder take turns (`waiting` is told when one
    waits); `fill` writes into a staging folder beside it. A signal noted by `interrupts` stops
    everything before the swap, whatever swallowed its KeyboardInterrupt; a signal during the
    swap is dropped, the work being done. The folder replaced goes to `dispose`.
    """
    refuse_unsafe(target, protected)
    with contextlib.ExitStack() as stack:
        with _folder_errors(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(lock(target, waiting))
            with held():  # what killed builds left is cleared whole, or not touched
                recover(target)
        staging: Path | None = None
        try:
            with held(), _folder_errors(target):  # a signal comes once `staging` is known, to be cleared
                staging = staging_for(target)
            fill(staging)
            if mark:
                mark_site(staging)
            with held() as late:
                if interrupts is not None:
                    interrupts.raise_if_received()
                replaced = swap_in(staging, target)
                late.discard()
                if replaced is not None:
                    with contextlib.suppress(OSError):  # the new site is in place; `recover` clears what stays
                        dispose(replaced)
        except BaseException:
            if staging is not None:
                with held():
                    shutil.rmtree(staging, ignore_errors=True)
            raise


@contextlib.contextmanager
def _folder_errors(target: Path) -> Iterator[None]:
    """A file-system error before the work starts (a read-only folder, a file in the way) as SiteFolderError."""
    try:
        yield
    except OSError as error:
        where = error.filename or target
        raise SiteFolderError(f"cannot build into {target}: {error.strerror or error} ({where}). "
                              "Nothing was changed.") from None


def is_replaceable(folder: Path) -> bool:
    """Whether `folder` is empty or a site a handbook build made (with the marker, or an older one's plan.json)."""
    try:
        if not any(folder.iterdir()):
            return True
    except OSError:
        return False
    if (folder / MARKER).is_file():
        return True
    snapshot = folder / SNAPSHOT
    try:
        data = snapshot.read_bytes() if snapshot.is_file() and (folder / "index.html").is_file() else b""
    except OSError:
        return False
    return data.startswith(b"{") and b'"schema_version":' in data and b'"organization":' in data


def mark_site(folder: Path) -> None:
    """Mark a site built into `folder` as one a later build may replace."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


@contextlib.contextmanager
def lock(target: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the build lock of `target`'s parent folder: one build at a time replaces a folder there.

    When another build holds it, `waiting` is told once, and the lock is awaited.
    """
    descriptor = os.open(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(f"another build is writing into {target.parent}; waiting for it to finish")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def recover(target: Path) -> None:
    """Under the lock: put back a site that a killed build had moved aside, and clear its leftovers.

    A kill between the two renames of `swap_in`'s fallback leaves the old site at
    `.<name>.old` and no site: it goes back first. Staging folders and moved-aside
    sites of killed builds are deleted.
    """
    old = _old(target)
    if os.path.lexists(old) and not os.path.lexists(target) and old.is_dir() and is_replaceable(old):
        os.rename(old, target)
    for leftover in target.parent.glob(f".{target.name}.building-*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in (old, *target.parent.glob(f".{target.name}.replaced-*")):
        if leftover.is_dir() and not leftover.is_symlink() and is_replaceable(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def staging_for(target: Path) -> Path:
    """A new, empty folder beside `target` to build into; `mkdir` gives it the mode the user's umask asks for."""
    while True:
        staging = target.with_name(f".{target.name}.building-{secrets.token_hex(4)}")
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def swap_in(staging: Path, target: Path) -> Path | None:
    """Put the finished `staging` at `target`; return where the previous site now is (None if there was none).

    Readers see the old site or the new one at every instant: one atomic exchange
    where the OS offers it, else two renames that `recover` completes after a kill.
    """
    if not os.path.lexists(target):
        os.rename(staging, target)
        return None
    if _exchange(staging, target):
        replaced = target.with_name(f".{target.name}.replaced-{secrets.token_hex(4)}")
        os.rename(staging, replaced)
        return replaced
    old = _old(target)
    os.rename(target, old)
    os.rename(staging, target)
    return old


def _exchange(one: Path, other: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    if renameat2(at_cwd, os.fsencode(one), at_cwd, os.fsencode(other), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # the kernel or the file system cannot: fall back to two renames
    raise OSError(code, os.strerror(code), str(other))


def _old(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _folders_in(folder: Path) -> Iterator[Path]:
    try:
        yield from (child for child in folder.iterdir() if child.is_dir() and not child.is_symlink())
    except OSError:
        return
