"""The four item-level quality judgements, shared by the detectors and ``evaluate quality``.

Only action-item cells and root-cause passages go through spaCy (in batches), never a whole report: that
is what keeps scoring several times faster than running the full pipeline over the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ca_incidents.score import learned
from ca_incidents.score.features import action_features, decisive_vague, root_cause_features, vague_evidence
from ca_incidents.score.timebound import is_timebound

if TYPE_CHECKING:
    from spacy.language import Language

    from ca_incidents.score.nlp import DocCache

_BATCH = 256
# a passage naming more mechanism cues than this explains something: not a restatement whatever the model's
# score, and not a bare slip either
MAX_MECHANISM_CUES = 2


@dataclass(frozen=True)
class ActionInput:
    """What the vague/timebound judgements may look at (guidelines §0: the item alone)."""

    text: str
    due_text: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class ActionVerdict:
    vague: bool
    vague_probability: float
    timebound: bool
    vague_decisive: bool = False  # settled by a guideline clause, not by the model's probability
    vague_evidence: str = ""  # the generic verb and object found, and what is missing


@dataclass(frozen=True)
class RootCauseVerdict:
    restated: bool
    restated_probability: float
    human_error_only: bool
    human_error_probability: float
    human_error_decisive: bool = False  # settled by the guideline's definition, not by the model


def classify_actions(
    items: Sequence[ActionInput], nlp: Language | DocCache, models: dict[str, learned.LinearModel] | None = None
) -> list[ActionVerdict]:
    """Vague (decisive guideline cues, else the learned model) and time-bound, per item (``models``: other
    weights than the shipped ones, for cross-validation)."""
    models = models or learned.load()
    out = []
    for item, doc in zip(items, nlp.pipe((i.text for i in items), batch_size=_BATCH), strict=True):
        feats = action_features(doc)
        p = models["vague"].probability(feats)
        decisive = decisive_vague(feats)
        vague = decisive or p >= models["vague"].threshold
        evidence = vague_evidence(doc) if vague else ""
        out.append(ActionVerdict(vague, p, is_timebound(item.text, item.due_text), decisive, evidence))
    return out


def classify_root_causes(
    items: Sequence[tuple[str, str]], nlp: Language | DocCache, models: dict[str, learned.LinearModel] | None = None
) -> list[RootCauseVerdict]:
    """Restated and human-error-only, per (root-cause passage, incident summary) pair.

    Blaming a person is a (poor) reason, so a human-error-only cause is never also a restatement (R6).
    """
    models = models or learned.load()
    out = []
    for (_, summary), doc in zip(items, nlp.pipe((t for t, _ in items), batch_size=_BATCH), strict=True):
        feats = root_cause_features(doc, summary)
        p_human = models["human_error"].probability(feats)
        p_restated = models["restated"].probability(feats)
        # the guideline's definitions settle clear cases: a person's slip with no systemic factor named, and the
        # "the root cause was that <outcome>" formula with no mechanism; the model decides the rest, but a named
        # systemic factor (a missing control, a tool's gap) always rules out "human error only"
        decisive = bool(feats["human_no_systemic"]) and feats["mechanism_cues"] <= MAX_MECHANISM_CUES
        human = decisive or (p_human >= models["human_error"].threshold and not feats["systemic"])
        model_says = p_restated >= models["restated"].threshold and feats["mechanism_cues"] <= MAX_MECHANISM_CUES
        restated = not human and (bool(feats["textbook_restatement"]) or model_says)
        out.append(RootCauseVerdict(restated, p_restated, human, p_human, decisive))
    return out
