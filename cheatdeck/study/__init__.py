"""Study: the student's review history meets the sheet.

`focus` reads the history of the sheet's cards from an Anki collection (read-only) and ranks the notes by
how weak it shows them (score.py says how); `write_focus` prints the weakest into a focus sheet in the
sheet's own look. One concept per module: snapshot (what is read), history (the engine's data), score,
rank, table (the per-domain report), choose (the page budget), filtered (the focus sheet's model), read
and write (the two entry points).
"""

from .read import Focus, FocusOptions, focus
from .rank import RankedNote
from .table import DomainReport
from .write import FocusSheet, write_focus

__all__ = ["DomainReport", "Focus", "FocusOptions", "FocusSheet", "RankedNote", "focus", "write_focus"]
