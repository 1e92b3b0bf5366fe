"""The entries as stored: `json` is one array, `jsonl` one entry per line.

Each value is exactly `Entry.to_dict()` (schema in docs/schema.md), so
`Entry.from_dict` reads it back unchanged; text stays UTF-8, not `\\u` escapes.
"""

from __future__ import annotations

import json
from typing import Sequence

from lmscite.model import Entry
from lmscite.render import ExportOptions


def render(entries: Sequence[Entry], options: ExportOptions) -> str:
    records = [entry.to_dict() for entry in entries]
    if options.format == "jsonl":
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
