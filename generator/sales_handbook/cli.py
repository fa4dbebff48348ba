"""`handbook`: check a plan, build the handbook site, serve it while editing.

The command line is a thin edge: it parses arguments, calls the loader or
MkDocs, prints what they report and picks the exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import io
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sales_handbook.plan import lineage
from sales_handbook.publish import history
from sales_handbook.rules import health
from sales_handbook.site import report, words
from sales_handbook.speed import collector, parallel
from sales_handbook.model.audience import AUDIENCE_VARIABLE, Audience, for_audience
from sales_handbook.plan.diagnostics import PlanError, format_report, one_line
from sales_handbook.publish.interrupts import Interrupts
from sales_handbook.plan.loader import display_path
from sales_handbook.rules.health import Finding
from sales_handbook.plan.plan import ORGANIZATION_FILE, RETIRED_FILE, Plan
from sales_handbook.engine.progress import Progress
from sales_handbook.engine.progress import wanted as progress_wanted
from sales_handbook.publish.configuration import ConfigurationError
from sales_handbook.publish.sitefolder import SiteFolderError

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from sales_handbook.engine.session import Prepared
    from sales_handbook.publish.builds import Published

DESCRIPTION = """\
Turn a company's plan (YAML in a plan folder) into a handbook site that shows
how every team's goals serve the organization's objectives.

  handbook check              validate the plan and report every problem
  handbook build              build the public site into ./site (strict MkDocs build)
  handbook serve              preview the site, rebuilding on every plan edit
  handbook publish VERSION    publish the site as a version on the gh-pages branch (mike)
  handbook publish --dir OUT  publish the site to a folder, replaced in one step
  handbook diff OLD NEW       list what changed between two plans
  handbook export DIR         write plain Markdown and files that another engine can build
  handbook export --format csv FILE   write every goal and key metric as a spreadsheet
  handbook update FILE.csv    write a check-in's current values, confidence and notes into the plan
  handbook init [DIR]         start a new company's handbook: a starter plan, CI, schemas
  handbook schema             write the JSON Schema of every kind of plan file
