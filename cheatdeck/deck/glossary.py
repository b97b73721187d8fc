"""The sheet's glossary: shorthand the page may use ("Batch Tx") spelled out on the cards ("Batch transform").

Only whole words are replaced, and in HTML only the text between tags, never a tag or an attribute.
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
        return self.pattern.sub(lambda m: self.entries[m.group(1)], text) if self.pattern else text

    def html(self, markup: str) -> str:
        if not self.pattern:
            return markup
        return "".join(part if part.startswith("<") else
                       self.pattern.sub(lambda m: html.escape(self.entries[m.group(1)]), part)
                       for part in _TAG.split(markup))

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
