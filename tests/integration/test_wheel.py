"""The wheel is self-contained: built from this tree, installed into a fresh virtual environment outside the repo,
`ca-incidents demo` (harvest → … → notebooks) and `ca-incidents evaluate parser` work from a folder elsewhere.

Fast and offline: the wheel is built with the project's own hatchling (no build isolation), the new environment
has no pip of its own, and the project's dependencies come from the project environment's site-packages through
a ``.pth`` line (which adds that folder to ``sys.path`` after the new environment's own, without running the
editable install's path hook), so the only ``ca_incidents`` the new environment can import is the wheel's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.wheel]


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_the_installed_wheel_runs_the_demo_and_the_parser_evaluation_outside_the_repo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(dist),
          str(REPO_ROOT)], cwd=tmp_path)  # fmt: skip
    (wheel,) = dist.glob("ca_incidents-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())  # fmt: skip
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
         cwd=tmp_path)  # fmt: skip

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CA_INCIDENTS_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # ipykernel's kernelspec is a data file that a real install puts in <venv>/share/jupyter; it came with the
    # dependencies, so it is in the project environment (its command, "python", is the new venv's through PATH)
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    where = _run([str(python), "-c", "import ca_incidents; print(ca_incidents.__file__)"], cwd=work, env=env)
    assert where.stdout.startswith(str(site)), where.stdout  # the wheel's copy, not the source tree

    cli = str(venv / "bin" / "ca-incidents")
    demo = _run([cli, "demo"], cwd=work, env=env)
    assert (work / "data" / "demo" / "corpus.duckdb").is_file()
    pages = sorted(p.name for p in (work / "reports").glob("*.html"))
    assert "index.html" in pages and len(pages) >= 6, (pages, demo.stderr[-2000:])
    evaluation = _run([cli, "evaluate", "parser"], cwd=work, env=env)
    assert "parser on heldout" in evaluation.stdout
