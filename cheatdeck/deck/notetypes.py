"""Note types: the card templates and CSS in templates/anki, read into what genanki writes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import genanki
import yaml

from .. import colors
from ..model import Sheet
from .plan import domain_class


@dataclass(frozen=True)
class NoteType:
    """One of cheatdeck's note types: its fields and card templates from templates/anki."""

    kind: str
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]
    css: str
    cloze: bool = False  # Anki's cloze kind: one card per deletion number instead of one per template

    @property
    def schema(self) -> str:
        """What Anki compares to decide 'same note type': field and template names."""
        return "|".join(self.fields) + "||" + "|".join(t[0] for t in self.templates)

    @property
    def digest(self) -> str:
        payload = json.dumps([self.id, self.name, self.fields, self.templates, self.css, *(["cloze"] * self.cloze)])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def to_genanki(self) -> genanki.Model:
        return genanki.Model(
            self.id, self.name, fields=[{"name": f} for f in self.fields],
            templates=[{"name": n, "qfmt": q, "afmt": a} for n, q, a in self.templates], css=self.css,
            model_type=genanki.Model.CLOZE if self.cloze else genanki.Model.FRONT_BACK)


# The card backgrounds of cards.css, in day and night mode, which the domain chips must stand out from.
DAY, NIGHT = "#fafafa", "#1e1e1e"


def palette_css(sheet: Sheet) -> str:
    """Each domain chip's colours. They live in the note types, not in the notes' fields, so changing a colour
    updates four note types instead of every note. Note types are shared by every sheet, and only the last
    imported palette holds: chips of another sheet then fall back to the neutral chip of cards.css.

    A chip keeps its domain's hue, darkened or lightened until it reads at 4.5:1 on the card in either mode."""
    rules = []
    for d in sheet.domains:
        chip = f".cd-domain.{domain_class(sheet, d)}"
        day, night = colors.readable_on(d.color, DAY), colors.readable_on(d.color, NIGHT)
        rules.append(f"{chip} {{ background: {day}; color: {colors.text_on(day)}; }}\n")
        rules.append(f".nightMode {chip}, .night_mode {chip} {{ background: {night}; color: {colors.text_on(night)}; }}\n")
    return "".join(rules)


def load_notetypes(folder: Path, palette: str = "") -> dict[str, NoteType]:
    spec = yaml.load((folder / "notetypes.yaml").read_text(encoding="utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml's: a tenth of the time
    css = (folder / spec["css"]).read_text(encoding="utf-8") + (f"\n{palette}" if palette else "")
    read = lambda name: (folder / name).read_text(encoding="utf-8")  # noqa: E731
    return {
        kind: NoteType(kind=kind, id=int(t["id"]), name=t["name"], fields=tuple(t["fields"]),
                       templates=tuple((tt["name"], read(tt["front"]), read(tt["back"])) for tt in t["templates"]),
                       css=css, cloze=t.get("type") == "cloze")
        for kind, t in spec["notetypes"].items()
    }