"""


DEBUG_VARIABLE = "HANDBOOK_DEBUG"
"""Set it to let an unexpected error show its Python traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `handbook` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    interrupts = Interrupts()
    args.interrupts = interrupts
    try:
        with interrupts.catching():
            return int(args.run(args))
    except (SiteFolderError, ConfigurationError) as error:
        print(f"handbook: {error}", file=sys.stderr)
        return 1
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt) or interrupts.received is not None:
            print("\nhandbook: interrupted; a site folder is only ever replaced by a finished build",
                  file=sys.stderr)
            return interrupts.exit_code
        if not isinstance(error, Exception) or os.environ.get(DEBUG_VARIABLE):
            raise
        print(f"handbook: unexpected error: {type(error).__name__}: {one_line(error)}\n"
              f"This is a bug in the handbook; nothing was replaced. Run again with {DEBUG_VARIABLE}=1 to see where "
              "it happened, and report it with that output.", file=sys.stderr)
        return 70


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="handbook", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def plan_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--plan", type=Path, default=Path("plan"), metavar="DIR",
                       help="the plan folder (default: plan)")

    def config_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", "-f", type=Path, default=None, metavar="FILE",
                       help="a MkDocs configuration, merged on top of the handbook's packaged defaults (default: "
                            "./mkdocs.yml if there is one, else the defaults alone)")

    def audience_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--audience", choices=[a.value for a in Audience], default=Audience.public.value,
                       help="who the site is for. public (the default, whatever mkdocs.yml says) leaves out "
                            "every item marked 'visibility: internal' and every trace of it: pages, navigation, "
                            "search index, sitemap, counts, and links from public items. internal includes "
                            "them, each marked 'Internal'")

    def history_options(p: argparse.ArgumentParser, default: str = history.AUTO) -> None:
        p.add_argument("--previous", default=default, metavar="SPEC",
                       help="what was published before, whose links must keep working: 'auto' (the versions on "
                            "the publishing branch of the plan's git repository; for publish --dir, OUT's own "
                            f"plan.json), a plan.json or a built site folder, or 'none' (default: {default})")
        p.add_argument("--branch", default="gh-pages", metavar="BRANCH",
                       help="the branch versions are published on (default: gh-pages)")

    check = commands.add_parser("check", help="validate the plan and report every problem",
                                description="Validate the plan, then run the alignment rules. Prints each problem "
                                            "as FILE:LINE:COL: severity: message [rule] with a hint, grouped by "
                                            "file, and a summary line. Exits 1 if there are errors, 0 otherwise.")
    plan_option(check)
    check.add_argument("--strict", action="store_true",
                       help="treat warnings as errors (exit 1 on any warning), for a plan that must be spotless")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text for people (default), json for tools: one document with every finding")
    audience_option(check)
    history_options(check)
    check.set_defaults(run=_check)

    build = commands.add_parser("build", help="build the handbook site",
                                description="Validate the plan and build the site with MkDocs in strict mode. "
                                            "The site is built in a temporary folder and swapped in only on "
                                            "success, so a failed build leaves the previous site untouched. "
                                            "Unless --audience internal is given, the site is the public one: "
                                            "nothing marked internal is in any of its files.")
    plan_option(build)
    config_option(build)
    audience_option(build)
    history_options(build)
    build.add_argument("--site-dir", type=Path, default=None, metavar="DIR",
                       help="where to put the site (default: site_dir of mkdocs.yml, ./site)")
    build.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")
    build.set_defaults(run=_build)

    serve = commands.add_parser("serve", help="preview the handbook, rebuilding on plan edits",
                                description="Serve the handbook on a local address and rebuild it whenever a "
                                            "file in the plan folder changes.")
    plan_option(serve)
    config_option(serve)
    audience_option(serve)
    serve.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", metavar="IP:PORT",
                       help="address to serve on (default: 127.0.0.1:8000)")
    serve.set_defaults(run=_serve)

    publish = commands.add_parser(
        "publish", help="publish the handbook: a version on a git branch, or a folder",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Build the handbook (strictly, checked against what was published before) and publish it.\n\n"
                    "  handbook publish VERSION    commit the site to BRANCH as VERSION with mike; the alias\n"
                    "                              'latest' and the site root lead to it, a version selector\n"
                    "                              shows in the header, earlier versions stay as they were\n"
                    "  handbook publish --dir OUT  replace the folder OUT in one step, for plain static hosting\n\n"
                    "A failed build changes nothing: the branch (or OUT) stays exactly as it was. Nothing leaves\n"
                    "this machine unless --push is given and the repository has the remote.")
    publish.add_argument("version", nargs="?", metavar="VERSION", help="the version to publish, like 2026-Q4")
    publish.add_argument("--title", metavar="TITLE", help="the version's title in the selector (default: VERSION)")
    publish.add_argument("--dir", type=Path, metavar="OUT", help="publish to this folder instead of a branch")
    publish.add_argument("--push", action="store_true", help="push the branch to the remote afterwards, if it exists")
    publish.add_argument("--remote", default="origin", metavar="NAME", help="the remote to push to (default: origin)")
    plan_option(publish)
    config_option(publish)
    audience_option(publish)
    history_options(publish)
    publish.set_defaults(run=_publish)

    export = commands.add_parser(
        "export", help="write the handbook as plain Markdown for another engine, or its numbers as a spreadsheet",
        description="--format site (the default): write DIR/docs (every page as Markdown, safe on its own, with its "
                    "figures as inline SVG, and the redirects and plan.json), DIR/mkdocs.yml (plain MkDocs with "
                    "Material, no handbook plugin) and DIR/overrides (the theme overrides). Build it with 'mkdocs "
                    "build -f DIR/mkdocs.yml' or another engine. DIR is replaced in one step, like a site folder. "
                    "--format csv or xlsx: write FILE with one row per goal, individual goal and key metric (team, "
                    "owner, baseline, target, current, status, confidence, note...), the monthly check-in's sheet "
                    "that 'handbook update' reads back. '-' writes CSV to standard output. An existing FILE is "
                    "replaced only with --force.")
    export.add_argument("out", metavar="DIR|FILE", help="the folder to write (replaced whole), or with --format csv or "
                                                        "xlsx the file ('-': standard output)")
    export.add_argument("--format", choices=("site", *checkin_formats()), default="site",
                        help="site: Markdown for another engine (default); csv or xlsx: the plan's numbers")
    export.add_argument("--force", action="store_true", help="with --format csv or xlsx: replace FILE if it exists")
    plan_option(export)
    audience_option(export)
    history_options(export)
    export.set_defaults(run=_export)

    update = commands.add_parser(
        "update", help="write a check-in's values from a CSV file into the plan",
        description="Read FILE.csv (a header row naming at least the columns id and current, and optionally "
                    "confidence and note; other columns are ignored, so an export edited in a spreadsheet or a CRM "
                    "report both work) and write the values into the plan's YAML in place: only those values "
                    "change, every comment, quote and blank line stays. Sets as_of in organization.yaml. An empty "
                    "cell leaves a value as it is; '-' removes it. Every problem is reported as FILE.csv:ROW:COLUMN, "
                    "and nothing is written unless every row is right.")
    update.add_argument("table", type=Path, metavar="FILE.csv", help="the CSV file with the values")
    update.add_argument("--as-of", default=None, metavar="DATE",
                        help="the day the values were measured, YYYY-MM-DD (default: today)")
    update.add_argument("--dry-run", action="store_true", help="print the change as a diff and write nothing")
    plan_option(update)
    update.set_defaults(run=_update)

    diff = commands.add_parser(
        "diff", help="list what changed between two plans",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare two plans: goals added, retired, renamed, moved between teams, retargeted, realigned,\n"
                    "retitled or given a new owner; objectives added, renamed, changed or retired; teams formed,\n"
                    "renamed or retired. OLD and NEW can each be:\n\n"
                    "  plan/                  a plan folder\n"
                    "  site/ or site/plan.json  a built site or its plan.json snapshot\n"
                    "  HEAD~1:plan            a plan folder (or plan.json) at a git revision, as REV:PATH\n"
                    "  2026-Q3, latest        a version (or alias) published on the branch\n\n"
                    "An existing path wins over the other forms.")
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--format", choices=report.FORMATS, default="text", help="output format (default: text)")
    diff.add_argument("--branch", default="gh-pages", metavar="BRANCH",
                      help="the branch published versions are read from (default: gh-pages)")
    audience_option(diff)
    diff.set_defaults(run=_diff)

    init = commands.add_parser(
        "init", help="start a new company's handbook repository",
        description="Write a small starter plan (it passes 'handbook check' and builds), JSON Schemas for editors, "
                    ".gitignore, a minimal mkdocs.yml, a CODEOWNERS sketch and CI for GitHub Actions and GitLab "
                    "into DIR. Writes nothing if any of those files exists.")
    init.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                      help="the folder to write into (default: the current folder)")
    init.add_argument("--name", required=True, help='the organization\'s name, like "Acme Ltd"')
    init.add_argument("--language", default="en", metavar="TAG",
                      help="the language of the handbook's own words, a BCP 47 tag: en (default), de, nb")
    init.set_defaults(run=_init)

    schema = commands.add_parser(
        "schema", help="write the JSON Schema of every kind of plan file",
        description="Write the JSON Schema (draft 2020-12) of each kind of plan file, generated from the handbook's "
                    "own models, for editors and validators. Files this command did not write are never replaced.")
    schema.add_argument("--out", type=Path, default=Path(".handbook/schema"), metavar="DIR",
                        help="the folder to write into (default: .handbook/schema, where init puts them)")
    schema.set_defaults(run=_schema)
    return parser


