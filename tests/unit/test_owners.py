"""CA owner parsing from bug summaries and the shipped alias table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ca_incidents.corpus import OwnerMatch, parse_ca_owner
from ca_incidents.corpus.owners import (
    OWNER_SOURCES,
    alias_key,
    load_aliases,
    read_aliases,
    summary_prefix,
    tidy_name,
    unify_spellings,
)

ALIASES = load_aliases()
CANONICAL = {owner for owner in ALIASES.values() if owner}


@pytest.mark.parametrize(
    ("summary", "owner", "raw"),
    [
        ("Let's Encrypt: Wrong CRL distribution point", "Let's Encrypt", "Let's Encrypt"),
        ("ISRG: Wrong CRL distribution point", "Let's Encrypt", "ISRG"),
        ("Let\u2019s Encrypt: curly apostrophe", "Let's Encrypt", "Let\u2019s Encrypt"),
        ("LET'S  ENCRYPT : shouting, two spaces", "Let's Encrypt", "LET'S ENCRYPT"),
        ("Sectigo:  Two spaces after the colon", "Sectigo", "Sectigo"),
        ("KIR S.A.: O > 64 characters", "KIR", "KIR S.A."),
        ("Certinomis / Docapost: OCSP problem", "Certinomis", "Certinomis / Docapost"),
        ("Certinomis/Docapost: OCSP problem", "Certinomis", "Certinomis/Docapost"),
        ("DigiCert: Verizon: subordinate CA problem", "DigiCert", "DigiCert"),
        ("Telekom Security / DFN: empty CRL", "Telekom Security", "Telekom Security / DFN"),
        ("eMudhra emSign PKI Services: DER encoding", "eMudhra", "eMudhra emSign PKI Services"),
        ("GoDaddy : trailing space before the colon", "GoDaddy", "GoDaddy"),
        ("Google Trust Services: Findings in 2024 Audit", "Google Trust Services", "Google Trust Services"),
        ("Comodo: renamed since", "Sectigo", "Comodo"),
        ("Northwind Trust Services: demo", "Northwind Trust", "Northwind Trust Services"),
        ("OTS: demo abbreviation", "Oakridge Trust Services", "OTS"),
        ("Meridian DI: demo", "Meridian Digital Identity", "Meridian DI"),
        ("Bluefjord: demo", "Bluefjord Certificates", "Bluefjord"),
        ("Alpenglow Trust AG: demo", "Alpenglow Trust", "Alpenglow Trust AG"),
        ("Tessera Certification S.A.: demo", "Tessera Certification", "Tessera Certification S.A."),
        ("Kestrel Signing Ltd\uff1a full-width colon", "Kestrel Signing", "Kestrel Signing Ltd"),
    ],
)
def test_known_prefixes_are_normalised(summary: str, owner: str, raw: str) -> None:
    match = parse_ca_owner(summary)
    assert (match.owner, match.raw, match.source) == (owner, raw, "alias")


@pytest.mark.parametrize(
    ("summary", "raw"),
    [
        ("A certificate issued with a bad key", None),  # no colon at all
        ("", None),
        (None, None),
        (":  title without a prefix", None),
        ("Failure to revoke within 7 days: OCSP EKU issue", "Failure to revoke within 7 days"),
        ("Delayed revocation: leaf certificates", "Delayed revocation"),
        ("Delayed Revocation: title case fragment", "Delayed Revocation"),
        ("Incorrect OCSP responses: made up", "Incorrect OCSP responses"),
        ("Re: forwarded question", "Re"),
        ("Audit Findings: annual report", "Audit Findings"),
        ("2024 Audit: no owner", "2024 Audit"),
        ("CA: bare word", "CA"),
        ("certificates issued without review: sentence", "certificates issued without review"),
        ("Some Quite Long Prefix That Goes On Far Too Long: x", "Some Quite Long Prefix That Goes On Far Too Long"),
        ("Ernst & Young Virginia: audit issues", "Ernst & Young Virginia"),  # auditor, not a CA owner
        ("Ernst & Young Reykjavik: made-up office", "Ernst & Young Reykjavik"),  # covered by "Ernst & Young"
        ("KPMG: audit statement", "KPMG"),
        ("TÜViT: audit issues", "TÜViT"),
        ("Mozilla Root Store Policy: clarification", "Mozilla Root Store Policy"),
    ],
)
def test_no_prefix_title_fragments_and_non_owners_give_no_owner(summary: str | None, raw: str | None) -> None:
    assert parse_ca_owner(summary) == OwnerMatch(owner=None, raw=raw, source="none")


@pytest.mark.parametrize(
    ("summary", "owner", "source", "brand"),
    [  # made-up CA names: none of them is in the alias table
        ("Unknown Fictional CA: something", "Unknown Fictional CA", "prefix", None),
        ("Zephyrine Trust GmbH: OCSP outage", "Zephyrine Trust", "prefix", None),
        ("  \u201cPortolan Certificados S.A.\u201d : quoted and spaced", "Portolan Certificados", "prefix", None),
        ("Agencia Digital de Confianza: connector words", "Agencia Digital de Confianza", "prefix", None),
        ("nTrustia: inner capital", "nTrustia", "prefix", None),
        ("QTSP-7 Services: digits and hyphen", "QTSP-7 Services", "prefix", None),
        ("BigRoot CA / Customer Sub CA: sub-CA", "BigRoot CA", "prefix", "Customer Sub CA"),
        ("Harrow Certification Authority (HCA): acronym", "Harrow Certification Authority", "prefix", "HCA"),
        ("Servicio nacional de firmas (Sefirma): lower-case name", "Sefirma", "prefix", None),
        ("DigiCert / Made-up Reseller: known first", "DigiCert", "alias", "Made-up Reseller"),
        ("Made-up Reseller / Sectigo: known second", "Sectigo", "alias", "Made-up Reseller"),
        ("Sectigo (ZeroSSL): brand in brackets", "Sectigo", "alias", "ZeroSSL"),
        ("Asseco DS / Certum: both names of one owner", "Certum", "alias", None),
        ("Buypass AS: legal form not in the table", "Buypass", "alias", None),
        ("DigiCert / Verizon: listed compound", "DigiCert", "alias", "Verizon"),
    ],
)
def test_unknown_names_compounds_and_brands(summary: str, owner: str, source: str, brand: str | None) -> None:
    match = parse_ca_owner(summary)
    assert (match.owner, match.source, match.brand) == (owner, source, brand)


@pytest.mark.parametrize(
    ("text", "tidy"),
    [("Foo Trust GmbH", "Foo Trust"), ("Foo, Inc.", "Foo"), ("Foo Co., Ltd.", "Foo"), ("'Foo'", "Foo"),
     ("Foo  Bar", "Foo Bar"), ("GmbH", "GmbH"), ("Foo Trust Services Pty Ltd", "Foo Trust Services")],
)  # fmt: skip
def test_tidy_name(text: str, tidy: str) -> None:
    assert tidy_name(text) == tidy


def test_unify_spellings_picks_the_most_frequent_then_mixed_case() -> None:
    found = [parse_ca_owner(s) for s in ("ZEPHYR PKI: a", "Zephyr PKI: b", "Zephyr PKI: c", "QUILL CA: d",
                                         "Quill CA: e", "Sectigo: f")]  # fmt: skip
    assert [m.owner for m in unify_spellings(found)] == ["Zephyr PKI"] * 3 + ["Quill CA"] * 2 + ["Sectigo"]


def test_alias_key_ignores_case_spacing_and_slash_spacing() -> None:
    assert alias_key("  Asseco  DS/Certum ") == alias_key("asseco ds / certum") == "asseco ds / certum"
    assert alias_key("D-TRUST") == alias_key("d-trust")


def test_every_canonical_name_is_its_own_alias() -> None:
    """A canonical owner written as-is in a summary must map to itself, so the names are stable."""
    assert len(CANONICAL) >= 80
    for owner in CANONICAL:
        assert ALIASES[alias_key(owner)] == owner, owner


def test_table_merges_the_documented_cases() -> None:
    assert ALIASES[alias_key("ISRG")] == ALIASES[alias_key("Let's Encrypt")]
    assert ALIASES[alias_key("Taiwan-CA")] == ALIASES[alias_key("TWCA")] == "TWCA"
    assert ALIASES[alias_key("T-Systems")] == ALIASES[alias_key("Telekom Security")]
    assert ALIASES[alias_key("Symantec")] != ALIASES[alias_key("DigiCert")]
    assert ALIASES[alias_key("Ernst & Young")] is None


def test_read_aliases_skips_comments_and_rejects_conflicts() -> None:
    text = (
        "alias,canonical,note\n# a comment, with a comma\nFoo CA,Foo,\nfoo  ca,Foo,dup is fine\nBar Audit,,\n"
    )
    assert read_aliases(text) == {"foo ca": "Foo", "bar audit": None}
    with pytest.raises(ValueError, match="maps to both"):
        read_aliases("alias,canonical,note\nFoo,Foo,\nFOO,Bar,\n")


def test_custom_alias_file(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("alias,canonical,note\nQuux PKI,Quux,\n", encoding="utf-8")
    assert parse_ca_owner("Quux PKI: title", load_aliases(path)).owner == "Quux"
    assert parse_ca_owner("Sectigo: title", load_aliases(path)) == OwnerMatch("Sectigo", "Sectigo", "prefix")


@given(st.one_of(st.none(), st.text()))
def test_never_raises_and_sources_are_consistent(summary: str | None) -> None:
    match = parse_ca_owner(summary)
    assert match.source in OWNER_SOURCES
    assert (match.owner is None) == (match.source == "none")
    assert match.source != "alias" or match.owner in CANONICAL
    assert match.source != "prefix" or (match.raw is not None and match.owner == tidy_name(match.owner))
    assert match.brand is None or match.owner is not None
    assert match.raw is None or (match.raw == match.raw.strip() and ":" not in match.raw)
    assert match.raw == summary_prefix(summary)


@given(st.lists(st.sampled_from(["Zephyr", "ZEPHYR", "zephyr", "Zeph Yr", "Quill"]), min_size=1))
def test_unify_spellings_keeps_one_spelling_per_name(names: list[str]) -> None:
    found = unify_spellings(OwnerMatch(n, n, "prefix") for n in names)
    by_key: dict[str, set[str]] = {}
    for m in found:
        by_key.setdefault(alias_key(m.owner or ""), set()).add(m.owner or "")
    assert all(len(spellings) == 1 for spellings in by_key.values())
    assert [alias_key(m.owner or "") for m in found] == [alias_key(n) for n in names]


@given(st.sampled_from(sorted(CANONICAL)), st.text())
def test_any_title_after_a_canonical_prefix_keeps_the_owner(owner: str, title: str) -> None:
    assert parse_ca_owner(f"{owner}: {title}").owner == owner
