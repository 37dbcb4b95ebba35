"""``ca-incidents evaluate quality``: precision, recall and F1 of the four NLP detectors, on two kinds of text.

- **own-words**: the gold set written for this project (``data/gold/own``), split into dev and test;
- **real**: units of real incident reports, kept by reference (``data/gold/real``) and resolved to text from a
  harvested corpus or a folder of collected texts (:mod:`ca_incidents.score.real_gold`).

Every unit goes through the path ``lint`` takes (a one-unit document, parsed, then scored): a detector's
decision is whether its rule fired on the unit. Intervals are percentile bootstraps over units with a fixed
seed, so the printout is reproducible. The learned models are fitted on the dev splits only; the test splits
are read for measurement and nowhere else.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from ca_incidents.score import learned
from ca_incidents.score.features import (
    ACTION_FEATURES,
    ROOT_CAUSE_FEATURES,
    action_features,
    root_cause_features,
    vector,
)
from ca_incidents.score.nlp import DocCache
from ca_incidents.score.real_gold import LABELS, Resolution
from ca_incidents.score.unit_documents import UnitDocument, action_item_document, fired, root_cause_document

DEFAULT_GOLD = Path(str(resources.files("ca_incidents.data"))) / "gold" / "own"
BOOTSTRAP = 1000
SEED = 20261101
# detector -> (unit kind, label, label value that makes the unit positive for the detector)
DETECTORS = {
    "vague-action": ("action_item", "vague", 1),
    "missing-timebound": ("action_item", "has_timebound", 0),
    "restated-root-cause": ("root_cause", "restated", 1),
    "human-error-root-cause": ("root_cause", "human_error_only", 1),
}
_OWN_COLUMNS = {"timebound": "has_timebound"}  # own-words label files predate the real-text names


@dataclass(frozen=True)
class EvalUnit:
    """One labelled unit, whatever set it comes from."""

    kind: str
    ref_id: str
    text: str
    labels: dict[str, int]
    split: str
    due_text: str = ""
    status: str = ""
    title: str = ""  # the incident the root cause explains (bug title or the set's incident summary)
    era: str = ""
    ca_owner: str = ""
    year: int | None = None

    def document(self) -> UnitDocument:
        if self.kind == "action_item":
            return action_item_document(self.text, self.due_text, self.status)
        return root_cause_document(self.text, self.title)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


@dataclass
class Measurement:
    """One detector on one set: the gold and predicted decisions, their scores and intervals."""

    gold: list[int]
    predicted: list[int]
    scores: Scores = field(init=False)
    intervals: list[tuple[float, float]] = field(init=False)

    def __post_init__(self) -> None:
        self.scores = prf(self.gold, self.predicted)
        self.intervals = bootstrap(self.gold, self.predicted) if self.gold else [(0.0, 0.0)] * 3

    @property
    def defined(self) -> bool:
        """F1 means something only when the set has a positive unit or the detector fired."""
        return any(self.gold) or any(self.predicted)

    def __str__(self) -> str:
        (lo, hi), s = self.intervals[2], self.scores
        if not self.defined:
            return f"F1 n/a (no positive unit, none flagged)  n={len(self.gold)}"
        return f"F1 {s.f1:.3f} [{lo:.3f}, {hi:.3f}]  P {s.precision:.3f}  R {s.recall:.3f}  n={len(self.gold)}"


def prf(gold: Sequence[int], pred: Sequence[int]) -> Scores:
    """Precision, recall and F1 of the positive class (0 where undefined)."""
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def bootstrap(
    gold: Sequence[int], pred: Sequence[int], n: int = BOOTSTRAP, seed: int = SEED
) -> list[tuple[float, float]]:
    """95% percentile intervals for (precision, recall, F1)."""
    rng = random.Random(seed)
    k = len(gold)
    samples: list[Scores] = []
    for _ in range(n):
        idx = [rng.randrange(k) for _ in range(k)]
        samples.append(prf([gold[i] for i in idx], [pred[i] for i in idx]))
    out = []
    for attr in ("precision", "recall", "f1"):
        values = sorted(getattr(s, attr) for s in samples)
        out.append((values[int(0.025 * n)], values[min(n - 1, int(0.975 * n))]))
    return out


# ---- the two sets --------------------------------------------------------------------------------------------
def own_units(gold_dir: Path = DEFAULT_GOLD, split: str | None = None, labeller: str = "a") -> list[EvalUnit]:
    """The own-words gold set as units (``split=None``: both splits)."""
    out = []
    for kind, stem in (("action_item", "action_items"), ("root_cause", "root_causes")):
        items = pd.read_csv(gold_dir / f"{stem}.csv", dtype=str, keep_default_na=False)
        labels = pd.read_csv(gold_dir / f"{stem}_labels_{labeller}.csv", dtype=str, keep_default_na=False)
        labels = labels.rename(columns=_OWN_COLUMNS)
        for r in items.merge(labels, on="id", how="inner").to_dict("records"):
            if split is not None and r["split"] != split:
                continue
            out.append(
                EvalUnit(
                    kind=kind,
                    ref_id=r["id"],
                    text=r["text"],
                    labels={n: int(r[n]) for n in LABELS[kind]},
                    split=r["split"],
                    due_text=r.get("due_text", ""),
                    status=r.get("status", ""),
                    title=r.get("incident_summary", ""),
                    era=r["era"],
                )
            )
    return out


def real_units(resolution: Resolution, split: str | None = None) -> list[EvalUnit]:
    """Resolved real-text references as units (``split=None``: both splits)."""
    return [
        EvalUnit(
            kind=u.ref.kind,
            ref_id=u.ref.ref_id,
            text=u.text,
            labels=dict(u.ref.labels),
            split=u.ref.split,
            due_text=u.due_text,
            status=u.status,
            title=u.incident_title,
            era=u.ref.era,
            ca_owner=u.ref.ca_owner,
            year=u.ref.year,
        )
        for u in resolution.units
        if split is None or u.ref.split == split
    ]


def gold_labels(detector: str, units: Sequence[EvalUnit]) -> list[int]:
    kind, label, positive = DETECTORS[detector]
    return [int(u.labels[label] == positive) for u in units if u.kind == kind]


def predict(units: Sequence[EvalUnit], cache: DocCache) -> dict[str, list[int]]:
    """Each detector's decision on each unit of its kind, through the lint path."""
    decisions = fired([u.document() for u in units], list(DETECTORS), cache)
    return {
        detector: [d[detector] for u, d in zip(units, decisions, strict=True) if u.kind == kind]
        for detector, (kind, _, _) in DETECTORS.items()
    }


