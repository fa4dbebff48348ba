"""What a MkDocs build does with the plan: `Build` for one build, `Serving` for `mkdocs serve`'s rebuilds.

Both take the same steps on each build (`Session.configure`): load and check the
plan, keep what the audience may see, compare it with the published history,
render its pages into the cache folder, set the navigation. They differ in how:
a one-shot build uses every core (`speed.parallel`, `speed.beside`) and reuses
the previous site's address folders; a serve session keeps what it learned from
one rebuild to the next (`speed.incremental`, `speed.recheck`) and writes the
site's other files just after each reload.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from watchdog.observers.polling import PollingObserver

from sales_handbook.engine.progress import SILENT, Progress
from sales_handbook.model import snapshot, trends
from sales_handbook.model.audience import AUDIENCE_VARIABLE, Audience, Copies, for_audience
from sales_handbook.model.changes import Comparisons
from sales_handbook.plan import lineage, urls
from sales_handbook.plan.diagnostics import PlanError, format_report
from sales_handbook.plan.loader import Reader, display_path
from sales_handbook.plan.plan import RETIRED_FILE, Plan
from sales_handbook.publish import history, trendsources
from sales_handbook.rules import health
from sales_handbook.rules.health import Finding
from sales_handbook.site import figures, pages, permalinks, sanitize, searchindex, words
from sales_handbook.site.files import site_files
from sales_handbook.speed import collector, parallel, recycling
from sales_handbook.speed.beside import Beside
from sales_handbook.speed.incremental import Renderer
from sales_handbook.speed.recheck import Rechecker
from sales_handbook.speed.writing import Background, sync_pages, write_afterwards

log = logging.getLogger("mkdocs.plugins.handbook")

WATCH_INTERVAL = 0.2
"""Seconds between looks at the plan folder under `handbook serve`; MkDocs looks every 0.5 s.

