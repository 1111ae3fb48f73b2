"""The project's own habits: ruff over the Python, mypy --strict over the
plugin (both configured in pyproject.toml, pinned in requirements-dev.txt)."""

from __future__ import annotations

import subprocess

from golden_harness import REPO, tool_env, which


def test_ruff():
    proc = subprocess.run([which("ruff"), "check", "--no-cache", "protoc_gen_altalune", "tests", "bench", "scripts"],
                          cwd=REPO, capture_output=True, text=True, env=tool_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict():
    proc = subprocess.run([which("mypy"), "--no-incremental"], cwd=REPO, capture_output=True, text=True,
                          env=tool_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found" in proc.stdout
