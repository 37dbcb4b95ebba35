"""CA owner parsing from bug summaries and the shipped alias table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ca_incidents.corpus import OwnerMatch, parse_ca_owner
from ca_incidents.corpus.owners import alias_key, load_aliases, read_aliases, summary_prefix

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
    assert parse_ca_owner(summary) == OwnerMatch(owner=owner, raw=raw)


@pytest.mark.parametrize(
    ("summary", "raw"),
    [
        ("A certificate issued with a bad key", None),  # no colon at all
        ("", None),
        (None, None),
        (":  title without a prefix", None),
        (
            "Failure to revoke within 7 days: OCSP EKU issue",
            "Failure to revoke within 7 days",
        ),  # not an alias
        ("Ernst & Young Virginia: audit issues", "Ernst & Young Virginia"),  # auditor, not a CA owner
        ("TÜViT: audit issues", "TÜViT"),
        ("Unknown Fictional CA: something", "Unknown Fictional CA"),
    ],
)
def test_unparseable_or_unknown_prefix_gives_no_owner(summary: str | None, raw: str | None) -> None:
    assert parse_ca_owner(summary) == OwnerMatch(owner=None, raw=raw)


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
    assert ALIASES[alias_key("Ernst & Young Poland")] is None


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
    assert parse_ca_owner("Sectigo: title", load_aliases(path)).owner is None


@given(st.one_of(st.none(), st.text()))
def test_never_raises_and_only_returns_canonical_owners(summary: str | None) -> None:
    match = parse_ca_owner(summary)
    assert match.owner is None or match.owner in CANONICAL
    assert match.raw is None or (match.raw == match.raw.strip() and ":" not in match.raw)
    assert match.raw == summary_prefix(summary)
    if match.owner is not None:
        assert match.raw is not None


@given(st.sampled_from(sorted(CANONICAL)), st.text())
def test_any_title_after_a_canonical_prefix_keeps_the_owner(owner: str, title: str) -> None:
    assert parse_ca_owner(f"{owner}: {title}").owner == owner
