"""Where values over time come from (`model/trends.py` merges them): the published site and the plan's git history.

- **The published site.** Each built site carries `history.json`, the series
  it showed; the newest published version's file is enough, since each build
  carries the accumulated series forward (a shallow CI clone that fetched only
  the publishing branch's tip loses nothing). Each published version's
  `plan.json` adds its own reading (`History` has read them already).
- **The git history of the plan folder.** Every commit that changed a file
  of the plan folder, along the first-parent line of HEAD, gives the reading of
  the plan as committed. One `git log --raw` lists the commits and the blob of
  each changed file; one `git cat-file --batch` reads the blobs not yet in the
  cache. Each blob is read once ever: what it holds for the trends (a few
  numbers) is kept in `<cache_dir>/history/blobs.json`, by blob id. A shallow
  clone or no git gives fewer readings, never an error; a cache file that
  cannot be read is ignored and written again.

Only the values are read from a committed file, without the plan's checks: a
commit that broke the plan still tells what its numbers were, and a file that
is not YAML tells nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from sales_handbook.model import trends
from sales_handbook.model.trends import Key, Point, Reading, TrendsError
from sales_handbook.plan import yamlfile
from sales_handbook.plan.plan import OBJECTIVES_FILE, ORGANIZATION_FILE
from sales_handbook.plan.urls import HISTORY
from sales_handbook.publish import gitrepo, history
from sales_handbook.publish.history import HistoryError
from sales_handbook.speed import forked

CACHE_FOLDER = "history"
CACHE_FILE = "blobs.json"
CACHE_VERSION = 1
TEAMS_FOLDER = "teams"
PARSE_IN_WORKERS_FROM = 200
"""Blobs from which new ones are parsed on every core (`forked.split_map`)."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONFIDENCES = frozenset({"high", "medium", "low"})


@dataclass(frozen=True)
class Sources:
    """Everything a build knows of the past, read once (a serve session keeps it for all its rebuilds)."""

    earlier: Mapping[Key, tuple[Point, ...]] = field(default_factory=dict)
    """The series the newest published site carried (its `history.json`)."""
    readings: tuple[Reading, ...] = ()
    """The published plans, oldest first, then the commits of the plan folder, oldest first."""
    blobs_parsed: int = 0
    """How many committed files were parsed for this read (the others came from the cache)."""


def read(previous: str, *, plan_dir: Path, branch: str, published: history.History,
         cache: Path | None) -> Sources:
    """The sources of a build of `plan_dir` (`previous` and `branch` as for `history.load`); `cache` is the
    handbook's cache folder, or None to keep nothing. `previous: none` reads no history at all."""
    if previous == history.NONE:
        return Sources()
    readings = [r for p in reversed(published.published) if (r := trends.reading(p.plan)) is not None]
    earlier = _published_series(previous, plan_dir, branch, published)
    since = max((p.as_of for points in earlier.values() for p in points), default=None)
    committed, parsed = from_git(plan_dir, cache, since)
    return Sources(earlier, (*readings, *committed), parsed)


def _published_series(previous: str, plan_dir: Path, branch: str,
                      published: history.History) -> Mapping[Key, tuple[Point, ...]]:
    """The series the newest published site carried, if it carried one."""
    if previous == history.AUTO:
        newest = published.previous()
        repo = gitrepo.toplevel(plan_dir.resolve())
        if newest is None or repo is None:
            return {}
        raw = gitrepo.show(repo, branch, f"{newest.version}/{HISTORY}")
        source = f"{branch}:{newest.version}/{HISTORY}"
    else:
        path = Path(previous)  # a site folder, or the plan.json in one: its history.json is beside it
        file = (path if path.is_dir() else path.parent) / HISTORY
        raw = file.read_bytes() if file.is_file() else None
        source = str(file)
    if raw is None:
        return {}
    try:
        return trends.loads(raw, source)
    except TrendsError as error:
        raise HistoryError(str(error)) from None


