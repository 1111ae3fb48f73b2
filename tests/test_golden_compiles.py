"""Every success case's output compiles: go build, go vet and gofmt -s -l.

The reference case is proven by example/ itself (test_example_compiles). Each
other case gets a copy of the example without its domains (see go_module.py),
the case's generated files and protobuf code, and its hand-written files.
The modules build concurrently and share the Go build and module caches.
"""

from __future__ import annotations

import concurrent.futures

import pytest
from go_module import build_module, check_module, cpu_count, go_available, go_env
from golden_harness import load_cases

pytestmark = pytest.mark.go

COMPILED = [c for c in load_cases() if not c.is_error and c.name != "reference"]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """Builds every case's module once, concurrently: case name -> failures."""
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
            return [str(err)]
        # The copied example is gofmt-clean already (test_example_compiles);
        # retargeting it reorders its imports, so only the case's files are checked.
        return check_module(root, env, added)

    with concurrent.futures.ThreadPoolExecutor(max_workers=cpu_count()) as pool:
        return dict(zip([c.name for c in COMPILED], pool.map(run, COMPILED), strict=True))


@pytest.mark.parametrize("case", COMPILED, ids=[c.name for c in COMPILED])
def test_case_compiles(case, compiled):
    failures = compiled[case.name]
    assert not failures, "\n".join(failures)

