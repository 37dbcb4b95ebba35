"""Shared test fixtures."""

from __future__ import annotations

import shutil
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


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus served on loopback, harvested, parsed, scored and measured once per test session (exactly
    what `ca-incidents demo --no-reports` builds). Read it; a test that writes to a store uses ``copy_store``."""
    from ca_incidents.pipeline import run_demo
    from ca_incidents.settings import load_settings

    data_dir = tmp_path_factory.mktemp("demo-store") / "demo"
    run_demo(data_dir=data_dir, model=load_settings().spacy_model, reports_dir=None, log=lambda _message: None)
    return data_dir


def copy_store(data_dir: Path, to: Path) -> Path:
    """A private copy of a store's database (without its HTTP cache), for tests that change it."""
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(data_dir / "corpus.duckdb", to / "corpus.duckdb")
    return to
