"""Publishing in a throw-away git repository: two quarters of the small plan, and a link follower.

`publish_two_quarters` makes a real git repository holding the small plan,
publishes it as 2026-Q4 with `handbook publish`, applies the next-quarter
overlay (renames, a move, a retirement), commits, and publishes 2027-Q1.
`follow` resolves a URL inside an exported branch the way a browser with
JavaScript off does: files, directory indexes, symlinks, meta-refresh
redirects, and anchors.
"""

from __future__ import annotations

import contextlib
import html.parser
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sales_handbook import cli
from sales_handbook.plan import urls
from tests.conftest import REPO
from tests.planfiles import TESTS, apply_overlay, make_plan

NEXT_QUARTER = TESTS / "fixtures" / "next-quarter"
HOST = "http://handbook.test/"


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` and return its output (fails the test if git fails)."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def make_project(root: Path) -> Path:
    """A folder with the small plan and the repository's mkdocs.yml and theme, as a new user sets one up."""
    project = root / "handbook"
    make_plan(project)
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "theme", project / "theme")
    return project


def make_repo(root: Path) -> Path:
    """`make_project`, as a git repository with everything committed."""
    repo = make_project(root)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Plan Owner")
    git(repo, "config", "user.email", "owner@example.com")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The 2026-Q4 plan")
    return repo


def handbook(repo: Path, *args: str) -> int:
    """Run the `handbook` command in `repo`, as a leader would from the repository root."""
    with contextlib.chdir(repo):
        return cli.main(list(args))


def export_branch(repo: Path, branch: str, destination: Path) -> Path:
    """The files of a branch, as a static host would serve them (symlinks kept): a detached worktree."""
    git(repo, "worktree", "add", "-q", "--detach", str(destination), branch)
    return destination


@dataclass(frozen=True)
class TwoQuarters:
    """A repository with 2026-Q4 and 2027-Q1 published on gh-pages, and that branch exported."""

    repo: Path
    site: Path
    first_tree: str
    """The tree id of 2026-Q4/ right after it was published."""


def publish_two_quarters(root: Path) -> TwoQuarters:
    """Publish the small plan as 2026-Q4, then its next quarter as 2027-Q1."""
    repo = make_repo(root)
    assert handbook(repo, "publish", "2026-Q4", "--title", "Q4 2026") == 0
    first_tree = git(repo, "rev-parse", "gh-pages:2026-Q4")
    apply_overlay(repo / "plan", NEXT_QUARTER)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The 2027-Q1 plan")
    assert handbook(repo, "publish", "2027-Q1") == 0
    return TwoQuarters(repo, export_branch(repo, "gh-pages", root / "gh-pages"), first_tree)


class _Links(html.parser.HTMLParser):
    """The ids, the meta-refresh target (in <noscript> or not) and the canonical link of an HTML file."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refresh: str | None = None
        self.canonical: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            match = re.search(r"url=(.*)$", attributes.get("content") or "", re.IGNORECASE)
            self.refresh = match[1].strip() if match else None
        if tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes.get("href")


def parse(file: Path) -> _Links:
    links = _Links()
    links.feed(file.read_text(encoding="utf-8"))
    return links


def follow(site: Path, url: str, *, limit: int = 5) -> tuple[str, Path]:
    """Where `url` (a path under `site`, maybe with #anchor) ends up with JavaScript off: the final URL and file.

    Fails if a file is missing, redirects do not end, or the final anchor is not on the final page.
    """
    current = urljoin(HOST, url)
    for _ in range(limit):
        parts = urlsplit(current)
        path = unquote(parts.path).lstrip("/")
        file = site / path
        if not path or path.endswith("/") or file.is_dir():
            file = file / "index.html"
        assert file.is_file(), f"{url}: {current} does not exist"
        links = parse(file)
        if links.refresh is None:
            if parts.fragment:
                assert parts.fragment in links.ids, f"{url}: {current} has no #{parts.fragment}"
            return current.removeprefix(HOST), file
        current = urljoin(current, links.refresh)
    raise AssertionError(f"{url}: more than {limit} redirects")


def forwarding_addresses(site: Path, version: str) -> dict[str, str]:
    """The ids the site's forwarding script sends on, and where (relative to the version's root)."""
    script = (site / version / urls.PERMALINKS_SCRIPT).read_text(encoding="utf-8")
    return json.loads(re.search(r"var addresses = (\{.*?\});", script)[1])
