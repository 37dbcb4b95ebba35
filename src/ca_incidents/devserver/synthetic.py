"""Synthetic comments, history and attachments for metadata-only bug records (tests and benchmarks).

The real records in ../shared carry no comment text; this writes plausible activity in our own words,
deterministically per bug id, so two servers built from the same records serve identical data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

from ca_incidents.devserver.fixtures import format_time
from ca_incidents.utc import parse_utc

# Activity never goes past this instant, so a harvest's 5-minute overlap window never catches old bugs.
ANCHOR = dt.datetime(2026, 3, 31, 12, 0, 0)

_CA = "ca-compliance@ca.example"
_ROOT = "reviewer@root-program.example"
_LINES = (
    "## Incident Report\n\n### Summary\nA configuration change let certificates out with a field the profile "
    "does not allow. We stopped issuance within the hour.\n\n### Impact\nA small number of subscriber "
    "certificates were affected; all are listed in the attachment.",
    "Thank you. Please explain why the pre-issuance linter did not catch this, and by when it will.",
    "We have added the missing check to the linter. The rollout finishes next week; we will post an update by then.",
    "Weekly update: revocation of the affected certificates is complete. Two action items remain open.",
    "All action items are complete. We ask that this bug be closed.",
    "I intend to close this bug on Friday unless further questions come up.",
)


def synthetic_activity(record: Mapping[str, Any], *, max_comments: int = 6) -> dict[str, Any]:
    """Comments (description first), a whiteboard history entry and sometimes a CSV attachment for a record."""
    bug_id = int(record["id"])
    rng = random.Random(bug_id)
    start = parse_utc(str(record.get("creation_time") or "2020-01-01T00:00:00Z"))
    start = min(start, ANCHOR - dt.timedelta(days=30))

    def at(days: float) -> str:
        return format_time(min(start + dt.timedelta(days=days), ANCHOR)) or ""

    n = rng.randint(2, max_comments)
    comments = [
        {
            "author": _CA if i % 2 == 0 else _ROOT,
            "time": at(i * rng.uniform(1, 4)),
            "text": _LINES[i % len(_LINES)],
        }
        for i in range(n)
    ]
    comments.sort(key=lambda c: c["time"])
    whiteboard = record.get("whiteboard") or "[ca-compliance]"
    history = [
        {
            "when": at(0.5),
            "who": _ROOT,
            "changes": [{"field_name": "whiteboard", "removed": "", "added": whiteboard}],
        }
    ]
    activity: dict[str, Any] = {"comments": comments, "history": history}
    if bug_id % 3 == 0:
        activity["attachments"] = [
            {
                "file_name": "affected.csv",
                "summary": "Affected certificates",
                "content_type": "text/csv",
                "creation_time": at(1),
                "creator": _CA,
                "data": "serial,not_before\n"
                + "".join(f"{rng.getrandbits(64):016x},2024-01-0{k + 1}\n" for k in range(3)),
            }
        ]
    return activity
