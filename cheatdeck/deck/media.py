"""The package's media: each image a card shows, under its content-hash name, stored once."""

from __future__ import annotations

from .plan import Plan


def package_media(plan: Plan) -> list[tuple[str, bytes]]:
    """(name in Anki's media folder, bytes) for every image some note's fields refer to, sorted by name."""
    if not plan.sheet.media:
        return []
    fields = "\x1f".join(field for note in plan.notes for field in note.fields)
    by_name = {media.name: media.data for media in plan.sheet.media.values()}
    return sorted((name, data) for name, data in by_name.items() if f'src="{name}"' in fields)
