"""A throwaway PostgreSQL server for tests.

``throwaway_postgres()`` is the Python twin of ``scripts/with-postgres.sh``::

    with throwaway_postgres() as url:
        ...  # postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable

It initialises a cluster in a temporary directory (trust authentication,
superuser ``postgres``), starts it on a free loopback port (listening on
127.0.0.1 only, unix socket inside the temporary directory), yields the URL,
and always stops the server and removes the directory on the way out, also
when the body raises or the process receives SIGTERM.

Server binaries come from ``$PG_BINDIR``, else ``/usr/lib/postgresql/15/bin``
or the newest ``/usr/lib/postgresql/*/bin`` (Debian), else ``pg_config
--bindir``, else ``PATH``. As root, the server runs as the ``postgres`` user
(``$PG_RUN_AS`` overrides it): initdb refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PostgresUnavailable", "find_bindir", "throwaway_postgres"]

START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries cannot be found or the server fails to start."""


def _version_key(path: str) -> tuple[int, ...]:
    parts = Path(path).parent.name.split(".")
    return tuple(int(p) for p in parts if p.isdigit())


def find_bindir() -> Path | None:
    """Directory holding initdb and pg_ctl, or None."""

    def ok(d: str | os.PathLike[str]) -> bool:
        return os.access(Path(d) / "initdb", os.X_OK) and os.access(Path(d) / "pg_ctl", os.X_OK)

    env = os.environ.get("PG_BINDIR")
    if env:
        return Path(env) if ok(env) else None
    candidates = ["/usr/lib/postgresql/15/bin"]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for d in candidates:
        if ok(d):
            return Path(d)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            d = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            if d and ok(d):
                return Path(d)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl and ok(Path(pg_ctl).parent):
        return Path(pg_ctl).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    def __init__(self, bindir: Path, run_as: str | None) -> None:
        self.bindir = bindir
        self.run_as = run_as
        self.tmp = Path(tempfile.mkdtemp(prefix="altalune-pg."))
        self.data = self.tmp / "data"
        self.sock = self.tmp / "sock"
        self.log = self.tmp / "postgres.log"
        self.port = 0
        self.started = False

    def _cmd(self, *args: str | os.PathLike[str]) -> list[str]:
        argv = [os.fspath(a) for a in args]
        if self.run_as is None:
            return argv
        if shutil.which("runuser"):
            return ["runuser", "-u", self.run_as, "--", *argv]
        return ["su", "-s", "/bin/sh", self.run_as, "-c", shlex.join(argv)]

    def _run(self, *args: str | os.PathLike[str], timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(*args),
            cwd=self.tmp,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def init(self) -> None:
        self.sock.mkdir()
        if self.run_as is not None:
            import pwd

            pw = pwd.getpwnam(self.run_as)
            for p in (self.tmp, self.sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        os.chmod(self.tmp, 0o700)
        res = self._run(
            self.bindir / "initdb",
            "-D", self.data,
            "-A", "trust",
            "-U", "postgres",
            "-E", "UTF8",
            "--no-locale",
            "--no-sync",
            timeout=120,
        )
        if res.returncode != 0:
            raise PostgresUnavailable(f"initdb failed:\n{res.stdout}{res.stderr}")

    def start(self) -> None:
        last = ""
        for attempt in range(5):
            self.port = _free_port()
            opts = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-p {self.port}",
                    f"-k {self.sock}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=200",
                ]
            )
            self.started = True
            res = self._run(
                self.bindir / "pg_ctl",
                "-D", self.data,
                "-l", self.log,
                "-w", "-t", str(START_TIMEOUT_S),
                "-o", opts,
                "start",
                timeout=START_TIMEOUT_S + 30,
            )
            if res.returncode == 0:
                return
            self.started = False
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "-t", "10", "stop", timeout=40)
            try:
                last = self.log.read_text(errors="replace")
            except OSError:
                last = res.stdout + res.stderr
            lower = last.lower()
            if ("could not bind" in lower or "address already in use" in lower) and attempt < 4:
                continue
            break
        raise PostgresUnavailable(f"PostgreSQL failed to start:\n{last}")

    def stop(self) -> None:
        if self.started:
            self.started = False
            try:
                res = self._run(
                    self.bindir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", str(STOP_TIMEOUT_S), "stop",
                    timeout=STOP_TIMEOUT_S + 10,
                )
                stopped = res.returncode == 0
            except subprocess.TimeoutExpired:
                stopped = False
            if not stopped:
                self._kill_postmaster()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGQUIT)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit while inside, so that cleanup runs."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a temporary PostgreSQL on loopback and yield its URL."""
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BINDIR or run scripts/bootstrap.sh"
        )
    run_as: str | None = None
    if os.geteuid() == 0:
        run_as = os.environ.get("PG_RUN_AS", "postgres")
    with _sigterm_as_exit():
        cluster = _Cluster(bindir, run_as)
        try:
            cluster.init()
            cluster.start()
            yield f"postgres://postgres@127.0.0.1:{cluster.port}/postgres?sslmode=disable"
        finally:
            cluster.stop()
