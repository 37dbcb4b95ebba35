"""CA owners and whiteboards of the 827 real BMO bug records in ../shared (read in place, never copied).

The expected values below were checked by hand against the records; only bug ids, CA names, tags and dates
appear here, no summary text.
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path
from unittest import mock

import duckdb
import pytest
from typer.testing import CliRunner

from ca_incidents.cli import app
from ca_incidents.corpus import connect, parse_ca_owner, parse_whiteboard
from ca_incidents.corpus.owners import alias_key, load_aliases, read_aliases, resolve_owners
from ca_incidents.corpus.whiteboard import US_RULE, next_update_issues
from ca_incidents.parse.corpus import ensure_schema as ensure_parse_schema
from ca_incidents.parse.corpus import parse_corpus
from ca_incidents.parse.normalise import normalise_bugs

pytestmark = [pytest.mark.integration, pytest.mark.shared]

EXPECTED_OWNERS = {
    1367842: "TurkTrust", 1368176: "DigiCert", 1368178: "Symantec",
    1390994: "DocuSign",  # "DocuSign/Keynectis", no spaces around the slash
    1391074: "Telekom Security",  # "T-Systems", renamed
    1391864: "PKIoverheid",  # misspelt "Staat der Nederlanden" / PKIoverheid
    1397954: "DigiCert", 1397968: "DigiCert",  # "DigiCert / <sub-CA>"
    1398428: "Amazon Trust Services",
    1401486: "Telekom Security",  # "T-Systems / DFN-PKI"
    1405826: "VikingCloud",  # "Trustwave"
    1409764: "Certum",  # "Asseco DS / Certum"
    1410834: "Sectigo",  # "Comodo"
    1420766: "GlobalSign",  # "Globalsign / AlphaSSL"
    1421820: "Microsoft",  # "Microsoft DSRE PKI"
    1425998: "Certinomis",  # "Certinomis / Docapost"
    1446080: "Let's Encrypt",
    1521950: "QuoVadis",  # two spaces after the colon
    1532112: "KIR",  # "KIR S.A.", with ">" in the title
    1548716: "DigiCert",  # "DigiCert: <sub-CA>: ..."
    1567060: "Sectigo",  # "Sectigo / Web.com"
    1597948: "Sectigo",  # another CA's name in the title
    1625498: "Google Trust Services",
    1629020: "TWCA",  # "Taiwan-CA"
    1650234: "PKIoverheid",  # "PKIoverheid / QuoVadis"
    1667744: "Certigna",  # "Dhimyotis / Certigna"
    1672208: "Telekom Security",  # "DFN-PKI"
    1698936: "Sectigo",  # "Sectigo: ZeroSSL: ..."
    1724276: "QuoVadis",  # "QuoVadis / PKIoverheid"
    1734114: "NetLock", 1917046: "NetLock",  # "Netlock", "NETLOCK"
    1735908: "SHECA",
    1776764: "VikingCloud",  # "SecureTrust"
    1815534: "e-commerce monitoring", 1830536: "e-commerce monitoring",  # "GmbH" / "gmbh"
    1827490: "Cybertrust Japan",
    1844514: "Microsec",  # "MICROSEC"
    1865880: "Microsec",  # "Findings in 2023 Audit" form
    1881364: "DigiCert",  # "Digicert"
    1882256: "AGCE",
    1902042: "Siemens",
    1904748: "GoDaddy",  # "GoDaddy " with a space before the colon
    1914462: "eMudhra", 1914466: "eMudhra",  # "emSign PKI Services", "eMudhra emSign PKI Services"
    1948600: "Izenpe",  # "IZENPE"
    1965804: "certSIGN",
    1983256: "PKIoverheid",
    1986968: "Fina",  # "Financijska agencija (Fina)"
    2011238: "Telekom Security",  # "Telekom Security / DFN"
    2011430: "D-TRUST",  # "D-Trust"
    2015562: "ANCERT",
    2015564: "Carillon",
    2015568: "NISZ",
}  # fmt: skip
# No owner, on purpose: summaries without a "<owner>:" prefix, and auditor prefixes.
EXPECTED_NO_OWNER = {1378074, 1451578, 1557198, 1507376, 1525082, 1525412, 1525446, 1582596}

EXPECTED_NEXT_UPDATE = {
    1776764: date(2023, 3, 1),  # "3-1-2023": US month-day rule
    1809382: date(2023, 5, 10), 1815466: date(2023, 4, 30), 1823040: date(2023, 4, 28),
    1825734: date(2023, 4, 28),  # trailing space
    1825780: date(2023, 4, 21), 1841534: date(2023, 8, 15),
    1848240: date(2023, 10, 31), 1848306: date(2023, 10, 31),  # "31-Oct-2023"
    1848280: date(2023, 10, 23), 1867130: date(2024, 1, 31), 1872738: date(2025, 3, 3),
    1877680: date(2024, 4, 24), 1882904: date(2024, 4, 26), 1883620: date(2024, 6, 30),
    1884568: date(2025, 3, 3), 1886110: date(2025, 3, 3), 1886532: date(2025, 3, 31),
    1887110: date(2025, 3, 3), 1888016: date(2024, 6, 1), 1890898: date(2024, 6, 17),
    1898848: date(2025, 3, 31), 1902042: date(2024, 9, 6), 1903066: date(2025, 3, 3),
    1985816: date(2026, 4, 14), 1990254: date(2026, 4, 30), 1999850: date(2026, 4, 24),
    2011238: date(2026, 4, 30),
}  # fmt: skip
EXPECTED_TAGS = {
    1550576: ["ca-compliance"],  # plus free text
    1557198: ["reporter-external", "client-bounty-form", "verif?"],
    1861782: ["ca-compliance", "smime-misissuance"],  # "[ca compliance]"
    2007216: ["ca-compliance", "disclosure-failure"],  # "[disclosure failure]"
    1994454: ["close-on-2025-12-10", "ca-compliance", "policy-failure"],
    1886110: ["ca-compliance", "ov-misissuance", "leaf-revocation-delay"],
    1418146: [],
}
# Independent of the parser: anything that looks like a "next update" note.
NEXT_UPDATE_LIKE = re.compile(r"next\W*up", re.IGNORECASE)


@pytest.fixture(scope="module")
def by_id(real_bug_records: list[dict]) -> dict[int, dict]:
    return {record["id"]: record for record in real_bug_records}


def _raw_corpus(records: list[dict], data_dir: Path) -> duckdb.DuckDBPyConnection:
    """A store holding real metadata as the harvester writes it: raw ``bugs`` rows only."""
    con = connect(data_dir)
    rows = [(r["id"], r["summary"], r["status"], r["resolution"], r["creation_time"].replace("Z", ""),
             r["whiteboard"], r["creator"]) for r in records]  # fmt: skip
    con.executemany(
        "INSERT INTO bugs (id, summary, status, resolution, creation_time, whiteboard, creator) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return con


@pytest.fixture(scope="module")
def real_corpus(real_bug_records: list[dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real metadata with ``normalised_bugs`` rebuilt as `parse` rebuilds it (no comments to parse)."""
    data_dir = tmp_path_factory.mktemp("real") / "data"
    con = _raw_corpus(real_bug_records, data_dir)
    ensure_parse_schema(con)
    normalise_bugs(con)
    con.close()
    return data_dir


