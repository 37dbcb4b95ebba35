"""Throughput of `ca-incidents score` against the full spaCy pipeline over the same text, in one run.

The demo corpus (data/demo-corpus/bugs/*.yaml) is replicated under fresh bug ids until its report texts
reach the target size, parsed once (not timed), then scored from scratch (the scorer remembers nothing
between runs); the baseline runs ``nlp.pipe`` with every component over the same report texts. Both load their
spaCy model before timing. Because every copy repeats the same item texts, the scorer's memory of parses helps
here far more than on real data, so a second forced run with no parses remembered across chunks is timed too.
Also prints peak memory and the time of a re-score of the unchanged corpus.
Usage: ``.venv/bin/python benchmarks/score.py [--chars 5000000]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

from ca_incidents.corpus import connect
from ca_incidents.parse.corpus import parse_corpus
from ca_incidents.score.corpus import score_corpus
from ca_incidents.score.nlp import load, model_name

ROOT = Path(__file__).resolve().parents[1]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bugs() -> list[dict]:
    return [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "data/demo-corpus/bugs").glob("*.yaml"))
    ]


def build(con, target_chars: int) -> int:  # type: ignore[no-untyped-def]
    """Insert copies of the demo bugs until the report texts reach ``target_chars``; return copies made."""
    bugs = _bugs()
    cid, copy = 1, 0
    report_chars = 0
    per_copy = None
    while per_copy is None or report_chars < target_chars:
        for bug in bugs:
            bug_id = bug["id"] + copy * 1_000_000
            con.execute(
                "INSERT INTO bugs (id, summary, creation_time, assigned_to) VALUES (?, ?, ?, ?)",
                [bug_id, bug["summary"], bug["creation_time"], bug.get("assigned_to")],
            )
            rows = [[cid + i, bug_id, n, c["author"], c["time"], c["text"], c["text"]] for i, (n, c) in
                    enumerate(enumerate(bug["comments"]))]  # fmt: skip
            cid += len(rows)
            con.executemany("INSERT INTO comments (id, bug_id, count, creator, creation_time, text, raw_text) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
        copy += 1
        if per_copy is None:
            parse_corpus(con)
            per_copy = con.execute("SELECT sum(length(c.raw_text)) FROM reports r JOIN comments c "
                                   "ON c.id = r.comment_id").fetchone()[0]  # fmt: skip
        report_chars = per_copy * copy
    return copy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chars", type=int, default=5_000_000, help="target size of the report texts")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(tmp)
        copies = build(con, args.chars)
        t = time.perf_counter()
        parse_corpus(con)
        print(
            f"corpus: {copies} copies of the demo corpus; parse (not part of the ratio) {time.perf_counter() - t:.1f} s"
        )
        texts = [r[0] for r in con.execute("SELECT c.raw_text FROM reports r JOIN comments c ON c.id = r.comment_id "
                                           "ORDER BY r.comment_id").fetchall()]  # fmt: skip
        chars = sum(len(x) for x in texts)

        load(model_name())  # the model only, as the baseline loads its own before timing; no text seen yet
        t = time.perf_counter()
        stats = score_corpus(con)  # a fresh run: no stored scores, no remembered parses
        score_s = time.perf_counter() - t
        score_peak = _peak_mib()
        print(
            f"score: {stats.reports_scored} reports, {stats.characters:,} characters, {stats.findings} findings "
            f"in {score_s:.1f} s = {stats.characters / score_s:,.0f} chars/s; peak RSS so far {score_peak:.0f} MiB\n"
            f"  every report read from the stored parse; spaCy parsed {stats.nlp_parsed:,} of the "
            f"{stats.nlp_texts:,} item texts (the rest repeated an earlier text; each demo copy repeats them all)"
        )

        t = time.perf_counter()
        again = score_corpus(con)
        print(
            f"re-score of the unchanged corpus: {again.reports_scored} scored, {again.reports_unchanged} "
            f"unchanged in {time.perf_counter() - t:.2f} s"
        )

        t = time.perf_counter()
        nomem = score_corpus(con, force=True, cache_chars=0)
        nomem_s = time.perf_counter() - t
        print(
            f"score again with no parses remembered across chunks: {nomem.characters / nomem_s:,.0f} chars/s "
            f"(spaCy parsed {nomem.nlp_parsed:,} of {nomem.nlp_texts:,} item texts) in {nomem_s:.1f} s"
        )

        import spacy

        nlp = spacy.load(model_name())
        t = time.perf_counter()
        tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))
        full_s = time.perf_counter() - t
        print(
            f"full spaCy pipeline ({model_name()}: {', '.join(nlp.pipe_names)}) over the same {chars:,} characters "
            f"({tokens:,} tokens) in {full_s:.1f} s = {chars / full_s:,.0f} chars/s"
        )
        ratio = (stats.characters / score_s) / (chars / full_s)
        print(
            f"ratio score / full pipeline: {ratio:.2f}x (target >= 3x); with no parses remembered: "
            f"{(nomem.characters / nomem_s) / (chars / full_s):.2f}x; peak RSS of the whole run {_peak_mib():.0f} MiB"
        )
        con.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
