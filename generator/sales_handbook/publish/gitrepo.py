"""The few git operations the handbook needs, each run in an explicit repository.

Publishing writes to a branch with mike; everything else only reads: a file at
a revision, a folder exported from one, a branch's commit and tree. Errors come
back as `GitError` with git's own message.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path, PurePosixPath


class GitError(Exception):
    """A git command failed; the message is git's."""


def run(repo: Path, *args: str) -> bytes:
    """Run `git -C repo args...` and return its output; GitError if it fails."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise GitError(message)
    return done.stdout


def toplevel(path: Path) -> Path | None:
    """The repository a path is in, or None when it is in none (or git is missing)."""
    folder = path if path.is_dir() else path.parent
    try:
        return Path(run(folder, "rev-parse", "--show-toplevel").decode().strip())
    except (GitError, OSError):
        return None


def commit(repo: Path, rev: str) -> str | None:
    """The full commit id a revision names, or None if it names none."""
    try:
        return run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        return None


def tree(repo: Path, rev: str) -> str | None:
    """The tree id of a revision, or None if it names none."""
    try:
        return run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}").decode().strip()
    except GitError:
        return None


def object_type(repo: Path, spec: str) -> str | None:
    """'blob', 'tree' or 'commit' for `rev` or `rev:path`, or None if it names nothing."""
    try:
        return run(repo, "cat-file", "-t", spec).decode().strip()
    except GitError:
        return None


def show(repo: Path, rev: str, path: str) -> bytes | None:
    """The bytes of a file at a revision, or None if it is not there."""
    if object_type(repo, f"{rev}:{path}") != "blob":
        return None
    return run(repo, "cat-file", "blob", f"{rev}:{path}")


def folders(repo: Path, rev: str) -> list[str]:
    """The names of the folders at the top of a revision's tree; none if the revision names nothing."""
    if tree(repo, rev) is None:
        return []
    return run(repo, "ls-tree", "-d", "--name-only", rev).decode("utf-8", "replace").splitlines()


def export(repo: Path, spec: str, destination: Path) -> None:
    """Write the regular files of a tree (`rev` or `rev:folder`) into `destination`.

    Links and special files are skipped, and so is any path that would land
    outside `destination` (tarfile's own filters need Python 3.11.4).
    """
    archive = run(repo, "archive", "--format=tar", spec)
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or member.name.startswith("/") or ".." in parts:
                continue
            target = destination.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is not None:
                target.write_bytes(source.read())


def remote_url(repo: Path, remote: str) -> str | None:
    """Where a remote points, or None when the repository has no such remote."""
    try:
        return run(repo, "remote", "get-url", remote).decode().strip()
    except GitError:
        return None


def is_dirty(repo: Path, path: Path) -> bool:
    """Whether files under `path` differ from the last commit (uncommitted or untracked)."""
    try:
        return bool(run(repo, "status", "--porcelain", "--", str(path)).strip())
    except GitError:
        return False
