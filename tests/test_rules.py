"""Every alignment rule: a small plan that breaks it, and one that does not.

Each case edits a copy of tests/fixtures/small-plan and expects the rule's
findings, exactly: file, line, message. The unedited small plan (or, for a
rule it breaks, the plan with a fix) must give no finding of that rule.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from sales_handbook.rules import catalogue as rules, health
from sales_handbook.plan.diagnostics import PlanError
from sales_handbook.plan.loader import Reader, load_plan
from sales_handbook.plan.schema import RuleGrade
from tests.planfiles import make_plan, replace_in

Edit = tuple[str, str, str]

ANOTHER_OBJECTIVE = """
  - id: open-japan
    title: Open Japan
    category: market-expansion
    owner: Ada Lovelace
    description: First customers in Japan.
    key_metrics:
      - id: japan-customers
        name: Customers in Japan
        unit: customers
        baseline: 0
        target: 3
"""
NO_DELIGHT_FROM_MARKETING: Edit = (
    "teams/field-marketing.yaml",
    "      - objective: delight-customers\n        why: Webinar attendees arrive knowing what the product does.\n", "")
SALESPERSON = "\n  - id: sam-sales\n    name: Sam Sales\n    role: Account Executive\n"

CASES: dict[str, tuple[list[Edit], list[tuple[str, int, str]]]] = {
    "goal-without-objective": (
        [("teams/south-sales.yaml",
          "    aligns_to:\n      - objective: grow-revenue\n        why: New logos are the base for next year's expansion.\n",
          "")],
        [("teams/south-sales.yaml", 5, "goal 'south-new-logos' serves no objective")]),
    "objective-without-goals": (
        [("objectives.yaml", "        direction: increase\n", "        direction: increase\n" + ANOTHER_OBJECTIVE)],
        [("objectives.yaml", 31, "objective 'open-japan' is served by no team goal")]),
    "individual-goal-without-team-goal": (
        [("teams/north-sales.yaml", "        supports:\n          - north-new-arr\n", "")],
        [("teams/north-sales.yaml", 55, "individual goal 'olaf-new-arr' of Olaf Berg supports no team goal")]),
    "revenue-only-team": (
        [("teams/south-sales.yaml", "metric: customers", "metric: revenue")],
        [("teams/south-sales.yaml", 5, "team 'south-sales' looks only at revenue: its only goal is a revenue goal")]),
    "goal-not-measurable": (
        [("teams/south-sales.yaml", "    unit: customers\n", ""), ("teams/south-sales.yaml", "    target: 12\n", "")],
        [("teams/south-sales.yaml", 5, "goal 'south-new-logos' is not measurable: it has no target and no unit")]),
    "goal-not-time-bound": (
        [("teams/south-sales.yaml", "    period: 2026-Q4\n", "")],
        [("teams/south-sales.yaml", 5, "goal 'south-new-logos' is not time-bound: it has no period and no due date")]),
    "goal-ends-after-period": (
        [("teams/south-sales.yaml", "    period: 2026-Q4\n", "    due: 2027-01-15\n")],
        [("teams/south-sales.yaml", 12, "goal 'south-new-logos' ends on 2027-01-15, after the plan's period 2026-Q4 "
                                        "(which ends on 2026-12-31)")]),
    "single-department-objective": (
        [NO_DELIGHT_FROM_MARKETING],
        [("objectives.yaml", 16, "objective 'delight-customers' is served by the sales department only")]),
    "collaborator-without-support": (
        [NO_DELIGHT_FROM_MARKETING],
        [("teams/north-sales.yaml", 32, "goal 'north-handover-quality' counts on team 'field-marketing', but none of "
                                        "its goals serves 'delight-customers' and none of its people's goals supports "
                                        "'north-handover-quality'")]),
    "salesperson-without-goals": (
        [("teams/south-sales.yaml", "    territory: Iberia\n", "    territory: Iberia\n" + SALESPERSON)],
        [("teams/south-sales.yaml", 24, "salesperson 'sam-sales' (Sam Sales) has no individual goals")]),
    "individual-goal-for-another-team": (
        [("teams/north-sales.yaml", "          - north-new-arr\n", "          - south-new-logos\n")],
        [("teams/north-sales.yaml", 64, "individual goal 'olaf-new-arr' of Olaf Berg supports only goals of team "
                                        "'south-sales', which do not name 'north-sales' as a collaborator")]),
    "goal-outside-parent-time-frame": (
        [],
        [("teams/north-sales.yaml", 73, "individual goal 'olaf-handovers' of Olaf Berg (2026-Q4) ends after team "
                                        "goal 'north-handover-quality' it supports (due 2026-11-30)")]),
    "weights-do-not-add-up": (
        [("teams/north-sales.yaml", "    current: 700\n", "    current: 700\n    weight: 60\n"),
         ("teams/north-sales.yaml", "        current: 300\n", "        current: 300\n        weight: 70\n"),
         ("teams/north-sales.yaml", "        current: 6\n", "        current: 6\n        weight: 20\n")],
        [("teams/north-sales.yaml", 22, "1 of the 2 goals of team 'north-sales' has a weight; goal "
                                       "'north-handover-quality' has none"),
         ("teams/north-sales.yaml", 63, "the weights of the goals of Olaf Berg add up to 90%, not 100%")]),
    "unassigned-territory": (
        [("teams/north-sales.yaml", "description: Sells to food distributors in the Nordics.\n",
          "description: Sells to food distributors in the Nordics.\nterritories:\n  - Norway\n  - Denmark\n")],
        [("teams/north-sales.yaml", 7, "territory 'Denmark' of team 'north-sales' has no one assigned")]),
    "unassigned-segment": (
        [("teams/north-sales.yaml", "description: Sells to food distributors in the Nordics.\n",
          "description: Sells to food distributors in the Nordics.\nsegments:\n  - pharma\n  - retail\n"
          "  - food distribution\n")],
        [("teams/north-sales.yaml", 7, "segment 'retail' of team 'north-sales' has no one assigned")]),
    "unlisted-territory-or-segment": (
        [("teams/north-sales.yaml", "description: Sells to food distributors in the Nordics.\n",
          "description: Sells to food distributors in the Nordics.\nterritories:\n  - Norwey\n")],
        [("teams/north-sales.yaml", 49, "Olaf Berg's territory 'Norway' is not in the territory list of team "
                                        "'north-sales'")]),
    "no-recent-review": (
        [("organization.yaml", "period: 2026-Q4", "period: 2027-Q1")],
        [("reviews/2026-Q3.yaml", 1, "the newest review is of 2026-Q3; the plan for 2027-Q1 has no review of "
                                     "2026-Q4 or later")]),
    "decision-names-unknown-goal": (
        [("reviews/2026-Q3.yaml", "      - qualified-leads\n", "      - qualified-lead\n")],
        [("reviews/2026-Q3.yaml", 15, "decision 2 of the 2026-Q3 review names goal 'qualified-lead', which is not "
                                      "in the plan")]),
    "missing-as-of": (
        [("organization.yaml", "as_of: 2026-11-15\n", "")],
        [("organization.yaml", 7, "the plan gives current values but no 'as_of' date: status is judged as of "
                                  "2026-12-31, the last day of 2026-Q4")]),
    "confidence-disagrees": (
        [("teams/north-sales.yaml", "    confidence: low\n", "    confidence: high\n"),
         ("teams/north-sales.yaml", "        current: 6\n", "        current: 6\n        confidence: low\n"),
         ("teams/north-sales.yaml", "        current: 300\n", "        current: 300\n        confidence: medium\n"),
         ("objectives.yaml", "        confidence: medium\n", "        confidence: low\n"),
         ("objectives.yaml", "        current: 35\n", "        current: 35\n        confidence: high\n")],
        [("objectives.yaml", 14, "key metric 'arr' of objective 'grow-revenue' is on track, but its owner's "
                                 "confidence is low"),
         ("teams/north-sales.yaml", 13, "goal 'north-new-arr' is off track, but its owner's confidence is high")]),
}

FIXES: dict[str, list[Edit]] = {
    "goal-outside-parent-time-frame": [("teams/north-sales.yaml", "        current: 6\n        period: 2026-Q4\n",
                                        "        current: 6\n        due: 2026-11-30\n")],
}
"""Edits that make the small plan follow a rule it breaks as it is."""


def found(plan_dir: Path, rule_id: str) -> list[tuple[str, int, str]]:
    return [(f.file, f.line, f.hit.message) for f in health.findings(load_plan(plan_dir)) if f.rule.id == rule_id]


def edited(tmp_path: Path, edits: list[Edit]) -> Path:
    plan_dir = make_plan(tmp_path)
    for file, old, new in edits:
        replace_in(plan_dir, file, old, new)
    return plan_dir


def test_every_rule_has_a_case() -> None:
    assert sorted(CASES) == sorted(rule.id for rule in rules.catalogue())


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_a_plan_that_breaks_the_rule(rule_id: str, tmp_path: Path) -> None:
    edits, expected = CASES[rule_id]
    assert found(edited(tmp_path, edits), rule_id) == expected


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_a_plan_that_follows_the_rule(rule_id: str, tmp_path: Path) -> None:
    assert found(edited(tmp_path, FIXES.get(rule_id, [])), rule_id) == []


def test_rule_ids_are_stable_kebab_case_and_documented() -> None:
    for rule in rules.catalogue():
        assert rule.id == rule.id.lower() and " " not in rule.id and "--" not in rule.id
        assert rule.severity in ("error", "warning", "info") and rule.step in rules.STEPS
        assert rule.title and rule.checks and rule.why and rule.fix


def test_hints_name_the_close_match(tmp_path: Path) -> None:
    edits, _ = CASES["decision-names-unknown-goal"]
    (finding,) = [f for f in health.findings(load_plan(edited(tmp_path, edits)))
                  if f.rule.id == "decision-names-unknown-goal"]
    assert finding.hint.startswith("did you mean 'qualified-leads'?")
    assert finding.hit.subject.page == "reviews/2026-Q3.md"


def test_a_retired_goal_may_be_named_by_a_decision(tmp_path: Path) -> None:
    plan_dir = edited(tmp_path, [("reviews/2026-Q3.yaml", "      - qualified-leads\n", "      - spring-webinars\n")])
    assert len(found(plan_dir, "decision-names-unknown-goal")) == 1
    replace_in(plan_dir, "reviews/2026-Q3.yaml", "changes:\n",
               "changes:\n  - goal: spring-webinars\n    field: retired\n    reason: Replaced by the Q4 series.\n")
    assert found(plan_dir, "decision-names-unknown-goal") == []


def test_a_plan_without_reviews_is_told_which_one_to_write(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    (plan_dir / "reviews" / "2026-Q3.yaml").unlink()
    (finding,) = [f for f in health.findings(load_plan(plan_dir)) if f.rule.id == "no-recent-review"]
    assert (finding.file, finding.hit.message) == ("organization.yaml", "the plan for 2026-Q4 has no review at all; "
                                                                        "the last one should be of 2026-Q3")
    assert finding.hint == "record the review of 2026-Q3 in reviews/2026-Q3.yaml"


def test_the_team_lead_may_cover_the_whole_region(tmp_path: Path) -> None:
    plan_dir = edited(tmp_path, [("teams/south-sales.yaml", "lead: sofia-marin\n",
                                  "lead: sofia-marin\nterritories:\n  - Iberia North\n")])
    assert found(plan_dir, "unlisted-territory-or-segment") == []  # Sofia leads South Sales; her territory is Iberia


# ---------------------------------------------------------------- settings


def settings(plan_dir: Path, text: str) -> None:
    (plan_dir / "organization.yaml").write_text(
        (plan_dir / "organization.yaml").read_text(encoding="utf-8") + "settings:\n  rules:\n" + text, encoding="utf-8")


def test_settings_switch_a_rule_off_or_regrade_it(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    settings(plan_dir, "    goal-outside-parent-time-frame: off\n    missing-as-of: error\n")
    replace_in(plan_dir, "organization.yaml", "as_of: 2026-11-15\n", "")
    plan = load_plan(plan_dir)
    assert health.grades(plan)["goal-outside-parent-time-frame"] is RuleGrade.off
    assert [(f.rule.id, f.severity) for f in health.findings(plan)] == [("missing-as-of", "error")]


def test_strict_makes_warnings_errors_but_leaves_info(tmp_path: Path) -> None:
    plan_dir = edited(tmp_path, CASES["missing-as-of"][0])
    assert sorted(f.severity for f in health.findings(load_plan(plan_dir), strict=True)) == ["error", "info"]


def load_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlanError:
    """The error loading tmp_path/plan raises, with files named as from tmp_path (loaded as the handbook does,
    with the check of the rules' settings)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanError) as caught:
        Reader(checks=[health.settings_problems]).load(Path("plan"))
    return caught.value


def test_an_unknown_rule_in_settings_is_a_load_error_with_a_suggestion(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    settings(make_plan(tmp_path), "    revenue-only-teams: error\n")
    assert str(load_error(tmp_path, monkeypatch)) == (
        "plan/organization.yaml:14:25: error: unknown rule 'revenue-only-teams' [settings.rules.revenue-only-teams]\n"
        "    hint: did you mean 'revenue-only-team'? the rules are listed in docs/rules.md and on the handbook's Rules "
        "page\n1 error in the plan")


def test_an_unknown_grade_is_a_schema_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings(make_plan(tmp_path), "    revenue-only-team: of\n")
    (problem,) = load_error(tmp_path, monkeypatch).diagnostics
    assert problem.message == "'of' is not a valid value for 'revenue-only-team'"
    assert problem.hint == "did you mean 'off'? choose one of: off, error, warning, info"


def test_weights_must_be_percentages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited(tmp_path, [("teams/south-sales.yaml", "    current: 9\n", "    current: 9\n    weight: 0\n")])
    (problem,) = load_error(tmp_path, monkeypatch).diagnostics
    assert (problem.line, problem.field) == (12, "goals[0].weight")


def test_a_draft_goal_without_target_loads_and_renders(tmp_path: Path) -> None:
    from sales_handbook.site import pages

    plan_dir = edited(tmp_path, CASES["goal-not-measurable"][0])
    page = pages.render(load_plan(plan_dir))["teams/south-sales.md"]
    assert "| Status | **Not measurable**: no target or unit yet" in page
    assert "handbook-figure-goal--south-new-logos" not in page  # no bar without a target


def test_the_docs_document_every_rule() -> None:
    readme = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in rules.catalogue():
        assert f"| `{rule.id}` | {rule.severity} |" in readme, rule.id


def test_a_rule_sent_to_another_process_arrives_as_the_same_rule() -> None:
    """Findings come back from forked workers pickled: their rules must still be the catalogue's, so that a
    finding found there equals the same finding found here (serve compares them)."""
    for rule in rules.catalogue():
        assert pickle.loads(pickle.dumps(rule)) is rule
    with pytest.raises(KeyError):
        rules.by_id("no-such-rule")
