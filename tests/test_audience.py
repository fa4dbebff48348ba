"""Confidentiality: a public build holds no trace of internal items; an internal build marks them.

Unit tests of `for_audience` on copies of the small plan, one kind of internal
item at a time; then the sentinel test, which plants unique strings in internal
items of every kind, builds the site as a user would and reads every byte of it.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from sales_handbook import cli
from sales_handbook.model import snapshot
from sales_handbook.plan import references, urls
from sales_handbook.rules import health
from sales_handbook.site import pages
from sales_handbook.model.audience import AUDIENCE_VARIABLE, Audience, Copies, for_audience, withheld
from sales_handbook.plan.loader import Reader, load_plan
from sales_handbook.plan.plan import Plan
from sales_handbook.engine.plugin import resolve_audience
from sales_handbook.plan.schema import Visibility
from tests.conftest import REPO, build_site
from tests.planfiles import EXAMPLE_PLAN, SMALL_PLAN, make_plan, replace_in, write
from tests.test_serve import free_port, wait_for

MARKER = '<em title="Internal: left out of the public handbook">Internal</em>'


def mark_internal(plan: Path, rel: str, line: str) -> None:
    """Add `visibility: internal` to the item whose first line is `line` in `plan/rel`."""
    indent = " " * (len(line) - len(line.lstrip(" -")))
    replace_in(plan, rel, line + "\n", f"{line}\n{indent}visibility: internal\n")


def views(plan_dir: Path) -> tuple[Plan, Plan, Plan]:
    """The plan as loaded, as the public sees it, and as the company sees it."""
    plan = load_plan(plan_dir)
    return plan, for_audience(plan, Audience.public), for_audience(plan, Audience.internal)


def catalogue(plan: Plan) -> dict[tuple[str, ...], Visibility]:
    """Every item that can be marked internal, by a key that names it, with its visibility."""
    found: dict[tuple[str, ...], Visibility] = {}
    for objective in plan.objectives:
        found["objective", objective.id] = objective.visibility
        for metric in objective.key_metrics:
            found["key metric", objective.id, metric.id] = metric.visibility
    for team in plan.teams:
        found["team", team.id] = team.visibility
        for goal in team.goals:
            found["goal", goal.id] = goal.visibility
        for person in team.people:
            found["person", person.id] = person.visibility
            for individual in person.goals:
                found["individual goal", individual.id] = individual.visibility
    for benefit in plan.benefits:
        found["benefit", benefit.id] = benefit.visibility
    for review in plan.reviews:
        found["review", review.period] = review.visibility
        for decision in review.decisions:
            found["decision", review.period, decision.text] = decision.visibility
        for change in review.changes:
            found["change", review.period, change.goal, change.field.value, change.reason] = change.visibility
    for entry in plan.retired:
        found["retirement", entry.id] = entry.visibility
    return found


def dangling_references(plan: Plan, original: Plan) -> list[str]:
    """References in `plan` to items it does not hold (a change may name a goal retired before `original`)."""
    objectives, teams = plan.ids("objective"), plan.ids("team")
    goals, people = plan.ids("goal"), plan.ids("person")
    found = []
    for team in plan.teams:
        if team.lead is not None and team.lead not in people:
            found.append(f"lead {team.lead}")
        for goal in team.goals:
            found += [f"aligns_to {a.objective}" for a in goal.aligns_to if a.objective not in objectives]
            found += [f"collaborator {t}" for t in goal.collaborators if t not in teams]
            if goal.owner is not None and goal.owner not in people:
                found.append(f"owner {goal.owner}")
        for person in team.people:
            for individual in person.goals:
                found += [f"supports {g}" for g in individual.supports if g not in goals]
                if not individual.supports:
                    found.append(f"{individual.id} supports nothing")
    for benefit in plan.benefits:
        for evidence in benefit.evidence:
            if evidence.objective not in objectives:
                found.append(f"evidence {evidence.objective}")
                continue
            metrics = {m.id for m in plan.objective(evidence.objective).key_metrics}
            if evidence.metric is not None and evidence.metric not in metrics:
                found.append(f"evidence metric {evidence.metric}")
    for review in plan.reviews:
        for decision in review.decisions:
            found += [f"decision goal {g}" for g in decision.goals if g not in goals]
        for change in review.changes:
            if change.goal not in goals and change.goal in original.ids("goal"):
                found.append(f"change goal {change.goal}")
    return found


# One item of each kind marked internal, each on a fresh copy of the small plan.
SCENARIOS = {
    "objective": [("objectives.yaml", "  - id: grow-revenue")],
    "key metric": [("objectives.yaml", "      - id: arr")],
    "team": [("teams/field-marketing.yaml", "name: Field Marketing")],
    "goal": [("teams/north-sales.yaml", "  - id: north-handover-quality")],
    "person": [("teams/north-sales.yaml", "  - id: olaf-berg")],
    "lead": [("teams/north-sales.yaml", "  - id: nora-lind")],
    "individual goal": [("teams/north-sales.yaml", "      - id: olaf-new-arr")],
    "benefit": [("benefits.yaml", "  - id: focus-and-clarity")],
    "review": [("reviews/2026-Q3.yaml", "date: 2026-10-05")],
    "decision": [("reviews/2026-Q3.yaml", "  - text: Field Marketing runs webinars for both sales teams.")],
    "change": [("reviews/2026-Q3.yaml", "  - goal: north-new-arr")],
}


def scenario(tmp_path: Path, name: str) -> Path:
    plan_dir = make_plan(tmp_path)
    for rel, line in SCENARIOS[name]:
        mark_internal(plan_dir, rel, line)
    return plan_dir


# ---------------------------------------------------------------- for_audience


def test_a_plan_with_nothing_internal_is_the_same_for_both_audiences() -> None:
    plan = load_plan(SMALL_PLAN)
    assert for_audience(plan, Audience.public) == plan
    assert for_audience(plan, Audience.internal) == plan
    assert for_audience(plan, "public") == plan


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_public_view_is_exactly_what_the_internal_view_does_not_mark(tmp_path: Path, name: str) -> None:
    plan, public, internal = views(scenario(tmp_path, name))
    everything, shown, marked = catalogue(plan), catalogue(public), catalogue(internal)
    assert set(marked) == set(everything)
    assert Visibility.internal in marked.values()
    assert set(shown.values()) == {Visibility.public}
    assert set(shown) == {key for key, visibility in marked.items() if visibility is Visibility.public}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_public_view_has_no_reference_to_a_withheld_item_and_renders(tmp_path: Path, name: str) -> None:
    plan, public, internal = views(scenario(tmp_path, name))
    assert dangling_references(public, plan) == []
    assert references.check(public) == []
    assert pages.render(public)
    assert pages.render(internal)
    assert public.sources == plan.sources


def test_internal_objective_takes_its_alignments_and_evidence_with_it(tmp_path: Path) -> None:
    plan, public, internal = views(scenario(tmp_path, "objective"))
    assert public.ids("objective") == {"delight-customers"}
    assert public.goal("north-new-arr")[1].aligns_to == ()
    assert [a.objective for a in public.goal("qualified-leads")[1].aligns_to] == ["delight-customers"]
    assert public.benefits[0].evidence == ()
    assert internal.objective("grow-revenue").key_metrics[0].visibility is Visibility.internal
    assert internal.goal("north-new-arr")[1] == plan.goal("north-new-arr")[1]


def test_internal_key_metric_leaves_its_objective_and_drops_evidence_about_it(tmp_path: Path) -> None:
    _, public, internal = views(scenario(tmp_path, "key metric"))
    assert public.objective("grow-revenue").key_metrics == ()
    assert public.benefits[0].evidence == ()
    page = pages.render(public)[urls.objective_page("grow-revenue")]
    assert "Annual recurring revenue" not in page and "No key metrics are listed" in page
    assert internal.objective("grow-revenue").visibility is Visibility.public
    assert MARKER in pages.render(internal)[urls.objective_page("grow-revenue")]


def test_internal_team_takes_its_goals_people_department_and_collaborations(tmp_path: Path) -> None:
    _, public, internal = views(scenario(tmp_path, "team"))
    assert public.ids("team") == {"north-sales", "south-sales"}
    assert "qualified-leads" not in public.ids("goal") and "mark-field" not in public.ids("person")
    assert public.goal("north-handover-quality")[1].collaborators == ()
    assert public.reviews[0].decisions[1].goals == ("north-new-arr",)
    rendered = pages.render(public)
    assert urls.department_page("marketing") not in rendered
    assert "Marketing" not in str(pages.navigation(public))
    assert all(g.visibility is Visibility.internal for g in internal.team("field-marketing").goals)
    assert all(p.visibility is Visibility.internal for p in internal.team("field-marketing").people)


def test_individual_goals_supporting_only_internal_goals_are_left_out(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    mark_internal(plan_dir, "teams/south-sales.yaml", "name: South Sales")
    replace_in(plan_dir, "teams/north-sales.yaml", "          - north-new-arr\n",
               "          - north-new-arr\n          - south-new-logos\n")
    replace_in(plan_dir, "teams/north-sales.yaml", "          - north-handover-quality\n",
               "          - south-new-logos\n")
    _, public, internal = views(plan_dir)
    (olaf_goal,) = public.person("olaf-berg")[1].goals
    assert (olaf_goal.id, olaf_goal.supports) == ("olaf-new-arr", ("north-new-arr",))
    goals = {g.id: g for g in internal.person("olaf-berg")[1].goals}
    assert goals["olaf-handovers"].visibility is Visibility.internal
    assert goals["olaf-new-arr"].visibility is Visibility.public
    assert goals["olaf-new-arr"].supports == ("north-new-arr", "south-new-logos")


def test_internal_goal_takes_its_supporters_its_changes_and_its_place_in_decisions(tmp_path: Path) -> None:
    _, public, internal = views(scenario(tmp_path, "goal"))
    assert "north-handover-quality" not in public.ids("goal")
    assert [g.id for g in public.person("olaf-berg")[1].goals] == ["olaf-new-arr"]
    review = public.reviews[0]
    assert [d.goals for d in review.decisions] == [(), ("qualified-leads", "north-new-arr")]
    assert [c.goal for c in review.changes] == ["north-new-arr"]
    assert [c.visibility for c in internal.reviews[0].changes] == [Visibility.public, Visibility.internal]


def test_internal_person_is_no_longer_named_as_owner(tmp_path: Path) -> None:
    _, public, _ = views(scenario(tmp_path, "person"))
    assert public.ids("person") == {"nora-lind", "sofia-marin", "mark-field"}
    assert public.goal("north-handover-quality")[1].owner is None
    assert "olaf-new-arr" not in pages.render(public)[urls.team_page("north-sales")]


def test_team_with_an_internal_lead_keeps_its_page_and_names_no_lead(tmp_path: Path) -> None:
    _, public, internal = views(scenario(tmp_path, "lead"))
    assert public.team("north-sales").lead is None
    assert public.goal("north-new-arr")[1].owner is None
    rendered = pages.render(public)
    assert "**Lead:**" not in rendered[urls.team_page("north-sales")]
    assert "| [North Sales](../../teams/north-sales.md) | — |" in rendered[urls.department_page("sales")]
    assert internal.team("north-sales").lead == "nora-lind"
    assert f"**Lead:** [Nora Lind](../people/nora-lind.md) {MARKER}" in pages.render(internal)[urls.team_page("north-sales")]


def test_internal_individual_goal_is_left_out_and_its_person_stays(tmp_path: Path) -> None:
    _, public, _ = views(scenario(tmp_path, "individual goal"))
    assert [g.id for g in public.person("olaf-berg")[1].goals] == ["olaf-handovers"]
    assert "Sign €500k" not in pages.render(public)[urls.team_page("north-sales")]


def test_internal_benefit_review_decision_and_change_are_left_out(tmp_path: Path) -> None:
    _, public, _ = views(scenario(tmp_path, "benefit"))
    assert public.benefits == ()
    _, public, _ = views(scenario(tmp_path / "review", "review"))
    assert public.reviews == ()
    assert urls.review_page("2026-Q3") not in pages.render(public)
    _, public, _ = views(scenario(tmp_path / "decision", "decision"))
    (decision,) = public.reviews[0].decisions
    assert decision.text == "Every new deal is handed over with a complete success plan."
    _, public, _ = views(scenario(tmp_path / "change", "change"))
    assert [c.goal for c in public.reviews[0].changes] == ["north-handover-quality"]


def test_withheld_follows_internal_items_down_to_their_parts(tmp_path: Path) -> None:
    hidden = withheld(load_plan(scenario(tmp_path, "review")))
    assert hidden.reviews == {"2026-Q3"}
    assert hidden.decisions == {("2026-Q3", 0), ("2026-Q3", 1)}
    assert hidden.changes == {("2026-Q3", 0), ("2026-Q3", 1)}


def test_internal_view_marks_every_withheld_item_in_the_pages(tmp_path: Path) -> None:
    _, _, internal = views(scenario(tmp_path, "team"))
    page = pages.render(internal)[urls.team_page("field-marketing")]
    assert page.startswith(f"# Field Marketing {MARKER} {{ #field-marketing-internal }}\n")
    assert f"{MARKER} {{ #qualified-leads }}" in page and f"| [Mark Field](../people/mark-field.md) {MARKER} |" in page
    person = pages.render(internal)[urls.person_page("mark-field")]
    assert person.startswith(f"# Mark Field {MARKER} {{ #mark-field-internal }}\n")
    assert f"[Field Marketing](field-marketing.md) {MARKER}" in pages.render(internal)[urls.TEAMS]


# ---------------------------------------------------------------- choosing the audience


def test_the_environment_overrides_the_plugin_option_and_nothing_else_is_accepted() -> None:
    assert resolve_audience("public", {}) is Audience.public
    assert resolve_audience("internal", {}) is Audience.internal
    assert resolve_audience("public", {AUDIENCE_VARIABLE: "internal"}) is Audience.internal
    assert resolve_audience("internal", {AUDIENCE_VARIABLE: "public"}) is Audience.public
    assert resolve_audience("internal", {AUDIENCE_VARIABLE: ""}) is Audience.internal
    with pytest.raises(PluginError, match="unknown audience 'everyone'"):
        resolve_audience("public", {AUDIENCE_VARIABLE: "everyone"})


def test_build_help_names_the_audience_and_its_public_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["build", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--audience {public,internal}" in text
    assert "public (the default, whatever mkdocs.yml says) leaves out every item marked 'visibility: internal'" in text


def test_handbook_build_is_public_unless_its_command_line_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_dir = scenario(tmp_path, "team")
    monkeypatch.setenv(AUDIENCE_VARIABLE, "internal")
    assert build_site(plan_dir, tmp_path / "public") == 0
    assert not (tmp_path / "public" / "teams" / "field-marketing").exists()
    assert os.environ[AUDIENCE_VARIABLE] == "internal"
    monkeypatch.delenv(AUDIENCE_VARIABLE)
    assert build_site(plan_dir, tmp_path / "internal", "internal") == 0
    assert (tmp_path / "internal" / "teams" / "field-marketing" / "index.html").is_file()
    assert AUDIENCE_VARIABLE not in os.environ


def test_plain_mkdocs_build_is_public_by_default_and_takes_the_audience_from_the_environment(tmp_path: Path) -> None:
    scenario(tmp_path, "team")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
    for audience, published in ((None, False), ("internal", True)):
        extra = {} if audience is None else {AUDIENCE_VARIABLE: audience}
        out = tmp_path / f"out-{audience}"
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(out)],
                                cwd=tmp_path, capture_output=True, text=True, env={**env, **extra})
        assert result.returncode == 0, result.stderr
        assert (out / "teams" / "field-marketing" / "index.html").is_file() is published


def test_handbook_serve_keeps_its_audience_across_rebuilds_and_is_public_by_default(tmp_path: Path) -> None:
    plan_dir = scenario(tmp_path, "team")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    for options in (["--audience", "internal"], []):
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "sales_handbook.cli", "serve", "--dev-addr", f"127.0.0.1:{port}", *options],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        try:
            home = wait_for(f"http://127.0.0.1:{port}/", lambda body: "Acme Sensors handbook" in body)
            if options:
                assert MARKER in home
                replace_in(plan_dir, "teams/north-sales.yaml", "title: Sign €1.2 m", "title: Sign €1.4 m")
                wait_for(f"http://127.0.0.1:{port}/teams/north-sales/", lambda body: "Sign €1.4 m" in body)
                page = wait_for(f"http://127.0.0.1:{port}/teams/field-marketing/", lambda body: True)
                assert MARKER in page
            else:
                assert "Field Marketing" not in home
                with pytest.raises(urllib.error.HTTPError, match="404"):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/teams/field-marketing/", timeout=5)
        finally:
            server.terminate()
            server.wait(timeout=10)


# ---------------------------------------------------------------- the sentinel test


SENTINEL = "SENTINEL-7f3a"
INTERNAL_ID = "zz7f3a"
"""Every internal id in the sentinel plan contains this; the internal review's id is its period."""
INTERNAL_REVIEW = "2026-Q2"


