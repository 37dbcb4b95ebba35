"""Snapshot export / verify / import: round trip, byte-for-byte reproducibility and tamper detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_incidents.cli import app
from ca_incidents.corpus import connect
from ca_incidents.corpus.snapshot import (
    MANIFEST_FILE,
    SnapshotError,
    export_snapshot,
    import_snapshot,
    verify_snapshot,
)

BUGS = [
    (1900003, "Oakridge Trust Services: CRL published late", "[ca-compliance] [crl-failure]", "2024-05-01",
     ["ca-compliance", "crl-failure"], '{"id": 1900003}'),
    (1900001, "Northwind Trust: OCSP unknown for good certs", "[ca-compliance] Next update 2024-04-01", None,
     ["ca-compliance"], '{"id": 1900001, "whiteboard": "x"}'),
    (1900002, "no owner here", "", None, [], None),
]  # fmt: skip
COMMENTS = [(51, 1900001, 0, "alice@ca.example", "2024-03-04 09:12:00", "Report text", "Report *text*")]
HISTORY = [
    (1900001, "2024-03-05 08:00:00", "rs@root.example", 1, "whiteboard", "[ca-compliance]", "Next update x"),
    (1900001, "2024-03-05 08:00:00", "rs@root.example", 0, "status", "NEW", "ASSIGNED"),
]


BUILT_ROWS = {"attachments": 1, "bugs": 3, "comments": 1, "findings": 3, "harvests": 2, "history": 2}


def _schema_tables(tmp_path: Path) -> set[str]:
    """The raw tables schema.sql defines today (other stages may add more)."""
    con = connect(tmp_path / "empty")
    names = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    return names


def _build_corpus(data_dir: Path, *, reverse: bool = False) -> None:
    """A small corpus with raw tables, two harvests and a later stage's table without a primary key."""
    rows = list(reversed(BUGS)) if reverse else BUGS
    con = connect(data_dir)
    for bug_id, summary, whiteboard, resolved, see_also, raw in rows:
        con.execute(
            "INSERT INTO bugs (id, summary, whiteboard, cf_last_resolved, see_also, raw_json, keywords) "
            "VALUES (?, ?, ?, ?, ?, ?, ['k'])",
            [bug_id, summary, whiteboard, resolved, see_also, raw],
        )
    con.executemany("INSERT INTO comments (id, bug_id, count, creator, creation_time, text, raw_text) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", COMMENTS)  # fmt: skip
    history = list(reversed(HISTORY)) if reverse else HISTORY
    con.executemany("INSERT INTO history (bug_id, change_time, who, seq, field_name, removed, added) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", history)  # fmt: skip
    con.execute(
        "INSERT INTO attachments (id, bug_id, file_name, data) VALUES (7, 1900001, 'a.csv', 'x,y'::BLOB)"
    )
    con.execute(
        "INSERT INTO harvests (id, started_at, source_url, query, db_time) VALUES "
        "(1, '2024-01-01 00:00:00', 'http://old.example', '{\"product\": [\"NSS\"]}', '2024-01-01 00:00:01'),"
        "(2, '2024-06-01 00:00:00', 'http://127.0.0.1:8080', '{\"product\": [\"CA Program\"]}', "
        "'2024-06-01 00:00:02')"
    )
    con.execute("CREATE TABLE findings (bug_id BIGINT, rule VARCHAR, score DOUBLE)")
    findings = [
        (1900001, "has-timeline", 0.5),
        (1900001, "has-root-cause", 1.0),
        (1900003, "has-timeline", 0.0),
    ]
    con.executemany(
        "INSERT INTO findings VALUES (?, ?, ?)", list(reversed(findings)) if reverse else findings
    )
    con.close()


