"""YAML syntax errors: the line where the mistake is, a hint that names the fix, and the errors after it.

libyaml reports where it gave up, which is often a line or forty lines after
the slip: a key without its colon is reported on the next line, an unclosed
quote wherever the next quote happens to be. `explain` reads the error
together with the last events and the source lines to point at the slip.

libyaml cannot resume after an error, so the rest of the file is read again
block by block (`later_errors`). A block starts on a line indented no deeper
than the line of the slip and holds the lines indented under it, so no block
begins inside a construct the slip left open and each error found is one the
author has to fix as well. Lines between the slip and the next such line are
not read again, and the sheet's keys and values are checked only once the
YAML reads without error.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

# A line that starts a list item or a `key:`: a list left open with [ runs into the next one.
_BLOCK_LINE = re.compile(r"\s*(-(\s|$)|[^\s#'\"\[\]{},][^#]*?:(\s|$))")
_QUOTES = ("'", '"')
_MAX_LATER = 20
_NO_COLON = "this line has no ':' after its key; write it as 'key: value'"
_NO_DASH = "this line has no '- ' of its own, though it lines up with the '- ' items {where}; start it with '- '"


@dataclass(frozen=True)
class Slip:
    """One syntax error: where the mistake is (1-based), what to do, and where reading may resume."""

    line: int
    column: int
    message: str
    resume_after: int  # the last line the mistake may have changed
    indent: int  # resume on a line indented at most this much


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _is_item(line: str) -> bool:
    stripped = line.lstrip(" ")
    return stripped == "-" or stripped.startswith(("- ", "-\t"))


def _start_column(line: str, under: bool) -> int:
    """Where a line's text starts; `under` a list item, where the item's own keys start."""
    if under and _is_item(line):
        return len(line) - len(line.lstrip(" ")[1:].lstrip(" ")) + 1
    return _indent(line) + 1


def _content_near(lines: list[str], number: int, step: int) -> int:
    """The nearest line with content before (step -1) or after (step 1) line `number`; 0 if none."""
    number += step
    while 0 < number <= len(lines):
        if _is_content(lines[number - 1]):
            return number
        number += step
    return 0


def _out_of_line(lines: list[str], first: int) -> str | None:
    """Why line `first` is out of line, if it opens a block at a column that the next two lines agree against."""
    second = _content_near(lines, first, 1)
    if not second:
        return None
    parent, after = _content_near(lines, first, -1), _content_near(lines, second, 1)
    a, b, c = _line(lines, first), _line(lines, second), _line(lines, after)
    if not (parent and after and _is_item(b) == _is_item(c) and _indent(b) == _indent(c)
            and _indent(_line(lines, parent)) < min(_indent(a), _indent(b))):
        return None
    if _is_item(a) and not _is_item(b):  # `- key: value` and then the other keys of that item
        column, what = _start_column(a, under=True), "its key starts"
    elif _is_item(a) == _is_item(b):
        column, what = _indent(a) + 1, "this line starts"
    else:
        return None
    if column == _indent(b) + 1:
        return None
    return f"{what} at column {column}, the lines after it at column {_indent(b) + 1}; line it up with them"


def _columns_around(lines: list[str], line: int) -> list[tuple[int, int]]:
    """The lines that open the blocks around `line` with the nearest columns to either side of its own."""
    here, under = _indent(_line(lines, line)) + 1, not _is_item(_line(lines, line))
    openers, lowest, number = [], None, line
    while (number := _content_near(lines, number, -1)) and lowest != 0:
        if lowest is None or _indent(lines[number - 1]) < lowest:
            lowest = _indent(lines[number - 1])
            openers.append((number, _start_column(lines[number - 1], under)))
    deeper = [o for o in openers if o[1] > here]
    shallower = [o for o in openers if o[1] < here]
    return ([min(deeper, key=lambda o: o[1])] if deeper else []) + shallower[:1]


def _no_colon(lines: list[str], line: int) -> str:
    """Why a line without a ':' broke the YAML: a list item that lost its '- ' reads as a key without its ':'."""
    text = _line(lines, line)
    if _is_item(text):
        return _NO_COLON
    near = [n for n in (_content_near(lines, line, -1), _content_near(lines, line, 1))
            if _is_item(_line(lines, n)) and _indent(_line(lines, n)) == _indent(text)]
    if not near:
        return _NO_COLON
    return _NO_DASH.format(where=f"on line{'s' if len(near) > 1 else ''} {' and '.join(map(str, near))}")


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def quoted(value: str) -> str | None:
    """The value in quotes that keep it as written, or None if it needs escapes."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return None


