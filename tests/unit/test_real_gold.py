"""Real-text gold references: hashing, splitting, second-pass sampling and resolution (own-words texts only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ca_incidents.score import real_gold
from ca_incidents.score.unit_documents import action_item_document, root_cause_document

COMMENT = (
    "## Action Items\n\n| Action Item | Kind | Due Date | Status |\n|---|---|---|---|\n"
    "| Add a **zlint** check for the *organizationName* length to the signing gate | Prevent | 2031-04-30 | Ongoing |\n"
    "| Remind the team | Prevent | | |\n\n"
    "## Root Cause Analysis\n\nThe profile editor copied the\n   default template, which had no length limit.\n"
)


def _record(kind: str, text: str, bug: int | None = 9990001, **extra: object) -> dict:
    labels = {"vague": False, "has_timebound": True} if kind == "action_item" else {"restated": False,
                                                                                   "human_error_only": False}
    return {"kind": kind, "url": f"https://example.test/{bug}", "bug_id": bug, "comment": 1, "ordinal": 1,
            "ca": "Fennel Trust", "year": 2031, "era": "v3", "text": text, "labels": labels, **extra}  # fmt: skip


def test_normalised_hash_ignores_markdown_and_whitespace() -> None:
    a = real_gold.text_sha256("Add a **zlint** check  for the\n*organizationName* length")
    assert a == real_gold.text_sha256("Add a zlint check for the organizationName length")
    assert a != real_gold.text_sha256("Add a zlint check for the organizationName size")


def test_duplicates_collapse_and_the_split_is_the_batch_s() -> None:
    records = [_record("action_item", f"Item number {i} of the same report.") for i in range(20)]
    records.append(_record("action_item", "Item number 3 of the same report."))  # a repeat
    refs = real_gold.references_from_records(records)
    assert len(refs) == 20
    assert {r.split for r in refs} == {"dev"}  # a development batch unless the record says otherwise
    held = real_gold.references_from_records([_record("root_cause", "A held-out cause.", split="test")])
    assert [r.split for r in held] == ["test"]


def test_unknown_split_is_an_error_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "holdout-x.jsonl").write_text(json.dumps(_record("action_item", "ok", split="holdout")) + "\n")
    with pytest.raises(ValueError, match=r"holdout-x.jsonl:1: split must be one of"):
        real_gold.read_collected(tmp_path)


def test_notes_keep_no_quoted_report_text() -> None:
    (ref,) = real_gold.references_from_records([_record("action_item", "x y z", note="vague: 'improve our processes'")])
    assert "improve" not in ref.note


def test_write_and_load_round_trip(tmp_path: Path) -> None:
    refs = real_gold.references_from_records(
        [_record("action_item", "Deploy the lint."), _record("root_cause", "The editor copied a template.")]
    )
    assert real_gold.write_references(refs, tmp_path) == {"action_items": 1, "root_causes": 1}
    loaded = real_gold.load_references(tmp_path)
    assert {(r.ref_id, r.sha256, r.split) for r in loaded} == {(r.ref_id, r.sha256, r.split) for r in refs}
    for csv_file in tmp_path.glob("*.csv"):
        assert "Deploy the lint" not in csv_file.read_text()  # references only, never the text


def test_second_pass_covers_every_held_out_unit_and_a_stable_third_of_dev() -> None:
    refs = real_gold.references_from_records([_record("action_item", f"Item {i}.") for i in range(400)])
    sample = real_gold.second_pass_sample(refs)
    assert 0.28 <= len(sample) / len(refs) <= 0.42
    more = real_gold.references_from_records([_record("action_item", f"Item {i}.") for i in range(800)])
    assert {r.ref_id for r in sample} <= {r.ref_id for r in real_gold.second_pass_sample(more)}
    held = real_gold.references_from_records([_record("action_item", f"Held {i}.", split="test") for i in range(30)])
    assert len(real_gold.second_pass_sample(held)) == 30


def test_malformed_collected_line_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "collect-x.jsonl").write_text(json.dumps(_record("action_item", "ok")) + "\n{broken\n")
    with pytest.raises(ValueError, match=r"collect-x.jsonl:2"):
        real_gold.read_collected(tmp_path)


def test_resolve_from_texts(tmp_path: Path) -> None:
    rec = _record("action_item", "Deploy the lint.", due_text="2031-01-31", status="Ongoing")
    (tmp_path / "collect-a.jsonl").write_text(json.dumps(rec) + "\n")
    refs = real_gold.references_from_records([rec, _record("root_cause", "Not collected.")])
    res = real_gold.resolve_from_texts(refs, tmp_path)
    assert [(u.text, u.due_text, u.status) for u in res.units] == [("Deploy the lint.", "2031-01-31", "Ongoing")]
    assert list(res.missing) == [refs[1].ref_id]


def test_find_span_recovers_text_across_markdown_and_line_breaks() -> None:
    target = "The profile editor copied the default template, which had no length limit."
    span = real_gold.find_span(COMMENT, real_gold.text_sha256(target), len(real_gold.normalise(target)))
    assert span is not None
    assert real_gold.normalise(COMMENT[span[0] : span[1]]) == target
    assert real_gold.find_span(COMMENT, real_gold.text_sha256("absent text"), 11) is None


def _corpus(tmp_path: Path):  # type: ignore[no-untyped-def]
    from ca_incidents.corpus import connect

    con = connect(tmp_path)
    con.execute(
        "INSERT INTO bugs (id, summary, creation_time, assigned_to) VALUES (9990001, "
        "'Fennel Trust: organizationName too long', TIMESTAMP '2031-01-01 09:00:00', 'pki@fennel.example')"
    )
    con.execute(
        "INSERT INTO comments (id, bug_id, count, creator, creation_time, text, raw_text) VALUES "
        "(1, 9990001, 1, 'pki@fennel.example', TIMESTAMP '2031-01-02 10:00:00', ?, ?)",
        [COMMENT, COMMENT],
    )
    return con


def test_resolve_from_corpus_takes_cells_from_the_stored_parse(tmp_path: Path) -> None:
    from ca_incidents.parse.corpus import parse_corpus

    con = _corpus(tmp_path)
    item = "Add a zlint check for the organizationName length to the signing gate"
    cause = "The profile editor copied the default template, which had no length limit."
    refs = real_gold.references_from_records(
        [_record("action_item", item), _record("root_cause", cause), _record("root_cause", "Nowhere.", bug=9990002)]
    )
    with pytest.raises(ValueError, match="ca-incidents parse"):
        real_gold.resolve_from_corpus(refs, con)
    parse_corpus(con)
    res = real_gold.resolve_from_corpus(refs, con)
    by_kind = {u.ref.kind: u for u in res.units}
    assert by_kind["action_item"].due_text == "2031-04-30"
    assert by_kind["action_item"].status.lower() == "ongoing"
    assert real_gold.normalise(by_kind["root_cause"].text) == cause
    assert by_kind["root_cause"].incident_title == "organizationName too long"
    assert len(res.missing) == 1


def test_unit_documents_point_at_the_unit() -> None:
    doc = action_item_document("Fix the | pipe", "2031-02-01", "Ongoing")
    assert doc.text[doc.start : doc.end] == "Fix the \\| pipe"
    rc = root_cause_document("  The job ran twice.  ", "Duplicate serials")
    assert rc.text[rc.start : rc.end] == "The job ran twice."
    assert "Duplicate serials" in rc.text
