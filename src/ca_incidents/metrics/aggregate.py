"""``ca_metrics``: one row per CA owner per year and one overall ('all'), every rate beside its counts so a
CA with two incidents is not read like one with two hundred."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

# rate column -> (numerator, denominator) over incident rows
RATES = {
    "first_report_missed": ("n_first_report_missed", "n_first_report_checks"),
    "full_report_late": ("n_full_report_late", "n_full_report_checks"),
    "updates_missed": ("n_updates_missed", "n_update_deadlines"),
    "questions_late": ("n_questions_late", "n_questions"),
    "questions_unanswered": ("n_questions_unanswered", "n_questions"),
    "answers_after_reminder": ("n_answers_after_reminder", "n_questions"),
    "items_slipped": ("n_items_slipped", "n_action_items"),
    "items_dropped": ("n_items_dropped", "n_action_items"),
    "count_changes_unexplained": ("n_unexplained_count_changes", "n_count_changes"),
    "disclosure_disagreement": ("n_disclosure_disagreements", "n_incidents"),
    "recurrence": ("n_recurrent_incidents", "n_incidents"),
    "copied_text": ("n_incidents_with_copied_text", "n_incidents"),
}
SUMMED = (
    "n_update_deadlines", "n_updates_missed", "n_questions", "n_questions_late", "n_questions_unanswered",
    "n_answers_after_reminder", "n_action_items", "n_items_slipped", "n_items_dropped", "n_count_changes",
    "n_unexplained_count_changes",
)  # fmt: skip


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    out = {name: sum(int(r[name] or 0) for r in rows) for name in SUMMED}
    out["n_incidents"] = len(rows)
    judged = [r for r in rows if r["first_report_status"] in ("met", "missed")]
    out["n_first_report_checks"] = len(judged)
    out["n_first_report_missed"] = sum(r["first_report_status"] == "missed" for r in judged)
    full = [r for r in rows if r["full_report_status"] in ("met", "missed")]
    out["n_full_report_checks"] = len(full)
    out["n_full_report_late"] = sum(r["full_report_status"] == "missed" for r in full)
    out["n_disclosure_disagreements"] = sum(bool(r["is_disclosure_disagreement"]) for r in rows)
    out["n_recurrent_incidents"] = sum(r["n_earlier_similar"] > 0 for r in rows)
    out["n_incidents_with_copied_text"] = sum(r["n_copied_passages"] > 0 for r in rows)
    return out


def ca_rows(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows per (CA owner, year) and (CA owner, 'all'); the owner is NULL for unattributed bugs."""
    groups: dict[tuple[str | None, str], list[dict[str, Any]]] = defaultdict(list)
    for row in incidents:
        groups[(row["ca_owner"], str(row["year"]))].append(row)
        groups[(row["ca_owner"], "all")].append(row)
    out = []
    for (owner, period), rows in sorted(groups.items(), key=lambda g: (g[0][0] or "", g[0][1])):
        counts = _counts(rows)
        rates = {f"rate_{k}": round(counts[n] / counts[d], 4) if counts[d] else None for k, (n, d) in RATES.items()}
        out.append({"ca_owner": owner, "period": period, **counts, **rates})
    return out
