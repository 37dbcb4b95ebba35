"""CA owner from a bug summary ("<CA Owner>: <title>"): the alias table first, then a rule for new names.

Every summary prefix is resolved one of three ways, recorded as ``source``:

* ``alias``: the prefix (or, for "A / B" and "A (B)", one of its two names) is in the reviewable alias table
  ``ca_incidents/data/ca_owner_aliases.csv`` and maps to that table's canonical owner;
* ``prefix``: the prefix is not in the table but reads as an organisation name (few words, each capitalised
  or a connector such as "de", no incident vocabulary such as "revocation" or "failure"), so it is the owner
  in its own right, tidied (spaces, quotes, a trailing legal form such as "GmbH" dropped). A live harvest
  always meets CAs the table has not heard of; `ca-incidents owners review` lists these for a human to
  confirm or alias;
* ``none``: no prefix, a known non-owner (an auditor), or a title fragment ("Failure to revoke: ...").

In "A / B" and "A (B)" the CA owner is the name the table knows (the first when it knows both; when it knows
neither, the first that reads as a name) and the other name is kept as ``brand`` (a sub-CA, brand or
reseller), unless it names the same owner.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

ALIASES_RESOURCE = "ca_owner_aliases.csv"
_COLONS = (":", "\uff1a")  # ASCII and full-width colon
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


OWNER_SOURCES = ("alias", "prefix", "none")


def _vocabulary(words: str) -> frozenset[str]:
    """A word list written as one string (easier to review than a list of quoted words)."""
    return frozenset(words.split())


# Lower-case words that may sit inside an organisation name ("Agencia Notarial de Certificacion").
_CONNECTORS = _vocabulary(
    "de del der des di do da du dos la le las los el y e i und and & of the for für van von och et per na"
)
# Words that make a prefix a title fragment, wherever they stand ("Delayed Revocation", "Failure to revoke").
_TITLE_WORDS = _vocabulary(
    """revoke revoked revoking revocation revocations failure failures failed fail failing delayed delay delays
    late misissuance mis-issuance misissued mis-issued misissue incorrect incorrectly invalid wrong missing error
    errors incident incidents bug bugs issue issues problem problems violation violations noncompliance
    non-compliance mismatch expired expiry outage disclosure disclosed unrevoked untimely inaccurate improper
    improperly insufficient lack lacking"""
)  # fmt: skip
# Words that start a title but never an owner name ("Audit findings: ...", "Re: ...", "OCSP responder: ...").
_TITLE_STARTS = _vocabulary(
    """re fwd fw fyi note notice update updates reminder question questions request meta tracking summary test
    draft proposal policy audit audits annual certificate certificates cert certs precertificate ocsp crl crls
    caa dcv ct sct ev ov dv tls ssl s/mime smime subscriber root intermediate subordinate sub-ca cps cp
    ca incomplete possible potential alleged suspected multiple some"""
)  # fmt: skip
_LEGAL_FORM = re.compile(
    r"[\s,]+(?:gmbh|ag|inc|incorporated|ltd|limited|llc|plc|corp|corporation|co\.?,?\s*ltd|s\.?a\.?s?|s\.?l\.?|"
    r"s\.?p\.?a\.?|b\.?v\.?|n\.?v\.?|a/?s|ab|oy|kk|k\.k\.|pty\.?\s*ltd|zrt|kft|s\.?r\.?o|a\.?s)\.?$",
    re.IGNORECASE,
)
_PAREN = re.compile(r"^(?P<a>[^()]+?)\s*\((?P<b>[^()]+)\)$")
_MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class OwnerMatch:
    """The CA owner (``None`` when unknown), the summary prefix as written, how the owner was found
    (``alias`` | ``prefix`` | ``none``) and the other name of an "A / B" or "A (B)" prefix."""

    owner: str | None
    raw: str | None
    source: str = "none"
    brand: str | None = None


def alias_key(text: str) -> str:
    """Matching key: Unicode-normalised, case-folded, one space, tidy slashes and apostrophes."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = re.sub(r"\s*/\s*", " / ", text)
    return " ".join(text.split())


def read_aliases(text: str) -> dict[str, str | None]:
    """Parse the alias CSV (``alias,canonical,note``; ``#`` lines are comments; empty canonical = non-owner).

    Conflicting rows for one key are an error, so a bad edit of the table fails loudly instead of silently
    depending on row order.
    """
    table: dict[str, str | None] = {}
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.lstrip().startswith("#"))
    for row in rows:
        alias = (row.get("alias") or "").strip()
        if not alias:
            continue
        canonical = (row.get("canonical") or "").strip() or None
        key = alias_key(alias)
        if key in table and table[key] != canonical:
            raise ValueError(f"alias {alias!r} maps to both {table[key]!r} and {canonical!r}")
        table[key] = canonical
    return table


@lru_cache(maxsize=4)
def load_aliases(path: Path | None = None) -> Mapping[str, str | None]:
    """The alias table shipped with the package (or another CSV file, e.g. a reviewer's draft)."""
    if path is None:
        text = resources.files("ca_incidents.data").joinpath(ALIASES_RESOURCE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return read_aliases(text)


def summary_prefix(summary: str | None) -> str | None:
    """The text before the first colon, trimmed; ``None`` when there is no colon or nothing before it."""
    if not isinstance(summary, str):
        return None
    cut = min((i for i in (summary.find(c) for c in _COLONS) if i >= 0), default=-1)
    if cut < 0:
        return None
    prefix = " ".join(summary[:cut].split())
    return prefix or None


def tidy_name(text: str) -> str:
    """An organisation name as an owner: NFKC, straight apostrophes, one space, no wrapping quotes or
    brackets, no trailing legal form ("Foo Trust GmbH" -> "Foo Trust")."""
    name = " ".join(unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).split())
    name = name.strip(" \"'*_[]{}<>-.,;\u201c\u201d\u201e\u00ab\u00bb")
    shorter = _LEGAL_FORM.sub("", name).strip(" ,")
    return shorter if shorter else name


