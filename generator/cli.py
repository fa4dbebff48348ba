"""`handbook`: check a plan, build the handbook site, serve it while editing.

The command line is a thin edge: it parses arguments, calls the loader or
MkDocs, prints what they report and picks the exit code.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from generator import collector
from generator.diagnostics import PlanError
from generator.loader import load_plan
from generator.model import Plan
from generator.progress import SILENT, Progress
from generator.progress import wanted as progress_wanted
from generator.writing import replace_dir

DESCRIPTION = """\
Turn a company's plan (YAML in a plan folder) into a handbook site that shows
how every team's goals serve the organization's objectives.

  handbook check              validate the plan and report every problem
  handbook build              build the site into ./site (strict MkDocs build)
  handbook serve              preview the site, rebuilding on every plan edit
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `handbook` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    return int(args.run(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="handbook", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def plan_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--plan", type=Path, default=Path("plan"), metavar="DIR",
                       help="the plan folder (default: plan)")

    def config_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", "-f", type=Path, default=Path("mkdocs.yml"), metavar="FILE",
                       help="the MkDocs configuration (default: mkdocs.yml)")

    check = commands.add_parser("check", help="validate the plan and report every problem",
                                description="Validate the plan. Prints each problem as FILE:LINE:COL with a hint; "
                                            "exits 1 if there are errors, 0 when the plan is clean.")
    plan_option(check)
    check.set_defaults(run=_check)

    build = commands.add_parser("build", help="build the handbook site",
                                description="Validate the plan and build the site with MkDocs in strict mode. "
                                            "The site is built in a temporary folder and swapped in only on "
                                            "success, so a failed build leaves the previous site untouched.")
    plan_option(build)
    config_option(build)
    build.add_argument("--site-dir", type=Path, default=None, metavar="DIR",
                       help="where to put the site (default: site_dir of mkdocs.yml, ./site)")
    build.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")
    build.set_defaults(run=_build)

    serve = commands.add_parser("serve", help="preview the handbook, rebuilding on plan edits",
                                description="Serve the handbook on a local address and rebuild it whenever a "
                                            "file in the plan folder changes.")
    plan_option(serve)
    config_option(serve)
    serve.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", metavar="IP:PORT",
                       help="address to serve on (default: 127.0.0.1:8000)")
    serve.set_defaults(run=_serve)
    return parser


def _check(args: argparse.Namespace) -> int:
    try:
        plan = load_plan(args.plan)
    except PlanError as error:
        print(error, file=sys.stderr)
        return 1
    goals = len(plan.goals())
    print(f"{args.plan}: ok: {len(plan.objectives)} objectives, {len(plan.teams)} teams, {goals} goals, "
          f"{len(plan.people())} people, {len(plan.reviews)} reviews")
    return 0


def _build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.plugin import HandbookPlugin

    started = time.monotonic()
    progress = Progress(sys.stderr, enabled=not args.quiet and progress_wanted(sys.stderr))
    progress.start(f"loading and checking {_plan_file_count(args.plan):,} plan files")
    with collector.paused():
        plan = _load_reporting(args.plan, progress)
    if plan is None:
        return 1
    collector.keep_until_exit()
    # On a terminal the progress line replaces MkDocs' own chatter; warnings and errors still show.
    _log_to_terminal(logging.WARNING if args.quiet or progress.enabled else logging.INFO, progress.enabled)
    config = load_config(str(args.config), docs_dir=str(args.plan.resolve()))
    target = (args.site_dir or Path(config.site_dir)).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        config = load_config(str(args.config), docs_dir=str(args.plan.resolve()), site_dir=str(staging))
        handbook = [plugin for plugin in config.plugins.values() if isinstance(plugin, HandbookPlugin)]
        for plugin in handbook:
            plugin.hand_over(args.plan, plan, progress)
        try:
            build(config)
        finally:
            for plugin in handbook:
                plugin.hand_over(None)
    except (MkDocsException, OSError) as error:
        progress.finish()
        shutil.rmtree(staging, ignore_errors=True)
        print(f"handbook: build failed, {target} is unchanged: {error}", file=sys.stderr)
        return 1
    except BaseException:
        progress.finish()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_dir(staging, target)
    took = f" in {time.monotonic() - started:.1f} s" if progress.enabled else ""
    print(f"handbook: site written to {os.path.relpath(target)}{took}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    if _load_reporting(args.plan) is None:
        return 1
    _log_to_terminal(logging.INFO)
    # Rebuild only what an edit changed: the plugin rewrites only changed pages (and
    # touches them all when the navigation changes), so MkDocs' dirty builds are exact here.
    logging.getLogger("mkdocs.commands.build").addFilter(_DirtyBuildNotice())
    try:
        serve(config_file=str(args.config), dev_addr=args.dev_addr, docs_dir=str(args.plan.resolve()),
              build_type="dirty")
    except MkDocsException as error:
        print(f"handbook: {error}", file=sys.stderr)
        return 1
    return 0


def _load_reporting(plan_dir: Path, progress: Progress = SILENT) -> Plan | None:
    """Load the plan, reporting its errors before MkDocs starts, so they read like a compiler's."""
    try:
        plan = load_plan(plan_dir)
    except PlanError as error:
        progress.finish()
        print(error, file=sys.stderr)
        return None
    progress.finish()
    return plan


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
