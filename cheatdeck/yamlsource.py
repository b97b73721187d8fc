"""Read a YAML file into plain data plus the source position of every node.

Scalars are kept as the text the author wrote (the StrictYAML approach): the
schema, not YAML 1.1's guessing, decides what is a number, so `NO`, `1.10` or
`12:30` stay text. Only the safe core tags are accepted, and aliases are
expanded under a budget so an alias bomb is refused at once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import yaml

from .errors import Location, Path, Problem

SAFE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
MAX_FILE_BYTES = 8 * 1024 * 1024
NODE_BUDGET_FLOOR = 100_000


@dataclass
class Positions:
    """Where each node of the document starts, keyed by its path."""

    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def at(self, path: Path, key: bool = False) -> Location:
        table = self.keys if key else self.values
        found = table.get(path)
        if found is None:
            probe = path
            while probe and probe not in table:
                probe = probe[:-1]
            found = table.get(probe, self.values.get((), (1, 1)))
        return Location(self.file, found[0], found[1], path)


class _Reject(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _Converter:
    def __init__(self, positions: Positions, budget: int):
        self.positions = positions
        self.budget = budget

    def problem(self, node: yaml.Node, path: Path, message: str) -> _Reject:
        m = node.start_mark
        return _Reject(Problem(Location(self.positions.file, m.line + 1, m.column + 1, tuple(path)), message))

    def convert(self, node: yaml.Node, path: Path):
        self.budget -= 1
        if self.budget < 0:
            raise self.problem(node, path, "the document expands to too many nodes; "
                               "aliases (*name) may repeat a block only a few times")
        if node.tag not in SAFE_TAGS:
            raise self.problem(node, path, f"the tag {node.tag!r} is not allowed; "
                               "a sheet holds only text, numbers, lists and mappings")
        self.positions.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            if node.tag.endswith(":null") and node.style is None and node.value in ("", "~", "null", "Null", "NULL"):
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                raise self.problem(key_node, path, "a key must be plain text")
            key = key_node.value
            if key in result:
                first = self.positions.keys[path + (key,)]
                raise self.problem(key_node, path + (key,),
                                   f"duplicate key {key!r} (first at line {first[0]})")
            self.positions.keys[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.convert(value_node, path + (key,))
        return result


def _decode(raw: bytes, file: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Reject(Problem(Location(file, 1, 1), "the file is UTF-16; save it as UTF-8"))
    if b"\x00" in raw:
        raise _Reject(Problem(Location(file, 1, 1), "this is a binary file, not YAML text"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _Reject(Problem(Location(file, line, col),
                              f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})")) from None
    return text.removeprefix("\ufeff")


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = exc.problem or "invalid YAML"
    source_line = text.splitlines()[line - 1] if mark and line <= len(text.splitlines()) else ""
    if "\t" in source_line[: max(col, 1)] or "'\\t'" in message:
        message = "a tab is used for indentation; YAML needs spaces"
    elif exc.context:
        message = f"{message} ({exc.context}"
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            message += f" at line {exc.context_mark.line + 1}"
        message += ")"
    return Problem(Location(file, line, col), f"YAML syntax error: {message}")


def read_yaml(raw: bytes, file: str) -> tuple[object, Positions, list[Problem]]:
    """Parse bytes into (data, positions, problems); data is None on problems."""
    positions = Positions(file)
    if len(raw) > MAX_FILE_BYTES:
        return None, positions, [Problem(Location(file, 1, 1),
                                         f"the file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")]
    try:
        text = _decode(raw, file)
        if not text.strip():
            raise _Reject(Problem(Location(file, 1, 1), "the file is empty; a sheet needs id, title and domains"))
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            raise _Reject(_syntax_problem(exc, file, text)) from None
        except yaml.YAMLError as exc:
            raise _Reject(Problem(Location(file, 1, 1), f"YAML error: {exc}")) from None
        if node is None:
            raise _Reject(Problem(Location(file, 1, 1), "the file holds no YAML document"))
        converter = _Converter(positions, max(NODE_BUDGET_FLOOR, len(text) // 2))
        return converter.convert(node, ()), positions, []
    except _Reject as reject:
        return None, positions, [reject.problem]


try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def invisible_characters(text: str) -> list[str]:
    """Control and format characters that print as nothing (or garbage)."""
    if text.isprintable():
        return []
    return [c for c in text if c not in "\n" and unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")]
