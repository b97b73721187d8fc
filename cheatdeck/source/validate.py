"""Validate plain YAML data against the spec, reporting every error at once.

msgspec stops at the first error. To report them all, each failing node is
pruned (an unknown key deleted, a bad list item dropped, a bad value removed)
and the document validated again, until it passes. Paths in msgspec's
messages refer to the pruned document, so list indices are translated back
to the author's original ones before they are looked up in `Positions`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import msgspec

from ..errors import DocPath, Problem
from . import format as spec
from . import idents, syntax
from .reader import Positions

MAX_PROBLEMS = 200
_PATH_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")
_TYPE_NAMES = {
    "str": "text", "int": "a whole number", "bool": "true or false", "array": "a list",
    "object": "a mapping", "null": "nothing", "float": "a number", "date": "a date",
}


@functools.cache
def _sheet_type():
    """msgspec's description of the format, for messages and for folding the case of choices. Built on first
    need, not at import: a valid sheet with its choices in lowercase needs neither, and building it took about
    a fiftieth of the shipped sheet's cold build."""
    return msgspec.inspect.type_info(spec.SheetSpec)


def _parse_path(text: str) -> DocPath:
    return tuple(m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PATH_PART.finditer(text))


def _placeholder(t, serial: int) -> str | None:
    """A value of the expected scalar type, so one bad field does not hide its neighbours' errors."""
    if isinstance(t, msgspec.inspect.StrType):
        if t.pattern in (spec.SLUG_PATTERN, spec.IDENT_PATTERN):
            return f"invalid-{serial}"
        if t.pattern == spec.COLOR_PATTERN:
            return "#000000"
        return "?" if t.pattern in (None, r"\S") else None
    if isinstance(t, msgspec.inspect.IntType):
        return str(t.ge or 0)
    if isinstance(t, msgspec.inspect.LiteralType):
        return str(t.values[0])
    return None


def _describe(types: str) -> str:
    names = [_TYPE_NAMES.get(t.strip(), t.strip()) for t in types.split("|")]
    # An optional key takes null too, but no one means to write null in a value they typed.
    return " or ".join(dict.fromkeys(n for n in names if n != "nothing" or len(names) == 1))


def _unwrap(t):
    while isinstance(t, msgspec.inspect.Metadata):
        t = t.type
    return t


def _type_at(path: DocPath, kind: type | None = None):
    """The spec type expected at a path, for listing allowed keys and choices; of `kind` where a union allows."""
    t = _sheet_type()
    for part in path:
        t = _unwrap(t)
        if isinstance(t, msgspec.inspect.UnionType):
            members = [_unwrap(m) for m in t.types]
            wanted = msgspec.inspect.ListType if isinstance(part, int) else msgspec.inspect.StructType
            t = next((m for m in members if isinstance(m, wanted)), members[0])
        if isinstance(t, msgspec.inspect.ListType):
            t = t.item_type
        elif isinstance(t, msgspec.inspect.StructType):
            t = next((f.type for f in t.fields if f.name == part), None)
        if t is None:
            return None
    t = _unwrap(t)
    if isinstance(t, msgspec.inspect.UnionType):
        members = [_unwrap(m) for m in t.types if not isinstance(_unwrap(m), msgspec.inspect.NoneType)]
        t = next((m for m in members if kind and isinstance(m, kind)), members[0] if members else t)
    return t


def _keys_at(path: DocPath) -> list[str]:
    t = _type_at(path, msgspec.inspect.StructType)
    return [f.name for f in t.fields] if isinstance(t, msgspec.inspect.StructType) else []


def _no_value(path: DocPath, expected: str, comment: str | None) -> str:
    """A key or list item left empty: most often the value was forgotten, or its `#` made it a comment."""
    t = _type_at(path)
    colour = getattr(t, "pattern", None) == spec.COLOR_PATTERN
    if comment and len(comment) > 1 and not comment[1].isspace():
        quoted = f'"{comment}"' if '"' not in comment else f"'{comment}'" if "'" not in comment else None
        what = "colour" if colour else "value"
        return ("the value is empty because '#' starts a comment in YAML; "
                + (f"quote the {what}: {quoted}" if quoted else f"quote the {what}"))
    kinds = {part.strip() for part in expected.split("|")}
    what = ('a colour like "#1f77b4"' if colour else "the value" if "str" in kinds else "its items"
            if kinds == {"array"} else "its keys" if kinds == {"object"} else _describe(expected))
    where = "under it" if kinds in ({"array"}, {"object"}) else "after the colon"
    if not path or isinstance(path[-1], int):
        return f"an empty list item: write {what} after the '-', or remove the line"
    parent = _type_at(path[:-1], msgspec.inspect.StructType)
    field = next((f for f in getattr(parent, "fields", ()) if f.name == path[-1]), None)
    optional = field is None or not field.required
    return f"a key with no value: write {what} {where}" + (", or remove the key" if optional else "")