def test_record_count(real_bug_records: list[dict]) -> None:
    assert len(real_bug_records) == 827


def test_owner_coverage_and_review_list(real_bug_records: list[dict], real_corpus: Path) -> None:
    unowned = {r["id"] for r in real_bug_records if parse_ca_owner(r["summary"]).owner is None}
    coverage = 1 - len(unowned) / len(real_bug_records)
    total = len(real_bug_records)
    print(f"\nca_owner coverage: {coverage:.2%} ({total - len(unowned)}/{total})")
    assert coverage >= 0.99
    assert unowned == EXPECTED_NO_OWNER
    con = connect(real_corpus, read_only=True)
    stored = dict(con.execute("SELECT bug_id, owner_source FROM normalised_bugs").fetchall())
    con.close()
    assert {bug_id for bug_id, source in stored.items() if source == "none"} == unowned
    result = CliRunner().invoke(app, ["owners", "review", "--data-dir", str(real_corpus)])
    assert result.exit_code == 0, result.output
    listed = {
        int(line.split("\t")[0]): line.split("\t")[1]
        for line in result.output.splitlines()
        if line[:1].isdigit() and "\t" in line
    }
    assert listed == {bug_id: source for bug_id, source in stored.items() if source != "alias"}
    assert f"{len(unowned)} of 827 bugs have no CA owner" in result.output


