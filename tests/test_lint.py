"""The house rules run with the suite: ruff and mypy must be clean."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import platformdirs

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_clean() -> None:
    assert shutil.which("ruff") or run("ruff", "--version").returncode == 0
    result = run("ruff", "check", "src", "tests", "benchmarks", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def mypy_cache() -> Path:
    """Where the type check keeps mypy's cache: one folder in the user's cache shared by every checkout, so that a
    fresh one checks the third-party stubs (~20 s of CPU cold) only once per machine, not once per tree; mypy
    re-checks any module whose file differs, and MYPY_CACHE_DIR, if set, still wins."""
    return Path(platformdirs.user_cache_dir("summitgame")) / "mypy"


def test_mypy_clean() -> None:
    # a file per module, each replaced atomically, rather than the default SQLite database: two checkouts may
    # type-check at the same moment
    result = run("mypy", "--cache-dir", str(mypy_cache()), "--no-sqlite-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def readme_test_command() -> str:
    """The test command of the README's quick start (its first fenced block that runs pytest)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme[readme.index("## Quick start") :]
    blocks = quick.split("```")[1::2]  # the fenced blocks of the quick start, in order
    return next(b.strip() for b in blocks if "pytest" in b)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()[-1]
    assert ci.replace("pip install -q ", "pip install ") == readme_test_command()


def test_the_test_command_runs_the_fast_suite_and_then_the_slow_one() -> None:
    """A bare ``pytest`` deselects the slow tests (pyproject's addopts), so the command must run both."""
    steps = [s.strip() for s in readme_test_command().split("&&")]
    assert [s for s in steps if "pytest" in s] == ["python -m pytest", "python -m pytest -m slow"]
    addopts = shlex.split(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]["addopts"]
    )
    assert addopts[addopts.index("-m") + 1] == "not slow"
    # the house rules stay in the fast suite
    for check in (test_ruff_clean, test_mypy_clean):
        assert not [
            m for m in [*getattr(check, "pytestmark", []), *globals().get("pytestmark", [])] if m.name == "slow"
        ]