An edit waits half the interval on average before its rebuild starts. A look at a
1,000-team plan folder takes about 4 ms of one core, so five looks a second cost 2%.
"""


@dataclass(frozen=True)
class Prepared:
    """A plan `handbook build` has loaded and checked before MkDocs starts, so the build does not read it again."""

    plan_dir: Path
    plan: Plan
    findings: tuple[Finding, ...]
    progress: Progress = SILENT


def resolve_audience(configured: str, environ: Mapping[str, str]) -> Audience:
    """The audience of a build: HANDBOOK_AUDIENCE if set, else the plugin option; anything else is an error."""
    value = environ.get(AUDIENCE_VARIABLE) or configured
    try:
        return Audience(value)
    except ValueError:
        choices = ", ".join(a.value for a in Audience)
        raise PluginError(f"unknown audience {value!r} (from {AUDIENCE_VARIABLE} or the handbook plugin's "
                          f"'audience' option): choose one of {choices}") from None


class Session:
    """The steps every build takes (`configure`); `Build` and `Serving` say how each is done."""

    def __init__(self) -> None:
        self.plan: Plan | None = None
        self.words = words.words()
        self.rendered: dict[str, str] = {}
        self.not_in_nav: frozenset[str] = frozenset()
        self.pages_dir = Path()
        self.progress: Progress = SILENT
        self.snapshot_for: tuple[str | None, str | None, str | None] = (None, None, None)
        self._sources = trendsources.Sources()
        self._trends: trends.Trends | None = None
        self.changed = self.built = 0

    def configure(self, config: MkDocsConfig, options: Any, prepared: Prepared | None) -> MkDocsConfig:
        """Load and check the plan, keep what the audience may see, check it against the published history,
        render its pages into the cache folder, set the navigation. `options` are the plugin's.

        The cycle collector is paused meanwhile (`collector.paused`): it would walk the plan again and again.
        """
        with collector.paused():
            return self._configure(config, options, prepared)

    def _configure(self, config: MkDocsConfig, options: Any, prepared: Prepared | None) -> MkDocsConfig:
        plan_dir = Path(config.docs_dir)
        config_dir = Path(config.config_file_path or ".").parent
        if prepared is not None and prepared.plan_dir == plan_dir.resolve():
            whole, found, self.progress = prepared.plan, prepared.findings, prepared.progress
        else:
            try:
                whole = self._load(plan_dir)
            except PlanError as error:
                raise PluginError(f"the plan in {config.docs_dir} has errors:\n{error}") from None
            found = self._findings(whole)
        errors = [f for f in found if f.severity == "error"]
        if errors:
            raise PluginError(f"the plan in {config.docs_dir} breaks alignment rules graded as errors:\n"
                              f"{health.format_text(errors)}")
        audience = resolve_audience(options.audience, os.environ)
        plan = self.plan = for_audience(whole, audience, self._copies())
        shown = health.for_audience(found, whole, audience, find=self._public_findings())
        published = _history(options, plan_dir, config_dir)
        problems = lineage.check_published(plan, published.labelled(), display_path(plan_dir / RETIRED_FILE),
                                           unfiltered=whole)
        if problems:
            raise PluginError(f"published links would break (compared with {published.source}):\n"
                              f"{format_report(problems)}")
        plan_key = hashlib.sha256(f"{plan_dir.resolve()}\0{audience.value}".encode()).hexdigest()[:12]
        self.pages_dir = config_dir / options.cache_dir / plan_key
        self._sources, self._trends = self._trend_sources(options, plan_dir, config_dir, published), None
        comparisons = published.comparisons(plan, options.title or options.version or plan.organization.period)
        self.words = words.words(plan.organization.language)  # the catalog read once, before render workers fork
        self.progress.start("rendering pages", len(pages.plan_pages(plan, shown)))
        self.rendered = self._render(plan_key, plan, shown, comparisons)
        retirements = permalinks.retirement_pages(plan)
        self.not_in_nav = frozenset(retirements) | pages.unlisted(plan)
        self.rendered.update(retirements)
        self.snapshot_for = (options.version, options.title, snapshot.built_at(os.environ))
        if urls.PERMALINKS_SCRIPT not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(urls.PERMALINKS_SCRIPT)
        self.changed, self.built = len(self._write_pages()), 0
        log.info("handbook: building for the %s audience%s", audience.value,
                 "" if audience is Audience.public else " (items marked internal are included, with a marker)")
        search = _search_plugin(config)
        theme_language = _speak(config, search, self.words.language)
        if search is not None:  # Material's worker searches the fields its index's config lists
            for name, field in searchindex.FIELDS.items():
                search.config.fields.setdefault(name, dict(field))
        config.nav = sanitize.navigation_for_theme(pages.navigation(plan))
        config.extra["handbook_words"] = self.words.theme_words
        config.site_name = sanitize.theme_text(self.words.gettext("%(organization)s handbook",
                                                                  organization=plan.organization.name))
        if theme_language != self.words.language:
            log.info("handbook: theme.language '%s' of the MkDocs configuration is kept for the theme's own words; "
                     "the pages are in '%s' (organization.yaml)", theme_language, self.words.language)
        return config

    @property
    def trends(self) -> trends.Trends:
        """Values over time of this build's plan, merged when first asked for: a one-shot build of a large plan
        asks only in its worker beside MkDocs (`speed.beside`), which draws the figures and writes history.json."""
        if self._trends is None:
            self._trends = {} if self.plan is None else trends.series(self.plan, self._sources.readings,
                                                                      self._sources.earlier)
        return self._trends

    def files(self, files: Files, config: MkDocsConfig) -> Files:
        """The generated pages in place of the plan's YAML files."""
        kept = [f for f in files if f.src_dir != config.docs_dir]
        generated = [
            File(path, str(self.pages_dir), config.site_dir, config.use_directory_urls,
                 inclusion=InclusionLevel.NOT_IN_NAV if path in self.not_in_nav else InclusionLevel.UNDEFINED)
            for path in sorted(self.rendered)
        ]
        self._start_site_files(Path(config.site_dir), [f.dest_uri for f in kept + generated])
        self.progress.start("MkDocs: reading pages", len(generated))
        return Files(kept + generated)

    def page_html(self, html: str, page: Page) -> str:
        """A generated page's HTML, sanitized: plan text is Markdown, and raw HTML in it must not run script.

        This runs after MkDocs has collected the links and anchors it validates, and keeps every
        `id` and relative link they rely on (the empty figure slots among them).
        """
        if page.file.src_uri not in self.rendered:
            return html
        return sanitize.clean_html(html)

    def env(self, env: Any) -> Any:
        """The pages are read; next MkDocs writes them, with the theme's templates compiled once, not per build."""
        if env.bytecode_cache is None:
            env.bytecode_cache = pages.compiled_templates(env, "theme")
        self._folders_ready()
        self.progress.start("MkDocs: writing pages", len(self.rendered))
        return env

    def post_page(self, output: str, page: Page) -> str:
        """The finished page with its figures; a page with a repeated id stops the build.

        The drawings go in after the search plugin has indexed the page: the index gets its
        words, not the labels of every box and bar (at 1,000 teams parsing them doubled the
        build). They are our own SVG, plan text in them escaped by their templates.
        """
        self.progress.advance()
        self.built += 1
        if self.plan is None or page.file.src_uri not in self.rendered:
            return output
        drawn = self._drawn(output, page.file.src_uri)
        folder = Path(page.file.abs_dest_path).parent
        for name, svg in figures.files(drawn).items():  # a map on its own, to open full size: one per map page
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(svg, encoding="utf-8")
        output = figures.insert(output, drawn)
        repeated = sanitize.repeated_ids(output)
        if repeated:
            raise PluginError(f"page {page.file.dest_uri} has more than one element with the id "
                              f"{', '.join(repr(i) for i in repeated)}: links to it could land on the wrong one. "
                              "Please report this as a bug of the handbook, with the plan text near it.")
        return output

    def finish(self, config: MkDocsConfig) -> None:
        """The build is done; Material's search is about to write its index (the plugin runs first)."""
        search = _search_plugin(config)
        if getattr(search, "search_index", None) is not None and self.plan is not None:
            plan = self.plan
            anchors = {*plan.ids("goal"), *(goal.id for _, _, goal in plan.individual_goals())}
            people = {urls.url(urls.person_page(person.id)): person.id for _, person in plan.people()}
            searchindex.add_fields(search.search_index.entries, anchors, people)
        self._end_progress()

    def fail(self) -> None:
        """The build failed."""
        self._end_progress()

    def _end_progress(self) -> None:
        """The next build is silent unless `handbook build` hands over a plan (and its progress line) again."""
        self.progress.finish()
        self.progress = SILENT

    def serve(self, server: LiveReloadServer) -> LiveReloadServer:
        return server

    def close(self) -> None:
        """MkDocs is done with the plugin."""

    # How each step is done: one-shot builds and serve sessions differ.

    def _load(self, plan_dir: Path) -> Plan:
        raise NotImplementedError

    def _findings(self, plan: Plan) -> tuple[Finding, ...]:
        return health.findings(plan)

    def _public_findings(self) -> Callable[[Plan], tuple[Finding, ...]] | None:
        return None

    def _copies(self) -> Copies | None:
        return None

    def _trend_sources(self, options: Any, plan_dir: Path, config_dir: Path,
                       published: history.History) -> trendsources.Sources:
        return _trend_sources(options, plan_dir, config_dir, published)

    def _render(self, plan_key: str, plan: Plan, shown: Sequence[Finding], comparisons: Comparisons) -> dict[str, str]:
        raise NotImplementedError

    def _write_pages(self) -> list[str]:
        return sync_pages(self.pages_dir, self.rendered)

    def _start_site_files(self, folder: Path, pages_written: list[str]) -> None:
        pass

    def _folders_ready(self) -> None:
        pass

    def _drawn(self, html: str, page: str) -> dict[str, str]:
        """The figures of `page`, by slot id."""
        assert self.plan is not None
        return figures.draw_page(self.plan, page, html, self.trends)