def test_prefix_rule_alone_finds_the_owners_the_table_would(real_bug_records: list[dict]) -> None:
    """Generalisation: with every owner row of the alias table held out (only the non-owners kept), the
    prefix rule must still find an owner for the real summaries, and each owner it finds must be a name the
    full table maps to that same owner (as written, or the first words of a listed compound)."""
    full = load_aliases()
    non_owners = {key: owner for key, owner in full.items() if owner is None}
    held_out = resolve_owners((r["summary"] for r in real_bug_records), non_owners)
    with_table = resolve_owners(r["summary"] for r in real_bug_records)
    covered = sum(1 for m in held_out if m.owner)
    print(f"\nprefix rule alone: {covered}/{len(held_out)} owners")
    assert covered / len(held_out) >= 0.98
    for record, guess, known in zip(real_bug_records, held_out, with_table, strict=True):
        if guess.owner is None:
            continue
        assert guess.source == "prefix" and known.owner is not None, record["id"]
        names = [alias for alias, owner in full.items() if owner == known.owner]
        key = alias_key(guess.owner)
        assert any(alias == key or alias.startswith(key + " ") for alias in names), (record["id"], guess)


def test_alias_edit_changes_owners_after_parse_without_a_new_harvest(
    by_id: dict[int, dict], tmp_path: Path
) -> None:
    """The owner is derived by `parse`, not stored by the harvester: an edited alias table takes effect at once."""
    records = [by_id[bug_id] for bug_id in (1410834, 1397954, 1446080, 1507376)]  # Comodo, DigiCert, LE, auditor
    con = _raw_corpus(records, tmp_path)
    parse_corpus(con)
    raw_before = con.execute("SELECT * FROM bugs ORDER BY id").fetchall()
    before = dict(con.execute("SELECT bug_id, ca_owner FROM normalised_bugs").fetchall())
    shipped = resources.files("ca_incidents.data").joinpath("ca_owner_aliases.csv").read_text(encoding="utf-8")
    edited = read_aliases(shipped.replace("Comodo,Sectigo,", "Comodo,Comodo Group,"))  # the edit under test
    try:
        with mock.patch("ca_incidents.corpus.owners.load_aliases", lambda path=None: edited):
            parse_corpus(con)
        after = dict(con.execute("SELECT bug_id, ca_owner FROM normalised_bugs").fetchall())
        assert con.execute("SELECT * FROM bugs ORDER BY id").fetchall() == raw_before  # raw untouched
    finally:
        con.close()
    assert before[1410834] == "Sectigo" and after[1410834] == "Comodo Group"
    assert {b: o for b, o in after.items() if b != 1410834} == {b: o for b, o in before.items() if b != 1410834}


def test_hand_checked_owners(by_id: dict[int, dict]) -> None:
    assert len(EXPECTED_OWNERS) >= 40
    got = {bug_id: parse_ca_owner(by_id[bug_id]["summary"]).owner for bug_id in EXPECTED_OWNERS}
    assert got == EXPECTED_OWNERS


def test_owner_raw_prefix_is_as_written(by_id: dict[int, dict]) -> None:
    for bug_id in EXPECTED_OWNERS:
        summary = by_id[bug_id]["summary"]
        raw = parse_ca_owner(summary).raw
        assert raw is not None and summary.startswith(raw)