def measure(units: Sequence[EvalUnit], cache: DocCache) -> dict[str, Measurement]:
    preds = predict(units, cache)
    return {d: Measurement(gold_labels(d, units), preds[d]) for d in DETECTORS}


# ---- agreement -----------------------------------------------------------------------------------------------
def kappa_pairs(first: Sequence[EvalUnit], second: Sequence[EvalUnit]) -> list[tuple[str, int, float | None]]:
    """Cohen's kappa per label between two labellings of the same units (matched by ref id)."""
    from sklearn.metrics import cohen_kappa_score

    other = {(u.kind, u.ref_id): u for u in second}
    out: list[tuple[str, int, float | None]] = []
    for kind, names in LABELS.items():
        pairs = [(u, other[(kind, u.ref_id)]) for u in first if u.kind == kind and (kind, u.ref_id) in other]
        for name in names:
            a = [p[0].labels[name] for p in pairs]
            b = [p[1].labels[name] for p in pairs]
            value = float(cohen_kappa_score(a, b)) if pairs and len(set(a) | set(b)) > 1 else None
            out.append((name, len(pairs), value))
    return out


# ---- training ------------------------------------------------------------------------------------------------
def features(units: Sequence[EvalUnit], nlp: object) -> tuple[list[list[float]], list[list[float]]]:
    """Feature vectors of the action items and of the root causes, in unit order."""
    actions = [u for u in units if u.kind == "action_item"]
    causes = [u for u in units if u.kind == "root_cause"]
    a_docs = nlp.pipe([u.text for u in actions])  # type: ignore[attr-defined]
    r_docs = nlp.pipe([u.text for u in causes])  # type: ignore[attr-defined]
    xa = [vector(action_features(d), ACTION_FEATURES) for d in a_docs]
    xr = [vector(root_cause_features(d, u.title), ROOT_CAUSE_FEATURES) for d, u in zip(r_docs, causes, strict=True)]
    return xa, xr


