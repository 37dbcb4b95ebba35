"""In-memory Bugzilla data for the local server, loaded from demo YAML files or plain record dicts.

The corpus owns ids (comments, attachments) and the clock, so tests can change bugs between harvests with
``touch`` and see exactly the effect a real edit on BMO would have (new ``last_change_time``, comment, history).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ca_incidents.utc import parse_utc, to_naive_utc, utc_now

FIRST_COMMENT_ID = 10_000_001
FIRST_ATTACHMENT_ID = 9_000_001
DEFAULT_PRODUCT = "CA Program"
DEFAULT_COMPONENT = "CA Certificate Compliance"

# Bug fields the server returns by default; record dicts missing one of them get these values.
BUG_DEFAULTS: dict[str, Any] = {
    "product": DEFAULT_PRODUCT,
    "component": DEFAULT_COMPONENT,
    "status": "NEW",
    "resolution": "",
    "whiteboard": "",
    "assigned_to": "nobody@mozilla.org",
    "cf_last_resolved": None,
    "keywords": [],
    "see_also": [],
    "depends_on": [],
    "blocks": [],
    "groups": [],
    "alias": None,
    "classification": "Client Software",
    "type": "task",
}
# Keys of a fixture that are not bug fields (activity, and ground truth that is never served).
ACTIVITY_KEYS = ("comments", "history", "attachments", "planted")


def format_time(value: Any) -> str | None:
    """Bugzilla's output format: UTC, second precision, ``Z`` suffix (YAML may hand us datetimes)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return to_naive_utc(value).replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    return format_time(parse_utc(str(value)))


def server_clock() -> dt.datetime:
    """The server clock: naive UTC, whole seconds like Bugzilla's."""
    return utc_now().replace(microsecond=0)


