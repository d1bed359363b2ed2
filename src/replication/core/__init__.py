"""The base every layer builds on: argument checks, atomic writes, the preset names, provenance records."""
