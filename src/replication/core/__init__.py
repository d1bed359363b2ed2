"""The base every layer builds on: argument checks, atomic writes, the preset names, provenance records, and where
the project (its book and results) is."""
