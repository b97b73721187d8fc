"""Load: a sheet YAML file becomes the typed, located model (reader → format → validate → compile)."""
