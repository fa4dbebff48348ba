"""The handbook's benchmark: `make bench` (or `python -m bench.run`).

For plans of 10, 100 and 1,000 teams (bench/synthetic.py, seed 1), in one run:

- the generator's phases, each in a fresh process: load + validate (the
  loader, which includes the reference checks), the alignment checks
  again on their own (references.check, plus the rules of
  generator/sales_handbook/rules/catalogue.py when that module exists), page generation
  (pages.render) and the navigation;
- `handbook build` as a user runs it, in a fresh process: wall time, CPU
  time, peak memory (the process's maximum resident set size, from
  wait4's rusage), pages and site size;
- the engine floor: plain `mkdocs build` of the same generated Markdown
  with the same theme, extensions, plugins and navigation, the generator
  out of the loop;
- at the largest size, `handbook serve`: edit one goal's title, time until
  the served team page shows it, and check the objective pages show it too.

Each figure is the median of --runs runs (builds and floors interleaved, so
a busy machine slows both alike). The table is printed and written to
bench/results.md with a description of the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from bench.synthetic import _Dumper, write_with_history
from sales_handbook.plan import urls

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = sys.executable
HANDBOOK = [PYTHON, "-m", "sales_handbook.cli"]
SEED = 1


# ---------------------------------------------------------------- child processes


@dataclass(frozen=True)
class Measured:
    """One child process: wall and CPU seconds, peak resident memory, and what it printed."""

    wall: float
    cpu: float
    peak_rss_mb: float
    stdout: str


def run_child(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Run `command` to completion and measure it with wait4 (its own rusage, not its siblings')."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})
    out, err = _drain(process)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out)


def _drain(process: subprocess.Popen[bytes]) -> tuple[str, str]:
    """Read both pipes to the end without reaping the process (wait4 does that)."""
    import threading

    chunks: dict[str, bytes] = {}

    def read(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    threads = [threading.Thread(target=read, args=(n, s)) for n, s in (("out", process.stdout), ("err", process.stderr))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return chunks["out"].decode(errors="replace"), chunks["err"].decode(errors="replace")


def phases_main(plan_dir: str) -> None:
    """Child: time the generator's phases on one plan and print them as JSON."""
    import gc

    import resource

    from sales_handbook.plan import references
    from sales_handbook.site import pages
    from sales_handbook.speed import collector, parallel

    try:
        from sales_handbook.rules import catalogue as rules
    except ImportError:
        rules = None

    def timed(step: Any) -> tuple[float, float, Any]:
        """Time one phase as `handbook build` runs it: with the cycle collector paused."""
        gc.collect()
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu(resource)
        with collector.paused():
            value = step()
        return time.perf_counter() - wall, time.process_time() - cpu + _children_cpu(resource) - children, value

    result: dict[str, Any] = {}
    result["load"], result["load_cpu"], plan = timed(lambda: parallel.reader().load(plan_dir))  # as handbook build
    result["check"], result["check_cpu"], _ = timed(lambda: references.check(plan))  # from scratch: a new memo
    if rules is not None:
        result["rules"], result["rules_cpu"], _ = timed(lambda: _run_rules(plan))
    gc.freeze()  # as handbook build does once the plan is loaded
    result["render"], result["render_cpu"], rendered = timed(lambda: parallel.render(plan))
    result["render_workers"] = parallel.workers_wanted(len(rendered))
    result["nav"], result["nav_cpu"], _ = timed(lambda: pages.navigation(plan))
    result["pages"] = len(rendered)
    result["markdown_mb"] = sum(len(text.encode()) for text in rendered.values()) / 1e6
    print(json.dumps(result))


def _children_cpu(resource: Any) -> float:
    """CPU seconds of finished child processes (the render workers), so CPU time is not under-reported."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_rules(plan: Any) -> Any:
    """Every alignment rule on the plan, through the health module's entry point when there is one."""
    try:
        from sales_handbook.rules import health
        return health.findings(plan)
    except ImportError:
        from sales_handbook.rules import catalogue as rules
        return [hit for rule in rules.catalogue() for hit in rule.find(plan)]


# ---------------------------------------------------------------- the engine floor


def floor_config(plan_dir: Path, docs: Path, site: Path) -> dict[str, Any]:
    """mkdocs.yml for the floor: the handbook's own, with the generated pages as docs and the nav written out."""
    from sales_handbook.site import pages, words
    from sales_handbook.plan.loader import load_plan

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    plan = load_plan(plan_dir)
    said = words.words(plan.organization.language)
    config.update(site_name=f"{plan.organization.name} handbook", docs_dir=str(docs), site_dir=str(site),
                  nav=pages.navigation(plan), not_in_nav="\n".join(f"/{page}" for page in sorted(pages.unlisted(plan))))
    config.setdefault("extra", {})["handbook_words"] = dict(said.theme_words)  # what the plugin gives the theme
    config["theme"]["custom_dir"] = str(REPO / config["theme"].get("custom_dir", "theme"))
    config["plugins"] = [p for p in config["plugins"] if (p if isinstance(p, str) else next(iter(p))) != "handbook"]
    return config


