from __future__ import annotations

import pytest

from lmscite.ids import TypedId, classify, dedupe, normalise_pmid, parse_ids


@pytest.mark.parametrize(
    "token",
    [
        "12345",
        "PMID:12345",
        "PMID: 12345",
        "pmid 12345",
        "Pmid:12345",
        "  12345\n",
        "\ufeff12345",
        "0012345",
        "https://pubmed.ncbi.nlm.nih.gov/12345/",
        "https://pubmed.ncbi.nlm.nih.gov/12345",
        "https://pubmed.ncbi.nlm.nih.gov/12345/?from_term=liver",
        "pubmed.ncbi.nlm.nih.gov/12345/",
        "http://www.ncbi.nlm.nih.gov/pubmed/12345",
        "https://www.ncbi.nlm.nih.gov/pubmed/?term=12345",
        "https://pubmed.ncbi.nlm.nih.gov/?term=12345",
    ],
)
def test_accepted_pmid_forms_normalise_to_the_bare_number(token: str) -> None:
    assert normalise_pmid(token) == "12345"


@pytest.mark.parametrize("digits", ["1", "12345678", "123456789"])
def test_pmids_of_one_to_nine_digits_are_accepted(digits: str) -> None:
    assert normalise_pmid(digits) == digits


@pytest.mark.parametrize(
    "token",
    [
        "",
        "   ",
        "abc",
        "-1",
        "12.5",
        "1e5",
        "0",
        "0000",
        "1234567890",
        "1" * 30,
        "PMID:",
        "PMID: abc",
        "12345abc",
        "١٢٣",
        "https://pubmed.ncbi.nlm.nih.gov/",
        "https://pubmed.ncbi.nlm.nih.gov/?term=liver",
        "https://pubmed.ncbi.nlm.nih.gov/12345/similar/",
        "https://example.org/pubmed/12345",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567/",
        "PMC1234567",
        "10.1097/SLA.0000000000001234",
    ],
)
def test_anything_else_is_not_a_pmid(token: str) -> None:
    assert normalise_pmid(token) is None


def test_tokens_split_on_whitespace_commas_and_lines_keeping_order() -> None:
    lines = ["\ufeff33 11\n", "\n", "  22,44\t55  ", ""]

    assert [typed.raw for typed in parse_ids(lines)] == ["33", "11", "22", "44", "55"]


def test_a_label_and_the_id_after_it_are_one_token() -> None:
    assert parse_ids(["pmid 12345 PMID: 678 PMID:9"]) == [
        TypedId("pmid 12345", "pmid", "12345"),
        TypedId("PMID: 678", "pmid", "678"),
        TypedId("PMID:9", "pmid", "9"),
    ]


def test_every_token_is_typed_as_pmid_doi_pmcid_or_invalid() -> None:
    assert parse_ids(["abc 12 doi: 10.1000/xyz PMC99"]) == [
        TypedId("abc", "invalid", "abc"),
        TypedId("12", "pmid", "12"),
        TypedId("doi: 10.1000/xyz", "doi", "10.1000/xyz"),
        TypedId("PMC99", "pmcid", "PMC99"),
    ]


def test_dois_compare_without_case_and_other_ids_exactly() -> None:
    upper, lower = parse_ids(["10.1000/ABC 10.1000/abc"])
    assert upper.key == lower.key
    assert parse_ids(["PMC99"])[0].key == "PMC99"


def test_a_label_at_the_end_of_a_line_does_not_take_the_next_line() -> None:
    assert parse_ids(["PMID:", "12345"]) == [TypedId("PMID:", "invalid", "PMID:"), TypedId("12345", "pmid", "12345")]


def test_dedupe_keeps_the_first_of_each_in_order() -> None:
    assert dedupe(["3", "1", "3", "2", "1"]) == ["3", "1", "2"]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("PMID: 0012345", ("pmid", "12345")),
        ("https://pubmed.ncbi.nlm.nih.gov/12345/", ("pmid", "12345")),
        ("PMC1234567", ("pmcid", "PMC1234567")),
        ("pmc1234567", ("pmcid", "PMC1234567")),
        ("PMCID: PMC1234567", ("pmcid", "PMC1234567")),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567/", ("pmcid", "PMC1234567")),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC1234567/", ("pmcid", "PMC1234567")),
        ("10.1097/SLA.0b013e3181a4a31f", ("doi", "10.1097/SLA.0b013e3181a4a31f")),
        ("doi:10.1097/SLA.0b013e3181a4a31f", ("doi", "10.1097/SLA.0b013e3181a4a31f")),
        ("DOI: 10.1097/SLA.0b013e3181a4a31f.", ("doi", "10.1097/SLA.0b013e3181a4a31f")),
        ("https://doi.org/10.1097/SLA.0b013e3181a4a31f", ("doi", "10.1097/SLA.0b013e3181a4a31f")),
        ("http://dx.doi.org/10.1002/%28SICI%291097-0142", ("doi", "10.1002/(SICI)1097-0142")),
        ("10.1002/(SICI)1097-0258(19980815)17:15<1661::AID-SIM968>3.0.CO;2-2",
         ("doi", "10.1002/(SICI)1097-0258(19980815)17:15<1661::AID-SIM968>3.0.CO;2-2")),
    ],
)
def test_classify_names_the_kind_and_normal_form(token: str, expected: tuple[str, str]) -> None:
    assert classify(token) == expected


@pytest.mark.parametrize(
    "token",
    ["", "abc", "PMC", "PMC0", "PMCabc", "10.12/too-short-prefix", "10.1097", "doi:", "https://doi.org/",
     "https://example.org/10.1097/SLA.1", "-1"],
)
def test_classify_calls_junk_invalid_and_keeps_its_text(token: str) -> None:
    assert classify(token) == ("invalid", token.strip())
