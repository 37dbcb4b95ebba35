"""Parser accuracy against the gold set (``src/ca_incidents/data/gold/parser/<split>/NAME.md`` + ``NAME.json``).

Metrics follow the gold-set contract: sections and timestamps are micro P/R/F1 over per-report multisets,
action items match one-to-one when the gold text is contained in the predicted text, due dates are the
accuracy over matched items, era and report type are plain accuracy.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ca_incidents.parse.report import lint_document

GOLD_DIR = Path(str(resources.files("ca_incidents.data"))) / "gold" / "parser"


@dataclass
class Score:
    """Counts behind one metric row."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    correct: int = 0
    total: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class ItemDetails:
    """One report's action-item mismatches: gold items no prediction contains, and unmatched predictions."""

    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)


@dataclass
class Evaluation:
    """Per-field scores plus per-document mistakes for debugging."""

    documents: int = 0
    scores: dict[str, Score] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    item_details: dict[str, ItemDetails] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for name, s in self.scores.items():
            if name in ("era", "report_type", "due_dates", "action_kind", "action_status"):
                out.append({"field": name, "accuracy": round(s.accuracy, 4), "n": s.total})
            else:
                out.append(
                    {
                        "field": name,
                        "precision": round(s.precision, 4),
                        "recall": round(s.recall, 4),
                        "f1": round(s.f1, 4),
                        "n": s.tp + s.fn,
                    }
                )
        return out


def _norm(text: str | None) -> str:
    t = re.sub(r"[*_`]", "", (text or "").lower())
    return re.sub(r"\s+", " ", t).strip()


def _norm_ts(value: str | None) -> str:
    """Canonical timestamp string: ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM`` or ``...Z``."""
    if not value:
        return ""
    v = value.strip().replace(" ", "T")
    zone = v.endswith("Z") or v.endswith("+00:00")
    v = v.removesuffix("Z").removesuffix("+00:00")
    try:
        if "T" in v:
            d = datetime.fromisoformat(v)
            return d.strftime("%Y-%m-%dT%H:%M") + ("Z" if zone else "")
        return datetime.fromisoformat(v).strftime("%Y-%m-%d")
    except ValueError:
        return value


def _multiset(score: Score, gold: list[str], pred: list[str]) -> list[str]:
    g, p = Counter(gold), Counter(pred)
    both = g & p
    score.tp += sum(both.values())
    score.fp += sum((p - g).values())
    score.fn += sum((g - p).values())
    return [f"-{k}" for k in (g - p).elements()] + [f"+{k}" for k in (p - g).elements()]


def _match_items(gold: list[dict], pred: list[dict]) -> list[tuple[dict, dict]]:
    used: set[int] = set()
    pairs = []
    for g in gold:
        gt = _norm(g.get("text"))
        for i, p in enumerate(pred):
            if i not in used and gt and gt in _norm(p.get("text")):
                used.add(i)
                pairs.append((g, p))
                break
    return pairs


def _posted(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def evaluate_documents(docs: list[tuple[str, str, dict[str, Any]]]) -> Evaluation:
    """Score (name, markdown, gold) triples."""
    ev = Evaluation()
    names = (
        "sections",
        "action_items",
        "due_dates",
        "timeline",
        "era",
        "report_type",
        "root_causes",
        "action_kind",
        "action_status",
    )
    ev.scores = {n: Score() for n in names}
    for name, text, gold in docs:
        ev.documents += 1
        out = lint_document(text, _posted(gold.get("posted_at")))
        errs: list[str] = []
        errs += _multiset(ev.scores["sections"], gold.get("sections", []), [s["name"] for s in out["sections"]])
        gts = [_norm_ts(t["timestamp"]) for t in gold.get("timeline", [])]
        errs += _multiset(ev.scores["timeline"], gts, [_norm_ts(t["timestamp"]) for t in out["timeline"]])
        if gold.get("root_causes") is not None:
            rc = ev.scores["root_causes"]
            pairs = _match_items(
                [{"text": t} for t in gold["root_causes"]],
                [{"text": r["title"] + " " + r.get("description", "")} for r in out["root_causes"]],
            )
            rc.tp += len(pairs)
            rc.fn += len(gold["root_causes"]) - len(pairs)
            rc.fp += len(out["root_causes"]) - len(pairs)
        gold_items = gold.get("action_items", [])
        pairs = _match_items(gold_items, out["action_items"])
        ai = ev.scores["action_items"]
        ai.tp += len(pairs)
        ai.fn += len(gold_items) - len(pairs)
        ai.fp += len(out["action_items"]) - len(pairs)
        matched = {id(g) for g, _ in pairs}
        used = {id(p) for _, p in pairs}
        details = ItemDetails(
            missed=[g["text"] for g in gold_items if id(g) not in matched],
            spurious=[p["text"] for p in out["action_items"] if id(p) not in used],
        )
        if details.missed or details.spurious:
            ev.item_details[name] = details
        errs += [f"missed item: {t}" for t in details.missed]
        if details.spurious:
            errs.append(f"extra items: {len(details.spurious)}")
        for g, p in pairs:
            for key, metric in (
                ("due_date", "due_dates"),
                ("kind", "action_kind"),
                ("status", "action_status"),
            ):
                s = ev.scores[metric]
                s.total += 1
                if (g.get(key) or None) == (p.get(key) or None):
                    s.correct += 1
                else:
                    errs.append(f"{key} of '{g['text']}': gold {g.get(key)} got {p.get(key)}")
        for key in ("era", "report_type"):
            s = ev.scores[key]
            s.total += 1
            if gold.get(key) == out.get(key):
                s.correct += 1
            else:
                errs.append(f"{key}: gold {gold.get(key)} got {out.get(key)}")
        if errs:
            ev.errors[name] = errs
    return ev


def load_split(split: str, gold_dir: Path | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """The (name, markdown, gold) triples of a gold split, sorted by name."""
    folder = (gold_dir or GOLD_DIR) / split
    if not folder.is_dir():
        raise FileNotFoundError(f"no gold split at {folder}")
    docs = []
    for md in sorted(folder.glob("*.md")):
        js = md.with_suffix(".json")
        if js.exists():
            docs.append((md.stem, md.read_text(encoding="utf-8"), json.loads(js.read_text(encoding="utf-8"))))
    return docs


def evaluate_parser(split: str = "dev", gold_dir: Path | None = None) -> Evaluation:
    """Evaluate the parser on one gold split."""
    return evaluate_documents(load_split(split, gold_dir))
