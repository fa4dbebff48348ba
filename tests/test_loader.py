"""load_plan: golden error reports for every bad plan, and what a good plan loads as.

Each folder in tests/bad-plans/ is an overlay on tests/fixtures/small-plan/
(see tests/bad-plans/README.md). The test copies the plan to tmp_path/"plan",
works from tmp_path so files display as `plan/...`, and compares the whole
report, `str(PlanError)`, with the case's expected.txt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from sales_handbook import cli
from sales_handbook.plan.diagnostics import PlanError
from sales_handbook.plan.loader import load_plan
from sales_handbook.plan.plan import Plan
from sales_handbook.plan.schema import Category, Department, Direction, MetricKind

from tests.fresh import run_python
from tests.planfiles import (
    BAD_PLANS,
    DELETE_SUFFIX,
    EXAMPLE_PLAN,
    NOT_COPIED,
    SMALL_PLAN,
    bad_plan_cases,
    make_plan,
    replace_in,
)

KNOWN_BUGS: dict[str, str] = {}


def _cases() -> list:
    params = []
    for case in bad_plan_cases():
        marks = [pytest.mark.xfail(reason=KNOWN_BUGS[case.name], strict=True)] if case.name in KNOWN_BUGS else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overlay: Path | None = None) -> str:
    """The report load_plan raises for small-plan plus `overlay`, as displayed from tmp_path."""
    make_plan(tmp_path, overlay)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanError) as caught:
        load_plan(Path("plan"))
    return str(caught.value)


# ---------------------------------------------------------------- bad plans


@pytest.mark.parametrize("case", _cases())
def test_bad_plan_report_matches_golden(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert report(tmp_path, monkeypatch, case) + "\n" == expected


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in bad_plan_cases()])
def test_bad_plan_case_is_a_real_overlay(case: Path) -> None:
    """Each case has a golden report and only files that differ from small-plan."""
    assert (case / "expected.txt").is_file()
    changes = [p for p in case.rglob("*") if p.is_file() and p.relative_to(case).as_posix() not in NOT_COPIED]
    assert changes, "a case must change at least one file"
    for path in changes:
        rel = path.relative_to(case)
        if path.name.endswith(DELETE_SUFFIX):
            assert (SMALL_PLAN / rel.with_name(path.name[: -len(DELETE_SUFFIX)])).exists()
            assert path.read_bytes() == b""
        elif (SMALL_PLAN / rel).exists():
            assert path.read_bytes() != (SMALL_PLAN / rel).read_bytes(), f"{rel} is identical to small-plan"


def test_known_bugs_name_existing_cases() -> None:
    assert set(KNOWN_BUGS) <= {c.name for c in bad_plan_cases()}


@pytest.mark.parametrize(("case", "lines"), [
    ("stray-objective-file", [
        "plan/objective.yaml:1:1: error: this file is not part of the plan format, so it is ignored",
        "    hint: did you mean 'objectives.yaml'",
        "plan/objectives.yaml:1:1: error: required file objectives.yaml is missing",
    ]),
    ("stray-yml-extension", [
        "plan/teams/south-sales.yml:1:1: error: this file is not part of the plan format, so it is ignored",
        "    hint: did you mean 'teams/south-sales.yaml'",
    ]),
    ("yaml-python-tag", [
        "plan/organization.yaml:2:10: error: YAML tag '!!python/object/apply:os.system' is not allowed [tagline]",
    ]),
    ("wrong-type-list-for-mapping", [
        "plan/benefits.yaml:6:9: error: expected a mapping of fields, found a list [benefits[0].evidence[0]]",
    ]),
    ("duplicate-objective-id-shadows-metric", [
        "plan/objectives.yaml:30:9: error: duplicate objective id 'grow-revenue' (also at plan/objectives.yaml:2) "
        "[objectives[2].id]",
    ]),
    ("errors-hidden-by-broken-organization", [
        "plan/organization.yaml:7:9: error: malformed period 'Q4-2026': write a quarter as YYYY-QN, like '2026-Q4' "
        "[period]",
    ]),
])
def test_known_bug_cases_still_report_what_is_right(
    case: str, lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The xfailed golden cases above are only partly wrong: keep the right part under test."""
    text = report(tmp_path, monkeypatch, BAD_PLANS / case)
    for line in lines:
        assert any(have.startswith(line) for have in text.splitlines()), f"{line!r} not in:\n{text}"


