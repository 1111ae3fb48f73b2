"""The Query benchmark (bench/query, a Go module over example/) keeps
building against the reference target as the generated code changes: it is
not run here (it prints figures, see the README's Query speed), but it must
compile, vet and be gofmt -s clean."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "query"


@pytest.mark.parametrize("cmd", [["go", "build", "-o", "/dev/null", "."], ["go", "vet", "./..."],
                                 ["gofmt", "-s", "-l", "."]])
def test_query_benchmark_builds(cmd: list[str]) -> None:
    result = subprocess.run(cmd, cwd=BENCH, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "", result.stdout
