"""The MkDocs plugin: the plan folder is the docs folder, the pages are generated.

`mkdocs.yml` sets `docs_dir` to the plan, so `mkdocs build` and `mkdocs serve`
(and every tool that calls them) work directly, and `mkdocs serve` reloads on
plan edits. The plugin loads the plan, writes its pages to a cache folder
(only the ones that changed) and serves those instead of the YAML, which is
never published.

It also compares the plan with the published history (`generator.history`):
the build fails if a published id would stop resolving, and the site gets
its "What changed" page, the permanent addresses of every item
(`generator.permalinks`) and `plan.json` (`generator.snapshot`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from generator import history, lineage, pages, permalinks, snapshot, urls
from generator.diagnostics import PlanError, format_report
from generator.loader import display_path, load_plan
from generator.model import RETIRED_FILE
from generator.writing import sync_pages

log = logging.getLogger("mkdocs.plugins.handbook")


class HandbookConfig(base.Config):
    """Options of the `handbook` plugin in `mkdocs.yml`."""

    cache_dir = c.Type(str, default=".cache/handbook")
    """Where generated Markdown is kept between builds, relative to mkdocs.yml (one folder per plan)."""

    previous = c.Type(str, default=history.AUTO)
    """The published plans to compare with: 'auto' (the publishing branch), a plan.json or site folder, or 'none'."""

    branch = c.Type(str, default="gh-pages")
    """The branch versions are published on, read when `previous` is 'auto'."""

    version = c.Optional(c.Type(str))
    """The version being published (set by `handbook publish`); recorded in plan.json."""

    title = c.Optional(c.Type(str))
    """The title of the version being published."""


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Turns the plan in `docs_dir` into the handbook's pages and navigation."""

    def __init__(self) -> None:
        self.rendered: dict[str, str] = {}
        self.not_in_nav: frozenset[str] = frozenset()
        self.static: dict[str, str | bytes] = {}
        self.pages_dir = Path()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load and validate the plan, check it against the published history, write its pages, set the navigation."""
        plan_dir = Path(config.docs_dir)
        try:
            plan = load_plan(plan_dir)
        except PlanError as error:
            raise PluginError(f"the plan in {config.docs_dir} has errors:\n{error}") from None
        published = self._history(plan_dir, Path(config.config_file_path or ".").parent)
        problems = lineage.check_published(plan, published.labelled(), display_path(plan_dir / RETIRED_FILE))
        if problems:
            raise PluginError(f"published links would break (compared with {published.source}):\n"
                              f"{format_report(problems)}")
        plan_key = hashlib.sha256(str(Path(config.docs_dir).resolve()).encode()).hexdigest()[:12]
        self.pages_dir = Path(config.config_file_path or ".").parent / self.config.cache_dir / plan_key
        label = self.config.title or self.config.version or plan.organization.period
        self.rendered = pages.render(plan, published.comparisons(plan, label))
        retirements = permalinks.retirement_pages(plan)
        self.not_in_nav = frozenset(retirements)
        self.rendered.update(retirements)
        self.static = {
            **permalinks.redirects(plan),
            urls.PERMALINKS_SCRIPT: permalinks.forwarding_script(plan),
            urls.SNAPSHOT: snapshot.dumps(plan, version=self.config.version, title=self.config.title,
                                          built_at=snapshot.built_at(os.environ)),
        }
        if urls.PERMALINKS_SCRIPT not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(urls.PERMALINKS_SCRIPT)
        changed = sync_pages(self.pages_dir, self.rendered)
        log.debug("handbook: %d pages, %d changed", len(self.rendered), len(changed))
        config.nav = pages.navigation(plan)
        config.site_name = f"{plan.organization.name} handbook"
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Publish the generated pages in place of the plan's YAML files."""
        kept = [f for f in files if f.src_dir != config.docs_dir]
        generated = [
            File(path, str(self.pages_dir), config.site_dir, config.use_directory_urls,
                 inclusion=InclusionLevel.NOT_IN_NAV if path in self.not_in_nav else InclusionLevel.UNDEFINED)
            for path in sorted(self.rendered)
        ]
        static = [File.generated(config, path, content=data) for path, data in sorted(self.static.items())]
        return Files(kept + generated + static)

    def _history(self, plan_dir: Path, config_dir: Path) -> history.History:
        """The published plans this build is compared with (see `generator.history`).

        A `previous` path is relative to mkdocs.yml, like MkDocs' own paths.
        """
        previous = self.config.previous
        if previous not in (history.AUTO, history.NONE):
            previous = str(config_dir / previous)
        try:
            return history.load(previous, plan_dir=plan_dir, branch=self.config.branch,
                                building=self.config.version)
        except history.HistoryError as error:
            raise PluginError(f"cannot read the published plans: {error}") from None
