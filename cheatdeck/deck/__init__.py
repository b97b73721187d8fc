"""The Anki output: plan notes from the model, stamp them, and render the .apkg package."""
