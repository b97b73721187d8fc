"""Read a YAML file into plain data plus the source position of every node.

Scalars are kept as the text the author wrote (the StrictYAML approach): the
schema, not YAML 1.1's guessing, decides what is a number, so `NO`, `1.10` or
`12:30` stay text. Only the safe core tags are accepted, and aliases are
expanded under a budget so an alias bomb is refused at once.

The data is built from libyaml's event stream with an explicit stack, never
by recursion: libyaml's own composer (and any recursive walk) overflows the C
stack on a few hundred thousand nested brackets.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from ..errors import DocPath, Location, Problem
from . import syntax

SAFE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
# A 50,000-fact sheet is about 9 MB; the limit leaves room for longer facts and still refuses a runaway file.
MAX_FILE_BYTES = 32 * 1024 * 1024
NODE_BUDGET_FLOOR = 100_000
# A sheet nests about eight levels; anything far deeper is an accident or an attack on the stack.
MAX_DEPTH = 32
# YAML allows tab, line breaks and printable characters (YAML 1.1, 5.1); libyaml refuses the rest.
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
MAX_UNREADABLE = 20


class Nodes:
    """Where each node of a document starts, by number: its line, column, parent and name in the parent.

    A loaded sheet's texts and items keep their node's number, and make a Location (with the node's path) only
    when a message asks for one: a Location per text was a third of a big sheet's model, and a NamedTuple stays
    in the collector's care for good (only exact tuples leave it)."""

    __slots__ = ("file", "lines", "columns", "parents", "names", "_digest")

    def __init__(self, file: str):
        self.file = file
        # Four bytes each ("L" takes eight on 64-bit Linux): a sheet is at most MAX_FILE_BYTES long, so no line,
        # column or node number comes near 2**31, and a big sheet keeps its nodes for the whole build.
        self.lines, self.columns, self.parents = array("I"), array("I"), array("i")
        self.names: list[str | int | None] = []
        self._digest: bytes | None = None

    def __eq__(self, other: object) -> bool:
        """Equal for two reads of the same text, so that the parts of two loads of a sheet compare (and hash) by
        value, as Locations did. Compared by a digest made once: every record of a sheet refers to its nodes."""
        if self is other:
            return True
        return isinstance(other, Nodes) and self.file == other.file and self.digest() == other.digest()

    def digest(self) -> bytes:
        """Of everything a Location is made from (asked for once the nodes are all read)."""
        if self._digest is None:
            parts = (self.lines.tobytes(), self.columns.tobytes(), self.parents.tobytes(), repr(self.names).encode())
            parts = (str(len(self.names)).encode(), *parts)  # each part's length follows from the count
            self._digest = hashlib.blake2b(b"\x00".join(parts), digest_size=20).digest()
        return self._digest

    def __hash__(self) -> int:
        return hash(self.file)

    def location(self, node: int) -> Location:
        parts = []
        at = node
        while (parent := self.parents[at]) >= 0:
            parts.append(self.names[at])
            at = parent
        parts.reverse()
        return Location(self.file, self.lines[node], self.columns[node], tuple(parts))


@dataclass
class Positions:
    """Where each node of the document starts, keyed by its path (a node number of `nodes`)."""

    file: str
    values: dict[DocPath, int] = field(default_factory=dict)
    keys: dict[DocPath, int] = field(default_factory=dict)
    # The comment after an empty value (`color: #16365c`), which the author may have meant as the value.
    comments: dict[DocPath, str] = field(default_factory=dict)
    sections: dict[DocPath, tuple[str | None, int, int]] = field(default_factory=dict)
    """Each section's source text, the whole lines from its first key's to the next section's (or whatever
    follows it): the same text reads as the same section (source/sections.py); the number of the first node
    after it; and its first line (from 0). Empty for a document with anchors, where an alias may show another
    part's text."""
    skipped: set[DocPath] = field(default_factory=set)
    """The sections read as a kept one (`read_yaml`'s `kept`): their nodes are numbered, but their paths are not
    in `values` and `keys`."""
    unplaced: int = 0
    """How many kept sections offered were not found where they were said to be (then read it all again)."""
    nodes: Nodes = field(init=False)

    def __post_init__(self):
        self.nodes = Nodes(self.file)

    def at(self, path: DocPath, key: bool = False) -> Location:
        table = self.keys if key else self.values
        found = table.get(path)
        if found is not None:
            return self.nodes.location(found)
        probe = path
        while probe and probe not in table:
            probe = probe[:-1]
        found = table.get(probe)
        if found is None:
            found = self.values.get(())
        if found is None:
            return Location(self.file, 1, 1, path)
        return Location(self.file, self.nodes.lines[found], self.nodes.columns[found], path)


Kept = Mapping[int, tuple]
"""A section's first line (from 0) → its text, its data as validated, and its nodes' lines (from its first line),
columns, parents (from its own number) and names, as `place` numbers them."""
# Line breaks other than "\n" (to libyaml or to str.splitlines): a text with one is read in full.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_LEAD = re.compile(r"[ \-]*")


def _stand_ins(text: str, kept: Kept) -> tuple[str, dict]:
    """The text with each kept section that stands where it is said to, word for word, replaced by `{}` after
    its first line's indentation and dash, and empty lines: libyaml reads it at once, each line where it was."""
    lines = text.split("\n")
    found: dict[int, tuple] = {}
    after = 0
    for first, entry in sorted(kept.items()):
        count = entry[0].count("\n")
        if first >= after and "\n".join(lines[first:first + count]) + "\n" == entry[0]:
            after = first + count
            found[first] = entry
            lines[first] = _LEAD.match(lines[first]).group() + "{}"
            lines[first + 1:first + count] = [""] * (count - 1)
    return "\n".join(lines), found


def kept_nodes(nodes: Nodes, base: int, end: int) -> tuple:
    """The nodes of one section, from `base` to `end`, as `Kept` holds them."""
    first = nodes.lines[base]
    return (tuple(line - first for line in nodes.lines[base:end]), tuple(nodes.columns[base:end]),
            tuple(parent - base for parent in nodes.parents[base:end]), tuple(nodes.names[base:end]))


class _Reject(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _Builder:
    """Turns parser events into lists, dicts and strings, recording where each node starts."""

    def __init__(self, positions: Positions, budget: int, text: str, lines: list[str], kept: Kept | None):
        self.positions = positions
        self.text = text
        self.kept = dict(kept or {})
        self.placing = False
        self.standing = bool(self.kept)
        """Whether an event may be a kept section's stand-in (`placed`): some are yet to be placed, or one is."""
        self.values, self.nodes, self.names = positions.values, positions.nodes, positions.nodes.names
        self.add_line, self.add_column, self.add_parent = (
            self.nodes.lines.append, self.nodes.columns.append, self.nodes.parents.append)
        self.lines = lines
        self.budget = budget
        """How many nodes the document may hold: each takes the next number (`names`), a path once."""
        self.root: list = []
        self.documents = 0
        # frames: [container, path, pending key or None, node number, a section's (start, line) or None]
        self.stack: list[list] = []
        self.anchors: dict[str, list[yaml.Event]] = {}
        self.recording: dict[str, list] = {}  # anchor → [events so far, open collections]
        self.problems: list[Problem] = []
        """What reads on regardless (a key written twice), so that the rest of the sheet is still checked."""

    def problem(self, event: yaml.Event, path: DocPath, message: str) -> _Reject:
        m = event.start_mark
        return _Reject(Problem(Location(self.positions.file, m.line + 1, m.column + 1, path), message))

    def replay(self, alias: yaml.AliasEvent):
        """The alias, then its anchored node's events, each alias inside replayed in turn (with a stack: a chain
        of aliases is as deep as the author made it)."""
        pending = [iter((alias,))]
        while pending:
            event = next(pending[-1], None)
            if event is None:
                pending.pop()
                continue
            if type(event) is yaml.AliasEvent:
                if event.anchor in self.recording:
                    raise self.problem(event, self.next_path(), f"the alias *{event.anchor} refers to itself")
                if event.anchor not in self.anchors:
                    raise self.problem(event, self.next_path(), f"the alias *{event.anchor} has no anchor &{event.anchor}")
                yield event, len(pending) == 1
                pending.append(iter(self.anchors[event.anchor]))
                continue
            yield event, False

    def next_path(self) -> DocPath:
        if not self.stack:
            return ()
        container, path, key = self.stack[-1][:3]
        return path + ((len(container),) if isinstance(container, list) else ((key,) if key is not None else ()))

    def feed(self, event: yaml.Event, original: bool) -> None:
        """One event into the data; the read of a whole sheet passes here a hundred thousand times."""
        if self.standing and self.placed(event):
            return
        kind = type(event)
        if kind is _SCALAR:
            node = None
        elif kind is _MAPPING or kind is _SEQUENCE:
            node = {} if kind is _MAPPING else []
        else:
            return self.close(event, original)
        # Only these three kinds of event have an anchor.
        if original and (self.recording or event.anchor):
            self.record(event)
        stack = self.stack
        # Where the node goes: `slot` is _ITEM in a list (the root's too), a mapping's pending key, or None for a key.
        if stack:
            container, path, slot, parent, _ = frame = stack[-1]
            if type(container) is list:
                name = len(container)
                path = path + (name,)
                slot = _ITEM
            elif slot is not None:
                name = slot
                path = path + (name,)
        else:
            container, path, slot, parent, name = self.root, (), _ITEM, -1, None
        names, number = self.names, len(self.names)
        if number >= self.budget or event.tag not in _ALLOWED_TAGS:
            raise self.refusal(event, path)
        if node is None:
            value = event.value
            # libyaml reports a plain scalar's style as '', the pure-Python parser as None.
            if not event.style and value in _NULLS:
                value = self.null(event, path, slot is None)
        elif len(path) > MAX_DEPTH:
            raise self.refusal(event, path)
        else:
            value = node
        if slot is None:
            self.positions.keys[self.key(event, frame, path, value)] = number
            name = value
        else:
            self.values[path] = number
        mark = event.start_mark
        self.add_line(mark.line + 1)
        self.add_column(mark.column + 1)
        self.add_parent(parent)
        names.append(name)
        if slot is _ITEM:
            container.append(value)
        elif slot is None:
            return
        else:
            container[slot] = value
            frame[2] = None
        if node is not None:
            # A section's text starts at its line's start: indentation counts.
            stack.append([node, path, None, number, (mark.index - mark.column, mark.line) if len(path) == 4 and
                          path[2] == "sections" and path[0] == "domains" and kind is _MAPPING else None])

    def close(self, event: yaml.Event, original: bool) -> None:
        """An event that starts no node: a collection's end (a section's text is noted: Positions.sections), or
        the document's or the stream's start or end."""
        if original and self.recording:
            self.record(event)
        kind = type(event)
        if kind is not _SEQUENCE_END and kind is not _MAPPING_END:
            if kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise self.problem(event, (), "the file holds more than one YAML document (---)")
            return
        frame = self.stack.pop()
        if frame[4] is not None:
            # Whole lines: the next section's first line may be a stand-in (`_stand_ins`). A section that ends on
            # a line holding more (a flow mapping's `}`, a file without a final newline) has no text, so it is
            # never kept: its text would miss that line, and an edit there would keep the old records.
            start, line = frame[4]
            end = event.start_mark.index
            cut = self.text.rfind("\n", start, end) + 1
            text = self.text[start:cut] if cut and not self.text[cut:end].strip() else None
            self.positions.sections[frame[1]] = (text or None, len(self.names), line)

    def opens_section(self, event: yaml.Event) -> bool:
        """Whether the event opens a section (a mapping at domains[i].sections[j])."""
        if type(event) is not yaml.MappingStartEvent or len(self.stack) != 4:
            return False
        container, path = self.stack[3][0], self.stack[3][1]
        return type(container) is list and path[0] == "domains" and path[2] == "sections"

    def placed(self, event: yaml.Event) -> bool:
        """Whether the event is a kept section's stand-in (`_stand_ins`), its start placed or its end passed."""
        if self.placing:
            self.placing = False
            self.standing = bool(self.kept)
            return True
        if event.start_mark.line in self.kept and self.opens_section(event):
            self.place(event.start_mark, *self.kept.pop(event.start_mark.line))
            return True
        return False

    def place(self, start: yaml.Mark, text: str, data: object, lines, columns, parents, names) -> None:
        """A kept section in place of its stand-in (`_stand_ins`): its data as kept, its nodes numbered as reading
        it numbers them (the lines moved to where it now starts)."""
        self.placing = True  # the stand-in's end is not fed
        frame = self.stack[-1]
        path = frame[1] + (len(frame[0]),)
        if len(self.names) + len(names) > self.budget:
            raise _Reject(Problem(Location(self.positions.file, start.line + 1, start.column + 1, path),
                                  "the document expands to too many nodes"))
        nodes, base, line = self.nodes, len(self.nodes.names), start.line + 1
        nodes.lines.extend([at + line for at in lines])
        nodes.columns.extend(columns)
        nodes.parents.append(frame[3])
        nodes.parents.extend([parent + base for parent in parents[1:]])
        nodes.names.append(path[-1])
        nodes.names.extend(names[1:])
        self.values[path] = base
        frame[0].append(data)
        self.positions.sections[path] = (text, len(nodes.names), start.line)
        self.positions.skipped.add(path)

    def refusal(self, event: yaml.Event, path: DocPath) -> _Reject:
        """Why a node is refused: one node more than the budget, a tag a sheet may not hold, or a collection nested
        too deep."""
        if len(self.names) >= self.budget:
            return self.problem(event, path, "the document expands to too many nodes; "
                                             "aliases (*name) may repeat a block only a few times")
        if event.tag not in _ALLOWED_TAGS:
            return self.problem(event, path, f"the tag {event.tag!r} is not allowed; "
                                             "a sheet holds only text, numbers, lists and mappings")
        return self.problem(event, path[:MAX_DEPTH], f"the document nests more than {MAX_DEPTH} levels deep")

    def null(self, event: yaml.ScalarEvent, path: Path, is_key: bool) -> str | None:
        """A plain scalar that reads as null (empty, `~`, `null`): None unless tagged as text; an empty value
        keeps the comment on its line (a sheet's placeholder explains itself)."""
        mark = event.start_mark
        if not event.value and not is_key:
            rest = self.lines[mark.line][mark.column:].strip() if mark.line < len(self.lines) else ""
            if rest.startswith("#"):
                self.positions.comments[path] = rest
        return event.value if event.tag == _STR else None

    def key(self, event: yaml.ScalarEvent, frame: list, path: Path, value: object) -> DocPath:
        """A mapping's key, held pending until its value arrives (its path returned); a key twice is an error at
        the second, whose value stands in for the first so that the checks of the rest still run."""
        container = frame[0]
        if type(value) is not str:
            raise self.problem(event, path, "a key must be plain text")
        where = path + (value,)
        if value in container:
            first = self.nodes.lines[self.positions.keys[where]]
            self.problems.append(self.problem(event, where, f"duplicate key {value!r} (first at line {first})").problem)
        container[value] = _KEY_PENDING
        frame[2] = value
        return where

    def record(self, event: yaml.Event) -> None:
        """Keep the events of each anchored node until it closes, for its aliases to replay."""
        anchor = getattr(event, "anchor", None)
        if anchor and not isinstance(event, yaml.AliasEvent):
            self.recording[anchor] = [[], 0]
        if not self.recording:
            return
        step = (1 if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
                else -1 if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)) else 0)
        for name, entry in list(self.recording.items()):
            entry[0].append(event)
            entry[1] += step
            if entry[1] == 0:
                self.anchors[name] = entry[0]
                del self.recording[name]


