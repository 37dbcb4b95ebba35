"""``ca-incidents evaluate quality``: precision, recall and F1 of the four NLP detectors on the gold set.

Intervals are percentile bootstraps over items with a fixed seed, so the printout is reproducible. The
models are trained on the dev split only (:func:`train`); the test split is read here and nowhere else.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from ca_incidents.score.quality import ActionInput, classify_actions, classify_root_causes

DEFAULT_GOLD = Path(str(resources.files("ca_incidents.data"))) / "gold" / "own"
BOOTSTRAP = 1000
SEED = 20261101
# detector -> (file stem, label column, value that makes the item positive for the detector)
DETECTORS = {
    "vague-action": ("action_items", "vague", 1),
    "missing-timebound": ("action_items", "timebound", 0),
    "restated-root-cause": ("root_causes", "restated", 1),
    "human-error-root-cause": ("root_causes", "human_error_only", 1),
}
_KEYWORDS = {
    "vague-action": re.compile(
        r"\b(?:improve|enhance|strengthen|ensure|training|train|remind|review|monitor|"
        r"where possible|as appropriate|processes)\b",
        re.I,
    ),
    "restated-root-cause": re.compile(r"\bbecause\b|\bdue to\b|\bsince\b|\bas a result\b", re.I),
    "human-error-root-cause": re.compile(
        r"\bhuman error\b|\bmistake\b|\boversight\b|\btraining\b|\bforgot\b|"
        r"\bdid not follow\b",
        re.I,
    ),
}
_NOT_DATES = re.compile(r"^\s*(?:|tbd|asap|ongoing|soon|n/?a|none|pending)\s*$", re.I)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


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


def load_gold(gold_dir: Path, stem: str, split: str | None, labeller: str = "a") -> pd.DataFrame:
    """Items of one file joined with one labeller's labels (``split=None``: every split)."""
    items = pd.read_csv(gold_dir / f"{stem}.csv", dtype=str, keep_default_na=False)
    labels = pd.read_csv(gold_dir / f"{stem}_labels_{labeller}.csv", dtype=str, keep_default_na=False)
    if split is not None:
        items = items[items["split"] == split]
    return items.merge(labels, on="id", how="inner")


def _action_inputs(df: pd.DataFrame) -> list[ActionInput]:
    return [ActionInput(r.text, r.due_text or None, r.status or None, r.in_closure == "1") for r in df.itertuples()]


def predict(detector: str, df: pd.DataFrame, nlp: object) -> list[int]:
    """The shipped detector's decision per gold item."""
    if detector in ("vague-action", "missing-timebound"):
        verdicts = classify_actions(_action_inputs(df), nlp)  # type: ignore[arg-type]
        if detector == "vague-action":
            return [int(v.vague) for v in verdicts]
        return [int(not v.timebound) for v in verdicts]
    rc = classify_root_causes(list(zip(df["text"], df["incident_summary"], strict=True)), nlp)  # type: ignore[arg-type]
    return [int(v.restated if detector == "restated-root-cause" else v.human_error_only) for v in rc]


def keyword_baseline(detector: str, df: pd.DataFrame) -> list[int]:
    """One keyword list per detector (the obvious thing a reviewer would grep for)."""
    if detector == "missing-timebound":
        return [int(bool(_NOT_DATES.match(r.due_text)) and r.in_closure != "1") for r in df.itertuples()]
    hits = [bool(_KEYWORDS[detector].search(t)) for t in df["text"]]
    return [int(not h) if detector == "restated-root-cause" else int(h) for h in hits]


def gold_labels(detector: str, df: pd.DataFrame) -> list[int]:
    _, column, positive = DETECTORS[detector]
    return [int(int(v) == positive) for v in df[column]]


