"""Kill, interrupt and race `handbook build` at random moments, and check that nothing is ever lost.

    python -m tests.stress_builds --runs 30            # 30 of each: SIGKILL, SIGINT, two builds at once

Two plans (A and B, differing in their organization's name) are built in turn
into one site folder. After every run:

- the site is whole: exactly the site of A or of B, never missing or half-written;
- a build that exits 0 left its own plan's site; one that exits 130 (Ctrl-C) left
  the site as it was before it started, no staging folder, and no traceback;
- a killed build may leave a staging folder, which the next build clears;
- two builds started together both succeed, one after the other.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL_PLAN = REPO / "tests" / "fixtures" / "small-plan"


PYTHON_STARTUP = 0.1
"""Seconds Python takes to start before it runs any of the handbook: Ctrl-C then is Python's own (README)."""


def digest(folder: Path) -> str | None:
    """One hash of every file's path and bytes in `folder`, or None when there is no folder."""
    if not folder.is_dir():
        return None
    total = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        total.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return total.hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if ".building-" in p.name or ".replaced-" in p.name or p.name.endswith(".old"))


@dataclass
class Bench:
    """A project with plans A and B, the digest of each one's site, and what went wrong."""

    root: Path
    sites: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    took: float = 0.0

    @property
    def site(self) -> Path:
        return self.root / "site"

    def command(self, plan: str, site: Path | None = None) -> list[str]:
        return [sys.executable, "-m", "sales_handbook.command", "build", "--quiet", "--plan", str(self.root / plan),
                "--config", str(REPO / "mkdocs.yml"), "--site-dir", str(site or self.site)]

    def start(self, plan: str) -> subprocess.Popen[str]:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1790000000"}
        return subprocess.Popen(self.command(plan), cwd=self.root, env=env, text=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def check(self, label: str, condition: bool, detail: str = "") -> None:
        if not condition:
            self.problems.append(f"{label}: {detail}")


def prepare(root: Path) -> Bench:
    """Plans A and B and the site of each, built once from nothing."""
    bench = Bench(root)
    for name in ("a", "b"):
        shutil.copytree(SMALL_PLAN, root / name)
        organization = root / name / "organization.yaml"
        text = organization.read_text(encoding="utf-8")
        organization.write_text(text.replace("name: ", f"name: Plan {name.upper()} of ", 1), encoding="utf-8")
        reference = root / f"reference-{name}"
        started = time.monotonic()
        process = bench.start(name)
        _, error = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"plan {name} does not build: {error}")
        bench.took = max(bench.took, time.monotonic() - started)
        os.rename(bench.site, reference)
        bench.sites[name] = digest(reference) or ""
        shutil.rmtree(reference)
    return bench


def killed(bench: Bench, run: int, rng: random.Random) -> None:
    """SIGKILL at a random moment: the site is the one before or the new one; the next build clears up."""
    before, plan = digest(bench.site), "ab"[run % 2]
    process = bench.start(plan)
    time.sleep(rng.uniform(0, bench.took * 1.1))
    process.kill()
    process.communicate()
    after = digest(bench.site)
    bench.check(f"kill {run}", after in (before, bench.sites[plan]) and after is not None,
                f"the site is neither the old one nor the new one (rc {process.returncode})")


def interrupted(bench: Bench, run: int, rng: random.Random) -> None:
    """Ctrl-C at a random moment: exit 130 and the old site, or exit 0 and the new one; nothing left over."""
    before, plan = digest(bench.site), "ab"[run % 2]
    process = bench.start(plan)
    time.sleep(rng.uniform(PYTHON_STARTUP, bench.took * 1.1))
    process.send_signal(signal.SIGINT)
    _, error = process.communicate()
    after = digest(bench.site)
    label = f"interrupt {run} (rc {process.returncode})"
    if process.returncode == 0:
        bench.check(label, after == bench.sites[plan], "exit 0 but the site is not the new one")
    else:
        # 130, or ended by SIGINT itself before Python ran any of the handbook (a shell shows both as 130)
        bench.check(label, process.returncode in (130, -signal.SIGINT), "an interrupted build must exit 130")
        bench.check(label, after == before, "the site changed although the build was interrupted")
    bench.check(label, "Traceback" not in error and "Exception ignored" not in error, error[-500:])
    bench.check(label, leftovers(bench.root) == [], f"left {leftovers(bench.root)}")


def raced(bench: Bench, run: int, rng: random.Random) -> None:
    """Two builds into one folder at once: both succeed, and the site is whole."""
    first = bench.start("a")
    time.sleep(rng.uniform(0, bench.took * 0.5))
    second = bench.start("b")
    errors = [process.communicate()[1] for process in (first, second)]
    label = f"race {run} (rc {first.returncode}, {second.returncode})"
    bench.check(label, (first.returncode, second.returncode) == (0, 0), " / ".join(e[-300:] for e in errors))
    bench.check(label, digest(bench.site) in bench.sites.values(), "the site is not whole")
    bench.check(label, leftovers(bench.root) == [], f"left {leftovers(bench.root)}")


def stress(root: Path, runs: int, seed: int) -> list[str]:
    """Run `runs` of each kind in `root`; return every problem found (none is the pass)."""
    rng = random.Random(seed)
    bench = prepare(root)
    first = bench.start("a")
    first.communicate()
    for run in range(runs):
        killed(bench, run, rng)
    final = bench.start("b")  # after the kills: the next build clears what they left
    final.communicate()
    bench.check("after the kills", final.returncode == 0 and leftovers(root) == [], f"left {leftovers(root)}")
    for run in range(runs):
        interrupted(bench, run, rng)
    for run in range(runs):
        raced(bench, run, rng)
    return bench.problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="runs of each kind (default: 30)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="handbook-stress-") as folder:
        problems = stress(Path(folder), args.runs, args.seed)
    for problem in problems:
        print(problem)
    print(f"{3 * args.runs} runs, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
