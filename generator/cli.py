"""`handbook`: check a plan, build the handbook site, serve it while editing.

The command line is a thin edge: it parses arguments, calls the loader or
MkDocs, prints what they report and picks the exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from generator import health
from generator.audience import AUDIENCE_VARIABLE, Audience
from generator.diagnostics import PlanError
from generator.loader import load_plan
from generator.writing import replace_dir

DESCRIPTION = """\
Turn a company's plan (YAML in a plan folder) into a handbook site that shows
how every team's goals serve the organization's objectives.

  handbook check              validate the plan and report every problem
  handbook build              build the public site into ./site (strict MkDocs build)
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

    def audience_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--audience", choices=[a.value for a in Audience], default=Audience.public.value,
                       help="who the site is for. public (the default, whatever mkdocs.yml says) leaves out "
                            "every item marked 'visibility: internal' and every trace of it: pages, navigation, "
                            "search index, sitemap, counts, and links from public items. internal includes "
                            "them, each marked 'Internal'")

    check = commands.add_parser("check", help="validate the plan and report every problem",
                                description="Validate the plan, then run the alignment rules. Prints each problem "
                                            "as FILE:LINE:COL: severity: message [rule] with a hint, grouped by "
                                            "file, and a summary line. Exits 1 if there are errors, 0 otherwise.")
    plan_option(check)
    check.add_argument("--strict", action="store_true",
                       help="treat warnings as errors (exit 1 on any warning), for a plan that must be spotless")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text for people (default), json for tools: one document with every finding")
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
    return parser


def _check(args: argparse.Namespace) -> int:
    try:
        plan = load_plan(args.plan)
    except PlanError as error:
        if args.format == "json":
            print(health.as_json(str(args.plan), (), error.diagnostics))
        else:
            print(error, file=sys.stderr)
        return 1
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
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    if _check_quietly(args.plan):
        return 1
    _log_to_terminal(logging.WARNING if args.quiet else logging.INFO)
    config = load_config(str(args.config), docs_dir=str(args.plan.resolve()))
    target = (args.site_dir or Path(config.site_dir)).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        with _audience_for_plugin(args.audience):
            config = load_config(str(args.config), docs_dir=str(args.plan.resolve()), site_dir=str(staging))
            build(config)
    except (MkDocsException, OSError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"handbook: build failed, {target} is unchanged: {error}", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_dir(staging, target)
    print(f"handbook: {args.audience} site written to {os.path.relpath(target)}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    if _check_quietly(args.plan):
        return 1
    _log_to_terminal(logging.INFO)
    try:
        with _audience_for_plugin(args.audience):
            serve(config_file=str(args.config), dev_addr=args.dev_addr, docs_dir=str(args.plan.resolve()))
    except MkDocsException as error:
        print(f"handbook: {error}", file=sys.stderr)
        return 1
    return 0


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


def _check_quietly(plan_dir: Path) -> bool:
    """Report plan errors before MkDocs starts, so they read like a compiler's; True if any."""
    try:
        plan = load_plan(plan_dir)
    except PlanError as error:
        print(error, file=sys.stderr)
        return True
    found = health.findings(plan)
    errors = [f for f in found if f.severity == "error"]
    if errors:
        print(f"{health.format_text(errors)}\n{plan_dir}: {health.summary(found)}: errors stop the build "
              "(run 'handbook check' for everything)", file=sys.stderr)
        return True
    return False


def _log_to_terminal(level: int) -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_handbook", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._handbook = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
