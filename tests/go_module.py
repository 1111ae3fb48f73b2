"""A Go module in which a golden case's output must compile.

The module is a copy of the reference target (example/) without its own
domains: its generated files, the employee, currency and ticket packages and
their hand-written helpers are left out, and its protobuf Go code is
regenerated for the case's protos. The case's expected files (which the golden
tests prove equal to the plugin's output) and its ``handwritten/`` files are
added, and the module is retargeted when the case's parameters say so
(``go_module``, ``errors_dir``, ``root_pkg_name``, ``paths=import``/``module``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from golden_harness import EXAMPLE, EXAMPLE_PROTOS, GENERATED_MARKS, THIRD_PARTY, Case, direct, tool_env, which

DEFAULT_MODULE = "github.com/hrz8/altalune"
EXAMPLE_DOMAINS = ("employee", "currency", "ticket", "apikey")
# Hand-written files of the example that belong to its own domains.
EXAMPLE_ONLY = re.compile(r"^errors_(ticket|apikey)(_test)?\.go$")
# Protos besides the case's whose Go code the target compiles.
SUPPORT_PROTOS = ("altalune/v1/common.proto", "altalune/v1/project.proto", "altalune/codegen/v1/options.proto")


@dataclass
class Layout:
    """What a case's parameters say about the target."""

    module: str = DEFAULT_MODULE
    errors_dir: str = "."
    root_pkg_name: str | None = None
    kit_dir: str = "internal/shared/domainkit"
    out_prefix: str = ""  # where the module root lies in the plugin's output tree

    @classmethod
    def of(cls, params: str) -> Layout:
        values = dict(item.partition("=")[::2] for item in params.split(",") if item and not item.startswith("M"))
        layout = cls(module=values.get("go_module", DEFAULT_MODULE), errors_dir=values.get("errors_dir", "."),
                     root_pkg_name=values.get("root_pkg_name"),
                     kit_dir=values.get("kit_dir", "internal/shared/domainkit"))
        if values.get("paths") == "import" or "module" in values:
            full = layout.module + "/"
            prefix = values.get("module", "")
            layout.out_prefix = full[len(prefix.rstrip("/")) + 1:] if prefix else full
        return layout

    @property
    def root_name(self) -> str:
        if self.root_pkg_name:
            return self.root_pkg_name
        last = self.module if self.errors_dir == "." else self.errors_dir
        return last.rsplit("/", 1)[-1].replace("-", "_").replace(".", "_")


def go_env(cache: Path | None = None) -> dict[str, str]:
    env = tool_env(GOFLAGS="-mod=mod", GOTOOLCHAIN="local", GOWORK="off")
    if cache is not None:
        env.setdefault("GOCACHE", str(cache))
    return env


def _skip(rel: Path) -> bool:
    parts = rel.parts
    if parts[0] in ("api", "e2e", "gen"):
        return True
    # The kit's own unit tests: a case may put the kit elsewhere (kit_dir).
    if parts[:3] == ("internal", "shared", "domainkit"):
        return True
    if len(parts) >= 3 and parts[:2] == ("internal", "domain") and parts[2] in EXAMPLE_DOMAINS:
        return True
    return len(parts) == 1 and bool(EXAMPLE_ONLY.match(parts[0]))


def copy_example(dest: Path) -> None:
    """example/ without its domains, its generated files and its protobuf code."""
    for src in sorted(EXAMPLE.rglob("*")):
        rel = src.relative_to(EXAMPLE)
        if not src.is_file() or _skip(rel):
            continue
        data = src.read_bytes()
        if data.startswith(GENERATED_MARKS):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def retarget(root: Path, layout: Layout) -> None:
    """Move the copied example to the case's module path, root package and
    kit directory (which the example's server imports for the Access type)."""
    default_kit = Layout().kit_dir
    if layout.module == DEFAULT_MODULE and layout.errors_dir == "." and layout.root_name == "altalune" \
            and layout.kit_dir == default_kit:
        return
    root_import = layout.module if layout.errors_dir == "." else f"{layout.module}/{layout.errors_dir}"
    for path in sorted(root.rglob("*.go")):
        text = path.read_text()
        text = text.replace(f'"{DEFAULT_MODULE}/{default_kit}"', f'domainkit "{DEFAULT_MODULE}/{layout.kit_dir}"')
        text = text.replace(f'"{DEFAULT_MODULE}"', f'altalune "{root_import}"')
        text = text.replace(f'"{DEFAULT_MODULE}/', f'"{layout.module}/')
        path.write_text(text)
    go_mod = root / "go.mod"
    go_mod.write_text(go_mod.read_text().replace(f"module {DEFAULT_MODULE}\n", f"module {layout.module}\n"))
    if layout.errors_dir != "." or layout.root_name != "altalune":
        target = root / layout.errors_dir
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(root.glob("*.go")):
            text = re.sub(r"^package altalune(_test)?$", lambda m: f"package {layout.root_name}{m.group(1) or ''}",
                          path.read_text(), count=1, flags=re.M)
            path.unlink()
            (target / path.name).write_text(text)


