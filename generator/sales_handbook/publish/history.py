"""The plans published before: where a build finds them, and what they say about this one.

A build compares the plan with what was published, to keep every published
link answerable and to show what changed. Where it looks (`previous`):

- `auto` (the default): the publishing branch (`gh-pages`) of the git
  repository that holds the plan folder. Every version listed in its
  `versions.json` that has a `plan.json` counts, newest first. No repository,
  no branch or no versions means nothing was published yet.
- a path: one `plan.json`, or a built site folder that holds one
  (`handbook publish --dir OUT` uses OUT's own `plan.json` this way).
- `none`: compare with nothing.

Reviews map to snapshots by quarter: the review in `reviews/<P>.yaml` is held
at the end of quarter P and sets the next plan, so its computed changes run
from the plan of P (the newest published snapshot whose plan is for P) to the
plan that followed (the earliest later quarter: a published snapshot, or the
plan being built).

`open_plan` reads any one plan a user names for `handbook diff`.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sales_handbook.model import changes, snapshot
from sales_handbook.publish import gitrepo
from sales_handbook.model.changes import Changes, Comparisons
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import ORGANIZATION_FILE, Plan
from sales_handbook.model.snapshot import SnapshotError
from sales_handbook.plan.urls import SNAPSHOT

AUTO = "auto"
NONE = "none"
VERSIONS_FILE = "versions.json"
LATEST = "latest"


class HistoryError(Exception):
    """Published plans that cannot be read, or a plan source that names nothing."""


@dataclass(frozen=True)
class Published:
    """One published version of the handbook and the plan it showed."""

    version: str
    title: str
    aliases: tuple[str, ...]
    plan: Plan

    @property
    def label(self) -> str:
        """'2026-Q3', or 'Q3 2026 plan (2026-Q3)' when the version has its own title."""
        return self.version if self.title == self.version else f"{self.title} ({self.version})"


@dataclass(frozen=True)
class History:
    """The published versions, newest first, and the version being built (if it is being published)."""

    published: tuple[Published, ...] = ()
    source: str = ""
    """Where they were read from, for messages ('branch gh-pages', 'site/plan.json')."""
    building: str | None = None

    def previous(self) -> Published | None:
        """The version readers see now (the `latest` alias), or else the newest one; never the one being built."""
        others = [p for p in self.published if p.version != self.building]
        return next((p for p in others if LATEST in p.aliases), others[0] if others else None)

    def labelled(self) -> list[tuple[str, Plan]]:
        """Every published plan with its label, newest first: what the permanence check compares with."""
        return [(p.label, p.plan) for p in self.published]

    def comparisons(self, plan: Plan, label: str) -> Comparisons:
        """What the site of `plan` (labelled `label`) shows about change: since the previous version, per review."""
        before = self.previous()
        reviews = {r.period: found for r in plan.reviews
                   if (found := self.review_changes(r.period, plan, label)) is not None}
        if before is None:
            return Comparisons(reviews=reviews)
        return Comparisons(before.label, changes.compare(before.plan, plan, before.label, label), reviews)

    def review_changes(self, period: str, plan: Plan, label: str) -> Changes | None:
        """The computed changes of the review of `period`: from the plan of that quarter to the next plan.

        None when either plan is unknown. The plan being built stands for its own
        quarter, over any snapshot published for it before.
        """
        by_period: dict[str, tuple[str, Plan]] = {}
        for published in self.published:
            if published.version != self.building:
                by_period.setdefault(published.plan.organization.period, (published.label, published.plan))
        by_period[plan.organization.period] = (label, plan)
        later = sorted(quarter for quarter in by_period if quarter > period)
        if period not in by_period or not later:
            return None
        (old_label, old), (new_label, new) = by_period[period], by_period[later[0]]
        return changes.compare(old, new, old_label, new_label)


def load(previous: str, *, plan_dir: Path, branch: str, building: str | None = None) -> History:
    """The history a build of `plan_dir` compares with (see the module notes for `previous`)."""
    if previous == NONE:
        return History(building=building)
    if previous == AUTO:
        repo = gitrepo.toplevel(plan_dir.resolve())
        if repo is None:
            return History(building=building)
        return from_branch(repo, branch, building)
    return from_path(Path(previous), building)


def from_branch(repo: Path, branch: str, building: str | None = None) -> History:
    """Every version published with mike on `branch` that has a plan.json, newest first."""
    raw = gitrepo.show(repo, branch, VERSIONS_FILE)
    if raw is None:
        _refuse_versions_without_list(repo, branch)
        return History(source=f"branch {branch}", building=building)
    try:
        entries = json.loads(raw.decode("utf-8"))
        versions = [(str(e["version"]), str(e.get("title") or e["version"]), tuple(e.get("aliases", [])))
                    for e in entries]
    except (ValueError, KeyError, TypeError) as error:
        raise HistoryError(f"{branch}:{VERSIONS_FILE} is not a list of mike versions ({error})") from None
    published = []
    for version, title, aliases in versions:
        data = gitrepo.show(repo, branch, f"{version}/{SNAPSHOT}")
        if data is None:
            continue
        try:
            plan = snapshot.loads(data, f"{branch}:{version}/{SNAPSHOT}").plan
        except SnapshotError as error:
            raise HistoryError(str(error)) from None
        published.append(Published(version, title, aliases, plan))
    return History(tuple(published), f"branch {branch}", building)


def _refuse_versions_without_list(repo: Path, branch: str) -> None:
    """HistoryError when `branch` holds published versions but not mike's list of them.

    Without the list those versions would count as never published: their links would go unchecked, and
    the next publish would write a list holding only itself, dropping them from the version selector.
    """
    found = [name for name in gitrepo.folders(repo, branch)
             if gitrepo.object_type(repo, f"{branch}:{name}/{SNAPSHOT}") == "blob"]
    if found:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise HistoryError(
            f"branch {branch} holds published versions ({shown}) but no {VERSIONS_FILE}, mike's list of them, so "
            f"nothing can tell which links must keep working. Restore {VERSIONS_FILE} on {branch} from an earlier "
            f"commit ('git log --oneline {branch} -- {VERSIONS_FILE}' lists the commits that changed it), or give "
            "the published plan to compare with: --previous SITE_FOLDER_OR_PLAN_JSON")


def from_path(path: Path, building: str | None = None) -> History:
    """One published plan, from a plan.json file or a site folder holding one."""
    file = path / SNAPSHOT if path.is_dir() else path
    if not file.is_file():
        raise HistoryError(f"{file}: no such file: give a plan.json or a built site folder that holds one")
    try:
        read = snapshot.loads(file.read_bytes(), str(file))
    except SnapshotError as error:
        raise HistoryError(str(error)) from None
    return History((Published(read.label, read.title or read.label, (), read.plan),), str(file), building)


def open_plan(spec: str, *, cwd: Path, branch: str) -> tuple[str, Plan]:
    """The plan a user names, with a label: see `handbook diff --help` for the forms.

    In order: an existing path (a plan folder, a plan.json, or a site folder
    holding one); `REV:PATH` in the git repository of `cwd` (a plan folder or a
    plan.json at that revision, like `HEAD~1:plan`); a version or alias
    published on `branch` (like `2026-Q3` or `latest`).
    """
    path = cwd / spec
    if path.exists():
        if path.is_dir() and (path / ORGANIZATION_FILE).is_file():
            return spec, load_plan(path)
        return spec, from_path(path).published[0].plan
    repo = gitrepo.toplevel(cwd)
    if repo is not None and ":" in spec:
        return spec, _plan_at_revision(cwd, spec)
    if repo is not None:
        published = {name: p for p in from_branch(repo, branch).published for name in (p.version, *p.aliases)}
        if spec in published:
            return published[spec].label, published[spec].plan
    raise HistoryError(f"{spec!r} names no plan: give a plan folder, a plan.json or a site folder, REV:PATH "
                       f"(like HEAD~1:plan), or a version published on {branch}")


def _plan_at_revision(cwd: Path, spec: str) -> Plan:
    """A plan folder or plan.json at a git revision; paths are relative to `cwd`, as git reads `REV:./PATH`."""
    rev, _, rel = spec.partition(":")
    git_spec = f"{rev}:./{rel}" if rel and not rel.startswith("/") else f"{rev}:{rel.lstrip('/')}"
    kind = gitrepo.object_type(cwd, git_spec)
    if kind == "blob":
        try:
            return snapshot.loads(gitrepo.run(cwd, "cat-file", "blob", git_spec), spec).plan
        except SnapshotError as error:
            raise HistoryError(str(error)) from None
    if kind != "tree":
        raise HistoryError(f"{spec}: git has no such file or folder (check the revision and the path)")
    with tempfile.TemporaryDirectory(prefix="handbook-plan-") as folder:
        gitrepo.export(cwd, git_spec, Path(folder))
        return load_plan(Path(folder), shown_as=spec.rstrip("/"))  # errors name the files as the user did