def test_non_utf8_fixture_is_really_not_utf8() -> None:
    raw = (BAD_PLANS / "non-utf8" / "organization.yaml").read_bytes()
    assert b"Caf\xe9" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_every_problem_is_reported_sorted_with_a_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_plan(tmp_path, BAD_PLANS / "several-errors")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanError) as caught:
        load_plan(Path("plan"))
    diagnostics = caught.value.diagnostics
    assert list(diagnostics) == sorted(diagnostics)
    assert {d.file for d in diagnostics} == {
        "plan/benefits.yaml",
        "plan/organization.yaml",
        "plan/reviews/2026-Q3.yaml",
        "plan/teams/field-marketing.yaml",
        "plan/teams/north-sales.yaml",
    }
    assert all(d.severity == "error" for d in diagnostics)
    assert str(caught.value).endswith("\n5 errors in the plan")


def test_missing_plan_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanError) as caught:
        load_plan("no-such-plan")
    assert str(caught.value) == (
        "no-such-plan:1:1: error: plan folder not found\n"
        "    hint: pass --plan DIR with the folder that holds organization.yaml\n"
        "1 error in the plan"
    )


def test_non_utf8_team_file_reports_the_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written from the test too, so the check does not depend on the committed binary fixture."""
    plan = make_plan(tmp_path)
    (plan / "teams" / "south-sales.yaml").write_bytes(b"name: South Sales\ndepartment: sales\nlead: caf\xe9\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanError) as caught:
        load_plan(Path("plan"))
    assert str(caught.value) == (
        "plan/teams/south-sales.yaml:3:10: error: file is not UTF-8 text (byte 0xe9 cannot be decoded)\n"
        "    hint: save the file as UTF-8\n"
        "1 error in the plan"
    )


# ---------------------------------------------------------------- good plans


@pytest.fixture()
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Plan:
    make_plan(tmp_path)
    monkeypatch.chdir(tmp_path)
    return load_plan(Path("plan"))


def test_example_plan_loads() -> None:
    plan = load_plan(EXAMPLE_PLAN)
    assert len(plan.objectives) >= 2
    assert plan.teams and plan.reviews and plan.benefits
    assert [t.id for t in plan.teams] == sorted(t.id for t in plan.teams)
    assert [r.period for r in plan.reviews] == sorted((r.period for r in plan.reviews), reverse=True)


def test_small_plan_loads_in_place() -> None:
    plan = load_plan(SMALL_PLAN)
    assert [t.id for t in plan.teams] == ["field-marketing", "north-sales", "south-sales"]


def test_small_plan_organization_and_objectives(small: Plan) -> None:
    assert small.organization.name == "Acme Sensors"
    assert small.organization.period == "2026-Q4"
    assert small.organization.values == ("Customers keep the score.", "Say the number.")
    assert small.organization.mission.endswith("before they cost product.\n")
    assert [o.id for o in small.objectives] == ["grow-revenue", "delight-customers"]
    assert [o.category for o in small.objectives] == [Category.growth, Category.customer_satisfaction]
    arr = small.objective("grow-revenue").key_metrics[0]
    assert (arr.id, arr.baseline, arr.target, arr.current, arr.direction) == (
        "arr", 10.0, 12.0, 11.2, Direction.increase)
    assert [m.id for o in small.objectives for m in o.key_metrics] == ["arr", "nps"]


def test_small_plan_teams_goals_and_people(small: Plan) -> None:
    assert [(t.id, t.department) for t in small.teams] == [
        ("field-marketing", Department.marketing),
        ("north-sales", Department.sales),
        ("south-sales", Department.sales),
    ]
    assert small.ids("goal") == {"north-new-arr", "north-handover-quality", "south-new-logos", "qualified-leads"}
    assert small.ids("person") == {"nora-lind", "olaf-berg", "sofia-marin", "mark-field"}

    team, goal = small.goal("qualified-leads")
    assert team.id == "field-marketing"
    assert goal.title == "Run the R&D | <beta> *pilot* webinar series"
    assert goal.collaborators == ("north-sales", "south-sales")
    assert [a.objective for a in goal.aligns_to] == ["grow-revenue", "delight-customers"]
    assert goal.metric is MetricKind.custom and goal.metric_name == "Qualified leads from webinars"

    _, handover = small.goal("north-handover-quality")
    assert handover.period is None
    assert handover.due == dt.date(2026, 11, 30)
    assert handover.time_frame() == (dt.date(2026, 11, 30), dt.date(2026, 11, 30))
    _, arr_goal = small.goal("north-new-arr")
    assert arr_goal.time_frame() == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))

    team, olaf = small.person("olaf-berg")
    assert team.id == "north-sales"
    assert olaf.territory == "Norway"
    assert olaf.segments == ("food distribution", "pharma")
    assert olaf.strengths == ("Cold-chain audits", "Fluent in Norwegian and Swedish")
    assert [(g.id, g.supports) for g in olaf.goals] == [
        ("olaf-new-arr", ("north-new-arr",)),
        ("olaf-handovers", ("north-handover-quality",)),
    ]
    assert small.person("sofia-marin")[1].name == "Sofia Marín"


def test_small_plan_benefits_and_review(small: Plan) -> None:
    (benefit,) = small.benefits
    assert benefit.id == "focus-and-clarity"
    assert [(e.objective, e.metric) for e in benefit.evidence] == [("grow-revenue", "arr")]
    (review,) = small.reviews
    assert review.period == "2026-Q3"
    assert review.date == dt.date(2026, 10, 5)
    assert [d.goals for d in review.decisions] == [("north-handover-quality",), ("qualified-leads", "north-new-arr")]
    first, second = review.changes
    assert (first.goal, first.field.value, first.before, first.after) == (
        "north-new-arr", "target", "1,000 kEUR", "1,200 kEUR")
    assert (second.field.value, second.before) == ("added", None)


def test_small_plan_knows_where_things_were_written(small: Plan) -> None:
    assert set(small.sources) == {
        "organization.yaml", "objectives.yaml", "benefits.yaml",
        "teams/field-marketing.yaml", "teams/north-sales.yaml", "teams/south-sales.yaml",
        "reviews/2026-Q3.yaml",
    }
    source = small.sources["teams/north-sales.yaml"]
    assert source.file == "plan/teams/north-sales.yaml"
    assert source.position(("goals", 1, "due")) == (29, 10)
    assert source.position(("goals", 1, "due"), key=True) == (29, 5)


def test_loaded_plan_is_immutable(small: Plan) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        small.teams = ()  # type: ignore[misc]
    with pytest.raises(ValidationError):
        small.organization.name = "Renamed"  # type: ignore[misc]
    team, goal = small.goal("qualified-leads")
    with pytest.raises(ValidationError):
        goal.target = 1.0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        goal.aligns_to[0].why = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        team.people[0].name = "Someone else"  # type: ignore[misc]
    with pytest.raises(TypeError):
        small.sources["organization.yaml"] = None  # type: ignore[index]
    assert isinstance(team.goals, tuple) and isinstance(goal.collaborators, tuple)
    with pytest.raises(AttributeError):
        goal.collaborators.append("x")  # type: ignore[attr-defined]


def test_yaml_1_1_surprises_stay_exact_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan(tmp_path)
    replace_in(plan, "organization.yaml", "name: Acme Sensors", "name: 0777")
    replace_in(plan, "organization.yaml", "tagline: Small sensors, clear answers.", "tagline: yes")
    replace_in(plan, "objectives.yaml", "title: Grow recurring revenue", "title: NO")
    replace_in(plan, "objectives.yaml", "unit: EUR million", "unit: 1e3")
    replace_in(plan, "teams/south-sales.yaml", "title: Win 12 new customers", "title: 1:30")
    replace_in(plan, "teams/south-sales.yaml", "baseline: 8", "baseline: 0777")
    replace_in(plan, "teams/south-sales.yaml", "territory: Iberia", "territory: no")
    replace_in(plan, "teams/north-sales.yaml", "      - pharma", "      - off\n      - ~x")
    replace_in(plan, "reviews/2026-Q3.yaml", 'from: "1,000 kEUR"', "from: 2026-10-01")
    replace_in(plan, "reviews/2026-Q3.yaml", "  - Nora Lind", "  - Null Island\n  - 'null'")
    monkeypatch.chdir(tmp_path)
    loaded = load_plan(Path("plan"))
    assert loaded.organization.name == "0777"
    assert loaded.organization.tagline == "yes"
    assert loaded.objectives[0].title == "NO"
    assert loaded.objectives[0].key_metrics[0].unit == "1e3"
    _, goal = loaded.goal("south-new-logos")
    assert goal.title == "1:30"
    assert goal.baseline == 777.0  # a decimal number, not YAML 1.1 octal (511)
    assert loaded.person("sofia-marin")[1].territory == "no"
    assert loaded.person("olaf-berg")[1].segments == ("food distribution", "off", "~x")
    assert loaded.reviews[0].changes[0].before == "2026-10-01"
    assert loaded.reviews[0].participants[-2:] == ("Null Island", "null")


# ---------------------------------------------------------------- command line


def test_cli_check_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_plan(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--plan", "plan"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "plan: 0 errors, 1 warning, 0 info in 2 objectives, 3 teams, 4 goals, 4 people, 1 reviews"
    assert err == ""


def test_cli_check_bad_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_plan(tmp_path, BAD_PLANS / "several-errors")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--plan", "plan"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (BAD_PLANS / "several-errors" / "expected.txt").read_text(encoding="utf-8")


def test_cli_check_missing_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--plan", "nowhere"]) == 1
    assert "nowhere:1:1: error: plan folder not found" in capsys.readouterr().err


def test_cli_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "handbook check" in capsys.readouterr().out


@pytest.mark.parametrize(("overlay", "code"), [(None, 0), ("unknown-objective", 1)])
def test_cli_check_subprocess_exit_code(tmp_path: Path, overlay: str | None, code: int) -> None:
    make_plan(tmp_path, BAD_PLANS / overlay if overlay else None)
    done = subprocess.run(
        [sys.executable, "-m", "sales_handbook.cli", "check", "--plan", "plan"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == code
    if code == 0:
        assert done.stdout.splitlines()[-1].startswith("plan: 0 errors,") and done.stderr == ""
    else:
        assert done.stdout == ""
        assert done.stderr == (BAD_PLANS / overlay / "expected.txt").read_text(encoding="utf-8")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="forked reading needs two cores")
def test_team_files_read_on_several_cores_give_the_same_plan_and_the_same_errors(tmp_path: Path) -> None:
    printed = run_python(f"""
        from pathlib import Path
        from bench.synthetic import write_plan
        from sales_handbook.speed import forked, parallel
        from sales_handbook.plan.diagnostics import PlanError

        root = write_plan(Path({str(tmp_path)!r}) / "plan", teams=30, seed=3)

        def load(parallel_files):
            parallel.PARALLEL_FILES = parallel_files
            try:
                return parallel.reader().load(root)
            except PlanError as error:
                return [str(d) for d in error.diagnostics]

        assert forked.processes_for(30, 10) > 1
        assert load(10) == load(10_000)
        first, second = sorted((root / "teams").glob("*.yaml"))[:2]
        first.write_text(first.read_text() + "name: twice\\n")  # a duplicate key: only the careful reader says where
        second.write_bytes(b"name: \\xff\\n")  # not UTF-8
        on_cores, in_process = load(10), load(10_000)
        assert on_cores == in_process and any("duplicate key 'name'" in d for d in on_cores), on_cores
        print("same")
    """)
    assert printed == "same\n"