def pages_folder(work: Path) -> Path:
    """The folder of generated Markdown in the handbook's cache (not the spare, not the cache's .gitignore)."""
    return next(p for p in sorted((work / ".cache" / "handbook").iterdir()) if p.is_dir() and p.name != "spare")


def prepare_floor(work: Path, plan_dir: Path, generated: Path) -> Path:
    """A folder holding a copy of the generated Markdown and a plain mkdocs.yml that builds it."""
    floor = work / "floor"
    shutil.rmtree(floor, ignore_errors=True)
    shutil.copytree(generated, floor / "docs")
    config = floor_config(plan_dir, floor / "docs", floor / "site")
    (floor / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return floor


# ---------------------------------------------------------------- one size


@dataclass
class SizeResult:
    teams: int
    phases: list[dict[str, Any]] = field(default_factory=list)
    builds: list[Measured] = field(default_factory=list)
    floors: list[Measured] = field(default_factory=list)
    pages: int = 0
    site_mb: float = 0.0
    floor_site_mb: float = 0.0
    plan_mb: float = 0.0

    def median(self, key: str) -> float:
        return statistics.median(p[key] for p in self.phases if key in p) if any(key in p for p in self.phases) \
            else float("nan")


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure_size(work_root: Path, teams: int, runs: int, log: Any) -> SizeResult:
    """Generate the plan, time the phases, then build and floor-build it `runs` times each, interleaved."""
    work = work_root / f"teams-{teams}"
    work.mkdir(parents=True, exist_ok=True)
    plan_dir = write_with_history(work, teams, SEED)  # 8 quarters of values over time in git
    shutil.copy(REPO / "mkdocs.yml", work / "mkdocs.yml")
    shutil.rmtree(work / "theme", ignore_errors=True)
    shutil.copytree(REPO / "theme", work / "theme")
    result = SizeResult(teams, plan_mb=folder_mb(plan_dir))
    for run in range(runs):
        child = run_child([PYTHON, "-m", "bench.run", "--phases", str(plan_dir)], cwd=REPO)
        result.phases.append(json.loads(child.stdout.strip().splitlines()[-1]) | {"phases_rss_mb": child.peak_rss_mb})
        log(f"  {teams} teams, run {run + 1}/{runs}: phases "
            f"load {result.phases[-1]['load']:.2f} s, render {result.phases[-1]['render']:.2f} s")
    site = work / "site"
    build_command = [*HANDBOOK, "build", "--quiet", "--plan", str(plan_dir), "--site-dir", str(site),
                     "--config", str(work / "mkdocs.yml")]
    floor: Path | None = None

    def floor_build() -> Measured:
        assert floor is not None
        return run_child([PYTHON, "-m", "mkdocs", "build", "--quiet", "-f", str(floor / "mkdocs.yml")], cwd=floor)

    for run in range(runs):
        for step in ("build", "floor") if run % 2 == 0 or floor is None else ("floor", "build"):
            if step == "build":
                result.builds.append(run_child(build_command, cwd=work))
                log(f"  {teams} teams, run {run + 1}/{runs}: handbook build {result.builds[-1].wall:.1f} s")
                if floor is None:
                    floor = prepare_floor(work, plan_dir, pages_folder(work))
            else:
                result.floors.append(floor_build())
                log(f"  {teams} teams, run {run + 1}/{runs}: engine floor {result.floors[-1].wall:.1f} s")
    result.pages = sum(1 for _ in site.rglob("*.html")) - (1 if (site / "404.html").exists() else 0)
    result.site_mb = folder_mb(site)
    if floor is not None:
        result.floor_site_mb = folder_mb(floor / "site")
    return result


# ---------------------------------------------------------------- serve


@dataclass
class ServeResult:
    teams: int
    initial_build: float
    latencies: list[float]
    rewritten: list[int]
    correct: list[bool]
    notes: list[str]
    health_checked: int = 0
    """Edits of a goal the health page lists, whose new title it was checked to show."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def goals_with_findings(plan_dir: Path) -> list[tuple[str, str]]:
    """(team id, goal id) of each team goal a rule finding is about: the health page lists them by title."""
    from sales_handbook.rules import health
    from sales_handbook.plan.loader import load_plan

    plan = load_plan(plan_dir)
    owners = {goal.id: team.id for team, goal in plan.goals()}
    return sorted({(owners[f.hit.subject.anchor], f.hit.subject.anchor) for f in health.findings(plan)
                   if f.hit.subject.anchor in owners})


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def measure_serve(work_root: Path, teams: int, edits: int, log: Any) -> ServeResult:
    """Edit one goal at a time while `handbook serve` runs; time until the team page shows it."""
    work = work_root / f"teams-{teams}"
    plan_dir = work / "plan"
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    team_files = sorted((plan_dir / "teams").glob("*.yaml"))
    started = time.perf_counter()
    server = subprocess.Popen([*HANDBOOK, "serve", "--plan", str(plan_dir), "--config", str(work / "mkdocs.yml"),
                               "--dev-addr", f"127.0.0.1:{port}"], cwd=work, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    result = ServeResult(teams, 0.0, [], [], [], [])
    said: list[str] = []
    import threading

    def listen() -> None:  # keep the pipe drained, and hear what each rebuild did
        assert server.stderr is not None
        for line in server.stderr:
            said.append(line.rstrip())

    threading.Thread(target=listen, daemon=True).start()
    try:
        first_team = team_files[0].stem
        deadline = time.monotonic() + 900
        while f"teams/{first_team}" not in fetch(f"{base}teams/{first_team}/") or not fetch(base):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("handbook serve did not come up:\n" + "\n".join(said[-30:]))
            time.sleep(0.2)
        result.initial_build = time.perf_counter() - started
        log(f"  serve at {teams} teams: first build {result.initial_build:.1f} s")
        pages_dir = work / ".cache" / "handbook"  # one folder per plan and audience: only the served one changes
        flagged = goals_with_findings(plan_dir)
        for k in range(edits):
            # Every other edit is of a goal the health page lists, which must then show its new title too.
            if k % 2 and flagged:
                team_id, goal_id = flagged[(k // 2 * 7919) % len(flagged)]
                path = plan_dir / "teams" / f"{team_id}.yaml"
            else:
                path, goal_id = team_files[(k * 7919) % len(team_files)], None
            team = yaml.safe_load(path.read_text(encoding="utf-8"))
            goal = next(g for g in team["goals"] if goal_id in (None, g["id"]))
            title = f"Edited goal {k + 1} of {team['name']} at {time.strftime('%H:%M:%S')}"
            goal["title"] = title
            time.sleep(1.1)  # let the previous rebuild's timestamps age: mtimes have 1 s resolution on some disks
            edited_at = time.time()
            clock = time.perf_counter()
            path.write_text(yaml.dump(team, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100),
                            encoding="utf-8")
            url = f"{base}teams/{path.stem}/"
            while title not in fetch(url):
                if time.perf_counter() - clock > 120:
                    raise RuntimeError(f"the edit of {path.name} never showed on {url}")
                time.sleep(0.05)
            latency = time.perf_counter() - clock
            rewritten = sum(1 for p in pages_dir.rglob("*.md") if p.stat().st_mtime >= edited_at)
            rebuilt = [line for line in said if "rebuilt by MkDocs" in line]
            result.notes.append(rebuilt[-1].split("handbook: ", 1)[-1] if rebuilt else "")
            objectives = [a["objective"] for a in goal["aligns_to"]]
            shown = [title in fetch(f"{base}objectives/{o}/") for o in objectives]
            health = fetch(f"{base}{urls.url(urls.HEALTH)}")
            if f"#{goal['id']}" in health:
                shown.append(title in health)
                result.health_checked += 1
            result.latencies.append(latency)
            result.rewritten.append(rewritten)
            result.correct.append(all(shown))
            log(f"  serve edit {k + 1}/{edits}: {path.stem} shown after {latency:.2f} s, "
                f"{rewritten} pages rewritten ({result.notes[-1]}), "
                f"objective pages {'correct' if all(shown) else 'WRONG'}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return result


# ---------------------------------------------------------------- report


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.M)
        memory = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB" if found else memory
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "MkDocs": metadata.version("mkdocs"),
        "Material for MkDocs": metadata.version("mkdocs-material"),
        "PyYAML with libyaml": str(bool(getattr(yaml, "__with_libyaml__", False))),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def report(sizes: list[SizeResult], serve: ServeResult | None, runs: int, about: dict[str, str],
           elapsed: float) -> str:
    """The results as Markdown: machine, table, growth, targets."""
    md = statistics.median
    lines = ["# Benchmark results", "",
             f"Written by `make bench` (`python -m bench.run --runs {runs}`); medians of {runs} runs. "
             f"The whole run took {elapsed / 60:.1f} min.", "", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in about.items()]
    lines += ["", "## Generator and build", "",
              "| Teams | Plan | Load + validate | Checks | Generate | Load + rules + generate | "
              "`handbook build` wall (CPU) | Engine floor wall (CPU) | Build / floor | Peak memory | Pages | Site |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in sizes:
        build_wall, floor_wall = md(b.wall for b in s.builds), md(f.wall for f in s.floors)
        build_cpu, floor_cpu = md(b.cpu for b in s.builds), md(f.cpu for f in s.floors)
        rules = any("rules" in p for p in s.phases)

        def phase(*keys: str) -> str:
            wall = sum(s.median(k) for k in keys if k != "rules" or rules)
            cpu = sum(s.median(f"{k}_cpu") for k in keys if k != "rules" or rules)
            return f"{wall:.2f} s ({cpu:.2f} s)"

        lines.append(
            f"| {s.teams:,} | {s.plan_mb:.1f} MB | {phase('load')} | {phase('check', 'rules')} | "
            f"{phase('render')} | **{phase('load', 'rules', 'render')}** | {build_wall:.1f} s ({build_cpu:.1f} s) | "
            f"{floor_wall:.1f} s ({floor_cpu:.1f} s) | **{build_wall / floor_wall:.2f}×** "
            f"({build_cpu / floor_cpu:.2f}× CPU) | {max(b.peak_rss_mb for b in s.builds):.0f} MiB | "
            f"{s.pages:,} | {s.site_mb:.1f} MB |")
    lines += ["", "Times are wall (CPU) seconds; CPU is user + system time of the process, which a busy machine "
              "inflates less than wall time. "
              "\"Load + validate\" is `load_plan` (YAML, schema, reference checks); \"Checks\" is the "
              "reference checks (and the rules of `generator/sales_handbook/rules/catalogue.py`, when present) run again on their own; "
              "\"Generate\" is `parallel.render` as the build runs it (forked workers on a multi-core machine; "
              "their CPU time is included). Peak memory is the largest resident set of the `handbook build` "
              "process (`wait4` rusage, `ru_maxrss`). Pages count the HTML pages of the site (not 404.html)."]
    by_teams = {s.teams: s for s in sizes}
    if 100 in by_teams and 1000 in by_teams:
        small, large = by_teams[100], by_teams[1000]
        time_ratio = md(b.wall for b in large.builds) / md(b.wall for b in small.builds)
        cpu_ratio = md(b.cpu for b in large.builds) / md(b.cpu for b in small.builds)
        lines += ["", "## Growth from 100 to 1,000 teams", "",
                  f"- build time: {time_ratio:.1f}× wall, {cpu_ratio:.1f}× CPU (target ≤ 11×)",
                  f"- site size: {large.site_mb / small.site_mb:.1f}× (target ≤ 11×)",
                  f"- pages: {large.pages / small.pages:.1f}×"]
    if serve is not None:
        lines += ["", f"## Editing one goal while `handbook serve` runs ({serve.teams:,} teams)", "",
                  f"- first build when the server starts: {serve.initial_build:.1f} s",
                  f"- edit to updated team page served: median {md(serve.latencies):.2f} s, "
                  f"worst {max(serve.latencies):.2f} s over {len(serve.latencies)} edits (target ≤ 2 s)",
                  f"- generated Markdown pages rewritten per edit: {', '.join(map(str, serve.rewritten))}",
                  *(f"- edit {i + 1}, as the server logged it: {note}" for i, note in enumerate(serve.notes) if note),
                  f"- objective pages (and the health page, for the {serve.health_checked} edits of goals it lists) "
                  "show the new title: "
                  f"{'yes, every time' if all(serve.correct) else 'NO'}"]
    lines += ["", f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000", help="team counts, comma-separated (default: 10,100,1000)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)),
                        help="runs per size; medians are reported (default: 3, or $BENCH_RUNS)")
    parser.add_argument("--serve-edits", type=int, default=7, help="goal edits timed under handbook serve (0: skip)")
    parser.add_argument("--work", type=Path, default=REPO / ".cache" / "bench", help="scratch folder")
    parser.add_argument("--out", type=Path, default=BENCH / "results.md", help="where to write the results")
    parser.add_argument("--phases", metavar="PLAN", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases:
        phases_main(args.phases)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    about = machine()
    started = time.perf_counter()

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = []
    for teams in sizes:
        log(f"{teams:,} teams:")
        results.append(measure_size(args.work, teams, args.runs, log))
    serve = measure_serve(args.work, max(sizes), args.serve_edits, log) if args.serve_edits > 0 else None
    text = report(results, serve, args.runs, about, time.perf_counter() - started)
    print(text)
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if ANALYSIS_MARK in old:  # the written analysis below the figures survives a new run
        text += "\n" + old[old.index(ANALYSIS_MARK):]
    args.out.write_text(text, encoding="utf-8")
    return 0


ANALYSIS_MARK = "<!-- Written by hand: bench/run.py keeps everything from this line on. -->"


if __name__ == "__main__":
    sys.exit(main())
