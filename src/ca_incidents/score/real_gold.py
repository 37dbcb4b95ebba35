"""Real-text gold data, kept by reference: the project stores where a unit of real report text is and a hash of
it, with its labels, never the text itself (as bugbug keeps labels by bug id).

A *unit* is one action item or one root-cause passage of a real incident report. Its reference is the page URL,
the bug id and comment number where known, its ordinal among units of its kind there, and the sha256 of its
normalised text. The text is recovered at evaluation time from a harvested corpus (the comment is searched for
a span whose normalised text has that hash) or, during development, from a folder of collected texts
(``collect-*.jsonl`` files, git-ignored).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

KINDS = {"action_item": "action_items", "root_cause": "root_causes"}
LABELS = {"action_item": ("vague", "has_timebound"), "root_cause": ("restated", "human_error_only")}
REF_COLUMNS = ("ref_id", "url", "bug_id", "comment", "ordinal", "ca_owner", "year", "era", "sha256", "n_chars")
SPLITS = ("dev", "test")
# collected records: development batches, and held-out batches whose records say ``"split": "test"``
RECORD_FILES = ("collect-*.jsonl", "holdout-*.jsonl")
SECOND_PASS_SHARE = 0.35  # of the dev units; every held-out unit gets a second pass
_QUOTED = re.compile(r"['\"‘“][^'\"’”]{3,}['\"’”]")  # notes keep no quoted report text
_MARKUP = re.compile(r"[*`]+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def default_dir() -> Path:
    """The shipped real-text references (``src/ca_incidents/data/gold/real``)."""
    return Path(str(resources.files("ca_incidents.data"))) / "gold" / "real"


def normalise(text: str) -> str:
    """The form that is hashed: NFKC, straight quotes, no Markdown emphasis or code marks, single spaces.

    Rendered bug pages drop the Markdown that the raw comment keeps; both normalise to the same string.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(_MARKUP.sub("", text).split())


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def _bucket(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % 100


@dataclass(frozen=True)
class Reference:
    """One labelled unit of real text, by reference."""

    ref_id: str
    kind: str
    url: str
    bug_id: int | None
    comment: int | None
    ordinal: int
    ca_owner: str
    year: int | None
    era: str
    sha256: str
    n_chars: int
    split: str
    labels: dict[str, int]
    note: str = ""


@dataclass(frozen=True)
class Unit:
    """A reference with its text recovered (never written to the repository)."""

    ref: Reference
    text: str
    due_text: str = ""
    status: str = ""
    incident_title: str = ""


@dataclass
class Resolution:
    """What a resolver found: the units, and the references it could not find (with why)."""

    units: list[Unit] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)


