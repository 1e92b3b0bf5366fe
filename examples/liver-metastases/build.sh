#!/usr/bin/env bash
# Rebuild the reference page "Liver Metastases: Surgical Resection" with lmscite commands only:
# import the page's 19 PubMed records, apply the curation file (excerpts, glosses, notes, section,
# page text, saved searches), export Markdown and HTML next to this script.
#
#   bash examples/liver-metastases/build.sh            # uses `lmscite` from PATH
#   LMSCITE=".venv/bin/lmscite" bash examples/liver-metastases/build.sh
#
# The pages carry a generation date; it comes from SOURCE_DATE_EPOCH (fixed below unless you set it),
# so running the script again gives byte-identical files.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lmscite="${LMSCITE:-lmscite}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1735689600}"  # 2025-01-01

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/library.json"

cd "$here"
$lmscite --db "$db" import liver-metastases.pubmed.xml
$lmscite --db "$db" annotate --from curation.yaml
$lmscite --db "$db" export --format markdown -o liver-metastases.md
$lmscite --db "$db" export --format html -o liver-metastases.html