class Build(Session):
    """One build (`handbook build`, `mkdocs build`): on every core, reusing the previous site's address folders."""

    def __init__(self, spare: Path | None = None) -> None:
        super().__init__()
        self._spare = spare
        self._beside: Beside | None = None

    def _load(self, plan_dir: Path) -> Plan:
        return parallel.reader([health.settings_problems]).load(plan_dir)

    def _render(self, plan_key: str, plan: Plan, shown: Sequence[Finding], comparisons: Comparisons) -> dict[str, str]:
        return parallel.render(plan, shown, comparisons, self.progress.advance)

    def _start_site_files(self, folder: Path, pages_written: list[str]) -> None:
        """MkDocs has emptied the site folder: write the site's other files beside the pages, bringing the
        previous site's address folders (the spare, from `handbook build`) up to date."""
        plan, snapshot_for = self.plan, self.snapshot_for
        if plan is None:
            return
        recycled = None if self._spare is None else recycling.take(self._spare, folder, pages_written)
        self._beside = Beside(folder, plan, self.rendered, lambda: site_files(plan, *snapshot_for, trends=self.trends),
                              recycled, lambda: self.trends)

    def _folders_ready(self) -> None:
        if self._beside is not None:
            self._beside.folders_ready()

    def _drawn(self, html: str, page: str) -> dict[str, str]:
        drawn = self._beside.drawn(page) if self._beside is not None else None
        return super()._drawn(html, page) if drawn is None else drawn

    def finish(self, config: MkDocsConfig) -> None:
        beside, self._beside = self._beside, None
        try:
            if beside is not None:
                beside.finish()
        except OSError as error:
            raise PluginError(f"cannot write the site's redirects and plan.json into {config.site_dir}: {error}") \
                from None
        finally:
            super().finish(config)

    def fail(self) -> None:
        beside, self._beside = self._beside, None
        if beside is not None:
            beside.stop()
        super().fail()


