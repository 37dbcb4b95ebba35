"""Unit tests of the client's pure pieces: URL building, cacheability, answer classification, retry waits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from ca_incidents.harvest.client import (
    API_KEY_HEADER,
    IGNORED_PARAMETERS,
    USER_AGENT,
    BugzillaApiError,
    BugzillaClient,
    ClientConfig,
    RateLimited,
    RateLimitSignal,
    RetryPolicy,
    TransientError,
    batch_request,
    classify,
    is_cacheable,
)


def response(status: int, body: bytes | str, headers: dict[str, str] | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body.encode() if isinstance(body, str) else body
    r.headers.update(headers or {})
    return r


def test_batch_request_puts_the_smallest_id_in_the_path_and_the_rest_in_sorted_ids():
    path, params = batch_request("comment", [30, 10, 20, 10], new_since="2024-01-01T00:00:00Z")
    assert path == "/rest/bug/10/comment"
    assert params == [("ids", "20"), ("ids", "30"), ("skip_private", "1"), ("new_since", "2024-01-01T00:00:00Z")]


def test_batch_request_for_attachments_excludes_data_and_has_no_skip_private_or_new_since():
    path, params = batch_request("attachment", [5, 4], new_since="2024-01-01T00:00:00Z")
    assert path == "/rest/bug/4/attachment"
    assert params == [("ids", "5"), ("exclude_fields", "data")]


def test_batch_request_rejects_empty_batches_and_unknown_kinds():
    with pytest.raises(ValueError):
        batch_request("comment", [])
    with pytest.raises(ValueError):
        batch_request("flags", [1])


def test_only_complete_non_error_json_is_cacheable():
    assert is_cacheable(response(200, '{"bugs": []}'))
    assert not is_cacheable(response(200, '{"bugs": [{"id": 1'))  # truncated
    assert not is_cacheable(response(200, '{"error": true, "code": 102}'))
    assert not is_cacheable(response(500, '{"bugs": []}'))


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (429, "<html>blocked</html>", {}, RateLimitSignal),
        (400, '{"error": true, "code": 114, "message": "You have exceeded the rate limit."}', {}, RateLimitSignal),
        (503, "<html>503</html>", {}, TransientError),
        (502, "", {}, TransientError),
        (200, '{"bugs": [', {}, TransientError),
        (401, '{"error": true, "code": 102, "message": "not authorized"}', {}, BugzillaApiError),
        (200, '{"error": true, "code": 51, "message": "bad"}', {}, BugzillaApiError),
    ],
)
def test_classify_sorts_answers_into_retry_classes(status, body, headers, expected):
    with pytest.raises(expected):
        classify(response(status, body, headers), "http://x/rest/bug")


def test_classify_reads_retry_after_on_429_and_5xx():
    with pytest.raises(TransientError) as err:
        classify(response(429, "slow down", {"Retry-After": "17"}), "u")
    assert err.value.retry_after == 17.0
    with pytest.raises(TransientError) as err:
        classify(response(503, "busy", {"Retry-After": "3"}), "u")
    assert err.value.retry_after == 3.0


def test_classify_returns_the_body_of_a_good_answer():
    assert classify(response(200, '{"bugs": [{"id": 1}]}'), "u") == {"bugs": [{"id": 1}]}


def test_api_key_header_spellings_are_ignored_by_the_cache():
    for name in (API_KEY_HEADER, "X-Bugzilla-API-Key", "Bugzilla_api_key", "api_key"):
        assert name in IGNORED_PARAMETERS


def test_api_key_is_not_in_the_config_repr(tmp_path: Path):
    config = ClientConfig(cache_dir=tmp_path, api_key="sekrit-123")
    assert "sekrit-123" not in repr(config)


def test_client_sets_fixed_headers_and_sends_the_key_only_as_a_header(tmp_path: Path):
    with BugzillaClient(ClientConfig(base_url="http://127.0.0.1:9", cache_dir=tmp_path, api_key="k-1")) as client:
        assert client.session.headers["User-Agent"] == USER_AGENT
        assert client.session.headers["Accept"] == "application/json"
        assert client.session.headers[API_KEY_HEADER] == "k-1"
        url = client.url("/rest/bug", [("product", "CA Program"), ("limit", "5")])
    assert "k-1" not in url
    assert urlsplit(url).path == "/rest/bug"
    assert parse_qsl(urlsplit(url).query) == [("product", "CA Program"), ("limit", "5")]


def _client(tmp_path: Path, sleeps: list[float], **policy: float) -> BugzillaClient:
    """A client whose sleeps are recorded and advance a fake clock instead of waiting."""
    retry = RetryPolicy(**{"backoff_initial": 1.0, "backoff_max": 8.0, **policy})  # type: ignore[arg-type]
    now = [0.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    return BugzillaClient(ClientConfig(cache_dir=tmp_path, retry=retry), sleep=sleep, clock=lambda: now[0])


def test_retry_waits_grow_exponentially_with_jitter_and_stop_after_max_attempts(tmp_path, monkeypatch):
    sleeps: list[float] = []
    client = _client(tmp_path, sleeps, max_attempts=5)
    calls = []

    def failing(url):
        calls.append(url)
        raise TransientError("HTTP 503")

    monkeypatch.setattr(client, "_get_once", failing)
    with pytest.raises(Exception, match=r"giving up .* after 5 attempts"):
        client.get("/rest/time")
    assert len(calls) == 5
    assert len(sleeps) == 4
    for attempt, wait in enumerate(sleeps):
        base = min(8.0, 1.0 * 2**attempt)
        assert base <= wait <= min(8.0, base + 1.0)
    client.close()


def test_retry_after_is_honoured_and_capped(tmp_path, monkeypatch):
    sleeps: list[float] = []
    client = _client(tmp_path, sleeps, max_retry_after=30.0)
    answers = iter([TransientError("429", retry_after=12.0), TransientError("429", retry_after=9999.0)])

    def once(url):
        exc = next(answers, None)
        if exc:
            raise exc
        return {"ok": 1}

    monkeypatch.setattr(client, "_get_once", once)
    assert client.get("/rest/time") == {"ok": 1}
    assert sleeps == [12.0, 30.0]
    client.close()


def test_a_rate_limit_signal_causes_one_shared_long_pause_then_gives_up(tmp_path, monkeypatch):
    sleeps: list[float] = []
    client = _client(tmp_path, sleeps, rate_limit_pause=3600.0, max_rate_limit_pauses=1)
    sent = []

    class Blocked:
        status_code = 429
        headers: ClassVar[dict[str, str]] = {}
        text = "<html>blocked</html>"

        def json(self):
            raise ValueError

    def fake_get(url, **kwargs):
        sent.append(url)
        return Blocked()

    monkeypatch.setattr(client.session, "get", fake_get)
    with pytest.raises(RateLimited, match="still rate-limiting"):
        client.get("/rest/bug/1/comment")
    assert len(sent) == 2  # the blocked request and one retry after the pause: no storm
    assert client.pauses == 2
    assert [s for s in sleeps if s] == [3600.0]
    client.close()


def test_cached_json_is_redacted(tmp_path):
    """The filesystem cache stores JSON; an ignored header name appears only as REDACTED."""
    client = BugzillaClient(ClientConfig(cache_dir=tmp_path, api_key="zz-key"))
    assert client.session.settings.ignored_parameters == IGNORED_PARAMETERS
    assert client.session.cache.__class__.__name__ == "FileCache"
    client.close()
    json.dumps(list(IGNORED_PARAMETERS))  # names are plain strings
