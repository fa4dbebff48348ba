"""JSON Schema for every kind of plan file, generated from the pydantic models in `plan.schema`.

Editors validate plan files with them as they are typed (VS Code's YAML extension and other
yaml-language-server clients read a `# yaml-language-server: $schema=...` first line). They say
what a single file may hold: types, required fields, allowed values, id and period patterns,
unknown keys. What needs the whole plan (ids that must exist, duplicates, alignment rules) only
`handbook check` can tell. Nothing here is written by hand: `handbook schema` writes them, and
every site publishes them under `schema/`.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from pydantic import BaseModel

from sales_handbook.plan.plan import (
    BENEFITS_FILE,
    OBJECTIVES_FILE,
    ORGANIZATION_FILE,
    RETIRED_FILE,
    REVIEWS_DIR,
    TEAMS_DIR,
)
from sales_handbook.plan.schema import (
    BenefitsFile,
    ObjectivesFile,
    Organization,
    RetiredFile,
    ReviewFile,
    TeamFile,
)

SCHEMA_FOLDER = "schema"
"""Where a site publishes the schemas, and where `handbook init` puts them in a repository (under `.handbook/`)."""

KINDS: dict[str, type[BaseModel]] = {
    "organization": Organization,
    "objectives": ObjectivesFile,
    "benefits": BenefitsFile,
    "retired": RetiredFile,
    "team": TeamFile,
    "review": ReviewFile,
}
"""Each kind of plan file and the model a file of that kind is validated with."""

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "Alignment Handbook plan file"


def kind_of(plan_path: str) -> str | None:
    """The kind of the plan file at `plan_path` (relative to the plan folder, like 'teams/north.yaml'), if any."""
    path = PurePosixPath(plan_path)
    by_name = {ORGANIZATION_FILE: "organization", OBJECTIVES_FILE: "objectives", BENEFITS_FILE: "benefits",
               RETIRED_FILE: "retired"}
    if len(path.parts) == 1:
        return by_name.get(path.name)
    if len(path.parts) == 2 and path.suffix == ".yaml":
        return {TEAMS_DIR: "team", REVIEWS_DIR: "review"}.get(path.parts[0])
    return None


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def schema(kind: str) -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a plan file of `kind`."""
    model = KINDS[kind]
    generated = model.model_json_schema(mode="validation")
    return {"$schema": DIALECT, **generated,
            "title": f"{TITLE}: {kind}"}


def schema_files() -> dict[str, bytes]:
    """Every schema as a site file: path under the site -> bytes (`schema/<kind>.schema.json`)."""
    return {f"{SCHEMA_FOLDER}/{file_name(kind)}": _dumps(schema(kind)) for kind in KINDS}


class NotOurs(Exception):
    """A file in the way was not written by `write`: nothing was written."""


def write(out: Path) -> list[Path]:
    """Write every schema into the folder `out` (made if missing), replacing only schemas it wrote before; return
    the files written."""
    files = {out / file_name(kind): _dumps(schema(kind)) for kind in KINDS}
    theirs = [str(path) for path in files if (path.exists() or path.is_symlink()) and not _ours(path)]
    if theirs:
        raise NotOurs(f"{', '.join(theirs)} exist and were not written by 'handbook schema': nothing was written. "
                      "Move them away, or choose another folder with --out DIR")
    out.mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        path.write_bytes(data)
    return list(files)


def _ours(path: Path) -> bool:
    """Whether `path` is a schema written here (any version): a JSON file with our title."""
    try:
        title = json.loads(path.read_bytes()).get("title", "")
    except (OSError, ValueError, AttributeError):
        return False
    return path.is_file() and not path.is_symlink() and str(title).startswith(TITLE)


def _dumps(value: object) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
