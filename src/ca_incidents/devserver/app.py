"""A Bugzilla-compatible REST server on loopback: the endpoints the harvester uses, with BMO's JSON shapes,
error codes and quirks (ids merging, strict ``new_since``, ``skip_private``, unordered search without ``order``,
the search cap), a request log, and switchable faults."""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from ca_incidents.devserver.faults import Faults, RateLimitEmulator
from ca_incidents.devserver.fixtures import FixtureCorpus, format_time
from ca_incidents.utc import parse_utc

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-BUGZILLA-API-KEY"
DOCS = "https://bmo.readthedocs.io/en/latest/api/"
BLOCKED_PAGE = (
    "<html><head><title>Too Many Requests</title></head><body><h1>Too Many Requests</h1>"
    "<p>You have exceeded the rate limit. You will be unblocked in 60 minutes.</p></body></html>"
)
_ROUTES: list[tuple[str, re.Pattern[str]]] = [
    ("time", re.compile(r"^/rest/time$")),
    ("search", re.compile(r"^/rest/bug$")),
    ("attachment_get", re.compile(r"^/rest/bug/attachment/(\d+)$")),
    ("comment", re.compile(r"^/rest/bug/(\d+)/comment$")),
    ("history", re.compile(r"^/rest/bug/(\d+)/history$")),
    ("attachment", re.compile(r"^/rest/bug/(\d+)/attachment$")),
    ("bug", re.compile(r"^/rest/bug/(\d+)$")),
]


class ApiError(Exception):
    """A Bugzilla WebService error: ``code`` maps to the HTTP status as in REST_STATUS_CODE_MAP."""

    STATUS: ClassVar[dict[int, int]] = {101: 404, 102: 401, 110: 401}

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 400)

    def body(self) -> dict[str, Any]:
        return {"error": True, "code": self.code, "message": self.message, "documentation": DOCS}


@dataclass
class LoggedRequest:
    """One request as the server saw it (after routing)."""

    kind: str
    path: str
    params: dict[str, list[str]]
    status: int = 200
    fault: str | None = None
    bug_ids: list[int] = field(default_factory=list)
    authenticated: bool = False  # an API key header came with it (the key itself is never logged)
    at: float = field(default_factory=time.monotonic)  # when it arrived (for request-rate checks)


def _fields(values: list[str]) -> set[str]:
    return {f.strip() for v in values for f in v.split(",") if f.strip()}


def _project(obj: dict[str, Any], params: dict[str, list[str]]) -> dict[str, Any]:
    """Apply ``include_fields``/``exclude_fields`` (``_default``/``_all`` keep everything)."""
    include = _fields(params.get("include_fields", []))
    exclude = _fields(params.get("exclude_fields", []))
    if include and not include & {"_default", "_all"}:
        obj = {k: v for k, v in obj.items() if k in include}
    return {k: v for k, v in obj.items() if k not in exclude}


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ApiError(32000, f"'{name}' cannot be an array")
    return values[0]


