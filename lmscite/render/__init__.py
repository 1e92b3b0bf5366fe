"""Renderers: one module per output format, each reading Entries and writing text."""
