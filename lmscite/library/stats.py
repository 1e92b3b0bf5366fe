"""What `lmscite info` reports about a library."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lmscite.library.store import Library
from lmscite.model import SCHEMA


def library_info(library: Library) -> dict[str, Any]:
    view = library.snapshot()
    sections: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    curated = 0
    for pmid in view.pmids():
        curation = (view.raw(pmid) or {}).get("curation", {})
        sections[curation.get("section") or "(none)"] += 1
        tags.update(curation.get("tags", []))
        curated += bool(curation.get("excerpt") or curation.get("notes"))
    path = library.path
    return {
        "library": str(path),
        "exists": path.exists(),
        "size_bytes": path.stat().st_size if path.exists() else 0,
        "schema": view.meta().get("schema", SCHEMA),
        "entries": len(view),
        "curated": curated,
        "sections": dict(sorted(sections.items())),
        "tags": dict(sorted(tags.items())),
    }
