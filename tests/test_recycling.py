"""`handbook build` reuses the previous site's address folders (the spare) and still makes exactly the fresh site."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_handbook.speed import recycling
from sales_handbook.speed.writing import write_files
from tests.conftest import REPO, build_site
from tests.fresh import run_python
from tests.planfiles import make_plan, replace_in, write


def tree(folder: Path) -> dict[str, object]:
    """Every folder, file and link under `folder`: what a reader of the site could tell apart."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            found[rel] = "folder"
        else:
            found[rel] = path.read_bytes()
    return found


def differences(one: dict[str, object], other: dict[str, object]) -> list[str]:
    return sorted(path for path in one.keys() | other.keys() if one.get(path) != other.get(path))


@pytest.fixture(autouse=True)
def reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two builds of one plan give the same bytes only at one build time (sitemap.xml.gz, plan.json)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")


RETIRED = """\
retired:
  - kind: person
    id: olaf-berg
    title: Olaf Berg
    retired: 2027-Q1
    reason: Moved to the partner team.
  - kind: goal
    id: olaf-handovers
    title: Hand over 10 deals with a complete success plan
    retired: 2027-Q1
    reason: Olaf moved to the partner team.
    successor: north-handover-quality
"""

NEW_GOAL = """\
  - id: south-renewals
    title: Renew every Iberian customer
    metric: customers
    unit: customers
    baseline: 20
    target: 24
    current: 21
    period: 2026-Q4
    owner: sofia-marin
    aligns_to:
      - objective: grow-revenue
        why: Renewals keep the base growing.

people:
"""


def change_plan(plan: Path) -> None:
    """A goal renamed (`formerly:`), a goal added, a person and their goals gone, with retirement pages."""
    replace_in(plan, "teams/north-sales.yaml", "id: north-new-arr", "id: north-arr\n    formerly: [north-new-arr]")
    replace_in(plan, "teams/north-sales.yaml", "      - north-new-arr", "      - north-arr")
    replace_in(plan, "reviews/2026-Q3.yaml", "goal: north-new-arr", "goal: north-arr")
    replace_in(plan, "teams/north-sales.yaml", "owner: olaf-berg", "owner: nora-lind")
    text = (plan / "teams" / "north-sales.yaml").read_text(encoding="utf-8")
    (plan / "teams" / "north-sales.yaml").write_text(text[:text.index("  - id: olaf-berg")], encoding="utf-8")
    replace_in(plan, "teams/south-sales.yaml", "people:\n", NEW_GOAL)
    write(plan, "retired.yaml", RETIRED)


def spare_of(site: Path) -> Path:
    """Where a build with the repository's mkdocs.yml keeps the spare of `site`: in its cache, ignored by git."""
    return recycling.spare_for(REPO / ".cache" / "handbook", Path(os.path.abspath(site)))


def test_a_build_with_the_spare_makes_the_site_a_fresh_build_makes(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    site = tmp_path / "site"
    spare = spare_of(site)
    assert build_site(plan, site) == 0
    assert not spare.exists()  # nothing to keep yet
    assert build_site(plan, site) == 0
    assert sorted(p.name for p in spare.iterdir()) == ["goals", "people"]
    assert tree(spare / "goals") == tree(site / "goals")
    kept = (spare / "goals" / "south-new-logos" / "index.html").stat().st_ino

    change_plan(plan)
    assert build_site(plan, site) == 0
    assert build_site(plan, tmp_path / "fresh") == 0
    assert differences(tree(site), tree(tmp_path / "fresh")) == []
    assert (site / "goals" / "south-new-logos" / "index.html").stat().st_ino == kept  # reused, not written again
    assert "(retired)" in (site / "goals" / "olaf-handovers" / "index.html").read_text(encoding="utf-8")
    assert "(retired)" in (site / "people" / "olaf-berg" / "index.html").read_text(encoding="utf-8")
    assert not (site / "goals" / "olaf-new-arr").exists()
    assert (site / "goals" / "north-new-arr" / "index.html").is_file()  # the former id leads on
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "plan", "site"]  # nothing beside the site


