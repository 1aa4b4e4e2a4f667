"""The codebase's own rules, checked on every run: ruff-clean, the layers' import contracts
(offline/printer/central never import the TUI or the counter; the contract stands alone)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_clean() -> None:
    run = subprocess.run(
        [str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_import_contracts_hold() -> None:
    run = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_counter_install_needs_neither_the_central_nor_the_drill() -> None:
    """`pip install boxoffice-pos` on a counter brings no FastAPI and no matplotlib: they are
    the [central] and [drill] extras, and nothing the counter imports loads them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = " ".join(project["dependencies"])
    assert "fastapi" not in base and "uvicorn" not in base and "matplotlib" not in base
    assert "fastapi" in " ".join(project["optional-dependencies"]["central"])
    probe = (
        "import sys, pos.cli, pos.counter.service, pos.tui.app\n"
        "from pos.cli import build_parser\n"
        "build_parser()\n"
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'matplotlib') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
