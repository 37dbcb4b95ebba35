"""``evaluate quality`` end to end: own-words figures through the lint path, and real-text references resolved
from a folder of collected texts (here written for the test, never real report text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_incidents.cli import app
from ca_incidents.score import evaluate, real_gold
from ca_incidents.score.nlp import DocCache, load


@pytest.fixture(scope="module")
def own_test_results() -> dict[str, evaluate.Measurement]:
    nlp = load()
    return evaluate.measure(evaluate.own_units(split="test"), DocCache(lambda: nlp))


@pytest.mark.parametrize("detector", list(evaluate.DETECTORS))
def test_own_words_test_split_stays_at_or_above_090(own_test_results, detector: str) -> None:  # type: ignore[no-untyped-def]
    assert own_test_results[detector].scores.f1 >= 0.90


def test_real_references_resolve_from_a_texts_folder(tmp_path: Path) -> None:
    records = [
        {"kind": "action_item", "url": "https://example.test/a", "bug_id": 9990101, "comment": 2, "ordinal": 1,
         "ca": "Fennel Trust", "year": 2031, "era": "v3", "text": "Improve our processes where possible.",
         "due_text": "", "status": "", "labels": {"vague": True, "has_timebound": False}},
        {"kind": "root_cause", "url": "https://example.test/b", "bug_id": 9990102, "comment": 0, "ordinal": 1,
         "ca": "Fennel Trust", "year": 2031, "era": "v3", "incident_title": "Wrong keyUsage",
         "text": "The profile template set keyUsage to a default that the lint did not cover.",
         "labels": {"restated": False, "human_error_only": False}},
    ]  # fmt: skip
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "collect-t.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    gold = tmp_path / "gold"
    runner = CliRunner()
    out = runner.invoke(app, ["evaluate", "import-real", str(texts), "--out", str(gold)])
    assert out.exit_code == 0, out.output
    refs = real_gold.load_references(gold)
    res = real_gold.resolve_from_texts(refs, texts)
    assert len(res.units) == 2 and not res.missing
    units = evaluate.real_units(res)
    nlp = load()
    preds = evaluate.predict(units, DocCache(lambda: nlp))
    assert preds["vague-action"] == [1]
    assert preds["missing-timebound"] == [1]
    assert preds["restated-root-cause"] == [0]
