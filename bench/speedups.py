"""What each speed-up buys: `handbook build` of the 1,000-team plan with all of them, and with each one off.

    python -m bench.speedups                      # 1,000 teams, 1 run of each variant (about 12 min)
    python -m bench.speedups --teams 100 --runs 3

Every variant builds the same synthetic plan (bench/synthetic.py, seed 1) into
the same site folder, as a user rebuilding does, after one warm-up build. A
variant turns one speed-up off in the child process before `handbook build`
runs (the product itself has one switch only, HANDBOOK_WORKERS=1, which is the
'one-process' variant). The table gives the median wall time, the difference
from 'all', and the peak memory, and is appended to bench/results.md's
analysis by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from bench.run import PYTHON, REPO, SEED, run_child
from bench.synthetic import write_with_history


def _patch(module: str, name: str, value: object) -> Callable[[], None]:
    def apply() -> None:
        import importlib

        setattr(importlib.import_module(module), name, value)
    return apply


def _no_spare() -> None:
    from sales_handbook.speed import recycling

    recycling.take = lambda *args, **kwargs: None  # type: ignore[assignment]
    recycling.keep = lambda old, spare: shutil.rmtree(old)  # type: ignore[assignment]


def _no_collector_pause() -> None:
    from sales_handbook.speed import collector

    collector.paused = contextlib.nullcontext  # type: ignore[assignment]
    collector.keep_until_exit = lambda: None  # type: ignore[assignment]


def _plain_template_calls() -> None:
    import jinja2

    from sales_handbook.site import pages

    pages._environment().context_class = jinja2.runtime.Context


VARIANTS: dict[str, tuple[str, Callable[[], None] | None, dict[str, str]]] = {
    "all": ("every speed-up on", None, {}),
    "one-process": ("HANDBOOK_WORKERS=1: no forked worker anywhere", None, {"HANDBOOK_WORKERS": "1"}),
    "no-forked-loading": ("team files parsed in this process",
                          _patch("sales_handbook.speed.parallel", "PARALLEL_FILES", 10**9), {}),
    "no-forked-rendering": ("pages rendered in this process",
                            _patch("sales_handbook.speed.parallel", "MIN_PAGES", 10**9), {}),
    "no-worker-beside-mkdocs": ("figures drawn and redirects written in MkDocs' process",
                                _patch("sales_handbook.speed.beside", "BESIDE_FROM", 10**9), {}),
    "no-spare": ("the previous site deleted, every redirect written again", _no_spare, {}),
    "no-collector-pause": ("the cycle collector runs as Python decides", _no_collector_pause, {}),
    "no-libyaml-fast-path": ("every file read by the careful reader",
                             _patch("sales_handbook.plan.yamlfile", "_WITH_LIBYAML", False), {}),
    "no-fast-template-calls": ("Jinja's own call path", _plain_template_calls, {}),
}


def child(variant: str, arguments: list[str]) -> int:
    """In the child: turn the variant's speed-up off, then run `handbook ARGUMENTS` (or, for `phases PLAN`, time
    the generator's phases as `make bench` does)."""
    patch = VARIANTS[variant][1]
    if patch is not None:
        patch()
    if arguments[:1] == ["phases"]:
        from bench.run import phases_main

        phases_main(arguments[1])
        return 0
    from sales_handbook import cli

    return cli.main(arguments)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated variants (default: all of them)")
    parser.add_argument("--phases", action="store_true",
                        help="time the generator's phases (load, generate) instead of whole builds: the speed-ups "
                             "of those phases are smaller than a build's run-to-run noise")
    parser.add_argument("--work", type=Path, default=REPO / ".cache" / "bench")
    parser.add_argument("--child", metavar="VARIANT", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.child:
        return child(args.child, rest)
    work = args.work / f"teams-{args.teams}"
    work.mkdir(parents=True, exist_ok=True)
    plan = work / "plan"
    if not (work / ".git").is_dir():
        write_with_history(work, args.teams, SEED)  # 8 quarters of values over time in git
    shutil.copy(REPO / "mkdocs.yml", work / "mkdocs.yml")
    shutil.rmtree(work / "theme", ignore_errors=True)
    shutil.copytree(REPO / "theme", work / "theme")
    names = [name for name in VARIANTS if not args.only or name in args.only.split(",")]

    def build(variant: str) -> tuple[float, float]:
        measured = run_child([PYTHON, "-m", "bench.speedups", "--child", variant, "build", "--quiet", "--plan",
                              str(plan), "--site-dir", str(work / "site"), "--config", str(work / "mkdocs.yml")],
                             cwd=REPO, env=VARIANTS[variant][2])
        return measured.wall, measured.peak_rss_mb

    if args.phases:
        return phases(plan, names, args.runs)
    build("all")  # warm-up: the site and the spare exist, as for a user's rebuild
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for run in range(args.runs):
        for name in names:
            results[name].append(build(name))
            print(f"run {run + 1}/{args.runs} {name}: {results[name][-1][0]:.1f} s", file=sys.stderr, flush=True)
    base = statistics.median(wall for wall, _ in results["all"]) if "all" in results else None
    lines = [f"`handbook build`, {args.teams:,} teams, median of {args.runs} (`python -m bench.speedups`):", "",
             "| Variant | What is off | Build | vs all | Peak memory |", "| --- | --- | ---: | ---: | ---: |"]
    for name in names:
        wall = statistics.median(w for w, _ in results[name])
        rss = statistics.median(r for _, r in results[name])
        delta = "" if base is None or name == "all" else f"{wall - base:+.1f} s ({(wall - base) / base:+.0%})"
        lines.append(f"| {name} | {VARIANTS[name][0]} | {wall:.1f} s | {delta} | {rss:.0f} MiB |")
    print("\n".join(lines))
    return 0


def phases(plan: Path, names: list[str], runs: int) -> int:
    """Load + generate with every speed-up, and with each one off, in fresh processes; medians."""
    import json

    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for run in range(runs):
        for name in names:
            measured = run_child([PYTHON, "-m", "bench.speedups", "--child", name, "phases", str(plan)], cwd=REPO,
                                 env=VARIANTS[name][2])
            results[name].append(json.loads(measured.stdout.strip().splitlines()[-1]))
    print(f"Phases, median of {runs} (`python -m bench.speedups --phases`):\n")
    print("| Variant | Load + validate | Generate | Load + generate | vs all |\n| --- | ---: | ---: | ---: | ---: |")
    base = statistics.median(r["load"] + r["render"] for r in results["all"]) if "all" in results else None
    for name in names:
        load = statistics.median(r["load"] for r in results[name])
        render = statistics.median(r["render"] for r in results[name])
        both = statistics.median(r["load"] + r["render"] for r in results[name])
        delta = "" if base is None or name == "all" else f"{both - base:+.2f} s"
        print(f"| {name} | {load:.2f} s | {render:.2f} s | {both:.2f} s | {delta} |")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.exit(main())