def _int_param(params: dict[str, list[str]], name: str) -> int | None:
    value = _single(params, name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(32000, f"Invalid value for '{name}': {value}") from None


def _time_param(params: dict[str, list[str]], name: str) -> str | None:
    value = _single(params, name)
    if value is None:
        return None
    try:
        return format_time(parse_utc(value))
    except ValueError:
        raise ApiError(32000, f"Invalid datetime for '{name}': {value}") from None


class BugzillaServer(ThreadingHTTPServer):
    """The server object: corpus, faults, latency and the request log live here, shared by handlers."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        corpus: FixtureCorpus,
        address: tuple[str, int] = ("127.0.0.1", 0),
        *,
        faults: Faults | None = None,
        latency: float = 0.0,
        max_search_results: int = 10_000,
        rate_limit: RateLimitEmulator | None = None,
        insider_keys: tuple[str, ...] = (),
    ):
        super().__init__(address, BugzillaHandler)
        self.corpus = corpus
        self.faults = faults or Faults()
        self.latency = latency
        self.max_search_results = max_search_results
        self.rate_limit = rate_limit
        self.insider_keys = frozenset(insider_keys)
        self.log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()

    @property
    def url(self) -> str:
        """The server root (what ``--base-url`` takes)."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> Counter[str]:
        """Requests received so far, by endpoint kind (time, search, bug, comment, history, attachment...)."""
        with self._log_lock:
            return Counter(r.kind for r in self.log)

    def requested_ids(self, kind: str) -> set[int]:
        """Every bug id asked for through endpoints of ``kind`` (path id plus ``ids``)."""
        with self._log_lock:
            return {i for r in self.log if r.kind == kind for i in r.bug_ids}

    def reset_log(self) -> None:
        """Forget the requests so far (between harvest runs of a test)."""
        with self._log_lock:
            self.log.clear()

    def record(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self.log.append(entry)


class BugzillaHandler(BaseHTTPRequestHandler):
    """Routes GET requests to the REST handlers; everything else is a 404 like BMO's unknown resource."""

    server: BugzillaServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("devserver: " + format, *args)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        kind, match = "unknown", None
        for name, pattern in _ROUTES:
            match = pattern.match(parts.path)
            if match:
                kind = name
                break
        entry = LoggedRequest(kind=kind, path=parts.path, params=params)
        self.server.record(entry)
        if self.server.latency:
            time.sleep(self.server.latency)
        key = self.headers.get(API_KEY_HEADER)
        entry.authenticated = bool(key)
        if self._blocked(kind, entry, authenticated=bool(key)):
            return
        fault = self.server.faults.draw(kind)
        entry.fault = fault
        if fault and self._early_fault(fault, entry):
            return
        try:
            if match is None:
                raise ApiError(32614, f"A REST API resource was not found for 'GET {parts.path}'.")
            arg = int(match.group(1)) if match.groups() else None
            body = self._dispatch(kind, arg, params, entry, insider=key in self.server.insider_keys)
            status = 200
        except ApiError as err:
            body, status = err.body(), err.status
        entry.status = status
        payload = json.dumps(body).encode("utf-8")
        if fault == "truncated" and status == 200:
            payload = payload[: max(1, len(payload) // 2)]
        self._send(status, payload, "application/json; charset=UTF-8")

    # -- faults --------------------------------------------------------------------------------------------
    def _blocked(self, kind: str, entry: LoggedRequest, *, authenticated: bool) -> bool:
        limiter = self.server.rate_limit
        verdict = limiter.check(kind, authenticated=authenticated) if limiter else None
        if verdict == "blocked":
            entry.status, entry.fault = 429, "blocked"
            self._send(429, BLOCKED_PAGE.encode(), "text/html; charset=UTF-8")
            return True
        if verdict == "rate_limit":
            entry.status, entry.fault = 400, "rate_limit"
            err = ApiError(114, "You have exceeded the rate limit. Please wait before making more requests.")
            self._send(400, json.dumps(err.body()).encode(), "application/json; charset=UTF-8")
            return True
        return False

    def _early_fault(self, fault: str, entry: LoggedRequest) -> bool:
        """Faults that replace the answer; returns False for those that only delay or damage it."""
        faults = self.server.faults
        if fault == "slow":
            time.sleep(faults.slow_seconds)
            return False
        if fault == "timeout":
            time.sleep(faults.timeout_seconds)
            return False
        if fault == "truncated":
            return False
        status = int(fault[:3])
        entry.status = status
        headers = {"Retry-After": str(faults.retry_after)} if fault == "429" else {}
        page = BLOCKED_PAGE if fault == "429-html" else f"<html><body><h1>{status} Server Error</h1></body></html>"
        self._send(status, page.encode(), "text/html; charset=UTF-8", headers)
        return True

    def _send(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Vary", "Accept")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            log.debug("devserver: client went away before the answer (%s)", self.path)

    # -- endpoints -----------------------------------------------------------------------------------------
    def _dispatch(
        self, kind: str, arg: int | None, params: dict[str, list[str]], entry: LoggedRequest, *, insider: bool
    ) -> dict[str, Any]:
        handlers: dict[str, Callable[[], dict[str, Any]]] = {
            "time": self._time,
            "search": lambda: self._search(params),
            "bug": lambda: self._get_bug(arg or 0, params),
            "attachment_get": lambda: self._get_attachment(arg or 0, params),
            "comment": lambda: self._comments(self._batch(arg, params, entry, kind), params, insider),
            "history": lambda: self._history(self._batch(arg, params, entry, kind), params),
            "attachment": lambda: self._attachments(self._batch(arg, params, entry, kind), params),
        }
        return handlers[kind]()

    def _time(self) -> dict[str, Any]:
        now = format_time(self.server.corpus.clock())
        return {
            "db_time": now,
            "web_time": now,
            "web_time_utc": now,
            "tz_name": "UTC",
            "tz_offset": "+0000",
            "tz_short_name": "UTC",
        }

    def _search(self, params: dict[str, list[str]]) -> dict[str, Any]:
        corpus = self.server.corpus
        limit, offset = _int_param(params, "limit"), _int_param(params, "offset")
        if offset is not None and limit is None:
            raise ApiError(32000, "You cannot use 'offset' without 'limit'.")
        cap = self.server.max_search_results
        limit = cap if not limit else min(limit, cap)
        since = _time_param(params, "last_change_time")
        created = _time_param(params, "creation_time")
        products, components = set(params.get("product", [])), set(params.get("component", []))
        wanted_ids = {int(i) for i in _fields(params.get("id", []))}
        bugs = []
        for bug_id in corpus.ids():
            bug = corpus.bug(bug_id)
            if bug is None or not corpus.is_visible(bug_id):
                continue
            if (products and bug["product"] not in products) or (components and bug["component"] not in components):
                continue
            if wanted_ids and bug_id not in wanted_ids:
                continue
            if since and bug["last_change_time"] < since:
                continue
            if created and (bug.get("creation_time") or "") < created:
                continue
            bugs.append(bug)
        if _single(params, "count_only") in ("1", "true"):
            return {"bug_count": len(bugs)}
        if _single(params, "order") not in ("bug_id", "Bug Number", "bug_id ASC"):
            # No ORDER BY on BMO: the database's order, which is not stable between queries.
            random.Random(time.monotonic_ns()).shuffle(bugs)
        start = offset or 0
        page = bugs[start : start + limit] if _single(params, "limit") != "0" else bugs[:cap]
        return {"bugs": [_project(b, params) for b in page], "faults": []}

    def _get_bug(self, bug_id: int, params: dict[str, list[str]]) -> dict[str, Any]:
        self._check_visible(bug_id)
        bug = self.server.corpus.bug(bug_id)
        assert bug is not None
        return {"bugs": [_project(bug, params)], "faults": []}

    def _check_visible(self, bug_id: int) -> None:
        corpus = self.server.corpus
        if corpus.bug(bug_id) is None:
            raise ApiError(101, f"Bug #{bug_id} does not exist.")
        if not corpus.is_visible(bug_id):
            raise ApiError(102, f"You are not authorized to access bug #{bug_id}.")

    def _batch(self, first: int | None, params: dict[str, list[str]], entry: LoggedRequest, kind: str) -> list[int]:
        """The path id merged with every ``ids`` value, duplicates dropped (REST.pm ``_retrieve_json_params``);
        invisible bugs fail the whole call unless ``skip_private`` (comments and history only)."""
        ids: list[int] = []
        for value in [str(first), *params.get("ids", [])]:
            for part in value.split(","):
                if part.strip() and int(part) not in ids:
                    ids.append(int(part))
        entry.bug_ids = ids
        skip = kind in ("comment", "history") and _single(params, "skip_private") in ("1", "true")
        visible = []
        for bug_id in ids:
            try:
                self._check_visible(bug_id)
            except ApiError as err:
                if skip and err.code == 102:
                    continue
                raise
            visible.append(bug_id)
        return visible

    def _comments(self, ids: list[int], params: dict[str, list[str]], insider: bool) -> dict[str, Any]:
        since = _time_param(params, "new_since")
        corpus = self.server.corpus
        out = {}
        for bug_id in ids:
            comments = [c for c in corpus.comments(bug_id, include_private=insider) if not since or c["time"] > since]
            out[str(bug_id)] = {"comments": [_project(c, params) for c in comments]}
        return {"bugs": out, "comments": {}}

    def _history(self, ids: list[int], params: dict[str, list[str]]) -> dict[str, Any]:
        since = _time_param(params, "new_since")
        corpus = self.server.corpus
        return {
            "bugs": [
                {
                    "id": bug_id,
                    "alias": None,
                    "history": [h for h in corpus.history(bug_id) if not since or h["when"] > since],
                }
                for bug_id in ids
            ]
        }

    def _attachments(self, ids: list[int], params: dict[str, list[str]]) -> dict[str, Any]:
        corpus = self.server.corpus
        return {
            "bugs": {str(bug_id): [_project(a, params) for a in corpus.attachments(bug_id)] for bug_id in ids},
            "attachments": {},
        }

    def _get_attachment(self, attachment_id: int, params: dict[str, list[str]]) -> dict[str, Any]:
        att = self.server.corpus.attachment(attachment_id)
        if att is None or att["is_private"]:
            raise ApiError(100, f"Attachment #{attachment_id} does not exist.")
        self._check_visible(att["bug_id"])
        return {"bugs": {}, "attachments": {str(attachment_id): _project(att, params)}}
