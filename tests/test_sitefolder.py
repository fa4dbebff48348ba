"""The folder a build replaces: never the plan or the project, readable by a web server, never missing,
one build at a time, and Ctrl-C always honoured."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import nh3
import pytest

from sales_handbook.publish import sitefolder
from sales_handbook.publish.interrupts import Interrupts
from tests.paused import leftovers, project_with_pause_hook, start, wait_for
from tests.publishing import git, handbook, make_project
from tests.stress_builds import stress
from tests.test_build import tree_digest

@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.mark.parametrize("site_dir", ["plan", ".", "/", "..", "plan/..", "mkdocs.yml"])
def test_a_site_folder_that_is_or_holds_the_plan_or_the_project_is_refused(project: Path, site_dir: str,
                                                                        capsys) -> None:
    before = tree_digest(project)
    assert handbook(project, "build", "--quiet", "--site-dir", site_dir) == 1
    error = capsys.readouterr().err
    assert "cannot be the site folder" in error and "Nothing was changed" in error
    assert "Traceback" not in error
    assert tree_digest(project) == before


def test_publish_to_the_plan_folder_is_refused(project: Path, capsys) -> None:
    before = tree_digest(project)
    assert handbook(project, "publish", "--dir", "plan") == 1
    assert "it is the plan folder" in capsys.readouterr().err
    assert tree_digest(project) == before


def test_the_project_of_a_git_checkout_is_never_the_site(project: Path, capsys) -> None:
    git(project, "init", "-q")
    assert handbook(project, "build", "--quiet", "--site-dir", ".") == 1
    assert "it is the current folder" in capsys.readouterr().err
    assert (project / ".git" / "HEAD").is_file() and (project / "plan" / "organization.yaml").is_file()


def test_the_home_folder_is_never_the_site(project: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    assert handbook(project, "build", "--quiet", "--site-dir", str(home)) == 1
    assert "it is the home folder" in capsys.readouterr().err
    assert (home / "notes").is_dir()


def test_a_folder_with_files_a_build_did_not_make_is_kept_and_the_error_says_how_to_go_on(project: Path,
                                                                                          capsys) -> None:
    (project / "public").mkdir()
    (project / "public" / "notes.txt").write_text("mine")
    assert handbook(project, "build", "--quiet", "--site-dir", "public") == 1
    error = capsys.readouterr().err
    assert "holds files that a handbook build did not make" in error and "rm -r" in error
    assert (project / "public" / "notes.txt").read_text() == "mine"
    assert handbook(project, "build", "--quiet", "--site-dir", "public/site") == 0  # a new folder inside is fine


def test_a_site_that_is_a_git_work_tree_is_not_replaced(project: Path, capsys) -> None:
    assert handbook(project, "build", "--quiet") == 0
    git(project / "site", "init", "-q")
    assert handbook(project, "build", "--quiet") == 1
    assert "git work tree" in capsys.readouterr().err
    assert (project / "site" / ".git" / "HEAD").is_file()


def test_a_site_is_marked_and_one_built_before_the_marker_is_replaced_too(project: Path) -> None:
    assert handbook(project, "build", "--quiet") == 0
    marker = project / "site" / sitefolder.MARKER
    assert "replaces the whole folder" in marker.read_text()
    marker.unlink()  # as a site built by an earlier version of the handbook: its plan.json says what it is
    assert handbook(project, "build", "--quiet") == 0
    assert marker.is_file()


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_the_site_gets_the_mode_mkdir_gives_under_the_umask(project: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        probe = project / "probe"
        probe.mkdir()
        assert handbook(project, "build", "--quiet") == 0
        assert handbook(project, "publish", "--dir", "out") == 0
    finally:
        os.umask(previous)
    expected = probe.stat().st_mode & 0o7777
    assert (project / "site").stat().st_mode & 0o7777 == expected
    assert (project / "out").stat().st_mode & 0o7777 == expected


def test_the_site_is_there_at_every_instant_of_a_swap(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("0")
    missing: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if not (target / "index.html").exists():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for number in range(1, 200):
            staging = sitefolder.staging_for(target)
            (staging / "index.html").write_text(str(number))
            replaced = sitefolder.swap_in(staging, target)
            assert replaced is not None and (replaced / "index.html").read_text() == str(number - 1)
            shutil.rmtree(replaced)
    finally:
        done.set()
        watcher.join()
    assert missing == []
    assert (target / "index.html").read_text() == "199"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_site_moved_aside_by_a_killed_build_is_put_back_first(project: Path) -> None:
    """Where the swap takes two renames, a kill between them leaves `.site.old` and no site: the next
    build puts it back before anything else, even when that build then fails."""
    assert handbook(project, "build", "--quiet") == 0
    before = tree_digest(project / "site")
    os.rename(project / "site", project / ".site.old")
    (project / ".site.building-dead").mkdir()  # and the killed build's staging folder
    (project / "plan" / "teams" / "north-sales.yaml").write_text(
        (project / "plan" / "teams" / "north-sales.yaml").read_text() + "\n# [a link](missing.md)\n")
    (project / "plan" / "organization.yaml").write_text(
        (project / "plan" / "organization.yaml").read_text().replace("mission: |", "mission: |\n  [broken](nowhere.md)"))
    assert handbook(project, "build", "--quiet") == 1  # a strict warning: this build fails
    assert tree_digest(project / "site") == before
    assert leftovers(project) == []


def test_a_second_build_into_the_same_folder_waits_for_the_first(tmp_path: Path) -> None:
    project = project_with_pause_hook(tmp_path)
    pause = tmp_path / "pause"
    first = start(project, "build", "--quiet", pause=pause)
    wait_for(pause.with_name("pause.started"), first)
    second = start(project, "build", "--quiet")
    deadline = time.monotonic() + 30
    while second.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
        if time.monotonic() > deadline - 25:
            break
    assert second.poll() is None, "the second build did not wait for the first"
    pause.with_name("pause.go").touch()
    out_first, err_first = first.communicate(timeout=120)
    out_second, err_second = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), (err_first, err_second)
    assert "another build is writing into" in err_second
    assert "Traceback" not in err_first + err_second
    assert (project / "site" / "index.html").is_file() and (project / "site" / "plan.json").is_file()
    assert leftovers(project) == []


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_build_exits_with_the_signal_and_keeps_the_site(tmp_path: Path, sent: int,
                                                                      code: int) -> None:
    project = project_with_pause_hook(tmp_path)
    assert handbook(project, "build", "--quiet") == 0
    before = tree_digest(project / "site")
    pause = tmp_path / "pause"
    build = start(project, "build", "--quiet", pause=pause)
    wait_for(pause.with_name("pause.started"), build)
    build.send_signal(sent)
    _, error = build.communicate(timeout=60)
    assert build.returncode == code
    assert "interrupted" in error and "Traceback" not in error and "Exception ignored" not in error
    assert tree_digest(project / "site") == before
    assert leftovers(project) == []


def test_an_interrupt_that_c_code_swallows_still_stops_the_build() -> None:
    """nh3 calls back into Python while it sanitizes; a KeyboardInterrupt raised there is swallowed by it
    (and the attribute is dropped): the interrupt is noted all the same, and checked before the swap."""
    interrupts = Interrupts()

    def keep(tag: str, attribute: str, value: str) -> str:
        os.kill(os.getpid(), signal.SIGINT)
        return value

    with pytest.raises(KeyboardInterrupt), interrupts.catching():
        nh3.clean('<a href="x" title="t">z</a>', attribute_filter=keep)
        interrupts.raise_if_received()
    assert interrupts.exit_code == 130


@pytest.mark.parametrize("args", [
    ["build", "--site-dir", "afile.txt"],
    ["build", "--site-dir", "afile.txt/x"],
    ["publish", "--dir", "afile.txt/x"],
    ["build", "--config", "missing.yml"],
    ["build", "--config", "list.yml"],
    ["build", "--config", "plan"],  # a folder; an empty file is a configuration that changes no default
])
def test_impossible_targets_and_configurations_get_one_clear_error(project: Path, args: list[str],
                                                                   capsys) -> None:
    (project / "afile.txt").write_text("")
    (project / "list.yml").write_text("- a\n- b\n")
    before = tree_digest(project)
    assert handbook(project, *args) == 1
    error = capsys.readouterr().err
    assert "handbook: " in error and error.count("\n") <= 2 and "Traceback" not in error
    named = args[-1].split("/")[0]
    assert named in error
    assert tree_digest(project) == before


def test_without_mkdocs_yml_the_packaged_defaults_build_the_site_in_the_current_folder(project: Path) -> None:
    (project / "mkdocs.yml").unlink()
    shutil.rmtree(project / "theme")
    assert handbook(project, "build", "--quiet") == 0
    assert (project / "site" / "teams" / "north-sales" / "index.html").is_file()
    assert (project / ".cache" / "handbook" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")


def test_a_named_configuration_that_does_not_exist_is_a_clear_error(project: Path, capsys) -> None:
    (project / "mkdocs.yml").unlink()
    assert handbook(project, "build", "--config", "mkdocs.yml") == 1
    assert "mkdocs.yml does not exist" in capsys.readouterr().err


@pytest.mark.skipif(not shutil.which("chattr") and os.geteuid() == 0, reason="root needs chattr to be kept out")
@pytest.mark.parametrize("command", [["build", "--quiet", "--site-dir", "locked/site"],
                                     ["publish", "--dir", "locked/site"]])
def test_a_read_only_parent_folder_is_a_clear_error(project: Path, command: list[str], capsys) -> None:
    locked = project / "locked"
    locked.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(locked)], check=True)
    else:
        locked.chmod(0o555)
    try:
        assert handbook(project, *command) == 1
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(locked)], check=True)
        locked.chmod(0o755)
    error = capsys.readouterr().err
    assert "cannot build into" in error and "Traceback" not in error
    assert list(locked.iterdir()) == []


def test_builds_killed_interrupted_and_raced_at_random_moments_lose_nothing(tmp_path: Path) -> None:
    """A few of each here; `python -m tests.stress_builds --runs 30` runs dozens."""
    assert stress(tmp_path, runs=4, seed=7) == []
