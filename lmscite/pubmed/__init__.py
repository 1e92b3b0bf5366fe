"""Reading PubMed: the E-utilities client and the parsers of PubMed's record formats.

`eutils` talks to NCBI (batching, rate limits, retries, key redaction);
`xml` and `medline` turn PubMed XML and MEDLINE text into `lmscite.model`
entries; `sources` tells the formats apart in files.  Nothing here knows the
library: records flow out of this package, never back into it.

May import: the core modules (`lmscite.errors`, `config`, `ids`, `markup`,
`model`) only.
"""