# the share of the training weight that real-text units carry: the detectors exist for real reports, while the
# own-words units still pin down the guideline's clear cases (0.6: dev-split leave-one-CA-out gains over 0.5,
# and own-words text holds)
REAL_STYLE_SHARE = 0.6


def style_weights(units: Sequence[EvalUnit], kind: str) -> list[float]:
    """Sample weights that give each writing style a fixed share of the total (``REAL_STYLE_SHARE`` for real
    text), so the models learn from both styles whichever happens to have more units."""
    of_kind = [u for u in units if u.kind == kind]
    real = sum(1 for u in of_kind if u.ca_owner)
    own = len(of_kind) - real
    if not real or not own:
        return [1.0] * len(of_kind)
    n = len(of_kind)
    return [n * REAL_STYLE_SHARE / real if u.ca_owner else n * (1 - REAL_STYLE_SHARE) / own for u in of_kind]


def fit_models(units: Sequence[EvalUnit], nlp: object) -> dict[str, learned.LinearModel]:
    """The three linear models fitted on these units (each style weighted equally)."""
    xa, xr = features(units, nlp)
    wa, wr = style_weights(units, "action_item"), style_weights(units, "root_cause")
    return {
        name: learned.fit(
            x, gold_labels(detector, units), names, weights, threshold=learned.THRESHOLDS[name], name=detector
        )
        for name, detector, x, names, weights in (
            ("vague", "vague-action", xa, ACTION_FEATURES, wa),
            ("restated", "restated-root-cause", xr, ROOT_CAUSE_FEATURES, wr),
            ("human_error", "human-error-root-cause", xr, ROOT_CAUSE_FEATURES, wr),
        )
    }


def train(units: Sequence[EvalUnit], nlp: object, out: Path | None = None, *, trained_on: str) -> None:
    """Fit on dev units only and write the package's weights file."""
    if any(u.split != "dev" for u in units):
        raise ValueError("train on dev units only: the test splits are for measurement")
    learned.save(fit_models(units, nlp), out or learned.packaged_path(), trained_on=trained_on)
    learned.load.cache_clear()


# ---- outcomes for the analysis stage -------------------------------------------------------------------------
def write_outcomes(units: Sequence[EvalUnit], preds: dict[str, list[int]], path: Path) -> int:
    """One row per (detector, real unit): gold and predicted decision, split, era, CA owner and year."""
    rows = []
    for detector, (kind, _, _) in DETECTORS.items():
        of_kind = [u for u in units if u.kind == kind]
        for u, g, p in zip(of_kind, gold_labels(detector, units), preds[detector], strict=True):
            rows.append([detector, u.ref_id, u.split, u.era, u.ca_owner, u.year or "", g, p])
    rows.sort(key=lambda r: (r[0], r[1]))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["detector", "ref_id", "split", "era", "ca_owner", "year", "gold", "predicted"])
        w.writerows(rows)
    return len(rows)


# ---- printing ------------------------------------------------------------------------------------------------
def side_by_side(
    results: dict[str, dict[str, Measurement]],
    echo: Callable[[str], None] = print,
) -> None:
    """One line per detector and set, each labelled with the text it was measured on."""
    echo(f"{'detector':24} {'measured on':44} F1 [95% CI]            precision  recall   n  positives")
    for detector in DETECTORS:
        for label, by_detector in results.items():
            m = by_detector[detector]
            (lo, hi), s = m.intervals[2], m.scores
            figures = (
                f"{s.f1:.3f} [{lo:.3f}, {hi:.3f}]   {s.precision:.3f}      {s.recall:.3f}"
                if m.defined
                else f"{'n/a (no positive unit)':22}   {'-':9}  {'-':6}"
            )
            echo(f"{detector:24} {label:44} {figures}   {len(m.gold):3}  {sum(m.gold)}")


