"""`handbook update FILE.csv`: a check-in's values written into the plan's YAML, and nothing else changed."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_handbook import cli
from sales_handbook.model import checkins
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.schema import Confidence
from sales_handbook.plan.yamledit import Edit, apply
from tests.planfiles import EXAMPLE_PLAN
from tests.publishing import git

HANDBOOK = Path(sys.executable).parent / "handbook"
CHECK_IN_LINE = re.compile(r"^[+-]\s*(current|confidence|note|as_of):")


def example_repo(root: Path) -> Path:
    """The example plan in a git repository of its own, everything committed."""
    repo = root / "repo"
    shutil.copytree(EXAMPLE_PLAN, repo / "plan")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Plan Owner")
    git(repo, "config", "user.email", "owner@example.com")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The plan")
    return repo


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `handbook` command, run in `repo` as a user would."""
    return subprocess.run([str(HANDBOOK), *args], cwd=repo, capture_output=True, text=True)


def changed_lines(repo: Path) -> list[str]:
    """The lines `git diff` adds or removes (no headers)."""
    diff = git(repo, "diff", "--unified=0")
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


CRM = (
    "Opportunity owner,id,current,confidence,note,Stage\n"
    'Liam,anz-new-arr,212.5,medium,"Two installers hired: pipeline back, ""finally""",Commit\n'
    "Katrin,emea-enterprise-new-arr,1250,-,,Commit\n"
    ",delight-customers/nps,38,low,#detractors up after the October outage,\n"
    "Hannah,hannah-new-arr,,high,,\n"
)
"""A CRM report: extra columns, a quoted note, '-' to remove a confidence, empty cells to leave values."""


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = example_repo(tmp_path_factory.mktemp("update"))
    (repo / "crm.csv").write_text(CRM, encoding="utf-8")
    done = run(repo, "update", "crm.csv", "--as-of", "2026-12-15")
    assert done.returncode == 0, done.stderr
    assert "wrote 9 values from 4 rows into 4 files, as of 2026-12-15" in done.stdout
    return repo


def test_git_diff_touches_only_check_in_lines(updated: Path) -> None:
    lines = changed_lines(updated)
    assert lines and all(CHECK_IN_LINE.match(line) for line in lines), lines
    assert sorted(git(updated, "diff", "--name-only").splitlines()) == [
        "plan/objectives.yaml", "plan/organization.yaml", "plan/teams/anz-partner-sales.yaml",
        "plan/teams/enterprise-sales-emea.yaml"]
    # The comment after as_of, the quoting and every other byte stay as the author wrote them.
    assert "+as_of: 2026-12-15   # the day the plan's current values were measured; status is judged on it" in lines


def test_the_plan_holds_the_new_values(updated: Path) -> None:
    plan = load_plan(updated / "plan")
    _, goal = plan.goal("anz-new-arr")
    assert (goal.current, goal.confidence, goal.note) == (212.5, Confidence.medium,
                                                         'Two installers hired: pipeline back, "finally"')
    _, goal = plan.goal("emea-enterprise-new-arr")
    assert (goal.current, goal.confidence) == (1250, None)  # '-' removed the confidence
    nps = next(m for o in plan.objectives if o.id == "delight-customers" for m in o.key_metrics if m.id == "nps")
    assert (nps.current, nps.confidence, nps.note) == (38, Confidence.low, "#detractors up after the October outage")
    _, _, own = plan.individual_goal("hannah-new-arr")
    assert (own.current, own.confidence) == (110, Confidence.high)  # an empty cell leaves the value
    assert plan.organization.as_of.isoformat() == "2026-12-15"
    assert run(updated, "check").returncode == 0


