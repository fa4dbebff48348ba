"""Hostile plans (issue 11): each gets one located, actionable error from the real command, never a traceback.

The bad-plan corpus (`tests/test_loader.py`) compares each report word for word;
here the `handbook` command itself runs on some of those plans and on plans a
test can only make on the spot (symbolic links, git revisions), as a user would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.planfiles import BAD_PLANS, EXAMPLE_PLAN, make_plan

CONFIG = EXAMPLE_PLAN.parent / "mkdocs.yml"


def handbook(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`handbook ARGS` run in `cwd` as a user runs it, in its own process."""
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def assert_reported(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    assert done.stderr == expected


@pytest.mark.parametrize("case", ["period-out-of-range", "lone-surrogate", "yaml-nested-too-deep", "id-too-long"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_plans_that_crashed_check_or_build_get_their_report(case: str, command: str, tmp_path: Path) -> None:
    make_plan(tmp_path, BAD_PLANS / case)
    extra = ["-f", str(CONFIG), "--site-dir", str(tmp_path / "site")] if command == "build" else []
    done = handbook(tmp_path, command, "--plan", "plan", *extra)
    assert_reported(done, (BAD_PLANS / case / "expected.txt").read_text(encoding="utf-8"))
    assert not (tmp_path / "site").exists()
