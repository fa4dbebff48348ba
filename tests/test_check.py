"""`handbook check`: findings grouped by file like a compiler's, a summary line, exit codes, --strict, JSON.

The findings plan is the small plan with edits that break seven rules. Its
`handbook check` report (and, in test_health.py, its health page) are golden
files in tests/golden/findings-plan/: regenerate with UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sales_handbook import cli
from tests import goldens
from tests.planfiles import BAD_PLANS, make_plan, replace_in
from tests.test_rules import CASES

GOLDEN = Path(__file__).parent / "golden" / "findings-plan"
BROKEN = ("goal-without-objective", "objective-without-goals", "salesperson-without-goals", "weights-do-not-add-up",
          "unassigned-territory", "decision-names-unknown-goal", "missing-as-of")


def findings_plan(tmp_path: Path) -> Path:
    """The small plan, edited to break the rules in BROKEN (and, as it is, goal-outside-parent-time-frame)."""
    plan_dir = make_plan(tmp_path)
    for rule_id in BROKEN:
        for file, old, new in CASES[rule_id][0]:
            replace_in(plan_dir, file, old, new)
    return plan_dir


def golden(name: str, text: str) -> str:
    """The golden text of `name`, rewritten from `text` first when UPDATE_GOLDEN is set."""
    path = GOLDEN / name
    if goldens.updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *options: str) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)
    code = cli.main(["check", "--plan", "plan", *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_report_is_grouped_by_file_with_a_summary_and_fails_on_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    findings_plan(tmp_path)
    code, out, err = check(tmp_path, monkeypatch, capsys)
    assert (code, err) == (1, "")
    assert out == golden("check.txt", out)
    blocks = out.split("\n\n")
    files = [block.split(":", 1)[0] for block in blocks[:-1]]
    assert files == sorted(files) and len(set(files)) == len(files)  # one block per file, in file order
    assert all(line.split(":", 1)[0] == block.split(":", 1)[0] for block in blocks[:-1]
               for line in block.splitlines() if not line.startswith("    hint: "))
    assert blocks[-1] == "plan: 3 errors, 6 warnings, 1 info in 3 objectives, 3 teams, 4 goals, 5 people, 1 reviews\n"


def test_warnings_alone_exit_0_and_strict_makes_them_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    make_plan(tmp_path)
    code, out, _ = check(tmp_path, monkeypatch, capsys)
    assert code == 0 and ": warning: " in out and out.endswith("0 errors, 1 warning, 0 info in 2 objectives, "
                                                             "3 teams, 4 goals, 4 people, 1 reviews\n")
    code, out, _ = check(tmp_path, monkeypatch, capsys, "--strict")
    assert code == 1 and ": error: " in out and ": warning: " not in out
    assert "plan: 1 error, 0 warnings, 0 info" in out


def test_info_never_fails_even_when_strict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    plan_dir = make_plan(tmp_path)
    replace_in(plan_dir, "organization.yaml", "as_of: 2026-11-15\n", "")
    (plan_dir / "organization.yaml").write_text((plan_dir / "organization.yaml").read_text(encoding="utf-8")
                                                + "settings:\n  rules:\n    goal-outside-parent-time-frame: off\n",
                                                encoding="utf-8")
    code, out, _ = check(tmp_path, monkeypatch, capsys, "--strict")
    assert code == 0 and ": info: " in out and out.endswith("plan: 0 errors, 0 warnings, 1 info in 2 objectives, "
                                                            "3 teams, 4 goals, 4 people, 1 reviews\n")


def test_json_lists_every_finding_for_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    findings_plan(tmp_path)
    code, out, err = check(tmp_path, monkeypatch, capsys, "--format", "json")
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert report["summary"] == {"errors": 3, "warnings": 6, "info": 1}
    assert report["load_errors"] == []
    (decision,) = [f for f in report["findings"] if f["rule"] == "decision-names-unknown-goal"]
    assert decision == {
        "rule": "decision-names-unknown-goal", "severity": "error", "default_severity": "error",
        "file": "plan/reviews/2026-Q3.yaml", "line": 15, "column": 9, "field": "decisions[1].goals[0]",
        "message": "decision 2 of the 2026-Q3 review names goal 'qualified-lead', which is not in the plan",
        "hint": "did you mean 'qualified-leads'? goals are defined in the teams' 'goals:' lists; a retired goal is "
                "recorded in a review's changes with 'field: retired'",
        "item": "2026-Q3 review", "url": "reviews/2026-Q3/",
        "rule_url": "alignment/rules/decision-names-unknown-goal/",
    }
    assert sorted({f["severity"] for f in report["findings"]}) == ["error", "info", "warning"]


def test_json_strict_grades_warnings_as_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    make_plan(tmp_path)
    code, out, _ = check(tmp_path, monkeypatch, capsys, "--format", "json", "--strict")
    report = json.loads(out)
    assert code == 1 and report["summary"] == {"errors": 1, "warnings": 0, "info": 0}
    assert [(f["severity"], f["default_severity"]) for f in report["findings"]] == [("error", "warning")]


def test_load_errors_come_first_and_stop_in_both_formats(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    make_plan(tmp_path, BAD_PLANS / "several-errors")
    code, out, err = check(tmp_path, monkeypatch, capsys)
    assert (code, out) == (1, "")
    assert err == (BAD_PLANS / "several-errors" / "expected.txt").read_text(encoding="utf-8")
    code, out, err = check(tmp_path, monkeypatch, capsys, "--format", "json")
    report = json.loads(out)
    assert (code, err, report["findings"]) == (1, "", [])
    assert report["summary"]["errors"] == len(report["load_errors"]) == 5
    assert report["load_errors"][0]["file"] == "plan/benefits.yaml"


def test_the_installed_command_exits_1_on_an_error_finding(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    replace_in(plan_dir, "teams/north-sales.yaml", "    current: 700\n", "    current: 700\n    weight: 60\n")
    done = subprocess.run([sys.executable, "-m", "sales_handbook.cli", "check", "--plan", "plan", "--format", "json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and done.stderr == ""
    assert [f["rule"] for f in json.loads(done.stdout)["findings"]] == ["weights-do-not-add-up",
                                                                         "goal-outside-parent-time-frame"]
