"""The curator's work: excerpts, glosses, notes, tags, sections, curation files and checks.

`sentences` splits an abstract into numbered sentences; `excerpt` chooses
passages and checks them against the abstract; `edit` applies one change to
one entry; `sections` orders the page; `file` reads and writes the curation
file and the `--edit` document; `flags` classifies what PubMed says happened
to a record; `check` applies that to the library.

May import: the core modules and `lmscite.library`.
"""
