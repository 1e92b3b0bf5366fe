"""The library file: storing entries and settings, choosing and counting them.

`store` owns every read and write of the TinyDB JSON file (atomic writes,
the inter-process lock, lazy per-entry decoding); `query` selects and sorts
entries for listings and exports; `stats` describes a library.

May import: the core modules (`lmscite.errors`, `config`, `ids`, `markup`,
`citation`, `model`) only.
"""