def _missing(positions: Positions, mapping: DocPath, key: str, message: str) -> Problem:
    """A required key missing from `mapping`: said where the mapping starts, on the key's path, so that a rule the
    value put in for it breaks is this error's echo (compile._echoes)."""
    return Problem(positions.at(mapping)._replace(parts=mapping + (key,)), message)


def _split_by_colon(expected: str, value: object) -> str:
    """The fix for a text that YAML read as a key and its value (`[O–H, ancha: intensa]`), else nothing."""
    if expected != "str" or not isinstance(value, dict) or len(value) != 1:
        return ""
    (key, inner), = value.items()
    if not isinstance(inner, str):
        return ""
    fix = syntax.quoted(f"{key}: {inner}")
    return "; ': ' inside a value starts another key; quote the whole value" + (f": {fix}" if fix else "")


def _explain(message: str, path: DocPath, value: object) -> str:
    shown = repr(value) if isinstance(value, str) and len(value) <= 60 else None
    if m := re.match(r"Object contains unknown field `(.*)`", message):
        import difflib  # only a misspelt key needs it

        allowed = _keys_at(path)
        hint = difflib.get_close_matches(m.group(1), allowed, n=1)
        text = f"unknown key {m.group(1)!r}"
        if hint:
            text += f"; did you mean {hint[0]!r}?"
        return text + f" (expected one of: {', '.join(allowed)})"
    if m := re.match(r"Object missing required field `(.*)`", message):
        return f"missing required key {m.group(1)!r}"
    if m := re.match(r"Expected `([^`]*)`, got `([^`]*)`", message):
        got = f"got {shown}" if shown is not None and m.group(2) == "str" else f"got {_describe(m.group(2))}"
        return f"expected {_describe(m.group(1))}, {got}" + _split_by_colon(m.group(1), value)
    if re.match(r"Expected `str` of length >= 1", message):
        return "text must not be empty"
    if m := re.match(r"Expected `str` of length <= (\d+)", message):
        return f"text is {len(value):,} characters; the limit is {int(m.group(1)):,}"
    if m := re.match(r"Expected `str` matching regex '(.*)'", message):
        pattern = m.group(1).replace("\\\\", "\\")
        if pattern == r"\S":
            return "text must not be blank"
        if pattern == spec.SLUG_PATTERN:
            return f"{shown} is not a valid id: use lowercase letters, digits and single hyphens, e.g. 'feature-store'"
        if pattern == spec.IDENT_PATTERN:
            return (f"{shown} is not a valid id: use lowercase letters and digits of any script joined by single "
                    f"hyphens, e.g. {idents.derive(value) or 'feature-store'!r}")
        if pattern == spec.LABEL_PATTERN:
            return f"{shown} is not a valid label: one word without spaces, e.g. 'D1'"
        if pattern == spec.COLOR_PATTERN:
            return f"expected a colour like '#1f77b4', got {shown}"
        if pattern == spec.LANGUAGE_PATTERN:
            return f"expected a language tag like 'de', 'es' or 'pt-BR' (BCP 47), got {shown}"
        if pattern == spec.WIDTH_PATTERN:
            return f"expected a share of the column like '60%' (1% to 100%), got {shown}"
        return f"{shown} does not have the expected form ({pattern})"
    if m := re.match(r"Expected `array` of length ([<>]=) (\d+)", message):
        count = int(m.group(2))
        if path[-1:] == ("columns",) and isinstance(value, list):
            table = "the quick reference" if path[-2:-1] == ("quick_reference",) else "a table"
            return (f"{table} has {'at least' if m.group(1) == '>=' else 'at most'} {count} columns; "
                    f"this one has {len(value)}")
        return (f"the list needs {'at least' if m.group(1) == '>=' else 'at most'} "
                f"{count} item{'s' if count != 1 else ''}")
    if m := re.match(r"Expected `int` ([<>]=) (\d+)", message):
        return f"expected a whole number {'from' if m.group(1) == '>=' else 'up to'} {m.group(2)}, got {value}"
    if message.startswith("Invalid enum value"):
        t = _type_at(path)
        if isinstance(t, msgspec.inspect.DictType):  # a key of a mapping, as `lint:` names its rules
            t, shown = _unwrap(t.key_type), message.removeprefix("Invalid enum value ")
        choices = ", ".join(map(str, getattr(t, "values", ()))) or "a listed value"
        return f"expected one of: {choices}; got {shown}"
    if "RFC3339" in message:
        return f"expected a date like 2026-11-24, got {shown}"
    return message


