"""Specificity features of action items: what counts as a concrete noun (a thing one could point at)."""

from __future__ import annotations

import pytest

from ca_incidents.score.features import action_features
from ca_incidents.score.nlp import load


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load()


def test_a_date_is_not_a_concrete_noun(nlp) -> None:  # type: ignore[no-untyped-def]
    dated = action_features(nlp("3/Nov/31 - we noted the matter and took measures."))
    assert dated["concrete_nouns"] == 0
    assert dated["no_anchor"] == 1


@pytest.mark.parametrize("noun", ["observations", "precautions", "findings", "countermeasures"])
def test_commentary_nouns_are_not_concrete(nlp, noun: str) -> None:  # type: ignore[no-untyped-def]
    assert action_features(nlp(f"We are addressing the {noun} from last time."))["concrete_nouns"] == 0


def test_a_named_mechanism_stays_concrete(nlp) -> None:  # type: ignore[no-untyped-def]
    f = action_features(nlp("3/Nov/31 - we added a CAA lint to the issuance pipeline."))
    assert f["concrete_nouns"] >= 1
    assert f["no_anchor"] == 0


def test_a_single_class_training_set_is_a_clear_error() -> None:
    from ca_incidents.score import learned

    with pytest.raises(ValueError, match=r"restated-root-cause: .*same label"):
        learned.fit([[0.0], [1.0]], [0, 0], ("x",), name="restated-root-cause")
