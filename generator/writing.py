"""Write generated pages and finished sites to disk without losing anything.

Pages are rewritten only when their text changed, so `mkdocs serve --dirty`
rebuilds just what an edit touched. A finished site replaces the old one in
one rename, so a reader never sees a half-written folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path


def sync_pages(folder: Path, pages: Mapping[str, str]) -> list[str]:
    """Make `folder` hold exactly `pages`; return the paths whose content changed."""
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
