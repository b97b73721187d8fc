"""The sheet's glossary: shorthand the page may use ("Batch Tx") spelled out on the cards ("Batch transform").

Only whole words are replaced, and in HTML only the text between tags, never a tag or an attribute. Shorthand in
parentheses right after its own spelling-out ("Preterite (pret)") is where the sheet defines it: it stays, since
"Preterite (preterite)" would say one word twice and the card would no longer teach the page's shorthand.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .plan import Note

_TAG = re.compile(r"(<[^>]*>)")


class Glossary:
    def __init__(self, entries: Mapping[str, str]):
        self.entries = dict(entries)
        words = sorted(self.entries, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w.'\u2019-])(" + "|".join(map(re.escape, words)) + r")(?![\w-]|\.\w)") \
            if words else None

    def plain(self, text: str) -> str:
        return self.pattern.sub(lambda m: self._spelled(m, self.entries[m.group(1)]), text) if self.pattern else text

    def html(self, markup: str) -> str:
        if not self.pattern:
            return markup
        parts = _TAG.split(markup)
        texts = parts[0::2]  # the text between tags, as a reader reads it ("Preterite (<b>pret</b>)")
        for k, text in enumerate(texts):
            parts[2 * k] = self.pattern.sub(lambda m: self._spelled(
                m, html.escape(self.entries[m.group(1)]), "".join(texts[:k]), "".join(texts[k + 1:])), text)
        return "".join(parts)

    @staticmethod
    def _spelled(match: re.Match, full: str, earlier: str = "", later: str = "") -> str:
        """`full` for the shorthand `match` found, or the shorthand itself where the text defines it: "<full> (<it>)".
        `earlier`, `later`: the text before and after this piece of markup, tags left out."""
        before = (earlier + match.string[:match.start()]).rstrip()
        after = (match.string[match.end():] + later).lstrip()
        if after.startswith(")") and before.endswith("(") and before[:-1].rstrip().casefold().endswith(full.casefold()):
            return match.group(1)
        return full

    def note(self, note: Note) -> Note:
        """The note as the cards say it: every field but the Id, and the plain texts the lint reads."""
        fields = tuple(self.html(f) for f in note.fields[:-1]) + note.fields[-1:]
        own = note.own_fields
        own = tuple(self.html(f) for f in own[:-1]) + own[-1:]
        # The context and the tail apart read as the front they make (`Card.shown`): no word spans their "|".
        cards = tuple(dataclasses.replace(card, context=self.plain(card.context), tail=self.plain(card.tail),
                                          front=self.plain(card.front), answer=self.plain(card.answer),
                                          back=self.plain(card.back))
                      for card in note.cards)
        return dataclasses.replace(note, fields=fields, own=own, cards=cards, heading=self.plain(note.heading))
