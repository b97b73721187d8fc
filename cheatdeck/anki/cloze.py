"""Cloze notes: a bullet with `{{c1::…}}` deletions becomes one note of Anki's cloze kind, a card per number."""

from __future__ import annotations

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


def without_unused_cloze(notetypes: dict, kinds: set[str]) -> dict:
    """The cloze note type joins a sheet's package and lock only once the sheet has a cloze bullet,
    so that sheets built before it existed keep byte-identical packages."""
    return {kind: nt for kind, nt in notetypes.items() if kind != "cloze" or "cloze" in kinds}
