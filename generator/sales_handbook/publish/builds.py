"""Build and publish the handbook: into a folder atomically, or as a version on a git branch with mike.

Every path here builds first, into a temporary folder, and only then touches
what readers see: a failed build leaves the site folder or the branch exactly
as it was.

Versions are published with mike (the maintained tool for versioned MkDocs
sites), through its Python API: `mike.commands.deploy` commits the built site
to `<branch>:<version>/` and points the `latest` alias at it, leaving every
other version's files as they were; `set_default` makes the site root lead to
`latest`. The build itself is the handbook's own (strict, compared with the
published history), so mike never runs MkDocs here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sales_handbook.publish import configuration, gitrepo, history, sitefolder
from sales_handbook.speed import recycling
from sales_handbook.publish.interrupts import Interrupts
from sales_handbook.plan.urls import SNAPSHOT

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

LATEST = history.LATEST
VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class PublishError(Exception):
    """Publishing could not start or finish; nothing readers see was changed unless the message says so."""


class BuildFailed(PublishError):
    """The site did not build (bad plan, broken link, lost published id): nothing was published."""


@dataclass(frozen=True)
class Settings:
    """How a build is told about publishing: see the handbook plugin's options."""

    previous: str = history.AUTO
    branch: str = "gh-pages"
    version: str | None = None
    title: str | None = None
    versioned: bool = False
    """Show mike's version selector (only on a branch published with mike, where versions.json exists)."""
    prepared: object | None = None
    """The plan the command has loaded and checked (`engine.session.Prepared`), handed to the plugin."""


@dataclass(frozen=True)
class Published:
    """What a versioned publish did."""

    version: str
    branch: str
    commit: str
    changed: bool
    """False when the branch already held exactly this site (no commit was made)."""
    pushed_to: str | None


def build_into(target: Path, *, config_file: Path | None, plan_dir: Path, settings: Settings, recycle: bool = False,
               interrupts: Interrupts | None = None, waiting: Callable[[str], None] = lambda message: None,
               mark: bool = True) -> None:
    """Build the site and put it at `target` in one step; raise BuildFailed and leave `target` alone on failure.

    `target` must be a folder a build may replace (`sitefolder.refuse_unsafe`: SiteFolderError otherwise,
    before anything is touched). Builds into one folder take turns (`waiting` is told when one waits). A
    signal noted by `interrupts` stops the build before the swap, whatever swallowed its KeyboardInterrupt.
    With `mark`, the site carries the marker that lets the next build replace it. With `recycle`, the
    previous site's address folders are kept in the plugin's cache as a spare that the next build brings
    up to date instead of deleting and writing them again (`sales_handbook.speed.recycling`).
    """
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    target = Path(os.path.abspath(target))
    spare: Path | None = None

    def fill(staging: Path) -> None:
        nonlocal spare
        config = _config(config_file, plan_dir, staging, settings, recycle_for=target if recycle else None)
        spare_dir = config.plugins[configuration.PLUGIN].config.spare_dir
        spare = Path(spare_dir) if spare_dir else None
        try:
            build(config)
            configuration.cache_ignored_by_git(config)
        except BaseException as error:
            if not isinstance(error, Exception):  # MkDocs tells its plugins of exceptions only
                config.plugins.on_build_error(error=KeyboardInterrupt())  # the plugin stops its workers
            raise

    try:
        sitefolder.replace(target, protected_paths(plan_dir, config_file), fill, interrupts=interrupts,
                           waiting=waiting, mark=mark, dispose=lambda old: _dispose(old, spare))  # spare: set in fill
    except (MkDocsException, OSError) as error:
        raise BuildFailed(str(error)) from None


def _dispose(replaced: Path, spare: Path | None) -> None:
    """Delete the site a build replaced, keeping its address folders as the spare, if there is one."""
    if spare is None:
        shutil.rmtree(replaced, ignore_errors=True)
    else:
        recycling.keep(replaced, spare)


def protected_paths(plan_dir: Path, config_file: Path | None) -> dict[str, Path]:
    """What a site folder may neither be nor hold: the plan, its configuration, the current and home folders."""
    paths = {"plan folder": plan_dir, "current folder": Path.cwd()}
    if config_file is not None:
        paths["MkDocs configuration"] = config_file
    home = os.environ.get("HOME")
    if home and os.path.isabs(home):
        paths["home folder"] = Path(home)
    return paths


def publish_dir(out: Path, *, config_file: Path | None, plan_dir: Path, settings: Settings) -> None:
    """Publish for plain static hosting: OUT is replaced atomically.

    With `previous` left at 'auto', the site already in OUT is the published
    history: its plan.json says which ids must keep answering.
    """
    settings = dataclasses.replace(settings, previous=previous_for_dir(out, settings.previous))
    build_into(out, config_file=config_file, plan_dir=plan_dir, settings=settings)


