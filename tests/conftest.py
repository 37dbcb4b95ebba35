"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared folder with real Bugzilla metadata; skips the test when it is absent."""
    if not (SHARED_DIR / "data").is_dir():
        pytest.skip(f"needs real Bugzilla metadata in {SHARED_DIR}/data (see ../shared/README.md); not present")
    return SHARED_DIR


@pytest.fixture(scope="session")
def real_bug_records(shared_dir: Path) -> list[dict]:
    """The 827 real CA compliance bug records (metadata only) from ../shared/data."""
    import json

    path = shared_dir / "data" / "bmo-ca-compliance-bugs-2026-03-even.json"
    return json.loads(path.read_text(encoding="utf-8"))["bugs"]