def _fold_choices(node: object, t) -> None:
    """Choices as any case writes them (`paper: A4`, `cards: Both`), as the command line takes them: each string
    where the spec wants one of some lowercase words, lowered in place when that makes it one of them. Only the
    parts whose type holds such a choice are walked: a big sheet's table rows and bullet texts hold none."""
    t = _unwrap(t)
    if isinstance(t, msgspec.inspect.UnionType):
        wanted = (msgspec.inspect.ListType if isinstance(node, list) else msgspec.inspect.StructType
                  if isinstance(node, dict) else msgspec.inspect.LiteralType)
        t = next((_unwrap(m) for m in t.types if isinstance(_unwrap(m), wanted)), None)
    if isinstance(t, msgspec.inspect.StructType) and isinstance(node, dict):
        for name, choices, inner in _folded_fields(t):
            value = node.get(name)
            if isinstance(value, (dict, list)):
                if inner is not None:
                    _fold_choices(value, inner)
            elif isinstance(value, str) and value.lower() in choices and value not in choices:
                node[name] = value.lower()
    elif isinstance(t, msgspec.inspect.ListType) and isinstance(node, list) and _holds_choices(t.item_type):
        for item in node:
            if isinstance(item, (dict, list)):
                _fold_choices(item, t.item_type)


_FIELDS: dict[int, tuple] = {}
_HOLDS: dict[int, bool] = {}
"""By the type's id (msgspec's type descriptions do not hash; the spec's live as long as the process)."""


def _folded_fields(t) -> tuple:
    """A struct's fields as `_fold_choices` reads them: name, the choices of a string, and the type to walk
    into (None where no choice lies below)."""
    fields = _FIELDS.get(id(t))
    if fields is None:
        fields = _FIELDS[id(t)] = tuple((f.name, _choices(f.type), f.type if _holds_choices(f.type) else None)
                                        for f in t.fields)
    return fields


def _holds_choices(t, seen: frozenset = frozenset()) -> bool:
    """Whether a value of type `t` can hold a string of choices, itself or anywhere inside."""
    held = _HOLDS.get(key := id(t))
    if held is None:
        plain, inside = _unwrap(t), []
        for m in map(_unwrap, plain.types if isinstance(plain, msgspec.inspect.UnionType) else (plain,)):
            if isinstance(m, msgspec.inspect.ListType):
                inside.append(m.item_type)
            elif isinstance(m, msgspec.inspect.StructType):
                inside += [f.type for f in m.fields]
        held = bool(_choices(t)) or any(_holds_choices(i, seen | {key}) for i in inside if id(i) not in seen)
        _HOLDS[key] = held
    return held


def _choices(t) -> tuple:
    t = _unwrap(t)
    members = t.types if isinstance(t, msgspec.inspect.UnionType) else (t,)
    return next((_unwrap(m).values for m in members if isinstance(_unwrap(m), msgspec.inspect.LiteralType)), ())


class _Document:
    """The data being pruned, with a map back to each list's original indices."""

    def __init__(self, data: object):
        self.data = data
        self.original: dict[int, list[int]] = {}

    def walk(self, path: DocPath) -> list[object]:
        nodes = [self.data]
        for part in path:
            nodes.append(nodes[-1][part])
        return nodes

    def translate(self, path: DocPath) -> DocPath:
        if not self.original:
            return path
        out: list[str | int] = []
        node = self.data
        for part in path:
            if isinstance(part, int) and isinstance(node, list):
                out.append(self.original.get(id(node), range(len(node)))[part])
            else:
                out.append(part)
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
        return tuple(out)

    def delete(self, container: object, part: str | int) -> None:
        if isinstance(container, list):
            self.original.setdefault(id(container), list(range(len(container))))
            del self.original[id(container)][part]
        del container[part]


def _values_read_as_comments(doc: _Document, positions: Positions) -> list[Problem]:
    """An optional key left empty because its value starts with '#' (`color: #16365c`): nothing is a valid value
    for it, so only the comment tells that a value was meant. (A required key's empty value is reported later.)"""
    problems = []
    for path, comment in positions.comments.items():
        if not (path and isinstance(path[-1], str) and len(comment) > 1 and not comment[1].isspace()):
            continue
        try:
            parent = doc.walk(path[:-1])[-1]
        except (KeyError, IndexError, TypeError):
            continue
        struct = _type_at(path[:-1], msgspec.inspect.StructType)
        field = next((f for f in getattr(struct, "fields", ()) if f.name == path[-1]), None)
        if isinstance(parent, dict) and parent.get(path[-1], "") is None and field is not None and not field.required:
            problems.append(Problem(positions.at(path, key=True), _no_value(path, "str", comment)))
            del parent[path[-1]]
    return problems