def test_an_unedited_export_changes_nothing_but_as_of(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    assert run(repo, "export", "--format", "csv", "numbers.csv").returncode == 0
    done = run(repo, "update", "numbers.csv", "--as-of", "2026-11-20")
    assert done.returncode == 0, done.stderr
    assert git(repo, "status", "--porcelain", "plan") == ""
    assert "wrote 0 values" in done.stdout


BAD = {
    "unknown id with a suggestion": (
        "id,current\nanz-new-ar,3\ngrow-recurring-revenue/nps,4\n",
        ["bad.csv:2:1: error: no goal, individual goal or key metric has the id 'anz-new-ar'\n"
         "    hint: did you mean 'anz-new-arr' or 'na-new-arr' or 'hannah-new-arr'?",
         "bad.csv:3:1: error: no goal, individual goal or key metric has the id 'grow-recurring-revenue/nps'\n"
         "    hint: did you mean 'delight-customers/nps'?"]),
    "not a number": (
        "id,current\nanz-new-arr,\"1,234.5\"\nanz-new-customers,lots\n",
        ["bad.csv:2:2: error: current value '1,234.5' is not a number\n"
         "    hint: write it with a point as the decimal mark and no thousands separator, like 1234.5",
         "bad.csv:3:2: error: current value 'lots' is not a number\n    hint: write a number, like 41.9"]),
    "duplicate row": (
        "id,current\nanz-new-arr,3\nanz-new-arr,4\n",
        ["bad.csv:3:1: error: 'anz-new-arr' is also on row 2\n"
         "    hint: keep one row per goal: the handbook would not know which value is right"]),
    "missing column": (
        "id,value\nanz-new-arr,3\n",
        ["bad.csv:1:1: error: the header has no column 'current'\n"
         "    hint: the columns 'id' and 'current' are needed; 'confidence' and 'note' may follow, other columns are "
         "ignored"]),
    "bad confidence": (
        "current,id,confidence\n3,anz-new-arr,hihg\n",
        ["bad.csv:2:3: error: confidence 'hihg' is not high, medium or low\n"
         "    hint: did you mean 'high'? write high, medium or low (or '-' to remove it)"]),
    "note too long": (
        "id,current,note\nanz-new-arr,3," + "x" * 281 + "\n",
        ["bad.csv:2:3: error: this note is 281 characters long, over the limit of 280\n"
         "    hint: a check-in note says in a sentence or two why; put longer text in the goal's description"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_csv_gives_located_errors_and_changes_nothing(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    text, expected = BAD[case]
    repo = example_repo(tmp_path)
    (repo / "bad.csv").write_text(text, encoding="utf-8")
    monkeypatch.chdir(repo)
    assert cli.main(["update", "bad.csv", "--as-of", "2026-12-15"]) == 1
    err = capsys.readouterr().err
    assert err == "\n".join(expected) + f"\nhandbook: {len(expected)} problem{'s' * (len(expected) > 1)}, nothing was written\n"
    assert git(repo, "status", "--porcelain", "plan") == ""


def test_every_problem_of_every_row_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path)
    (repo / "bad.csv").write_text("id,current,confidence\nanz-new-arr,x,y\nnope,1,\nanz-new-customers,12,low\n",
                                  encoding="utf-8")
    monkeypatch.chdir(repo)
    assert cli.main(["update", "bad.csv", "--as-of", "2026-13-01"]) == 1
    err = capsys.readouterr().err
    assert [line.split(": error:")[0] for line in err.splitlines() if ": error:" in line] == [
        "--as-of", "bad.csv:2:2", "bad.csv:2:3", "bad.csv:3:1"]
    assert "--as-of: error: '2026-13-01' is not a date" in err  # an option has no line to point at
    assert git(repo, "status", "--porcelain", "plan") == ""


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    (repo / "crm.csv").write_text(CRM, encoding="utf-8")
    done = run(repo, "update", "crm.csv", "--as-of", "2026-12-15", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert git(repo, "status", "--porcelain", "plan") == ""
    assert "--- a/plan/teams/anz-partner-sales.yaml\n+++ b/plan/teams/anz-partner-sales.yaml\n" in done.stdout
    assert "\n-    current: 165\n" in done.stdout and "\n+    current: 212.5\n" in done.stdout
    assert "dry run, nothing was written" in done.stderr


def test_a_value_written_over_several_lines_is_refused_with_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path)
    team = repo / "plan" / "teams" / "anz-partner-sales.yaml"
    team.write_text(team.read_text(encoding="utf-8").replace(
        "    note: Two of our four partners lost their lead installer in November, so the December pipeline is thin.\n",
        "    note: >\n      Two of our four partners lost their lead installer.\n"), encoding="utf-8")
    git(repo, "commit", "-qam", "a folded note")
    (repo / "crm.csv").write_text("id,current,note\nanz-new-arr,170,Better\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    assert cli.main(["update", "crm.csv", "--as-of", "2026-12-15"]) == 1
    assert capsys.readouterr().err.startswith(
        "crm.csv:2:3: error: 'note' is written over several lines at plan/teams/anz-partner-sales.yaml:19:11\n"
        "    hint: write 'note:' on one line, then run the update again\n")
    assert git(repo, "status", "--porcelain", "plan") == ""


def test_a_file_keeps_its_line_endings_and_permissions(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    team = repo / "plan" / "teams" / "latam-sales.yaml"
    team.write_bytes(team.read_bytes().replace(b"\n", b"\r\n"))
    team.chmod(0o640)
    (repo / "crm.csv").write_text("id,current,confidence\nlatam-new-arr,300,high\n", encoding="utf-8")
    assert run(repo, "update", "crm.csv", "--as-of", "2026-12-15").returncode == 0
    data = team.read_bytes()
    assert b"    current: 300\r\n    confidence: high\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert team.stat().st_mode & 0o777 == 0o640


def test_no_traceback_for_a_missing_csv(tmp_path: Path) -> None:
    repo = example_repo(tmp_path)
    done = run(repo, "update", "missing.csv")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("handbook: nothing was written: cannot read missing.csv")


# ---------------------------------------------------------------- property: exactly those values, nothing else


@functools.cache
def example_numbers() -> tuple[checkins.Number, ...]:
    """Every number of the example plan (loaded once: the property runs many times)."""
    return tuple(checkins.numbers(load_plan(EXAMPLE_PLAN)))


def printable_note(text: str) -> bool:
    return bool(text) and text.strip() == text and unicodedata.normalize("NFC", text) == text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_values_written_into_random_numbers_are_exactly_what_reloads(tmp_path: Path, data: st.DataObject) -> None:
    numbers = example_numbers()
    chosen = data.draw(st.lists(st.sampled_from(numbers), min_size=1, max_size=6, unique_by=lambda n: n.ref))
    wanted = {}
    for number in chosen:
        current = data.draw(st.one_of(st.none(), st.integers(-10**6, 10**6).map(float),
                                      st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3))))
        confidence = data.draw(st.one_of(st.none(), st.sampled_from(list(Confidence))))
        note = data.draw(st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp")),
                                                      min_size=1, max_size=40).filter(printable_note)))
        wanted[number.ref] = (current, confidence, note)
    plan_dir = Path(tempfile.mkdtemp(dir=tmp_path)) / "plan"
    shutil.copytree(EXAMPLE_PLAN, plan_dir)
    by_file: dict[str, list[Edit]] = {}
    for number in chosen:
        current, confidence, note = wanted[number.ref]
        by_file.setdefault(number.file, []).extend([
            Edit.check_in(number.path, "current", checkins.number_text(current) if current is not None else None),
            Edit.check_in(number.path, "confidence", confidence.value if confidence else None),
            Edit.check_in(number.path, "note", checkins.quoted(note) if note is not None else None)])
    for name, edits in by_file.items():
        edited = apply((EXAMPLE_PLAN / name).read_bytes().decode("utf-8"), edits)
        assert not edited.refused
        (plan_dir / name).write_bytes(edited.text.encode("utf-8"))
    after = {n.ref: n.measure for n in checkins.numbers(load_plan(plan_dir))}
    for number in numbers:
        if number.ref in wanted:
            current, confidence, note = wanted[number.ref]
            assert (after[number.ref].current, after[number.ref].confidence, after[number.ref].note) == (
                current, confidence, note)
            fields = {"current", "confidence", "note"}
            assert after[number.ref].model_dump(exclude=fields) == number.measure.model_dump(exclude=fields)
        else:
            assert after[number.ref] == number.measure