def _colon_in_value(lines: list[str], line: int, column: int) -> str:
    """`key: a: b`: the fix, with the line rewritten when quoting is simple."""
    text = _line(lines, line)
    value = re.split(r"\s#", text[column - 1:], maxsplit=1)[0].rstrip()
    quoted_value = quoted(value)
    fix = "quote the whole value"
    if quoted_value:
        fix += f": {text[_indent(text):column - 1]}{quoted_value}"
    return f"': ' inside a value starts another key; {fix}"


def _after_quote(scalar: yaml.ScalarEvent, lines: list[str], line: int) -> str:
    after = _line(lines, line)[scalar.end_mark.column:scalar.end_mark.column + 1]
    if scalar.style == "'" and after.isalnum():
        return ("text follows the closing quote: an apostrophe inside '...' ends the text; "
                "write it twice ('don''t') or quote the value with \"...\"")
    return "text follows the closing quote; put the whole value inside the quotes"


def _runs_on(lines: list[str], first: int, last: int) -> bool:
    """Whether text from line `first` goes on over a line indented no deeper than `first`.

    YAML wants the continuation lines of a quoted text indented deeper than the line it starts on;
    libyaml does not insist, so a missing closing quote swallows the lines after it.
    """
    base = _indent(_line(lines, first))
    return any(_is_content(_line(lines, n)) and _indent(_line(lines, n)) <= base for n in range(first + 1, last + 1))


def _unclosed(mark: str, runs_to: int) -> str:
    return f"YAML syntax error: the quote opened here is not closed on its line (it runs on to line {runs_to}); " \
           f"add the closing {mark}"


def unclosed_quote(event: yaml.Event, lines: list[str], offset: int = 0) -> Slip | None:
    """A quoted text that swallowed the lines after it, even where libyaml read it without error."""
    if not (isinstance(event, yaml.ScalarEvent) and event.style in _QUOTES):
        return None
    line, column = event.start_mark.line + 1 + offset, event.start_mark.column + 1
    last = event.end_mark.line + 1 + offset
    if last == line or not _runs_on(lines, line, last):
        return None
    return Slip(line, column, _unclosed(event.style, last), line, _indent(_line(lines, line)))


def _mark(mark: yaml.Mark | None, offset: int) -> tuple[int, int] | None:
    return (mark.line + 1 + offset, mark.column + 1) if mark else None


def _at(lines: list[str], where: tuple[int, int], what: str) -> Slip:
    return Slip(where[0], where[1], f"YAML syntax error: {what}", where[0], _indent(_line(lines, where[0])))


def _misaligned(lines: list[str], problem: tuple[int, int], context: tuple[int, int] | None) -> Slip:
    """A line that starts at its own indentation but does not line up with the lines around it."""
    line = problem[0]
    text = _line(lines, line)
    opener = _line(lines, context[0]) if context else ""
    if context and context[1] - 1 == _indent(text) and _is_item(opener) != _is_item(text):
        return _at(lines, problem, "a '- ' item and a 'key:' line cannot share one indentation level"
                   + ("; start this line with '- '" if _is_item(opener) else ""))
    above = _content_near(lines, line, -1)
    if above and (why := _out_of_line(lines, above)):
        return _at(lines, (above, _indent(_line(lines, above)) + 1), why)
    what = f"this line starts at column {_indent(text) + 1}, which does not line up with the lines above it"
    if fits := _columns_around(lines, line):
        what += "; line it up with " + " or ".join(f"line {n} (column {c})" for n, c in fits)
    return _at(lines, problem, what)


