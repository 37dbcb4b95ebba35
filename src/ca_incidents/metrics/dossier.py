"""One CA's record for a reviewer: incidents, report scores, deadlines missed, open commitments,
recurrences and reused text, as text or HTML (autoescaped: bug text is never trusted markup)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb
from jinja2 import Environment, select_autoescape

from ca_incidents.metrics.build import Metrics
from ca_incidents.metrics.deadlines import MISSED_UPDATE_RULES
from ca_incidents.metrics.updates import CLOSED_STATUSES


@dataclass
class Dossier:
    """What the dossier shows, gathered from one metrics pass."""

    ca_owner: str
    base: str
    overall: dict[str, Any] | None
    incidents: list[dict[str, Any]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)
    open_items: list[dict[str, Any]] = field(default_factory=list)
    recurrences: list[dict[str, Any]] = field(default_factory=list)
    copied: list[dict[str, Any]] = field(default_factory=list)


def _scores(con: duckdb.DuckDBPyConnection, bug_ids: list[int]) -> dict[int, float]:
    """Mean composite report score per bug, when the scorer has run."""
    if not bug_ids:
        return {}
    try:
        rows = con.execute(
            "SELECT bug_id, avg(composite) FROM report_scores WHERE list_contains(?, bug_id) GROUP BY 1", [bug_ids]
        ).fetchall()
    except duckdb.Error:
        return {}
    return {b: round(s, 1) for b, s in rows}


def build_dossier(con: duckdb.DuckDBPyConnection, m: Metrics, ca_owner: str, base: str) -> Dossier:
    """The dossier of one CA owner (matched case-insensitively)."""
    want = ca_owner.casefold()
    bugs = {b.id: b for b in m.bugs if (b.ca_owner or "").casefold() == want}
    name = next((b.ca_owner for b in bugs.values() if b.ca_owner), ca_owner)
    overall = next((r for r in m.cas if r["ca_owner"] == name and r["period"] == "all"), None)
    scores = _scores(con, list(bugs))
    d = Dossier(name, base, overall)
    for row in sorted((r for r in m.incidents if r["bug_id"] in bugs), key=lambda r: r["disclosed_time"]):
        d.incidents.append({**row, "summary": bugs[row["bug_id"]].summary, "score": scores.get(row["bug_id"])})
    for c in m.deadlines:
        if c.bug_id in bugs and c.status == "missed" and (c.rule in MISSED_UPDATE_RULES or c.rule.endswith("report")):
            d.missed.append({"bug_id": c.bug_id, "rule": c.rule, "due": c.due_date, "late_hours": c.late_hours})
    for q in m.questions:
        if q["bug_id"] in bugs and (q["status"] == "missed" or not q["is_answered"]):
            late = q["first_response_hours"] - 168 if q["is_answered"] and q["first_response_hours"] else None
            d.missed.append({"bug_id": q["bug_id"], "rule": "answer", "due": q["due_time"].date(), "late_hours": late})
    for bug_id, tracks in m.tracks.items():
        for t in tracks if bug_id in bugs else []:
            is_open_bug = bugs[bug_id].status_now.upper() not in CLOSED_STATUSES
            if t.is_open and not t.is_dropped and (t.last.status in ("ongoing", "delayed") or is_open_bug):
                d.open_items.append({"bug_id": bug_id, "item": t.last.text, "due": t.last.due_date,
                                     "status": t.last.status, "count": t.last.count})  # fmt: skip
    d.recurrences = [vars(r) for r in m.recurrences if r.bug_id in bugs]
    d.copied = [vars(p) for p in m.pairs if p.bug_id in bugs]
    return d


def template(name: str) -> str:
    """A template shipped in ``metrics/templates``."""
    return resources.files("ca_incidents.metrics").joinpath("templates", name).read_text(encoding="utf-8")


def html_env() -> Environment:
    """Jinja environment that escapes everything (bug text is never trusted markup)."""
    return Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def render_text(d: Dossier) -> str:
    """Plain-text dossier."""
    env = Environment(autoescape=False, keep_trailing_newline=True)  # noqa: S701 - plain text, never served as HTML
    return env.from_string(template("dossier.txt.j2")).render(d=d)


def render_html(d: Dossier) -> str:
    """HTML dossier, every Bugzilla-sourced string escaped."""
    return html_env().from_string(template("dossier.html.j2")).render(d=d)
