"""Write generated pages and finished sites to disk without losing anything.

Pages are rewritten only when their text changed, so `mkdocs serve --dirty`
rebuilds just what an edit touched. A finished site replaces the old one in
one rename, so a reader never sees a half-written folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath


def sync_pages(folder: Path, pages: Mapping[str, str]) -> list[str]:
    """Make `folder` hold exactly `pages`; return the paths whose content changed.

    Raises ValueError, before writing anything, if a page path is absolute or leads
    outside `folder`: ids are checked long before, but a path is never trusted here.
    """
    for rel in pages:
        check_inside(folder, rel)
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for rel, text in sorted(pages.items()):
        target = folder / rel
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


def replace_dir(new: Path, target: Path) -> None:
    """Put the finished folder `new` where `target` is, keeping the old one until the swap is done."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old)