def from_git(plan_dir: Path, cache: Path | None, since: dt.date | None = None) -> tuple[list[Reading], int]:
    """The reading of each commit that changed the plan folder, oldest first, and how many blobs were parsed.

    With `since` (the newest day of a published history.json, which holds the days before it), only
    commits whose `as_of` is that day or later are read past their organization.yaml: a fresh CI
    clone parses the last quarter's commits, not two years of them.
    """
    folder = plan_dir.resolve()
    repo = gitrepo.toplevel(folder)
    if repo is None:
        return [], 0
    prefix = folder.relative_to(Path(repo).resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    try:
        commits = _commits(repo, prefix)
    except gitrepo.GitError:  # no commit yet, or a repository git cannot read: no history, not an error
        return [], 0
    kept = _read_cache(cache)
    try:
        return _readings(repo, commits, cache, kept, since)
    except (KeyError, TypeError, ValueError):  # a cache entry that is not what this code wrote: read every blob again
        return _readings(repo, commits, cache, {}, since)


def _readings(repo: Path, commits: Sequence[Mapping[str, tuple[str, str]]], cache: Path | None,
              kept: Mapping[str, Any], since: dt.date | None) -> tuple[list[Reading], int]:
    known = dict(kept)
    parsed = _parse(repo, {_cache_key(kind, blob) for states in commits for kind, blob in states.values()
                           if kind == "organization"}, known)

    def day(states: Mapping[str, tuple[str, str]]) -> dt.date | None:
        found = [known[_cache_key(kind, blob)]["as_of"] for kind, blob in states.values() if kind == "organization"]
        return dt.date.fromisoformat(found[0]) if found and found[0] else None

    commits = [states for states in commits if (as_of := day(states)) is not None and (since is None or as_of >= since)]
    wanted = {_cache_key(kind, blob) for states in commits for kind, blob in states.values()}
    parsed += _parse(repo, wanted, known)
    if parsed:
        _write_cache(cache, known)
    readings = []
    for states in commits:
        found = _reading({path: known[_cache_key(kind, blob)] for path, (kind, blob) in states.items()})
        if found is not None:
            readings.append(found)
    return readings, parsed


def _parse(repo: Path, wanted: set[str], known: dict[str, Any]) -> int:
    """Parse the blobs of `wanted` not in `known` into it (on every core when there are many); how many."""
    missing = sorted(key for key in wanted if key not in known)
    if missing:
        raws = _blobs(repo, [key.partition(":")[2] for key in missing])
        items = [(key.partition(":")[0], raws.get(key.partition(":")[2], b"")) for key in missing]
        known.update(zip(missing, forked.split_map(_extract, items, PARSE_IN_WORKERS_FROM)))
    return len(missing)


def _commits(repo: Path, prefix: str) -> list[dict[str, tuple[str, str]]]:
    """The plan folder's files after each commit that changed one, oldest first: path -> (kind, blob id)."""
    raw = gitrepo.run(repo, "log", "--first-parent", "--diff-merges=first-parent", "--root", "--raw", "--no-renames",
                      "--no-abbrev", "--reverse", "--format=commit %H", "--", prefix or ".")
    states: list[dict[str, tuple[str, str]]] = []
    files: dict[str, tuple[str, str]] = {}
    changed = False
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.startswith("commit "):
            if changed:
                states.append(dict(files))
            changed = False
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            parts = meta.split()
            if len(parts) < 5 or not path.startswith(prefix):
                continue
            kind = _kind(path[len(prefix):])
            if kind is None:
                continue
            changed = True
            if parts[4].startswith("D"):
                files.pop(path, None)
            else:
                files[path] = (kind, parts[3])
    if changed:
        states.append(dict(files))
    return states


def _kind(rel: str) -> str | None:
    """Which plan file a path in the plan folder is, for the trends: organization, objectives, a team, or none."""
    if rel == ORGANIZATION_FILE:
        return "organization"
    if rel == OBJECTIVES_FILE:
        return "objectives"
    path = PurePosixPath(rel)
    if len(path.parts) == 2 and path.parts[0] == TEAMS_FOLDER and path.suffix == ".yaml":
        return "team"
    return None


def _cache_key(kind: str, blob: str) -> str:
    return f"{kind}:{blob}"


def _blobs(repo: Path, ids: Sequence[str]) -> dict[str, bytes]:
    """The contents of blobs by id, from one `git cat-file --batch`; a missing blob is left out."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input="\n".join(ids).encode() + b"\n",
                              capture_output=True, env=env, check=False)
    except OSError:
        return {}
    out, at, found = done.stdout, 0, {}
    for blob in ids:
        end = out.find(b"\n", at)
        if end < 0:
            break
        header = out[at:end].split()
        at = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "<id> missing": a shallow clone's history stops before it
        size = int(header[2])
        found[blob] = out[at:at + size]
        at += size + 1
    return found


def _extract(item: tuple[str, bytes]) -> Any:
    """What one committed file holds for the trends, as plain data (the cache keeps it): nothing if not YAML."""
    kind, raw = item
    fast, data = yamlfile.fast_read(raw)  # the loader's own fast path: ten times faster than yaml.load
    if not fast:
        try:
            data = yaml.load(raw, Loader=_LOADER)
        except (yaml.YAMLError, ValueError):
            return {}
    if not isinstance(data, dict):
        return {}
    if kind == "organization":
        return {"as_of": _day(data.get("as_of"))}
    if kind == "objectives":
        metrics = []
        for objective in _dicts(data.get("objectives")):
            for metric in _dicts(objective.get("key_metrics")):
                value = _value(metric)
                if value is not None and isinstance(objective.get("id"), str) and isinstance(metric.get("id"), str):
                    metrics.append([objective["id"], metric["id"], *value])
        return {"metrics": metrics}
    goals = []
    for goal in [*_dicts(data.get("goals")),
                 *(g for person in _dicts(data.get("people")) for g in _dicts(person.get("goals")))]:
        value = _value(goal)
        if value is not None and isinstance(goal.get("id"), str):
            goals.append([goal["id"], *value])
    return {"goals": goals}


def _day(value: Any) -> str | None:
    """An ISO date from YAML's date, or from a quoted one (which the plan's loader accepts too)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    """A number from YAML's, or from the fast reader's text ('55', '11.2'); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _value(item: Mapping[str, Any]) -> list[Any] | None:
    current, confidence, note = item.get("current"), item.get("confidence"), item.get("note")
    current = _number(current)
    confidence = confidence if confidence in _CONFIDENCES else None
    note = note if isinstance(note, str) and note.strip() else None
    if current is None and confidence is None and note is None:
        return None
    return [current, confidence, note]


def _reading(files: Mapping[str, Any]) -> Reading | None:
    """The plan as one commit left it; None when its organization.yaml gives no `as_of`."""
    as_of = None
    values: dict[Key, trends.Value] = {}
    for data in files.values():
        if "as_of" in data and data["as_of"]:
            as_of = dt.date.fromisoformat(data["as_of"])
        for objective_id, metric_id, current, confidence, note in data.get("metrics", ()):
            values[trends.metric_key(objective_id, metric_id)] = (current, confidence, note)
        for goal_id, current, confidence, note in data.get("goals", ()):
            values[trends.goal_key(goal_id)] = (current, confidence, note)
    return None if as_of is None else Reading(as_of, values)


def _read_cache(cache: Path | None) -> dict[str, Any]:
    """The blobs read before; an unreadable or foreign cache file counts as empty (it is written again)."""
    if cache is None:
        return {}
    try:
        data = json.loads((cache / CACHE_FOLDER / CACHE_FILE).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("blobs"), dict):
        return {}
    return {key: value for key, value in data["blobs"].items() if isinstance(value, dict)}


def _write_cache(cache: Path | None, blobs: Mapping[str, Any]) -> None:
    """Keep the blobs this history needs, replacing the file in one step; a cache that cannot be written is skipped."""
    if cache is None:
        return
    folder = cache / CACHE_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=folder, prefix=".blobs-", delete=False) as file:
            file.write(json.dumps({"version": CACHE_VERSION, "blobs": blobs}, separators=(",", ":")).encode())
        os.replace(file.name, folder / CACHE_FILE)
    except OSError:
        pass
