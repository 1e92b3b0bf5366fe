"""Page order has one rule: the page, the curation file and `lmscite sections` agree on it."""

from __future__ import annotations

import json

import yaml

SECTIONS = {"9834411": ("beta", 2), "10749609": ("Alpha", None), "10917467": ("alpha", 1),
            "11091236": ("beta", 1), "9768608": ("Stored", None), "10918156": (None, 1)}


def test_the_page_the_curation_file_and_sections_list_sections_in_one_order(run, library):
    for pmid, (section, order) in SECTIONS.items():
        args = ["--section", section] if section else ["--tag", "x"]
        assert run("annotate", pmid, *args, *(["--order", str(order)] if order else [])).code == 0
    assert run("sections", "order", "Stored").code == 0
    page = run("export", "--format", "json").out
    page_pmids = [e["pmid"] for e in json.loads(page) if e["pmid"] in SECTIONS]
    dumped = list(yaml.safe_load(run("curation", "dump").out)["entries"])
    listed = [row["section"] for row in json.loads(run("sections", "--json").out)]
    assert listed == ["Stored", "Alpha", "alpha", "beta"]
    assert dumped == ["9768608", "10749609", "10917467", "11091236", "9834411", "10918156"]
    assert page_pmids == dumped