def _init(args: argparse.Namespace) -> int:
    from sales_handbook import scaffold

    try:
        written = scaffold.init(args.dir, args.name, language=args.language)
    except (scaffold.ScaffoldError, OSError) as error:
        print(f"handbook: init wrote nothing: {error}", file=sys.stderr)
        return 1
    from sales_handbook.site import words

    warning = words.fallback_warning(args.language)
    if warning is not None:
        print(f"handbook: warning: {warning}", file=sys.stderr)
    print(f"handbook: wrote {len(written)} files into {args.dir}. Next: cd {args.dir}, then 'handbook check' and "
          "'handbook build'; edit plan/ and commit it")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from sales_handbook.plan import jsonschema

    try:
        written = jsonschema.write(args.out)
    except (jsonschema.NotOurs, OSError) as error:
        print(f"handbook: {error}", file=sys.stderr)
        return 1
    print(f"handbook: wrote {len(written)} schemas into {args.out}")
    return 0


def _check(args: argparse.Namespace) -> int:
    checked = _checked_plan(args.plan, args.previous, args.branch, args.audience, announce=args.format == "text",
                            json_errors=args.format == "json", rules_stop=False)
    if checked is None:
        return 1
    plan = checked.plan
    found = health.findings(plan, strict=args.strict)
    if args.format == "json":
        print(health.as_json(str(args.plan), found))
    else:
        if found:
            print(health.format_text(found) + "\n")
        print(f"{args.plan}: {health.summary(found)} in {len(plan.objectives)} objectives, {len(plan.teams)} "
              f"teams, {len(plan.goals())} goals, {len(plan.people())} people, {len(plan.reviews)} reviews")
    return 1 if any(f.severity == "error" for f in found) else 0


