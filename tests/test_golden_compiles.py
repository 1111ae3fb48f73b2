"""Every success case's output compiles: go build, go vet and gofmt -s -l.

The reference case is proven by example/ itself (test_example_compiles). Each
other case gets a copy of the example without its domains (see go_module.py),
the case's generated files and protobuf code, and its hand-written files.
The modules build concurrently and share the Go build and module caches.

With PostgreSQL (marker ``e2e``), each case's own server binary applies the
case's migrations to a fresh database and its schema check must find every
table as the generated repositories assume it.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
from pathlib import Path

import pytest
from go_module import build_module, check_module, cpu_count, go_available, go_env
from golden_harness import load_cases

try:
    from tests.pg import find_bindir, throwaway_postgres
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    from pg import find_bindir, throwaway_postgres

pytestmark = pytest.mark.go

COMPILED = [c for c in load_cases() if not c.is_error and c.name != "reference"]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """Builds every case's module once, concurrently: case name -> (module
    root, failures)."""
    reason = go_available()
    if reason:
        pytest.fail(f"Go is required to check the generated code: {reason}")
    base = tmp_path_factory.mktemp("modules")
    env = go_env()

    def run(case):
        work = base / case.name
        work.mkdir()
        try:
            root, added = build_module(case, work)
        except AssertionError as err:
            return None, [str(err)]
        # The copied example is gofmt-clean already (test_example_compiles);
        # retargeting it reorders its imports, so only the case's files are checked.
        return root, check_module(root, env, added)

    with concurrent.futures.ThreadPoolExecutor(max_workers=cpu_count()) as pool:
        return dict(zip([c.name for c in COMPILED], pool.map(run, COMPILED), strict=True))


@pytest.mark.parametrize("case", COMPILED, ids=[c.name for c in COMPILED])
def test_case_compiles(case, compiled):
    _, failures = compiled[case.name]
    assert not failures, "\n".join(failures)


def _altalune(binary: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALTALUNE_")}
    env["ALTALUNE_DATABASE_URL"] = url
    return subprocess.run([str(binary), *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.e2e
def test_case_migrations_match_schemas(compiled, tmp_path):
    """Each case's create migrations make exactly the tables its generated
    Schema values describe: on a database they migrated, `altalune schema
    check` of the case's own server reports nothing, whatever the options
    (types, sql_type, nullability, enums, unique and indexed fields,
    partitioned or global)."""
    bindir = find_bindir()
    assert bindir is not None, "PostgreSQL server binaries not found (run scripts/bootstrap.sh)"
    env = go_env()
    failures = []
    with throwaway_postgres() as admin_url:
        for case in COMPILED:
            root, build_failures = compiled[case.name]
            if root is None or build_failures:
                failures.append(f"{case.name}: does not compile")
                continue
            # The target embeds database/migrations; a case may write its
            # migrations elsewhere (migrations_dir).
            embedded = root / "database" / "migrations"
            for sql in sorted(root.rglob("*.sql")):
                if sql.parent != embedded:
                    (embedded / sql.name).write_bytes(sql.read_bytes())
            binary = tmp_path / f"altalune-{case.name}"
            proc = subprocess.run(["go", "build", "-o", str(binary), "./cmd/altalune"], cwd=root, env=env,
                                  capture_output=True, text=True, timeout=900)
            assert proc.returncode == 0, f"{case.name}: go build ./cmd/altalune:\n{proc.stderr}"
            db = "case_" + case.name
            port = admin_url.split(":")[2].split("/")[0]
            subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", port, "-U", "postgres", db],
                           check=True, capture_output=True, timeout=60)
            url = admin_url.replace("/postgres?", f"/{db}?")
            migrate = _altalune(binary, url, "migrate", "up")
            assert migrate.returncode == 0, f"{case.name}: migrate up:\n{migrate.stderr}"
            tables = sum("\nvar Schema = " in p.read_text() for p in root.rglob("schema.altalune.go"))
            check = _altalune(binary, url, "schema", "check")
            want = f"{tables} tables match what the generated repositories assume\n"
            if tables == 0 or check.returncode != 0 or check.stdout != want:
                failures.append(f"{case.name}: schema check exit {check.returncode}:\n{check.stdout}{check.stderr}")
    assert not failures, "\n".join(failures)

