"""Change a few values in a plan file's YAML text, and not one other byte.

`handbook update` writes check-in values (`current`, `confidence`, `note`, `as_of`) into
files people wrote by hand: their comments, quoting, key order, blank lines and line
endings are theirs. So the file is never dumped again: the parser says where each value
is written (`start_mark` and `end_mark` of its node), that span of text is replaced, and
a missing key gets one new line at the indentation of its neighbours. What cannot be
edited that way safely (a value written over several lines, a new key in a flow mapping
`{…}`) is refused with the place and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from sales_handbook.plan.yamlfile import NULLS, PlainPath

CHECK_IN_ORDER = ("baseline", "target", "current", "confidence", "note")
"""The order of a number's keys: a missing one goes after the nearest one before it (`baseline` is always there)."""


@dataclass(frozen=True)
class Edit:
    """Set `key` of the mapping at `path` to `value` (YAML text of one scalar), or remove it (`value` None)."""

    path: PlainPath
    key: str
    value: str | None
    after: tuple[str, ...] = ()
    """Where the key goes if it is missing: after the last of these keys that the mapping has (else at its end)."""

    @classmethod
    def check_in(cls, path: PlainPath, key: str, value: str | None) -> Edit:
        """An edit of `current`, `confidence` or `note`, which go in `CHECK_IN_ORDER`."""
        return cls(path, key, value, CHECK_IN_ORDER[:CHECK_IN_ORDER.index(key)])


@dataclass(frozen=True)
class Refused:
    """An edit that cannot be made without touching more than its value: where, and why."""

    edit: Edit
    line: int
    column: int
    message: str
    hint: str


@dataclass(frozen=True)
class Edited:
    """The new text of a file, or the edits refused (then `text` is the old text)."""

    text: str
    refused: tuple[Refused, ...]


def apply(text: str, edits: Sequence[Edit]) -> Edited:
    """`text` with every edit made, each touching only its own value (or its own line).

    Keys added after the same key come in the order of `edits`."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    newline = "\r\n" if "\r\n" in text else "\n"
    splices: list[tuple[int, int, str]] = []
    inserted: dict[int, list[str]] = {}
    refused: list[Refused] = []

    def refuse(edit: Edit, mark: yaml.Mark, message: str, hint: str) -> None:
        refused.append(Refused(edit, mark.line + 1, mark.column + 1, message, hint))

    for edit in edits:
        mapping = _node(root, edit.path)
        if not isinstance(mapping, yaml.MappingNode):  # pragma: no cover - paths come from the loaded plan
            raise LookupError(f"no mapping at {edit.path}")
        pairs = {key.value: (key, value) for key, value in mapping.value}
        if edit.key in pairs:
            key, value = pairs[edit.key]
            if not isinstance(value, yaml.ScalarNode) or value.style in ("|", ">") or (
                    value.start_mark.line != value.end_mark.line):
                refuse(edit, value.start_mark, f"'{edit.key}' is written over several lines",
                       f"write '{edit.key}:' on one line, then run the update again")
                continue
            if edit.value is None:
                start = text.rfind("\n", 0, key.start_mark.index) + 1
                if mapping.flow_style or text[start:key.start_mark.index].strip():
                    refuse(edit, key.start_mark, f"'{edit.key}' shares its line with other keys",
                           f"remove '{edit.key}' by hand, or put each key of this mapping on its own line")
                    continue
                splices.append((start, _line_end(text, value.end_mark.index), ""))
            elif value.value in NULLS and value.style is None and value.start_mark.index == value.end_mark.index:
                colon = text.index(":", key.end_mark.index) + 1
                splices.append((colon, colon, " " + edit.value))
            else:
                splices.append((value.start_mark.index, value.end_mark.index, edit.value))
        elif edit.value is not None:
            if mapping.flow_style:
                refuse(edit, mapping.start_mark, f"'{edit.key}' would be added to a mapping written in braces {{…}}",
                       f"add '{edit.key}: {edit.value}' inside the braces by hand, or write the mapping one key "
                       "per line")
                continue
            anchor = next((pairs[k] for k in reversed(edit.after) if k in pairs), None)
            key, value = anchor if anchor is not None else mapping.value[-1]
            at = _line_end(text, value.end_mark.index)
            inserted.setdefault(at, []).append(" " * key.start_mark.column + f"{edit.key}: {edit.value}")
    if refused:
        return Edited(text, tuple(refused))
    for at, lines in inserted.items():
        block = "".join(line + newline for line in lines)  # in the order of `edits`
        splices.append((at, at, block if at == 0 or text[at - 1] == "\n" else newline + block))
    for start, end, replacement in sorted(splices, reverse=True):
        text = text[:start] + replacement + text[end:]
    return Edited(text, ())


def _node(root: yaml.Node, path: PlainPath) -> yaml.Node | None:
    node: yaml.Node | None = root
    for part in path:
        if isinstance(part, int) and isinstance(node, yaml.SequenceNode):
            node = node.value[part]
        elif isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), None)
        else:
            return None
    return node


def _line_end(text: str, index: int) -> int:
    """Where the line holding `index` ends, after its line break (a value's trailing comment stays with it).

    An index at the start of a line (a block value ends there) is already its end."""
    if index > 0 and text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1
