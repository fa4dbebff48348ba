"""read_yaml: plain text values with positions, and every YAML feature a plan must not use."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_handbook.plan import yamlfile
from sales_handbook.plan.diagnostics import Diagnostic
from sales_handbook.plan.yamlfile import MAX_FILE_BYTES, ParsedFile, read_yaml


def parse(tmp_path: Path, content: str | bytes, name: str = "f.yaml") -> ParsedFile:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return read_yaml(path, f"plan/{name}")


def formatted(parsed: ParsedFile) -> list[str]:
    return [d.format() for d in parsed.diagnostics]


# ---------------------------------------------------------------- values and positions


def test_plain_scalars_stay_exact_text(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "a: NO\nb: 1:30\nc: 0777\nd: 12.50\ne: 2026-02-30\nf: yes\ng: .inf\nh: 1e3\ni: 'x'\n")
    assert parsed.diagnostics == ()
    assert parsed.data == {"a": "NO", "b": "1:30", "c": "0777", "d": "12.50", "e": "2026-02-30",
                           "f": "yes", "g": ".inf", "h": "1e3", "i": "x"}


def test_keys_are_text_too(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "1: one\nno: two\nnull: three\n")
    assert parsed.data == {"1": "one", "no": "two", "null": "three"}


def test_nested_lists_and_mappings(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "a:\n  b: [1, 2]\n  c: {d: e}\nf: |\n  text\n  more\ng:\n  - x: 1\n  - - y\n")
    assert parsed.diagnostics == ()
    assert parsed.data == {"a": {"b": ["1", "2"], "c": {"d": "e"}}, "f": "text\nmore\n",
                           "g": [{"x": "1"}, ["y"]]}


def test_positions_of_keys_and_values_are_one_based(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "name: Acme\ngoals:\n  - id: g1\n    title:   Spaced out\n  - id: g2\n")
    source = parsed.source
    assert source.file == "plan/f.yaml"
    assert source.keys[("name",)] == (1, 1)
    assert source.values[("name",)] == (1, 7)
    assert source.keys[("goals",)] == (2, 1)
    assert source.values[("goals",)] == (3, 3)
    assert source.values[("goals", 0)] == (3, 5)
    assert source.keys[("goals", 0, "id")] == (3, 5)
    assert source.values[("goals", 0, "id")] == (3, 9)
    assert source.keys[("goals", 0, "title")] == (4, 5)
    assert source.values[("goals", 0, "title")] == (4, 14)
    assert source.values[("goals", 1, "id")] == (5, 9)


def test_position_falls_back_to_nearest_written_ancestor(tmp_path: Path) -> None:
    source = parse(tmp_path, "name: Acme\ngoals:\n  - id: g1\n").source
    assert source.position(("goals", 0, "unit")) == (3, 5)  # a missing field: point at its mapping
    assert source.position(("goals", 0, "id"), key=True) == (3, 5)
    assert source.position(("goals", 0, "id")) == (3, 9)
    assert source.position(("nothing", "here")) == (1, 1)
    assert source.position(()) == (1, 1)


def test_flow_collection_positions(tmp_path: Path) -> None:
    source = parse(tmp_path, "tags: [a, bb, c]\n").source
    assert [source.values[("tags", i)] for i in range(3)] == [(1, 8), (1, 11), (1, 15)]


@pytest.mark.parametrize("text", ["~", "null", "Null", "NULL", ""])
def test_plain_nulls_become_none(tmp_path: Path, text: str) -> None:
    assert parse(tmp_path, f"a: {text}\n").data == {"a": None}


@pytest.mark.parametrize(("text", "value"), [
    ("'null'", "null"), ('"~"', "~"), ("''", ""), ('""', ""), ("nULL", "nULL"), ("None", "None"),
])
def test_quoted_or_other_nulls_stay_text(tmp_path: Path, text: str, value: str) -> None:
    assert parse(tmp_path, f"a: {text}\n").data == {"a": value}


def test_empty_list_item_is_none(tmp_path: Path) -> None:
    assert parse(tmp_path, "a:\n  -\n  - x\n").data == {"a": [None, "x"]}


def test_text_is_nfc_normalized(tmp_path: Path) -> None:
    decomposed = "Cafe\u0301"  # 'e' + combining acute accent
    parsed = parse(tmp_path, f"name: {decomposed}\n{decomposed.lower()}: key\n")
    assert parsed.data == {"name": "Caf\u00e9", "caf\u00e9": "key"}


def test_keys_equal_after_nfc_are_duplicates(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "caf\u00e9: 1\ncafe\u0301: 2\n")
    assert parsed.data == {"caf\u00e9": "1"}
    assert formatted(parsed) == [
        "plan/f.yaml:2:1: error: duplicate key 'caf\u00e9' (first written on line 1) [caf\u00e9]\n"
        "    hint: keep one of the two: YAML would silently drop the first"
    ]


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    parsed = parse(tmp_path, b"\xef\xbb\xbfname: Acme\nperiod: 2026-Q4\n")
    assert parsed.diagnostics == ()
    assert parsed.data == {"name": "Acme", "period": "2026-Q4"}
    assert parsed.source.keys[("name",)] == (1, 1)
    assert parsed.source.values[("period",)] == (2, 9)


def test_windows_line_endings(tmp_path: Path) -> None:
    parsed = parse(tmp_path, b"name: Acme\r\nperiod: 2026-Q4\r\n")
    assert parsed.data == {"name": "Acme", "period": "2026-Q4"}
    assert parsed.source.values[("period",)] == (2, 9)


# ---------------------------------------------------------------- duplicate keys


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "name: First\nvision: V\nname: Second\n")
    assert parsed.data == {"name": "First", "vision": "V"}  # the first is kept, never silently replaced
    (diagnostic,) = parsed.diagnostics
    assert diagnostic == Diagnostic("plan/f.yaml", 3, 1, "duplicate key 'name' (first written on line 1)", "name",
                                    "keep one of the two: YAML would silently drop the first")


def test_duplicate_key_in_a_list_item(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "goals:\n  - id: a\n    unit: x\n    unit: y\n  - id: b\n    unit: z\n")
    assert parsed.data == {"goals": [{"id": "a", "unit": "x"}, {"id": "b", "unit": "z"}]}
    assert [(d.line, d.column, d.message, d.field) for d in parsed.diagnostics] == [
        (4, 5, "duplicate key 'unit' (first written on line 3)", "goals[0].unit"),
    ]


def test_every_repeat_of_a_key_is_reported(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "a: 1\nb: 2\na: 3\na: 4\n")
    assert [(d.line, d.message) for d in parsed.diagnostics] == [
        (3, "duplicate key 'a' (first written on line 1)"),
        (4, "duplicate key 'a' (first written on line 1)"),
    ]


def test_duplicate_key_in_flow_mapping(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "a: {x: 1, x: 2}\n")
    assert [(d.line, d.column, d.field) for d in parsed.diagnostics] == [(1, 11, "a.x")]


def test_duplicate_key_with_mapping_value_is_skipped_whole(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "a:\n  x: 1\nb: 2\na:\n  y: 3\nc: 4\n")
    assert parsed.data == {"a": {"x": "1"}, "b": "2", "c": "4"}
    assert [(d.line, d.message) for d in parsed.diagnostics] == [(4, "duplicate key 'a' (first written on line 1)")]


# ---------------------------------------------------------------- rejected YAML features


def test_anchor_and_alias_are_rejected(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "a: &x [1]\nb: *x\n")
    assert parsed.data == {"a": ["1"], "b": None}  # the alias is not expanded
    assert formatted(parsed) == [
        "plan/f.yaml:1:4: error: YAML anchor '&x' is not allowed [a]\n"
        "    hint: remove the anchor and write each value out in full",
        "plan/f.yaml:2:4: error: YAML alias '*x' is not allowed [b]\n"
        "    hint: write the value out in full: anchors and aliases hide what a plan says and can blow up its size",
    ]


def test_billion_laughs_is_not_expanded(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    parsed = parse(tmp_path, "\n".join(lines) + "\n")
    assert parsed.data["i"] == [None] * 10
    assert len(parsed.diagnostics) == 9 + 80  # nine anchors, eighty aliases, nothing expanded


def test_merge_key_is_not_honoured(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "base: &b {x: 1}\nitem:\n  <<: *b\n")
    assert parsed.data["item"] == {"<<": None}
    assert {d.message for d in parsed.diagnostics} == {
        "YAML anchor '&b' is not allowed", "YAML alias '*b' is not allowed"}


@pytest.mark.parametrize(("text", "shown"), [
    ("!!python/object/apply:os.system ['echo hi']", "!!python/object/apply:os.system"),
    ("!!python/name:os.system ''", "!!python/name:os.system"),
    ("!!int 12", "!!int"),
    ("!!bool yes", "!!bool"),
    ("!!binary aGk=", "!!binary"),
    ("!custom x", "!custom"),
    ("!<tag:example.com,2026:x> y", "tag:example.com,2026:x"),
])
def test_tags_are_rejected(tmp_path: Path, text: str, shown: str) -> None:
    parsed = parse(tmp_path, f"name: Acme\nvalue: {text}\n")
    (diagnostic,) = parsed.diagnostics
    assert (diagnostic.line, diagnostic.column, diagnostic.field) == (2, 8, "value")
    assert diagnostic.message == f"YAML tag '{shown}' is not allowed"
    if shown == "!custom":  # could be text that starts with '!' (issue 11, item 17)
        assert diagnostic.hint == "quote a value that starts with '!' (YAML reserves it): value: \"!custom x\""
    else:
        assert diagnostic.hint == "plans are plain data: remove the tag (quote the value if it should be text)"


def test_python_tags_are_never_executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    parsed = parse(tmp_path, "a: !!python/object/apply:os.mkdir ['pwned']\n"
                             "b: !!python/object/new:os.mkdir ['pwned2']\n")
    assert len(parsed.diagnostics) == 2
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


@pytest.mark.parametrize("text", ["!!str 12", "!!map {a: 1}", "!!seq [a]", "! x"])
def test_harmless_standard_tags_are_allowed(tmp_path: Path, text: str) -> None:
    assert parse(tmp_path, f"v: {text}\n").diagnostics == ()


def test_tagged_scalar_keeps_its_text(tmp_path: Path) -> None:
    assert parse(tmp_path, "v: !!str 0777\n").data == {"v": "0777"}


def test_complex_key_is_rejected(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "? [a, b]\n: c\nd: e\n")
    assert parsed.data == {"d": "e"}
    assert [(d.line, d.column, d.message) for d in parsed.diagnostics] == [
        (1, 3, "a key must be a plain name, not a list or mapping"),
    ]


def test_second_document_is_rejected(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "a: 1\n---\nb: 2\n")
    assert parsed.data == {"a": "1"}
    assert formatted(parsed) == [
        "plan/f.yaml:2:1: error: a plan file holds one YAML document, this is a second\n"
        "    hint: remove the '---' line and what follows, or move it to its own file"
    ]


def test_explicit_document_markers_are_fine(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "%YAML 1.2\n---\na: 1\n...\n")
    assert parsed.diagnostics == ()
    assert parsed.data == {"a": "1"}
    assert parsed.source.values[("a",)] == (3, 4)


# ---------------------------------------------------------------- files that cannot be read


def test_syntax_error_has_position_and_hint(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "name: Acme\n  vision: V\n")
    assert parsed.data is None
    assert formatted(parsed) == [
        "plan/f.yaml:2:9: error: YAML syntax error: mapping values are not allowed here\n"
        "    hint: check the indentation and quoting on this line and the one before"
    ]


def test_unterminated_quote(tmp_path: Path) -> None:
    (diagnostic,) = parse(tmp_path, "name: 'Acme\n").diagnostics
    assert diagnostic.message == "YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"
    assert (diagnostic.line, diagnostic.column) == (2, 1)


def test_tab_indentation(tmp_path: Path) -> None:
    (diagnostic,) = parse(tmp_path, "a:\n\tb: 1\n").diagnostics
    assert (diagnostic.line, diagnostic.column) == (2, 1)
    assert diagnostic.message.startswith("YAML syntax error: found character '\\t' that cannot start any token")


def test_problems_before_a_syntax_error_are_kept(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "a: 1\na: 2\nb: [\n")
    assert [d.message.split(":")[0] for d in parsed.diagnostics] == ["duplicate key 'a' (first written on line 1)",
                                                                     "YAML syntax error"]


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   \n", b"# only a comment\n\n  # another\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    parsed = parse(tmp_path, content)
    assert parsed.data is None
    assert formatted(parsed) == ["plan/f.yaml:1:1: error: file is empty\n"
                                 "    hint: write the file's fields, or delete the file"]


def test_not_utf8(tmp_path: Path) -> None:
    parsed = parse(tmp_path, b"name: ok\nmission: caf\xe9\n")
    assert parsed.data is None
    assert formatted(parsed) == ["plan/f.yaml:2:13: error: file is not UTF-8 text (byte 0xe9 cannot be decoded)\n"
                                 "    hint: save the file as UTF-8"]


def test_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    (diagnostic,) = parse(tmp_path, "name: Acme\n".encode("utf-16")).diagnostics
    assert diagnostic.message.startswith("file is not UTF-8 text (byte 0xff")
    assert (diagnostic.line, diagnostic.column) == (1, 1)


def test_not_utf8_after_byte_order_mark(tmp_path: Path) -> None:
    parsed = parse(tmp_path, b"\xef\xbb\xbfname: ok\nmission: caf\xe9\n")
    assert formatted(parsed) == ["plan/f.yaml:2:13: error: file is not UTF-8 text (byte 0xe9 cannot be decoded)\n"
                                 "    hint: save the file as UTF-8"]


def test_not_utf8_column_counts_characters(tmp_path: Path) -> None:
    (diagnostic,) = parse(tmp_path, "city: Zürich \xff\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff")).diagnostics
    assert (diagnostic.line, diagnostic.column) == (1, 14)


def test_control_character_is_located(tmp_path: Path) -> None:
    (diagnostic,) = parse(tmp_path, "name: ok\nmission: a\x07b\n").diagnostics
    assert (diagnostic.line, diagnostic.column) == (2, 11)
    assert "\n" not in diagnostic.message


def test_control_character_is_an_error(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "name: ok\nmission: a\x07b\n")
    assert parsed.data is None
    (diagnostic,) = parsed.diagnostics
    assert diagnostic.severity == "error" and "#x0007" in diagnostic.message


def test_size_limit(tmp_path: Path) -> None:
    at_limit = b"a: " + b"x" * (MAX_FILE_BYTES - 4) + b"\n"
    assert len(at_limit) == MAX_FILE_BYTES
    assert parse(tmp_path, at_limit).diagnostics == ()
    parsed = parse(tmp_path, at_limit + b"\n")
    assert parsed.data is None
    assert formatted(parsed) == [
        f"plan/f.yaml:1:1: error: file is {MAX_FILE_BYTES + 1:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit "
        "for one plan file\n    hint: split it: each team has its own file under teams/"
    ]


def test_size_limit_is_checked_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "MAX_FILE_BYTES", 10)
    (diagnostic,) = parse(tmp_path, "a: [unclosed\n").diagnostics
    assert diagnostic.message == "file is 13 bytes, over the 10-byte limit for one plan file"


def test_top_level_list_is_returned_for_the_loader_to_judge(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "- a\n- b\n")
    assert parsed.diagnostics == ()
    assert parsed.data == ["a", "b"]


# ---------------------------------------------------------------- the fast reader agrees with the careful one


def _careful(text: str) -> ParsedFile:
    return yamlfile._read_with_positions(text, yamlfile.SourceMap("plan/f.yaml"))


REPO_YAML = sorted({*Path(__file__).parent.rglob("*.yaml"), *(Path(__file__).parent.parent / "plan").rglob("*.yaml")})


@pytest.mark.parametrize("path", REPO_YAML, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_fast_reader_reads_every_repository_file_like_the_careful_one(path: Path) -> None:
    text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    careful = _careful(text)
    fast = yamlfile._clean_data(text)
    if careful.diagnostics:
        assert fast is yamlfile._NEEDS_POSITIONS  # every problem is reported by the careful reader
    elif fast is not yamlfile._NEEDS_POSITIONS:
        assert fast == careful.data
        lazy = yamlfile.SourceMap("plan/f.yaml", text=text)  # positions worked out later, by libyaml
        assert (lazy.values, lazy.keys) == (careful.source.values, careful.source.keys)


_scalars = st.one_of(st.text(max_size=12), st.sampled_from(["null", "~", "", "NO", "1:30", "0777", "Cafe\u0301", "a\x07"]))
_documents = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                          max_leaves=12)


@given(data=st.dictionaries(st.text(max_size=8), _documents, min_size=1, max_size=5),
       style=st.sampled_from([None, "'", '"', "|"]), flow=st.booleans())
@settings(max_examples=80, deadline=None)
def test_fast_reader_agrees_with_the_careful_one(data: dict, style: str | None, flow: bool) -> None:
    text = yaml.safe_dump(data, default_style=style, default_flow_style=flow, allow_unicode=True)
    careful = _careful(text)
    fast = yamlfile._clean_data(text)
    if careful.diagnostics:
        assert fast is yamlfile._NEEDS_POSITIONS
    else:
        assert fast is not yamlfile._NEEDS_POSITIONS and fast == careful.data


def test_clean_file_works_out_positions_only_when_asked(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "name: Acme\ngoals:\n  - id: g1\n")
    assert parsed.diagnostics == ()
    assert parsed.source._values == {}  # nothing computed while reading
    assert parsed.source.position(("goals", 0, "id")) == (3, 9)
