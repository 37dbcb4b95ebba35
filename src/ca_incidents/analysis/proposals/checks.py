"""The checks of the vocabulary: each judges every report (or incident) and says why it fails and what it costs.

One function per check, registered in ``EVALUATORS``; each returns the units with ``passes``, a readable
``reason`` and burden columns (sections, items or updates to add), which ``simulate`` sums up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ca_incidents.analysis.loaders import Corpus, era_of
from ca_incidents.analysis.proposals.schema import ITEM_FIELDS, ProposalError

CLOSED_STATUSES = ("complete", "canceled")
Evaluator = Callable[[Corpus, pd.DataFrame, dict[str, Any]], pd.DataFrame]


def _per_report(units: pd.DataFrame, passes: pd.Series, reason: pd.Series, **burden: pd.Series) -> pd.DataFrame:
    out = units[["bug_id", "comment_id", "count", "ca_owner", "era", "report_type", "creation_time"]].copy()
    out["passes"] = passes.astype(bool).to_numpy()
    out["reason"] = np.where(out["passes"], "", reason.to_numpy())
    for name, values in burden.items():
        out[name] = np.where(out["passes"], 0, values.to_numpy()).astype("int64")
    return out


def _section_present(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    sections = corpus.table("sections")
    names = set(zip(sections.get("comment_id", []), sections.get("name", []), strict=True))
    passes = units["comment_id"].map(lambda c: (c, opts["section"]) in names)
    reason = pd.Series(f"no '{opts['section']}' section", index=units.index)
    return _per_report(units, passes, reason, sections_to_add=pd.Series(1, index=units.index))


def _items(corpus: Corpus, units: pd.DataFrame) -> pd.DataFrame:
    items = corpus.table("action_items")
    if items.empty:
        return pd.DataFrame(columns=["comment_id", "seq", *ITEM_FIELDS])
    return items[items["comment_id"].isin(units["comment_id"])]


def _action_items_have(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    items = _items(corpus, units)
    fields = opts["fields"]
    missing = items[fields].isna().any(axis=1) if len(items) else pd.Series(dtype=bool)
    n_items = units["comment_id"].map(items.groupby("comment_id").size()).fillna(0).astype(int)
    n_missing = units["comment_id"].map(missing.groupby(items["comment_id"]).sum()).fillna(0).astype(int)
    too_few = n_items < opts["min_items"]
    passes = (n_missing == 0) & ~too_few
    reason = pd.Series(
        [f"only {n} action items (needs {opts['min_items']})" if few else f"{m} of {n} action items lack "
         f"{' or '.join(fields)}" for n, m, few in zip(n_items, n_missing, too_few, strict=True)],
        index=units.index,
    )  # fmt: skip
    return _per_report(units, passes, reason, items_to_complete=n_missing, items_to_add=(opts["min_items"] -
                       n_items).clip(lower=0))  # fmt: skip


def _cause_numbers(text: Any) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)} if isinstance(text, str) else set()


def _root_causes_mapped(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    causes = corpus.table("root_causes")
    causes = causes[causes["comment_id"].isin(units["comment_id"])] if not causes.empty else causes
    items = _items(corpus, units)
    if opts["action_kind"] != "any" and len(items):
        items = items[items["kind"] == opts["action_kind"]]
    covered = items.groupby("comment_id")["root_causes"].apply(
        lambda s: set().union(*(_cause_numbers(t) for t in s))) if len(items) else pd.Series(dtype=object)  # fmt: skip
    n_causes = causes.groupby("comment_id").size() if len(causes) else pd.Series(dtype=int)
    unmapped, reasons = [], []
    for comment_id in units["comment_id"]:
        total = int(n_causes.get(comment_id, 0))
        have = covered.get(comment_id, set())
        missing = [i + 1 for i in range(total) if (i + 1) not in have and not (total == 1 and have)]
        unmapped.append(len(missing))
        kind = "" if opts["action_kind"] == "any" else f" {opts['action_kind']}"
        reasons.append(f"root cause(s) {', '.join(map(str, missing))} have no{kind} action item" if missing else "")
    unmapped_s = pd.Series(unmapped, index=units.index)
    return _per_report(units, unmapped_s == 0, pd.Series(reasons, index=units.index), actions_to_add=unmapped_s)


def _timeline_stamped(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    events = corpus.table("timeline_events")
    events = events[events["comment_id"].isin(units["comment_id"])] if not events.empty else events
    bad = ~events["has_time"].astype(bool) if len(events) else pd.Series(dtype=bool)
    if opts["require_zone"] and len(events):
        bad |= ~events["has_zone"].astype(bool)
    n_bad = units["comment_id"].map(bad.groupby(events["comment_id"]).sum() if len(events) else {}).fillna(0)
    what = "a time and zone" if opts["require_zone"] else "a time"
    reason = n_bad.map(lambda n: f"{int(n)} timeline entries lack {what}")
    return _per_report(units, n_bad == 0, reason, entries_to_stamp=n_bad.astype(int))


def _report_field(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    name = opts["field"]
    if name not in units.columns:
        raise ProposalError(f"report_field: the reports table has no column {name!r}")
    passes = units[name].notna()
    return _per_report(units, passes, pd.Series(f"{name} not stated", index=units.index),
                       fields_to_add=pd.Series(1, index=units.index))  # fmt: skip


def _finding_absent(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    findings = corpus.table("findings")
    if "findings" not in corpus.tables:
        raise ProposalError("finding_absent needs the score stage's findings: run `ca-incidents score` first")
    hits = findings[findings["rule"] == opts["rule"]].groupby("comment_id").size() if len(findings) else {}
    n_hits = units["comment_id"].map(hits).fillna(0).astype(int)
    reason = n_hits.map(lambda n: f"{n} finding(s) of {opts['rule']}")
    return _per_report(units, n_hits == 0, reason, passages_to_fix=n_hits)


def incident_units(corpus: Corpus) -> pd.DataFrame:
    """One unit per bug for the incident-level checks: CA owner, filing and resolution times, era filed."""
    bugs = corpus.require("bugs", "harvest")
    out = pd.DataFrame({
        "bug_id": bugs["id"].astype("int64"), "comment_id": pd.NA, "count": pd.NA,
        "ca_owner": bugs["ca_owner"].fillna("(unknown CA)"), "creation_time": pd.to_datetime(bugs["creation_time"]),
        "resolved_time": pd.to_datetime(bugs["cf_last_resolved"]), "report_type": "incident",
    })  # fmt: skip
    out["era"] = out["creation_time"].apply(era_of)
    return out.sort_values("bug_id").reset_index(drop=True)


def _report_within(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    reports = corpus.table("reports")
    own = reports[reports["is_ca_side"].astype(bool) & reports["report_type"].isin(opts["report_types"])]
    first = own.sort_values(["creation_time", "comment_id"]).groupby("bug_id").first()
    out = units.copy()
    posted = out["bug_id"].map(first["creation_time"])
    out["comment_id"] = out["bug_id"].map(first["comment_id"])
    out["count"] = out["bug_id"].map(first["count"])
    lag_days = (pd.to_datetime(posted) - out["creation_time"]).dt.total_seconds() / 86400
    limit = opts["days"]
    out["passes"] = (lag_days <= limit).fillna(False)
    kinds = "/".join(opts["report_types"])
    out["reason"] = [
        "" if ok else (f"no {kinds} report posted" if pd.isna(lag) else f"{kinds} report after {lag:.1f} days")
        for ok, lag in zip(out["passes"], lag_days, strict=True)
    ]
    out["days_to_bring_forward"] = np.where(out["passes"], 0, np.ceil((lag_days - limit).fillna(0))).astype(int)
    out["reports_missing"] = (~out["passes"] & lag_days.isna()).astype(int)
    out["lag_days"] = lag_days.round(2)
    return out.drop(columns=["resolved_time"])


def _checkpoints(items: pd.DataFrame, ca_posts: list[pd.Timestamp], end: pd.Timestamp | None, grace: int) -> tuple:
    """Walk an incident under the automatic rule and return (checkpoints, met).

    At each step the rule reads the latest report (as of the previous checkpoint) that lists action items and
    sets Next update to the earliest due date among its open items still ahead; a CA post after the previous
    checkpoint and on or before that date (plus ``grace`` days) meets it. Items completed in a later revision
    therefore stop setting dates once that revision is posted.
    """
    if items.empty:
        return [], 0
    revisions = [(pd.Timestamp(t), group) for t, group in items.groupby("report_time", sort=True)]
    cursor = revisions[0][0]
    checkpoints, met = [], 0
    while True:
        current = [group for posted, group in revisions if posted <= cursor][-1]
        open_items = current[~current["status"].isin(CLOSED_STATUSES)].dropna(subset=["due_date"])
        ahead = sorted(d for d in (pd.Timestamp(x) for x in open_items["due_date"]) if d > cursor)
        if not ahead or (end is not None and ahead[0] > end):
            return checkpoints, met
        due = ahead[0]
        checkpoints.append(due)
        deadline = due + pd.Timedelta(days=grace + 1)  # posts on the due day count
        met += any(cursor < t < deadline for t in ca_posts)
        cursor = due


def _auto_next_update(corpus: Corpus, units: pd.DataFrame, opts: dict) -> pd.DataFrame:
    roles = corpus.require("comment_roles", "parse")
    items = corpus.require("action_items", "parse")
    reports = corpus.require("reports", "parse")
    items = items.merge(reports[["comment_id", "bug_id", "creation_time"]].rename(
        columns={"creation_time": "report_time"}), on="comment_id")  # fmt: skip
    ca_posts = roles[roles["is_ca_side"].astype(bool) & (roles["count"] > 0)]
    posts = ca_posts.groupby("bug_id")["creation_time"].apply(lambda s: sorted(pd.to_datetime(s)))
    history = _next_update_settings(corpus)
    rows = []
    for unit in units.itertuples():
        bug_items = items[items["bug_id"] == unit.bug_id]
        end = unit.resolved_time if pd.notna(unit.resolved_time) else None
        bug_posts = posts.get(unit.bug_id, [])
        checkpoints, met = _checkpoints(bug_items, bug_posts, end, opts["grace_days"])
        first = bug_items["report_time"].min() if len(bug_items) else None
        window = [t for t in bug_posts if first is not None and t > first and (end is None or t <= end)]
        rows.append({"auto_checkpoints": len(checkpoints), "met": met, "ca_updates_posted": len(window),
                     "manual_next_updates": history.get(unit.bug_id, 0)})  # fmt: skip
    sim = pd.DataFrame(rows, index=units.index)
    out = units.drop(columns=["resolved_time"]).copy()
    out = pd.concat([out, sim], axis=1)
    out["passes"] = out["met"] == out["auto_checkpoints"]
    out["reason"] = [
        "" if ok else f"{c - m} of {c} automatic Next update dates passed with no CA post"
        for ok, c, m in zip(out["passes"], out["auto_checkpoints"], out["met"], strict=True)
    ]
    out["updates_added"] = (out["auto_checkpoints"] - out["ca_updates_posted"]).clip(lower=0)
    out["updates_saved"] = (out["ca_updates_posted"] - out["auto_checkpoints"]).clip(lower=0)
    out["updates_missed"] = out["auto_checkpoints"] - out["met"]
    return out


def _next_update_settings(corpus: Corpus) -> dict[int, int]:
    """How many distinct Next update dates the root store set by hand per bug (from whiteboard history)."""
    from ca_incidents.corpus import parse_whiteboard

    history = corpus.table("history")
    if history.empty:
        return {}
    changes = history[history["field_name"] == "whiteboard"]
    counts: dict[int, set] = {}
    for bug_id, added in zip(changes["bug_id"], changes["added"], strict=True):
        day = parse_whiteboard(added).next_update
        if day is not None:
            counts.setdefault(int(bug_id), set()).add(day)
    return {bug: len(days) for bug, days in counts.items()}


EVALUATORS: dict[str, Evaluator] = {
    "section_present": _section_present,
    "action_items_have": _action_items_have,
    "root_causes_mapped": _root_causes_mapped,
    "timeline_stamped": _timeline_stamped,
    "report_field": _report_field,
    "finding_absent": _finding_absent,
    "report_within": _report_within,
    "auto_next_update": _auto_next_update,
}
