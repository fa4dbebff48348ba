"""Plan files checked against the JSON Schemas with an independent validator (`jsonschema`), as an editor reads them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from sales_handbook.plan.jsonschema import file_name, kind_of


class EditorLoader(yaml.SafeLoader):
    """YAML as yaml-language-server reads it: a date is a string (the schema says 'format: date')."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def problems(plan: Path, schema_dir: Path) -> dict[str, list[str]]:
    """Every plan file under `plan` -> what the schema of its kind finds wrong with it (empty when it is valid)."""
    found = {}
    for path in sorted(plan.rglob("*.yaml")):
        rel = path.relative_to(plan).as_posix()
        kind = kind_of(rel)
        if kind is None:
            found[rel] = ["no kind of plan file: its name or place is wrong"]
            continue
        schema = json.loads((schema_dir / file_name(kind)).read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        try:
            data = yaml.load(path.read_bytes(), Loader=EditorLoader)
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            found[rel] = [f"not YAML: {error}"]
            continue
        found[rel] = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
    return found
