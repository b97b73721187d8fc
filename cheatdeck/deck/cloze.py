"""Cloze notes: a bullet with `{{c1::…}}` deletions, or a list answer with `cards: cloze`, becomes one note of
Anki's cloze kind, a card per deletion."""

from __future__ import annotations

import html

from .. import inline


def cloze_cards(spans: inline.Spans) -> list[tuple[int, str, str]]:
    """For each deletion number, in order: the front as Anki shows it (that deletion hidden, as `[...]` or
    `[hint]`, the others shown) and the answer (the hidden words), in plain text."""
    out = []
    for number in sorted({s.cloze for s in spans if s.cloze}):
        front, answer, hidden = [], [], False
        for span in spans:
            if span.cloze != number:
                front.append(span.text)
                hidden = False
                continue
            if not hidden:
                front.append(f"[{span.hint or '...'}]")
                hidden = True
            answer.append(span.text)
        out.append((number, "".join(front), "".join(answer)))
    return out


JOINED_WHEN_USED = ("cloze", "list")


def without_unused_cloze(notetypes: dict, kinds: set[str]) -> dict:
    """The cloze note types (a bullet's deletions, a list's items) join a sheet's package and lock only once the
    sheet has such a note, so that sheets built before they existed keep byte-identical packages."""
    return {kind: nt for kind, nt in notetypes.items() if kind not in JOINED_WHEN_USED or kind in kinds}


def list_cloze(question: tuple[str, str], items: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """A list answer as one cloze text, a deletion per item: the question (HTML, plain) above the items, each
    given as (source, separator after it). Returns the field's HTML and, per card, its front and answer in plain
    text (the item hidden as `[...]`, the others shown)."""
    spans = [(inline.parse(source), sep) for source, sep in items]
    deletions = "".join(f"{{{{c{n}::{_guarded(inline.to_html(item))}}}}}{html.escape(sep)}"
                        for n, (item, sep) in enumerate(spans, 1))
    field = f'<div class="cd-q">{question[0]}</div><div class="cd-items">{deletions}</div>'
    plain = [(inline.plain(item), sep) for item, sep in spans]
    cards = [(f"{question[1]} " + "".join(("[...]" if i == n else text) + sep for i, (text, sep) in enumerate(plain)),
              plain[n][0]) for n in range(len(plain))]
    return field, cards


def _guarded(item_html: str) -> str:
    """An item's HTML that Anki's cloze syntax cannot misread: `::` would start a hint and `}}` end the deletion."""
    return item_html.replace("::", ":&#58;").replace("}}", "}&#125;")