def sentinel(kind: str) -> str:
    return f"{SENTINEL}-{kind}"


def plant_sentinels(plan_dir: Path) -> None:
    """Internal items of every kind in the small plan, each carrying sentinels, and public items pointing at them."""
    s = sentinel
    replace_in(plan_dir, "objectives.yaml", "        current: 11.2\n", f"""        current: 11.2
      - id: {INTERNAL_ID}-metric
        name: {s("metric")} name
        unit: {s("metric")} unit
        baseline: 1
        target: 2
        visibility: internal
""")
    text = (plan_dir / "objectives.yaml").read_text(encoding="utf-8")
    write(plan_dir, "objectives.yaml", text + f"""
  - id: {INTERNAL_ID}-objective
    title: {s("objective")} title
    category: innovation
    owner: {s("objective")} owner
    description: {s("objective")} description
    visibility: internal
    key_metrics:
      - id: {INTERNAL_ID}-objective-metric
        name: {s("objective")} metric name
        unit: things
        baseline: 1
        target: 2
""")
    text = (plan_dir / "benefits.yaml").read_text(encoding="utf-8")
    write(plan_dir, "benefits.yaml", text + f"""      - objective: {INTERNAL_ID}-objective
        note: {s("evidence")} of an internal objective
      - objective: grow-revenue
        metric: {INTERNAL_ID}-metric
        note: {s("evidence")} of an internal key metric
  - id: {INTERNAL_ID}-benefit
    title: {s("benefit")} title
    description: {s("benefit")} description
    visibility: internal
    evidence:
      - objective: grow-revenue
        note: {s("benefit")} evidence note
""")
    write(plan_dir, f"teams/{INTERNAL_ID}-team.yaml", f"""name: {s("team")} name
department: finance
lead: {INTERNAL_ID}-team-lead
visibility: internal
description: {s("team")} description
goals:
  - id: {INTERNAL_ID}-team-goal
    title: {s("team")} goal title
    description: {s("team")} goal description
    metric: custom
    metric_name: {s("team")} goal metric
    unit: things
    baseline: 0
    target: 1
    period: 2026-Q4
    collaborators: [north-sales]
    aligns_to:
      - objective: grow-revenue
        why: {s("team")} goal why
people:
  - id: {INTERNAL_ID}-team-lead
    name: {s("team")} person name
    role: {s("team")} person role
    goals:
      - id: {INTERNAL_ID}-team-person-goal
        title: {s("team")} person goal title
        metric: customers
        unit: customers
        baseline: 0
        target: 1
        supports: [{INTERNAL_ID}-team-goal]
""")
    replace_in(plan_dir, "teams/field-marketing.yaml", "      - south-sales\n",
               f"      - south-sales\n      - {INTERNAL_ID}-team\n")
    replace_in(plan_dir, "teams/north-sales.yaml", "    owner: nora-lind\n", f"    owner: {INTERNAL_ID}-person\n")
    replace_in(plan_dir, "teams/north-sales.yaml", "        why: North brings in half of the quarter's new ARR.\n",
               f"""        why: North brings in half of the quarter's new ARR.
      - objective: {INTERNAL_ID}-objective
        why: {s("alignment")} why of a public goal serving an internal objective
""")
    replace_in(plan_dir, "teams/north-sales.yaml", "\npeople:\n", f"""
  - id: {INTERNAL_ID}-goal
    title: {s("goal")} title
    description: {s("goal")} description
    metric: custom
    metric_name: {s("goal")} metric
    unit: {s("goal")} unit
    baseline: 0
    target: 1
    period: 2026-Q4
    owner: nora-lind
    visibility: internal
    collaborators: [field-marketing]
    aligns_to:
      - objective: delight-customers
        why: {s("goal")} why

people:
""")
    text = (plan_dir / "teams/north-sales.yaml").read_text(encoding="utf-8")
    write(plan_dir, "teams/north-sales.yaml", text + f"""      - id: {INTERNAL_ID}-individual-goal
        title: {s("individual-goal")} title
        description: {s("individual-goal")} description
        metric: customers
        unit: customers
        baseline: 0
        target: 1
        visibility: internal
        supports: [north-new-arr]
      - id: {INTERNAL_ID}-supports-internal-only
        title: {s("supports-internal-only")} title
        metric: customers
        unit: customers
        baseline: 0
        target: 1
        supports: [{INTERNAL_ID}-team-goal, {INTERNAL_ID}-goal]

  - id: {INTERNAL_ID}-person
    name: {s("person")} name
    role: {s("person")} role
    territory: {s("person")} territory
    strengths: [{s("person")} strength]
    visibility: internal
    goals:
      - id: {INTERNAL_ID}-person-goal
        title: {s("person")} goal title
        metric: customers
        unit: customers
        baseline: 0
        target: 1
        supports: [north-new-arr]
""")
    replace_in(plan_dir, "teams/south-sales.yaml", "lead: sofia-marin\n", f"lead: {INTERNAL_ID}-lead\n")
    text = (plan_dir / "teams/south-sales.yaml").read_text(encoding="utf-8")
    write(plan_dir, "teams/south-sales.yaml", text + f"""
  - id: {INTERNAL_ID}-lead
    name: {s("lead")} name
    role: {s("lead")} role
    visibility: internal
""")
    replace_in(plan_dir, "reviews/2026-Q3.yaml", "      - north-new-arr\nchanges:\n", f"""      - north-new-arr
      - {INTERNAL_ID}-goal
  - text: {s("decision")} text
    visibility: internal
changes:
""")
    text = (plan_dir / "reviews/2026-Q3.yaml").read_text(encoding="utf-8")
    write(plan_dir, "reviews/2026-Q3.yaml", text + f"""  - goal: north-new-arr
    field: other
    from: {s("change")} from
    to: {s("change")} to
    reason: {s("change")} reason
    visibility: internal
  - goal: {INTERNAL_ID}-goal
    field: title
    from: {s("change-to-internal-goal")} from
    reason: {s("change-to-internal-goal")} reason
""")
    write(plan_dir, f"reviews/{INTERNAL_REVIEW}.yaml", f"""date: 2026-07-06
title: {s("review")} title
participants: [{s("review")} participant]
summary: {s("review")} summary
visibility: internal
decisions:
  - text: {s("review")} decision
changes:
  - goal: north-new-arr
    field: target
    reason: {s("review")} change reason
""")


