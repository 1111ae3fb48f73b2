"""Same request -> byte-identical response: run after run, under other hash
seeds and environments, and whatever order file_to_generate lists the files in."""

from __future__ import annotations

import pytest
from golden_harness import GOLDEN, Case, descriptor_set, request_for, run_plugin, tool_env
from google.protobuf.compiler import plugin_pb2

CASES = ["reference", "options_everything", "error_go_name_duplicate", "error_default_sort_unknown"]


def _response(data: bytes, **env: str) -> bytes:
    proc = run_plugin(data, env=tool_env(**env))
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


@pytest.fixture(scope="module", params=CASES)
def request_of(request, tmp_path_factory):
    case = Case(request.param, GOLDEN / request.param)
    fds = descriptor_set(case, tmp_path_factory.mktemp(case.name))
    return case, fds


def test_two_runs_are_identical(request_of):
    case, fds = request_of
    data = request_for(case, fds).SerializeToString()
    first = _response(data)
    assert first == _response(data)
    response = plugin_pb2.CodeGeneratorResponse.FromString(first)
    assert response.file or response.error, "the response carries something to compare"


def test_hash_seed_and_environment_change_nothing(request_of):
    case, fds = request_of
    data = request_for(case, fds).SerializeToString()
    baseline = _response(data, PYTHONHASHSEED="0")
    for seed in ("1", "4242", "random"):
        assert _response(data, PYTHONHASHSEED=seed) == baseline, f"PYTHONHASHSEED={seed} changed the response"
    assert _response(data, PYTHONHASHSEED="7", TZ="Pacific/Kiritimati", LC_ALL="C", LANG="C") == baseline


@pytest.mark.parametrize("name", ["reference", "error_go_name_duplicate"])
def test_file_order_changes_nothing(name, tmp_path):
    case = Case(name, GOLDEN / name)
    fds = descriptor_set(case, tmp_path)
    files = case.files
    assert len(files) >= 2, f"{case.name} needs two files or more to reorder"
    baseline = _response(request_for(case, fds).SerializeToString())
    for order in (list(reversed(files)), files[1:] + files[:1]):
        assert _response(request_for(case, fds, order=order).SerializeToString()) == baseline, order
