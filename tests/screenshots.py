"""`make screenshots`: the pages a new hire meets first, as Chromium shows them, light and dark, desktop and phone.

Builds the example plan's public site into a temporary folder, serves it on localhost and writes
`<out>/<page>-<scheme>-<width>.png` (full pages) for home, a team page, an objective page and the map.
The folder is not committed (.gitignore): it is for looking at, in review.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.loader import load_plan
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, build_site, serve_folder
from tests.planfiles import EXAMPLE_PLAN

WIDTHS = (1280, 390)
SCHEMES = ("light", "dark")


def pages() -> dict[str, str]:
    plan = for_audience(load_plan(EXAMPLE_PLAN), Audience.public)
    team = next(t for t in plan.teams if t.goals)
    return {"home": "", "team": f"teams/{team.id}/", "objective": f"objectives/{plan.objectives[0].id}/",
            "map": "alignment/map/"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        if build_site(EXAMPLE_PLAN, site) != 0:
            raise SystemExit("the example site did not build")
        with serve_folder(site) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for scheme in SCHEMES:
                for width in WIDTHS:
                    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
                    page = context.new_page()
                    for name, path in pages().items():
                        page.goto(url + path)
                        shot = out / f"{name}-{scheme}-{width}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        print(shot)
                    context.close()
            browser.close()


if __name__ == "__main__":
    main()