def _dump(data_dir: Path) -> dict[str, tuple[list, list]]:
    """Every table's column types and rows, in a storage-independent order."""
    con = connect(data_dir, read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    dump = {}
    for table in tables:
        types = con.execute(f"SELECT column_name, data_type FROM information_schema.columns "
                            f"WHERE table_name = '{table}' ORDER BY ordinal_position").fetchall()  # fmt: skip
        dump[table] = (types, con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall())
    con.close()
    return dump


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    _build_corpus(data_dir)
    return data_dir


@pytest.fixture
def snapshot_dir(corpus_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "snap"
    export_snapshot(corpus_dir, out)
    return out


def test_round_trip_gives_equal_tables(corpus_dir: Path, snapshot_dir: Path, tmp_path: Path) -> None:
    assert verify_snapshot(snapshot_dir) == []
    import_snapshot(snapshot_dir, tmp_path / "restored")
    original, restored = _dump(corpus_dir), _dump(tmp_path / "restored")
    assert set(original) == _schema_tables(tmp_path) | {"findings"}
    assert restored == original
    assert len(original["bugs"][1]) == 3


def test_manifest_records_tables_and_latest_harvest(snapshot_dir: Path, tmp_path: Path) -> None:
    manifest = json.loads((snapshot_dir / MANIFEST_FILE).read_text())
    assert manifest["source_url"] == "http://127.0.0.1:8080"
    assert manifest["query"] == {"product": ["CA Program"]}
    assert manifest["db_time"] == "2024-06-01T00:00:02"
    rows = {name: t["rows"] for name, t in manifest["tables"].items()}
    assert set(rows) == _schema_tables(tmp_path) | {"findings"}
    assert {name: rows[name] for name in BUILT_ROWS} == BUILT_ROWS
    assert manifest["tables"]["bugs"]["file"] == "bugs.parquet"
    assert sorted(p.name for p in snapshot_dir.iterdir()) == sorted(
        [MANIFEST_FILE] + [t["file"] for t in manifest["tables"].values()]
    )


def test_same_corpus_gives_identical_files(corpus_dir: Path, tmp_path: Path) -> None:
    """Exporting twice, and exporting a copy built in another insertion order, gives the same bytes."""
    other = tmp_path / "other"
    _build_corpus(other, reverse=True)
    first = export_snapshot(corpus_dir, tmp_path / "a")
    second = export_snapshot(corpus_dir, tmp_path / "b")
    shuffled = export_snapshot(other, tmp_path / "c")
    hashes = [{name: t.sha256 for name, t in m.tables.items()} for m in (first, second, shuffled)]
    assert hashes[0] == hashes[1] == hashes[2]
    assert first.manifest_sha256 == second.manifest_sha256 == shuffled.manifest_sha256
    for name in first.tables:
        assert (tmp_path / "a" / f"{name}.parquet").read_bytes() == (
            tmp_path / "c" / f"{name}.parquet"
        ).read_bytes()


def test_different_corpus_gives_different_hash(corpus_dir: Path, tmp_path: Path) -> None:
    first = export_snapshot(corpus_dir, tmp_path / "a")
    con = connect(corpus_dir)
    con.execute("UPDATE bugs SET summary = 'Northwind Trust: changed' WHERE id = 1900001")
    con.close()
    second = export_snapshot(corpus_dir, tmp_path / "b")
    assert first.tables["bugs"].sha256 != second.tables["bugs"].sha256
    assert first.tables["comments"].sha256 == second.tables["comments"].sha256
    assert first.manifest_sha256 != second.manifest_sha256


def test_tampered_byte_fails_naming_the_file(snapshot_dir: Path) -> None:
    path = snapshot_dir / "bugs.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    problems = verify_snapshot(snapshot_dir)
    assert problems, "a flipped byte must fail verification"
    assert all(p.startswith("bugs.parquet") for p in problems)
    assert any("sha256 mismatch" in p for p in problems)


def test_missing_and_extra_files_are_reported(snapshot_dir: Path) -> None:
    (snapshot_dir / "comments.parquet").unlink()
    (snapshot_dir / "notes.txt").write_text("hello")
    problems = verify_snapshot(snapshot_dir)
    assert "comments.parquet: missing (table 'comments', 1 rows expected)" in problems
    assert "notes.txt: unexpected file, not listed in manifest.json" in problems
    assert len(problems) == 2


def test_edited_manifest_is_reported(snapshot_dir: Path) -> None:
    path = snapshot_dir / MANIFEST_FILE
    manifest = json.loads(path.read_text())
    manifest["tables"]["bugs"]["rows"] = 4
    path.write_text(json.dumps(manifest))
    problems = verify_snapshot(snapshot_dir)
    assert any("manifest edited" in p for p in problems)
    assert "bugs.parquet: 3 rows, manifest says 4" in problems


def test_missing_manifest_is_reported(tmp_path: Path) -> None:
    problems = verify_snapshot(tmp_path)
    assert len(problems) == 1 and "manifest.json not found" in problems[0]


def test_import_refuses_bad_snapshot_and_existing_corpus(snapshot_dir: Path, corpus_dir: Path) -> None:
    with pytest.raises(SnapshotError, match="already exists"):
        import_snapshot(snapshot_dir, corpus_dir)
    import_snapshot(snapshot_dir, corpus_dir, replace=True)
    (snapshot_dir / "history.parquet").write_bytes(b"not parquet")
    with pytest.raises(SnapshotError, match=r"history\.parquet"):
        import_snapshot(snapshot_dir, corpus_dir.parent / "fresh")
    assert not (corpus_dir.parent / "fresh" / "corpus.duckdb").exists()


def test_export_refuses_non_empty_directory(corpus_dir: Path, snapshot_dir: Path) -> None:
    with pytest.raises(SnapshotError, match="not empty"):
        export_snapshot(corpus_dir, snapshot_dir)


def test_cli_export_verify_import(corpus_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli-snap"
    result = runner.invoke(app, ["snapshot", "export", str(out), "--data-dir", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["snapshot", "verify", str(out)]).exit_code == 0
    result = runner.invoke(app, ["snapshot", "import", str(out), "--data-dir", str(tmp_path / "restored")])
    assert result.exit_code == 0, result.output
    assert _dump(tmp_path / "restored") == _dump(corpus_dir)
    (out / "harvests.parquet").unlink()
    result = runner.invoke(app, ["snapshot", "verify", str(out)])
    assert result.exit_code == 1
    assert "harvests.parquet: missing" in result.output
