"""Lazy access to the spaCy pipeline: loaded on first use, never at import time."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from ca_incidents.settings import DEFAULT_SPACY_MODEL as DEFAULT_MODEL
from ca_incidents.settings import env_name, load_settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_ENV = env_name("spacy_model")


class ModelNotInstalledError(RuntimeError):
    """The configured spaCy pipeline is not installed; the message names the fix."""


def model_name(name: str | None = None) -> str:
    """The pipeline to use: the argument, else the settings' (``$CA_INCIDENTS_SPACY_MODEL`` or the pinned default)."""
    return name or load_settings().spacy_model


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


class DocCache:
    """spaCy parses of short texts, made in large batches and remembered by text (least recently used out first,
    up to ``max_chars`` characters of text).

    Action items and root causes repeat a lot across reports (boilerplate, copied tables, re-posted reports),
    and one ``nlp.pipe`` over the texts of many reports is cheaper than many small ones. A parse depends only on
    its text, so a remembered one is the parse the text would get again. ``pipe`` stands in for
    ``Language.pipe``, so the item classifiers take either.
    """

    def __init__(self, load: Callable[[], Language], max_chars: int = 500_000, batch_size: int = 256) -> None:
        self._load = load
        self._docs: OrderedDict[str, Doc] = OrderedDict()
        self._chars = 0  # characters of the remembered texts (a parse takes ~150 bytes per character)
        self._pinned: dict[str, Doc] = {}
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.requested = 0  # texts prefetched, repeats included
        self.parsed = 0  # texts sent to spaCy

    def prefetch(self, texts: Iterable[str]) -> None:
        """Parse these texts now, in one pass, and keep them at hand until the next prefetch (whatever max_chars)."""
        texts = list(texts)
        self.requested += len(texts)
        self._pinned = {}
        self._pinned = self.parse(texts)

    def parse(self, texts: Iterable[str]) -> dict[str, Doc]:
        """The parse of each distinct text: remembered ones reused, the others parsed in one batched pass."""
        out: dict[str, Doc] = {}
        missing: list[str] = []
        for text in dict.fromkeys(texts):
            doc = self._pinned.get(text)
            if doc is None:
                doc = self._docs.get(text)
            if doc is None:
                missing.append(text)
                continue
            if text in self._docs:
                self._docs.move_to_end(text)
            out[text] = doc
        if missing:
            for text, doc in zip(missing, self._load().pipe(missing, batch_size=self.batch_size), strict=True):
                out[text] = doc
                self._remember(text, doc)
            self.parsed += len(missing)
        return out

    def pipe(self, texts: Iterable[str], batch_size: int | None = None) -> Iterator[Doc]:
        """``Language.pipe`` over the cache (the batch size is this cache's own)."""
        texts = list(texts)
        docs = self.parse(texts)
        return (docs[t] for t in texts)

    def _remember(self, text: str, doc: Doc) -> None:
        if len(text) > self.max_chars:
            return
        self._docs[text] = doc
        self._chars += len(text)
        while self._chars > self.max_chars:
            self._chars -= len(self._docs.popitem(last=False)[0])
