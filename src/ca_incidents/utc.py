"""The store's one time convention, naive datetimes in UTC, and the only code that converts to it.

Bugzilla returns ``...Z`` strings; DuckDB ``TIMESTAMP`` has no zone. Every stage converts through these
helpers, so "an aware time becomes UTC, a naive one is taken as UTC" is decided once.
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_naive_utc(moment: datetime) -> datetime:
    """A time as the store keeps it: aware times converted to UTC, naive ones taken as UTC already."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def parse_utc(text: str) -> datetime:
    """An ISO 8601 date or time (``Z``, an offset, or none = UTC) as naive UTC; ``ValueError`` when not ISO."""
    return to_naive_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def utc_now() -> datetime:
    """The current time, naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
