"""Action-item follow-through across a bug's report revisions: due dates moved, items dropped, items done
late, and the Prevent/Detect/Mitigate mix.

Items of a later CA comment are matched to the items seen so far by text (rapidfuzz token-set ratio) plus
bonuses for the same due date, kind and table position, since CAs shorten items between revisions. A
comment *revises* the table when it repeats at least half of the open items; only then can an open item be
``dropped``. A comment listing fewer items that matches none is a partial mention (new items join); a
comment listing at least as many items as were open and matching none *replaces* the table (``replaced``,
e.g. vague items swapped for concrete ones after a reviewer's question), which is not a silent drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
from rapidfuzz import fuzz

from ca_incidents.metrics.context import Bug

SAME_ITEM = 60.0  # total score needed to call two rows the same item
BONUS_DUE, BONUS_KIND, BONUS_POSITION = 25.0, 10.0, 10.0
CLOSED = ("complete", "canceled")


@dataclass(frozen=True)
class Item:
    """One action-item row of one comment."""

    comment_id: int
    count: int
    time: datetime
    seq: int
    text: str
    kind: str | None
    due_date: date | None
    status: str | None


@dataclass
class Track:
    """One action item followed through the revisions."""

    versions: list[Item] = field(default_factory=list)
    is_dropped: bool = False

    @property
    def last(self) -> Item:
        return self.versions[-1]

    @property
    def is_open(self) -> bool:
        return self.last.status not in CLOSED


@dataclass(frozen=True)
class ItemChange:
    """One row of ``action_item_changes``."""

    bug_id: int
    change: str  # added | due_moved | slipped | status | completed_late | dropped | replaced
    item: str
    comment_id: int  # the comment where the change shows
    comment_count: int
    previous_comment_id: int | None
    previous_seq: int | None
    seq: int | None
    old_value: str | None = None
    new_value: str | None = None


def load_items(con: duckdb.DuckDBPyConnection, bug: Bug) -> list[Item]:
    """Action items of the bug's CA comments, in comment order."""
    ca = {c.id: c for c in bug.comments if c.is_ca}
    if not ca:
        return []
    rows = con.execute(
        "SELECT comment_id, seq, text, kind, due_date, status FROM action_items WHERE list_contains(?, comment_id) "
        "ORDER BY comment_id, seq",
        [list(ca)],
    ).fetchall()
    items = [Item(cid, ca[cid].count, ca[cid].time, seq, text or "", kind, due, status)
             for cid, seq, text, kind, due, status in rows]  # fmt: skip
    return sorted(items, key=lambda i: (i.count, i.seq))


def _score(a: Item, b: Item) -> float:
    score = fuzz.token_set_ratio(a.text.lower(), b.text.lower())
    score += BONUS_DUE if a.due_date and a.due_date == b.due_date else 0.0
    score += BONUS_KIND if a.kind and a.kind == b.kind else 0.0
    score += BONUS_POSITION if a.seq == b.seq else 0.0
    return score if score >= SAME_ITEM else 0.0


def _match(items: list[Item], tracks: list[Track]) -> dict[int, Track]:
    """Greedy one-to-one matching of a comment's items (by seq) to existing tracks."""
    pairs = sorted(((_score(i, t.last), i.seq, n) for i in items for n, t in enumerate(tracks)), key=lambda p: -p[0])
    out: dict[int, Track] = {}
    used: set[int] = set()
    for score, seq, n in pairs:
        if score > 0 and seq not in out and n not in used:
            out[seq] = tracks[n]
            used.add(n)
    return out


def _changes(bug_id: int, old: Item, new: Item) -> list[ItemChange]:
    out = []
    where = (new.comment_id, new.count, old.comment_id, old.seq, new.seq)
    if old.due_date and new.due_date and old.due_date != new.due_date:
        kind = "slipped" if new.due_date > old.due_date else "due_moved"
        out.append(ItemChange(bug_id, kind, new.text, *where, str(old.due_date), str(new.due_date)))
    if new.status != old.status and new.status:
        out.append(ItemChange(bug_id, "status", new.text, *where, old.status, new.status))
        late = new.due_date is not None and new.time.date() > new.due_date
        if new.status == "complete" and late and old.status != "complete":
            out.append(ItemChange(bug_id, "completed_late", new.text, *where, str(new.due_date), str(new.time.date())))
    return out


def follow(bug_id: int, items: list[Item]) -> tuple[list[ItemChange], list[Track]]:
    """Every change of every action item of one bug, and the final tracks."""
    tracks: list[Track] = []
    changes: list[ItemChange] = []
    for count in sorted({i.count for i in items}):
        batch = [i for i in items if i.count == count]
        matched = _match(batch, tracks)
        open_before = [t for t in tracks if t.is_open]
        n_kept = sum(t in matched.values() for t in open_before)
        is_revision = bool(open_before) and n_kept * 2 >= len(open_before)
        if open_before and n_kept == 0 and len(batch) >= len(open_before):
            for t in open_before:
                t.is_dropped = True  # replaced by a new table: reported, but not as a silent drop
                changes.append(ItemChange(bug_id, "replaced", t.last.text, batch[0].comment_id, count,
                                          t.last.comment_id, t.last.seq, None, t.last.status, None))  # fmt: skip
        for item in batch:
            track = matched.get(item.seq)
            if track is None:
                tracks.append(Track([item]))
                if open_before:
                    changes.append(ItemChange(bug_id, "added", item.text, item.comment_id, item.count, None, None,
                                              item.seq))  # fmt: skip
                continue
            changes.extend(_changes(bug_id, track.last, item))
            track.versions.append(item)
        if is_revision:
            for t in open_before:
                if t not in matched.values() and not t.is_dropped:
                    t.is_dropped = True
                    changes.append(ItemChange(bug_id, "dropped", t.last.text, batch[0].comment_id, count,
                                              t.last.comment_id, t.last.seq, None, t.last.status, None))  # fmt: skip
    return changes, tracks


def kind_mix(tracks: list[Track]) -> dict[str, int]:
    """Prevent/Detect/Mitigate counts over the items the CA committed to (latest version of each)."""
    mix = {"prevent": 0, "detect": 0, "mitigate": 0, "unknown": 0}
    for t in tracks:
        mix[t.last.kind if t.last.kind in mix else "unknown"] += 1
    return mix
