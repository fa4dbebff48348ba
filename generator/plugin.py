"""The MkDocs plugin: the plan folder is the docs folder, the pages are generated.

`mkdocs.yml` sets `docs_dir` to the plan, so `mkdocs build` and `mkdocs serve`
(and every tool that calls them) work directly, and `mkdocs serve` reloads on
plan edits. The plugin loads the plan, writes its pages to a cache folder
(only the ones that changed) and serves those instead of the YAML, which is
never published.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator import figures, health, pages
from generator.diagnostics import PlanError
from generator.loader import load_plan
from generator.model import Plan
from generator.writing import sync_pages

log = logging.getLogger("mkdocs.plugins.handbook")


class HandbookConfig(base.Config):
    """Options of the `handbook` plugin in `mkdocs.yml`."""

    cache_dir = c.Type(str, default=".cache/handbook")
    """Where generated Markdown is kept between builds, relative to mkdocs.yml (one folder per plan)."""


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Turns the plan in `docs_dir` into the handbook's pages and navigation."""

    def __init__(self) -> None:
        self.rendered: dict[str, str] = {}
        self.pages_dir = Path()
        self.plan: Plan | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load and validate the plan, write its pages, and set the navigation."""
        try:
            plan = load_plan(Path(config.docs_dir))
        except PlanError as error:
            raise PluginError(f"the plan in {config.docs_dir} has errors:\n{error}") from None
        errors = [f for f in health.findings(plan) if f.severity == "error"]
        if errors:
            raise PluginError(f"the plan in {config.docs_dir} breaks alignment rules graded as errors:\n"
                              f"{health.format_text(errors)}")
        self.plan = plan
        plan_key = hashlib.sha256(str(Path(config.docs_dir).resolve()).encode()).hexdigest()[:12]
        self.pages_dir = Path(config.config_file_path or ".").parent / self.config.cache_dir / plan_key
        self.rendered = pages.render(plan)
        changed = sync_pages(self.pages_dir, self.rendered)
        log.debug("handbook: %d pages, %d changed", len(self.rendered), len(changed))
        config.nav = pages.navigation(plan)
        config.site_name = f"{plan.organization.name} handbook"
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Publish the generated pages in place of the plan's YAML files."""
        kept = [f for f in files if f.src_dir != config.docs_dir]
        generated = [
            File(path, str(self.pages_dir), config.site_dir, config.use_directory_urls)
            for path in sorted(self.rendered)
        ]
        return Files(kept + generated)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Fill the figure slots of a generated page with their SVG (maps, progress bars).

        After Markdown conversion, so the drawings are never parsed as Markdown;
        MkDocs does not validate their links, which the tests follow instead.
        """
        if self.plan is None or page.file.src_uri not in self.rendered:
            return html
        return figures.insert(html, self.plan, page.file.src_uri)
