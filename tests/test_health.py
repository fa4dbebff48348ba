"""Findings for readers: the health page of a plan with known findings, and how findings are grouped.

The findings plan (tests/test_check.py) is the small plan with edits that break
seven rules; its health page is a golden file in tests/golden/findings-plan/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_handbook.plan import urls
from sales_handbook.rules import health
from sales_handbook.site import pages
from sales_handbook.plan.loader import load_plan
from tests.planfiles import make_plan, replace_in
from tests.test_check import findings_plan, golden

@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return findings_plan(tmp_path)


def test_health_page_matches_the_golden_file(plan_dir: Path) -> None:
    page = pages.render(load_plan(plan_dir))[urls.HEALTH]
    assert page == golden("alignment/index.md", page)


def test_health_page_links_every_finding_to_its_item_and_rule(plan_dir: Path) -> None:
    plan = load_plan(plan_dir)
    page = pages.render(plan)[urls.HEALTH]
    for finding in health.findings(plan):
        subject = finding.hit.subject
        assert f"]({urls.href(urls.HEALTH, subject.page, subject.anchor)})" in page
        assert f"]({urls.href(urls.HEALTH, urls.rule_page(finding.rule.id))})" in page
        assert f"`{finding.file}:{finding.line}`" in page


def test_findings_are_grouped_by_the_objectives_and_teams_they_concern(plan_dir: Path) -> None:
    plan = load_plan(plan_dir)
    found = health.findings(plan)
    by_objective = {o.id: [f.rule.id for f in items] for o, items in health.by_objective(plan, found)}
    by_team = {t.id: [f.rule.id for f in items] for t, items in health.by_team(plan, found)}
    assert by_objective == {
        "grow-revenue": ["weights-do-not-add-up", "weights-do-not-add-up", "collaborator-without-support"],
        "delight-customers": ["weights-do-not-add-up", "weights-do-not-add-up", "collaborator-without-support",
                              "goal-outside-parent-time-frame"],
        "open-japan": ["objective-without-goals"],
    }
    assert by_team == {
        "field-marketing": ["collaborator-without-support"],
        "north-sales": ["weights-do-not-add-up", "weights-do-not-add-up", "unassigned-territory",
                        "goal-outside-parent-time-frame"],
        "south-sales": ["collaborator-without-support", "goal-without-objective", "salesperson-without-goals"],
    }
    assert [f.rule.id for f in health.plan_wide(found)] == ["decision-names-unknown-goal", "missing-as-of"]


def test_errors_come_first_within_a_group(plan_dir: Path) -> None:
    plan = load_plan(plan_dir)
    for _, items in (*health.by_objective(plan, health.findings(plan)), *health.by_team(plan, health.findings(plan))):
        ranks = [health.SEVERITIES.index(f.severity) for f in items]
        assert ranks == sorted(ranks)


def test_summary_counts_each_severity(plan_dir: Path) -> None:
    found = health.findings(load_plan(plan_dir))
    assert health.summary(found) == "3 errors, 6 warnings, 1 info"
    assert health.summary(found[:1]) in ("1 error, 0 warnings, 0 info", "0 errors, 1 warning, 0 info",
                                         "0 errors, 0 warnings, 1 info")


def test_a_clean_plan_says_so(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    replace_in(plan_dir, "teams/north-sales.yaml", "        current: 6\n        period: 2026-Q4\n",
               "        current: 6\n        due: 2026-11-30\n")
    page = pages.render(load_plan(plan_dir))[urls.HEALTH]
    assert "**0 errors, 0 warnings, 0 info**" in page
    assert "Every rule passes" in page and "## By objective" not in page


def test_rule_pages_document_every_rule_and_list_its_findings(plan_dir: Path) -> None:
    plan = load_plan(plan_dir)
    rendered = pages.render(plan)
    page = rendered[urls.rule_page("weights-do-not-add-up")]
    assert page.startswith("# Goal weights do not add up to 100% { #goal-weights-do-not-add-up-to-100 }\n")
    assert "**Id:** `weights-do-not-add-up` · **Default severity:** Error" in page
    assert "weights-do-not-add-up: warning   # error | warning | info | off" in page
    assert page.count("| **Error** |") == 2
    assert "Nothing: the plan follows this rule." in rendered[urls.rule_page("revenue-only-team")]


def test_a_public_site_shows_what_the_rules_find_in_the_public_plan(tmp_path: Path) -> None:
    from sales_handbook.model.audience import Audience, for_audience

    plan_dir = findings_plan(tmp_path)
    replace_in(plan_dir, "teams/south-sales.yaml", "  - id: south-new-logos\n",
               "  - id: south-new-logos\n    visibility: internal\n")  # a goal with a finding of its own
    replace_in(plan_dir, "teams/north-sales.yaml", "  - id: north-handover-quality\n",
               "  - id: north-handover-quality\n    visibility: internal\n")  # named in others' findings
    plan = load_plan(plan_dir)
    found = health.findings(plan)
    assert health.for_audience(found, plan, Audience.internal) == found
    shown = health.for_audience(found, plan, Audience.public)
    public = health.findings(for_audience(plan, Audience.public))
    assert [(f.rule.id, f.hit.message, f.hint) for f in shown] == [(f.rule.id, f.hit.message, f.hint) for f in public]
    hidden = {(f.rule.id, f.hit.subject.label) for f in found} - {(f.rule.id, f.hit.subject.label) for f in shown}
    assert hidden == {
        ("goal-without-objective", "Win 12 new customers"),  # about the internal goal
        ("goal-outside-parent-time-frame", "Hand over 10 deals with a complete success plan"),  # names it
        ("weights-do-not-add-up", "North Sales"),  # counts the team's goals, the internal one among them
        ("weights-do-not-add-up", "Olaf Berg"),  # his only other goal supports the internal goal only
    }
    for finding in shown:
        text = f"{finding.hit.message} {finding.hint}"
        assert "south-new-logos" not in text and "north-handover-quality" not in text
        assert (finding.line, finding.column) == (0, 0)  # a line would count what the file holds above it
    page = pages.render(for_audience(plan, Audience.public), shown)[urls.HEALTH]
    assert "`teams/north-sales.yaml`" in page and "north-sales.yaml:" not in page


def test_a_public_finding_is_placed_by_public_goals_only(tmp_path: Path) -> None:
    from sales_handbook.model.audience import Audience, for_audience

    plan_dir = make_plan(tmp_path)
    replace_in(plan_dir, "teams/field-marketing.yaml", "      - objective: grow-revenue\n"
               "        why: Qualified leads shorten the sales cycle.\n", "")
    replace_in(plan_dir, "teams/south-sales.yaml", "  - id: south-new-logos\n",
               "  - id: south-new-logos\n    visibility: internal\n")  # South's only goal serving grow-revenue
    plan = load_plan(plan_dir)
    (whole,) = health.of_rule(health.findings(plan), "single-department-objective")
    assert whole.hit.teams == ("north-sales", "south-sales")
    shown = health.for_audience(health.findings(plan), plan, Audience.public)
    (public,) = health.of_rule(shown, "single-department-objective")
    assert public.hit.message == "objective 'grow-revenue' is served by the sales department only"
    assert public.hit.teams == ("north-sales",)
    page = pages.render(for_audience(plan, Audience.public), shown)[urls.HEALTH]
    sections = {part.split("]", 1)[0]: part for part in page.split("\n### [")[1:]}
    placed = [name for name, text in sections.items() if "served by the sales department only" in text]
    assert placed == ["Grow recurring revenue", "North Sales"]
    rule_page = pages.render(for_audience(plan, Audience.public), shown)[urls.rule_page("objective-without-goals")]
    assert "Nothing: the plan follows this rule." in rule_page
