"""Bringing records into the library and keeping them current: import, fetch, refresh, notices.

These modules join the two sides below them: records read from files or
E-utilities (`lmscite.pubmed`) are merged into the library
(`lmscite.library`), keeping the curator's work; a refresh flags excerpts a
changed abstract broke (`lmscite.curation`).

May import: the core modules, `lmscite.pubmed`, `lmscite.library` and
`lmscite.curation`.
"""
