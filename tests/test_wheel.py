"""The package as users get it: a wheel built from this tree, installed into a
fresh virtual environment, regenerates the reference target byte for byte
through buf, templates included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from protoc_gen_altalune import templating

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    wheels = list(dist.glob("protoc_gen_altalune-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    pip = subprocess.run(
        [str(env_dir / "bin" / "pip"), "install", "-q", str(wheels[0])],
        capture_output=True, text=True,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return env_dir


def test_wheel_carries_templates_and_options_proto(wheel_venv: Path):
    exe = wheel_venv / "bin" / "protoc-gen-altalune"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, cwd="/")
    assert version.returncode == 0 and version.stdout.startswith("protoc-gen-altalune "), version
    printed = subprocess.run([str(exe), "--print-options-proto"], capture_output=True, cwd="/")
    shipped = (ROOT / "protoc_gen_altalune/proto/altalune/codegen/v1/options.proto").read_bytes()
    assert printed.returncode == 0 and printed.stdout == shipped


def test_wheel_regenerates_reference_target(wheel_venv: Path, tmp_path: Path):
    shutil.copy(ROOT / "buf.yaml", tmp_path)
    shutil.copy(ROOT / "buf.gen.yaml", tmp_path)
    (tmp_path / "example").mkdir()
    shutil.copytree(ROOT / "example/api", tmp_path / "example/api")
    env = dict(os.environ)
    # Only the wheel's plugin is on PATH ahead of the Go plugins and buf.
    tools = ROOT / ".tools" / "bin"
    go = shutil.which("go")
    assert go, "the go command is not on PATH"
    env["PATH"] = os.pathsep.join([str(wheel_venv / "bin"), str(tools), os.path.dirname(go), "/usr/bin", "/bin"])
    which = subprocess.run(["sh", "-c", "command -v protoc-gen-altalune"], env=env, capture_output=True, text=True)
    assert which.stdout.strip() == str(wheel_venv / "bin" / "protoc-gen-altalune")
    result = subprocess.run(["buf", "generate"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    produced = sorted((tmp_path / "example").rglob("*.altalune.go"))
    assert len(produced) > 20
    for path in produced:
        rel = path.relative_to(tmp_path / "example")
        assert path.read_bytes() == (ROOT / "example" / rel).read_bytes(), f"{rel} differs"
    migrations = sorted((tmp_path / "example/database/migrations").glob("*.sql"))
    assert migrations
    for path in migrations:
        assert path.read_bytes() == (ROOT / "example/database/migrations" / path.name).read_bytes()


def test_wheel_renders_with_templates_compiled_at_build_time(wheel_venv: Path, tmp_path: Path):
    """The wheel carries every template compiled by Jinja and translated into
    Python (and pip byte-compiled them): a run renders each through its
    translation, and compiles none, even without the on-disk template cache."""
    from golden_harness import GOLDEN, Case, descriptor_set, request_for

    site = next((wheel_venv / "lib").glob("python3*/site-packages/protoc_gen_altalune"))
    compiled = site / "compiled_templates"
    templates = sorted(p.name for p in (ROOT / "templates").glob("*.jinja"))
    assert templates and (compiled / "__init__.py").is_file()
    cached = {p.name.split(".")[0] for p in (compiled / "__pycache__").glob("*.pyc")}
    modules = {templating.module_name(t) for t in templates}
    assert cached == {"__init__"} | modules | {"r" + m[1:] for m in modules}
    case = Case("edge_features", GOLDEN / "edge_features")
    request = request_for(case, descriptor_set(case, tmp_path))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ALTALUNE_DEBUG": "1", "ALTALUNE_NO_TEMPLATE_CACHE": "1"}
    proc = subprocess.run([str(wheel_venv / "bin" / "protoc-gen-altalune")], input=request.SerializeToString(),
                          capture_output=True, env=env, cwd="/")
    assert proc.returncode == 0, proc.stderr.decode()
    # ALTALUNE_DEBUG names every template rendered through Jinja, or compiled at run time.
    assert proc.stderr == b"", proc.stderr.decode()