def plant_lineage_and_weights(plan_dir: Path) -> None:
    """On top of `plant_sentinels`: former ids and retirements of internal items, named by a public review,
    and weights that add up to 100 only with the internal goals (north-sales: 60 + 25 public, 15 internal;
    Olaf Berg: 50 + 25 public, 15 + 10 withheld)."""
    s, i = sentinel, INTERNAL_ID
    replace_in(plan_dir, "objectives.yaml", "    visibility: internal\n    key_metrics:\n",
               f"    visibility: internal\n    formerly: [{i}-former-objective]\n    key_metrics:\n")
    replace_in(plan_dir, f"teams/{i}-team.yaml", "visibility: internal\n",
               f"visibility: internal\nformerly: [{i}-former-team]\n")
    north = "teams/north-sales.yaml"
    replace_in(plan_dir, north, "    visibility: internal\n    collaborators: [field-marketing]\n",
               f"    visibility: internal\n    weight: 15\n    formerly: [{i}-former-goal]\n"
               "    collaborators: [field-marketing]\n")
    replace_in(plan_dir, north, "    current: 700\n", "    current: 700\n    weight: 60\n")
    replace_in(plan_dir, north, "    current: 70\n", "    current: 70\n    weight: 25\n")
    replace_in(plan_dir, north, "        current: 300\n", "        current: 300\n        weight: 50\n")
    replace_in(plan_dir, north, "        current: 6\n", "        current: 6\n        weight: 25\n")
    replace_in(plan_dir, north, "        visibility: internal\n        supports: [north-new-arr]\n",
               f"        visibility: internal\n        weight: 15\n        formerly: [{i}-former-individual-goal]\n"
               "        supports: [north-new-arr]\n")
    replace_in(plan_dir, north, f"        supports: [{i}-team-goal, {i}-goal]\n",
               f"        weight: 10\n        supports: [{i}-team-goal, {i}-goal]\n")
    replace_in(plan_dir, north, f"    strengths: [{s('person')} strength]\n",
               f"    strengths: [{s('person')} strength]\n    formerly: [{i}-former-person]\n")
    write(plan_dir, "retired.yaml", f"""retired:
  - kind: goal
    id: {i}-retired-goal
    title: {s("retired")} title
    retired: 2026-Q4
    reason: {s("retired")} reason
    visibility: internal
  - kind: goal
    id: north-old-pilot
    title: Run a pilot
    retired: 2026-Q4
    reason: It became a goal of the team.
    successor: {i}-goal
""")
    replace_in(plan_dir, "reviews/2026-Q3.yaml", f"      - {i}-goal\n",
               f"      - {i}-goal\n      - {i}-former-goal\n      - {i}-former-individual-goal\n"
               f"      - {i}-retired-goal\n")
    text = (plan_dir / "reviews/2026-Q3.yaml").read_text(encoding="utf-8")
    write(plan_dir, "reviews/2026-Q3.yaml", text + f"""  - goal: {i}-former-goal
    field: target
    from: "400"
    to: "340"
    reason: {s("change-by-former-id")} reason
  - goal: {i}-retired-goal
    field: retired
    reason: {s("change-to-retired-goal")} reason
""")


