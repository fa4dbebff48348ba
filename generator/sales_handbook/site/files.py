"""The files a site has beside its pages: permanent-address redirects, the forwarding script and plan.json."""

from __future__ import annotations

from sales_handbook.model import snapshot
from sales_handbook.plan import urls
from sales_handbook.plan.plan import Plan
from sales_handbook.site import permalinks


def site_files(plan: Plan, version: str | None, title: str | None, built_at: str | None,
               lines: snapshot.Lines | None = None) -> dict[str, bytes]:
    """Every such file by its path in the site; `lines` as for `snapshot.dumps`."""
    files = {path: html.encode("utf-8") for path, html in permalinks.redirects(plan).items()}
    files[urls.PERMALINKS_SCRIPT] = permalinks.forwarding_script(plan).encode("utf-8")
    files[urls.SNAPSHOT] = snapshot.dumps(plan, version=version, title=title, built_at=built_at, lines=lines)
    return files