def _word_ok(word: str) -> bool:
    """A word an organisation name may contain: capitalised, with an inner capital or digit, or a connector."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return word in {"&", "+"} or any(c.isdigit() for c in word)
    return word.casefold() in _CONNECTORS or letters[0].isupper() or any(c.isupper() for c in letters[1:])


def reads_as_name(text: str) -> bool:
    """Whether a prefix reads as an organisation name rather than a title fragment (see module docstring)."""
    words = tidy_name(text).split()
    if not words or len(words) > _MAX_NAME_WORDS or not any(c.isupper() for c in "".join(words)):
        return False
    folded = [w.casefold().strip(".,;()") for w in words]
    if folded[0] in _TITLE_STARTS or folded[0].isdigit() or any(w in _TITLE_WORDS for w in folded):
        return False
    return words[0].casefold() not in _CONNECTORS and all(_word_ok(w) for w in words)


def _lookup(name: str, table: Mapping[str, str | None]) -> tuple[bool, str | None]:
    """(known, owner) of one name: the table entry for the name, its legal-form-free form, or a known
    non-owner it starts with ("Ernst & Young" covers "Ernst & Young Virginia")."""
    for key in dict.fromkeys((alias_key(name), alias_key(tidy_name(name)))):
        if key in table:
            return True, table[key]
    key = alias_key(name)
    if any(owner is None and key.startswith(alias + " ") for alias, owner in table.items()):
        return True, None
    return False, None


def _split(prefix: str) -> tuple[str, str] | None:
    """The two names of "A / B" (first slash) or "A (B)"; ``None`` for a single name."""
    if "/" in prefix:
        a, b = (part.strip() for part in prefix.split("/", 1))
        return (a, b) if a and b else None
    m = _PAREN.match(prefix)
    return (m["a"].strip(), m["b"].strip()) if m else None


def _brand(other: str, owner: str, table: Mapping[str, str | None]) -> str | None:
    """The other name of a compound prefix, unless it is (an alias of) the owner itself."""
    known, other_owner = _lookup(other, table)
    same = alias_key(tidy_name(other)) == alias_key(owner) or (known and other_owner == owner)
    return None if same else tidy_name(other)


def _resolve_pair(a: str, b: str, table: Mapping[str, str | None]) -> tuple[str | None, str, str | None]:
    """(owner, source, brand) of "A / B" or "A (B)" whose whole text is not in the table."""
    for name, other in ((a, b), (b, a)):
        known, owner = _lookup(name, table)
        if known and owner:
            return owner, "alias", _brand(other, owner, table)
        if known:
            return None, "none", None
    for name, other in ((a, b), (b, a)):
        if reads_as_name(name):
            owner = tidy_name(name)
            return owner, "prefix", _brand(other, owner, table) if reads_as_name(other) else None
    return None, "none", None


def parse_ca_owner(summary: str | None, aliases: Mapping[str, str | None] | None = None) -> OwnerMatch:
    """CA owner of a bug from its summary prefix: alias table, else the prefix when it reads as a name."""
    raw = summary_prefix(summary)
    if raw is None:
        return OwnerMatch(owner=None, raw=None)
    table = load_aliases() if aliases is None else aliases
    pair = _split(raw)
    known, owner = _lookup(raw, table)
    if known:
        brand = None
        if owner and pair:
            first_known, first_owner = _lookup(pair[0], table)
            other = pair[1] if not first_known or first_owner == owner else pair[0]
            brand = _brand(other, owner, table)
        return OwnerMatch(owner, raw, "alias" if owner else "none", brand)
    if pair:
        owner, source, brand = _resolve_pair(*pair, table)
        return OwnerMatch(owner, raw, source, brand)
    if reads_as_name(raw):
        return OwnerMatch(tidy_name(raw), raw, "prefix")
    return OwnerMatch(None, raw)


def unify_spellings(matches: Iterable[OwnerMatch]) -> list[OwnerMatch]:
    """Owners found by the prefix rule, one spelling per name across a corpus ("NETLOCK", "Netlock" ->
    the most frequent; ties go to the spelling with more lower-case letters, then alphabetical order)."""
    matches = list(matches)
    spellings: dict[str, Counter[str]] = {}
    for m in matches:
        if m.source == "prefix" and m.owner:
            spellings.setdefault(alias_key(m.owner), Counter())[m.owner] += 1
    best = {
        key: min(counts, key=lambda name: (-counts[name], -sum(c.islower() for c in name), name))
        for key, counts in spellings.items()
    }
    return [
        replace(m, owner=best[alias_key(m.owner)]) if m.source == "prefix" and m.owner else m for m in matches
    ]


def resolve_owners(
    summaries: Iterable[str | None], aliases: Mapping[str, str | None] | None = None
) -> list[OwnerMatch]:
    """The owner of each summary of one corpus, new names spelled one way (what ``normalised_bugs`` holds)."""
    table = load_aliases() if aliases is None else aliases
    return unify_spellings(parse_ca_owner(summary, table) for summary in summaries)


def owner_review(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str | None, OwnerMatch]]:
    """``(id, summary, match)`` of bugs whose owner is not from the *current* alias table (``prefix`` and
    ``none``), for human review. Re-parsing shows at once whether a newly added alias helps."""
    rows = con.execute("SELECT id, summary FROM bugs ORDER BY id").fetchall()
    found = resolve_owners(summary for _, summary in rows)
    return [(bug_id, summary, m) for (bug_id, summary), m in zip(rows, found, strict=True) if m.source != "alias"]
