"""Shared by every test: the project's installed tools come first on PATH,
whether pytest runs from scripts/test.sh or directly."""

from __future__ import annotations

import os

from golden_harness import TOOLS

os.environ["PATH"] = os.pathsep.join([str(p) for p in TOOLS] + [os.environ.get("PATH", "")])