def _desugar_bullets(doc: _Document, positions: Positions) -> list[Problem]:
    """`- Key: value` in YAML is a one-key mapping; read it as the bullet "Key: value".

    A `- Key:` left without its value, or a `Key: value` line without its own `- `, is refused
    here, while the author's keys are still known: validated as a bullet mapping they would only
    be unknown keys.
    """
    fields = set(spec.BulletSpec.__struct_fields__)
    problems: list[Problem] = []
    domains = doc.data.get("domains")
    for d, domain in enumerate(domains if isinstance(domains, list) else ()):
        sections = domain.get("sections") if isinstance(domain, dict) else None
        for s, section in enumerate(sections if isinstance(sections, list) else ()):
            bullets = section.get("bullets") if isinstance(section, dict) else None
            for i in reversed(range(len(bullets) if isinstance(bullets, list) else 0)):
                bullet = bullets[i]
                if not isinstance(bullet, dict) or not bullet or fields & set(bullet):
                    continue
                if len(bullet) > 1:
                    if all(isinstance(v, str) for v in bullet.values()):
                        where = ("domains", d, "sections", s, "bullets", i)
                        first = positions.at(where + (next(iter(bullet)),), key=True).line
                        problems += [Problem(positions.at(where + (key,), key=True),
                                             f"this line has no '- ' of its own, so it joins the bullet on line "
                                             f"{first}; start it with '- '") for key in list(bullet)[1:]]
                        doc.delete(bullets, i)
                    continue
                (key, value), = bullet.items()
                if isinstance(value, str):
                    bullets[i] = f"{key}{spec.KEY_SEPARATOR}{value}"
                elif value is None:
                    where = ("domains", d, "sections", s, "bullets", i, key)
                    problems.append(Problem(positions.at(where, key=True),
                                            _no_value(where, "str", positions.comments.get(where))))
                    doc.delete(bullets, i)
    return problems


def validate(data: object, positions: Positions) -> tuple[spec.SheetSpec | None, list[Problem], Callable[[DocPath], DocPath]]:
    doc = _Document(data)
    problems: list[Problem] = []
    if not isinstance(data, dict):
        got = _describe({list: "array", str: "str"}.get(type(data), "null"))
        problems.append(Problem(positions.at(()), f"a sheet is a mapping with id, title, version and domains; got {got}"))
        return None, problems, doc.translate
    problems += _values_read_as_comments(doc, positions)
    problems += _desugar_bullets(doc, positions)
    reported: set[tuple[DocPath, str]] = set()
    folded = False
    # One more round than problems: the first failure only folds the choices' case and tries again.
    for _ in range(MAX_PROBLEMS + 1):
        try:
            return msgspec.convert(doc.data, spec.SheetSpec, strict=False), problems, doc.translate
        except msgspec.ValidationError as exc:
            if not folded:
                # Only a document that fails can hold a choice in another case (no choice shares a union with
                # text), so a valid sheet is not walked for them.
                _fold_choices(doc.data, _sheet_type())
                folded = True
                continue
            message, _, where = str(exc).partition(" - at ")
            path = _parse_path(where.strip("`$"))
            original = doc.translate(path)
            nodes = doc.walk(path)
            if unknown := re.match(r"Object contains unknown field `(.*)`", message):
                problems.append(Problem(positions.at(original + (unknown.group(1),), key=True),
                                        _explain(message, path, None)))
                doc.delete(nodes[-1], unknown.group(1))
                continue
            if missing := re.match(r"Object missing required field `(.*)`", message):
                key = missing.group(1)
                if (original, key) not in reported:
                    problems.append(_missing(positions, original, key, _explain(message, path, None)))
                    reported.add((original, key))
                filler = _placeholder(_type_at(path + (key,)), len(problems))
                if filler is not None:
                    nodes[-1][key] = filler
                    continue
            elif not (message.startswith("Expected `array` of length >=") and id(nodes[-1]) in doc.original):
                if empty := re.match(r"Expected `([^`]*)`, got `null`", message):
                    # An empty value has no text of its own to point at: point at its key.
                    at_key = bool(original) and isinstance(original[-1], str)
                    problems.append(Problem(positions.at(original, key=at_key),
                                            _no_value(path, empty.group(1), positions.comments.get(original))))
                else:
                    problems.append(Problem(positions.at(original), _explain(message, path, nodes[-1])))
                filler = _placeholder(_type_at(path), len(problems)) if path and isinstance(path[-1], str) else None
                if filler is not None:
                    reported.add((doc.translate(path[:-1]), path[-1]))
                    nodes[-2][path[-1]] = filler
                    continue
            if not path:
                return None, problems, doc.translate
            if isinstance(path[-1], str):
                reported.add((doc.translate(path[:-1]), path[-1]))
            doc.delete(nodes[-2], path[-1])
    return None, problems, doc.translate
