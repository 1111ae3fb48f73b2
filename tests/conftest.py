"""Shared by every test: the project's installed tools come first on PATH,
whether pytest runs from scripts/test.sh or directly."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_tools = [ROOT / ".tools" / "venv" / "bin", ROOT / ".tools" / "bin"]
os.environ["PATH"] = os.pathsep.join([str(p) for p in _tools] + [os.environ.get("PATH", "")])
