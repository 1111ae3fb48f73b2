#!/usr/bin/env python3
"""Benchmark of protoc-gen-altalune: start-up cold and warm, cost per entity,
peak memory, and `buf generate` of the reference target with and without it.

One command, from the repository (scripts/bootstrap.sh installs the tools):

  source scripts/env.sh && python bench/run.py

Every figure is measured in this run, with its baselines in the same run, and
the commands are interleaved run by run (A B C A B C ...) so that the noise of
a shared machine hits them alike. Nothing is asserted on time; the script
fails only if a plugin answers wrongly (an error, a missing entity's files,
different bytes for the same request).

What runs
---------
Synthetic requests: for each size N (default 1, 10, 100) a proto set of N
entities shaped like the example Employee (13 fields: strings, two unique,
one immutable, two enums, a proto3 optional, an Int32Value, Timestamps, a
double, a bool; buf.validate rules), each with its CRUD service and ten
request/response messages, ten entities to a file, plus a copy of the
example's common.proto, compiled ONCE by protoc into the CodeGeneratorRequest
protoc/buf would send (strategy: all). Only the parameter differs between
plugins. Each plugin reads the request from a file on stdin and writes the
response to a file, a fork/exec per run as protoc does.

Per command: wall time (spawn to reap), CPU time (user + system, from wait4,
of the command and what it waited for), and peak RSS (GNU time's %M, which
is the child's own: wait4's ru_maxrss would carry this benchmark's own
memory over a fork/exec); the median over --repeat runs after one warm-up
run, and the largest peak of all runs.

Start-up (the 1-entity request):
  python -c pass              the plugin's own interpreter: the floor of any Python plugin
  protoc-gen-go               the same request (paths=source_relative)
  altalune cold               a new, empty template cache directory each run
                              (XDG_CACHE_HOME), as in a CI container or a fresh checkout
  altalune warm               the same cache directory every run
  altalune, nothing asked     buf's run for the vendored options.proto (an input of its own)
  --baseline-ref REF          the same for the plugin built from a git ref (say the commit
                              before a change): a wheel of `git archive REF` in a fresh venv

Per entity: altalune (warm) and protoc-gen-go for each size; the cost of an
added entity is the slope from the smallest size.

buf generate: the reference target (buf.yaml, buf.gen.yaml and example/api
copied to a temporary directory), with buf.gen.yaml as it is and without its
protoc-gen-altalune entry; the ratio is the median of the run-by-run ratios.
buf runs a local plugin once per input of buf.gen.yaml (here twice: the
example's protos, then the vendored options.proto).

--profile prints, for the plugin's 1-entity run, the import times
(python -X importtime, the minimum of each module over --repeat runs) and a
cProfile of the in-process run on the largest size.

Options
-------
  --sizes 1,10,100    entity counts (a size above 897 must be refused: every entity
                      needs an error_code block of 100-999)
  --repeat 7          timed runs per command
  --plugin PATH       the protoc-gen-altalune to measure (default: the one on PATH)
  --wheel             measure a wheel of this checkout installed into a fresh venv
                      (as users get it; pip writes the byte-code caches)
  --baseline-ref REF  also measure the plugin as of a git ref, in the same run
  --no-buf            skip buf generate
  --keep DIR          keep the proto sets, requests and venvs in DIR
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

REPO = Path(__file__).resolve().parent.parent
THIRD_PARTY = REPO / "example" / "api" / "third_party"
COMMON_PROTO = REPO / "example" / "api" / "proto" / "altalune" / "v1" / "common.proto"

GO_MODULE = "github.com/hrz8/altalune"
PROTO_DIR = "bench/v1"  # directory (and package bench.v1) of the synthetic files
PROTO_PACKAGE = "bench.v1"
GO_PACKAGE = f"{GO_MODULE}/gen/bench/v1;benchv1"

# The plugin's rule: error_code blocks 601-698 first (the convention), then
# the rest of 100-999; 600, 603 and 699 belong to validation, projects and
# internal errors.
_RESERVED_BLOCKS = {600, 603, 699}
ERROR_CODE_BLOCKS = [c for c in range(601, 699) if c not in _RESERVED_BLOCKS] + [
    c for c in range(100, 1000) if not 601 <= c <= 698 and c not in _RESERVED_BLOCKS
]
MAX_ENTITIES = len(ERROR_CODE_BLOCKS)  # 897
REFUSAL = "error_code block"  # what the refusal of a larger set must mention



# --- the synthetic proto set ------------------------------------------------------

ENTITY = Template("""\
// ${Name}Status is stored as "active", "inactive" and "leave".
enum ${Name}Status {
  ${PREFIX}_STATUS_UNSPECIFIED = 0;
  ${PREFIX}_STATUS_ACTIVE = 1;
  ${PREFIX}_STATUS_INACTIVE = 2;
  ${PREFIX}_STATUS_ON_LEAVE = 3 [(altalune.codegen.v1.enum_value) = {db_value: "leave"}];
}