def train(gold_dir: Path = DEFAULT_GOLD, nlp: object = None, out: Path | None = None) -> dict[str, learned.LinearModel]:
    """Fit the three linear models on the dev split and write them to the package's weights file."""
    actions = load_gold(gold_dir, "action_items", "dev")
    causes = load_gold(gold_dir, "root_causes", "dev")
    a_docs = list(nlp.pipe(actions["text"]))  # type: ignore[attr-defined]
    r_docs = list(nlp.pipe(causes["text"]))  # type: ignore[attr-defined]
    xa = [vector(action_features(d), ACTION_FEATURES) for d in a_docs]
    xr = [
        vector(root_cause_features(d, s), ROOT_CAUSE_FEATURES)
        for d, s in zip(r_docs, causes["incident_summary"], strict=True)
    ]
    models = {
        "vague": learned.fit(xa, gold_labels("vague-action", actions), ACTION_FEATURES),
        "restated": learned.fit(xr, gold_labels("restated-root-cause", causes), ROOT_CAUSE_FEATURES),
        "human_error": learned.fit(xr, gold_labels("human-error-root-cause", causes), ROOT_CAUSE_FEATURES),
    }
    learned.save(
        models,
        out or learned.packaged_path(),
        trained_on=f"dev split of {gold_dir.name}: {len(actions)} action items, {len(causes)} root causes",
    )
    learned.load.cache_clear()
    return models


def kappas(gold_dir: Path) -> list[tuple[str, int, float]]:
    """Cohen's kappa between labeller A and B per label, on the items B labelled (empty without B)."""
    from sklearn.metrics import cohen_kappa_score

    out = []
    for stem, columns in (("action_items", ("vague", "timebound")), ("root_causes", ("restated", "human_error_only"))):
        if not (gold_dir / f"{stem}_labels_b.csv").exists():
            continue
        a = pd.read_csv(gold_dir / f"{stem}_labels_a.csv", dtype=str)
        b = pd.read_csv(gold_dir / f"{stem}_labels_b.csv", dtype=str)
        both = a.merge(b, on="id", suffixes=("_a", "_b"))
        for col in columns:
            out.append((f"{stem}.{col}", len(both), float(cohen_kappa_score(both[f"{col}_a"], both[f"{col}_b"]))))
    return out


def _fmt(s: Scores, ci: list[tuple[float, float]]) -> str:
    return "  ".join(
        f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, (lo, hi) in zip((s.precision, s.recall, s.f1), ci, strict=True)
    )


def report(gold_dir: Path, split: str, nlp: object, echo: Callable[[str], None] = print) -> dict[str, float]:
    """Print the evaluation table; return the detectors' F1 (for tests and the closing note)."""
    f1s: dict[str, float] = {}
    echo(
        f"Quality detectors on the {split} split of {gold_dir} (bootstrap 95% intervals, {BOOTSTRAP} resamples, "
        f"seed {SEED})"
    )
    echo(f"{'detector':24} {'system':9} {'n':>4}  {'precision':22}  {'recall':22}  {'F1':22}")
    for detector, (stem, column, positive) in DETECTORS.items():
        df = load_gold(gold_dir, stem, split)
        dev = load_gold(gold_dir, stem, "dev")
        gold = gold_labels(detector, df)
        majority = int((dev[column].astype(int) == positive).mean() >= 0.5)
        systems = {
            "model": predict(detector, df, nlp),
            "keyword": keyword_baseline(detector, df),
            "majority": [majority] * len(df),
        }
        for name, pred in systems.items():
            s = prf(gold, pred)
            echo(f"{detector:24} {name:9} {len(df):4}  {_fmt(s, bootstrap(gold, pred))}")
            if name == "model":
                f1s[detector] = s.f1
    for label, n, kappa in kappas(gold_dir):
        echo(f"Cohen's kappa (labeller A vs B) {label:32} n={n:3}  kappa={kappa:.3f}")
    if not kappas(gold_dir):
        echo("Cohen's kappa: no second labelling pass (*_labels_b.csv) found")
    return f1s