def commit_a_past_with_sentinels(root: Path, plan_dir: Path) -> None:
    """On top of the others: the plan folder in git, its first commit a check-in (as_of 2026-10-01) giving the
    internal goal and the internal key metric of a public objective a value and a note: values over time."""
    s, i = sentinel, INTERNAL_ID
    original = {rel: (plan_dir / rel).read_bytes() for rel in ("organization.yaml", "objectives.yaml",
                                                               "teams/north-sales.yaml")}
    replace_in(plan_dir, "organization.yaml", "as_of: 2026-11-15\n", "as_of: 2026-10-01\n")
    replace_in(plan_dir, "teams/north-sales.yaml", f"    weight: 15\n    formerly: [{i}-former-goal]\n",
               f"    weight: 15\n    formerly: [{i}-former-goal]\n    current: 0.5\n    note: {s('history-goal')} note\n")
    replace_in(plan_dir, "objectives.yaml", "        target: 2\n        visibility: internal\n",
               f"        target: 2\n        current: 1.5\n        note: {s('history-metric')} note\n"
               "        visibility: internal\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=Owner", "-c", "user.email=o@example.com", "commit", "-qm", "October check-in"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    for rel, data in original.items():
        (plan_dir / rel).write_bytes(data)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Owner", "-c", "user.email=o@example.com", "commit",
                    "-qam", "November check-in"], check=True, capture_output=True)