_KEY_PENDING, _ITEM = object(), object()
_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_SEQUENCE_END, _MAPPING_END, _ALIAS = yaml.SequenceEndEvent, yaml.MappingEndEvent, yaml.AliasEvent
_ALLOWED_TAGS = frozenset({None, "!", *SAFE_TAGS})
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STR = "tag:yaml.org,2002:str"


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


def _unreadable(text: str, file: str) -> list[Problem]:
    """The characters that YAML does not allow anywhere, not even quoted."""
    found: list[Problem] = []
    if not _NOT_YAML.search(text):
        return found
    start = 0
    # Numbered as libyaml numbers lines: some of these characters are line breaks to str.splitlines.
    for number, line in enumerate(_NOT_YAML.sub(" ", text).splitlines(keepends=True), 1):
        for m in _NOT_YAML.finditer(text, start, start + len(line)):
            found.append(Problem(Location(file, number, m.start() - start + 1),
                                 f"the character U+{ord(m.group()):04X} is not allowed in YAML; remove it"))
            if len(found) == MAX_UNREADABLE:
                return found
        start += len(line)
    return found


def _beside(unreadable: list[Problem], syntax_problems: list[Problem]) -> list[Problem]:
    """Both lists, less the syntax errors on a line whose blanked character may have caused them."""
    blanked = {p.loc.line for p in unreadable}
    return unreadable + [p for p in syntax_problems if p.loc.line not in blanked]


