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

`handbook build` hands over the plan it has already loaded and checked, so it
is read once. Under `mkdocs serve` the plugin lives across rebuilds (MkDocs
keeps plugins that have `on_startup`): it renders again only the pages whose
inputs changed, and with `--dirty` MkDocs then rebuilds only those.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from watchdog.observers.polling import PollingObserver

from generator import (collector, figures, forked, health, history, lineage, pages, parallel, permalinks, recycling,
                       sanitize, searchindex, snapshot, urls)
from generator.audience import AUDIENCE_VARIABLE, Audience, for_audience
from generator.diagnostics import PlanError, format_report
from generator.incremental import Renderer
from generator.loader import display_path, load_plan
from generator.model import RETIRED_FILE, Plan
from generator.progress import SILENT, Progress
from generator.recheck import Rechecker
from generator.writing import Background, FileWriter, sync_pages, write_afterwards, write_files

log = logging.getLogger("mkdocs.plugins.handbook")


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
    """A spare of an earlier build's address folders (`generator.recycling`), set by `handbook build`: they are
    brought up to date in the new site instead of 30,000 redirects being written from nothing. Unset (plain
    `mkdocs build`, `serve`): every file is written."""


BESIDE_FROM = 300
"""Pages from which a build draws figures and writes redirects in a forked worker, beside MkDocs."""


WATCH_INTERVAL = 0.2
"""Seconds between looks at the plan folder under `handbook serve`; MkDocs looks every 0.5 s.

An edit waits half the interval on average before its rebuild starts. A look at a
1,000-team plan folder takes about 4 ms of one core, so five looks a second cost 2%.
"""


def site_files(plan: Plan, version: str | None, title: str | None, built_at: str | None) -> dict[str, bytes]:
    """The files a site has beside its pages: permanent-link redirects, the forwarding script and plan.json."""
    files = {path: html.encode("utf-8") for path, html in permalinks.redirects(plan).items()}
    files[urls.PERMALINKS_SCRIPT] = permalinks.forwarding_script(plan).encode("utf-8")
    files[urls.SNAPSHOT] = snapshot.dumps(plan, version=version, title=title, built_at=built_at)
    return files


def _beside_pages(folder: Path, plan: Plan, rendered: dict[str, str],
                  snapshot_for: tuple[str | None, str | None, str | None],
                  recycled: recycling.Recycled | None) -> bytes:
    """What a forked worker does while MkDocs converts the pages: write the site's files beside them (bringing
    `recycled` folders up to date), and draw every page's figures (sent back with marshal: page -> slot id -> SVG).

    Both are pure functions of the plan; on the second core they add nothing to the build's time, where
    in MkDocs' one thread the 25,000 progress bars and 30,000 redirects of a 1,000-team plan took seconds.
    """
    write_files(folder, site_files(plan, *snapshot_for), recycled=recycled)
    return marshal.dumps(figures.draw_all(plan, rendered))


def _search_plugin(config: MkDocsConfig) -> Any:
    """Material's search plugin of this build, if it has one (`searchindex` adds to its index)."""
    return next((plugin for plugin in config.plugins.values()
                 if isinstance(getattr(plugin.config, "fields", None), dict) and hasattr(plugin.config, "pipeline")),
                None)