# ---- building the committed files from collected records ------------------------------------------------------
def _bool(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if str(value).strip().lower() in ("1", "true", "yes"):
        return 1
    if str(value).strip().lower() in ("0", "false", "no", ""):
        return 0
    raise ValueError(f"not a boolean label: {value!r}")


def read_collected(folder: Path) -> list[dict]:
    """Every record of the ``collect-*.jsonl`` and ``holdout-*.jsonl`` files in ``folder``; a malformed line is
    an error naming it."""
    records = []
    for path in sorted(p for pattern in RECORD_FILES for p in folder.glob(pattern)):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
            if rec.get("kind") not in KINDS or not str(rec.get("text", "")).strip():
                raise ValueError(f"{path}:{n}: needs kind in {sorted(KINDS)} and a non-empty text")
            if rec.get("split", "dev") not in SPLITS:
                raise ValueError(f"{path}:{n}: split must be one of {SPLITS}, not {rec.get('split')!r}")
            records.append(rec)
    return records


def references_from_records(records: Iterable[dict]) -> list[Reference]:
    """References for collected records: duplicates (same kind and text) are kept once. The split is the one the
    record's batch was collected for (``dev`` unless it says ``test``): a held-out batch is collected after the
    detectors are frozen, from reports no earlier batch took, so all units of one report fall on the same side."""
    seen: set[tuple[str, str]] = set()
    out = []
    for rec in records:
        sha = text_sha256(rec["text"])
        if (rec["kind"], sha) in seen:
            continue
        seen.add((rec["kind"], sha))
        bug = int(rec["bug_id"]) if rec.get("bug_id") not in (None, "") else None
        labels = {name: _bool(rec["labels"][name]) for name in LABELS[rec["kind"]]}
        out.append(
            Reference(
                ref_id=("RA-" if rec["kind"] == "action_item" else "RR-") + sha[:10],
                kind=rec["kind"],
                url=rec["url"],
                bug_id=bug,
                comment=int(rec["comment"]) if rec.get("comment") not in (None, "") else None,
                ordinal=int(rec.get("ordinal") or 1),
                ca_owner=_owner(str(rec.get("ca", ""))),
                year=int(rec["year"]) if rec.get("year") not in (None, "") else None,
                era=str(rec.get("era", "")),
                sha256=sha,
                n_chars=len(normalise(rec["text"])),
                split=str(rec.get("split", "dev")),
                labels=labels,
                note=_QUOTED.sub("'…'", " ".join(str(rec.get("note", "")).split())),
            )
        )
    return out


def _owner(name: str) -> str:
    """The canonical CA owner, resolved as the corpus stage resolves a bug summary's prefix."""
    from ca_incidents.corpus import parse_ca_owner

    return parse_ca_owner(f"{name.strip()}: unit").owner or name.strip()


def second_pass_sample(refs: Sequence[Reference], share: float = SECOND_PASS_SHARE) -> list[Reference]:
    """The references a second, independent labelling pass covers: every held-out unit, and a fixed pseudo-random
    ``share`` of the dev units by hash of the id, so adding units later never changes whether one is in it."""
    return [r for r in refs if r.split == "test" or _bucket(r.ref_id) < round(100 * share)]


def write_references(refs: Sequence[Reference], out_dir: Path) -> dict[str, int]:
    """``action_items.csv`` and ``root_causes.csv``: references, split, labeller A's labels and a note."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind, stem in KINDS.items():
        rows = sorted((r for r in refs if r.kind == kind), key=lambda r: r.ref_id)
        with (out_dir / f"{stem}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow([*REF_COLUMNS, "split", *LABELS[kind], "note"])
            for r in rows:
                w.writerow(
                    [r.ref_id, r.url, r.bug_id or "", "" if r.comment is None else r.comment, r.ordinal, r.ca_owner,
                     r.year or "", r.era, r.sha256, r.n_chars, r.split, *(r.labels[n] for n in LABELS[kind]), r.note]
                )  # fmt: skip
        counts[stem] = len(rows)
    return counts


def second_pass_files(
    refs: Sequence[Reference], records: Sequence[dict], folder: Path, out_dir: Path
) -> tuple[int, int]:
    """Keep the second pass in step with the references: write ``second-pass-todo.jsonl`` in the (git-ignored)
    texts folder with the sampled units that pass B has not labelled yet (text and cells, no labels), and turn
    pass B's ``labels-b*.jsonl`` records (``{"ref_id", "labels"}``) into the ``*_labels_b.csv`` files.
    Returns (units labelled by pass B, units still to label)."""
    done: dict[str, dict[str, int]] = {}
    for path in sorted(folder.glob("labels-b*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rec = json.loads(line)
                    done[rec["ref_id"]] = rec["labels"]
                except (json.JSONDecodeError, KeyError) as exc:
                    raise ValueError(f"{path}:{n}: expected {{'ref_id': ..., 'labels': {{...}}}}") from exc
    known = {r.ref_id: r for r in refs}
    for kind, stem in KINDS.items():
        rows = sorted((i, labels) for i, labels in done.items() if i in known and known[i].kind == kind)
        with (out_dir / f"{stem}_labels_b.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["ref_id", *LABELS[kind]])
            w.writerows([i, *(_bool(labels[n]) for n in LABELS[kind])] for i, labels in rows)
    texts = {(r["kind"], text_sha256(r["text"])): r for r in records}
    todo = [r for r in second_pass_sample(refs) if r.ref_id not in done]
    with (folder / "second-pass-todo.jsonl").open("w", encoding="utf-8") as fh:
        for r in todo:
            rec = texts[(r.kind, r.sha256)]
            unit = {"ref_id": r.ref_id, "kind": r.kind, "text": rec["text"], "due_text": rec.get("due_text", ""),
                    "status": rec.get("status", ""), "incident_title": rec.get("incident_title", "")}  # fmt: skip
            fh.write(json.dumps(unit, ensure_ascii=False) + "\n")
    return sum(1 for i in done if i in known), len(todo)


def load_references(gold_dir: Path | None = None, labeller: str = "a") -> list[Reference]:
    """The shipped references with labeller ``a``'s labels (in the main files) or ``b``'s (second-pass files,
    only the references that pass labelled)."""
    gold_dir = gold_dir or default_dir()
    out = []
    for kind, stem in KINDS.items():
        path = gold_dir / f"{stem}.csv"
        if not path.exists():
            continue
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        second: dict[str, dict[str, str]] | None = None
        if labeller != "a":
            bpath = gold_dir / f"{stem}_labels_{labeller}.csv"
            second = {r["ref_id"]: r for r in csv.DictReader(bpath.open(encoding="utf-8"))} if bpath.exists() else {}
        for row in rows:
            source = row if second is None else second.get(row["ref_id"])
            if source is None:
                continue
            out.append(
                Reference(
                    ref_id=row["ref_id"],
                    kind=kind,
                    url=row["url"],
                    bug_id=int(row["bug_id"]) if row["bug_id"] else None,
                    comment=int(row["comment"]) if row["comment"] else None,
                    ordinal=int(row["ordinal"]),
                    ca_owner=row["ca_owner"],
                    year=int(row["year"]) if row["year"] else None,
                    era=row["era"],
                    sha256=row["sha256"],
                    n_chars=int(row["n_chars"]),
                    split=row["split"],
                    labels={n: _bool(source[n]) for n in LABELS[kind]},
                    note=row.get("note", ""),
                )
            )
    return out


# ---- resolving references to text ------------------------------------------------------------------------------
def resolve_from_texts(refs: Sequence[Reference], folder: Path) -> Resolution:
    """Units whose text is in a folder of collected records (development; the folder is git-ignored)."""
    by_sha: dict[tuple[str, str], dict] = {}
    for rec in read_collected(folder):
        by_sha.setdefault((rec["kind"], text_sha256(rec["text"])), rec)
    res = Resolution()
    for ref in refs:
        rec = by_sha.get((ref.kind, ref.sha256))
        if rec is None:
            res.missing[ref.ref_id] = "no collected record has this text hash"
            continue
        res.units.append(
            Unit(ref, rec["text"], rec.get("due_text") or "", rec.get("status") or "", rec.get("incident_title") or "")
        )
    return res


def find_span(haystack: str, sha: str, n_chars: int) -> tuple[int, int] | None:
    """The span of ``haystack`` whose normalised text has hash ``sha`` (and ``n_chars`` normalised characters).

    Candidate spans start at a word and end where the normalised text reaches ``n_chars``; the search is linear
    in the number of words, which keeps resolving a whole corpus fast.
    """
    starts = [m.start() for m in re.finditer(r"\S+", haystack)]
    for s in starts:
        end = _end_for_length(haystack, s, n_chars)
        if end is not None and text_sha256(haystack[s:end]) == sha:
            return s, end
    return None


def _end_for_length(text: str, start: int, n_chars: int) -> int | None:
    """The end offset at which ``normalise(text[start:end])`` first has ``n_chars`` characters, if any."""
    lo, hi = start, min(len(text), start + 4 * n_chars + 64)
    if len(normalise(text[start:hi])) < n_chars:
        return None
    while lo < hi:  # normalised length grows monotonically with the end offset
        mid = (lo + hi) // 2
        if len(normalise(text[start:mid])) < n_chars:
            lo = mid + 1
        else:
            hi = mid
    return lo


def resolve_from_corpus(refs: Sequence[Reference], con: object) -> Resolution:
    """Units found in a harvested and parsed corpus: the referenced comment (or, without a number, every comment of
    the bug) is searched for the hashed text; an action item takes its Due Date and Status cells from the parse
    stage's stored parse (``ValueError`` naming `ca-incidents parse` when the corpus has not been parsed)."""
    import duckdb

    from ca_incidents.score.stored import StaleParse, stored_parses

    res = Resolution()
    for ref in refs:
        if ref.bug_id is None:
            res.missing[ref.ref_id] = "list post, not a bug: resolve it from collected texts"
            continue
        rows = con.execute(  # type: ignore[attr-defined]
            "SELECT c.id, c.raw_text, b.summary FROM comments c JOIN bugs b ON b.id = c.bug_id "
            "WHERE c.bug_id = ? AND (? IS NULL OR c.count = ?) ORDER BY c.count",
            [ref.bug_id, ref.comment, ref.comment],
        ).fetchall()
        if not rows:
            res.missing[ref.ref_id] = f"bug {ref.bug_id} comment {ref.comment} is not in the corpus"
            continue
        try:
            reports = con.execute(  # type: ignore[attr-defined]
                "SELECT comment_id FROM reports WHERE comment_id IN (SELECT unnest(?::BIGINT[]))",
                [[r[0] for r in rows]],
            ).fetchall()
            parses = stored_parses(con, [r[0] for r in reports])  # type: ignore[arg-type]
        except (StaleParse, duckdb.CatalogException) as exc:
            raise ValueError(f"the corpus has no current parse: run `ca-incidents parse` first ({exc})") from exc
        unit = _find_unit(ref, rows, parses)
        if unit is None:
            res.missing[ref.ref_id] = "the text hash matches no span of the comment (edited or differently rendered?)"
        else:
            res.units.append(unit)
    return res


def _find_unit(ref: Reference, rows: Sequence[tuple], parses: dict) -> Unit | None:  # type: ignore[type-arg]
    for cid, raw, summary in rows:
        title = summary.split(":", 1)[1].strip() if ":" in (summary or "") else summary or ""
        stored = parses.get(cid)
        if ref.kind == "action_item" and stored is not None:
            for item in stored.parsed.action_items:
                if text_sha256(item.text) == ref.sha256:
                    return Unit(ref, item.text, item.due_text or "", item.status or "", title)
        if span := find_span(raw or "", ref.sha256, ref.n_chars):
            return Unit(ref, raw[span[0] : span[1]], incident_title=title)
    return None