# ---- the command ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QualityRequest:
    """What ``evaluate quality`` was asked to do."""

    split: str = "test"
    own: bool = True
    real: bool = True
    texts: Path | None = None  # folder of collected real texts
    data_dir: Path | None = None  # harvested corpus holding the real references
    retrain: bool = False
    write_outcomes: bool = False
    cross_style: bool = False


def resolve_real(request: QualityRequest, refs: Sequence[object]) -> tuple[Resolution, str]:
    """Resolve the real references from the corpus or the texts folder; say which was used."""
    from ca_incidents.score import real_gold

    if request.data_dir is not None:
        from ca_incidents.corpus import connect

        con = connect(request.data_dir, read_only=True)
        res = real_gold.resolve_from_corpus(refs, con)  # type: ignore[arg-type]
        if request.texts is not None and res.missing:  # list posts are not in any corpus
            extra = real_gold.resolve_from_texts([r for r in refs if r.ref_id in res.missing], request.texts)  # type: ignore[attr-defined]
            res = Resolution(res.units + extra.units, extra.missing)
        return res, f"corpus {request.data_dir}" + (f" + texts {request.texts}" if request.texts else "")
    if request.texts is not None and request.texts.is_dir():
        return real_gold.resolve_from_texts(refs, request.texts), f"collected texts in {request.texts}"  # type: ignore[arg-type]
    return Resolution(missing={r.ref_id: "no source" for r in refs}), "nothing (give --data-dir or --texts)"  # type: ignore[attr-defined]


def quality(
    request: QualityRequest, nlp: object, echo: Callable[[str], None] = print
) -> dict[str, dict[str, Measurement]]:
    """Measure (and optionally refit) the detectors; print what was measured on which text."""
    from ca_incidents.score import accuracy, real_gold

    refs = real_gold.load_references()
    resolution, source = resolve_real(request, refs) if request.real else (Resolution(), "")
    real_all = real_units(resolution)
    if request.real:
        n_cas = len({r.ca_owner for r in refs})
        echo(f"Real-text references: {len(refs)} ({n_cas} CAs); resolved {len(resolution.units)} from {source}")
        if not resolution.units:
            echo(
                "  The real-text figures need the report texts: harvest the real Bugzilla and pass --data-dir, or pass "
                "--texts with collected records. The last measured figures are in docs/quality-accuracy.md."
            )
        else:
            for ref_id, why in sorted(resolution.missing.items())[:5]:
                echo(f"  unresolved {ref_id}: {why}")
    own_dev = own_units(split="dev")
    if request.retrain:
        dev = own_dev + [u for u in real_all if u.split == "dev"]
        train(dev, nlp, trained_on=f"dev splits: {len(own_dev)} own-words units, {len(dev) - len(own_dev)} real units")
        echo(f"Refitted the models on {len(dev)} dev units ({len(dev) - len(own_dev)} real).")
    cache = DocCache(lambda: nlp)  # type: ignore[arg-type, return-value]
    results: dict[str, dict[str, Measurement]] = {}
    if request.own:
        results[f"own-words gold, {request.split} split"] = measure(own_units(split=request.split), cache)
    real_split = [u for u in real_all if u.split == request.split]
    if real_split:
        n_cas = len({u.ca_owner for u in real_split})
        results[f"real reports, {request.split} split ({n_cas} CAs)"] = measure(real_split, cache)
    side_by_side(results, echo)
    echo(f"(bootstrap 95% intervals over units, {BOOTSTRAP} resamples, seed {SEED})")
    if request.real:
        second = real_gold.load_references(labeller="b")
        for name, n, kappa in kappa_pairs(_label_units(refs), _label_units(second)):
            shown = "undefined" if kappa is None else f"{kappa:.3f}"
            echo(f"Cohen's kappa, real-text labels, pass A vs pass B: {name:17} n={n:3}  kappa={shown}")
    if request.write_outcomes and real_all:
        n = write_outcomes(real_all, predict(real_all, cache), accuracy.outcomes_path())
        echo(f"Wrote {n} outcome rows to {accuracy.outcomes_path()}")
    if request.cross_style:
        cross_style_report(own_units(), [u for u in real_all if u.split == request.split], nlp, echo)
    return results


