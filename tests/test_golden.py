"""Golden files: every case through the installed protoc-gen-altalune, three ways.

1. a CodeGeneratorRequest built from protoc's descriptor set and piped to the
   executable: the raw response, so the error text is compared exactly;
2. protoc --altalune_out end to end;
3. buf generate with a ``local: protoc-gen-altalune`` plugin, strategy all.

Each must give every expected byte. ``ALTALUNE_UPDATE_GOLDEN=1 pytest
tests/test_golden.py`` rewrites the expected files from the direct response.
"""

from __future__ import annotations

import re

import pytest
from golden_harness import (
    UPDATE,
    Case,
    direct,
    load_cases,
    read_tree,
    response_tree,
    run_buf,
    run_protoc,
    tree_differences,
    update_expected,
)

CASES = load_cases()
ERROR_CASES = [c for c in CASES if c.is_error]
ids = [c.name for c in CASES]

LOCATED = re.compile(r"^[\w./-]+\.proto:\d+:\d+: \S.*; \S.*$")
# Parameter errors are about the command line, not a place in a .proto file.
PARAMETER = re.compile(r"^plugin parameter \S*: \S.*; \S.*$")


def _check_case_defined(case: Case) -> None:
    if not UPDATE:
        assert case.is_error or case.expects_example or case.expected_dir.is_dir(), \
            f"{case.name}: neither expected/ nor expected_error.txt (run with ALTALUNE_UPDATE_GOLDEN=1)"


def test_cases_present():
    names = {c.name for c in CASES}
    required = {"reference", "global_entity_minimal", "custom_rpc", "options_everything", "nested_enum",
                "initialisms", "params_layout"}
    assert required <= names, f"missing cases: {sorted(required - names)}"
    assert len(ERROR_CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_direct_request(case: Case, tmp_path):
    """The raw response to the request protoc would send."""
    response = direct(case, tmp_path)
    if UPDATE:
        update_expected(case, response)
    _check_case_defined(case)
    if case.is_error:
        assert response.error == case.expected_error
        assert not response.file, "an error response carries no files"
    else:
        assert response.error == "", response.error
        assert not tree_differences(case.compared(response_tree(response)), case.expected_tree)
    assert response.supported_features & 1, "FEATURE_PROTO3_OPTIONAL is declared"


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_protoc(case: Case, tmp_path):
    _check_case_defined(case)
    out = tmp_path / "out"
    proc = run_protoc(case, tmp_path, out)
    if case.is_error:
        assert proc.returncode != 0
        for line in case.expected_error.splitlines():
            assert line in proc.stderr, f"protoc did not print {line!r}:\n{proc.stderr}"
        assert not read_tree(out), "protoc wrote files despite the error"
    else:
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        problems = tree_differences(case.compared(read_tree(out)), case.expected_tree)
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_buf(case: Case, tmp_path):
    _check_case_defined(case)
    out = tmp_path / "out"
    proc = run_buf(case, tmp_path, out)
    if case.is_error:
        assert proc.returncode != 0
        for line in case.expected_error.splitlines():
            assert line in proc.stderr, f"buf did not print {line!r}:\n{proc.stderr}"
        assert not read_tree(out), "buf wrote files despite the error"
    else:
        assert proc.returncode == 0, proc.stderr
        problems = tree_differences(case.compared(read_tree(out)), case.expected_tree)
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.name for c in ERROR_CASES])
def test_error_is_located_with_a_fix(case: Case):
    """Each line names file.proto:line:col, the problem and, after '; ', the fix."""
    lines = case.expected_error.splitlines()
    assert lines, "an empty error"
    for line in lines:
        if case.name.startswith("error_param_"):
            assert PARAMETER.match(line), f"not 'plugin parameter <item>: <problem>; <fix>': {line!r}"
            continue
        assert LOCATED.match(line), f"not located as file.proto:line:col: ...; fix: {line!r}"
        position = re.match(r"^([\w./-]+\.proto):(\d+):(\d+)", line)
        candidates = [root / position.group(1) for root in (case.proto_root, case.deps) if root]
        proto = next((p for p in candidates if p.exists()), None)
        assert proto, f"{position.group(1)} is not one of the case's files"
        lines = proto.read_text().splitlines()
        row, col = int(position.group(2)), int(position.group(3))
        assert 1 <= row <= len(lines) and 1 <= col <= len(lines[row - 1]), f"{line!r} points outside the file"
        assert not lines[row - 1][col - 1].isspace(), f"{line!r} points at blank space"


def test_reference_expects_the_committed_example():
    """The reference case is checked against the generated code example/
    commits, so the two cannot drift apart."""
    reference = next(c for c in CASES if c.name == "reference")
    assert reference.expects_example and not reference.expected_dir.exists()
    assert len(reference.expected_tree) > 20