enum ${Name}Role {
  ${PREFIX}_ROLE_UNSPECIFIED = 0;
  ${PREFIX}_ROLE_ENGINEER = 1;
  ${PREFIX}_ROLE_MANAGER = 2;
  ${PREFIX}_ROLE_DESIGNER = 3;
}

// ${Name} is a partitioned entity: one table partition per project.
message ${Name} {
  option (altalune.codegen.v1.entity) = {
    table: "bench_${snake}s"
    partitioned: true
    error_code: ${error_code}
    migration_version: "${version}"
  };

  string id = 1;
  string name = 2;
  string email = 3 [(altalune.codegen.v1.field) = {unique: true}];
  string code = 4 [(altalune.codegen.v1.field) = {
    unique: true
    immutable: true
  }];
  ${Name}Role role = 5;
  ${Name}Status status = 6;
  optional string phone = 7;
  google.protobuf.Int32Value age = 8;
  google.protobuf.Timestamp hired_at = 9;
  double salary = 10 [(altalune.codegen.v1.field) = {searchable: false}];
  bool remote = 11;
  google.protobuf.Timestamp created_at = 98;
  google.protobuf.Timestamp updated_at = 99;
}

message Query${Name}sRequest {
  string project_id = 1 [(buf.validate.field).string.len = 14];
  QueryRequest query = 2;
}

message Query${Name}sResponse {
  repeated ${Name} data = 1;
  QueryMetaResponse meta = 2;
}

message Create${Name}Request {
  string project_id = 1 [(buf.validate.field).string.len = 14];
  string name = 2 [(buf.validate.field).string = {
    min_len: 1
    max_len: 100
  }];
  string email = 3 [(buf.validate.field).string = {
    email: true
    max_len: 255
  }];
  string code = 4 [(buf.validate.field).string = {
    min_len: 1
    max_len: 20
  }];
  ${Name}Role role = 5 [(buf.validate.field).enum = {
    defined_only: true
    not_in: [0]
  }];
  ${Name}Status status = 6 [(buf.validate.field).enum.defined_only = true];
  optional string phone = 7 [(buf.validate.field).string.max_len = 30];
  google.protobuf.Int32Value age = 8 [(buf.validate.field).int32 = {
    gte: 16
    lte: 100
  }];
  google.protobuf.Timestamp hired_at = 9;
  double salary = 10 [(buf.validate.field).double.gte = 0];
  bool remote = 11;
}

message Create${Name}Response {
  ${Name} ${snake} = 1;
  string message = 2;
}

message Get${Name}Request {
  string project_id = 1 [(buf.validate.field).string.len = 14];
  string ${snake}_id = 2 [(buf.validate.field).string.len = 14];
}

message Get${Name}Response {
  ${Name} ${snake} = 1;
}

message Update${Name}Request {
  string project_id = 1 [(buf.validate.field).string.len = 14];
  string ${snake}_id = 2 [(buf.validate.field).string.len = 14];
  string name = 3 [(buf.validate.field).string = {
    min_len: 1
    max_len: 100
  }];
  string email = 4 [(buf.validate.field).string = {
    email: true
    max_len: 255
  }];
  ${Name}Role role = 5 [(buf.validate.field).enum = {
    defined_only: true
    not_in: [0]
  }];
  ${Name}Status status = 6 [(buf.validate.field).enum.defined_only = true];
  optional string phone = 7 [(buf.validate.field).string.max_len = 30];
  google.protobuf.Int32Value age = 8 [(buf.validate.field).int32 = {
    gte: 16
    lte: 100
  }];
  google.protobuf.Timestamp hired_at = 9;
  double salary = 10 [(buf.validate.field).double.gte = 0];
  bool remote = 11;
}