def _syntax_problems(exc: yaml.MarkedYAMLError, last: yaml.Event | None, file: str,
                     lines: list[str]) -> list[Problem]:
    if "nesting depth" in (exc.problem or ""):
        # Newer libyaml stops deep nesting itself while scanning ahead, before our event check sees it.
        mark = exc.problem_mark or exc.context_mark
        return [Problem(Location(file, mark.line + 1, mark.column + 1),
                        f"the document nests more than {MAX_DEPTH} levels deep")]
    return _slip_problems(syntax.explain(exc, last, lines), file, lines)


def _slip_problems(first: syntax.Slip, file: str, lines: list[str]) -> list[Problem]:
    return [Problem(Location(file, slip.line, slip.column), slip.message)
            for slip in [first, *syntax.later_errors(lines, first, _Loader)]]


def read_yaml(raw: bytes, file: str, kept: Kept | None = None) -> tuple[object, Positions, list[Problem]]:
    """Parse bytes into (data, positions, problems); data is None when the text does not read as YAML, and comes
    with problems when it reads all the same (a key written twice). `kept`: sections read before, by where they
    now start: one whose text is the same is not read again (Positions.skipped)."""
    positions = Positions(file)
    if len(raw) > MAX_FILE_BYTES:
        return None, positions, [Problem(Location(file, 1, 1),
                                         f"the file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")]
    unreadable: list[Problem] = []
    try:
        text = _decode(raw, file)
        if not text.strip():
            raise _Reject(Problem(Location(file, 1, 1), "the file is empty; a sheet needs id, title and domains"))
        unreadable = _unreadable(text, file)
        if unreadable:
            # Blanked out, so that libyaml's read-ahead does not stop at them before the syntax errors.
            text = _NOT_YAML.sub(" ", text)
        budget = max(NODE_BUDGET_FLOOR, len(text) // 2)  # of the whole text: the kept sections' nodes count too
        text, kept = _kept_out(text, kept if not unreadable else None, positions)
        lines = text.splitlines()
        builder = _Builder(positions, budget, text, lines, kept)
        last = None
        parser = _Loader(text)
        # The parser's own loop, without yaml.parse's generator around each of its events.
        next_event, feed = parser.get_event, builder.feed
        try:
            while (event := next_event()) is not None:
                kind = type(event)
                if kind is _SCALAR:
                    # Only a quoted text that spans lines can swallow lines.
                    if (event.style and event.start_mark.line != event.end_mark.line
                            and (slip := syntax.unclosed_quote(event, lines))):
                        return None, positions, _beside(unreadable, builder.problems + _slip_problems(slip, file, lines))
                elif kind is _ALIAS:
                    for replayed, original in builder.replay(event):
                        if original:
                            last = replayed
                        feed(replayed, original)
                    continue
                last = event
                feed(event, True)
        except yaml.MarkedYAMLError as exc:
            return None, positions, _beside(unreadable, builder.problems + _syntax_problems(exc, last, file, lines))
        except yaml.YAMLError as exc:
            raise _Reject(Problem(Location(file, 1, 1), f"YAML error: {exc}")) from None
        finally:
            parser.dispose()
        if unreadable:
            return None, positions, unreadable + builder.problems
        if not builder.root or builder.root[0] is None:
            raise _Reject(Problem(Location(file, 1, 1), "the file holds no YAML document"))
        if builder.anchors or builder.recording:
            positions.sections.clear()
        positions.unplaced = len(builder.kept)
        return builder.root[0], positions, builder.problems
    except _Reject as reject:
        return None, positions, _beside(unreadable, [reject.problem])


def _kept_out(text: str, kept: Kept | None, positions: Positions) -> tuple[str, Kept | None]:
    """The text with each kept section replaced by its stand-in, and the kept sections so placed; the text as it
    is (and None) when nothing is kept or a line break other than LF could move the stand-ins."""
    if not kept or _OTHER_BREAKS.search(text):
        return text, None
    text, kept = _stand_ins(text, kept)
    positions.unplaced = len(kept)  # until placed: a problem found before then is the stand-ins' text's
    return text, kept


try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def invisible_characters(text: str) -> list[str]:
    """Control and format characters that print as nothing (or garbage)."""
    if text.isprintable():
        return []
    return [c for c in text if c not in "\n" and unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")]
