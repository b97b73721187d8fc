"""`sync` to a collection file: the built package applied by the Anki engine (merged, recorded, one transaction)."""