def _label_units(refs: Sequence[object]) -> list[EvalUnit]:
    """References as text-less units, for agreement (labels need no text)."""
    return [EvalUnit(r.kind, r.ref_id, "", dict(r.labels), r.split) for r in refs]  # type: ignore[attr-defined]


# ---- cross-style validation ----------------------------------------------------------------------------------
LEARNED = {"vague-action": "vague", "restated-root-cause": "restated", "human-error-root-cause": "human_error"}


def classify(units: Sequence[EvalUnit], nlp: object, models: dict[str, learned.LinearModel]) -> dict[str, list[int]]:
    """The learned detectors' decisions on bare unit texts with the given weights (no document around them)."""
    from ca_incidents.score.quality import ActionInput, classify_actions, classify_root_causes

    actions = [u for u in units if u.kind == "action_item"]
    causes = [u for u in units if u.kind == "root_cause"]
    va = classify_actions([ActionInput(u.text, u.due_text, u.status) for u in actions], nlp, models)  # type: ignore[arg-type]
    vr = classify_root_causes([(u.text, u.title) for u in causes], nlp, models)  # type: ignore[arg-type]
    return {
        "vague-action": [int(v.vague) for v in va],
        "restated-root-cause": [int(v.restated) for v in vr],
        "human-error-root-cause": [int(v.human_error_only) for v in vr],
    }


def cross_style(
    own: Sequence[EvalUnit], real: Sequence[EvalUnit], nlp: object
) -> dict[str, dict[str, Measurement] | str]:
    """Train on one writing style and test on the other, and leave-one-CA-out on real text.

    Schemes: fit on all own-words units, test on all real units; fit on all real units, test on the own-words test
    split; and for each CA, fit on own-words dev plus the other CAs' real units and test on that CA (decisions
    pooled over CAs). Only the learned detectors take part: missing-timebound has no fitted weights. A scheme whose
    training units cannot be fitted (one label only) gives the reason instead of figures.
    """
    out: dict[str, dict[str, Measurement] | str] = {}

    def run(train_on: Sequence[EvalUnit], test_on: Sequence[EvalUnit]) -> dict[str, list[int]]:
        return classify(test_on, nlp, fit_models(train_on, nlp))

    own_test = [u for u in own if u.split == "test"]
    for label, train_on, test_on in (
        ("fit on own-words, test on real", own, real),
        ("fit on real, test on own-words test split", real, own_test),
    ):
        try:
            preds = run(train_on, test_on)
        except ValueError as exc:
            out[label] = str(exc)
            continue
        out[label] = {d: Measurement(gold_labels(d, test_on), preds[d]) for d in LEARNED}
    own_dev = [u for u in own if u.split == "dev"]
    pooled_gold: dict[str, list[int]] = {d: [] for d in LEARNED}
    pooled_pred: dict[str, list[int]] = {d: [] for d in LEARNED}
    for ca in sorted({u.ca_owner for u in real}):
        held = [u for u in real if u.ca_owner == ca]
        preds = run(own_dev + [u for u in real if u.ca_owner != ca], held)
        for d in LEARNED:
            pooled_gold[d] += gold_labels(d, held)
            pooled_pred[d] += preds[d]
    n_cas = len({u.ca_owner for u in real})
    out[f"leave-one-CA-out on real ({n_cas} CAs)"] = {d: Measurement(pooled_gold[d], pooled_pred[d]) for d in LEARNED}
    return out


def cross_style_report(
    own: Sequence[EvalUnit], real: Sequence[EvalUnit], nlp: object, echo: Callable[[str], None] = print
) -> None:
    if not real:
        echo("Cross-style validation needs resolved real units; none were resolved.")
        return
    echo("Cross-style validation (learned detectors on bare unit texts):")
    results = cross_style(own, real, nlp)
    for detector in LEARNED:
        for label, by_detector in results.items():
            figures = by_detector if isinstance(by_detector, str) else by_detector[detector]
            echo(f"  {detector:24} {label:48} {figures}")