def tamper(spare: Path, outside: Path) -> None:
    """Everything that can be wrong in a spare: wrong bytes, extra files and folders, a file where a folder must
    be and a folder where a file must be, links out of it, and a folder where a retirement page goes."""
    goals = spare / "goals"
    (goals / "south-new-logos" / "index.html").write_text("<p>wrong</p>")
    (goals / "south-new-logos" / "extra.html").write_text("extra")
    (goals / "not-a-goal" / "deep").mkdir(parents=True)
    (goals / "not-a-goal" / "deep" / "index.html").write_text("stale")
    shutil.rmtree(goals / "qualified-leads")
    (goals / "qualified-leads").write_text("a file where a folder goes")
    (goals / "north-handover-quality" / "index.html").unlink()
    (goals / "north-handover-quality" / "index.html").mkdir()
    (goals / "olaf-handovers" / "index.html").unlink()
    (goals / "olaf-handovers" / "index.html" / "inside").mkdir(parents=True)
    outside.write_text("not the site's")
    (spare / "people" / "nora-lind" / "index.html").unlink()
    (spare / "people" / "nora-lind" / "index.html").symlink_to(outside)
    (spare / "people" / "mark-field" / "index.html").unlink()
    os.link(outside, spare / "people" / "mark-field" / "index.html")
    (spare / "people" / "sofia-marin" / "index.html").write_text("bigger " * 1000)
    os.mkfifo(spare / "people" / "pipe")
    (spare / "junk").mkdir()
    (spare / "junk" / "file").write_text("not an address folder")