def test_every_next_update_is_parsed_or_reported(real_bug_records: list[dict], real_corpus: Path) -> None:
    parsed, unparseable, assumed = 0, [], []
    for record in real_bug_records:
        board = parse_whiteboard(record["whiteboard"])  # zero crashes over every real whiteboard
        if not NEXT_UPDATE_LIKE.search(record["whiteboard"] or ""):
            assert board.next_update_raw is None
            continue
        assert board.next_update_raw is not None, record["id"]
        if board.next_update is not None:
            parsed += 1
            assumed += [record["id"]] if board.assumption else []
        else:
            assert board.problem, record["id"]
            unparseable.append((record["id"], board.next_update_raw, board.problem))
    print(f"\nnext update: {parsed} parsed ({len(assumed)} by the US rule), {len(unparseable)} unparseable")
    assert parsed >= 30
    assert unparseable == []  # every real "Next update" is read
    assert assumed == [1776764]
    con = connect(real_corpus, read_only=True)
    issues = next_update_issues(con)
    stored = con.execute("SELECT count(next_update), count(next_update_raw) FROM normalised_bugs").fetchone()
    con.close()
    assert issues == []
    assert stored == (parsed, parsed)


def test_iso_dates_agree_with_a_simple_reading(real_bug_records: list[dict]) -> None:
    """Where the whiteboard has exactly one ISO date after "Next update", the parser must return it."""
    checked = 0
    for record in real_bug_records:
        found = re.findall(r"next\W*update\W*(\d{4})-(\d{1,2})-(\d{1,2})", record["whiteboard"] or "", re.I)
        if len(found) == 1:
            checked += 1
            assert parse_whiteboard(record["whiteboard"]).next_update == date(*map(int, found[0])), record[
                "id"
            ]
    assert checked >= 25


def test_hand_checked_next_update_dates(by_id: dict[int, dict]) -> None:
    assert len(EXPECTED_NEXT_UPDATE) >= 25
    got = {
        bug_id: parse_whiteboard(by_id[bug_id]["whiteboard"]).next_update for bug_id in EXPECTED_NEXT_UPDATE
    }
    assert got == EXPECTED_NEXT_UPDATE
    assert parse_whiteboard(by_id[1776764]["whiteboard"]).assumption == US_RULE


def test_hand_checked_tags(by_id: dict[int, dict]) -> None:
    got = {bug_id: parse_whiteboard(by_id[bug_id]["whiteboard"]).tags for bug_id in EXPECTED_TAGS}
    assert got == EXPECTED_TAGS


def test_whiteboard_review_assumed_lists_the_us_rule_reading(real_corpus: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["whiteboard", "review", "--assumed", "--data-dir", str(real_corpus)])
    assert result.exit_code == 0, result.output
    assert "1776764\tcurrent\tNext update 3-1-2023\t" + US_RULE in result.output
    result = runner.invoke(app, ["whiteboard", "review", "--data-dir", str(real_corpus)])
    assert result.exit_code == 0 and "1776764" not in result.output


def test_whiteboard_review_checks_past_values(tmp_path: Path) -> None:
    """Past whiteboard values come from the history table; only the unreadable one is listed."""
    con = connect(tmp_path)
    con.execute(
        "INSERT INTO bugs (id, whiteboard) VALUES (1900001, '[ca-compliance] Next update 2024-05-01')"
    )
    con.executemany(
        "INSERT INTO history (bug_id, change_time, who, seq, field_name, added) VALUES (?, ?, ?, ?, ?, ?)",
        [(1900001, "2024-03-01 10:00:00", "rs@root.example", 0, "whiteboard", "Next update 2024-04-01"),
         (1900001, "2024-04-02 10:00:00", "rs@root.example", 1, "whiteboard", "[x] Next update soon"),
         (1900001, "2024-04-03 10:00:00", "rs@root.example", 2, "status", "Next update x")],
    )  # fmt: skip
    con.close()
    result = CliRunner().invoke(app, ["whiteboard", "review", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1900001\t2024-04-02T10:00:00\tNext update soon\tno date given" in result.output
    assert "1 Next update values need review" in result.output
    result = CliRunner().invoke(app, ["whiteboard", "review", "--no-history", "--data-dir", str(tmp_path)])
    assert "0 Next update values need review" in result.output
