"""Permanent addresses: redirect pages, retirement pages and section forwarding.

Every goal, team, objective and person has an address made from its id only
(`urls.permanent_page`). Teams, objectives and people have their own pages
there; goals are sections of their team's or person's page, so their address is a
small static HTML redirect: no server rules, works under any base path and in
every published version (relative URLs), and with JavaScript off (a meta
refresh inside <noscript>, plus a visible link). Former ids redirect to the
item that took their place; retired ids keep a page saying when, why and what
replaced them.

Redirects are static files, not Markdown pages: MkDocs copies them as they
are, they never appear in the navigation, search or sitemap, and strict
navigation checks do not see them. Retirement pages are Markdown pages
(themed, searchable) that the plugin marks as not in the navigation.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

from sales_handbook.plan import lineage, urls
from sales_handbook.site import pages
from sales_handbook.plan.lineage import Item
from sales_handbook.plan.plan import Plan


def redirects(plan: Plan) -> dict[str, str]:
    """Site file path -> HTML, for every goal, and every former id of any item."""
    known = lineage.of(plan)
    files: dict[str, str] = {}
    for kind in lineage.KINDS:
        live = known.items[kind]
        sections = kind == "goal"
        sources = [(item_id, item) for item_id, item in live.items()] if sections else []
        sources += [(old, live[new]) for old, new in known.renames[kind].items() if new in live]
        for item_id, item in sorted(sources, key=lambda pair: pair[0]):
            page = urls.permanent_page(kind, item_id)
            team = plan.team(item.team).name if sections and item.team else None
            files[urls.site_file(page)] = _redirect(page, item, team)
    return files


@lru_cache(maxsize=1 << 16)
def _redirect(page: str, item: Item, team: str | None) -> str:
    """One redirect page. Remembered: `handbook serve` makes all 30,000 of a 1,000-team plan again on every edit,
    and nearly all come out the same."""
    return pages.render_template(
        "redirect.html.j2",
        title=item.title,
        team=team,
        href=urls.site_href(page, item.page, item.anchor),
        keep_fragment=item.anchor is None,
    )


def retirement_pages(plan: Plan) -> dict[str, str]:
    """Markdown page path -> Markdown, one page at the old address of each retired item."""
    return {
        urls.permanent_page(entry.kind.value, entry.id):
            pages.render_page(plan, pages.Page(urls.permanent_page(entry.kind.value, entry.id), "retired.md.j2",
                                               {"entry": entry}))
        for entry in plan.retired
    }


def forwarding_script(plan: Plan) -> str:
    """The script that sends `/teams/a/#goal` on to the goal's address when the goal is not on that page."""
    known = lineage.of(plan)
    addresses: dict[str, str] = {}
    for kind in ("goal", "person"):
        for item_id in sorted(known.published_ids(kind)):
            addresses.setdefault(item_id, urls.url(urls.permanent_page(kind, item_id)))
    root = posixpath.relpath(".", posixpath.dirname(urls.PERMALINKS_SCRIPT)) + "/"
    return pages.render_template("permalinks.js.j2", addresses=addresses, root=root)