SENTINEL_KINDS = ("metric", "objective", "evidence", "benefit", "team", "alignment", "goal", "individual-goal",
                  "supports-internal-only", "person", "lead", "decision", "change", "change-to-internal-goal",
                  "review", "retired", "change-by-former-id", "change-to-retired-goal", "history-goal",
                  "history-metric")


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site by its path, gzip files decompressed, all lowercased for matching."""
    found = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            found[path.relative_to(site).as_posix()] = data.lower()
    return found


@pytest.fixture(scope="module")
def sentinel_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sentinel plan built for each audience with `handbook build`, strict mode."""
    root = tmp_path_factory.mktemp("sentinels")
    plan_dir = make_plan(root)
    plant_sentinels(plan_dir)
    plant_lineage_and_weights(plan_dir)
    commit_a_past_with_sentinels(root, plan_dir)
    sites = {}
    for audience in Audience:
        sites[audience.value] = root / audience.value
        assert build_site(plan_dir, sites[audience.value], audience.value) == 0, audience
    return sites


def test_sentinel_plan_holds_an_internal_item_of_every_kind(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    plant_sentinels(plan_dir)
    plant_lineage_and_weights(plan_dir)
    kinds = {key[0] for key, visibility in catalogue(load_plan(plan_dir)).items() if visibility is Visibility.internal}
    assert kinds == {"objective", "key metric", "team", "goal", "person", "individual goal", "benefit", "review",
                     "decision", "change", "retirement"}


def test_no_file_of_a_public_build_holds_a_sentinel_or_an_internal_id(sentinel_sites: dict[str, Path]) -> None:
    site = sentinel_sites["public"]
    files = site_files(site)
    assert "search/search_index.json" in files and "sitemap.xml" in files and "sitemap.xml.gz" in files
    needles = [SENTINEL.lower().encode(), INTERNAL_ID.encode(), INTERNAL_REVIEW.lower().encode()]
    leaks = [(path, needle.decode()) for path, data in files.items() for needle in needles if needle in data]
    assert leaks == []
    names = [path for path in files if INTERNAL_ID in path.lower() or INTERNAL_REVIEW.lower() in path.lower()]
    assert names == []


def test_no_number_of_a_public_build_counts_an_internal_item(sentinel_sites: dict[str, Path]) -> None:
    site = sentinel_sites["public"]
    data = json.loads((site / urls.SNAPSHOT).read_text(encoding="utf-8"))
    north = next(team for team in data["teams"] if team["id"] == "north-sales")
    assert [(g["id"], g["weight"]) for g in north["goals"]] == [("north-new-arr", None),
                                                                ("north-handover-quality", None)]
    olaf = next(person for person in north["people"] if person["id"] == "olaf-berg")
    assert [(g["id"], g["weight"]) for g in olaf["goals"]] == [("olaf-new-arr", None), ("olaf-handovers", None)]
    pages_text = {path: (site / path).read_text(encoding="utf-8") for path in
                  (p.relative_to(site).as_posix() for p in site.rglob("*.html"))}
    assert [path for path, text in pages_text.items()
            if "<td>Weight</td>" in text or re.search(r"add up to (?!100\b)\d", text)] == []
    sales = pages_text["departments/sales/index.html"]
    for team in data["teams"]:
        if team["department"] == "sales":
            row = re.search(rf'<td><a href="../../teams/{team["id"]}/">[^<]*</a></td>\n<td>[^\n]*</td>\n<td>(\d+)</td>',
                            sales)
            assert row is not None and int(row.group(1)) == len(team["goals"]), team["id"]
    served = {g["id"] for t in data["teams"] for g in t["goals"]
              if any(a["objective"] == "delight-customers" for a in g["aligns_to"])}
    listed = re.findall(r'<li><strong><a href="[^"]*#([a-z0-9-]+)"', pages_text["objectives/delight-customers/index.html"])
    assert sorted(listed) == sorted(served)
    rule = pages_text["alignment/rules/weights-do-not-add-up/index.html"]
    assert "Nothing: the plan follows this rule." in rule


def test_an_internal_build_holds_every_sentinel_and_marks_the_items(sentinel_sites: dict[str, Path]) -> None:
    site = sentinel_sites["internal"]
    everything = b"\n".join(site_files(site).values())
    missing = [kind for kind in SENTINEL_KINDS if sentinel(kind).lower().encode() not in everything]
    assert missing == []

    def page(path: str) -> str:
        return (site / path).read_text(encoding="utf-8")

    def marked_heading(text: str, anchor: str) -> bool:
        found = re.search(rf'<h[1-6] id="{re.escape(anchor)}">(.*?)</h[1-6]>', text, re.S)
        return found is not None and MARKER in found.group(1)

    assert marked_heading(page("teams/north-sales/index.html"), "zz7f3a-goal")
    # individual goals are sections of their person's page
    plan = load_plan(site.parent / "plan")
    for goal_id in ("zz7f3a-individual-goal", "zz7f3a-supports-internal-only", "zz7f3a-person-goal"):
        person = plan.individual_goal(goal_id)[1]
        assert marked_heading(page(f"people/{person.id}/index.html"), goal_id), goal_id
    assert marked_heading(page("benefits/index.html"), "zz7f3a-benefit")
    for path in ("teams/zz7f3a-team/index.html", "objectives/zz7f3a-objective/index.html",
                 f"reviews/{INTERNAL_REVIEW}/index.html", "people/zz7f3a-person/index.html",
                 "people/zz7f3a-lead/index.html"):
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page(path), re.S)
        assert h1 is not None and MARKER in h1.group(1), path
    assert f"{html.escape(sentinel('metric'))} name {MARKER}" in page("objectives/grow-revenue/index.html")
    review = page("reviews/2026-Q3/index.html")
    assert f"{sentinel('decision')} text {MARKER}" in review
    assert f"Other {MARKER}" in review


