"""`handbook export DIR`: the handbook as plain files that another engine builds without the handbook.

    DIR/mkdocs.yml   plain MkDocs with Material: the navigation, the Markdown extensions, the theme
                     overrides; no handbook plugin
    DIR/docs/        every page as Markdown, safe on its own (plan prose through `mdtext.block`, every
                     other plan text escaped) with its figures in it as inline SVG, and the site's other
                     files (permanent-address redirects, the forwarding script, plan.json), which an
                     engine copies as they are
    DIR/overrides/   the theme overrides (titles escaped in <title>, the figures' styles)

Material reaches end of life in May 2027 and MkDocs 2.0 drops plugins: the export
is what another engine (or a later MkDocs) starts from. DIR is replaced in one
step, like a site folder (`sitefolder.replace`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sales_handbook.model import trends
from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan import urls
from sales_handbook.plan.plan import Plan
from sales_handbook.publish import configuration, history, sitefolder, trendsources
from sales_handbook.publish.interrupts import Interrupts
from sales_handbook.rules import health
from sales_handbook.rules.health import Finding
from sales_handbook.site import figures, pages, permalinks, sanitize, words
from sales_handbook.site.files import site_files
from sales_handbook.speed import parallel

DOCS = "docs"
OVERRIDES = "overrides"

def export_files(whole: Plan, found: tuple[Finding, ...], audience: Audience, published: history.History,
                 label: str, sources: trendsources.Sources = trendsources.Sources()) -> dict[str, bytes]:
    """Every file of the export but the theme overrides, by its path in DIR; `sources` give the trends."""
    plan = for_audience(whole, audience)
    values = trends.series(plan, sources.readings, sources.earlier)
    shown = health.for_audience(found, whole, audience)
    rendered = parallel.render(plan, shown, published.comparisons(plan, label))
    retirements = permalinks.retirement_pages(plan)
    rendered.update(retirements)
    files = {f"{DOCS}/{path}": figures.inline(text, plan, path, values).encode("utf-8") for path, text in rendered.items()}
    files.update({f"{DOCS}/{path}": data for path, data in site_files(plan, None, None, None, trends=values).items()})
    files["mkdocs.yml"] = yaml.safe_dump(_configuration(plan, sorted({*retirements, *pages.unlisted(plan)})), allow_unicode=True,
                                         sort_keys=False).encode("utf-8")
    return files


def export(out: Path, files: dict[str, bytes], protected: dict[str, Path], *, interrupts: Interrupts | None = None,
           waiting: Callable[[str], None] = lambda message: None) -> None:
    """Replace the folder `out` with `files` and the theme overrides, in one step (see `sitefolder.replace`)."""
    def fill(staging: Path) -> None:
        for rel, data in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        shutil.copytree(configuration.THEME, staging / OVERRIDES)

    sitefolder.replace(Path(os.path.abspath(out)), protected, fill, interrupts=interrupts, waiting=waiting)


def _configuration(plan: Plan, unlisted: list[str]) -> dict[str, Any]:
    """mkdocs.yml for plain MkDocs and Material: the handbook's defaults (publish/defaults.yml) without its plugin,
    and what the plugin would have set, written out."""
    config = yaml.safe_load(configuration.DEFAULTS.read_text(encoding="utf-8"))
    config.pop("site_dir", None)
    config["plugins"] = [p for p in config["plugins"] if configuration.PLUGIN not in (p if isinstance(p, str) else p)]
    config["theme"]["custom_dir"] = OVERRIDES
    said = words.words(plan.organization.language)
    config["theme"]["language"] = said.language
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and isinstance(plugin.get("search"), dict):
            plugin["search"]["lang"] = words.SEARCH_LANGUAGES[said.language]
    config.setdefault("extra", {})["handbook_words"] = dict(said.theme_words)
    config.update({
        "site_name": str(sanitize.theme_text(said.gettext("%(organization)s handbook",
                                                          organization=plan.organization.name))),
        "docs_dir": DOCS,
        "extra_javascript": [urls.PERMALINKS_SCRIPT],
        "not_in_nav": "\n".join(f"/{page}" for page in unlisted),
        "nav": _plain(sanitize.navigation_for_theme(pages.navigation(plan))),
    })
    return config


def _plain(value: Any) -> Any:
    """The navigation with its (escaped) titles as plain strings, which YAML can write."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)
