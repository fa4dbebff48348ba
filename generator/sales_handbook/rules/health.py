"""Run the alignment rules on a plan, grade the findings, and group them for readers.

The rules (`sales_handbook.rules.catalogue`) say what is wrong; this module decides how much it
counts (the plan's `settings: rules:` may switch a rule off or re-grade it,
and `--strict` makes warnings errors) and arranges findings the way people
read them: by file for the command line, by objective and team for the site.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sales_handbook.plan import urls
from sales_handbook.model.audience import Audience, withheld
from sales_handbook.model.audience import for_audience as audience_view
from sales_handbook.plan.diagnostics import Diagnostic, Severity, did_you_mean
from sales_handbook.plan.plan import ORGANIZATION_FILE, Located, Plan
from sales_handbook.rules.catalogue import Hit, Rule, catalogue
from sales_handbook.plan.schema import Objective, RuleGrade, Team

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """A rule broken at one place, graded as this plan wants it."""

    rule: Rule
    severity: Severity
    hit: Hit
    file: str
    """The plan file, relative to the plan folder (what the site shows: it does not depend on where you build)."""
    line: int
    column: int
    diagnostic: Diagnostic
    """The finding as the command line prints it, with the file as the user named it."""

    @property
    def hint(self) -> str:
        """What to do about it: the hint for this place, or the rule's general fix."""
        return self.hit.hint or self.rule.fix


def grades(plan: Plan) -> dict[str, RuleGrade]:
    """How each rule counts in this plan: its default severity unless the plan's settings say otherwise."""
    chosen = plan.organization.settings.rules
    return {rule.id: chosen.get(rule.id, RuleGrade(rule.severity)) for rule in catalogue()}


def findings(plan: Plan, *, strict: bool = False) -> tuple[Finding, ...]:
    """Every finding of every rule that is not switched off, sorted by file and line.

    `strict` turns warnings into errors, for a plan that must be spotless before publishing.
    """
    return in_order(_findings(plan, graded_rules(plan, strict)))


def graded_rules(plan: Plan, strict: bool = False) -> list[tuple[Rule, Severity]]:
    """The rules this plan runs (not switched off), each with the severity its findings get."""
    graded = grades(plan)
    return [(rule, _severity(graded[rule.id], strict)) for rule in catalogue() if graded[rule.id] is not RuleGrade.off]