# ---------------------------------------------------------------- the example plan


def test_example_plan_has_internal_items_and_its_public_site_has_no_trace_of_them(example_site: Path) -> None:
    plan = load_plan(EXAMPLE_PLAN)
    hidden = withheld(plan)
    goals_of_hidden_teams = {g.id for t in plan.teams if t.id in hidden.teams for g in t.goals}
    assert hidden.teams and hidden.goals - goals_of_hidden_teams, "an internal team, and an internal goal elsewhere"
    assert hidden.people and hidden.individual_goals and hidden.key_metrics and hidden.decisions and hidden.changes
    needles = {*hidden.teams, *hidden.goals, *hidden.people, *hidden.individual_goals}
    needles |= {t.name for t in plan.teams if t.id in hidden.teams}
    needles |= {p.name for _, p in plan.people() if p.id in hidden.people}
    needles |= {g.title for _, g in plan.goals() if g.id in hidden.goals}
    needles |= {g.title for _, _, g in plan.individual_goals() if g.id in hidden.individual_goals}
    needles |= {m.name for o in plan.objectives for m in o.key_metrics if (o.id, m.id) in hidden.key_metrics}
    needles |= {d.text.strip() for r in plan.reviews for i, d in enumerate(r.decisions)
                if (r.period, i) in hidden.decisions}
    needles |= {c.reason for r in plan.reviews for i, c in enumerate(r.changes) if (r.period, i) in hidden.changes}
    variants = {v.lower().encode() for n in needles for v in (n, html.escape(n, quote=False), html.escape(n))}
    files = site_files(example_site)
    leaks = sorted({(path, v.decode()) for path, data in files.items() for v in variants if v in data})
    assert leaks == []


