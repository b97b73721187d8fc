"""The PDF output: theme and fonts, the story of flowables, pages, the fit search, and previews."""

from .deferred import import_reportlab

# Before any module of this package imports ReportLab (see deferred.py).
import_reportlab()