def in_order(found: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings sorted by file and line, as `findings` returns them."""
    return tuple(sorted(found, key=lambda f: (f.file, f.line, f.column, f.rule.id, f.hit.message)))


def _severity(grade: RuleGrade, strict: bool) -> Severity:
    return "error" if strict and grade is RuleGrade.warning else grade.value  # type: ignore[return-value]


def _findings(plan: Plan, rules: list[tuple[Rule, Severity]]) -> list[Finding]:
    """Where the plan breaks each of `rules`, graded with its severity."""
    return [finding(plan, rule, severity, hit) for rule, severity in rules for hit in rule.find(plan)]


def finding(plan: Plan, rule: Rule, severity: Severity, hit: Hit) -> Finding:
    """A rule's hit as a finding of `severity`, located in its file."""
    _, line, column = plan.locate(hit.where)
    diagnostic = plan.diagnostic(hit.where, hit.message, hit.hint or rule.fix, severity)
    return Finding(rule, severity, hit, hit.where.file, line, column, diagnostic)


def for_audience(items: Iterable[Finding], plan: Plan, audience: Audience | str, *,
                 find: Callable[[Plan], tuple[Finding, ...]] | None = None) -> tuple[Finding, ...]:
    """The findings a site for `audience` may show. `items` were found on `plan`, the whole plan.

    An internal site shows `items`. A public site shows what the rules find in the
    public plan (`find`, by default `findings`, run on it): placed, worded and counted
    as if internal items did not exist, so no finding, its absence, its team or its
    count tells anything about them. Such a finding may say what is true of the
    public plan only (an objective that only internal goals serve is "served by no
    team goal"). Its file is named without a line: lines would count what the file
    holds above it, internal items among them.
    """
    items = tuple(items)
    if Audience(audience) is Audience.internal or not withheld(plan):
        return items
    public = audience_view(plan, Audience.public)
    return tuple(dataclasses.replace(f, line=0, column=0,
                                     diagnostic=dataclasses.replace(f.diagnostic, line=0, column=0))
                 for f in (find or findings)(public))


def settings_problems(plan: Plan) -> list[Diagnostic]:
    """Unknown rule ids in the plan's settings: a typo would silently leave a rule on."""
    known = [rule.id for rule in catalogue()]
    return [
        plan.diagnostic(Located(ORGANIZATION_FILE, ("settings", "rules", rule_id)), f"unknown rule '{rule_id}'",
                        (did_you_mean(rule_id, known) + " " if did_you_mean(rule_id, known) else "")
                        + "the rules are listed in docs/rules.md and on the handbook's Rules page")
        for rule_id in plan.organization.settings.rules
        if rule_id not in known
    ]


def counts(items: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings of each severity."""
    items = list(items)
    return {severity: sum(f.severity == severity for f in items) for severity in SEVERITIES}


def summary(items: Iterable[Finding]) -> str:
    """'2 errors, 5 warnings, 1 info'."""
    n = counts(items)
    return (f"{n['error']} error{'s' if n['error'] != 1 else ''}, "
            f"{n['warning']} warning{'s' if n['warning'] != 1 else ''}, {n['info']} info")


def worst_first(items: Iterable[Finding]) -> tuple[Finding, ...]:
    """Errors first, then warnings, then information; in file order within each."""
    return tuple(sorted(items, key=lambda f: SEVERITIES.index(f.severity)))


def by_objective(plan: Plan, items: Iterable[Finding]) -> tuple[tuple[Objective, tuple[Finding, ...]], ...]:
    """Findings that concern each objective (a finding may concern several), objectives in plan order."""
    items = list(items)
    groups = ((o, worst_first(f for f in items if o.id in f.hit.objectives)) for o in plan.objectives)
    return tuple((o, found) for o, found in groups if found)


def by_team(plan: Plan, items: Iterable[Finding]) -> tuple[tuple[Team, tuple[Finding, ...]], ...]:
    """Findings that concern each team, teams in id order."""
    items = list(items)
    groups = ((t, worst_first(f for f in items if t.id in f.hit.teams)) for t in plan.teams)
    return tuple((t, found) for t, found in groups if found)


def plan_wide(items: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings that concern no objective and no team: reviews, dates, the plan as a whole."""
    return worst_first(f for f in items if not f.hit.objectives and not f.hit.teams)


def of_rule(items: Iterable[Finding], rule_id: str) -> tuple[Finding, ...]:
    """The findings of one rule."""
    return tuple(f for f in items if f.rule.id == rule_id)


def format_text(items: Iterable[Finding]) -> str:
    """Findings as a compiler prints them: FILE:LINE:COL: severity: message [rule], a hint, files apart."""
    blocks: list[str] = []
    current = None
    for finding in items:
        d = finding.diagnostic
        if current is not None and d.file != current:
            blocks.append("")
        current = d.file
        blocks.append(f"{d.file}:{d.line}:{d.column}: {d.severity}: {d.message} [{finding.rule.id}]")
        blocks.append(f"    hint: {d.hint}")
    return "\n".join(blocks)


def as_json(plan_name: str, items: Iterable[Finding], load_errors: Iterable[Diagnostic] = ()) -> str:
    """Findings (or the errors that stopped loading) for tools: one JSON document."""
    items, load_errors = list(items), list(load_errors)
    total = counts(items)
    total["error"] += len(load_errors)
    document = {
        "plan": plan_name,
        "summary": {"errors": total["error"], "warnings": total["warning"], "info": total["info"]},
        "load_errors": [
            {"file": d.file, "line": d.line, "column": d.column, "field": d.field, "message": d.message,
             "hint": d.hint}
            for d in load_errors
        ],
        "findings": [
            {"rule": f.rule.id, "severity": f.severity, "default_severity": f.rule.severity,
             "file": f.diagnostic.file, "line": f.line, "column": f.column, "field": f.diagnostic.field,
             "message": f.hit.message, "hint": f.hint, "item": str(f.hit.subject.label),
             "url": urls.url(f.hit.subject.page, f.hit.subject.anchor), "rule_url": urls.url(urls.rule_page(f.rule.id))}
            for f in items
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
