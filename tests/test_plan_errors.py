"""Hostile plans (issue 11): each gets one located, actionable error from the real command, never a traceback.

The bad-plan corpus (`tests/test_loader.py`) compares each report word for word;
here the `handbook` command itself runs on some of those plans and on plans a
test can only make on the spot (symbolic links, git revisions), as a user would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sales_handbook.model import snapshot
from sales_handbook.plan.loader import load_plan
from tests.planfiles import BAD_PLANS, EXAMPLE_PLAN, make_plan, replace_in

CONFIG = EXAMPLE_PLAN.parent / "mkdocs.yml"


def handbook(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`handbook ARGS` run in `cwd` as a user runs it, in its own process."""
    return subprocess.run([sys.executable, "-m", "sales_handbook.cli", *args], cwd=cwd, capture_output=True,
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


# ---------------------------------------------------------------- item 12: files that are not the plan's


def test_a_link_to_a_file_outside_the_plan_is_refused_at_the_link_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "id_ed25519"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA\n"
                      "-----END OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    plan = make_plan(tmp_path)
    (plan / "teams" / "key.yaml").symlink_to(secret)
    (plan / "reviews" / "2026-Q4.yaml").symlink_to(secret)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "benefits.yaml").write_bytes((plan / "benefits.yaml").read_bytes())
    (plan / "benefits.yaml").unlink()
    (plan / "benefits.yaml").symlink_to(outside / "benefits.yaml")
    done = handbook(tmp_path, "check", "--plan", "plan")
    refused = ("error: this file is a link to a file outside the plan folder, so it is not read\n"
               "    hint: copy the file into the plan folder instead of linking to it: a plan reads only its own files\n")
    assert_reported(done, "".join(f"plan/{name}:1:1: {refused}"
                                  for name in ("benefits.yaml", "reviews/2026-Q4.yaml", "teams/key.yaml"))
                    + "3 errors in the plan\n")
    assert "PRIVATE KEY" not in done.stderr and "c2VjcmV0" not in done.stderr


def test_a_link_inside_the_plan_folder_is_read(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    kept = plan / "teams" / "south-sales.yaml"
    kept.rename(plan / "south-sales.yaml.txt")
    kept.symlink_to(Path("..") / "south-sales.yaml.txt")
    done = handbook(tmp_path, "check", "--plan", "plan")
    assert done.returncode == 0, done.stderr
    assert "3 teams" in done.stdout


LONG = "Q" * 5000
"""Planted where messages quote a plan's text; no message may quote more than 80 characters of it."""


@pytest.mark.parametrize(("rel", "old", "new"), [
    ("organization.yaml", "period: 2026-Q4", f"period: {LONG}"),
    ("organization.yaml", "as_of: 2026-11-15", f"as_of: {LONG}"),
    ("organization.yaml", "name: Acme Sensors", f"name: Acme Sensors\n{LONG}: 1\n{LONG}: 2"),
    ("objectives.yaml", "category: growth", f"category: {LONG}"),
    ("teams/north-sales.yaml", "id: north-new-arr", f"id: {LONG}"),
    ("teams/north-sales.yaml", "baseline: 900", f"baseline: {LONG}"),
    ("teams/north-sales.yaml", "name: North Sales", f"name: &{LONG} North Sales"),
    ("teams/north-sales.yaml", "department: sales", f"department: !{LONG} sales"),
    ("teams/south-sales.yaml", None, f"-----BEGIN KEY-----\n{LONG}\n-----END KEY-----\n"),
    ("reviews/2026-Q3.yaml", "date: 2026-10-05", f"date: {LONG}"),
    ("teams/field-marketing.yaml", "name: Field Marketing", f"name: 'Field Marketing\n  {LONG}"),
    ("benefits.yaml", "benefits:", f"benefits: {{{LONG}"),
])
def test_no_message_quotes_more_than_an_excerpt_of_a_file(rel: str, old: str | None, new: str,
                                                          tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    if old is None:
        (plan / rel).write_text(new, encoding="utf-8")
    else:
        replace_in(plan, rel, old, new)
    done = handbook(tmp_path, "check", "--plan", "plan")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"plan/{rel}:" in done.stderr
    assert "Q" * 81 not in done.stderr, done.stderr


# ---------------------------------------------------------------- item 14: plans read from git


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def test_diff_names_the_files_of_a_broken_revision_as_the_user_wrote_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    plan = make_plan(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "good plan")
    git(repo, "checkout", "-q", "-b", "broken")
    shutil.rmtree(plan)
    make_plan(repo, BAD_PLANS / "several-errors")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "broken plan")
    git(repo, "checkout", "-q", "main")
    done = handbook(repo, "diff", "broken:plan", "plan")
    expected = (BAD_PLANS / "several-errors" / "expected.txt").read_text(encoding="utf-8")
    assert_reported(done, expected.replace("plan/", "broken:plan/"))
    assert "handbook-plan-" not in done.stderr


# ---------------------------------------------------------------- item 16: what left, told the same way twice


def test_diff_and_the_published_links_check_agree_on_what_left(tmp_path: Path) -> None:
    """An individual goal and a person that left: diff lists them, and check refuses exactly them."""
    old = make_plan(tmp_path / "old")
    with (old / "teams" / "south-sales.yaml").open("a", encoding="utf-8") as team:
        team.write("  - id: pia-extra\n    name: Pia Extra\n    role: Account Executive\n")
    (tmp_path / "plan.json").write_bytes(snapshot.dumps(load_plan(old), version="2026-Q3"))
    new = make_plan(tmp_path / "new")
    text = (new / "teams" / "north-sales.yaml").read_text(encoding="utf-8")
    start = text.index("      - id: olaf-handovers")
    end = text.index("          - north-handover-quality\n", start) + len("          - north-handover-quality\n")
    (new / "teams" / "north-sales.yaml").write_text(text[:start] + text[end:], encoding="utf-8")

    diff = handbook(tmp_path, "diff", "old/plan", "new/plan", "--format", "json")
    assert diff.returncode == 0, diff.stderr
    found = json.loads(diff.stdout)
    left = {(kind, r["item"]["id"]) for kind, part in (("goal", "goals"), ("person", "people"))
            for r in found[part]["retired"] if not r["recorded"]}
    assert left == {("goal", "olaf-handovers"), ("person", "pia-extra")}
    text_report = handbook(tmp_path, "diff", "old/plan", "new/plan").stdout
    assert "olaf-handovers  Hand over 10 deals with a complete success plan  [North Sales]" in text_report
    assert "People who left:\n  - pia-extra  Pia Extra  [South Sales]" in text_report

    check = handbook(tmp_path, "check", "--plan", "new/plan", "--previous", "plan.json")
    assert check.returncode == 1 and "Traceback" not in check.stderr
    refused = set(re.findall(r"error: (goal|person|team|objective) '([a-z0-9-]+)' was published", check.stderr))
    assert refused == left


def test_alignment_findings_quote_an_excerpt_too(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "teams/south-sales.yaml", "lead: sofia-marin", f"lead: sofia-marin\nterritories: [{LONG}]")
    done = handbook(tmp_path, "check", "--plan", "plan")
    assert "Traceback" not in done.stderr, done.stderr
    assert "territory 'QQQQ" in done.stdout and "has no one assigned" in done.stdout
    assert "Q" * 81 not in done.stdout + done.stderr