def previous_for_dir(out: Path, previous: str) -> str:
    """What a publish to OUT compares with: with 'auto', the plan.json of the site already in OUT, if any."""
    if previous != history.AUTO:
        return previous
    return str(out) if (out / SNAPSHOT).is_file() else history.NONE


def publish_version(version: str, *, config_file: Path | None, plan_dir: Path, title: str | None = None,
                    branch: str = "gh-pages", previous: str = history.AUTO, push: bool = False,
                    remote: str = "origin", prepared: object | None = None) -> Published:
    """Build the handbook and commit it to `branch` as `version`, with `latest` and the site root leading to it.

    `prepared`: the plan the command has already loaded and checked (`Settings.prepared`)."""
    from mike import commands, git_utils

    if not VERSION_PATTERN.fullmatch(version) or version == LATEST:
        raise PublishError(f"version {version!r} cannot be a folder name on the site: use letters, digits, '.', "
                           f"'-' and '_', like 2026-Q4 ('{LATEST}' is the alias of the newest version)")
    config_file = configuration.config_path(config_file)  # ./mkdocs.yml is read before the folder changes
    config_file, plan_dir = config_file and config_file.resolve(), plan_dir.resolve()
    if previous not in (history.AUTO, history.NONE):
        previous = str(Path(previous).resolve())
    repo = gitrepo.toplevel(plan_dir)
    if repo is None:
        raise PublishError(f"{plan_dir} is not in a git repository: run 'git init' there, "
                           "or publish to a folder with --dir OUT")
    settings = Settings(previous, branch, version, title, versioned=True, prepared=prepared)
    # mike runs git in the current folder: run it in the repository that holds the plan.
    with tempfile.TemporaryDirectory(prefix="handbook-publish-") as folder, contextlib.chdir(repo):
        try:
            git_utils.update_from_upstream(remote, branch)
        except git_utils.GitError as error:
            raise PublishError(f"{branch} cannot be updated from {remote}/{branch}: {error}") from None
        site = Path(folder) / "site"
        build_into(site, config_file=config_file, plan_dir=plan_dir, settings=settings, mark=False)
        changed = True
        try:
            try:
                with commands.deploy({"site_dir": str(site), "use_directory_urls": True}, version, title,
                                     [LATEST], update_aliases=True, branch=branch,
                                     message=_message(repo, plan_dir, version, title)):
                    pass
            except git_utils.GitEmptyCommit:
                changed = False  # mike dropped the empty commit: this exact site is already published
            with contextlib.suppress(git_utils.GitEmptyCommit):
                commands.set_default(LATEST, branch=branch, message=f"Site root leads to {LATEST}")
        except (git_utils.GitError, ValueError) as error:
            raise PublishError(f"mike could not commit to {branch}: {error}") from None
    commit = gitrepo.commit(repo, branch) or ""
    pushed_to = None
    if push and gitrepo.remote_url(repo, remote) is not None:
        try:
            gitrepo.run(repo, "push", "--", remote, branch)
        except gitrepo.GitError as error:
            raise PublishError(f"published {version} on {branch}, but pushing to {remote} failed: {error}") from None
        pushed_to = remote
    return Published(version, branch, commit, changed, pushed_to)


def _config(config_file: Path | None, plan_dir: Path, site_dir: Path, settings: Settings,
            recycle_for: Path | None = None) -> MkDocsConfig:
    """The MkDocs configuration of `config_file`, with the plan, the output folder and the publishing settings;
    with `recycle_for` (the site folder being replaced), the spare of its address folders in the plugin's cache."""
    try:
        config = configuration.load(config_file, docs_dir=str(plan_dir.resolve()), site_dir=str(site_dir))
    except configuration.ConfigurationError as error:
        raise BuildFailed(str(error)) from None
    plugin = config.plugins[configuration.PLUGIN]
    previous = settings.previous
    plugin.config.previous = previous if previous in (history.AUTO, history.NONE) else str(Path(previous).resolve())
    plugin.config.branch = settings.branch
    plugin.config.version = settings.version
    plugin.config.title = settings.title
    if recycle_for is not None:
        cache = Path(config.config_file_path).parent / plugin.config.cache_dir
        plugin.config.spare_dir = str(recycling.spare_for(cache, recycle_for))
    plugin.hand_over(settings.prepared)
    if settings.versioned:
        config.extra["version"] = {"provider": "mike", "default": LATEST}
    return config


def _message(repo: Path, plan_dir: Path, version: str, title: str | None) -> str:
    """The branch commit's message: which version, from which commit of the plan."""
    head = gitrepo.commit(repo, "HEAD")
    source = f"plan from {head[:12]}" if head else "plan not committed yet"
    if head and gitrepo.is_dirty(repo, plan_dir):
        source += " with uncommitted changes"
    named = f" ({title})" if title and title != version else ""
    return f"Publish handbook {version}{named}\n\n{source}"

