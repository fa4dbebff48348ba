"""Accessibility as axe-core judges it: every kind of page the handbook makes, at a desktop and a phone width,
in the public and the internal site, with no serious or critical violation.

One browser, one page per width, reused for every address; axe-core comes bundled with
axe-playwright-python (no network). axe does not judge SVG text, so tests/test_figures.py checks the
figures' colours on their own.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from sales_handbook.plan import urls
from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.loader import load_plan
from tests.conftest import guarded_page, serve_folder
from tests.planfiles import EXAMPLE_PLAN

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
FAILING = ("serious", "critical")


def every_kind_of_page(audience: Audience) -> dict[str, str]:
    """One address of each kind of page, by kind, in the example plan as `audience` sees it."""
    plan = for_audience(load_plan(EXAMPLE_PLAN), audience)
    team, goal = plan.goals()[0]
    objective = next(o for o in plan.objectives if o.key_metrics)
    retired = plan.retired[0]

    def address(page: str) -> str:
        return urls.site_href(urls.HOME, page)

    return {
        "home": "",
        "mission": address(urls.MISSION),
        "objectives": address(urls.OBJECTIVES),
        "an objective": address(urls.objective_page(objective.id)),
        "teams": address(urls.TEAMS),
        "a department": address(urls.department_page(team.department.value)),
        "a team": address(urls.team_page(team.id)),
        "a person": address(urls.person_page(next(p for _, p in plan.people() if p.goals).id)),
        "map": address(urls.ALIGNMENT_MAP),
        "matrix": address(urls.MATRIX),
        "progress": address(urls.PROGRESS),
        "health": address(urls.HEALTH),
        "rules": address(urls.RULES),
        "a rule": address(urls.rule_page("unassigned-territory")),
        "benefits": address(urls.BENEFITS),
        "reviews": address(urls.REVIEWS),
        "a review": address(urls.review_page(plan.reviews[-1].period)),
        "changes": address(urls.CHANGES),
        "a retirement page": address(urls.permanent_page(retired.kind.value, retired.id)),
        "a permanent address": address(urls.goal_page(goal.id)),
    }


def serious_violations(page, axe) -> list[str]:  # noqa: ANN001 - Playwright's page
    results = axe.run(page, options={"resultTypes": ["violations"]})
    return [f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:5]]}"
            for v in results.response["violations"] if v["impact"] in FAILING]


def fulfil(route, body: str) -> None:  # noqa: ANN001 - Playwright's route
    route.fulfill(body=body, content_type="text/html")


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("audience", [Audience.public, Audience.internal])
def test_no_page_has_a_serious_accessibility_problem(browser, axe, audience: Audience, request) -> None:
    site: Path = request.getfixturevalue("example_site" if audience is Audience.public else "example_internal_site")
    found: list[str] = []
    with serve_folder(site) as base:
        for width in WIDTHS:
            with guarded_page(browser, viewport={"width": width, "height": 900}) as page:
                for kind, address in every_kind_of_page(audience).items():
                    if kind == "a permanent address":
                        # It redirects at once: axe reads its page as a reader's browser shows it meanwhile.
                        held = re.sub(r"<script>.*?</script>|<noscript>.*?</noscript>", "",
                                      (site / address / "index.html").read_text(encoding="utf-8"))
                        assert "<a href=" in held
                        page.route(base + address, functools.partial(fulfil, body=held))
                    response = page.goto(base + address)
                    assert response is not None and response.status == 200, address
                    found += [f"{audience.value} {width} px {kind} ({address}): {v}"
                              for v in serious_violations(page, axe)]
                page.unroute_all()
    assert found == [], "\n".join(found)
