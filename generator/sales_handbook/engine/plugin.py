"""The MkDocs plugin: the plan folder is the docs folder, the pages are generated.

`mkdocs.yml` sets `docs_dir` to the plan, so `mkdocs build` and `mkdocs serve`
(and every tool that calls them) work directly. The plugin only wires MkDocs'
events to the build in progress (`engine.session`): a one-shot `Build`, or the
`Serving` session that lives across `mkdocs serve`'s rebuilds (MkDocs keeps
plugins that have `on_startup`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from sales_handbook.engine.session import Build, Prepared, Serving, Session, resolve_audience
from sales_handbook.model.audience import Audience
from sales_handbook.publish import configuration, history

__all__ = ["HandbookConfig", "HandbookPlugin", "Prepared", "resolve_audience"]


class HandbookConfig(base.Config):
    """Options of the `handbook` plugin in `mkdocs.yml`."""

    cache_dir = c.Type(str, default=".cache/handbook")
    """Where generated Markdown is kept between builds, relative to mkdocs.yml (one folder per plan and audience)."""

    audience = c.Choice(tuple(a.value for a in Audience), default=Audience.public.value)
    """Who the site is for. `public` (the default) leaves out every internal item; `internal` marks them.
    The HANDBOOK_AUDIENCE environment variable (how `handbook --audience` reaches the plugin) overrides it."""

    previous = c.Type(str, default=history.AUTO)
    """The published plans to compare with: 'auto' (the publishing branch), a plan.json or site folder, or 'none'."""

    branch = c.Type(str, default="gh-pages")
    """The branch versions are published on, read when `previous` is 'auto'."""

    version = c.Optional(c.Type(str))
    """The version being published (set by `handbook publish`); recorded in plan.json."""

    title = c.Optional(c.Type(str))
    """The title of the version being published."""

    spare_dir = c.Optional(c.Type(str))
    """A spare of an earlier build's address folders (`speed.recycling`), set by `handbook build`: they are
    brought up to date in the new site instead of 30,000 redirects being written from nothing."""


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Turns the plan in `docs_dir` into the handbook's pages and navigation: each event goes to the session."""

    def __init__(self) -> None:
        self.session: Session = Build()
        self._prepared: Prepared | None = None
        self._serving: bool | None = None

    def hand_over(self, prepared: Prepared | None) -> None:
        """Build from a plan `handbook build` has already loaded and checked, instead of loading it again."""
        self._prepared = prepared

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self._serving = command == "serve"
        self.session = Serving(dirty) if self._serving else Build()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if str(configuration.THEME) not in config.theme.dirs:  # they escape every title: never without them
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(configuration.THEME))
        if not self._serving:  # a new build each time: nothing is kept from the last one
            self.session = Build(Path(self.config.spare_dir) if self.config.spare_dir else None)
        prepared, self._prepared = self._prepared, None
        return self.session.configure(config, self.config, prepared)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        return self.session.files(files, config)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        self.session.progress.advance()
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self.session.page_html(html, page)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        return self.session.env(env)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return self.session.post_page(output, page)

    @event_priority(100)  # before Material's search writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.session.finish(config)

    def on_build_error(self, *, error: BaseException) -> None:
        self.session.fail()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        return self.session.serve(server)

    def on_shutdown(self) -> None:
        self.session.close()