def resolve_audience(configured: str, environ: Mapping[str, str]) -> Audience:
    """The audience of a build: HANDBOOK_AUDIENCE if set, else the plugin option; anything else is an error."""
    value = environ.get(AUDIENCE_VARIABLE) or configured
    try:
        return Audience(value)
    except ValueError:
        choices = ", ".join(a.value for a in Audience)
        raise PluginError(f"unknown audience {value!r} (from {AUDIENCE_VARIABLE} or the handbook plugin's "
                          f"'audience' option): choose one of {choices}") from None


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Turns the plan in `docs_dir` into the handbook's pages and navigation."""

    def __init__(self) -> None:
        self.rendered: dict[str, str] = {}
        self.not_in_nav: frozenset[str] = frozenset()
        self._writer: FileWriter | None = None
        self._recycled: recycling.Recycled | None = None
        self._files_written: dict[str, bytes] = {}
        self._beside = False
        self._worker: forked.Worker | None = None
        self._drawn: dict[str, dict[str, str]] | None = None
        self._snapshot_for: tuple[str | None, str | None, str | None] = (None, None, None)
        self._pages_written: dict[str, str] = {}
        self.pages_dir = Path()
        self.plan: Plan | None = None
        self.progress: Progress = SILENT
        self._handed_over: tuple[Path, Plan] | None = None
        self._serving = False
        self._keeps_site = False
        self._afterwards: Background[dict[str, bytes]] | None = None
        self._written_into = ""
        """The site folder `_files_written` are in."""
        self._renderer = Renderer()
        self._rechecker = Rechecker()
        self._rebuilding = collector.BetweenRebuilds()
        self._renderer_for = ""
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
        """Note whether we serve: then pages are rendered incrementally from one rebuild to the next.

        A dirty serve rebuild (`handbook serve`) builds into the site of the last one, so the files written
        then are still there; plain `mkdocs serve` empties the site folder first, and every file is written.
        """
        self._serving = command == "serve"
        self._keeps_site = self._serving and dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load and validate the plan, keep what the audience may see, check it against the published history,
        write its pages, set the navigation.

        Under serve, the cyclic garbage collector runs only between rebuilds (`collector.BetweenRebuilds`).
        """
        if self._serving:
            self._rebuilding.rebuild_starts()
            self._settle_site_files()
        with collector.paused():
            return self._configure(config)

    def _configure(self, config: MkDocsConfig) -> MkDocsConfig:
        plan_dir = Path(config.docs_dir)
        handed_over, self._handed_over = self._handed_over, None
        if handed_over is not None and handed_over[0] == plan_dir.resolve():
            whole = handed_over[1]
        else:
            try:
                whole = load_plan(plan_dir)
            except PlanError as error:
                raise PluginError(f"the plan in {config.docs_dir} has errors:\n{error}") from None
        found = self._rechecker.findings(whole) if self._serving else health.findings(whole)
        errors = [f for f in found if f.severity == "error"]
        if errors:
            raise PluginError(f"the plan in {config.docs_dir} breaks alignment rules graded as errors:\n"
                              f"{health.format_text(errors)}")
        audience = resolve_audience(self.config.audience, os.environ)
        shown = health.for_audience(found, whole, audience)
        plan = for_audience(whole, audience)
        self.plan = plan
        published = self._history(plan_dir, Path(config.config_file_path or ".").parent)
        problems = lineage.check_published(plan, published.labelled(), display_path(plan_dir / RETIRED_FILE),
                                           unfiltered=whole)
        if problems:
            raise PluginError(f"published links would break (compared with {published.source}):\n"
                              f"{format_report(problems)}")
        plan_key = hashlib.sha256(f"{Path(config.docs_dir).resolve()}\0{audience.value}".encode()).hexdigest()[:12]
        self.pages_dir = Path(config.config_file_path or ".").parent / self.config.cache_dir / plan_key
        label = self.config.title or self.config.version or plan.organization.period
        comparisons = published.comparisons(plan, label)
        self.progress.start("rendering pages", len(pages.plan_pages(plan, shown)))
        if self._serving:
            if self._renderer_for != plan_key:
                self._renderer, self._renderer_for, self._site_shape = Renderer(), plan_key, ""
                self._files_written, self._pages_written = {}, {}
            self.rendered = self._renderer.render(plan, shown, comparisons, self.progress.advance)
        else:
            self.rendered = parallel.render(plan, shown, comparisons, self.progress.advance)
        retirements = permalinks.retirement_pages(plan)
        self.not_in_nav = frozenset(retirements)
        self.rendered.update(retirements)
        self._snapshot_for = (self.config.version, self.config.title, snapshot.built_at(os.environ))
        self._beside = not self._serving and forked.processes_for(len(self.rendered), BESIDE_FROM) > 1
        self._drawn = None
        if urls.PERMALINKS_SCRIPT not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(urls.PERMALINKS_SCRIPT)
        changed = sync_pages(self.pages_dir, self.rendered, self._pages_written if self._serving else None)
        self._pages_written = dict(self.rendered) if self._serving else {}
        self._changed, self._built = len(changed), 0
        log.info("handbook: building for the %s audience%s", audience.value,
                 "" if audience is Audience.public else " (items marked internal are included, with a marker)")
        log.debug("handbook: %d pages, %d changed", len(self.rendered), len(changed))
        search = _search_plugin(config)
        if search is not None:  # the worker searches the fields its index's config lists
            for name, field in searchindex.FIELDS.items():
                search.config.fields.setdefault(name, dict(field))
        config.nav = sanitize.navigation_for_theme(pages.navigation(plan))
        config.site_name = sanitize.theme_text(f"{plan.organization.name} handbook")
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
            File(path, str(self.pages_dir), config.site_dir, config.use_directory_urls,
                 inclusion=InclusionLevel.NOT_IN_NAV if path in self.not_in_nav else InclusionLevel.UNDEFINED)
            for path in sorted(self.rendered)
        ]
        # MkDocs has emptied the site folder by now (unless dirty): the site's other files (`site_files`) are
        # written beside the pages, by a forked worker in a large build (`_beside_pages`), else by a FileWriter;
        # `handbook build` takes the previous site's address folders and updates them. A serve rebuild writes
        # them once it is done (`on_post_build`).
        folder = Path(config.site_dir)
        recycled = None
        if self.config.spare_dir and not self._serving and self.plan is not None:
            recycled = recycling.take(Path(self.config.spare_dir), folder, [f.dest_uri for f in kept + generated])
        self._recycled = recycled
        if self._beside and self.plan is not None:
            plan, rendered, snapshot_for = self.plan, self.rendered, self._snapshot_for
            self._worker = forked.Worker(lambda: _beside_pages(folder, plan, rendered, snapshot_for, recycled))
            if recycled is not None:
                recycled.handed_to_process()
        elif not self._serving and self.plan is not None:
            self._writer = FileWriter(folder, site_files(self.plan, *self._snapshot_for), recycled)
        self.progress.start("MkDocs: reading pages", len(generated))
        return Files(kept + generated)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Count pages read, for the progress line."""
        self.progress.advance()
        return markdown

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """The pages are read; next MkDocs writes them, with the theme's templates compiled once, not per build.

        MkDocs makes a new theme environment for every build, so each serve rebuild compiled Material's
        templates again (about 0.25 s); they are kept like the handbook's own (`pages.compiled_templates`).
        """
        if env.bytecode_cache is None:
            env.bytecode_cache = pages.compiled_templates(env, "theme")
        self._wait_for_recycled()
        self.progress.start("MkDocs: writing pages", len(self.rendered))
        return env

    def _wait_for_recycled(self) -> None:
        """MkDocs writes retirement pages into the recycled address folders: only once they are up to date."""
        recycled, self._recycled = self._recycled, None
        if recycled is not None:
            try:
                recycled.wait()
            finally:
                recycled.close()

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Fill the page's figure slots with SVG (maps, progress bars); count pages written, for progress.

        The drawings go into the finished page, after the search plugin has indexed
        its content: the search index gets the page's words, not the labels of
        every box and bar, and does not parse thousands of SVG elements per page
        (at 1,000 teams that parsing doubled the build).
        """
        self.progress.advance()
        self._built += 1
        if self.plan is None or page.file.src_uri not in self.rendered:
            return output
        drawn = self._drawn_by_worker(page.file.src_uri)
        if drawn is None:
            drawn = figures.draw_page(self.plan, page.file.src_uri, output)
        folder = Path(page.file.abs_dest_path).parent
        for name, svg in figures.files(drawn).items():  # a map on its own, to open full size: one per map page
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(svg, encoding="utf-8")
        return figures.insert(output, drawn)

    def _drawn_by_worker(self, page: str) -> dict[str, str] | None:
        """The figures the worker drew for `page` (waiting for it the first time), or None if it draws none."""
        if self._drawn is None:
            worker, self._worker = self._worker, None
            if worker is None:
                return None
            try:
                self._drawn = marshal.loads(worker.result())
            except OSError as error:
                raise PluginError(f"cannot write the site's redirects and plan.json: {error}") from None
            finally:
                worker.stop()
        return self._drawn.get(page, {})

    @event_priority(100)  # before Material's search writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Wait for the redirects to be written (when serving, start writing them: `writing.write_afterwards`);
        end the progress line; when serving, say how little a rebuild had to do."""
        search = _search_plugin(config)
        if getattr(search, "search_index", None) is not None and self.plan is not None:
            plan = self.plan
            anchors = {*plan.ids("goal"), *plan.ids("person"), *(goal.id for _, _, goal in plan.individual_goals())}
            searchindex.add_fields(search.search_index.entries, anchors)
        self._finish_writing(config)
        self._end_progress()
        if self._serving and self.plan is not None:
            self._rebuilding.rebuild_ended()
            plan, snapshot_for = self.plan, self._snapshot_for
            kept = self._keeps_site and self._written_into == config.site_dir
            self._afterwards = write_afterwards(Path(config.site_dir), lambda: site_files(plan, *snapshot_for),
                                                self._files_written if kept else {})
            self._written_into = config.site_dir
            log.info("handbook: rules run again on %d of %d teams; %d of %d pages rendered again, %d changed, "
                     "%d rebuilt by MkDocs", self._rechecker.teams_checked, len(plan.teams),
                     self._renderer.rendered_last, len(self.rendered), self._changed, self._built)

    def on_build_error(self, *, error: Exception) -> None:
        """Stop writing into the failed site (its folder is about to be removed); end the progress line.

        A failed serve rebuild wrote none of the site's other files (they are written after a rebuild that
        worked), so what the last one wrote is still there.
        """
        writer, self._writer = self._writer, None
        worker, self._worker, self._drawn = self._worker, None, None
        recycled, self._recycled = self._recycled, None
        if worker is not None:
            worker.stop()
        try:
            if writer is not None:
                writer.wait()
        except OSError:
            pass  # the build has failed already: MkDocs reports its own error
        finally:
            if recycled is not None:  # its updater has ended with the worker or the writer
                recycled.close()
        self._end_progress()
        if self._serving:
            self._rebuilding.rebuild_ended()

    def on_shutdown(self) -> None:
        """`handbook serve` stops: finish writing the last rebuild's files before MkDocs removes the site; the
        collector works as before."""
        self._settle_site_files()
        self._rebuilding.stop()

    def _settle_site_files(self) -> None:
        """Wait for the last serve rebuild's redirects and plan.json (`write_afterwards`), and note what they are."""
        afterwards, self._afterwards = self._afterwards, None
        if afterwards is None:
            return
        try:
            self._files_written = afterwards.wait()
        except (OSError, ValueError) as error:
            self._files_written = {}
            log.error("handbook: cannot write the served site's redirects and plan.json: %s", error)

    def _finish_writing(self, config: MkDocsConfig) -> None:
        if self._worker is not None:  # no page had figures: the worker's files must be written all the same
            self._drawn_by_worker("")
        self._drawn = None
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            writer.wait()
        except OSError as error:
            raise PluginError(f"cannot write the site's redirects and plan.json into {config.site_dir}: {error}") \
                from None

    def _end_progress(self) -> None:
        """The next build (if any) is silent unless `handbook build` hands over a plan again."""
        self.progress.finish()
        self.progress = SILENT

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        """Look at the plan folder every `WATCH_INTERVAL` seconds instead of MkDocs' half second.

        MkDocs fixes the interval when it makes its server, and has scheduled the
        plan folder and mkdocs.yml by now, on a watcher that starts only when
        serving starts: the same paths move to a watcher that looks more often.
        """
        watched = dict(getattr(server, "_watched_paths", {}))
        if not isinstance(server.observer, PollingObserver) or server.observer.timeout <= WATCH_INTERVAL:
            return server
        for path, times in watched.items():
            for _ in range(times):
                server.unwatch(path)
        server.observer = PollingObserver(timeout=WATCH_INTERVAL)
        for path, times in watched.items():
            for _ in range(times):
                server.watch(path)
        return server

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Sanitize each generated page; its figure slots are filled later (`on_post_page`).

        Plan text is Markdown, and raw HTML in it must not run script; the sanitizer runs after
        Markdown conversion, when MkDocs has already collected the links and anchors it validates,
        and keeps every `id` and relative link they rely on (the empty figure slots among them).
        The drawings come after it: they are our own SVG, plan text in them escaped by their
        templates, and the sanitizer would remove SVG. MkDocs does not validate their links,
        which the tests follow instead.
        """
        if self.plan is None or page.file.src_uri not in self.rendered:
            return html
        return sanitize.clean_html(html)

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
