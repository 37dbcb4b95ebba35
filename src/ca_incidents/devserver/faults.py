"""Fault injection and BMO rate-limit emulation for the local server.

Faults are drawn from a seeded generator so a failing test can be rerun with the same fault stream
(the exact request each fault hits still depends on thread scheduling).
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field

# Every fault kind the server knows; "429" sends Retry-After, "429-html" is BMO's blocked-IP page without it.
FAULT_KINDS = ("429", "429-html", "500", "502", "503", "slow", "timeout", "truncated")
TRANSIENT_MIX = ("429", "429-html", "500", "502", "503", "timeout", "truncated")


@dataclass
class Faults:
    """What goes wrong, and how often.

    ``rate`` is the chance that a request gets one of ``kinds``; ``script`` lists faults (or ``None`` for
    a normal answer) for the next requests, in order, before ``rate`` applies.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = TRANSIENT_MIX
    seed: int = 0
    script: list[str | None] = field(default_factory=list)
    retry_after: int = 1  # seconds, for the "429" kind
    slow_seconds: float = 0.3
    timeout_seconds: float = 2.0  # should exceed the client's read timeout
    endpoints: tuple[str, ...] | None = None  # None = every endpoint kind

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS) | {s for s in self.script if s} - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {FAULT_KINDS}")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._script = deque(self.script)

    def draw(self, endpoint: str) -> str | None:
        """The fault for the next request to ``endpoint`` (None = answer normally)."""
        if self.endpoints is not None and endpoint not in self.endpoints:
            return None
        with self._lock:
            if self._script:
                return self._script.popleft()
            if self.rate and self._rng.random() < self.rate:
                return self._rng.choice(self.kinds)
        return None


class RateLimitEmulator:
    """BMO's anonymous limit: ``limit`` calls per ``window`` s per rate-limited kind; the call that crosses it
    gets a JSON ``rate_limit`` error and blocks the client for ``block`` s, and every blocked call extends it."""

    LIMITED = frozenset({"bug", "comment", "attachment", "attachment_get"})

    def __init__(self, limit: int = 75, window: float = 60.0, block: float = 3600.0):
        self.limit, self.window, self.block = limit, window, block
        self._calls: dict[str, deque[float]] = {}
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def check(self, endpoint: str, *, authenticated: bool) -> str | None:
        """``None`` to answer, ``"blocked"`` for the HTML 429, ``"rate_limit"`` for the JSON error."""
        now = time.monotonic()
        with self._lock:
            if now < self._blocked_until:
                self._blocked_until = now + self.block
                return "blocked"
            if authenticated or endpoint not in self.LIMITED:
                return None
            calls = self._calls.setdefault(endpoint, deque())
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            calls.append(now)
            if len(calls) > self.limit:
                self._blocked_until = now + self.block
                return "rate_limit"
        return None
