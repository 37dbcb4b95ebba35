"""CA owner from a bug summary ("<CA Owner>: <title>"), normalised through a reviewable alias table.

Only prefixes listed in ``ca_incidents/data/ca_owner_aliases.csv`` become an owner: an unknown prefix
could be a title fragment ("Failure to revoke: ..."), so it stays ``NULL`` and `ca-incidents owners review`
lists it for a human to add, rather than the parser guessing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

ALIASES_RESOURCE = "ca_owner_aliases.csv"
_COLONS = (":", "\uff1a")  # ASCII and full-width colon
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


@dataclass(frozen=True)
class OwnerMatch:
    """The normalised CA owner (``None`` when unknown) and the summary prefix as written."""

    owner: str | None
    raw: str | None


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


def parse_ca_owner(summary: str | None, aliases: Mapping[str, str | None] | None = None) -> OwnerMatch:
    """CA owner of a bug from its summary; ``owner`` is ``None`` unless the prefix is a known alias."""
    raw = summary_prefix(summary)
    if raw is None:
        return OwnerMatch(owner=None, raw=None)
    table = load_aliases() if aliases is None else aliases
    return OwnerMatch(owner=table.get(alias_key(raw)), raw=raw)


def unowned_bugs(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str | None, str | None]]:
    """``(id, summary, prefix)`` of bugs with no owner under the *current* alias table, for human review.

    Re-parsing (rather than reading ``bugs.ca_owner``) shows at once whether a newly added alias helps.
    """
    rows = con.execute("SELECT id, summary FROM bugs ORDER BY id").fetchall()
    return [
        (bug_id, summary, m.raw) for bug_id, summary in rows if (m := parse_ca_owner(summary)).owner is None
    ]
