"""One CA's record for a reviewer: incidents, report scores, deadlines missed, open commitments,
recurrences and reused text, as text or HTML (autoescaped: bug text is never trusted markup)."""

from __future__ import annotations

from dataclasses import dataclass, field
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
            f"SELECT bug_id, avg(composite) FROM report_scores WHERE bug_id IN ({','.join(map(str, bug_ids))}) "
            "GROUP BY 1"
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
            d.missed.append({"bug_id": q["bug_id"], "rule": "answer", "due": q["due_time"].date(),
                             "late_hours": None if not q["is_answered"] else q["first_response_hours"] - 168})  # fmt: skip
    for bug_id, tracks in m.tracks.items():
        for t in tracks if bug_id in bugs else []:
            is_open_bug = bugs[bug_id].status_now.upper() not in CLOSED_STATUSES
            if t.is_open and not t.is_dropped and (t.last.status in ("ongoing", "delayed") or is_open_bug):
                d.open_items.append({"bug_id": bug_id, "item": t.last.text, "due": t.last.due_date,
                                     "status": t.last.status, "count": t.last.count})  # fmt: skip
    d.recurrences = [vars(r) for r in m.recurrences if r.bug_id in bugs]
    d.copied = [vars(p) for p in m.pairs if p.bug_id in bugs]
    return d


_TEXT = """Dossier: {{ d.ca_owner }}
{% if d.overall %}Incidents: {{ d.overall.n_incidents }}; updates missed {{ d.overall.n_updates_missed }}/{{ d.overall.n_update_deadlines }}; questions late {{ d.overall.n_questions_late }}/{{ d.overall.n_questions }}, unanswered {{ d.overall.n_questions_unanswered }}; items slipped {{ d.overall.n_items_slipped }}/{{ d.overall.n_action_items }}, dropped {{ d.overall.n_items_dropped }}
{% endif %}
Incidents ({{ d.incidents | length }})
{% for i in d.incidents %}  - bug {{ i.bug_id }} ({{ i.disclosed_time.date() }}, {{ i.period }}, {{ i.status }}): {{ i.summary }}{% if i.score is not none %} [score {{ i.score }}]{% endif %}  {{ d.base }}/show_bug.cgi?id={{ i.bug_id }}
{% endfor %}
Deadlines missed ({{ d.missed | length }})
{% for x in d.missed %}  - bug {{ x.bug_id }}: {{ x.rule }} due {{ x.due }}{% if x.late_hours is not none %} ({{ "%.0f" | format(x.late_hours) }} h late){% else %} (never met){% endif %}
{% endfor %}
Open commitments ({{ d.open_items | length }})
{% for x in d.open_items %}  - bug {{ x.bug_id }}: {{ x.item }} (due {{ x.due }}, {{ x.status or "status not given" }})  {{ d.base }}/show_bug.cgi?id={{ x.bug_id }}#c{{ x.count }}
{% endfor %}
Recurrences and related incidents ({{ d.recurrences | length }})
{% for r in d.recurrences %}  - bug {{ r.bug_id }} resembles earlier bug {{ r.earlier_bug_id }} ({{ r.kind }}, tags {{ r.shared_tags | join(", ") }}, similarity {{ r.similarity }}{% if r.is_named %}, named in the bug{% else %}, not named{% endif %})
{% endfor %}
Reused passages ({{ d.copied | length }})
{% for p in d.copied %}  - bug {{ p.bug_id }} comment {{ p.comment_count }} repeats bug {{ p.source_bug_id }} comment {{ p.source_comment_count }} ({{ p.kind }}, {{ p.similarity }}): "{{ p.text[:100] }}"
{% endfor %}"""

_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dossier: {{ d.ca_owner }}</title></head><body>
<h1>Dossier: {{ d.ca_owner }}</h1>
<h2>Incidents ({{ d.incidents | length }})</h2><table>
<tr><th>Bug</th><th>Disclosed</th><th>Era</th><th>Status</th><th>Summary</th><th>Score</th><th>Updates missed</th><th>Questions late</th></tr>
{% for i in d.incidents %}<tr><td><a href="{{ d.base }}/show_bug.cgi?id={{ i.bug_id }}">{{ i.bug_id }}</a></td><td>{{ i.disclosed_time.date() }}</td><td>{{ i.period }}</td><td>{{ i.status }}</td><td>{{ i.summary }}</td><td>{{ i.score if i.score is not none else "" }}</td><td>{{ i.n_updates_missed }}/{{ i.n_update_deadlines }}</td><td>{{ i.n_questions_late }}/{{ i.n_questions }}</td></tr>
{% endfor %}</table>
<h2>Deadlines missed ({{ d.missed | length }})</h2><ul>
{% for x in d.missed %}<li><a href="{{ d.base }}/show_bug.cgi?id={{ x.bug_id }}">bug {{ x.bug_id }}</a>: {{ x.rule }} due {{ x.due }}</li>
{% endfor %}</ul>
<h2>Open commitments ({{ d.open_items | length }})</h2><ul>
{% for x in d.open_items %}<li><a href="{{ d.base }}/show_bug.cgi?id={{ x.bug_id }}#c{{ x.count }}">bug {{ x.bug_id }}</a>: {{ x.item }} (due {{ x.due }})</li>
{% endfor %}</ul>
<h2>Recurrences ({{ d.recurrences | length }})</h2><ul>
{% for r in d.recurrences %}<li>bug {{ r.bug_id }} resembles bug {{ r.earlier_bug_id }} ({{ r.kind }}, {{ r.shared_tags | join(", ") }})</li>
{% endfor %}</ul>
<h2>Reused passages ({{ d.copied | length }})</h2><ul>
{% for p in d.copied %}<li>bug {{ p.bug_id }} comment {{ p.comment_count }} repeats bug {{ p.source_bug_id }} comment {{ p.source_comment_count }}: <q>{{ p.text[:200] }}</q></li>
{% endfor %}</ul></body></html>
"""


def _env() -> Environment:
    return Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def render_text(d: Dossier) -> str:
    """Plain-text dossier."""
    return Environment(autoescape=False).from_string(_TEXT).render(d=d)  # noqa: S701 - plain text, not HTML


def render_html(d: Dossier) -> str:
    """HTML dossier, every Bugzilla-sourced string escaped."""
    return _env().from_string(_HTML).render(d=d)