def generate_protobuf(case: Case, root: Path, layout: Layout, work: Path) -> None:
    """protoc-gen-go, -go-grpc and -connect-go output for the case and the support protos."""
    mappings = []
    if layout.module != DEFAULT_MODULE:
        for proto in SUPPORT_PROTOS:
            package = "altalunev1" if proto.startswith("altalune/v1/") else "codegenv1"
            path = "gen/" + proto.rsplit("/", 1)[0]
            mappings.append(f"M{proto}={layout.module}/{path};{package}")
    opt = ",".join(["paths=import", f"module={layout.module}"] + mappings)
    includes = [case.proto_root] + ([case.deps] if case.deps else []) + [EXAMPLE_PROTOS, THIRD_PARTY]
    files = list(case.files) + [p for p in SUPPORT_PROTOS if p not in case.files]
    args = [which("protoc")] + [f"-I{d}" for d in includes]
    for plugin in ("go", "go-grpc", "connect-go"):
        args += [f"--plugin=protoc-gen-{plugin}={which('protoc-gen-' + plugin)}",
                 f"--{plugin}_out={opt}:{root}"]
    proc = subprocess.run(args + files, capture_output=True, text=True, env=tool_env(), cwd=work)
    if proc.returncode != 0:
        raise AssertionError(f"protoc for the Go code of {case.name} failed:\n{proc.stderr}")


def add_tree(src: Path, dest: Path) -> list[str]:
    written = []
    for path in sorted(src.rglob("*")):
        if path.is_file():
            rel = path.relative_to(src)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            written.append(rel.as_posix())
    return written


def _add_kit(case: Case, work: Path, root: Path, layout: Layout) -> list[str]:
    """The shared kit, which the expected files leave out: as the plugin
    writes it for the case."""
    written = []
    for f in direct(case, work).file:
        if case.is_kit(f.name):
            rel = f.name[len(layout.out_prefix):] if layout.out_prefix else f.name
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f.content)
            written.append(rel)
    return written


def build_module(case: Case, work: Path) -> tuple[Path, list[str]]:
    """The module for ``case`` under ``work``: its root and the files the case
    added (its generated and hand-written files)."""
    layout = Layout.of(case.params)
    root = work / "module"
    copy_example(root)
    retarget(root, layout)
    generate_protobuf(case, root, layout, work)
    expected = case.expected_dir / layout.out_prefix if layout.out_prefix else case.expected_dir
    if not expected.is_dir():
        raise AssertionError(f"{case.name}: no expected output under {layout.out_prefix or '.'}")
    added = add_tree(expected, root)
    added += _add_kit(case, work, root, layout)
    if case.handwritten.is_dir():
        added += add_tree(case.handwritten, root)
    return root, added


def check_module(root: Path, env: dict[str, str], gofmt_paths: list[str] | None = None) -> list[str]:
    """go build and go vet over the module, gofmt -s -l over ``gofmt_paths``
    (default: all of it); the failures, if any."""
    failures = []
    for args in (["go", "build", "./..."], ["go", "vet", "./..."]):
        proc = subprocess.run(args, cwd=root, capture_output=True, text=True, env=env, timeout=900)
        if proc.returncode != 0:
            failures.append(f"{' '.join(args)}:\n{proc.stdout}{proc.stderr}")
    go_files = [p for p in gofmt_paths or ["."] if p == "." or p.endswith(".go")]
    proc = subprocess.run(["gofmt", "-s", "-l", *go_files], cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode != 0 or proc.stdout.strip():
        failures.append(f"gofmt -s -l:\n{proc.stdout}{proc.stderr}")
    return failures


def go_available() -> str | None:
    """Why Go cannot be used, or None."""
    if shutil.which("go", path=tool_env()["PATH"]) is None:
        return "the go command is not on PATH"
    if shutil.which("gofmt", path=tool_env()["PATH"]) is None:
        return "gofmt is not on PATH"
    return None


def cpu_count() -> int:
    return max(1, min(4, os.cpu_count() or 1))
