"""The curator's work: excerpts, glosses, notes, tags, sections, curation files and checks.

`sentences` splits an abstract into numbered sentences; `excerpt` chooses
passages and checks them against the abstract; `edit` applies one change to
one entry; `names` cleans tag and section names; `order` is the page order;
`sections` renames and orders sections; `file` reads and writes the curation
file and the `--edit` document; `session` runs an `--edit` session and merges
it; `flags` classifies what PubMed says happened to a record; `check` applies
that to the library.

May import: the core modules and `lmscite.library`.
"""
