"""lmscite: curated, annotated PubMed bibliographies from the command line.

The command line (`lmscite.cli`) is a thin layer over importable packages,
each allowed to import only those before it:

* core modules: `errors`, `config`, `ids`, `markup`, `model` (the record and
  its curation), `citation` (PubMed's citation line);
* `lmscite.pubmed`: the E-utilities client and the PubMed XML and MEDLINE parsers;
* `lmscite.library`: the library file (`store`), selection (`query`), `stats`;
* `lmscite.curation`: excerpts, glosses, edits, sections, curation files, checks;
* `lmscite.sync`: import, fetch, refresh and linked notices, into the library;
* `lmscite.render`: the exports (Markdown and HTML pages, BibTeX, RIS, CSL-JSON, JSON).

docs/architecture.md draws the data flow.
"""

__version__ = "0.1.0"