message Update${Name}Response {
  ${Name} ${snake} = 1;
  string message = 2;
}

message Delete${Name}Request {
  string project_id = 1 [(buf.validate.field).string.len = 14];
  string ${snake}_id = 2 [(buf.validate.field).string.len = 14];
}

message Delete${Name}Response {
  string message = 1;
}

service ${Name}Service {
  rpc Query${Name}s(Query${Name}sRequest) returns (Query${Name}sResponse);
  rpc Create${Name}(Create${Name}Request) returns (Create${Name}Response);
  rpc Get${Name}(Get${Name}Request) returns (Get${Name}Response);
  rpc Update${Name}(Update${Name}Request) returns (Update${Name}Response);
  rpc Delete${Name}(Delete${Name}Request) returns (Delete${Name}Response);
}
""")

FILE_HEADER = f"""\
syntax = "proto3";

package {PROTO_PACKAGE};

import "altalune/codegen/v1/options.proto";
import "{PROTO_DIR}/common.proto";
import "buf/validate/validate.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

option go_package = "{GO_PACKAGE}";
"""


def entity_proto(index: int) -> str:
    """Entity number ``index`` (0-based): Widget0001, table bench_widget0001s, ..."""
    name = f"Widget{index + 1:04d}"
    return ENTITY.substitute(
        Name=name,
        PREFIX=name.upper(),
        snake=name.lower(),
        # Past the last block the codes repeat: the plugin must refuse the set.
        error_code=ERROR_CODE_BLOCKS[index % MAX_ENTITIES],
        version=f"2024010100{index + 1:04d}",
    )


def write_proto_set(root: Path, entities: int, per_file: int) -> tuple[list[str], int]:
    """Writes the set under ``root``; returns the files to generate and how many declare services."""
    pkg_dir = root / PROTO_DIR
    pkg_dir.mkdir(parents=True)
    common = COMMON_PROTO.read_text(encoding="utf-8")
    common = common.replace("package altalune.v1;", f"package {PROTO_PACKAGE};")
    common = common.replace('"github.com/hrz8/altalune/gen/altalune/v1;altalunev1"', f'"{GO_PACKAGE}"')
    (pkg_dir / "common.proto").write_text(common, encoding="utf-8")
    files = [f"{PROTO_DIR}/common.proto"]
    for start in range(0, entities, per_file):
        body = "\n".join(entity_proto(i) for i in range(start, min(start + per_file, entities)))
        name = f"{PROTO_DIR}/widgets_{start // per_file + 1:03d}.proto"
        (root / name).write_text(FILE_HEADER + "\n" + body, encoding="utf-8")
        files.append(name)
    return files, len(files) - 1


def compile_request(protoc: str, root: Path, files: list[str]) -> plugin_pb2.CodeGeneratorRequest:
    """protoc once -> a descriptor set -> the CodeGeneratorRequest protoc/buf would send."""
    out = root / "set.binpb"
    subprocess.run(
        [protoc, f"-I{root}", f"-I{THIRD_PARTY}", "--include_imports", "--include_source_info",
         f"--descriptor_set_out={out}", *files],
        check=True, cwd=root,
    )
    fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    request = plugin_pb2.CodeGeneratorRequest(file_to_generate=files)
    request.proto_file.extend(fds.file)  # dependency order, as protoc writes them
    by_name = {f.name: f for f in fds.file}
    request.source_file_descriptors.extend(by_name[name] for name in files)
    return request




# --- requests -------------------------------------------------------------------------------


@dataclass
class ProtoSet:
    entities: int
    files: list[str]  # file_to_generate
    request: plugin_pb2.CodeGeneratorRequest

    @property
    def valid_for_altalune(self) -> bool:
        return self.entities <= MAX_ENTITIES


ALTALUNE_PARAMETER = f"go_module={GO_MODULE}"
GO_PARAMETER = "paths=source_relative"


def request_file(pset: ProtoSet, parameter: str, path: Path) -> Path:
    request = plugin_pb2.CodeGeneratorRequest()
    request.CopyFrom(pset.request)
    request.parameter = parameter
    path.write_bytes(request.SerializeToString(deterministic=True))
    return path


def options_only_request(protoc: str, work: Path) -> Path:
    """What buf sends for the vendored options.proto, an input of its own in buf.gen.yaml."""
    name = "altalune/codegen/v1/options.proto"
    out = work / "options.binpb"
    subprocess.run([protoc, f"-I{THIRD_PARTY}", "--include_imports", "--include_source_info",
                    f"--descriptor_set_out={out}", name], check=True, cwd=work)
    fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    request = plugin_pb2.CodeGeneratorRequest(file_to_generate=[name], parameter=ALTALUNE_PARAMETER)
    request.proto_file.extend(fds.file)
    request.source_file_descriptors.extend(f for f in fds.file if f.name == name)
    path = work / "request.options-only.binpb"
    path.write_bytes(request.SerializeToString(deterministic=True))
    return path


class CheckFailed(Exception):
    pass


def check_altalune(pset: ProtoSet, data: bytes, who: str) -> None:
    response = plugin_pb2.CodeGeneratorResponse.FromString(data)
    where = f"{who}, {pset.entities} entities"
    if not pset.valid_for_altalune:
        if REFUSAL not in response.error:
            raise CheckFailed(f"{where}: expected a refusal naming the {REFUSAL}, got {response.error[:300]!r}")
        return
    if response.error:
        raise CheckFailed(f"{where}: error: {response.error[:500]}")
    for i in range(pset.entities):
        prefix = f"internal/domain/widget{i + 1:04d}/"
        if not any(f.name.startswith(prefix) for f in response.file):
            raise CheckFailed(f"{where}: no file under {prefix}")


def check_go(pset: ProtoSet, data: bytes) -> None:
    response = plugin_pb2.CodeGeneratorResponse.FromString(data)
    if response.error or len(response.file) != len(pset.files):
        raise CheckFailed(f"protoc-gen-go, {pset.entities} entities: {response.error[:300]!r}, "
                          f"{len(response.file)} files")


# --- running a command ----------------------------------------------------------------------

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


@dataclass
class Command:
    label: str
    argv: list[str]
    stdin: Path | None = None
    env: dict[str, str] | None = None
    cwd: Path | None = None
    fresh_cache: bool = False  # a new, empty XDG_CACHE_HOME for every run
    check: object = None  # called with the response bytes of the warm-up run
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_kb: int = 0
    first: bytes | None = None

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall) * 1000

    @property
    def wall_min_ms(self) -> float:
        return min(self.wall) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000


def run_once(cmd: Command, work: Path, counter: list[int]) -> tuple[float, int, bytes]:
    """fork/exec, stdin from a file and stdout to a file, as protoc does; through GNU time for the peak RSS."""
    counter[0] += 1
    out = work / "stdout.bin"
    rss = work / "rss.txt"
    env = dict(cmd.env if cmd.env is not None else os.environ)
    if cmd.fresh_cache:
        cache = work / f"cache-{counter[0]}"
        cache.mkdir()
        env["XDG_CACHE_HOME"] = str(cache)
    argv = [GNU_TIME, "-f", "%M", "-o", str(rss), *cmd.argv] if GNU_TIME else cmd.argv
    fin = open(cmd.stdin, "rb") if cmd.stdin else open(os.devnull, "rb")  # noqa: SIM115
    with fin, open(out, "wb") as fout:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=subprocess.PIPE, env=env, cwd=cmd.cwd)
        _, err = proc.communicate()
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise CheckFailed(f"{cmd.label}: exit status {proc.returncode}: {err.decode(errors='replace')[-500:]}")
    # Without GNU time: the largest peak of any child so far (an upper bound).
    peak = int(rss.read_text().split()[-1]) if GNU_TIME else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if cmd.fresh_cache:
        shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
    return wall, peak, out.read_bytes()


def measure(commands: list[Command], work: Path, repeat: int) -> None:
    """One warm-up run each (checked), then ``repeat`` rounds, the commands in turn."""
    counter = [0]
    for rep in range(repeat + 1):
        for cmd in commands:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, peak, data = run_once(cmd, work, counter)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            cmd.peak_kb = max(cmd.peak_kb, peak)
            if rep == 0:
                if callable(cmd.check):
                    cmd.check(data)
                cmd.first = data
                continue
            if cmd.stdin is not None and data != cmd.first:
                raise CheckFailed(f"{cmd.label}: the response differs between runs of the same request")
            cmd.wall.append(wall)
            cmd.cpu.append(cpu)


# --- the plugins measured ---------------------------------------------------------------------


def interpreter_of(executable: str) -> str:
    """The Python a console script runs (its #! line)."""
    with open(executable, "rb") as f:
        line = f.readline().decode(errors="replace").strip()
    return line[2:].split()[0] if line.startswith("#!") else sys.executable


def make_venv_with_wheel(source: Path, venv_dir: Path) -> str:
    """A wheel of ``source`` installed into a fresh venv; returns its protoc-gen-altalune."""
    dist = venv_dir.parent / f"{venv_dir.name}-dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv_dir)], check=True)
    wheel = next(dist.glob("protoc_gen_altalune-*.whl"))
    subprocess.run([str(venv_dir / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True)
    return str(venv_dir / "bin" / "protoc-gen-altalune")


def plugin_at_ref(ref: str, work: Path) -> str:
    tree = work / f"src-{ref.replace('/', '_')}"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=REPO, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return make_venv_with_wheel(tree, work / f"venv-{ref.replace('/', '_')}")


def template_paths(plugin: str, request: Path) -> str:
    """How many templates the plugin renders through Jinja and compiles at run
    time (ALTALUNE_DEBUG names them; 0 and 0: all rendered by their build-time
    translations)."""
    env = {**os.environ, "ALTALUNE_DEBUG": "1", "ALTALUNE_NO_TEMPLATE_CACHE": "1"}
    with open(request, "rb") as fin:
        proc = subprocess.run([plugin], stdin=fin, capture_output=True, env=env)
    err = proc.stderr.decode(errors="replace")
    return f"templates rendered through Jinja: {err.count('renders through Jinja')}, compiled at run time: " \
           f"{err.count('compiling it')}"


# --- buf generate ---------------------------------------------------------------------------


def buf_copies(work: Path) -> tuple[Path, str]:
    """The reference target's buf inputs in ``work``, with a buf.gen.yaml lacking protoc-gen-altalune."""
    root = work / "buf"
    (root / "example").mkdir(parents=True)
    for name in ("buf.yaml", "buf.gen.yaml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "example" / "api", root / "example" / "api")
    text = (REPO / "buf.gen.yaml").read_text(encoding="utf-8")
    head, sep, plugins = text.partition("\nplugins:\n")
    entries = plugins.split("\n  - ")
    kept = [e for e in entries if not e.lstrip("- ").startswith("local: protoc-gen-altalune")]
    if len(kept) != len(entries) - 1:
        raise CheckFailed("buf.gen.yaml: no single `local: protoc-gen-altalune` entry to leave out")
    (root / "buf.gen.without-altalune.yaml").write_text(head + sep + "\n  - ".join(kept), encoding="utf-8")
    return root, "buf.gen.without-altalune.yaml"


# --- report -------------------------------------------------------------------------------------


def mb(kb: int) -> str:
    return f"{kb / 1024:5.1f}"


def print_rows(title: str, rows: list[Command], floor: Command | None, base: Command | None) -> None:
    print(f"\n{title}")
    head = (f"  {'':<46} {'wall med':>8} {'wall min':>8} {'cpu med':>8} {'peak MB':>7} | "
            f"{'wall/py':>7} {'cpu/py':>6} | {'wall/go':>7} {'cpu/go':>6}")
    print(head)
    print("  " + "-" * (len(head) - 2))
    for c in rows:
        ratios = ""
        for b in (floor, base):
            ratios += (f" | {c.wall_ms / b.wall_ms:7.2f} {c.cpu_ms / b.cpu_ms:6.2f}" if b is not None and b is not c
                       else f" | {'':>7} {'':>6}")
        print(f"  {c.label:<46} {c.wall_ms:8.1f} {c.wall_min_ms:8.1f} {c.cpu_ms:8.1f} {mb(c.peak_kb):>7}{ratios}")


def paired_ratio(a: Command, b: Command, what: str = "wall") -> float:
    xs, ys = getattr(a, what), getattr(b, what)
    return statistics.median(x / y for x, y in zip(xs, ys, strict=True))


def import_profile(python: str, request: Path, repeat: int, work: Path, top: int = 30) -> None:
    best: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    for _ in range(max(repeat, 3)):
        with open(request, "rb") as fin:
            proc = subprocess.run([python, "-X", "importtime", "-c",
                                   "import sys; from protoc_gen_altalune.cli import main; sys.exit(main())"],
                                  stdin=fin, capture_output=True, cwd=work)  # not this checkout's modules
        for line in proc.stderr.decode(errors="replace").splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, cumulative, name = line.removeprefix("import time:").split("|")
            if name not in best:
                order.append(name)
                best[name] = (int(own), int(cumulative))
            else:
                best[name] = (min(best[name][0], int(own)), min(best[name][1], int(cumulative)))
    total = sum(best[n][1] for n in order if not n.startswith("  "))
    print(f"\nImports of the 1-entity run (python -X importtime; microseconds, the minimum of each module over "
          f"{max(repeat, 3)} runs): {total / 1000:.1f} ms in all; the {top} largest by cumulative time")
    print(f"  {'own':>7} {'cumul.':>7}  module")
    for name in sorted(best, key=lambda n: -best[n][1])[:top]:
        print(f"  {best[name][0]:7d} {best[name][1]:7d}  {name}")


def in_process_profile(python: str, request: Path, entities: int, work: Path) -> None:
    code = (
        "import cProfile, io, pstats, sys, time\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "profiler = cProfile.Profile(); start = time.perf_counter(); profiler.enable()\n"
        "from protoc_gen_altalune import cli\n"
        "code = cli.run(io.BytesIO(data), io.BytesIO())\n"
        "profiler.disable(); elapsed = time.perf_counter() - start\n"
        "print(f'{elapsed * 1000:.0f} ms under the profiler, exit {code}')\n"
        "for key, count in (('cumulative', 25), ('tottime', 15)):\n"
        "    text = io.StringIO(); pstats.Stats(profiler, stream=text).sort_stats(key).print_stats(count)\n"
        "    body = text.getvalue(); print(f'-- top {count} by {key} --')\n"
        "    print(body[body.find('   ncalls'):].rstrip())\n"
    )
    print(f"\ncProfile of protoc-gen-altalune in-process, {entities} entities (imports included):")
    sys.stdout.flush()
    subprocess.run([python, "-c", code, str(request)], check=True, cwd=work)


# --- main -------------------------------------------------------------------------------------


def source_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "protoc_gen_altalune", "templates",
                                "pyproject.toml", "setup.py"], cwd=REPO, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "commit unknown"
    return f"commit {head}" + (" + uncommitted plugin changes" if dirty else "")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs ({model}), load average {load:.1f} at start"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100", help="comma-separated entity counts (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per command (default: %(default)s)")
    parser.add_argument("--per-file", type=int, default=10, help="entities per proto file (default: 10)")
    parser.add_argument("--protoc", default="protoc", help="protoc command (default: protoc on PATH)")
    parser.add_argument("--plugin", help="the protoc-gen-altalune to measure (default: the one on PATH)")
    parser.add_argument("--wheel", action="store_true", help="measure a wheel of this checkout in a fresh venv")
    parser.add_argument("--baseline-ref", help="also measure the plugin built from this git ref")
    parser.add_argument("--no-buf", action="store_true", help="skip `buf generate` of the reference target")
    parser.add_argument("--profile", action="store_true", help="import times and an in-process cProfile")
    parser.add_argument("--keep", metavar="DIR", help="keep the work files in DIR (made afresh)")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] < 1 or args.repeat < 1 or args.per_file < 1:
        parser.error("sizes, --repeat and --per-file must be positive")
    for tool in (args.protoc, "protoc-gen-go") + (() if args.no_buf else ("buf",)):
        if not shutil.which(tool):
            parser.error(f"{tool} is not on PATH: source scripts/env.sh (scripts/bootstrap.sh installs it)")
    if not (THIRD_PARTY / "buf" / "validate" / "validate.proto").exists():
        parser.error(f"{THIRD_PARTY} lacks buf/validate/validate.proto; run scripts/bootstrap.sh")

    if args.keep:
        work = Path(args.keep).resolve()
        marker = work / ".altalune-bench"
        if work.exists() and any(work.iterdir()):
            if not marker.exists():
                parser.error(f"--keep {args.keep}: the directory exists and was not made by this script")
            shutil.rmtree(work)
        work.mkdir(parents=True, exist_ok=True)
        marker.write_text("output of bench/run.py; removed by its next run with --keep here\n")
    else:
        work = Path(tempfile.mkdtemp(prefix="altalune-bench-"))
    try:
        return _run(args, sizes, work)
    except (CheckFailed, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", None)
        print(f"\nFAILED: {err}" + (f"\n{detail.decode(errors='replace')[-2000:]}" if detail else ""),
              file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, sizes: list[int], work: Path) -> int:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"protoc-gen-altalune benchmark, {when}: {machine()}; python {sys.version.split()[0]}; "
          f"{source_state()}; sizes {sizes}; {args.repeat} timed runs after 1 warm-up", flush=True)
    if args.wheel:
        print("  building a wheel of this checkout into a fresh venv...", flush=True)
        plugin = make_venv_with_wheel(REPO, work / "venv-wheel")
    else:
        plugin = args.plugin or shutil.which("protoc-gen-altalune") or ""
        if not plugin:
            raise CheckFailed("protoc-gen-altalune is not on PATH (or give --plugin)")
    baseline = None
    if args.baseline_ref:
        print(f"  building the plugin as of {args.baseline_ref} into a fresh venv...", flush=True)
        baseline = plugin_at_ref(args.baseline_ref, work)
    python = interpreter_of(plugin)
    go = shutil.which("protoc-gen-go") or "protoc-gen-go"

    sets: dict[int, ProtoSet] = {}
    for n in sizes:
        root = work / f"set-{n}"
        files, _ = write_proto_set(root, n, args.per_file)
        sets[n] = ProtoSet(n, files, compile_request(args.protoc, root, files))
    one = sets[sizes[0]]
    alt_req = {n: request_file(s, ALTALUNE_PARAMETER, work / f"request.{n}.altalune.binpb") for n, s in sets.items()}
    go_req = {n: request_file(s, GO_PARAMETER, work / f"request.{n}.go.binpb") for n, s in sets.items()}
    nothing = options_only_request(args.protoc, work)
    print(f"  plugin: {plugin} ({template_paths(plugin, alt_req[sizes[0]])})"
          + (f"\n  baseline ({args.baseline_ref}): {baseline} ({template_paths(baseline, alt_req[sizes[0]])})"
             if baseline else ""), flush=True)

    # Start-up, on the smallest request.
    warm_home = work / "warm-cache"
    warm_home.mkdir()
    warm_env = {**os.environ, "XDG_CACHE_HOME": str(warm_home)}
    floor = Command("python -c pass (the plugin's interpreter)", [python, "-c", "pass"])
    go1 = Command(f"protoc-gen-go, {one.entities} entity", [go], go_req[one.entities],
                  check=lambda d: check_go(one, d))
    startup = [floor, go1]

    def altalune(label: str, exe: str, fresh: bool) -> Command:
        return Command(label, [exe], alt_req[one.entities], env=None if fresh else warm_env, fresh_cache=fresh,
                       check=lambda d: check_altalune(one, d, label))

    startup += [altalune(f"altalune cold, {one.entities} entity", plugin, True),
                altalune(f"altalune warm, {one.entities} entity", plugin, False)]
    if baseline:
        startup += [altalune(f"{args.baseline_ref} cold, {one.entities} entity", baseline, True),
                    altalune(f"{args.baseline_ref} warm, {one.entities} entity", baseline, False)]
    startup.append(Command("altalune, nothing asked (options.proto input)", [plugin], nothing, env=warm_env))
    print("  measuring start-up...", flush=True)
    measure(startup, work, args.repeat)
    print_rows(f"Start-up, the {one.entities}-entity request (ms; ratios to python -c pass and to protoc-gen-go, "
               "medians of this run)", startup, floor, go1)
    if baseline:
        for kind in ("cold", "warm"):
            a = next(c for c in startup if c.label.startswith(f"altalune {kind}"))
            b = next(c for c in startup if c.label.startswith(f"{args.baseline_ref} {kind}"))
            print(f"  altalune {kind} / {args.baseline_ref} {kind}: wall {paired_ratio(a, b):.2f}, "
                  f"cpu {paired_ratio(a, b, 'cpu'):.2f} (median of run-by-run ratios)")

    # Per entity.
    per_size: dict[int, tuple[Command, Command]] = {}
    print("\n  measuring sizes...", flush=True)
    for n in sizes:
        s = sets[n]
        a = Command(f"altalune warm, {n} entities", [plugin], alt_req[n], env=warm_env,
                    check=lambda d, s=s: check_altalune(s, d, "protoc-gen-altalune"))
        g = Command(f"protoc-gen-go, {n} entities", [go], go_req[n], check=lambda d, s=s: check_go(s, d))
        measure([a, g], work, args.repeat)
        per_size[n] = (a, g)
    print(f"\nPer entity (ms; the cost of an added entity is the slope from N={sizes[0]})")
    print(f"  {'N':>5} | {'alt wall':>8} {'alt cpu':>8} {'alt MB':>6} | {'go wall':>8} {'go cpu':>8} {'go MB':>6} | "
          f"{'wall alt/go':>11} | {'alt ms/entity':>13} {'go ms/entity':>12}")
    a0, g0 = per_size[sizes[0]]
    for n in sizes:
        a, g = per_size[n]
        slope = "" if n == sizes[0] else (f"{(a.wall_ms - a0.wall_ms) / (n - sizes[0]):13.2f} "
                                          f"{(g.wall_ms - g0.wall_ms) / (n - sizes[0]):12.2f}")
        print(f"  {n:>5} | {a.wall_ms:8.1f} {a.cpu_ms:8.1f} {mb(a.peak_kb):>6} | {g.wall_ms:8.1f} {g.cpu_ms:8.1f} "
              f"{mb(g.peak_kb):>6} | {paired_ratio(a, g):11.2f} | {slope}")
    if len(sizes) > 1:
        an, _ = per_size[sizes[-1]]
        print(f"  altalune cpu per added entity: {(an.cpu_ms - a0.cpu_ms) / (sizes[-1] - sizes[0]):.2f} ms")

    # buf generate of the reference target.
    if not args.no_buf:
        root, without = buf_copies(work)
        path = os.pathsep.join([os.path.dirname(plugin), os.environ.get("PATH", "")])
        buf_env = {**warm_env, "PATH": path}
        runs = [Command("buf generate (buf.gen.yaml)", ["buf", "generate"], cwd=root, env=buf_env),
                Command("buf generate without protoc-gen-altalune", ["buf", "generate", "--template", without],
                        cwd=root, env=buf_env)]
        skipped = ""
        if baseline:
            base_path = os.pathsep.join([os.path.dirname(baseline), os.environ.get("PATH", "")])
            base_env = {**warm_env, "PATH": base_path}
            # The plugin of another commit may refuse today's reference target
            # (an option it does not know yet): then it is left out, and said.
            probe = subprocess.run(["buf", "generate"], cwd=root, env=base_env, capture_output=True, text=True)
            if probe.returncode == 0:
                runs.insert(1, Command(f"buf generate, plugin as of {args.baseline_ref}", ["buf", "generate"],
                                       cwd=root, env=base_env))
            else:
                first = (probe.stderr.strip().splitlines() or ["no message"])[0]
                skipped = f"  buf generate, plugin as of {args.baseline_ref}: left out, it refuses today's " \
                          f"reference target ({first[:200]})"
        print("\n  measuring buf generate...", flush=True)
        measure(runs, work, args.repeat)
        print("\nbuf generate of the reference target (ms; warm template cache; ratio: median of run-by-run ratios "
              "to the run without protoc-gen-altalune)")
        for c in runs:
            print(f"  {c.label:<46} wall {c.wall_ms:7.1f} (min {c.wall_min_ms:6.1f})  cpu {c.cpu_ms:7.1f}  "
                  f"ratio wall {paired_ratio(c, runs[-1]):.2f}  cpu {paired_ratio(c, runs[-1], 'cpu'):.2f}")
        if skipped:
            print(skipped)

    if args.profile:
        import_profile(python, alt_req[one.entities], args.repeat, work)
        largest = max(n for n in sizes if sets[n].valid_for_altalune)
        in_process_profile(python, alt_req[largest], largest, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
