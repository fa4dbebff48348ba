"""`handbook schema`: JSON Schema generated from the plan models, checked with an independent validator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sales_handbook import cli, scaffold
from sales_handbook.plan.jsonschema import KINDS, file_name, schema, schema_files
from tests.planfiles import BAD_PLANS, EXAMPLE_PLAN, SMALL_PLAN
from tests.schemacheck import problems

SCHEMA_REJECTS_TOO = {
    # The loader rejects a file of these plans for a reason a schema can say: the schema rejects it too.
    "bad-date", "empty-document-organization", "empty-document-team", "empty-file", "invalid-enum",
    "malformed-id", "missing-required-field", "period-and-due", "retired-malformed-time", "several-errors",
    "top-level-list", "unknown-field", "wrong-type-list-for-mapping", "wrong-type-text-for-number",
}
"""The other bad plans need the whole plan (unknown or duplicate ids, retirements), the file's name or place, or
YAML that a schema never sees (syntax, duplicate keys, anchors, tags, encoding, NaN)."""


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("schema")
    assert cli.main(["schema", "--out", str(out)]) == 0
    return out


def test_schema_writes_one_schema_per_kind_of_plan_file(schema_dir: Path) -> None:
    assert sorted(p.name for p in schema_dir.iterdir()) == sorted(file_name(kind) for kind in KINDS)
    team = json.loads((schema_dir / "team.schema.json").read_text(encoding="utf-8"))
    assert team["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(team["required"]) == {"name", "department", "lead"}
    assert team["additionalProperties"] is False
    assert {f"schema/{p.name}": p.read_bytes() for p in schema_dir.iterdir()} == schema_files()


@pytest.mark.parametrize("plan", [EXAMPLE_PLAN, SMALL_PLAN], ids=["example-plan", "small-plan"])
def test_the_schemas_accept_every_file_of_a_valid_plan(plan: Path, schema_dir: Path) -> None:
    found = problems(plan, schema_dir)
    assert len(found) >= 6
    assert {rel: p for rel, p in found.items() if p} == {}


def test_the_schemas_accept_the_starter_plan_and_its_schema_lines_lead_to_them(tmp_path: Path,
                                                                               schema_dir: Path) -> None:
    scaffold.init(tmp_path, "Acme Ltd")
    assert {rel: p for rel, p in problems(tmp_path / "plan", schema_dir).items() if p} == {}
    for path in (tmp_path / "plan").rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.read_bytes() == (schema_dir / target.name).read_bytes()


@pytest.mark.parametrize("case", sorted(SCHEMA_REJECTS_TOO))
def test_schema_and_loader_agree_on_bad_plans(case: str, schema_dir: Path) -> None:
    """Each bad plan is an overlay of the files the loader rejects; where a schema can say why, it rejects one."""
    assert (BAD_PLANS / case / "expected.txt").is_file()  # the loader's golden report: it rejects the plan
    found = problems(BAD_PLANS / case, schema_dir)
    rejected = {rel: p for rel, p in found.items() if p and not p[0].startswith(("not YAML", "no kind"))}
    assert rejected, f"{case}: the loader rejects it, the schema accepts {sorted(found)}"


def test_schema_never_replaces_a_file_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "team.schema.json"
    mine.write_text('{"title": "my own"}', encoding="utf-8")
    assert cli.main(["schema", "--out", str(tmp_path)]) == 1
    assert mine.read_text(encoding="utf-8") == '{"title": "my own"}'
    assert "were not written by 'handbook schema'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.schema.json"]


def test_the_plan_format_page_lists_the_required_fields_the_schema_requires() -> None:
    """docs/plan-format.md marks which fields are required: the same fields the models (and schemas) require."""
    page = (EXAMPLE_PLAN.parent / "docs" / "plan-format.md").read_text(encoding="utf-8")
    table = page.split("<!-- required-fields")[1].split("<!-- /required-fields")[0]
    documented = sorted(sorted(re.findall(r"`([a-z_]+)`", row.split("|")[2])) for row in table.splitlines()
                        if row.startswith("| ") and "---" not in row and "Required fields" not in row)
    required = []
    for kind in KINDS:
        generated = schema(kind)
        for model in [generated, *generated.get("$defs", {}).values()]:
            if model.get("required") and model not in (m for m, _ in required):
                required.append((model, sorted(model["required"])))
    needed = sorted({tuple(fields) for _, fields in required})
    assert sorted({tuple(fields) for fields in documented if fields}) == needed
