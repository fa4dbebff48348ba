"""The stages import only downward: plan → model → rules → site → speed → publish → engine → cli."""

from __future__ import annotations

import ast
from pathlib import Path

import sales_handbook

PACKAGE = Path(sales_handbook.__file__).parent
STAGES = ["plan", "model", "rules", "site", "speed", "publish", "engine", "cli"]
"""Lowest first. `cli` stands for the modules at the top of the package (cli.py, command.py)."""


def stage_of(module: str) -> str:
    """The stage of a module named like 'sales_handbook.site.pages' (the top-level modules are 'cli')."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else "cli"


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every handbook module `path` imports (with the line), including imports inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                      if node.module.startswith("sales_handbook")]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("sales_handbook.")]
    return found


def modules() -> list[tuple[str, Path]]:
    return [(".".join(("sales_handbook", *path.relative_to(PACKAGE).with_suffix("").parts)), path)
            for path in sorted(PACKAGE.rglob("*.py")) if path.name != "__init__.py"]


def test_every_module_belongs_to_a_stage() -> None:
    for name, _ in modules():
        parts = name.split(".")
        assert len(parts) == 2 or parts[1] in STAGES, f"{name} is in no stage: {STAGES}"


def test_no_stage_imports_a_higher_one() -> None:
    upward = []
    for name, path in modules():
        here = STAGES.index(stage_of(name))
        for line, imported in imports_of(path):
            if STAGES.index(stage_of(imported)) > here:
                upward.append(f"{path.relative_to(PACKAGE)}:{line}: {stage_of(name)} imports {imported}")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The test above would catch one: a plan module importing the engine is found."""
    module = tmp_path / "loader.py"
    module.write_text("from sales_handbook.engine import plugin\nfrom sales_handbook.plan import schema\n")
    found = [imported for _, imported in imports_of(module)]
    assert found == ["sales_handbook.engine.plugin", "sales_handbook.plan.schema"]
    assert STAGES.index(stage_of(found[0])) > STAGES.index("plan")