def test_a_tampered_spare_still_gives_the_exact_site_and_nothing_outside_it_changes(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    site, outside = tmp_path / "site", tmp_path / "outside.html"
    spare = spare_of(site)
    assert build_site(plan, site) == 0
    assert build_site(plan, site) == 0
    change_plan(plan)
    tamper(spare, outside)
    assert build_site(plan, site) == 0
    assert build_site(plan, tmp_path / "fresh") == 0
    assert differences(tree(site), tree(tmp_path / "fresh")) == []
    assert outside.read_text() == "not the site's"
    assert sorted(p.name for p in spare.iterdir()) == ["goals", "junk", "people"]  # junk stays; deleting it is safe


def build_with_forked_writers(out: Path, times: int) -> None:
    """Build `out/plan` `times` times into `out/beside-True` with the worker beside MkDocs and into `out/beside-False`
    with the forked file writer (in a fresh interpreter: the test process may run threads, which never fork)."""
    run_python(f"""
        import os
        from pathlib import Path
        from sales_handbook import cli
        from sales_handbook.speed import beside as worker_beside
        from sales_handbook.speed import writing

        os.environ["SOURCE_DATE_EPOCH"] = "1790000000"
        out = Path({str(out)!r})
        build = ["build", "--quiet", "--plan", str(out / "plan"), "--config", {str(REPO / "mkdocs.yml")!r}]
        for beside in (True, False):
            worker_beside.BESIDE_FROM, writing._FORK_FROM = (1, 10**9) if beside else (10**9, 1)
            for _ in range({times}):
                assert cli.main([*build, "--site-dir", str(out / f"beside-{{beside}}")]) == 0
    """)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker beside MkDocs needs two cores")
def test_forked_writers_bring_the_spare_up_to_date_too(tmp_path: Path) -> None:
    """Large builds update the spare in the worker beside MkDocs (or the forked file writer), not in a thread."""
    plan = make_plan(tmp_path)
    build_with_forked_writers(tmp_path, 2)
    change_plan(plan)
    for beside in (True, False):
        tamper(spare_of(tmp_path / f"beside-{beside}"), tmp_path / "outside.html")
    build_with_forked_writers(tmp_path, 1)
    assert build_site(plan, tmp_path / "fresh") == 0
    fresh = tree(tmp_path / "fresh")
    for beside in (True, False):
        assert differences(tree(tmp_path / f"beside-{beside}"), fresh) == [], beside
    assert (tmp_path / "outside.html").read_text() == "not the site's"


def test_a_failed_build_leaves_the_site_and_at_most_the_spare(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    site = tmp_path / "site"
    assert build_site(plan, site) == 0
    assert build_site(plan, site) == 0
    before = tree(site)
    replace_in(plan, "organization.yaml", "period: ", "perod: ")  # fails before building: the spare stays
    assert build_site(plan, site) == 1
    assert tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan", "site"]
    replace_in(plan, "organization.yaml", "perod: ", "period: ")
    replace_in(plan, "organization.yaml", "vision: ", "vision: See [the roadmap](roadmap.md). ")
    assert build_site(plan, site) == 1  # fails in MkDocs, after it took the spare
    assert tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan", "site"]
    replace_in(plan, "organization.yaml", "vision: See [the roadmap](roadmap.md). ", "vision: ")
    assert build_site(plan, site) == 0
    assert tree(site) == before


def test_of_two_builds_taking_one_spare_one_gets_each_folder(tmp_path: Path) -> None:
    spare = tmp_path / ".site.spare"
    (spare / "goals" / "a").mkdir(parents=True)
    (spare / "people" / "b").mkdir(parents=True)
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = recycling.take(spare, one, [])
    assert first is not None and first.folders == ("goals", "people")
    assert recycling.take(spare, two, []) is None
    assert not spare.exists() and list(two.iterdir()) == []
    first.close()


def test_keeping_a_spare_when_one_is_there_deletes_the_old_site(tmp_path: Path) -> None:
    old, spare = tmp_path / ".site.old", tmp_path / ".site.spare"
    (old / "goals" / "new").mkdir(parents=True)
    (old / "people" / "p").mkdir(parents=True)
    (old / "teams" / "t").mkdir(parents=True)
    (spare / "goals" / "earlier").mkdir(parents=True)
    recycling.keep(old, spare)
    assert not old.exists()
    assert sorted(p.relative_to(spare).as_posix() for p in spare.rglob("*")) == [
        "goals", "goals/earlier", "people", "people/p"]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving the spare to another user takes root")
def test_a_spare_of_another_user_is_left_alone(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    site = tmp_path / "site"
    spare = spare_of(site)
    assert build_site(plan, site) == 0
    assert build_site(plan, site) == 0
    os.chown(spare / "goals", 65534, 65534)
    stale = spare / "goals" / "south-new-logos" / "index.html"
    stale.write_text("stale")
    assert build_site(plan, site) == 0
    assert build_site(plan, tmp_path / "fresh") == 0
    assert differences(tree(site), tree(tmp_path / "fresh")) == []
    assert stale.read_text() == "stale"


@contextlib.contextmanager
def unchangeable(folder: Path) -> Iterator[None]:
    """`folder` made a folder nothing in can be deleted: read-only for a user, immutable (chattr) for root,
    whom permissions do not stop."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
            pytest.skip("no chattr, or its file system has no immutable flag")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_folder_that_cannot_be_updated_goes_back_to_the_spare_and_is_written_fresh(tmp_path: Path) -> None:
    """Something in the spare this user cannot delete (left by a build run as another user, say): the whole
    folder goes back to the spare, and the build writes it from nothing."""
    spare, site = tmp_path / ".site.spare", tmp_path / "site"
    locked = spare / "goals" / "locked"
    locked.mkdir(parents=True)
    (locked / "index.html").write_text("stale")
    (spare / "goals" / "a").mkdir()
    (spare / "goals" / "a" / "index.html").write_text("A")
    site.mkdir()
    with unchangeable(locked):
        recycled = recycling.take(spare, site, [])
        assert recycled is not None and recycled.folders == ("goals",)
        write_files(site, {"goals/a/index.html": b"A", "goals/b/index.html": b"B"}, recycled=recycled)
        recycled.wait()
        recycled.close()
        assert tree(site) == {"goals": "folder", "goals/a": "folder", "goals/a/index.html": b"A",
                              "goals/b": "folder", "goals/b/index.html": b"B"}
        assert (locked / "index.html").read_text() == "stale"


NAMES = st.sampled_from(["a", "b", "c", "index.html"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map(lambda parts: "goals/" + "/".join(parts))
ENTRIES = st.dictionaries(PATHS, st.one_of(st.binary(max_size=8), st.just("folder"), st.just("link")), max_size=10)
FILES = st.dictionaries(PATHS, st.binary(max_size=8), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spare_entries=ENTRIES, files=FILES, pages=st.lists(PATHS, max_size=2))
def test_whatever_the_spare_holds_the_folders_end_up_holding_exactly_the_build_s_files(
        spare_entries: dict[str, object], files: dict[str, bytes], pages: list[str]) -> None:
    prefixes = {path.rsplit("/", depth)[0] for path in [*files, *pages] for depth in range(1, path.count("/"))}
    files = {path: data for path, data in files.items() if path not in prefixes}  # no file where a folder must be
    pages = [page for page in pages if page not in files and page not in prefixes and
             not any(other.startswith(page + "/") for other in [*files, *pages])]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        spare, site = root / ".site.spare", root / "site"
        (spare / "goals").mkdir(parents=True)
        site.mkdir()
        for path, content in sorted(spare_entries.items()):
            target = spare / path
            if not target.parent.is_dir() or target.exists() or target.is_symlink():
                continue  # a file or link took the place of its folder
            if content == "folder":
                target.mkdir()
            elif content == "link":
                target.symlink_to(root)
            else:
                target.write_bytes(content)
        recycled = recycling.take(spare, site, pages)
        assert recycled is not None
        write_files(site, files, recycled=recycled)
        recycled.wait()
        recycled.close()
        for page in pages:  # as MkDocs writes its pages, once the folders are ready
            (site / page).parent.mkdir(parents=True, exist_ok=True)
            (site / page).write_bytes(b"page")
        expected: dict[str, object] = {**files, **dict.fromkeys(pages, b"page")}
        for path in [*files, *pages]:
            parts = path.split("/")
            expected.update(("/".join(parts[:depth]), "folder") for depth in range(1, len(parts)))
        assert tree(site) == expected
