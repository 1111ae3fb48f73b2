"""End-to-end test of the reference target (example/).

Starts a throwaway PostgreSQL, builds the server binary (example/cmd/altalune)
and runs the Go suite in example/e2e (build tag ``e2e``), which starts the
server on loopback ports and drives every RPC over Connect and gRPC.

Needs Go and the PostgreSQL server binaries (scripts/bootstrap.sh installs
them). Select or skip it with the ``e2e`` marker: ``pytest -m e2e`` /
``pytest -m "not e2e"``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    from tests.pg import throwaway_postgres
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    from pg import throwaway_postgres

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example"

BUILD_TIMEOUT_S = 900
# Bound of the whole go test run, go's own -timeout a little below it.
TEST_TIMEOUT_S = 1500
GO_TEST_TIMEOUT = "20m"


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        pytest.fail("the go command is not installed (run scripts/bootstrap.sh or install Go)")
    return go


def _run(argv: list[str], *, env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run a command in example/ in its own process group, stream its output
    and return (exit code, output). On timeout the whole group is killed, so
    that neither go test nor the server it started outlive the test."""
    proc = subprocess.Popen(
        argv,
        cwd=EXAMPLE,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        assert proc.stdout is not None
        # The read loop ends when the group closes its output; the deadline
        # is enforced by a watchdog that kills the group.
        def watchdog() -> None:
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    lines.append(f"\n*** timed out after {timeout:.0f}s; killing process group {proc.pid}\n")
                    _kill_group(proc)
                    return
                time.sleep(0.5)

        threading.Thread(target=watchdog, daemon=True).start()
        for line in proc.stdout:
            lines.append(line)
            sys.stdout.write(line)
            sys.stdout.flush()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            _kill_group(proc)
            proc.wait(timeout=60)
    return proc.returncode, "".join(lines)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        for _ in range(100):
            if proc.poll() is not None:
                break
            time.sleep(0.1)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def server_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("altalune-bin") / "altalune"
    code, output = _run([_go(), "build", "-o", str(out), "./cmd/altalune"], env=dict(os.environ),
                        timeout=BUILD_TIMEOUT_S)
    if code != 0:
        pytest.fail(f"go build ./cmd/altalune failed (exit {code}):\n{output}", pytrace=False)
    return out


def test_e2e_suite(postgres_url: str, server_bin: Path) -> None:
    env = dict(os.environ)
    env["ALTALUNE_E2E_DATABASE_URL"] = postgres_url
    env["ALTALUNE_E2E_SERVER_BIN"] = str(server_bin)
    code, output = _run(
        [_go(), "test", "-tags", "e2e", "-count=1", "-v", "-timeout", GO_TEST_TIMEOUT, "./e2e/..."],
        env=env,
        timeout=TEST_TIMEOUT_S,
    )
    if code != 0:
        failed = [ln.strip() for ln in output.splitlines() if ln.lstrip().startswith("--- FAIL")]
        summary = "\n".join(failed[:60]) or "(no failing test named; see the output above)"
        pytest.fail(f"go test -tags e2e ./e2e/... exited {code}; failing tests:\n{summary}", pytrace=False)