def _build(args: argparse.Namespace) -> int:
    from sales_handbook.engine.session import Prepared
    from sales_handbook.publish import builds as publish

    started = time.monotonic()
    progress = Progress(sys.stderr, enabled=not args.quiet and progress_wanted(sys.stderr))
    progress.start(f"loading and checking {_plan_file_count(args.plan):,} plan files")
    with collector.paused(), contextlib.redirect_stderr(io.StringIO()) as report_text:
        checked = _checked_plan(args.plan, args.previous, args.branch, args.audience)
    progress.finish()  # end the progress line before the report, if any, is shown
    sys.stderr.write(report_text.getvalue())
    if checked is None:
        return 1
    collector.keep_until_exit()
    # On a terminal the progress line replaces MkDocs' own chatter; warnings and errors still show.
    _log_to_terminal(logging.WARNING if args.quiet or progress.enabled else logging.INFO, progress.enabled)
    config = _load_config(args.config, args.plan)
    if config is None:
        return 1
    target = (args.site_dir or Path(config.site_dir)).resolve()
    # The build takes the plan checked here instead of reading it again.
    settings = publish.Settings(previous=args.previous, branch=args.branch,
                                prepared=Prepared(args.plan.resolve(), checked.plan, checked.findings, progress))
    try:
        with _audience_for_plugin(args.audience):
            publish.build_into(target, config_file=args.config, plan_dir=args.plan, settings=settings,
                               recycle=True, interrupts=args.interrupts, waiting=_say)
    except publish.BuildFailed as error:
        progress.finish()
        print(f"handbook: build failed, {target} is unchanged: {error}", file=sys.stderr)
        return 1
    took = f" in {time.monotonic() - started:.1f} s" if progress.enabled else ""
    print(f"handbook: {args.audience} site written to {os.path.relpath(target)}{took}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from sales_handbook.engine.session import Prepared
    from sales_handbook.publish import builds as publish

    if args.dir is None and args.version is None:
        print("handbook: publish needs a VERSION (like 2026-Q4), or --dir OUT for a plain folder", file=sys.stderr)
        return 2
    previous = args.previous if args.dir is None else publish.previous_for_dir(args.dir, args.previous)
    checked = _checked_plan(args.plan, previous, args.branch, args.audience)
    if checked is None:
        return 1
    _log_to_terminal(logging.WARNING)
    try:
        with _audience_for_plugin(args.audience):
            done = _publish_to(args, Prepared(args.plan.resolve(), checked.plan, checked.findings))
    except publish.BuildFailed as error:
        where = args.dir if args.dir is not None else f"branch {args.branch}"
        print(f"handbook: build failed, nothing was published ({where} is unchanged):\n{error}", file=sys.stderr)
        return 1
    except publish.PublishError as error:
        print(f"handbook: {error}", file=sys.stderr)
        return 1
    if done is None:
        print(f"handbook: {args.audience} site published to {os.path.relpath(args.dir.resolve())}")
        return 0
    if done.changed:
        print(f"handbook: published {done.version} on branch {done.branch} ({done.commit[:12]}); "
              f"{publish.LATEST} and the site root lead to it")
    else:
        print(f"handbook: {done.version} on branch {done.branch} already holds exactly this site: nothing to commit")
    if done.pushed_to:
        print(f"handbook: pushed {done.branch} to {done.pushed_to}")
    elif args.push:
        print(f"handbook: this repository has no remote '{args.remote}': nothing was pushed")
    else:
        print(f"handbook: nothing was pushed; to publish it: git push {args.remote} {done.branch} "
              "(or run again with --push)")
    return 0


def _publish_to(args: argparse.Namespace, prepared: Prepared) -> Published | None:
    """Publish as the arguments say, from the plan already checked: to --dir (None comes back) or as VERSION on
    the branch."""
    from sales_handbook.publish import builds as publish

    if args.dir is not None:
        settings = publish.Settings(args.previous, args.branch, args.version, args.title, prepared=prepared)
        publish.publish_dir(args.dir, config_file=args.config, plan_dir=args.plan, settings=settings)
        return None
    return publish.publish_version(args.version, config_file=args.config, plan_dir=args.plan, title=args.title,
                                   branch=args.branch, previous=args.previous, push=args.push, remote=args.remote,
                                   prepared=prepared)


def checkin_formats() -> tuple[str, ...]:
    """The spreadsheet formats `handbook export --format` writes."""
    from sales_handbook.publish import checkin

    return checkin.FORMATS


def _export(args: argparse.Namespace) -> int:
    from sales_handbook.publish import builds, configuration, export, trendsources

    if args.format != "site":
        return _export_table(args)
    if args.force:
        print("handbook: --force is for --format csv or xlsx; the site export replaces DIR in one step anyway",
              file=sys.stderr)
        return 2
    args.out = Path(args.out)
    checked = _checked_plan(args.plan, args.previous, args.branch, args.audience)
    if checked is None:
        return 1
    plan = checked.plan
    try:
        sources = trendsources.read(args.previous, plan_dir=args.plan, branch=args.branch, published=checked.published,
                                    cache=Path.cwd() / configuration.CACHE_DEFAULT)
    except history.HistoryError as error:
        print(f"handbook: cannot read the published values over time: {error}", file=sys.stderr)
        return 1
    files = export.export_files(plan, checked.findings, Audience(args.audience), checked.published,
                                plan.organization.period, sources)
    export.export(args.out, files, builds.protected_paths(args.plan, Path("mkdocs.yml")), interrupts=args.interrupts,
                  waiting=_say)
    print(f"handbook: {args.audience} handbook exported to {os.path.relpath(args.out.resolve())}: build it with "
          f"'mkdocs build -f {os.path.relpath(args.out.resolve() / 'mkdocs.yml')}'")
    return 0


def _export_table(args: argparse.Namespace) -> int:
    from sales_handbook.publish import checkin

    try:
        plan = parallel.reader([health.settings_problems]).load(args.plan)
    except PlanError as error:
        print(error, file=sys.stderr)
        return 1
    try:
        where = checkin.export_table(plan, Audience(args.audience), args.out, args.format, force=args.force)
    except (checkin.CheckInError, OSError) as error:
        print(f"handbook: nothing was written: {error}", file=sys.stderr)
        return 1
    print(f"handbook: {args.audience} numbers written to {where} as {args.format}", file=sys.stderr)
    return 0


def _update(args: argparse.Namespace) -> int:
    import datetime as dt

    from sales_handbook.publish import checkin

    as_of = args.as_of if args.as_of is not None else dt.date.today().isoformat()
    try:
        done = checkin.update(args.plan, args.table, as_of, dry_run=args.dry_run)
    except PlanError as error:
        count = len(error.diagnostics)
        print("\n".join(d.format() for d in error.diagnostics) + f"\nhandbook: {count} "
              f"{'problem' if count == 1 else 'problems'}, nothing was written", file=sys.stderr)
        return 1
    except (checkin.CheckInError, OSError) as error:
        print(f"handbook: nothing was written: {error}", file=sys.stderr)
        return 1
    if args.dry_run:
        sys.stdout.write(done.diff())
        print(f"handbook: dry run, nothing was written: {_count(done.values, 'value')} from "
              f"{_count(done.rows, 'row')} would change {_count(len(done.files), 'file')}", file=sys.stderr)
        return 0
    print(f"handbook: wrote {_count(done.values, 'value')} from {_count(done.rows, 'row')} into "
          f"{_count(len(done.files), 'file')}, as of {done.as_of}. Next: 'handbook check', then commit and "
          "'handbook publish'")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _diff(args: argparse.Namespace) -> int:
    from sales_handbook.model import changes

    try:
        old_label, old = history.open_plan(args.old, cwd=Path.cwd(), branch=args.branch)
        new_label, new = history.open_plan(args.new, cwd=Path.cwd(), branch=args.branch)
    except PlanError as error:
        print(error, file=sys.stderr)
        return 1
    except history.HistoryError as error:
        print(f"handbook: {error}", file=sys.stderr)
        return 1
    found = changes.compare(for_audience(old, args.audience), for_audience(new, args.audience), old_label, new_label)
    sys.stdout.write(report.render(found, args.format))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    from sales_handbook.publish import configuration

    if _checked_plan(args.plan, history.AUTO, "gh-pages", args.audience) is None:
        return 1
    _log_to_terminal(logging.INFO)
    # Rebuild only what an edit changed: the plugin rewrites only changed pages (and
    # touches them all when the navigation changes), so MkDocs' dirty builds are exact here.
    logging.getLogger("mkdocs.commands.build").addFilter(_DirtyBuildNotice())
    try:
        with _audience_for_plugin(args.audience):
            serve(config_file=configuration.source(args.config),  # type: ignore[arg-type]  # a file object
                  config_file_path=configuration.file_path(args.config), dev_addr=args.dev_addr,
                  docs_dir=str(args.plan.resolve()), build_type="dirty")
    except (MkDocsException, configuration.ConfigurationError) as error:
        print(f"handbook: {error}", file=sys.stderr)
        return 1
    return 0


class Checked(NamedTuple):
    """A plan that passed the checks, its findings (when the rules were run) and the published plans it was
    compared with."""

    plan: Plan
    findings: tuple[Finding, ...]
    published: history.History


def _checked_plan(plan_dir: Path, previous: str, branch: str, audience: str, *, announce: bool = False,
                  json_errors: bool = False, rules_stop: bool = True) -> Checked | None:
    """The plan, (with `rules_stop`) its findings and the published plans, if it is valid, its `audience` site
    keeps every published id answerable and (with `rules_stop`) it breaks no alignment rule graded as an error;
    else None.

    Run before MkDocs starts, so problems read like a compiler's (the report is printed;
    load errors as JSON with `json_errors`, for `handbook check --format json`).
    """
    try:
        plan = parallel.reader([health.settings_problems]).load(plan_dir)
        published = history.load(previous, plan_dir=plan_dir, branch=branch)
    except PlanError as error:
        if json_errors:
            print(health.as_json(str(plan_dir), (), error.diagnostics))
        else:
            print(error, file=sys.stderr)
        return None
    except history.HistoryError as error:
        print(f"handbook: cannot read the published plans: {error}", file=sys.stderr)
        return None
    untranslated = words.fallback_warning(plan.organization.language)
    if untranslated:
        print(f"{display_path(plan_dir / ORGANIZATION_FILE)}: warning: {untranslated}", file=sys.stderr)
    problems = lineage.check_published(for_audience(plan, audience), published.labelled(),
                                       display_path(plan_dir / RETIRED_FILE), unfiltered=plan)
    if problems:
        print(f"Links published before would break (compared with {published.source}):", file=sys.stderr)
        print(format_report(problems), file=sys.stderr)
        return None
    found: tuple[Finding, ...] = ()
    if rules_stop:
        found = health.findings(plan)
        errors = [f for f in found if f.severity == "error"]
        if errors:
            print(f"{health.format_text(errors)}\n{plan_dir}: {health.summary(found)}: errors stop the build "
                  "(run 'handbook check' for everything)", file=sys.stderr)
            return None
    if announce and published.published:
        print(f"{published.source}: every link published in {', '.join(p.label for p in published.published)} "
              "still leads somewhere")
    return Checked(plan, found, published)


@contextlib.contextmanager
def _audience_for_plugin(audience: str) -> Iterator[None]:
    """Hand the audience to the plugin in HANDBOOK_AUDIENCE while MkDocs runs.

    An environment variable, not a plugin option set in code, because `mkdocs serve`
    reloads mkdocs.yml on every rebuild; it also wins over an `audience` in mkdocs.yml,
    so the command line alone decides.
    """
    previous = os.environ.get(AUDIENCE_VARIABLE)
    os.environ[AUDIENCE_VARIABLE] = audience
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(AUDIENCE_VARIABLE, None)
        else:
            os.environ[AUDIENCE_VARIABLE] = previous


def _load_config(config_file: Path | None, plan_dir: Path) -> MkDocsConfig | None:
    """The MkDocs configuration (packaged defaults, ./mkdocs.yml or `config_file` on top), or None after saying
    clearly why it cannot be had."""
    from sales_handbook.publish import configuration

    try:
        return configuration.load(config_file, docs_dir=str(plan_dir.resolve()))
    except configuration.ConfigurationError as error:
        print(f"handbook: {error}", file=sys.stderr)
        return None


def _say(message: str) -> None:
    print(f"handbook: {message}", file=sys.stderr, flush=True)


def _plan_file_count(plan_dir: Path) -> int:
    return sum(1 for _ in plan_dir.rglob("*.yaml")) if plan_dir.is_dir() else 0


class _DirtyBuildNotice(logging.Filter):
    """Drops MkDocs' warning that dirty builds may leave stale navigation: the plugin prevents that.

    In strict mode that warning alone would abort every rebuild of `handbook serve`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def _log_to_terminal(level: int, clear_line: bool = False) -> None:
    """Show MkDocs' messages on stderr; with `clear_line`, first clear a progress line drawn there."""
    logger = logging.getLogger("mkdocs")
    prefix = "\r\x1b[K" if clear_line else ""
    for handler in logger.handlers:
        if getattr(handler, "_handbook", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(prefix + "%(levelname)-7s -  %(message)s"))
    handler._handbook = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
