"""The MkDocs plugin: the plan folder is the docs folder, the pages are generated.

`mkdocs.yml` sets `docs_dir` to the plan, so `mkdocs build` and `mkdocs serve`
(and every tool that calls them) work directly, and `mkdocs serve` reloads on
plan edits. The plugin loads the plan, writes its pages to a cache folder
(only the ones that changed) and serves those instead of the YAML, which is
never published.

`handbook build` hands over the plan it has already loaded and checked, so it
is read once. Under `mkdocs serve` the plugin lives across rebuilds (MkDocs
keeps plugins that have `on_startup`): it renders again only the pages whose
inputs changed, and with `--dirty` MkDocs then rebuilds only those.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator import collector, pages, parallel
from generator.diagnostics import PlanError
from generator.incremental import Renderer
from generator.loader import load_plan
from generator.model import Plan
from generator.progress import SILENT, Progress
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
        self.progress: Progress = SILENT
        self._handed_over: tuple[Path, Plan] | None = None
        self._serving = False
        self._renderer = Renderer()
        self._renderer_for = Path()
        self._site_shape = ""
        self._changed = self._built = 0

    def hand_over(self, plan_dir: Path | None, plan: Plan | None = None, progress: Progress = SILENT) -> None:
        """Build from a plan already loaded and checked from `plan_dir`, instead of loading it again.

        MkDocs keeps this plugin between builds in one process, so the caller
        takes the plan back after its build (`hand_over(None)`).
        """
        self._handed_over = (plan_dir.resolve(), plan) if plan_dir is not None and plan is not None else None
        self.progress = progress

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Note whether we serve: then pages are rendered incrementally from one rebuild to the next."""
        self._serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load and validate the plan, write its pages, and set the navigation."""
        docs_dir = Path(config.docs_dir).resolve()
        handed_over, self._handed_over = self._handed_over, None
        with collector.paused():
            if handed_over is not None and handed_over[0] == docs_dir:
                plan = handed_over[1]
            else:
                try:
                    plan = load_plan(Path(config.docs_dir))
                except PlanError as error:
                    raise PluginError(f"the plan in {config.docs_dir} has errors:\n{error}") from None
            plan_key = hashlib.sha256(str(docs_dir).encode()).hexdigest()[:12]
            self.pages_dir = Path(config.config_file_path or ".").parent / self.config.cache_dir / plan_key
            self.progress.start("rendering pages", len(pages.plan_pages(plan)))
            if self._serving:
                if self._renderer_for != docs_dir:
                    self._renderer, self._renderer_for, self._site_shape = Renderer(), docs_dir, ""
                self.rendered = self._renderer.render(plan, self.progress.advance)
            else:
                self.rendered = parallel.render(plan, self.progress.advance)
            changed = sync_pages(self.pages_dir, self.rendered)
        self._changed, self._built = len(changed), 0
        log.debug("handbook: %d pages, %d rendered, %d changed", len(self.rendered),
                  self._renderer.rendered_last if self._serving else len(self.rendered), len(changed))
        config.nav = pages.navigation(plan)
        config.site_name = f"{plan.organization.name} handbook"
        if self._serving:
            self._refresh_all_when_shape_changes(config)
        return config

    def _refresh_all_when_shape_changes(self, config: MkDocsConfig) -> None:
        """When the navigation or site name changed, make every page count as changed.

        Every page shows the navigation; a dirty build (`handbook serve`)
        rebuilds only pages newer than their HTML, so without this a renamed
        team would keep its old name in the other pages' menus.
        """
        shape = json.dumps([config.nav, config.site_name], sort_keys=True)
        if self._site_shape and shape != self._site_shape:
            for rel in self.rendered:
                os.utime(self.pages_dir / rel)
        self._site_shape = shape

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Publish the generated pages in place of the plan's YAML files."""
        kept = [f for f in files if f.src_dir != config.docs_dir]
        generated = [
            File(path, str(self.pages_dir), config.site_dir, config.use_directory_urls)
            for path in sorted(self.rendered)
        ]
        self.progress.start("MkDocs: reading pages", len(generated))
        return Files(kept + generated)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Count pages read, for the progress line."""
        self.progress.advance()
        return markdown

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """The pages are read; next MkDocs writes them."""
        self.progress.start("MkDocs: writing pages", len(self.rendered))
        return env

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Count pages written, for the progress line."""
        self.progress.advance()
        self._built += 1
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """End the progress line; when serving, say how little a rebuild had to do."""
        self._end_progress()
        if self._serving:
            log.info("handbook: %d of %d pages rendered again, %d changed, %d rebuilt by MkDocs",
                     self._renderer.rendered_last, len(self.rendered), self._changed, self._built)

    def on_build_error(self, *, error: Exception) -> None:
        """End the progress line before MkDocs reports the error."""
        self._end_progress()

    def _end_progress(self) -> None:
        """The next build (if any) is silent unless `handbook build` hands over a plan again."""
        self.progress.finish()
        self.progress = SILENT