class FixtureCorpus:
    """Bugs with their comments, history and attachments, in the shapes BMO's REST API returns.

    Thread-safe: the server reads it from many threads while a test may ``touch`` it.
    """

    def __init__(self, bugs: Iterable[Mapping[str, Any]], *, clock: Callable[[], dt.datetime] = server_clock):
        self.clock = clock
        self._lock = threading.RLock()
        self._bugs: dict[int, dict[str, Any]] = {}
        self._next_comment_id = FIRST_COMMENT_ID
        self._next_attachment_id = FIRST_ATTACHMENT_ID
        for raw in sorted(bugs, key=lambda b: int(b["id"])):
            self._add(raw)

    # -- loading -------------------------------------------------------------------------------------------
    @classmethod
    def from_dir(cls, path: Path | str, **kwargs: Any) -> FixtureCorpus:
        """Load every ``*.yaml`` bug of a demo-corpus folder (``<path>/bugs/*.yaml`` or ``<path>/*.yaml``)."""
        root = Path(path)
        folder = root / "bugs" if (root / "bugs").is_dir() else root
        files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
        if not files:
            raise FileNotFoundError(f"no bug fixtures (*.yaml) in {folder}")
        bugs = []
        for file in files:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "id" not in data:
                raise ValueError(f"{file}: not a bug fixture (a mapping with an 'id')")
            bugs.append(data)
        return cls(bugs, **kwargs)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        activity: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
        **kwargs: Any,
    ) -> FixtureCorpus:
        """Serve REST bug records (e.g. the real metadata in ../shared); ``activity(record)`` may add
        ``comments``/``history``/``attachments`` written by the caller."""
        bugs = []
        for record in records:
            bug = dict(record)
            if activity is not None:
                bug.update(activity(record))
            bugs.append(bug)
        return cls(bugs, **kwargs)

    def _add(self, raw: Mapping[str, Any]) -> None:
        bug = {k: copy.deepcopy(v) for k, v in raw.items() if k not in ACTIVITY_KEYS}
        bug["id"] = int(bug["id"])
        for key, value in BUG_DEFAULTS.items():
            bug.setdefault(key, copy.deepcopy(value))
        bug.setdefault("creator", "nobody@mozilla.org")
        for key in ("creation_time", "cf_last_resolved", "last_change_time"):
            if key in bug:
                bug[key] = format_time(bug[key])
        bug_id = bug["id"]
        comments = []
        for count, c in enumerate(raw.get("comments") or []):
            comments.append(self._comment(bug_id, count, c))
        history = [
            {"when": format_time(h["when"]), "who": h["who"], "changes": [dict(ch) for ch in h["changes"]]}
            for h in raw.get("history") or []
        ]
        attachments = [self._attachment(bug_id, a) for a in raw.get("attachments") or []]
        self._bugs[bug_id] = {
            "bug": bug,
            "comments": comments,
            "history": history,
            "attachments": attachments,
        }
        if "last_change_time" not in bug:
            bug["last_change_time"] = self._derived_change_time(bug_id)

    def _comment(self, bug_id: int, count: int, c: Mapping[str, Any]) -> dict[str, Any]:
        comment_id = self._next_comment_id
        self._next_comment_id += 1
        when = format_time(c["time"])
        text = str(c["text"])
        return {
            "id": comment_id,
            "bug_id": bug_id,
            "count": count,
            "attachment_id": c.get("attachment_id"),
            "author": c["author"],
            "creator": c["author"],
            "time": when,
            "creation_time": when,
            "text": text,
            "raw_text": text,
            "is_private": bool(c.get("is_private", False)),
            "tags": list(c.get("tags") or []),
        }

    def _attachment(self, bug_id: int, a: Mapping[str, Any]) -> dict[str, Any]:
        attachment_id = self._next_attachment_id
        self._next_attachment_id += 1
        data = a.get("data") or ""
        body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        created = format_time(a["creation_time"])
        return {
            "id": attachment_id,
            "bug_id": bug_id,
            "file_name": a.get("file_name", f"attachment-{attachment_id}"),
            "summary": a.get("summary", ""),
            "content_type": a.get("content_type", "text/plain"),
            "size": len(body),
            "creation_time": created,
            "last_change_time": format_time(a.get("last_change_time")) or created,
            "creator": a.get("creator", "nobody@mozilla.org"),
            "is_private": bool(a.get("is_private", False)),
            "is_obsolete": bool(a.get("is_obsolete", False)),
            "is_patch": bool(a.get("is_patch", False)),
            "flags": [],
            "data": base64.b64encode(body).decode("ascii"),
        }

    def _derived_change_time(self, bug_id: int) -> str:
        entry = self._bugs[bug_id]
        times = [entry["bug"].get("creation_time")]
        times += [c["time"] for c in entry["comments"]]
        times += [h["when"] for h in entry["history"]]
        times += [a["last_change_time"] for a in entry["attachments"]]
        return max(t for t in times if t)

    # -- reading -------------------------------------------------------------------------------------------
    def ids(self) -> list[int]:
        """All bug ids, ascending."""
        with self._lock:
            return sorted(self._bugs)

    def bug(self, bug_id: int) -> dict[str, Any] | None:
        """A copy of the bug's fields (no activity), or None."""
        with self._lock:
            entry = self._bugs.get(bug_id)
            return copy.deepcopy(entry["bug"]) if entry else None

    def is_visible(self, bug_id: int) -> bool:
        """Anonymous users cannot see bugs in a security group (``groups`` non-empty)."""
        with self._lock:
            entry = self._bugs.get(bug_id)
            return bool(entry) and not entry["bug"].get("groups")

    def comments(self, bug_id: int, *, include_private: bool = False) -> list[dict[str, Any]]:
        """The bug's comments, oldest first; private ones only for insiders."""
        with self._lock:
            items = self._bugs[bug_id]["comments"]
            return [copy.deepcopy(c) for c in items if include_private or not c["is_private"]]

    def history(self, bug_id: int) -> list[dict[str, Any]]:
        """The bug's change sets, oldest first."""
        with self._lock:
            return copy.deepcopy(self._bugs[bug_id]["history"])

    def attachments(self, bug_id: int) -> list[dict[str, Any]]:
        """The bug's attachments (public ones), with base64 ``data``."""
        with self._lock:
            return [copy.deepcopy(a) for a in self._bugs[bug_id]["attachments"] if not a["is_private"]]

    def attachment(self, attachment_id: int) -> dict[str, Any] | None:
        """One attachment by id, or None."""
        with self._lock:
            for entry in self._bugs.values():
                for a in entry["attachments"]:
                    if a["id"] == attachment_id:
                        return copy.deepcopy(a)
        return None

    # -- changing ------------------------------------------------------------------------------------------
    def touch(
        self,
        bug_id: int,
        *,
        comment: str | None = None,
        whiteboard: str | None = None,
        author: str = "reviewer@root-program.example",
        is_private: bool = False,
    ) -> str:
        """Change a bug now, as an edit on Bugzilla would: a comment and/or a whiteboard change (with its
        history entry); with neither, a short comment. Returns the new ``last_change_time``."""
        with self._lock:
            entry = self._bugs[bug_id]
            now = format_time(self.clock())
            assert now is not None
            if comment is None and whiteboard is None:
                comment = "Checking in on the status of the remaining action items."
            if comment is not None:
                count = len(entry["comments"])
                entry["comments"].append(
                    self._comment(
                        bug_id,
                        count,
                        {"author": author, "time": now, "text": comment, "is_private": is_private},
                    )
                )
            if whiteboard is not None:
                old = entry["bug"].get("whiteboard", "")
                entry["history"].append(
                    {
                        "when": now,
                        "who": author,
                        "changes": [{"field_name": "whiteboard", "removed": old, "added": whiteboard}],
                    }
                )
                entry["bug"]["whiteboard"] = whiteboard
            entry["bug"]["last_change_time"] = now
            return now
