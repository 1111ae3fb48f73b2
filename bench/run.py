#!/usr/bin/env python3
"""Benchmark of protoc-gen-altalune against the Go protoc plugins.

What it measures
----------------
For each size N (number of entities; default 1, 10, 100, 300) it writes a
synthetic, annotated proto set into a temporary directory: N entities shaped
like the example Employee (13 fields: strings, two unique ones, one of them
immutable, two enums, one with a db_value, a proto3 optional, an Int32Value
wrapper, a Timestamp, a double, a bool, created_at/updated_at; buf.validate
rules on the requests), each with its CRUD service and the ten request and
response messages, ten entities to a file (--per-file), plus a copy of the
example's common.proto.

Each set is compiled ONCE with protoc (--include_imports --include_source_info
--descriptor_set_out) and turned into a CodeGeneratorRequest in Python, as
protoc/buf would send it: file_to_generate = the synthetic files (strategy:
all), proto_file = every file in dependency order, source_file_descriptors for
the generated files, and the plugin's own parameter (buf's `opt:`);
compiler_version is left unset. Only the parameter differs between the
plugins; the descriptors are the same bytes.

Every plugin executable then reads that request on stdin, as protoc runs it
(a fork/exec, the request from a file, the response to a file):

  protoc-gen-altalune    go_module=github.com/hrz8/altalune  (the plugin under test)
  protoc-gen-go          paths=source_relative                (the baseline)
  protoc-gen-go-grpc     paths=source_relative                (context)
  protoc-gen-connect-go  paths=source_relative                (context)

Per plugin and size: wall time over --repeat runs after one warm-up (median
and min; the plugins are interleaved run by run so that machine noise hits
them alike), the child's peak RSS (from GNU /usr/bin/time on the untimed
warm-up run: os.wait4's ru_maxrss would include this benchmark's own memory,
see GNU_TIME below), and the response size. Every response is checked: no
`error`, the expected number of files (altalune: 8 per entity + 7 aggregate
files; protoc-gen-go: one per proto file; go-grpc and connect-go: one per
file with a service), and the same bytes on every run of the same request.

Start-up is measured apart: `protoc-gen-altalune --version`, an empty-entity
request (the common.proto alone, which imports buf/validate/validate.proto)
through protoc-gen-altalune and protoc-gen-go, and the bare interpreter
(`python -c pass`) as the floor of any Python plugin.

The product's limit: each entity needs its own error_code block, 601-698 by
convention and the rest of 100-999 beyond (never 600, 603 or 699), so one
generation run holds at most 897 entities. A size above that is still
synthesised and run, but protoc-gen-altalune must refuse it with the
error_code-block message; that is checked, and the table shows "refused".

The table prints, per N: altalune and protoc-gen-go median (and min) ms, the
ratio altalune / protoc-gen-go measured in this run, the marginal cost in ms
per entity (the slope from the smallest size; pairwise slopes between close
sizes such as 97 and 100 are mostly noise), and the peak RSS of each. No
assertion is made on time (machines are shared and noisy). The script exits
non-zero if any plugin answers with an unexpected error, a wrong file count
or different bytes for the same request.

--profile also runs protoc-gen-altalune in-process (cli.run on the same
request bytes, including its lazy imports of jinja2 and the plugin modules)
under cProfile for the largest valid N, and prints the top 25 functions by
cumulative time and the top 15 by own time.

How to run
----------
  export PATH=$PWD/.tools/venv/bin:$PWD/.tools/bin:$PATH   # scripts/bootstrap.sh installs them
  python bench/run.py                         # default sizes, 5 repetitions
  python bench/run.py --sizes 1,10,100 --repeat 9
  python bench/run.py --profile               # plus the cProfile of the largest valid N
  python bench/run.py --keep bench/out        # keep the protos and request bytes there

Needs: protoc on PATH (or --protoc), the venv with protoc-gen-altalune and
protobuf, the Go plugins on PATH (a missing context plugin is skipped; a
missing protoc-gen-go is an error), and example/api/third_party populated by
scripts/bootstrap.sh.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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

# Per entity: model, errors, interface, repo, mapper, service, handler, migration.
ALTALUNE_FILES_PER_ENTITY = 8
# kit query/errors/convert, root errors, container, server routes, partitioned tables.
ALTALUNE_AGGREGATE_FILES = 7


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


# --- the plugins ------------------------------------------------------------------------


@dataclass
class ProtoSet:
    entities: int
    files: list[str]  # file_to_generate
    service_files: int
    request: plugin_pb2.CodeGeneratorRequest

    @property
    def valid_for_altalune(self) -> bool:
        return self.entities <= MAX_ENTITIES


@dataclass
class Plugin:
    name: str
    parameter: str
    expected_files: Callable[[ProtoSet], int]
    baseline: bool = False
    under_test: bool = False


PLUGINS = [
    Plugin("protoc-gen-altalune", f"go_module={GO_MODULE}",
           lambda s: s.entities * ALTALUNE_FILES_PER_ENTITY + ALTALUNE_AGGREGATE_FILES if s.entities else 0,
           under_test=True),
    Plugin("protoc-gen-go", "paths=source_relative", lambda s: len(s.files), baseline=True),
    Plugin("protoc-gen-go-grpc", "paths=source_relative", lambda s: s.service_files),
    Plugin("protoc-gen-connect-go", "paths=source_relative", lambda s: s.service_files),
]


class CheckFailed(Exception):
    pass


# Peak RSS. os.wait4's ru_maxrss is not usable here: Linux carries the
# high-water mark of the process image replaced by exec into the child's
# figure, and posix_spawn (like fork) starts the child in a copy of this
# benchmark's own memory, so every plugin would read >= this process's RSS.
# GNU time forks from a small process and reports its child's own peak, so
# the untimed warm-up run goes through it when it is installed.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


@dataclass
class Run:
    seconds: float
    max_rss_kb: int
    response: bytes


def run_once(argv: list[str], stdin_path: Path, stdout_path: Path, rss: bool = False) -> Run:
    """fork/exec ``argv`` with stdin from a file and stdout to a file, as protoc does.

    Returns the wall time from spawn to reap and, with ``rss``, the child's
    peak RSS in KiB (via GNU time; without it, wait4's upper bound).
    """
    rss_path = stdout_path.with_suffix(".rss")
    command = [GNU_TIME, "-f", "%M", "-o", str(rss_path), *argv] if rss and GNU_TIME else argv
    with open(stdin_path, "rb") as fin, open(stdout_path, "wb") as fout:
        actions = [(os.POSIX_SPAWN_DUP2, fin.fileno(), 0), (os.POSIX_SPAWN_DUP2, fout.fileno(), 1)]
        start = time.perf_counter()
        pid = os.posix_spawnp(command[0], command, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise CheckFailed(f"{' '.join(argv)} exited with {code}")
    max_rss_kb = usage.ru_maxrss  # KiB on Linux
    if rss and GNU_TIME:
        max_rss_kb = int(rss_path.read_text().split()[-1])
    return Run(seconds, max_rss_kb, stdout_path.read_bytes())


@dataclass
class Result:
    plugin: str
    entities: int
    times: list[float] = field(default_factory=list)
    max_rss_kb: int = 0
    response_bytes: int = 0
    content_bytes: int = 0
    files: int = 0
    refused: bool = False

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.times) * 1000


def check(plugin: Plugin, pset: ProtoSet, data: bytes, result: Result) -> None:
    response = plugin_pb2.CodeGeneratorResponse.FromString(data)
    result.response_bytes = len(data)
    result.content_bytes = sum(len(f.content) for f in response.file)
    result.files = len(response.file)
    where = f"{plugin.name}, {pset.entities} entities"
    if plugin.under_test and not pset.valid_for_altalune:
        # More entities than error_code blocks: a clear refusal is the right answer.
        if REFUSAL not in response.error:
            raise CheckFailed(f"{where}: expected a refusal naming the {REFUSAL}, got "
                              f"{response.error[:300]!r} and {len(response.file)} files")
        result.refused = True
        return
    if response.error:
        raise CheckFailed(f"{where}: error: {response.error[:500]}")
    expected = plugin.expected_files(pset)
    if len(response.file) != expected:
        raise CheckFailed(f"{where}: {len(response.file)} files, expected {expected}")


def measure(plugins: list[Plugin], pset: ProtoSet, workdir: Path, repeat: int) -> dict[str, Result]:
    inputs = {}
    for p in plugins:
        request = plugin_pb2.CodeGeneratorRequest()
        request.CopyFrom(pset.request)
        request.parameter = p.parameter
        path = workdir / f"request.{pset.entities}.{p.name}.binpb"
        path.write_bytes(request.SerializeToString(deterministic=True))
        inputs[p.name] = path
    results = {p.name: Result(p.name, pset.entities) for p in plugins}
    out = workdir / "response.binpb"
    first: dict[str, bytes] = {}
    for rep in range(repeat + 1):  # run 0 warms caches, is checked, gives the peak RSS, and is not timed
        for p in plugins:
            run = run_once([p.name], inputs[p.name], out, rss=rep == 0)
            r = results[p.name]
            if rep == 0:
                check(p, pset, run.response, r)
                r.max_rss_kb = run.max_rss_kb
                first[p.name] = run.response
            else:
                r.times.append(run.seconds)
                if run.response != first[p.name]:
                    raise CheckFailed(f"{p.name}, {pset.entities} entities: the response differs between runs "
                                      "of the same request")
    return results


def measure_command(argv: list[str], stdin_path: Path, workdir: Path, repeat: int) -> Result:
    r = Result(" ".join(argv), 0)
    for rep in range(repeat + 1):
        run = run_once(argv, stdin_path, workdir / "response.binpb", rss=rep == 0)
        if rep:
            r.times.append(run.seconds)
        else:
            r.max_rss_kb = run.max_rss_kb
    return r


# --- report ----------------------------------------------------------------------------------


def fmt_ms(r: Result) -> str:
    return f"{r.median_ms:8.1f} {r.min_ms:8.1f}"


def mb(kb: int) -> str:
    return f"{kb / 1024:6.1f}"


def print_main_table(sizes: list[int], results: dict[int, dict[str, Result]], under: str, base: str) -> None:
    print(f"\n{under} vs {base} (wall ms: median, min; ms/ent = ms per added entity, the slope from "
          f"N={sizes[0]})")
    head = (f"{'N':>5} {'files':>7} | {'alt med':>8} {'alt min':>8} {'alt RSS':>7} {'alt out':>8} | "
            f"{'go med':>8} {'go min':>8} {'go RSS':>6} {'go out':>7} | {'ratio':>6} | "
            f"{'alt ms/ent':>10} {'go ms/ent':>9}")
    print(head)
    print("-" * len(head))
    first = sizes[0]
    for n in sizes:
        a, g = results[n][under], results[n][base]
        files = "refused" if a.refused else str(a.files)
        out = f"{'-':>8}" if a.refused else f"{a.response_bytes / 1024:6.0f}KB"
        alt = f"{fmt_ms(a)} {mb(a.max_rss_kb)}M {out}"
        ratio = "-" if a.refused else f"{a.median_ms / g.median_ms:6.1f}"
        go = f"{fmt_ms(g)} {mb(g.max_rss_kb)}M {g.response_bytes / 1024:5.0f}KB"
        alt_slope = go_slope = "-"
        if n != first:  # slope from the smallest size: ms per added entity
            fa, fg = results[first][under], results[first][base]
            if not a.refused and not fa.refused:
                alt_slope = f"{(a.median_ms - fa.median_ms) / (n - first):10.2f}"
            go_slope = f"{(g.median_ms - fg.median_ms) / (n - first):9.3f}"
        print(f"{n:>5} {files:>7} | {alt} | {go} | {ratio:>6} | {alt_slope:>10} {go_slope:>9}")
    if any(results[n][under].refused for n in sizes):
        print(f"refused: more than {MAX_ENTITIES} entities need more error_code blocks than 100-999 "
              f"hold; the plugin answers with a located error (checked); its times are the time to refuse.")


def print_context_table(sizes: list[int], results: dict[int, dict[str, Result]], names: list[str],
                        base: str) -> None:
    if not names:
        return
    print("\nContext: other plugins on the same requests (wall ms median, peak RSS, response size)")
    head = f"{'N':>5} | " + " | ".join(f"{name:>30}" for name in [base] + names)
    print(head)
    print("-" * len(head))
    for n in sizes:
        cells = []
        for name in [base] + names:
            r = results[n][name]
            cells.append(f"{r.median_ms:9.1f} ms {mb(r.max_rss_kb)} MB {r.response_bytes / 1024:6.0f} KB")
        print(f"{n:>5} | " + " | ".join(f"{c:>30}" for c in cells))


def print_startup(rows: list[tuple[str, Result]]) -> None:
    print("\nStart-up (wall ms median, min; peak RSS)")
    for label, r in rows:
        print(f"  {label:<62} {r.median_ms:8.1f} {r.min_ms:8.1f} ms {mb(r.max_rss_kb)} MB")


def profile(request_bytes: bytes, entities: int) -> None:
    """protoc-gen-altalune in-process under cProfile, from the request bytes to the response bytes."""
    from protoc_gen_altalune import cli

    out = io.BytesIO()
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    code = cli.run(io.BytesIO(request_bytes), out)
    profiler.disable()
    elapsed = time.perf_counter() - start
    if code != 0:
        raise CheckFailed(f"in-process protoc-gen-altalune exited with {code}")
    response = plugin_pb2.CodeGeneratorResponse.FromString(out.getvalue())
    if response.error:
        raise CheckFailed(f"in-process protoc-gen-altalune: {response.error[:500]}")
    print(f"\ncProfile of protoc-gen-altalune in-process, {entities} entities, {len(response.file)} files "
          f"({elapsed * 1000:.0f} ms under the profiler, imports of the plugin modules and jinja2 included)")
    for key, count, title in (("cumulative", 25, "cumulative time"), ("tottime", 15, "own time")):
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats(key).print_stats(count)
        body = text.getvalue()
        # Keep the column header and the rows; drop pstats' preamble.
        start_at = body.find("   ncalls")
        print(f"\n-- top {count} by {title} --")
        print(body[start_at:].rstrip() if start_at >= 0 else body.rstrip())


# --- main -------------------------------------------------------------------------------------


def source_state() -> str:
    """The commit measured, and whether the plugin's sources differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "protoc_gen_altalune", "templates",
                                "pyproject.toml"], cwd=REPO, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "commit unknown"
    return f"commit {head}" + (" + uncommitted plugin changes" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100,300",
                        help="comma-separated entity counts (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per plugin and size (default: 5)")
    parser.add_argument("--per-file", type=int, default=10, help="entities per proto file (default: 10)")
    parser.add_argument("--protoc", default="protoc", help="protoc command (default: protoc on PATH)")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile protoc-gen-altalune in-process on the largest valid size")
    parser.add_argument("--keep", metavar="DIR", help="write the proto sets and request bytes to DIR and keep them")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] < 1 or args.repeat < 1 or args.per_file < 1:
        parser.error("sizes, --repeat and --per-file must be positive")

    for tool in (args.protoc, "protoc-gen-altalune", "protoc-gen-go"):
        if not shutil.which(tool):
            parser.error(f"{tool} is not on PATH; see the top of {Path(__file__).name}")
    if not (THIRD_PARTY / "buf" / "validate" / "validate.proto").exists():
        parser.error(f"{THIRD_PARTY} lacks buf/validate/validate.proto; run scripts/bootstrap.sh")
    plugins = [p for p in PLUGINS if shutil.which(p.name)]
    skipped = [p.name for p in PLUGINS if p not in plugins]
    under = next(p.name for p in plugins if p.under_test)
    base = next(p.name for p in plugins if p.baseline)
    context = [p.name for p in plugins if not p.under_test and not p.baseline]

    if args.keep:
        workdir = Path(args.keep).resolve()
        marker = workdir / ".altalune-bench"  # only a directory this script made is ever emptied
        if workdir.exists() and any(workdir.iterdir()):
            if not marker.exists():
                parser.error(f"--keep {args.keep}: the directory exists and was not made by this script")
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        marker.write_text("output of bench/run.py; removed by its next run with --keep here\n")
    else:
        workdir = Path(tempfile.mkdtemp(prefix="altalune-bench-"))
    try:
        print(f"protoc-gen-altalune benchmark: sizes {sizes}, {args.repeat} timed runs after 1 warm-up, "
              f"{args.per_file} entities per file, {source_state()}, python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs"
              + (f"; skipped (not on PATH): {', '.join(skipped)}" if skipped else ""))
        sets: dict[int, ProtoSet] = {}
        results: dict[int, dict[str, Result]] = {}
        for n in [0] + sizes:  # 0: the empty-entity request for start-up
            root = workdir / f"set-{n}"
            files, service_files = write_proto_set(root, n, args.per_file)
            start = time.perf_counter()
            request = compile_request(args.protoc, root, files)
            sets[n] = ProtoSet(n, files, service_files, request)
            if n:
                print(f"  N={n}: {len(files)} files, request {request.ByteSize() / 1024:.0f} KB "
                      f"(protoc {time.perf_counter() - start:.1f} s); measuring...", flush=True)
                results[n] = measure(plugins, sets[n], root, args.repeat)

        # Start-up: the same empty-entity request for both plugins, --version, the bare interpreter.
        empty = results[0] = measure([p for p in plugins if p.name in (under, base)], sets[0],
                                     workdir / "set-0", args.repeat)
        empty_stdin = workdir / "empty.stdin"
        empty_stdin.write_bytes(b"")
        startup = [
            ("python -c pass (the venv's interpreter)", measure_command([sys.executable, "-c", "pass"], empty_stdin,
                                                                        workdir, args.repeat)),
            (f"{under} --version", measure_command([under, "--version"], empty_stdin, workdir, args.repeat)),
            (f"{under}, empty-entity request (common.proto only)", empty[under]),
            (f"{base} --version", measure_command([base, "--version"], empty_stdin, workdir, args.repeat)),
            (f"{base}, the same request (1 file)", empty[base]),
        ]

        print_main_table(sizes, results, under, base)
        print_context_table(sizes, results, context, base)
        print_startup(startup)

        if args.profile:
            valid = [n for n in sizes if sets[n].valid_for_altalune]
            n = valid[-1] if valid else MAX_ENTITIES
            if n not in sets:
                root = workdir / f"set-{n}"
                files, service_files = write_proto_set(root, n, args.per_file)
                sets[n] = ProtoSet(n, files, service_files, compile_request(args.protoc, root, files))
            request = plugin_pb2.CodeGeneratorRequest()
            request.CopyFrom(sets[n].request)
            request.parameter = next(p.parameter for p in PLUGINS if p.under_test)
            profile(request.SerializeToString(deterministic=True), n)
    except (CheckFailed, subprocess.CalledProcessError) as err:
        print(f"\nFAILED: {err}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