def explain(exc: yaml.MarkedYAMLError, last: yaml.Event | None, lines: list[str], offset: int = 0) -> Slip:
    """The slip behind libyaml's error; `last` is the last event read, `offset` the lines before the text parsed."""
    problem = _mark(exc.problem_mark, offset) or _mark(exc.context_mark, offset) or (1, 1)
    context = _mark(exc.context_mark, offset) if exc.problem_mark else None
    message = exc.problem or "invalid YAML"
    line, column = problem
    text = _line(lines, line)
    start = _mark(last.start_mark, offset) if last is not None else None
    end = _mark(last.end_mark, offset) if last is not None else None
    quoted = isinstance(last, yaml.ScalarEvent) and last.style in _QUOTES
    plain = isinstance(last, yaml.ScalarEvent) and not last.style
    at = functools.partial(_at, lines)

    if "\t" in text[: max(column, 1)] or "'\\t'" in message:
        return Slip(line, column, "a tab is used for indentation; YAML needs spaces", line, _indent(text))
    if exc.context and "quoted scalar" in exc.context and context:
        mark = _line(lines, context[0])[context[1] - 1:context[1]]
        if message.startswith("found unexpected end of stream"):
            return at(context, f"the quote opened here is never closed; add the closing {mark}")
        if _runs_on(lines, context[0], line):
            return Slip(context[0], context[1], _unclosed(mark, line), context[0], _indent(_line(lines, context[0])))
    if quoted and end and end[0] <= line and (slip := unclosed_quote(last, lines, offset)):
        return slip
    if quoted and end and end[0] == line and column >= end[1]:
        return at(problem, _after_quote(last, lines, line))
    if message == "could not find expected ':'" and context:
        return at(context, _no_colon(lines, context[0]))
    if message.startswith("mapping values are not allowed") and plain and start:
        if start[0] == line:
            return at(problem, _colon_in_value(lines, line, start[1]))
        began = _line(lines, start[0])
        if _indent(text) <= _indent(began) or _indent(text) + 1 == _start_column(began, under=True):
            # The text went on to a line that lines up with its own key (or, at the top level, with its
            # line): that key lacks its ':'.
            return at((start[0], _start_column(began, under=True)), _no_colon(lines, start[0]))
        if _content_near(lines, start[0], 1) == line and (why := _out_of_line(lines, start[0])):
            return at((start[0], _indent(began) + 1), why)
        return at((line, _indent(text) + 1),
                  f"this line is indented deeper than line {start[0]}, so it reads as the rest of that line's "
                  "text; line its key up with the keys above it")
    if exc.context in ("while parsing a flow sequence", "while parsing a flow mapping") and context \
            and context[0] < line and (_BLOCK_LINE.match(text) or not text.strip()):
        opened, closer = ("[", "]") if "sequence" in exc.context else ("{", "}")
        return at(context, f"the {opened} opened here is not closed; end it with {closer}")
    if message.startswith(("did not find expected key", "did not find expected '-'")) \
            and column == _indent(text) + 1:
        return _misaligned(lines, problem, context)
    if exc.context:
        message = f"{message} ({exc.context}"
        if context and context[0] != line:
            message += f" at line {context[0]}"
        message += ")"
    return Slip(line, column, f"YAML syntax error: {message}", line,
                min(_indent(text), _indent(_line(lines, context[0])) if context else _indent(text)))


def first_slip(text: str, lines: list[str], loader, offset: int = 0) -> Slip | None:
    """The first syntax error in `text`, which holds `lines` from line `offset` + 1 on."""
    event = None
    try:
        for event in yaml.parse(text, Loader=loader):
            if slip := unclosed_quote(event, lines, offset):
                return slip
    except yaml.MarkedYAMLError as exc:
        return explain(exc, event, lines, offset)
    return None


def _resume(lines: list[str], slip: Slip) -> int | None:
    """The first line (0-based) after the slip that starts a block no deeper than the slip's line."""
    for i in range(slip.resume_after, len(lines)):
        if _is_content(lines[i]) and _indent(lines[i]) <= slip.indent and not lines[i].lstrip(" ").startswith("\t"):
            return i
    return None


def _block_end(lines: list[str], start: int) -> int:
    """Where the block from `start` ends: a line less indented, or a key after items (or items after keys)."""
    indent, item = _indent(lines[start]), _is_item(lines[start])
    for i in range(start + 1, len(lines)):
        if _is_content(lines[i]) and (_indent(lines[i]) < indent
                                      or (_indent(lines[i]) == indent and _is_item(lines[i]) != item)):
            return i
    return len(lines)


def later_errors(lines: list[str], first: Slip, loader) -> list[Slip]:
    """The syntax errors after `first` that do not depend on it, block by block."""
    found: list[Slip] = []
    start = _resume(lines, first)
    while start is not None and len(found) < _MAX_LATER:
        end = _block_end(lines, start)
        slip = first_slip("\n".join(lines[start:end]) + "\n", lines, loader, offset=start)
        if slip is None:
            start = end if end < len(lines) else None
            continue
        found.append(slip)
        start = _resume(lines, slip)
    return found
