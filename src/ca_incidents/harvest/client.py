"""HTTP client for Bugzilla's REST API: a recording cache, a client-side rate limit and polite retries.

Why each piece exists (see ../shared/spec/bugzilla-rest.md):
- every answer is recorded in a requests-cache JSON file cache, so ``offline`` replays a harvest exactly;
- BMO blocks an anonymous IP for an hour after 75 reads a minute, and retrying while blocked extends the
  block, so we throttle below that and answer a rate-limit signal with one long pause, not a retry storm;
- BMO sends no Retry-After, but proxies might, so we honour it when present;
- the API key travels only in a header whose name requests-cache redacts (the match is case-sensitive).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from requests_cache import NEVER_EXPIRE, CacheMixin
from requests_cache.policy.settings import DEFAULT_IGNORED_PARAMS
from requests_ratelimiter import LimiterMixin
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ca_incidents import __version__
from ca_incidents.settings import ANONYMOUS_RATE_LIMIT, DEFAULT_BASE_URL

if TYPE_CHECKING:
    from ca_incidents.settings import Settings

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/ca-incidents/ca-incidents"
USER_AGENT = f"ca-incidents/{__version__} (+{PROJECT_URL})"
API_KEY_HEADER = "X-BUGZILLA-API-KEY"
# Every spelling a key could travel under; requests-cache compares these names case-sensitively.
IGNORED_PARAMETERS = (
    *DEFAULT_IGNORED_PARAMS,
    API_KEY_HEADER,
    "X-Bugzilla-API-Key",
    "X-Bugzilla-Api-Key",
    "x-bugzilla-api-key",
    "Bugzilla_api_key",
    "api_key",
)
FIXED_HEADERS = {"Accept": "application/json", "Accept-Encoding": "gzip, deflate", "User-Agent": USER_AGENT}
CACHE_DIRNAME = "http-cache"


class HarvestError(Exception):
    """The harvest cannot go on (exit code 1)."""


class OfflineCacheMiss(HarvestError):
    """An offline run needed a response the cache does not hold (exit code 3)."""


class RateLimited(HarvestError):
    """Bugzilla kept refusing after the long pauses we allow ourselves."""


class BugzillaApiError(HarvestError):
    """Bugzilla answered with its ``{"error": true, ...}`` JSON (not retried: asking again will not help)."""

    def __init__(self, url: str, status: int, code: int | None, message: str):
        super().__init__(f"Bugzilla error {code} (HTTP {status}) for {url}: {message}")
        self.status, self.code = status, code


class TransientError(Exception):
    """A failure worth retrying after a backoff (or after ``retry_after`` seconds when the server said so)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RateLimitSignal(Exception):
    """A 429 without Retry-After or a BMO ``rate_limit`` error: the IP is (about to be) blocked."""


@dataclass(frozen=True)
class RetryPolicy:
    """Timeouts, backoff and rate-limit pauses (tests shrink them)."""

    timeout: tuple[float, float] = (10.0, 60.0)  # connect, read
    max_attempts: int = 6
    backoff_initial: float = 2.0
    backoff_max: float = 120.0
    max_retry_after: float = 3700.0
    rate_limit_pause: float = 3700.0  # BMO blocks for 3600 s; every request while blocked extends it
    max_rate_limit_pauses: int = 2


@dataclass(frozen=True)
class ClientConfig:
    """Where to talk to, where to record the answers, and how politely."""

    cache_dir: Path
    base_url: str = DEFAULT_BASE_URL
    offline: bool = False
    api_key: str | None = field(default=None, repr=False)  # None: anonymous
    rate_limit: float = ANONYMOUS_RATE_LIMIT  # requests per minute (network only; cache hits are free)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if self.rate_limit <= 0:
            raise ValueError("rate limit must be positive (requests per minute)")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @classmethod
    def from_settings(cls, settings: Settings, *, offline: bool = False, cache_dir: Path | None = None) -> ClientConfig:
        """The client the settings describe; the cache defaults to ``<data_dir>/http-cache``."""
        return cls(
            cache_dir=cache_dir if cache_dir is not None else default_cache_dir(settings.data_dir),
            base_url=settings.base_url,
            offline=offline,
            api_key=settings.api_key_value(),
            rate_limit=settings.rate_limit,
        )


