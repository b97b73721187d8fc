"""The PDF output: theme and fonts, the story of flowables, pages, the fit search, and previews."""