def test_internal_build_of_the_example_plan_is_strict_clean(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build_site(EXAMPLE_PLAN, site, "internal") == 0
    assert MARKER in (site / "teams" / "deal-desk" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- inference through lineage, weights and gaps (issue 11)


def public_outputs(plan_dir: Path) -> tuple[dict[str, str], str]:
    """What a public site shows of a plan: its pages (Markdown) and its plan.json."""
    public = for_audience(load_plan(plan_dir), Audience.public)
    return pages.render(public), snapshot.dumps(public).decode("utf-8")


def test_an_individual_goal_without_supports_is_public_unless_marked_internal(tmp_path: Path) -> None:
    plan_dir = scenario(tmp_path, "goal")  # an internal goal: the public plan has something withheld
    replace_in(plan_dir, "teams/north-sales.yaml", "        supports:\n          - north-new-arr\n", "")
    rendered, data = public_outputs(plan_dir)
    north = rendered[urls.team_page("north-sales")]
    olaf = rendered[urls.person_page("olaf-berg")]
    assert "| [Olaf Berg](../people/olaf-berg.md) |" in north
    assert "### Sign €500k of new-customer ARR in Norway { #olaf-new-arr }" in olaf
    assert "| Supports | no team goal yet |" in olaf
    assert '"id": "olaf-new-arr"' in data
    internal = pages.render(for_audience(load_plan(plan_dir), Audience.internal))[urls.person_page("olaf-berg")]
    assert "### Sign €500k of new-customer ARR in Norway { #olaf-new-arr }" in internal  # not marked internal
    assert "olaf-new-arr" not in withheld(load_plan(plan_dir)).individual_goals


def test_a_review_naming_an_internal_goal_by_a_former_id_publishes_nothing_of_it(tmp_path: Path) -> None:
    plan_dir = tmp_path / "plan"
    shutil.copytree(EXAMPLE_PLAN, plan_dir)
    replace_in(plan_dir, "teams/demand-generation.yaml", "  - id: cost-per-sql\n",
               "  - id: cost-per-sql\n    formerly: [old-cpl]\n")
    replace_in(plan_dir, "reviews/2026-Q3.yaml", "decisions:\n", """decisions:
  - text: Marketing spends less per qualified lead.
    goals: [old-cpl]
""")
    replace_in(plan_dir, "reviews/2026-Q3.yaml", "changes:\n", """changes:
  - goal: old-cpl
    field: target
    from: "400"
    to: "340"
    reason: Cheaper leads from the partner webinars.
""")
    rendered, data = public_outputs(plan_dir)
    review = rendered[urls.review_page("2026-Q3")]
    assert "Cheaper leads from the partner webinars" not in review and "| 400 | 340 |" not in review
    assert "1. Marketing spends less per qualified lead.\n" in review  # the decision stays, without the goal
    assert "Cheaper leads" not in data
    leaks = [path for path, text in rendered.items() if "old-cpl" in text or "cost-per-sql" in text]
    assert leaks == [] and "old-cpl" not in data
    internal = pages.render(for_audience(load_plan(plan_dir), Audience.internal))[urls.review_page("2026-Q3")]
    assert "(formerly `old-cpl`)" in internal and f"Target {MARKER}" in internal


def test_a_retirement_that_is_internal_is_named_by_no_public_review(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    write(plan_dir, "retired.yaml", """retired:
  - kind: goal
    id: north-secret-pilot
    title: Run a secret pilot
    retired: 2026-Q4
    reason: It ended.
    visibility: internal
  - kind: goal
    id: north-old-handovers
    title: Hand over deals
    retired: 2026-Q4
    reason: Replaced.
    successor: north-secret-pilot
""")
    replace_in(plan_dir, "reviews/2026-Q3.yaml", "      - north-handover-quality\n",
               "      - north-handover-quality\n      - north-secret-pilot\n")
    rendered, data = public_outputs(plan_dir)
    assert [path for path, text in rendered.items() if "north-secret-pilot" in text] == []
    assert "north-secret-pilot" not in data and "Run a secret pilot" not in data
    assert "north-old-handovers" in data  # a public retirement stays, without its internal successor


def test_weights_of_a_team_or_person_with_internal_goals_are_not_published(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    text = (plan_dir / "teams/north-sales.yaml").read_text(encoding="utf-8")
    write(plan_dir, "teams/north-sales.yaml", text.replace("    current: 700\n", "    current: 700\n    weight: 60\n")
          .replace("    current: 70\n", "    current: 70\n    weight: 25\n")
          .replace("\npeople:\n", """
  - id: north-secret
    title: A goal kept inside
    metric: customers
    unit: customers
    baseline: 0
    target: 1
    period: 2026-Q4
    weight: 15
    visibility: internal
    aligns_to:
      - objective: grow-revenue
        why: It matters.

people:
""")
          .replace("        current: 300\n", "        current: 300\n        weight: 50\n")
          .replace("        current: 6\n", "        current: 6\n        weight: 25\n")
          + """      - id: olaf-secret
        title: A personal goal kept inside
        metric: customers
        unit: customers
        baseline: 0
        target: 1
        period: 2026-Q4
        weight: 25
        visibility: internal
        supports: [north-new-arr]
""")
    plan = load_plan(plan_dir)
    assert health.of_rule(health.findings(plan), "weights-do-not-add-up") == ()  # the whole plan adds up
    rendered, data = public_outputs(plan_dir)
    north_pages = [urls.team_page("north-sales"), *(urls.person_page(p.id) for p in plan.team("north-sales").people)]
    assert not any("| Weight |" in rendered.get(page, "") for page in north_pages)
    assert '"weight": null' in data and not re.search(r'"weight": \d', data)
    internal = pages.render(for_audience(plan, Audience.internal))
    assert sum(internal[page].count("| Weight |") for page in north_pages) == 6
    replace_in(plan_dir, "teams/south-sales.yaml", "    current: 9\n", "    current: 9\n    weight: 100\n")
    south = public_outputs(plan_dir)[0][urls.team_page("south-sales")]  # nothing withheld: weights are shown
    assert "| Weight | 100% |" in south


def test_the_view_of_a_reloaded_plan_keeps_the_items_of_unchanged_files(tmp_path: Path) -> None:
    """`handbook serve` renders and checks again only what changed, asking by identity."""
    plan_dir = make_plan(tmp_path)
    plant_sentinels(plan_dir)
    plant_lineage_and_weights(plan_dir)
    reader, copies = Reader(), Copies()  # what a serve session keeps from one rebuild to the next
    before = for_audience(reader.load(plan_dir), Audience.public, copies)
    replace_in(plan_dir, "teams/south-sales.yaml", "name: South Sales", "name: South Sales AB")
    after = for_audience(reader.load(plan_dir), Audience.public, copies)
    assert after.team("north-sales") is before.team("north-sales")  # a copy: it has withheld goals
    assert after.reviews == before.reviews and all(a is b for a, b in zip(after.reviews, before.reviews))
    assert after.team("south-sales") is not before.team("south-sales")