def default_cache_dir(data_dir: Path) -> Path:
    """Where a data dir keeps its recorded HTTP answers (what ``--offline`` replays)."""
    return Path(data_dir) / CACHE_DIRNAME


def is_cacheable(response: requests.Response) -> bool:
    """Only complete, non-error JSON may enter the cache: a truncated body must never be replayed."""
    if response.status_code != 200:
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return not (isinstance(body, dict) and body.get("error"))


def batch_request(kind: str, ids: Sequence[int], *, new_since: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """Path and parameters for comments/history/attachments of many bugs in one call.

    BMO merges the id in the path with every ``ids`` value, so the first id goes in the path. Ids are sorted
    so the URL, and therefore the cache key, depends only on the set of bugs.
    """
    if not ids:
        raise ValueError("a batch needs at least one bug id")
    first, *rest = sorted(set(ids))
    params = [("ids", str(i)) for i in rest]
    if kind in ("comment", "history"):
        params.append(("skip_private", "1"))
    elif kind == "attachment":
        params.append(("exclude_fields", "data"))
    else:
        raise ValueError(f"unknown batch kind {kind!r}")
    if new_since and kind != "attachment":
        params.append(("new_since", new_since))
    return f"/rest/bug/{first}/{kind}", params


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def classify(response: requests.Response, url: str) -> Any:
    """The JSON body of a good answer; otherwise raise what the retry policy should see."""
    status = response.status_code
    if status == 429:
        retry_after = _retry_after(response)
        if retry_after is None:
            raise RateLimitSignal(f"HTTP 429 for {url}")
        raise TransientError(f"HTTP 429 for {url}", retry_after=retry_after)
    if status >= 500 or status == 408:
        raise TransientError(f"HTTP {status} for {url}", retry_after=_retry_after(response))
    try:
        body = response.json()
    except ValueError:
        if status == 200:
            raise TransientError(f"truncated or invalid JSON from {url}") from None
        raise BugzillaApiError(url, status, None, response.text[:200]) from None
    if isinstance(body, dict) and body.get("error"):
        message = str(body.get("message", ""))
        if "rate limit" in message.lower() or "rate_limit" in message.lower():
            raise RateLimitSignal(f"Bugzilla rate_limit error for {url}: {message}")
        raise BugzillaApiError(url, status, body.get("code"), message)
    if status != 200:
        raise BugzillaApiError(url, status, None, f"unexpected HTTP {status}")
    return body


class _Session(CacheMixin, LimiterMixin, requests.Session):  # type: ignore[misc]
    """Cache first, then the limiter: cache hits never spend the rate budget."""


class BugzillaClient:
    """GET JSON from Bugzilla's REST API through the cache, the rate limiter and the retry policy.

    Thread-safe: the harvester calls ``get`` from a small thread pool.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config
        self._sleep, self._clock = sleep, clock
        self._lock = threading.Lock()
        self._blocked_until = 0.0
        self.pauses = 0
        self._gave_up: RateLimited | None = None
        self.requests_made = 0
        self.cache_hits = 0
        config.cache_dir.mkdir(parents=True, exist_ok=True)
        self.session = _Session(
            cache_name=str(config.cache_dir),
            backend="filesystem",
            serializer="json",
            expire_after=NEVER_EXPIRE,
            allowable_codes=(200,),
            allowable_methods=("GET",),
            ignored_parameters=IGNORED_PARAMETERS,
            filter_fn=is_cacheable,
            per_minute=config.rate_limit,
            per_host=True,
            limit_statuses=(),  # a 429 is handled by the long pause below, not by refilling the bucket
        )
        self.session.headers.update(FIXED_HEADERS)
        if config.api_key:
            self.session.headers[API_KEY_HEADER] = config.api_key

    @property
    def is_authenticated(self) -> bool:
        return bool(self.config.api_key)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> BugzillaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str, params: Sequence[tuple[str, str]] = ()) -> str:
        """The full URL of a request (what the cache is keyed on; never holds the key)."""
        prepared = requests.Request("GET", self.config.base_url + path, params=list(params)).prepare()
        return str(prepared.url)

    def get(self, path: str, params: Sequence[tuple[str, str]] = ()) -> Any:
        """The JSON body of ``GET {base_url}{path}?{params}``, retried on transient failures."""
        url = self.url(path, params)
        if self.config.offline:
            return self._get_offline(url)
        policy = self.config.retry
        retrying = Retrying(
            stop=stop_after_attempt(policy.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type((TransientError, RateLimitSignal)),
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._get_once(url)
        except (TransientError, RateLimitSignal) as exc:
            raise HarvestError(f"giving up on {url} after {policy.max_attempts} attempts: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover - Retrying either returns or raises

    def _get_offline(self, url: str) -> Any:
        response = self.session.get(url, only_if_cached=True)
        if response.status_code == 504:  # only 200s are ever cached, so this is requests-cache's "Not Cached"
            raise OfflineCacheMiss(
                f"offline: {url} is not in the cache at {self.config.cache_dir}; "
                "run the same harvest online first (same --base-url, --product and --component)"
            )
        with self._lock:
            self.cache_hits += 1
        return classify(response, url)

    def _get_once(self, url: str) -> Any:
        self._wait_until_unblocked()
        try:
            response = self.session.get(url, force_refresh=True, timeout=self.config.retry.timeout)
        except (requests.Timeout, requests.ConnectionError) as exc:
            with self._lock:
                self.requests_made += 1
            raise TransientError(f"{type(exc).__name__} for {url}") from None
        with self._lock:
            self.requests_made += 1
        try:
            return classify(response, url)
        except RateLimitSignal:
            self._start_pause(url)
            raise

    def _wait_until_unblocked(self) -> None:
        while True:
            with self._lock:
                if self._gave_up is not None:  # once we stopped, no thread may knock again
                    raise self._gave_up
                remaining = self._blocked_until - self._clock()
            if remaining <= 0:
                return
            self._sleep(remaining)

    def _start_pause(self, url: str) -> None:
        """One long pause shared by every thread: requests while blocked would extend BMO's block."""
        policy = self.config.retry
        with self._lock:
            if self._clock() < self._blocked_until:
                return  # another thread already started this pause
            self.pauses += 1
            if self.pauses > policy.max_rate_limit_pauses:
                self._gave_up = RateLimited(
                    f"Bugzilla is still rate-limiting after {policy.max_rate_limit_pauses} pause(s) of "
                    f"{policy.rate_limit_pause:g} s; stopping. Rerun later (the harvest resumes where it stopped), "
                    "or set CA_INCIDENTS_API_KEY (or BUGZILLA_API_KEY) to use an authenticated account."
                )
                raise self._gave_up
            self._blocked_until = self._clock() + policy.rate_limit_pause
        log.warning(
            "Bugzilla rate limit reached (%s). BMO blocks the address for an hour and every request while blocked "
            "extends the block, so all requests pause for %g s before resuming.",
            url,
            policy.rate_limit_pause,
        )

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimitSignal):
            return 0.0  # the shared pause in _wait_until_unblocked does the waiting
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return min(exc.retry_after, self.config.retry.max_retry_after)
        policy = self.config.retry
        backoff = wait_exponential_jitter(
            multiplier=policy.backoff_initial, max=policy.backoff_max, jitter=policy.backoff_initial
        )
        return backoff(state)

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info("retrying (attempt %d): %s", state.attempt_number, exc)
