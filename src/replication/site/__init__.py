"""Layer 6b, the book: the figure registry and landing page, headline numbers, the preset banner, and the
offline Sphinx plumbing."""
