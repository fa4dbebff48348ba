"""Build throw-away plans for tests: the small fixture plan, optionally with an overlay.

An overlay is a folder that holds only the files that differ from
`tests/fixtures/small-plan/`, at the same relative paths. Each file in it
replaces (or adds) that file in the copy; a file named `<name>.delete`
removes `<name>` from the copy instead. Bad-plan cases also hold an
`expected.txt` (their golden report), which is never copied.
"""

from __future__ import annotations

import shutil
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SMALL_PLAN = TESTS / "fixtures" / "small-plan"
BAD_PLANS = TESTS / "bad-plans"
EXAMPLE_PLAN = TESTS.parent / "plan"

DELETE_SUFFIX = ".delete"
NOT_COPIED = frozenset({"expected.txt", "README.md"})


def make_plan(tmp_path: Path, overlay_dir: Path | None = None) -> Path:
    """Copy small-plan to `tmp_path/'plan'`, apply `overlay_dir` if given, return the plan folder."""
    plan = Path(tmp_path) / "plan"
    shutil.copytree(SMALL_PLAN, plan)
    if overlay_dir is not None:
        apply_overlay(plan, Path(overlay_dir))
    return plan


def apply_overlay(plan: Path, overlay_dir: Path) -> None:
    """Copy every file of `overlay_dir` over `plan`; `<name>.delete` deletes `<name>`."""
    if not overlay_dir.is_dir():
        raise FileNotFoundError(f"overlay folder {overlay_dir} does not exist")
    for source in sorted(overlay_dir.rglob("*")):
        if not source.is_file():
            continue
        rel = source.relative_to(overlay_dir)
        if rel.as_posix() in NOT_COPIED:
            continue
        if source.name.endswith(DELETE_SUFFIX):
            target = plan / rel.with_name(source.name[: -len(DELETE_SUFFIX)])
            if not target.exists():
                raise FileNotFoundError(f"{source} deletes {target}, which small-plan does not have")
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
            continue
        target = plan / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def bad_plan_cases() -> list[Path]:
    """Every case folder under tests/bad-plans/, sorted by name."""
    return sorted(p for p in BAD_PLANS.iterdir() if p.is_dir())


def write(plan: Path, rel: str, text: str) -> Path:
    """Write `text` (UTF-8) to `plan/rel`, creating folders; return the path."""
    path = plan / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def replace_in(plan: Path, rel: str, old: str, new: str, count: int = 1) -> Path:
    """Replace `old` by `new` in `plan/rel`, failing loudly if `old` is not there `count` times."""
    path = plan / rel
    text = path.read_text(encoding="utf-8")
    found = text.count(old)
    if found != count:
        raise AssertionError(f"expected {count} occurrence(s) of {old!r} in {rel}, found {found}")
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path
