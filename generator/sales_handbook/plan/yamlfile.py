"""Read one plan file: safe YAML with a line and column for every key and value.

PyYAML's loaders guess types (YAML 1.1 turns `NO` into false and `1:30` into
5400), keep the last of two duplicate keys, and expand aliases. A plan is
text written by many people, so this reader builds values from the parser's
events itself: plain scalars stay the exact text the author typed (the schema
decides whether it is a number or a date), duplicate keys, anchors, aliases
and tags are errors, and every node remembers where it was written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sales_handbook.plan.diagnostics import EXCERPT_LIMIT, Diagnostic, excerpt, field_path, printable
from sales_handbook.plan.schema import CONTROL_CHARACTERS

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 50
"""Plans nest a few levels (a team's people's goals' supports: 5); deeper is a mistake or an attack on the stack."""
SURROGATES = re.compile(r"[\ud800-\udfff]")
"""What an escape like \\ud800 writes: half of a character, which no file can hold, so a build could not write it."""
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
PlainPath = tuple[str | int, ...]


class SourceMap:
    """Where each value (and each mapping key) of one file was written, 1-based.

    A file that read cleanly keeps only its text: positions are needed only to
    point at a problem, so they are worked out, by reading the text again, the
    first time anyone asks. Reading a thousand clean files stays fast.
    """

    __slots__ = ("file", "_values", "_keys", "_text")

    def __init__(self, file: str, *, text: str | None = None) -> None:
        self.file = file
        self._values: dict[PlainPath, tuple[int, int]] = {}
        self._keys: dict[PlainPath, tuple[int, int]] = {}
        self._text = text

    @property
    def values(self) -> dict[PlainPath, tuple[int, int]]:
        """Position of each value, by its path in the file."""
        self._locate()
        return self._values

    @property
    def keys(self) -> dict[PlainPath, tuple[int, int]]:
        """Position of each mapping key, by the path of its value."""
        self._locate()
        return self._keys

    def _locate(self) -> None:
        if self._text is not None:
            text, self._text = self._text, None
            if _WITH_LIBYAML:
                _record_positions(text, self)
            else:  # pragma: no cover - PyYAML without libyaml
                _read_with_positions(text, self)

    def position(self, path: PlainPath, *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that was written down."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceMap):
            return NotImplemented
        return (self.file, self.values, self.keys) == (other.file, other.values, other.keys)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SourceMap({self.file!r})"


@dataclass(frozen=True)
class ParsedFile:
    """The plain data of a file, where it came from, and what was wrong with it."""

    data: Any
    source: SourceMap
    diagnostics: tuple[Diagnostic, ...]


class _Builder:
    """Turns a stream of YAML events into plain dicts, lists, strings and None."""

    def __init__(self, events: Iterator[yaml.Event], source: SourceMap, lines: list[str]) -> None:
        self.events = events
        self.source = source
        self.lines = lines
        self.problems: list[Diagnostic] = []

    def error(self, mark: yaml.Mark, message: str, path: PlainPath, hint: str = "") -> None:
        self.problems.append(
            Diagnostic(self.source.file, mark.line + 1, mark.column + 1, message, field_path(path), hint)
        )

    def node(self, event: yaml.Event, path: PlainPath) -> Any:
        mark = event.start_mark
        self.source._values[path] = (mark.line + 1, mark.column + 1)  # not the property: 400,000 writes
        if len(path) >= MAX_DEPTH and isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self.error(mark, f"YAML nested more than {MAX_DEPTH} levels deep", path,
                       "a plan file nests a few levels at most: check the indentation and brackets from here on")
            self.skip()
            return None
        if isinstance(event, yaml.AliasEvent):
            self.error(
                mark,
                f"YAML alias {excerpt('*' + event.anchor)} is not allowed",
                path,
                self.quote_hint(mark, "*", "&" + event.anchor) or
                "write the value out in full: anchors and aliases hide what a plan says and can blow up its size",
            )
            return None
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.error(
                mark,
                f"YAML anchor {excerpt('&' + anchor)} is not allowed",
                path,
                self.quote_hint(mark, "&", "*" + anchor) or "remove the anchor and write each value out in full",
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
            self.error(
                mark,
                f"YAML tag {excerpt(str(tag).replace('tag:yaml.org,2002:', '!!'))} is not allowed",
                path,
                (_quote_hint(self.lines, mark.line, "!") if not str(tag).startswith("tag:") else "")
                or "plans are plain data: remove the tag (quote the value if it should be text)",
            )
        if isinstance(event, yaml.ScalarEvent):
            plain = event.style is None and tag is None
            if plain and event.value in NULLS:
                return None
            self.text_problems(mark, event.value, path)
            return unicodedata.normalize("NFC", event.value)
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            for event in self.events:
                if isinstance(event, yaml.SequenceEndEvent):
                    return items
                items.append(self.node(event, path + (len(items),)))
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(path)
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def quote_hint(self, mark: yaml.Mark, indicator: str, partner: str) -> str:
        """'quote the value' for an alias or anchor that is text, not YAML: the file has no `partner` for it."""
        if any(re.search(re.escape(partner) + r"(?![\w-])", line) for line in self.lines):
            return ""
        return _quote_hint(self.lines, mark.line, indicator)

    def text_problems(self, mark: yaml.Mark, value: str, path: PlainPath) -> bool:
        """Report characters no plan text may hold (in a value, or in a key at `path`); whether there were any."""
        control = CONTROL_CHARACTERS.search(value)
        if control:
            self.error(mark, f"control character U+{ord(control.group()):04X} in text", path,
                       "remove the escape sequence: plan text holds printable characters, tabs and newlines")
        surrogate = SURROGATES.search(value)
        if surrogate:
            self.error(mark, f"escape '\\u{ord(surrogate.group()):04x}' is half of a character (a lone surrogate)",
                       path, "write the character itself, or its full escape (\\U0001F600 for an emoji)")
        return bool(control or surrogate)

    def skip(self) -> None:
        """Read past the rest of the collection just started, without building it."""
        level = 1
        for event in self.events:
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                level += 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                level -= 1
                if not level:
                    return

    def mapping(self, path: PlainPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_event in self.events:
            if isinstance(key_event, yaml.MappingEndEvent):
                return result
            mark = key_event.start_mark
            if not isinstance(key_event, yaml.ScalarEvent):
                self.error(mark, "a key must be a plain name, not a list or mapping", path)
                self.node(key_event, path + ("?",))
                self.node(next(self.events), path + ("?",))
                continue
            key = unicodedata.normalize("NFC", key_event.value)
            child = path + (key,)
            if self.text_problems(mark, key, child):  # reported here, and no field the schema could name
                self.node(next(self.events), path + (f"{key}#bad{mark.line}",))
                continue
            if key in result or child in self.source._keys:
                first_line = self.source._keys[child][0]
                self.error(
                    mark,
                    f"duplicate key {excerpt(key)} (first written on line {first_line})",
                    child,
                    "keep one of the two: YAML would silently drop the first",
                )
                self.node(next(self.events), path + (f"{key}#dup{mark.line}",))
                continue
            self.source._keys[child] = (mark.line + 1, mark.column + 1)
            result[key] = self.node(next(self.events), child)
        return result  # pragma: no cover


FastRead = tuple[bool, Any]
"""What the fast reader made of a file: (True, its data), or (False, None) when it leaves the file to `read_yaml`."""


def fast_read(raw: bytes) -> FastRead:
    """The fast reader's part of `read_yaml`, for a file's bytes: pure, so it can run in another process."""
    if len(raw) > MAX_FILE_BYTES:
        return False, None
    try:
        data = _clean_data(_body(raw).decode("utf-8"))
    except UnicodeDecodeError:
        return False, None
    return (False, None) if data is _NEEDS_POSITIONS else (True, data)


def read_yaml(path: Path, display: str, *, raw: bytes | None = None, fast: FastRead | None = None) -> ParsedFile:
    """Parse one plan file safely; problems come back as diagnostics, never as exceptions.

    `raw` is the file's content when the caller has already read it, `fast` what
    `fast_read` made of it when the caller has already run it (on another core).
    """
    source = SourceMap(display)

    def fail(line: int, column: int, message: str, hint: str = "") -> ParsedFile:
        return _failed(source, line, column, message, hint)

    if raw is None:
        raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        return fail(1, 1, f"file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for one plan file",
                    "split it: each team has its own file under teams/")
    body = _body(raw)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = body.rfind(b"\n", 0, exc.start) + 1
        line = body[: exc.start].count(b"\n") + 1
        column = len(body[line_start: exc.start].decode("utf-8", errors="replace")) + 1
        return fail(line, column, f"file is not UTF-8 text (byte 0x{body[exc.start]:02x} cannot be decoded)",
                    "save the file as UTF-8")
    if not text.strip() or (text.lstrip().startswith("#")  # else the first line with text is no comment
                            and all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines())):
        return fail(1, 1, "file is empty", "write the file's fields, or delete the file")
    if fast is None:
        data = _clean_data(text)
    else:
        data = fast[1] if fast[0] else _NEEDS_POSITIONS
    if data is not _NEEDS_POSITIONS:
        return ParsedFile(data, SourceMap(display, text=text), ())
    return _read_with_positions(text, source)


def _body(raw: bytes) -> bytes:
    """A file's bytes without a UTF-8 byte order mark."""
    return raw.removeprefix(b"\xef\xbb\xbf")


def _read_with_positions(text: str, source: SourceMap, loader: Any = yaml.SafeLoader) -> ParsedFile:
    """Read recording every position and reporting every problem.

    PyYAML's Python parser words syntax errors best. A file known to be clean
    is read again by libyaml when positions are asked for: same positions, faster.
    """
    lines = text.splitlines()
    builder = _Builder(yaml.parse(text, Loader=loader), source, lines)
    data: Any = None
    try:
        for event in builder.events:
            if isinstance(event, yaml.StreamStartEvent):
                continue
            if isinstance(event, yaml.DocumentStartEvent):
                data = builder.node(next(builder.events), ())
                end = next(builder.events)
                if isinstance(end, yaml.DocumentEndEvent):
                    following = next(builder.events)
                    if not isinstance(following, yaml.StreamEndEvent):
                        builder.error(following.start_mark, "a plan file holds one YAML document, this is a second", (),
                                      "remove the '---' line and what follows, or move it to its own file")
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = _short(exc.problem or "invalid YAML")
        context = f" ({_short(exc.context)})" if exc.context else ""
        quoting = next(filter(None, (_quote_hint(lines, m.line) for m in (exc.context_mark, exc.problem_mark) if m)),
                       "")
        return ParsedFile(None, source, tuple(builder.problems) + (
            Diagnostic(source.file, line, column, f"YAML syntax error: {problem}{context}", "",
                       quoting or "check the indentation and quoting on this line and the one before"),))
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return _failed(source, line, column, f"unacceptable character #x{exc.character:04x}: {exc.reason}",
                       "remove the invisible control character (retype the text around it)")
    except yaml.YAMLError as exc:
        return _failed(source, 1, 1, f"YAML error: {_short(str(exc))}")
    return ParsedFile(data, source, tuple(builder.problems))


def _record_positions(text: str, source: SourceMap) -> None:
    """The positions the careful reader records, for a file the fast reader read cleanly: by libyaml, no checks.

    Rules point at a line in a few dozen files of a large plan; only where things are is needed then.
    """
    following = yaml.CSafeLoader(text).get_event
    mapping_start, mapping_end = yaml.MappingStartEvent, yaml.MappingEndEvent
    sequence_start, sequence_end = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    values, keys = source._values, source._keys

    def node(event: Any, path: PlainPath) -> None:
        mark = event.start_mark
        values[path] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is mapping_start:
            while type(key_event := following()) is not mapping_end:
                child = (*path, unicodedata.normalize("NFC", key_event.value))
                key_mark = key_event.start_mark
                keys[child] = (key_mark.line + 1, key_mark.column + 1)
                node(following(), child)
        elif kind is sequence_start:
            index = 0
            while type(item := following()) is not sequence_end:
                node(item, (*path, index))
                index += 1

    following(), following()  # the stream and the document start
    node(following(), ())


_STARTS_WITH_INDICATOR = re.compile(r"^\s*(?:-\s+)*(?:(?P<key>[^\s\-?:#'\"][^:#]*?):\s+)?(?P<value>[*&!%@`].*?)\s*$")
"""A line whose value starts with a character YAML reserves (alias, anchor, tag, directive, reserved)."""


def _quote_hint(lines: list[str], index: int, only: str = "*&!%@`") -> str:
    """'quote the value' when line `index` (0-based) holds a value starting with one of `only`; else empty."""
    match = _STARTS_WITH_INDICATOR.match(lines[index]) if 0 <= index < len(lines) else None
    if match is None or match["value"][0] not in only:
        return ""
    value = match["value"]
    hint = f"quote a value that starts with '{value[0]}' (YAML reserves it)"
    if len(value) > EXCERPT_LIMIT:
        return hint
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{hint}: {match['key']}: {quoted}" if match["key"] else f"{hint}: {quoted}"


def _short(text: str) -> str:
    """The parser's own words, which may quote the file: invisible characters escaped, cut short if long."""
    text = printable(text)
    return text if len(text) <= 2 * EXCERPT_LIMIT else text[: 2 * EXCERPT_LIMIT] + "…"


def _failed(source: SourceMap, line: int, column: int, message: str, hint: str = "") -> ParsedFile:
    return ParsedFile(None, source, (Diagnostic(source.file, line, column, message, "", hint),))


_WITH_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))

_NEEDS_POSITIONS: Any = object()
"""What `_clean_data` returns for a file with something to report: the careful reader takes over."""

_PLAIN_TAGS = frozenset({None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _NotClean(Exception):
    """The file has something to report; only the careful reader reports it."""


def _clean_data(text: str) -> Any:
    """The data of a file with nothing to report, read by libyaml (C) without keeping positions.

    The same values the careful reader builds, about ten times faster. Anything it
    would report (a syntax error, an anchor, an alias, a tag, a duplicate key, a
    control character, a second document) returns `_NEEDS_POSITIONS` instead, so
    every problem is still reported by one reader, in one wording.
    """
    normalize, control = unicodedata.normalize, CONTROL_CHARACTERS.search
    unicode = not text.isascii()  # known to the string: no scan
    has_control = control(text) is not None
    # In ASCII text the characters libyaml refuses are the control characters: one scan less.
    if not _WITH_LIBYAML or (yaml.reader.Reader.NON_PRINTABLE.search(text) if unicode else has_control):
        return _NEEDS_POSITIONS
    following = yaml.CSafeLoader(text).get_event  # no generator around it: 800,000 events at 1,000 teams
    scalar, mapping_start, mapping_end = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent
    sequence_start, sequence_end, alias = yaml.SequenceStartEvent, yaml.SequenceEndEvent, yaml.AliasEvent
    # What the text cannot hold, no value can: a file without '&', '*' and '!' has no anchor,
    # alias or tag, one without a backslash escape or control character has none in a value,
    # an ASCII file has nothing to normalize. Most files skip most checks of their 600 values.
    marked = "&" in text or "*" in text or "!" in text
    escaped = "\\" in text or has_control
    surrogate = SURROGATES.search
    depth = 0

    def node(event: Any) -> Any:
        nonlocal depth
        kind = type(event)
        if marked and (kind is alias or event.anchor is not None or event.tag not in _PLAIN_TAGS):
            raise _NotClean
        if kind is scalar:
            value = event.value
            if value in NULLS and not event.style and event.tag is None:
                return None
            if escaped and (control(value) or surrogate(value)):
                raise _NotClean
            return normalize("NFC", value) if unicode and not value.isascii() else value
        if kind is mapping_start or kind is sequence_start:
            depth += 1
            if depth > MAX_DEPTH:
                raise _NotClean
        if kind is mapping_start:
            result: dict[str, Any] = {}
            while True:
                key_event = following()
                key_kind = type(key_event)
                if key_kind is mapping_end:
                    depth -= 1
                    return result
                if key_kind is not scalar or (escaped and (control(key_event.value) or surrogate(key_event.value))):
                    raise _NotClean
                key = normalize("NFC", key_event.value) if unicode and not key_event.value.isascii() else key_event.value
                if key in result:
                    raise _NotClean
                result[key] = node(following())
        if kind is sequence_start:
            items: list[Any] = []
            while True:
                item = following()
                if type(item) is sequence_end:
                    depth -= 1
                    return items
                items.append(node(item))
        raise _NotClean

    try:
        if not isinstance(following(), yaml.StreamStartEvent) or not isinstance(following(), yaml.DocumentStartEvent):
            return _NEEDS_POSITIONS
        data = node(following())
        if not isinstance(following(), yaml.DocumentEndEvent) or not isinstance(following(), yaml.StreamEndEvent):
            return _NEEDS_POSITIONS
    except (yaml.YAMLError, _NotClean, RecursionError, AttributeError):  # AttributeError: no event where one belongs
        return _NEEDS_POSITIONS
    return data
