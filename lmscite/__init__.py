"""lmscite: curated, annotated PubMed bibliographies from the command line.

The command line is a thin layer over importable modules:
`lmscite.pubmed_xml` / `lmscite.medline` parse records into `lmscite.model.Entry`,
`lmscite.eutils` fetches them, `lmscite.store.Library` keeps them, `lmscite.curation`
annotates them (passages from `lmscite.excerpt`, files via `lmscite.curation_file`) and
`lmscite.render` exports them.
"""

__version__ = "0.1.0"