class Serving(Session):
    """`mkdocs serve` / `handbook serve`: rebuild after each plan edit, doing again only what the edit changed.

    A dirty rebuild (`handbook serve`) builds into the site of the last one, so the files written
    then are still there; plain `mkdocs serve` empties the site folder first, and every file is written.
    """

    def __init__(self, dirty: bool) -> None:
        super().__init__()
        self._keeps_site = dirty
        self._reader = Reader(checks=[health.settings_problems])
        self._rechecker = Rechecker()
        self._public_rechecker = Rechecker()
        self._audience_copies = Copies()
        self._renderer = Renderer()
        self._renderer_for = ""
        self._site_shape = ""
        self._pages_written: dict[str, str] = {}
        self._files_written: dict[str, bytes] = {}
        self._written_into = ""
        self._lines = snapshot.Lines()
        self._afterwards: Background[dict[str, bytes]] | None = None
        self._rebuilding = collector.BetweenRebuilds()
        self._sources_read: tuple[tuple[str, ...], trendsources.Sources] | None = None

    def configure(self, config: MkDocsConfig, options: Any, prepared: Prepared | None) -> MkDocsConfig:
        """Under serve the cycle collector runs only between rebuilds (`collector.BetweenRebuilds`)."""
        self._rebuilding.rebuild_starts()
        self._settle_site_files()
        config = super().configure(config, options, prepared)
        self._refresh_all_when_shape_changes(config)
        return config

    def _load(self, plan_dir: Path) -> Plan:
        return self._reader.load(plan_dir)

    def _trend_sources(self, options: Any, plan_dir: Path, config_dir: Path,
                       published: history.History) -> trendsources.Sources:
        """The past is read once per session (edits change only the plan's own point), again if the options change."""
        wanted = (str(plan_dir.resolve()), str(config_dir), options.previous, options.branch, options.cache_dir)
        if self._sources_read is None or self._sources_read[0] != wanted:
            self._sources_read = (wanted, super()._trend_sources(options, plan_dir, config_dir, published))
        return self._sources_read[1]

    def _findings(self, plan: Plan) -> tuple[Finding, ...]:
        return self._rechecker.findings(plan)

    def _public_findings(self) -> Callable[[Plan], tuple[Finding, ...]]:
        return self._public_rechecker.findings

    def _copies(self) -> Copies:
        return self._audience_copies

    def _render(self, plan_key: str, plan: Plan, shown: Sequence[Finding], comparisons: Comparisons) -> dict[str, str]:
        if self._renderer_for != plan_key:
            self._renderer, self._renderer_for, self._site_shape = Renderer(), plan_key, ""
            self._files_written, self._pages_written = {}, {}
        return self._renderer.render(plan, shown, comparisons, self.progress.advance)

    def _write_pages(self) -> list[str]:
        changed = sync_pages(self.pages_dir, self.rendered, self._pages_written)
        self._pages_written = dict(self.rendered)
        return changed

    def _refresh_all_when_shape_changes(self, config: MkDocsConfig) -> None:
        """When the navigation or site name changed, make every page count as changed.

        Every page shows the navigation; a dirty rebuild rebuilds only pages newer than
        their HTML, so without this a renamed team would keep its old name in the other
        pages' menus.
        """
        shape = json.dumps([config.nav, config.site_name], sort_keys=True)
        if self._site_shape and shape != self._site_shape:
            for rel in self.rendered:
                os.utime(self.pages_dir / rel)
        self._site_shape = shape

    def finish(self, config: MkDocsConfig) -> None:
        """Start writing the redirects and plan.json (`writing.write_afterwards`) once the browser reloads, and
        say how little the rebuild had to do."""
        super().finish(config)
        plan = self.plan
        if plan is None:
            return
        self._rebuilding.rebuild_ended()
        snapshot_for, lines, values = self.snapshot_for, self._lines, self.trends
        kept = self._keeps_site and self._written_into == config.site_dir
        self._afterwards = write_afterwards(Path(config.site_dir),
                                            lambda: site_files(plan, *snapshot_for, lines, values),
                                            self._files_written if kept else {})
        self._written_into = config.site_dir
        log.info("handbook: rules run again on %d of %d teams; %d of %d pages rendered again, %d changed, "
                 "%d rebuilt by MkDocs", self._rechecker.teams_checked, len(plan.teams),
                 self._renderer.rendered_last, len(self.rendered), self.changed, self.built)

    def fail(self) -> None:
        """A failed rebuild wrote none of the site's other files, so what the last one wrote is still there."""
        super().fail()
        self._rebuilding.rebuild_ended()

    def close(self) -> None:
        """Serving stops: finish writing the last rebuild's files before MkDocs removes the site."""
        self._settle_site_files()
        self._rebuilding.stop()

    def _settle_site_files(self) -> None:
        """Wait for the last rebuild's redirects and plan.json, and note what they are."""
        afterwards, self._afterwards = self._afterwards, None
        if afterwards is None:
            return
        try:
            self._files_written = afterwards.wait()
        except (OSError, ValueError) as error:
            self._files_written = {}
            log.error("handbook: cannot write the served site's redirects and plan.json: %s", error)

    def serve(self, server: LiveReloadServer) -> LiveReloadServer:
        """Look at the plan folder every `WATCH_INTERVAL` seconds instead of MkDocs' half second.

        MkDocs fixes the interval when it makes its server, and has scheduled the plan folder
        and mkdocs.yml by now, on a watcher that starts only when serving starts: the same
        paths move to a watcher that looks more often (private attributes: mkdocs is pinned
        and tests/test_private_apis.py checks them).
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


MATERIAL_DEFAULT_LANGUAGE = "en"
"""Material's `theme.language` when the MkDocs configuration sets none."""


