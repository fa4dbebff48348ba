"""The files a site has beside its pages: permanent-address redirects, the forwarding script, plan.json and
the JSON Schema of every kind of plan file (for editors and CI, at a stable address in every site), and
history.json (values over time, which the next build carries forward)."""

from __future__ import annotations

from sales_handbook.model import snapshot, trends as values_over_time
from sales_handbook.model.trends import Trends
from sales_handbook.plan import jsonschema, urls
from sales_handbook.plan.plan import Plan
from sales_handbook.site import permalinks


def site_files(plan: Plan, version: str | None, title: str | None, built_at: str | None,
               lines: snapshot.Lines | None = None, trends: Trends | None = None) -> dict[str, bytes]:
    """Every such file by its path in the site; `lines` as for `snapshot.dumps`; without `trends`, history.json
    holds the plan's own point of each number."""
    files = {path: html.encode("utf-8") for path, html in permalinks.redirects(plan).items()}
    files[urls.PERMALINKS_SCRIPT] = permalinks.forwarding_script(plan).encode("utf-8")
    files[urls.SNAPSHOT] = snapshot.dumps(plan, version=version, title=title, built_at=built_at, lines=lines)
    files[urls.HISTORY] = values_over_time.dumps(trends if trends is not None else values_over_time.series(plan, ()))
    files.update(jsonschema.schema_files())
    return files