def _speak(config: MkDocsConfig, search: Any, language: str) -> str:
    """Material's words (search box, navigation labels, `<html lang>`) and search in the plan's language.

    The plan's `language:` sets `theme.language` unless the MkDocs configuration sets another
    language than Material's default explicitly: that one is kept, for the theme's words only. Search
    (lunr's stemming and stop words) follows the theme's language unless the search plugin sets `lang`.
    Returns the theme's language.
    """
    if config.theme["language"] == MATERIAL_DEFAULT_LANGUAGE:
        config.theme["language"] = language
    chosen = config.theme["language"]
    if search is not None and list(search.config.lang or []) in ([], [MATERIAL_DEFAULT_LANGUAGE]):
        # Material's search plugin picked English from the theme's default before the language was known.
        wanted = [words.SEARCH_LANGUAGES.get(chosen, words.SEARCH_LANGUAGES.get(language, "en"))]
        if isinstance(search.config.lang, list):
            search.config.lang[:] = wanted  # in place: the plugin's index already holds this list
        else:
            search.config.lang = wanted
    return chosen


def _search_plugin(config: MkDocsConfig) -> Any:
    """Material's search plugin of this build, if it has one (`searchindex` adds to its index)."""
    return next((plugin for plugin in config.plugins.values()
                 if isinstance(getattr(plugin.config, "fields", None), dict) and hasattr(plugin.config, "pipeline")),
                None)


def _trend_sources(options: Any, plan_dir: Path, config_dir: Path, published: history.History) -> trendsources.Sources:
    """What the build knows of the numbers' past (`publish.trendsources`), read with the same `previous` as the
    published plans; git's blobs are cached in the handbook's cache folder."""
    previous = options.previous
    if previous not in (history.AUTO, history.NONE):
        previous = str(config_dir / previous)
    try:
        return trendsources.read(previous, plan_dir=plan_dir, branch=options.branch, published=published,
                                 cache=config_dir / options.cache_dir)
    except history.HistoryError as error:
        raise PluginError(f"cannot read the published values over time: {error}") from None


def _history(options: Any, plan_dir: Path, config_dir: Path) -> history.History:
    """The published plans this build is compared with (`publish.history`); a `previous` path is relative to
    mkdocs.yml, like MkDocs' own paths."""
    previous = options.previous
    if previous not in (history.AUTO, history.NONE):
        previous = str(config_dir / previous)
    try:
        return history.load(previous, plan_dir=plan_dir, branch=options.branch, building=options.version)
    except history.HistoryError as error:
        raise PluginError(f"cannot read the published plans: {error}") from None
