"""Generated-code fuzzing: seeded random annotated schemas through the real plugin.

Each seed gives a schema (``generate(seed)``, deterministic per seed): proto3,
one to three entities (now and then one file each, in packages of their own)
with random names (initialisms, digits, odd plurals, names that shadow Go, SQL
or what the generated code declares), options, fields of every supported kind,
enums (nested, aliased, with database values), hooks and services shaped as the
README and the reference protos show (CRUD subsets, renamed operations, custom
RPCs with a permission or public); for over a quarter of the seeds, a
deliberate mistake (a missing option, a wrong type, a malformed request). Every
case is run through protoc with the installed protoc-gen-altalune (as
tests/golden_harness.py runs golden cases) and ends in one outcome:

- ``ACCEPTED``: the plugin wrote files, and in a copy of the reference target
  (built as tests/go_module.py builds golden cases) ``go build`` and ``go vet``
  pass and ``gofmt -s -l`` lists none of the plugin's files;
- ``REFUSED``: the plugin answered with an error whose every line is
  ``<file>.proto:<line>:<col>: <problem>; <fix>`` and points inside the file;
- ``CRASH``: protoc or the plugin failed without such an answer (a traceback,
  a non-zero exit status, an internal error);
- ``BAD_ERROR``: a refusal with a line that is not located, or located
  outside the file;
- ``BUILD_FAILURE``: accepted, but the Go does not build, vet or gofmt;
- ``INVALID_SCHEMA``: protoc (or protoc-gen-go) refused the schema itself:
  a fault of this generator, never of the plugin.

The first two are fine; the other four are failures. ``tests/test_schema_fuzz.py``
runs a recorded seed set; ``scripts/fuzz-schemas.sh`` (this file's command line)
runs any number of seeds::

    python tests/schema_fuzz.py --count 1000 --seed 1 --jobs 2
    python tests/schema_fuzz.py --seeds 17,230 --keep     # rerun some seeds, keep their modules
    python tests/schema_fuzz.py --print 17                # the schema of seed 17
    python tests/schema_fuzz.py --proto repro.proto       # one hand-written file, same checks

Failing cases are saved under ``--results`` (default ``.tools/fuzz-results``),
one directory per seed: the schema (``protos/`` is its import root), the
outcome and error (``outcome.txt``) and the plugin's output (``out/``); the
run's ``summary.txt`` and ``results.json`` (every seed's outcome and timings)
beside them. Custom RPCs, declared hooks and ``CustomRepositor`` get stand-ins
(``fuzz_handwritten.go``), as a real target has them written by hand.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from go_module import Layout, add_tree, copy_example, generate_protobuf, go_available, go_env
from golden_harness import REPO, TOOLS, Case, read_tree, tool_env, which

# The same pattern tests/test_golden.py requires of every golden error line
# (test_schema_fuzz.py checks that the two stay equal).
LOCATED = re.compile(r"^[\w./-]+\.proto:\d+:\d+: \S.*; \S.*$")

ACCEPTED, REFUSED = "ACCEPTED", "REFUSED"
CRASH, BAD_ERROR, BUILD_FAILURE, INVALID_SCHEMA = "CRASH", "BAD_ERROR", "BUILD_FAILURE", "INVALID_SCHEMA"
OUTCOMES = (ACCEPTED, REFUSED, CRASH, BAD_ERROR, BUILD_FAILURE, INVALID_SCHEMA)
FAILURES = (CRASH, BAD_ERROR, BUILD_FAILURE, INVALID_SCHEMA)
DEFAULT_RESULTS = REPO / ".tools" / "fuzz-results"
GO_TIMEOUT = 600
PROTOC_TIMEOUT = 180

# =============================================================================================
# Names
# =============================================================================================

_WORD_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")


def words(name: str) -> list[str]:
    """Lower-case words of a PascalCase, camelCase or snake_case name (the README's convention)."""
    result: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        result.extend(w.lower() for w in _WORD_RE.findall(part))
    return result


def snake(name: str) -> str:
    """``APIKey`` -> ``api_key``, as the README spells an entity's ``<snake>_id``."""
    return "_".join(words(name))


def english_plural(name: str) -> str:
    """The README's default plural: the last word made plural, English rules."""
    parts = _WORD_RE.findall(name)
    if not parts:
        return name
    last = parts[-1]
    irregular = {"person": "people", "child": "children", "man": "men", "woman": "women", "mouse": "mice",
                 "datum": "data", "index": "indices"}
    if last.lower() in irregular:
        repl = irregular[last.lower()]
        if last[0].isupper():
            repl = repl[0].upper() + repl[1:]
        return name[: len(name) - len(last)] + repl
    if re.search(r"[^aeiou]y$", last.lower()):
        return name[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", last.lower()):
        return name + "es"
    return name + "s"


def json_name(field_name: str) -> str:
    """protoc's default JSON name (it refuses two fields with the same one)."""
    out, upper = [], False
    for c in field_name:
        if c == "_":
            upper = True
        elif upper:
            out.append(c.upper())
            upper = False
        else:
            out.append(c)
    return "".join(out)


# Entities: plain words (some with odd plurals), initialisms, digits, and names that
# shadow Go, SQL or what the generated code declares.
ENTITY_PLAIN = [
    "Widget", "Gadget", "Invoice", "Employee", "Ticket", "Shipment", "Category", "Person", "Cactus", "Box",
    "Address", "Match", "Hero", "Photo", "Day", "Toy", "Quiz", "Leaf", "Sheep", "Series", "Analysis", "Child",
    "Mouse", "Datum", "Index", "Bus", "News", "Company", "Country", "Currency", "Device", "Sensor", "Reading",
    "Batch", "Wish", "Tax", "Fee", "Alias", "Bonus", "Virus", "Radius", "Axis", "Crisis", "Story", "Journey",
    "Note", "Tag", "Lesson", "Course", "Dish", "Fox", "Woman", "Policy", "Survey", "Warehouse", "Vendor",
]
ENTITY_INITIALISM = [
    "APIKey", "ApiKey", "HTTPLog", "HttpLog", "IPAddress", "IpAddress", "Ip", "IP", "URLMapping", "UUIDRecord",
    "JSONDoc", "SQLScript", "TLSCert", "DNSRecord", "UserID", "OAuthClient", "XMLFeed", "CPUSample", "VMImage",
    "HTTPSProxy", "ACLRule", "TTLPolicy", "UIWidget", "SMTPRelay",
]
ENTITY_DIGITS = ["Widget2", "V2Item", "Item3d", "Oauth2Client", "S3Bucket", "Base64Blob", "Sha256Sum",
                 "Ipv6Range", "Http2Stream", "Route53Zone", "X509Cert", "Level1Cache"]
ENTITY_SHADOW = [
    "Service", "Handler", "Repo", "Access", "Query", "Input", "Model", "Error", "Filter", "Project", "Time",
    "Context", "Connect", "Logger", "Validator", "Select", "User", "Table", "Order", "Group", "Type", "Func",
    "String", "Default", "Range", "Package", "Result", "Response", "Request", "Codes", "Fmt", "Status", "Errors",
    "Domainkit", "Nanoid", "Postgres", "Proto", "Grpc", "Mapper", "Rule", "Option", "Repositor", "GRPCServer",
    "Kit", "Server", "Container", "Migration", "Entity", "Page", "Meta", "Params", "Data", "Sort", "Keyword",
    "Rows", "Row", "Tx", "DB", "Sql", "Strings", "Bytes", "Timestamppb", "Wrapperspb", "Protovalidate",
    "Database", "Auth", "Config", "Shared", "Domain", "Gen", "Internal", "Cmd", "Var", "Interface", "Map",
]
# Top-level names common.proto and project.proto declare in package altalune.v1.
ALTALUNE_V1_NAMES = {
    "ErrorDetail", "StringList", "Pagination", "SortOrder", "Sorting", "QueryRequest", "FilterValues",
    "QueryMetaResponse", "Project", "CreateProjectRequest", "CreateProjectResponse", "GetProjectRequest",
    "GetProjectResponse", "QueryProjectsRequest", "QueryProjectsResponse", "ProjectService",
}
OWN_PACKAGES = ["shop", "hr", "billing", "inventory", "geo", "net", "crm", "iot", "ops", "media", "fleet", "lab"]

FIELD_PLAIN = [
    "name", "title", "email", "code", "description", "amount", "quantity", "price", "rank", "weight", "enabled",
    "active", "notes", "label", "color", "size", "score", "level", "priority", "sku", "slug", "phone", "url",
    "address", "due_at", "started_at", "expires_at", "born_at", "height_cm", "display_name", "serial_number",
    "reference", "comment", "balance", "ratio", "counter", "version", "flags", "checksum", "payload", "avatar",
    "latitude", "longitude", "revision", "owner_email", "first_name", "last_name", "nickname", "tag_line",
    "deleted_at", "seen_at", "summary", "body", "total_cents", "discount", "visible", "archived", "locale",
]
FIELD_TRICKY = [
    "status", "query", "time", "codes", "fmt", "ctx", "err", "errors", "type", "func", "range", "string",
    "default", "select", "order", "user", "uid", "uuid", "ip", "api_key", "http_url", "user_id", "owner_id",
    "parent_id", "ids", "x_1", "line2", "address_line_1", "v2_code", "sha256", "s3_key", "project", "project_ref",
    "public", "public_ref", "input", "result", "repo", "service", "handler", "access", "s", "r", "op", "found",
    "self_id", "domainkit", "context", "proto", "connect", "log", "validator", "sql", "rows", "row", "db", "tx",
    "args", "filters", "keyword", "page", "sort", "meta", "data", "message", "value", "values", "key", "index",
    "len", "new", "nil", "true", "iota", "byte", "error", "int", "any", "go", "chan", "defer", "package", "var",
    "const", "interface", "struct", "switch", "case", "goto", "continue", "for", "if", "else", "return",
    "_hidden", "reset", "descriptor", "proto_message", "marshal", "created", "updated", "strings", "bytes",
    "time_at", "query_params", "app_err", "selfID", "projectID", "publicID", "nanoid", "postgres", "timestamppb",
    "wrapperspb", "protovalidate", "status_code", "id_code", "ID_", "optional", "stream", "returns", "option",
    "google", "altalune", "buf", "root", "slog", "pgx",
]
# Pairs protoc-gen-go or the domain's Go names could map together.
FIELD_PAIRS = [("name", "get_name"), ("status", "get_status"), ("url", "get_url"), ("code", "get_code"),
               ("api_key", "ApiKey"), ("http_url", "HTTPUrl"), ("ip", "IP"), ("email", "get_email"),
               ("x1", "x_1"), ("value", "get_value"), ("id_code", "IDCode")]
# Never random field names: the entity's own (added on purpose, or left out by a mutation).
NEVER_FIELDS = {"id", "created_at", "updated_at"}

ENUM_SUFFIXES = ["Status", "Kind", "Mode", "Level", "Type", "Role", "State", "Color", "Priority", "Tier", "Flag"]
ENUM_STANDALONE = ["Status", "Mode", "Color", "Priority", "Kind", "Shade", "Visibility", "Channel", "Weekday"]
ENUM_WORDS = [
    "ACTIVE", "INACTIVE", "PENDING", "DONE", "OPEN", "CLOSED", "LOW", "HIGH", "RED", "GREEN", "BLUE", "ON", "OFF",
    "AUTO", "MANUAL", "DRAFT", "PUBLISHED", "ARCHIVED", "NEW", "OLD", "V1", "V2", "X", "A_B", "IPV4", "IPV6",
    "HTTP", "HTTPS", "READ_ONLY", "ADMIN", "USER", "GUEST", "ONE", "TWO", "THREE", "YES", "NO", "DEFAULT",
    "SELECT", "TYPE", "NIL", "TRUE", "FALSE", "ID", "X1", "ON_HOLD", "ORDER", "TO_PROTO", "VALID",
    "NOT_FOUND", "ALREADY_EXISTS", "QUERY_RESULT",
]
# Value suffixes whose Go constants are names the domain declares for the enum
# (<Enum>Values, <Enum>FromProto). (HTTP_S beside HTTPS would give one constant
# too, but proto3 refuses two values that differ only in case and underscores.)
ENUM_CONST_PAIRS = [("VALUES", "ON"), ("FROM_PROTO", "OFF"), ("VALUES", "FROM_PROTO")]
DB_VALUES = ["jr", "sr", "x", "on-hold", "a_b", "2", "ok", "done", "Upper", "with space", "ünï", "select"]

CUSTOM_VERBS = ["Archive", "Approve", "Restore", "Close", "Publish", "Export", "Count", "Recalculate", "Touch"]
ACTIONS = ["archive", "approve", "export", "close", "admin", "read", "write", "manage", "run-report"]
RESOURCES = ["billing", "hr", "admin", "inventory", "reports", "ops_team", "x1"]
DOMAIN_WORDS = ["things", "inventory2", "api_keys", "catalog", "records", "store", "people", "assets",
                "workspace", "projects", "stuff", "gear", "ledger", "internal", "vendor", "testdata", "query",
                "domainkit", "time", "api"]

SCALARS = ["string", "bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64",
           "sfixed32", "sfixed64", "float", "double", "bytes"]
SCALAR_WEIGHTS = [30, 6, 5, 5, 3, 3, 2, 2, 2, 2, 2, 2, 3, 4, 3]
WRAPPERS = {"StringValue": "string", "BoolValue": "bool", "Int32Value": "int32", "Int64Value": "int64",
            "UInt32Value": "uint32", "UInt64Value": "uint64", "FloatValue": "float", "DoubleValue": "double"}
INT_KINDS = {"int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64"}
SQL_TYPES = {
    "string": ["TEXT", "CITEXT", "VARCHAR(64)"], "bool": ["BOOLEAN"], "bytes": ["BYTEA"],
    "float": ["REAL", "NUMERIC(12, 2)"], "double": ["DOUBLE PRECISION", "NUMERIC(12, 2)"],
    "timestamp": ["TIMESTAMPTZ"], "enum": ["VARCHAR(32)", "TEXT"],
}
SQL_RESERVED = {"all", "and", "any", "as", "asc", "case", "check", "column", "create", "default", "desc", "do",
                "else", "end", "false", "for", "from", "group", "in", "is", "not", "null", "on", "or", "order",
                "select", "table", "to", "true", "union", "unique", "user", "where", "with", "limit", "offset"}


# =============================================================================================
# The schema model
# =============================================================================================


class Ident(str):
    """An option value written bare (an enum value such as OPERATION_CUSTOM)."""


@dataclass
class EnumDef:
    name: str
    values: list[tuple[str, int, str | None]]
    allow_alias: bool = False


@dataclass
class FieldDef:
    name: str
    type: str  # as written: string, WidgetStatus, Ip.Mode, google.protobuf.Timestamp, map<string, string>
    kind: str  # string ... bytes, enum, timestamp, wrapper, message, map
    number: int
    optional: bool = False
    repeated: bool = False
    opts: dict = field(default_factory=dict)  # (altalune.codegen.v1.field)
    rules: list[str] = field(default_factory=list)  # (buf.validate.field)... = ...
    oneof: str | None = None

    @property
    def base_kind(self) -> str:
        return WRAPPERS.get(self.type.rsplit(".", 1)[-1], self.kind) if self.kind == "wrapper" else self.kind


@dataclass
class MessageDef:
    name: str
    fields: list[FieldDef] = field(default_factory=list)
    entity: dict | None = None  # (altalune.codegen.v1.entity)
    enums: list[EnumDef] = field(default_factory=list)
    messages: list[MessageDef] = field(default_factory=list)
    comment: str = ""

    def get(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    def next_number(self) -> int:
        used = {f.number for f in self.fields}
        n = max([n for n in used if n < 90] + [0]) + 1
        while n in used:
            n += 1
        return n


@dataclass
class RpcDef:
    name: str
    request: str
    response: str
    opts: dict = field(default_factory=dict)  # (altalune.codegen.v1.method)
    op: str = "custom"  # what the generator meant: query/create/get/update/delete/custom
    stream: bool = False


@dataclass
class ServiceDef:
    name: str
    entity: EntityInfo | None
    opts: dict = field(default_factory=dict)
    rpcs: list[RpcDef] = field(default_factory=list)


@dataclass
class EntityInfo:
    name: str
    plural: str
    snake: str
    partitioned: bool
    message: MessageDef
    file: ProtoFile
    service: ServiceDef | None = None

    @property
    def stored(self) -> list[FieldDef]:
        """Fields the plugin stores: everything but id, the timestamps and transient fields."""
        return [f for f in self.message.fields
                if f.name not in ("id", "created_at", "updated_at") and not f.opts.get("transient")
                and not f.repeated and f.kind not in ("message", "map") and not f.oneof]


@dataclass
class ProtoFile:
    package: str
    go_package: str | None
    path: str = ""  # relative to the import root, e.g. altalune/v1/widget.proto
    common: str = ""  # how common.proto's messages are referenced: "" or "altalune.v1."
    enums: list[EnumDef] = field(default_factory=list)
    messages: list[MessageDef] = field(default_factory=list)
    services: list[ServiceDef] = field(default_factory=list)
    text: str = ""


@dataclass
class Schema:
    seed: int
    files: list[ProtoFile] = field(default_factory=list)
    entities: list[EntityInfo] = field(default_factory=list)
    intent: str = "valid"  # or "broken: <mutation>, ..."
    tags: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[MessageDef]:
        return [m for f in self.files for m in f.messages]

    @property
    def text(self) -> str:
        """Every file, each after a line naming it (what --print shows)."""
        return "".join(f"// ===== {f.path}\n{f.text}" for f in self.files)


# =============================================================================================
# Rendering
# =============================================================================================


def _value(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, Ident):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def _options_block(opts: dict) -> str:
    return "{" + " ".join(f"{k}: {_value(v)}" for k, v in opts.items()) + "}"


def _render_enum(e: EnumDef, pad: str) -> list[str]:
    lines = [f"{pad}enum {e.name} {{"]
    if e.allow_alias:
        lines.append(f"{pad}  option allow_alias = true;")
    for name, number, db in e.values:
        opt = f" [(altalune.codegen.v1.enum_value) = {{db_value: {_value(db)}}}]" if db is not None else ""
        lines.append(f"{pad}  {name} = {number}{opt};")
    lines.append(f"{pad}}}")
    return lines


def _render_field(f: FieldDef, pad: str) -> str:
    label = "repeated " if f.repeated else "optional " if f.optional else ""
    opts = []
    if f.opts:
        opts.append(f"(altalune.codegen.v1.field) = {_options_block(f.opts)}")
    opts.extend(f.rules)
    suffix = f" [{', '.join(opts)}]" if opts else ""
    return f"{pad}{label}{f.type} {f.name} = {f.number}{suffix};"


def _render_message(m: MessageDef, pad: str = "") -> list[str]:
    lines = [f"{pad}// {m.comment}"] if m.comment else []
    lines.append(f"{pad}message {m.name} {{")
    if m.entity is not None:
        lines.append(f"{pad}  option (altalune.codegen.v1.entity) = {{")
        lines.extend(f"{pad}    {k}: {_value(v)}" for k, v in m.entity.items())
        lines.append(f"{pad}  }};")
        lines.append("")
    for e in m.enums:
        lines.extend(_render_enum(e, pad + "  "))
        lines.append("")
    for nested in m.messages:
        lines.extend(_render_message(nested, pad + "  "))
        lines.append("")
    oneofs: dict[str, list[FieldDef]] = {}
    for f in m.fields:
        if f.oneof:
            if f.oneof not in oneofs:
                oneofs[f.oneof] = []
                lines.append(f"{pad}  oneof {f.oneof} {{")
                lines.extend(_render_field(g, pad + "    ") for g in m.fields if g.oneof == f.oneof)
                lines.append(f"{pad}  }}")
            continue
        lines.append(_render_field(f, pad + "  "))
    lines.append(f"{pad}}}")
    return lines


def _render_service(s: ServiceDef) -> list[str]:
    lines = [f"service {s.name} {{"]
    if s.opts:
        lines.append(f"  option (altalune.codegen.v1.service) = {_options_block(s.opts)};")
    for r in s.rpcs:
        ret = f"stream {r.response}" if r.stream else r.response
        head = f"  rpc {r.name}({r.request}) returns ({ret})"
        if r.opts:
            lines.append(head + " {")
            lines.append(f"    option (altalune.codegen.v1.method) = {_options_block(r.opts)};")
            lines.append("  }")
        else:
            lines.append(head + ";")
    lines.append("}")
    return lines


def render(schema: Schema, pf: ProtoFile) -> str:
    lines = ['syntax = "proto3";', "", f"package {pf.package};", ""]
    for imp in ("altalune/codegen/v1/options.proto", "altalune/v1/common.proto", "buf/validate/validate.proto",
                "google/protobuf/timestamp.proto", "google/protobuf/wrappers.proto"):
        lines.append(f'import "{imp}";')
    lines.append("")
    if pf.go_package:
        lines += [f'option go_package = "{pf.go_package}";', ""]
    tags = f" [{', '.join(schema.tags)}]" if schema.tags else ""
    lines.append(f"// fuzz seed {schema.seed}: {schema.intent}{tags}")
    lines.append("")
    for e in pf.enums:
        lines += _render_enum(e, "") + [""]
    for m in pf.messages:
        lines += _render_message(m) + [""]
    for s in pf.services:
        lines += _render_service(s) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


# =============================================================================================
# The generator
# =============================================================================================


class Generator:
    def __init__(self, seed: int):
        self.seed = seed
        self.r = random.Random(seed)
        self.taken: set[str] = set()  # top-level proto names of the package
        self.nested: set[str] = {"Extra"}  # names of nested enums and messages
        self.value_names: set[str] = set()  # package-scope enum value names
        self.tags: list[str] = []
        self.blocks: set[int] = set()
        self.versions: set[str] = set()
        self.domains: set[str] = set()
        self.tables: set[str] = set()

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def tag(self, t: str) -> None:
        if t not in self.tags:
            self.tags.append(t)

    # --- the file ------------------------------------------------------------------------

    def generate(self) -> Schema:
        r = self.r
        schema = Schema(seed=self.seed)
        self.schema = schema
        count = r.choice([1, 1, 1, 2, 2, 3])
        # Now and then each entity in a file of its own (a package of its own, sometimes):
        # the aggregated files (root errors, registration) gather several sources.
        split = count > 1 and self.chance(0.3)
        if split:
            self.tag("files")
        specials = self._specials(count)
        for i in range(count):
            if i == 0 or split:
                same = i > 0 and self.chance(0.5)
                self._new_file(schema, same_package=same)
            self._entity(schema, specials.get(i, set()))
        for i, e in enumerate(schema.entities):
            custom = "custom" in specials.get(i, set())
            if self.chance(0.87) or custom:
                self.file = e.file
                self._service(schema, e, custom)
        mutations = []
        if self.chance(0.28):
            mutations.append(self._break(schema))
            if self.chance(0.2):
                mutations.append(self._break(schema))
        mutations = [m for m in mutations if m]
        schema.intent = "broken: " + ", ".join(mutations) if mutations else "valid"
        schema.tags = self.tags
        paths: set[str] = set()
        for pf in schema.files:
            first = next((snake(e.name) for e in schema.entities if e.file is pf), "") or "schema"
            stem = first if first not in ("common", "project") else f"{first}_entity"
            directory = pf.package.replace(".", "/")
            while f"{directory}/{stem}.proto" in paths:
                stem += "_2"
            pf.path = f"{directory}/{stem}.proto"
            paths.add(pf.path)
            pf.text = render(schema, pf)
        return schema

    def _new_file(self, schema: Schema, same_package: bool) -> None:
        r = self.r
        if same_package:
            prev = schema.files[-1]
            pf = ProtoFile(package=prev.package, go_package=prev.go_package, common=prev.common)
        elif self.chance(0.7):
            pf = ProtoFile(package="altalune.v1", go_package="github.com/hrz8/altalune/gen/altalune/v1;altalunev1",
                           common=r.choice(["", "", "altalune.v1."]))
        else:
            word = r.choice(OWN_PACKAGES)
            go_package = f"github.com/hrz8/altalune/gen/acme/{word}/v1" + ("" if self.chance(0.1) else f";{word}v1")
            pf = ProtoFile(package=f"acme.{word}.v1", go_package=go_package, common="altalune.v1.")
            self.tag("own-package")
        schema.files.append(pf)
        self.file = pf

    def _specials(self, count: int) -> dict[int, set[str]]:
        """Situations the plain random choices reach too rarely, forced now and then."""
        specials: dict[int, set[str]] = {}
        for name, p in (("nested-enum-clash", 0.07), ("enum-generated-name", 0.08), ("getter-clash", 0.07),
                        ("project-entity", 0.04), ("package-named-field", 0.08), ("alias-enum", 0.05),
                        ("custom", 0.12), ("transient-odd-type", 0.05), ("const-clash", 0.04)):
            if self.chance(p):
                specials.setdefault(self.r.randrange(count), set()).add(name)
        return specials

    # --- entities -------------------------------------------------------------------------

    def _pick_entity_name(self, special: set[str]) -> str:
        r = self.r
        for _ in range(200):
            if "project-entity" in special and self.file.package != "altalune.v1":
                name = "Project"
            else:
                pool = r.choices([ENTITY_PLAIN, ENTITY_INITIALISM, ENTITY_DIGITS, ENTITY_SHADOW],
                                 weights=[55, 15, 10, 20])[0]
                name = r.choice(pool)
            plural = english_plural(name)
            derived = {name, f"{name}Service", f"Query{plural}Request", f"Query{plural}Response"} | {
                f"{op}{name}{kind}" for op in ("Create", "Get", "Update", "Delete") for kind in ("Request", "Response")}
            reserved = ALTALUNE_V1_NAMES if self.file.package == "altalune.v1" else set()
            if not derived & (self.taken | self.nested | reserved):
                self.taken |= derived
                return name
        raise RuntimeError("no free entity name")

    def _entity(self, schema: Schema, special: set[str]) -> None:
        r = self.r
        name = self._pick_entity_name(special)
        opts: dict = {}
        plural = english_plural(name)
        if self.chance(0.12) or (name in ("Cactus", "Sheep", "Series", "News", "Analysis", "Crisis", "Axis", "Datum")
                                 and self.chance(0.5)):
            plural = {"Cactus": "Cacti", "Sheep": "Sheep", "Series": "Series", "News": "News",
                      "Analysis": "Analyses", "Crisis": "Crises", "Axis": "Axes", "Datum": "Data"}.get(
                name, name + r.choice(["List", "Set", "s", "Items"]))
            if plural != english_plural(name) or self.chance(0.5):
                opts["plural"] = plural
                self.taken |= {f"Query{plural}Request", f"Query{plural}Response"}
        table = None
        if self.chance(0.3):
            table = r.choice(["altalune_fz_", "", "t_", "app_"]) + snake(plural)
            if table not in self.tables and len(table) <= 40:
                opts["table"] = table
        self.tables.add(opts.get("table") or f"altalune_{snake(plural)}")
        partitioned = True
        roll = r.random()
        if roll < 0.35:
            opts["partitioned"] = True
        elif roll < 0.7:
            opts["partitioned"] = False
            partitioned = False
        domain_default = "".join(words(name))
        if name == "Project" and self.chance(0.8):
            opts["domain"] = r.choice(["projects", "workspace", "projectx"])
            self.tag("project-entity")
        elif self.chance(0.15):
            opts["domain"] = r.choice([d for d in DOMAIN_WORDS if d not in self.domains] or ["stuffz"])
        self.domains.add(opts.get("domain", domain_default))
        block = r.choice([b for b in range(100, 1000) if b not in (600, 603, 699) and b not in self.blocks])
        self.blocks.add(block)
        opts["error_code"] = block
        version = str(r.randint(20240101000000, 20991231235959))
        while version in self.versions:
            version = str(int(version) + 1)
        self.versions.add(version)
        opts["migration_version"] = version
        if self.chance(0.15):  # business-rule hooks, implemented by hand (the harness writes stand-ins)
            hooks = [h for h in ("HOOK_BEFORE_CREATE", "HOOK_BEFORE_UPDATE", "HOOK_BEFORE_DELETE") if self.chance(0.5)]
            opts["hooks"] = [Ident(h) for h in hooks or ["HOOK_BEFORE_CREATE"]]
            self.tag("hooks")
        msg = MessageDef(name=name, entity=opts, comment=f"{name} is a fuzzed entity.")
        info = EntityInfo(name=name, plural=plural, snake=snake(name), partitioned=partitioned, message=msg,
                          file=self.file)
        self.file.messages.append(msg)
        schema.entities.append(info)
        self._fields(schema, info, special)
        if self.chance(0.35):
            sortable = [f for f in info.stored if f.kind != "bytes" and f.opts.get("sortable", True)]
            choices = ["created_at desc", "updated_at asc", "created_at"]
            if sortable:
                f = r.choice(sortable)
                col = f.opts.get("column", f.name)
                choices += [f"{r.choice([f.name, col])} {r.choice(['asc', 'desc', 'ASC', 'Desc'])}", col]
            opts["default_sort"] = r.choice(choices)
        # a random order of the options, as people write them
        items = list(opts.items())
        r.shuffle(items)
        msg.entity = dict(items)

    # --- fields ---------------------------------------------------------------------------

    def _fields(self, schema: Schema, e: EntityInfo, special: set[str]) -> None:
        r = self.r
        m = e.message
        m.fields.append(FieldDef("id", "string", "string", 1))
        names: list[str] = []
        if "getter-clash" in special:
            names += ["name", "get_name"] if self.chance(0.7) else list(r.choice(FIELD_PAIRS[:6]))
            self.tag("getter-clash")
        package_named = None
        if "package-named-field" in special:
            # a field named like a package the generated code imports, often unique (a parameter then)
            package_named = r.choice(["query", "time", "codes", "fmt", "ctx", "err", "errors", "strings", "context",
                                      "domainkit", "nanoid", "postgres", "timestamppb", "wrapperspb", "connect",
                                      "status", "proto", "protovalidate", "slog", "sql", "pgx", "altalune"])
            names.append(package_named)
            self.tag("package-named-field")
        if self.chance(0.04):
            names += list(r.choice(FIELD_PAIRS))
            self.tag("field-pair")
        for _ in range(r.randint(1, 8)):
            names.append(r.choice(FIELD_TRICKY) if self.chance(0.13) else r.choice(FIELD_PLAIN))
        jsons = {"id", "createdAt", "updatedAt"}
        used = set()
        for n in names:
            if n in used or n in NEVER_FIELDS or json_name(n) in jsons:
                continue
            used.add(n)
            jsons.add(json_name(n))
            f = self._field(schema, e, n, m.next_number(), special)
            if n == package_named:
                f.type = f.kind = r.choice(["string", "string", "int64", "google.protobuf.Timestamp"])
                f.kind = "timestamp" if f.type.startswith("google") else f.kind
                f.optional = False
                if self.chance(0.6):
                    f.opts["unique"] = True
            m.fields.append(f)
        if "nested-enum-clash" in special:
            self._nested_enum_clash(schema, e)
        if "enum-generated-name" in special:
            self._enum_generated_name(schema, e)
        if "const-clash" in special:
            self._const_clash(schema, e)
        if "transient-odd-type" in special:
            self._transient_odd(schema, e)
        self._field_options(e)
        numbers = (98, 99) if self.chance(0.8) else (m.next_number(), m.next_number() + 1)
        if self.chance(0.93):
            m.fields.append(FieldDef("created_at", "google.protobuf.Timestamp", "timestamp", numbers[0]))
        if self.chance(0.93):
            m.fields.append(FieldDef("updated_at", "google.protobuf.Timestamp", "timestamp", numbers[1]))
        if self.chance(0.3):  # fields in a random order, id first or not
            r.shuffle(m.fields)

    def _field(self, schema: Schema, e: EntityInfo, name: str, number: int, special: set[str]) -> FieldDef:
        r = self.r
        roll = r.random()
        if roll < 0.62:
            kind = r.choices(SCALARS, weights=SCALAR_WEIGHTS)[0]
            f = FieldDef(name, kind, kind, number, optional=self.chance(0.15))
        elif roll < 0.77:
            enum_type = self._enum_for(schema, e, special)
            f = FieldDef(name, enum_type, "enum", number, optional=self.chance(0.12))
        elif roll < 0.9:
            f = FieldDef(name, "google.protobuf.Timestamp", "timestamp", number)
            if self.chance(0.3):
                f.rules.append("(buf.validate.field).required = true")
        else:
            wrapper = r.choice(list(WRAPPERS))
            f = FieldDef(name, f"google.protobuf.{wrapper}", "wrapper", number)
        return f

    def _field_options(self, e: EntityInfo) -> None:
        r = self.r
        taken_columns = {f.name for f in e.message.fields} | {"id", "public_id", "project_id", "created_at",
                                                               "updated_at"}
        keys = {f.name for f in e.message.fields} | {json_name(f.name) for f in e.message.fields}
        for f in e.message.fields:
            if f.name == "id":
                continue
            kind = f.base_kind
            o = f.opts
            if self.chance(0.05):
                o["transient"] = True
                continue
            if kind in INT_KINDS | {"string", "enum", "timestamp"} and self.chance(0.12):
                o["unique"] = True
            if kind == "string" and self.chance(0.1):
                o["searchable"] = self.chance(0.5)
            if kind != "bytes" and self.chance(0.1):
                o["filterable"] = self.chance(0.6)
            if kind != "bytes" and self.chance(0.07):
                o["sortable"] = self.chance(0.4)
            if self.chance(0.08) or (f.name in SQL_RESERVED and self.chance(0.85)) or \
                    (not re.fullmatch(r"[a-z_][a-z0-9_]*", f.name) and self.chance(0.9)):
                col = r.choice([f"{snake(f.name) or 'c'}_col", f"c_{snake(f.name) or 'x'}", f"{snake(f.name)}2"])
                if col not in taken_columns and col not in SQL_RESERVED and re.fullmatch(r"[a-z_][a-z0-9_]*", col):
                    o["column"] = col
                    taken_columns.add(col)
            if kind in SQL_TYPES and self.chance(0.06):
                o["sql_type"] = r.choice(SQL_TYPES[kind])
            elif kind in INT_KINDS and self.chance(0.05):
                o["sql_type"] = r.choice(["BIGINT", "NUMERIC(20, 0)"])
            if self.chance(0.08):
                o["immutable"] = True
            if self.chance(0.08):
                o["indexed"] = self.chance(0.6)
            filterable = o.get("filterable", kind in ("enum", "bool"))
            if filterable and self.chance(0.2):
                key = r.choice([f"{f.name}s", f"by_{f.name}", f"{f.name}_in", "f" + f.name.replace("_", "")])
                if key not in keys and key not in taken_columns and re.fullmatch(r"[A-Za-z_]\w*", key):
                    o["filter_key"] = key
                    keys.add(key)
            if kind == "string" and self.chance(0.12):
                f.rules.append(f"(buf.validate.field).string.max_len = {r.choice([1, 20, 64, 255, 4000])}")
            # a shuffled option order
            items = list(o.items())
            r.shuffle(items)
            f.opts = dict(items)

    # --- enums ----------------------------------------------------------------------------

    def _enum_values(self, enum_name: str, scope: set[str], count: int | None = None,
                     alias: bool = False, pair: tuple[str, str] | None = None) -> EnumDef:
        r = self.r
        prefix = snake(enum_name).upper() if self.chance(0.92) else r.choice(["E", "K", snake(enum_name)[:2].upper()])
        n = count if count is not None else r.choice([1, 2, 2, 3, 3, 4, 5])
        words_ = r.sample(ENUM_WORDS, n)
        if pair:
            words_ = [w for w in words_ if w not in pair][: max(0, n - 2)] + list(pair)
        values: list[tuple[str, int, str | None]] = []
        first = f"{prefix}_UNSPECIFIED"
        if first in scope:
            prefix = f"{prefix}_{len(scope)}"
            first = f"{prefix}_UNSPECIFIED"
        values.append((first, 0, None))
        scope.add(first)
        dbs: set[str] = set()
        for i, w in enumerate(words_):
            vname = f"{prefix}_{w}"
            if vname in scope:
                continue
            scope.add(vname)
            db = None
            if self.chance(0.2):
                db = r.choice(DB_VALUES)
                if db in dbs or db in {x.lower() for x in words_}:
                    db = None
            if db:
                dbs.add(db)
            values.append((vname, i + 1, db))
        e = EnumDef(enum_name, values)
        if alias and len(values) > 1:
            target = r.choice(values[1:])
            w = r.choice([x for x in ENUM_WORDS if f"{prefix}_{x}" not in scope])
            scope.add(f"{prefix}_{w}")
            values.append((f"{prefix}_{w}", target[1], None))
            e.allow_alias = True
            self.tag("alias-enum")
        return e

    def _enum_for(self, schema: Schema, e: EntityInfo, special: set[str]) -> str:
        """The type of an enum field: an existing enum, a new top-level one, or a nested one."""
        r = self.r
        existing = [x.name for x in self.file.enums] + [f"{e.name}.{x.name}" for x in e.message.enums]
        if existing and self.chance(0.3):
            return r.choice(existing)
        alias = "alias-enum" in special and self.chance(0.6)
        if self.chance(0.25):  # nested
            for _ in range(20):
                nm = r.choice(ENUM_STANDALONE + ENUM_SUFFIXES)
                if nm not in {x.name for x in e.message.enums} and nm not in self.taken:
                    self.nested.add(nm)
                    scope = {v[0] for x in e.message.enums for v in x.values}
                    e.message.enums.append(self._enum_values(nm, scope, alias=alias))
                    return f"{e.name}.{nm}"
        for _ in range(50):
            nm = e.name + r.choice(ENUM_SUFFIXES) if self.chance(0.7) else r.choice(ENUM_STANDALONE)
            if nm not in self.taken and nm not in self.nested:
                self.taken.add(nm)
                self.file.enums.append(self._enum_values(nm, self.value_names, alias=alias))
                return nm
        return "string"

    def _nested_enum_clash(self, schema: Schema, e: EntityInfo) -> None:
        """A nested enum E.Mode beside a top-level EMode: one Go name in the domain."""
        r = self.r
        nm = r.choice(["Mode", "Status", "Kind", "Level"])
        top = e.name + nm
        if top in self.taken or top in self.nested or nm in {x.name for x in e.message.enums} or nm in self.taken:
            return
        self.taken.add(top)
        self.nested.add(nm)
        scope = {v[0] for x in e.message.enums for v in x.values}
        e.message.enums.append(self._enum_values(nm, scope))
        self.file.enums.append(self._enum_values(top, self.value_names))
        m = e.message
        for fname, ftype in ((f"{snake(nm)}_a", f"{e.name}.{nm}"), (f"{snake(nm)}_b", top)):
            if m.get(fname) is None:
                m.fields.append(FieldDef(fname, ftype, "enum", m.next_number()))
        self.tag("nested-enum-clash")

    def _enum_generated_name(self, schema: Schema, e: EntityInfo) -> None:
        """An enum named like a type or value the domain package declares already."""
        r = self.r
        other = next((x.name for x in self.file.enums), None)
        candidates = [f"{e.name}QueryResult", f"Update{e.name}Input", f"Create{e.name}Input",
                      f"Delete{e.name}Input", f"{e.name}Values", "Handler", "Repositor", "GRPCServer", "Access",
                      e.name.upper() if e.name.upper() != e.name else e.name + "Kind"]
        if other:
            candidates += [f"{other}Values", f"{other}FromProto"]
        nm = r.choice(candidates)
        if nm in self.taken or nm in self.nested:
            return
        self.taken.add(nm)
        self.file.enums.append(self._enum_values(nm, self.value_names))
        fname = next(n for n in ("kind", "flavor", "variant", "category_x") if e.message.get(n) is None)
        e.message.fields.append(FieldDef(fname, nm, "enum", e.message.next_number()))
        self.tag("enum-generated-name")

    def _const_clash(self, schema: Schema, e: EntityInfo) -> None:
        """Enum values whose Go constants are declared already: a value named VALUES or FROM_PROTO."""
        r = self.r
        nm = e.name + r.choice(["Proto", "Scheme", "Band"])
        if nm in self.taken or nm in self.nested:
            return
        self.taken.add(nm)
        pair = r.choice(ENUM_CONST_PAIRS)
        self.file.enums.append(self._enum_values(nm, self.value_names, count=2, pair=pair))
        fname = next(n for n in ("scheme", "band", "proto_kind", "wire") if e.message.get(n) is None)
        e.message.fields.append(FieldDef(fname, nm, "enum", e.message.next_number()))
        self.tag("const-clash")

    def _transient_odd(self, schema: Schema, e: EntityInfo) -> None:
        """A transient field of a type that has no column."""
        r = self.r
        m = e.message
        choice = r.choice(["repeated", "map", "message", "nested"])
        n = m.next_number()
        if choice == "repeated":
            f = FieldDef("labels_x", "string", "string", n, repeated=True)
        elif choice == "map":
            f = FieldDef("attrs_x", "map<string, string>", "map", n)
        elif choice == "nested":
            m.messages.append(MessageDef("Extra", [FieldDef("text", "string", "string", 1)]))
            f = FieldDef("extra_x", "Extra", "message", n)
        else:
            f = FieldDef("page_x", f"{self.file.common}Pagination", "message", n)
        f.opts["transient"] = True
        m.fields.append(f)
        self.tag("transient-odd-type")

    # --- services -------------------------------------------------------------------------

    def _declared(self, schema: Schema, *names: str) -> bool:
        """Whether a message or enum of one of these names is declared already (or reserved by
        another package's file)."""
        declared = {m.name for m in schema.messages} | {e.name for f in schema.files for e in f.enums} | self.nested
        if self.file.package == "altalune.v1":
            declared |= ALTALUNE_V1_NAMES
        return any(n in declared for n in names)

    def _msg(self, schema: Schema, name: str, fields: list[FieldDef]) -> str:
        for i, f in enumerate(fields):
            f.number = i + 1
        self.file.messages.append(MessageDef(name, fields))
        self.taken.add(name)
        return name

    def _copy(self, f: FieldDef) -> FieldDef:
        """A request field declared exactly as the entity's, with request-side rules."""
        r = self.r
        g = FieldDef(f.name, f.type, f.kind, 0, optional=f.optional)
        k = f.base_kind
        if f.kind == "string" and self.chance(0.35):
            g.rules.append(r.choice(["(buf.validate.field).string.max_len = 100",
                                     "(buf.validate.field).string = {min_len: 1 max_len: 64}",
                                     "(buf.validate.field).string.max_len = 255"]))
        elif f.kind == "enum" and self.chance(0.3):
            g.rules.append("(buf.validate.field).enum.defined_only = true")
        elif k in ("int32", "int64", "sint32", "sint64") and f.kind != "wrapper" and self.chance(0.2):
            g.rules.append(f"(buf.validate.field).{k}.gte = 0")
        elif f.kind == "timestamp" and any("required" in x for x in f.rules) and self.chance(0.6):
            g.rules.append("(buf.validate.field).required = true")
        return g

    def _project(self, e: EntityInfo) -> list[FieldDef]:
        if e.partitioned or self.chance(0.04):
            rules = ["(buf.validate.field).string.len = 14"] if self.chance(0.7) else []
            return [FieldDef("project_id", "string", "string", 0, rules=rules)]
        return []

    def _id(self, e: EntityInfo) -> FieldDef:
        """The entity's public ID in a request: <snake>_id, or id (which the plugin accepts too,
        and the only choice for an entity whose <snake>_id is project_id)."""
        rules = ["(buf.validate.field).string.len = 14"] if self.chance(0.6) else []
        name = "id" if e.snake == "project" or self.chance(0.05) else f"{e.snake}_id"
        return FieldDef(name, "string", "string", 0, rules=rules)

    def _writable(self, e: EntityInfo, update: bool) -> list[FieldDef]:
        skip = {"project_id", f"{e.snake}_id", "id"}
        out = []
        for f in e.stored:
            if f.name in skip or not self.chance(0.85):
                continue
            if update and f.opts.get("immutable") and self.chance(0.5):
                continue
            out.append(self._copy(f))
        return out

    def _service(self, schema: Schema, e: EntityInfo, custom: bool = False) -> None:
        r = self.r
        c = self.file.common
        E, P, sn = e.name, e.plural, e.snake
        if self.chance(0.8):
            name, opts = f"{E}Service", {}
        else:
            for nm in (f"{E}Api", f"{P}Directory", f"{E}Admin", f"{E}Desk"):
                if nm not in self.taken:
                    name = nm
                    break
            else:
                return
            opts = {"entity": r.choice([E, f"{self.file.package}.{E}"])}
        self.taken.add(name)
        if self.chance(0.1):
            opts["resource"] = r.choice(RESOURCES)
        if self.chance(0.07):
            opts["public"] = True
        svc = ServiceDef(name=name, entity=e, opts=opts)
        e.service = svc
        ent = FieldDef(sn or "entity", E, "message", 0)

        def rpc_opts(op: str) -> dict:
            roll = r.random()
            if roll < 0.08:
                return {"public": True}
            if roll < 0.15:
                return {"permission": r.choice(ACTIONS + [f"{r.choice(RESOURCES)}:{r.choice(ACTIONS)}"])}
            return {}

        def alt(op: str, conventional: str, alternatives: list[str]) -> tuple[str, dict]:
            if self.chance(0.1):
                nm = r.choice(alternatives)
                if nm not in {x.name for x in svc.rpcs}:
                    o = rpc_opts(op)
                    o = {"operation": Ident(f"OPERATION_{op.upper()}"), **o}
                    return nm, o
            return conventional, rpc_opts(op)

        # now and then a service without a single RPC
        ops = [op for op in ("query", "create", "get", "update", "delete") if self.chance(0.82)] \
            if self.chance(0.985) else []
        for op in ops:
            if op == "query":
                nm, o = alt(op, f"Query{P}", [f"List{P}", f"Search{P}", f"Browse{P}"])
                req = self._project(e) + [FieldDef("query", f"{c}QueryRequest", "message", 0)]
                if self.chance(0.3):
                    r.shuffle(req)
                res = [FieldDef("data", E, "message", 0, repeated=True)]
                if self.chance(0.85):
                    res.append(FieldDef("meta", f"{c}QueryMetaResponse", "message", 0))
            elif op == "create":
                nm, o = alt(op, f"Create{E}", [f"Add{E}", f"Register{E}", "Enroll"])
                req = self._project(e) + self._writable(e, update=False)
                res = [FieldDef(ent.name, E, "message", 0)] + (
                    [FieldDef("message", "string", "string", 0)] if self.chance(0.85) else [])
            elif op == "get":
                nm, o = alt(op, f"Get{E}", [f"Fetch{E}", f"Read{E}", f"Show{E}"])
                req = self._project(e) + [self._id(e)]
                res = [FieldDef(ent.name, E, "message", 0)]
            elif op == "update":
                nm, o = alt(op, f"Update{E}", [f"Edit{E}", f"Change{E}", f"Patch{E}"])
                req = self._project(e) + [self._id(e)] + self._writable(e, update=True)
                res = [FieldDef(ent.name, E, "message", 0)] + (
                    [FieldDef("message", "string", "string", 0)] if self.chance(0.85) else [])
            else:
                nm, o = alt(op, f"Delete{E}", [f"Remove{E}", f"Drop{E}", f"Purge{E}"])
                req = self._project(e) + [self._id(e)]
                res = [FieldDef("message", "string", "string", 0)] if self.chance(0.9) else []
            if self._declared(schema, f"{nm}Request", f"{nm}Response"):
                continue
            rq = self._msg(schema, f"{nm}Request", req)
            rs = self._msg(schema, f"{nm}Response", res)
            if op in ("create", "update", "delete", "get") and not o.get("operation") and self.chance(0.04):
                # a conventional name implemented by hand
                o = {"operation": Ident("OPERATION_CUSTOM"), "permission": r.choice(ACTIONS)}
                self.tag("custom-by-option")
            svc.rpcs.append(RpcDef(nm, rq, rs, o, op=op if o.get("operation") != "OPERATION_CUSTOM" else "custom"))
        if custom or self.chance(0.12):
            for _ in range(r.choice([1, 1, 2])):
                self._custom(schema, e, svc)
        if self.chance(0.25):
            r.shuffle(svc.rpcs)
        self.file.services.append(svc)

    def _custom(self, schema: Schema, e: EntityInfo, svc: ServiceDef) -> None:
        r = self.r
        verb = r.choice(CUSTOM_VERBS)
        nm = f"{verb}{e.plural if verb in ('Export', 'Count') else e.name}"
        if self._declared(schema, f"{nm}Request", f"{nm}Response") or nm in {x.name for x in svc.rpcs}:
            return
        public = self.chance(0.3)
        req = []
        if e.partitioned or self.chance(0.3):
            req.append(FieldDef("project_id", "string", "string", 0))
        if verb not in ("Export", "Count"):
            req.append(self._id(e))
        if self.chance(0.3):
            req.append(FieldDef("reason", "string", "string", 0))
        if verb == "Count":
            res = [FieldDef("total", "int64", "int64", 0)]
        elif verb == "Export":
            res = [FieldDef("data", e.name, "message", 0, repeated=True)]
        else:
            res = [FieldDef(e.snake or "entity", e.name, "message", 0),
                   FieldDef("message", "string", "string", 0)]
        rq = self._msg(schema, f"{nm}Request", req)
        rs = self._msg(schema, f"{nm}Response", res)
        opts = {"public": True} if public else {"permission": r.choice(
            ACTIONS + [f"{r.choice(RESOURCES)}:{r.choice(ACTIONS)}"])}
        svc.rpcs.append(RpcDef(nm, rq, rs, opts, op="custom"))
        self.tag("custom-rpc")

    # --- deliberate mistakes ----------------------------------------------------------------

    def _break(self, schema: Schema) -> str:
        r = self.r
        e = r.choice(schema.entities)
        self.file = e.file
        m = e.message
        o = m.entity
        msgs = {x.name: x for x in schema.messages}
        svc = e.service
        rpcs = {x.op: x for x in svc.rpcs} if svc else {}
        others = [x for x in schema.entities if x is not e]
        mutations = [
            "no_error_code", "bad_error_code", "no_migration_version", "bad_migration_version", "no_id",
            "id_not_string", "repeated_field", "map_field", "oneof_field", "message_field", "bad_column",
            "reserved_field", "created_at_not_timestamp", "searchable_non_string", "unique_bytes",
            "filter_key_not_filterable", "filterable_bytes", "default_sort_unknown", "enum_only_zero",
            "enum_duplicate_db_value", "domain_keyword", "table_reserved", "table_too_long", "table_uppercase",
            "duplicate_field_go_name", "unique_param_collision", "hook_unspecified", "hook_twice",
        ]
        if others:
            mutations += ["duplicate_error_code", "duplicate_table", "duplicate_migration_version",
                          "duplicate_domain"]
        if svc:
            mutations += ["service_entity_missing", "streaming_rpc", "resource_malformed", "custom_no_permission",
                          "permission_malformed", "public_and_permission", "two_services", "crud_twice"]
            if e.partitioned:
                mutations += ["custom_no_project_id"]
            if rpcs:
                mutations += ["request_no_project_id"] if e.partitioned else []
            if "create" in rpcs:
                mutations += ["create_wrong_type", "create_unknown_field"]
            if any(op in rpcs for op in ("get", "update", "delete")):
                mutations += ["request_no_entity_id"]
            if "query" in rpcs:
                mutations += ["query_no_query", "query_no_data"]
            if "get" in rpcs:
                mutations += ["response_no_entity"]
        if self.file.package != "altalune.v1":
            mutations += ["no_go_package"]
        mut = r.choice(mutations)
        n = m.next_number()
        scalar_fields = [f for f in e.stored if f.kind in SCALARS]
        if mut == "no_error_code":
            o.pop("error_code", None)
        elif mut == "bad_error_code":
            o["error_code"] = r.choice([600, 603, 699, 1000, 42, 0, -5])
        elif mut == "no_migration_version":
            o.pop("migration_version", None)
        elif mut == "bad_migration_version":
            o["migration_version"] = r.choice(["2024-09-01", "2024090100000", "v1", "202409010000000"])
        elif mut == "no_id":
            m.fields = [f for f in m.fields if f.name != "id"]
        elif mut == "id_not_string":
            m.get("id").type = m.get("id").kind = r.choice(["int64", "bytes", "uint32"])
        elif mut == "repeated_field":
            m.fields.append(FieldDef("tags_list", "string", "string", n, repeated=True))
        elif mut == "map_field":
            m.fields.append(FieldDef("attributes", "map<string, string>", "map", n))
        elif mut == "oneof_field":
            m.fields.append(FieldDef("by_email", "string", "string", n, oneof="contact"))
            m.fields.append(FieldDef("by_phone", "string", "string", n + 1, oneof="contact"))
        elif mut == "message_field":
            m.fields.append(FieldDef("paging", f"{self.file.common}Pagination", "message", n))
        elif mut == "bad_column":
            target = r.choice(scalar_fields) if scalar_fields else None
            if target is None:
                m.fields.append(target := FieldDef("extra", "string", "string", n))
            target.opts["column"] = r.choice(["displayName", "order", "select", "Weird-Col", "user", "1abc"])
        elif mut == "reserved_field":
            m.fields.append(FieldDef(r.choice(["public_id", "project_id"]), "string", "string", n))
        elif mut == "created_at_not_timestamp":
            ca = m.get("created_at")
            if ca is None:
                m.fields.append(ca := FieldDef("created_at", "string", "string", n))
            ca.type = ca.kind = r.choice(["string", "int64"])
        elif mut == "searchable_non_string":
            m.fields.append(FieldDef("rank_x", "int32", "int32", n, opts={"searchable": True}))
        elif mut == "unique_bytes":
            kind = r.choice(["bytes", "double", "float", "bool"])
            m.fields.append(FieldDef("blob_x", kind, kind, n, opts={"unique": True}))
        elif mut == "filter_key_not_filterable":
            m.fields.append(FieldDef("notes_x", "string", "string", n, opts={"filter_key": "notes_xs"}))
        elif mut == "filterable_bytes":
            m.fields.append(FieldDef("blob_y", "bytes", "bytes", n, opts={r.choice(["filterable", "sortable"]): True}))
        elif mut == "default_sort_unknown":
            o["default_sort"] = r.choice(["nonexistent asc", "created_at sideways", "id asc", "name asc desc"])
        elif mut == "enum_only_zero":
            nm = f"{e.name}Empty"
            if nm not in self.taken and nm not in self.nested:
                self.taken.add(nm)
                self.file.enums.append(EnumDef(nm, [(f"{snake(nm).upper()}_UNSPECIFIED", 0, None)]))
                m.fields.append(FieldDef("empty_kind", nm, "enum", n))
        elif mut == "enum_duplicate_db_value":
            nm = f"{e.name}Dup"
            if nm not in self.taken and nm not in self.nested:
                self.taken.add(nm)
                p = snake(nm).upper()
                self.file.enums.append(EnumDef(nm, [(f"{p}_UNSPECIFIED", 0, None), (f"{p}_ROUND", 1, None),
                                                 (f"{p}_CIRCLE", 2, "round")]))
                m.fields.append(FieldDef("dup_kind", nm, "enum", n))
        elif mut == "domain_keyword":
            o["domain"] = r.choice(["type", "func", "string", "error", "Widget-Parts", "map", "project", "go"])
        elif mut == "table_reserved":
            o["table"] = r.choice(["user", "order", "select", "table"])
        elif mut == "table_too_long":
            o["table"] = "altalune_inventory_warehouse_storage_locations_x"
        elif mut == "table_uppercase":
            o["table"] = r.choice(["Widgets-Table", "MyTable", "1table"])
        elif mut == "resource_malformed":
            svc.opts["resource"] = r.choice(["Widget-Admin", "1abc", "a:b", "UPPER"])
        elif mut == "duplicate_field_go_name":
            m.fields.append(FieldDef("shoe_size", "int32", "int32", n))
            m.fields.append(FieldDef("ShoeSize", "int32", "int32", n + 1, opts={"column": "shoe_size2"}))
        elif mut == "unique_param_collision":
            nm = r.choice(["ctx", "err", "op", "found", "s", "r"])
            if m.get(nm) is None:
                m.fields.append(FieldDef(nm, "string", "string", n, opts={"unique": True}))
        elif mut == "duplicate_error_code":
            o["error_code"] = others[0].message.entity.get("error_code", 601)
        elif mut == "duplicate_table":
            t = others[0].message.entity.get("table") or f"altalune_{snake(others[0].plural)}"
            o["table"] = t
        elif mut == "duplicate_migration_version":
            o["migration_version"] = others[0].message.entity.get("migration_version", "20240101000000")
        elif mut == "duplicate_domain":
            o["domain"] = others[0].message.entity.get("domain") or "".join(words(others[0].name))
        elif mut == "service_entity_missing":
            svc.opts["entity"] = r.choice(["Nope", "altalune.v1.Missing"])
        elif mut == "streaming_rpc":
            rq = self._msg(schema, f"Watch{e.plural}X1Request", self._project(e))
            rs = self._msg(schema, f"Watch{e.plural}X1Response", [FieldDef("data", e.name, "message", 0)])
            svc.rpcs.append(RpcDef(f"Watch{e.plural}X1", rq, rs, {"public": True}, stream=True))
        elif mut == "custom_no_permission":
            rq = self._msg(schema, f"Frob{e.name}X1Request", self._project(e) + [self._id(e)])
            rs = self._msg(schema, f"Frob{e.name}X1Response", [])
            svc.rpcs.append(RpcDef(f"Frob{e.name}X1", rq, rs, {}))
        elif mut == "custom_no_project_id":
            rq = self._msg(schema, f"Frob{e.name}X2Request", [self._id(e)])
            rs = self._msg(schema, f"Frob{e.name}X2Response", [])
            svc.rpcs.append(RpcDef(f"Frob{e.name}X2", rq, rs, {"permission": "frob"}))
        elif mut == "permission_malformed":
            target = r.choice(svc.rpcs) if svc.rpcs else None
            if target:
                target.opts = {k: v for k, v in target.opts.items() if k != "public"}
                target.opts["permission"] = r.choice(["Read All", "a:b:c", ":read", "READ"])
            else:
                o.pop("error_code", None)
        elif mut == "public_and_permission":
            target = r.choice(svc.rpcs) if svc.rpcs else None
            if target:
                target.opts.update({"public": True, "permission": "read"})
            else:
                o.pop("migration_version", None)
        elif mut == "two_services":
            nm = f"{e.name}Backoffice"
            self.taken.add(nm)
            rq = self._msg(schema, f"Poke{e.name}X3Request", self._project(e))
            rs = self._msg(schema, f"Poke{e.name}X3Response", [])
            self.file.services.append(ServiceDef(nm, e, {"entity": e.name},
                                              [RpcDef(f"Poke{e.name}X3", rq, rs, {"public": True})]))
        elif mut == "crud_twice":
            rq = self._msg(schema, f"Add{e.name}X4Request", self._project(e))
            rs = self._msg(schema, f"Add{e.name}X4Response", [FieldDef(e.snake or "x", e.name, "message", 0)])
            svc.rpcs.append(RpcDef(f"Add{e.name}X4", rq, rs, {"operation": Ident("OPERATION_CREATE")}))
            if "create" not in rpcs:
                rq = self._msg(schema, f"Add{e.name}X5Request", self._project(e))
                rs = self._msg(schema, f"Add{e.name}X5Response", [FieldDef(e.snake or "x", e.name, "message", 0)])
                svc.rpcs.append(RpcDef(f"Add{e.name}X5", rq, rs, {"operation": Ident("OPERATION_CREATE")}))
        elif mut == "request_no_project_id":
            target = msgs[r.choice(list(rpcs.values())).request]
            target.fields = [f for f in target.fields if f.name != "project_id"]
        elif mut == "create_wrong_type":
            req = msgs[rpcs["create"].request]
            cands = [f for f in req.fields if f.name != "project_id"]
            if cands:
                f = r.choice(cands)
                if f.kind == "string":
                    f.type = f.kind = r.choice(["int64", "bytes"])
                elif f.kind in SCALARS or f.kind == "enum":
                    f.optional = not f.optional
                else:
                    f.type, f.kind = "string", "string"
            else:
                _add_bogus_field(req)
        elif mut == "create_unknown_field":
            _add_bogus_field(msgs[rpcs["create"].request])
        elif mut == "request_no_entity_id":
            op = r.choice([x for x in ("get", "update", "delete") if x in rpcs])
            req = msgs[rpcs[op].request]
            req.fields = [f for f in req.fields if f.name != f"{e.snake}_id"]
        elif mut == "query_no_query":
            req = msgs[rpcs["query"].request]
            req.fields = [f for f in req.fields if f.name != "query"]
        elif mut == "query_no_data":
            res = msgs[rpcs["query"].response]
            res.fields = [f for f in res.fields if f.name != "data"]
        elif mut == "response_no_entity":
            res = msgs[rpcs["get"].response]
            res.fields = [f for f in res.fields if f.type != e.name]
        elif mut == "hook_unspecified":
            o["hooks"] = [Ident("HOOK_UNSPECIFIED")] + list(o.get("hooks", []))
        elif mut == "hook_twice":
            o["hooks"] = [Ident("HOOK_BEFORE_DELETE"), Ident("HOOK_BEFORE_DELETE")]
        elif mut == "no_go_package":
            self.file.go_package = None
        # renumber messages whose fields were removed or added
        for msg in schema.messages:
            if msg.entity is None:
                seen: set[int] = set()
                for i, f in enumerate(msg.fields):
                    f.number = i + 1
                    seen.add(f.number)
        return mut


def generate(seed: int) -> Schema:
    """The schema of ``seed``: the same text for the same seed, on every machine."""
    return Generator(seed).generate()


# =============================================================================================
# Running a case
# =============================================================================================


@dataclass
class Result:
    label: str  # the seed, or the file's name for --proto
    outcome: str
    detail: str = ""  # the error, the compiler output
    intent: str = ""
    tags: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    saved: str = ""  # where the case was saved

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES

    def first_lines(self, n: int = 8) -> str:
        lines = [x for x in self.detail.splitlines() if x.strip()]
        more = f"\n      ... ({len(lines) - n} more lines)" if len(lines) > n else ""
        return "\n".join("      " + x for x in lines[:n]) + more


def check_located(error: str, files: dict[str, str]) -> list[str]:
    """The lines of a plugin error that are not ``<file>.proto:<line>:<col>: <problem>; <fix>``
    pointing at a non-blank character of one of ``files`` (path -> text)."""
    bad = []
    lines = error.splitlines()
    if not lines:
        return ["(an empty error)"]
    for line in lines:
        if not LOCATED.match(line):
            bad.append(f"not located as file.proto:line:col: problem; fix: {line}")
            continue
        m = re.match(r"^([\w./-]+\.proto):(\d+):(\d+)", line)
        text = files.get(m.group(1))
        if text is None:
            bad.append(f"names a file that is not the case's: {line}")
            continue
        rows = text.splitlines()
        row, col = int(m.group(2)), int(m.group(3))
        if not (1 <= row <= len(rows) and 1 <= col <= len(rows[row - 1])):
            bad.append(f"points outside the file: {line}")
        elif rows[row - 1][col - 1].isspace():
            bad.append(f"points at blank space: {line}")
    return bad


_WARNING = re.compile(r"^\S+\.proto:\d+:\d+: warning: ")
PLUGIN_FAILED = re.compile(r"--altalune_out: protoc-gen-altalune: (Plugin .*)$", re.M)


def classify_protoc(returncode: int, stderr: str, files: dict[str, str]) -> tuple[str, str]:
    """The outcome of protoc with the plugin, from its exit status and stderr."""
    # protoc's warnings (an unused import) are noise here
    stderr = "".join(line for line in stderr.splitlines(keepends=True) if not _WARNING.search(line))
    failed = PLUGIN_FAILED.search(stderr)
    if "Traceback (most recent call last)" in stderr or "protoc-gen-altalune: internal error" in stderr or failed:
        return CRASH, stderr
    if returncode == 0:
        return ACCEPTED, ""
    marker = "--altalune_out: "
    at = stderr.find(marker)
    if at < 0:
        return INVALID_SCHEMA, "protoc refused the schema itself (a fault of the generator):\n" + stderr
    error = stderr[at + len(marker):].rstrip("\n")
    bad = check_located(error, files)
    if bad:
        return BAD_ERROR, "\n".join(bad) + "\n--- the whole error:\n" + error
    return REFUSED, error


def run_plugin_protoc(case: Case, work: Path, out: Path, plugin: str) -> subprocess.CompletedProcess:
    """golden_harness.run_protoc with a chosen plugin executable and tracebacks on
    (ALTALUNE_DEBUG=1 turns an internal error into the Python traceback)."""
    out.mkdir(parents=True, exist_ok=True)
    args = [which("protoc"), f"--plugin=protoc-gen-altalune={plugin}", f"--altalune_out={case.params}:{out}"]
    args += [f"-I{d}" for d in case.include_dirs(work)]
    args += case.files
    return subprocess.run(args, capture_output=True, text=True, env=tool_env(ALTALUNE_DEBUG="1"), cwd=work,
                          timeout=PROTOC_TIMEOUT)


# A custom RPC the generated service asks for, in its comment:
#   //	func (s *Service) CloseTicket(ctx context.Context, req *altalunev1.CloseTicketRequest)
#   //		(*altalunev1.CloseTicketResponse, error)   (on one line)
_WANTED = re.compile(r"^//\s+func \(s \*Service\) (\w+)\(ctx context\.Context, req \*(\w+)\.(\w+)\) "
                     r"\(\*(\w+)\.(\w+), error\)\s*$", re.M)
# A hook the generated service calls (declared in the entity's hooks option), in the
# method that calls it: func (s *Service) create(ctx context.Context, input *CreateWidgetInput) ...
_HOOK_CALLER = re.compile(r"^func \(s \*Service\) (create|update|remove)\(ctx \w+\.Context, input \*(\w+)\)"
                          r"[^\n]*\{\n(?:(?!^\}).*\n)*?\s+if err := s\.(Before\w+)\(ctx, input\)", re.M)
_IMPORT = re.compile(r'^\s*(?:(\w+)\s+)?"([^"]+)"\s*$', re.M)


def write_stubs(root: Path, written: list[str]) -> list[str]:
    """What a real target writes by hand beside the generated domain, as stand-ins:
    the custom RPCs the generated service lists (each returns an error), the hooks
    it calls (each returns nil) and an empty CustomRepositor when Repositor embeds it."""
    by_dir: dict[Path, list[str]] = {}
    for rel in written:
        if rel.endswith(".go"):
            by_dir.setdefault(Path(rel).parent, []).append(rel)
    stubs = []
    for directory, rels in sorted(by_dir.items()):
        texts = {rel: (root / rel).read_text() for rel in rels}
        wanted, hooks, imports, package = [], [], {}, None
        custom_repositor = False
        for text in texts.values():
            package = package or re.search(r"^package (\w+)", text, re.M).group(1)
            found = _WANTED.findall(text)
            if found:
                wanted += found
                block = re.search(r"^import \((.*?)^\)", text, re.M | re.S)
                for alias, path in _IMPORT.findall(block.group(1) if block else ""):
                    imports[alias or path.rsplit("/", 1)[-1]] = path
            hooks += [(hook, input_type) for _, input_type, hook in _HOOK_CALLER.findall(text)]
            if re.search(r"^type Repositor interface \{(?:\n.*)*?\n\tCustomRepositor\n", text, re.M):
                custom_repositor = True
        if not (wanted or hooks or custom_repositor):
            continue
        used = sorted({w[1] for w in wanted} | {w[3] for w in wanted})
        lines = [f"package {package}", "", "// Stand-ins for hand-written code, written by the schema fuzz harness.",
                 "", "import ("]
        if wanted or hooks:
            lines.append('\tfuzzcontext "context"')
        if wanted:
            lines.append('\tfuzzerrors "errors"')
        lines += [f'\tfuzz{alias} "{imports[alias]}"' for alias in used if alias in imports]
        lines += [")", ""]
        if custom_repositor:
            lines += ["// CustomRepositor holds the repository methods of the custom RPCs (none here).",
                      "type CustomRepositor interface{}", ""]
        for name, rq_pkg, rq, rs_pkg, rs in wanted:
            lines += [f"// {name} is a stand-in for a hand-written custom RPC.",
                      f"func (s *Service) {name}(ctx fuzzcontext.Context, req *fuzz{rq_pkg}.{rq}) "
                      f"(*fuzz{rs_pkg}.{rs}, error) {{",
                      f'\treturn nil, fuzzerrors.New("{name} is not implemented")', "}", ""]
        for hook, input_type in sorted(set(hooks)):
            lines += [f"// {hook} is a stand-in for a hand-written business rule.",
                      f"func (s *Service) {hook}(ctx fuzzcontext.Context, input *{input_type}) error {{",
                      "\treturn nil", "}", ""]
        if len(lines) and lines[4] == "import (" and lines[5] == ")":
            del lines[4:7]
        stub = directory / "fuzz_handwritten.go"
        (root / stub).write_text("\n".join(lines))
        stubs.append(stub.as_posix())
    return stubs


@dataclass
class Runner:
    work: Path
    results: Path
    plugin: str
    build: bool = True
    keep: bool = False
    verbose: bool = True
    env: dict = field(default_factory=dict)
    jobs: int = 1
    _template: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _slots: queue.Queue | None = None

    def slot(self) -> int:
        """A module directory for one build at a time. Go's build cache keys a
        package by its directory too: building every case at one of a few fixed
        paths lets the packages a case does not change come from the cache."""
        with self._lock:
            if self._slots is None:
                self._slots = queue.Queue()
                for i in range(self.jobs):
                    self._slots.put(i)
        return self._slots.get()

    def template(self) -> Path:
        """The reference target without its domains, copied once per run."""
        with self._lock:
            if self._template is None:
                t = self.work / "_template"
                copy_example(t)
                self._template = t
            return self._template

    def run_seed(self, seed: int) -> Result:
        schema = generate(seed)
        return self.run_files(str(seed), {f.path: f.text for f in schema.files}, schema.intent, schema.tags)

    def run_files(self, label: str, files: dict[str, str], intent: str = "", tags: list[str] | None = None
                  ) -> Result:
        """One case: ``files`` (path relative to the import root -> text) through the plugin, and
        its output through the Go toolchain."""
        result = Result(label=label, outcome="", intent=intent, tags=list(tags or []))
        case_dir = self.work / label
        if case_dir.exists():
            shutil.rmtree(case_dir)
        for rel, text in files.items():
            proto = case_dir / "protos" / rel
            proto.parent.mkdir(parents=True, exist_ok=True)
            proto.write_text(text)
        case = Case(label, case_dir)
        out = case_dir / "out"
        t0 = time.monotonic()
        try:
            try:
                proc = run_plugin_protoc(case, case_dir, out, self.plugin)
                result.outcome, result.detail = classify_protoc(proc.returncode, proc.stderr, files)
            except subprocess.TimeoutExpired:
                result.outcome, result.detail = CRASH, f"protoc with the plugin ran over {PROTOC_TIMEOUT} s"
            result.timings["plugin"] = time.monotonic() - t0
            if result.outcome == ACCEPTED and not read_tree(out):
                result.outcome, result.detail = BUILD_FAILURE, "the plugin accepted the schema but wrote no file"
            if result.outcome == ACCEPTED and self.build:
                self._compile(case, case_dir, out, result)
        except Exception as err:  # a harness fault is a failure too, never a silent pass
            result.outcome = result.outcome if result.outcome in FAILURES else CRASH
            result.detail += f"\nharness error: {type(err).__name__}: {err}"
        result.timings["total"] = time.monotonic() - t0
        if result.failed or self.keep:
            result.saved = str(self._save(case_dir, files, result))
        if not self.keep:
            shutil.rmtree(case_dir, ignore_errors=True)
        if self.verbose:
            self._print(result)
        return result

    def _compile(self, case: Case, case_dir: Path, out: Path, result: Result) -> None:
        slot = self.slot()
        try:
            self._compile_at(self.work / f"_slot{slot}" / "module", case, case_dir, out, result)
        finally:
            self._slots.put(slot)

    def _compile_at(self, root: Path, case: Case, case_dir: Path, out: Path, result: Result) -> None:
        t = time.monotonic()
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(self.template(), root)
        try:
            generate_protobuf(case, root, Layout(), case_dir)
        except AssertionError as err:
            result.outcome, result.detail = INVALID_SCHEMA, f"protoc-gen-go, -go-grpc or -connect-go failed:\n{err}"
            return
        written = add_tree(out, root)
        write_stubs(root, written)
        result.timings["module"] = time.monotonic() - t
        go_files = [p for p in written if p.endswith(".go")]
        packages = sorted({"./" + Path(p).parent.as_posix() for p in go_files})
        failures = []
        for step, args in (("build", ["go", "build", *packages]), ("vet", ["go", "vet", "./..."])):
            t = time.monotonic()
            try:
                proc = subprocess.run(args, cwd=root, capture_output=True, text=True, env=self.env,
                                      timeout=GO_TIMEOUT)
                if proc.returncode != 0:
                    failures.append(f"$ {' '.join(args)}\n{proc.stdout}{proc.stderr}")
            except subprocess.TimeoutExpired:
                failures.append(f"$ {' '.join(args)}\nran over {GO_TIMEOUT} s")
            result.timings[step] = time.monotonic() - t
            if failures:
                break  # vet repeats the compiler's errors
        t = time.monotonic()
        proc = subprocess.run(["gofmt", "-s", "-l", *go_files], cwd=root, capture_output=True, text=True,
                              env=self.env)
        if proc.returncode != 0 or proc.stdout.strip():
            failures.append(f"$ gofmt -s -l <the plugin's files>\n{proc.stdout}{proc.stderr}")
        result.timings["gofmt"] = time.monotonic() - t
        if failures:
            result.outcome, result.detail = BUILD_FAILURE, "\n".join(failures)
        if self.keep:
            shutil.copytree(root, case_dir / "module", symlinks=True)

    def _save(self, case_dir: Path, files: dict[str, str], result: Result) -> Path:
        dest = self.results / result.label
        if dest.exists():
            shutil.rmtree(dest)
        for rel, text in files.items():
            (dest / "protos" / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / "protos" / rel).write_text(text)
        # every file in one, for reading (protos/ is the import root to run them from)
        (dest / "schema.proto").write_text("".join(
            (f"// ===== {rel}\n" if len(files) > 1 else "") + text for rel, text in files.items()))
        (dest / "outcome.txt").write_text(
            f"{result.outcome}\nintent: {result.intent}\ntags: {', '.join(result.tags)}\n\n{result.detail}\n")
        if (case_dir / "out").is_dir():
            shutil.copytree(case_dir / "out", dest / "out")
        if self.keep and (case_dir / "module").is_dir():
            shutil.copytree(case_dir / "module", dest / "module", symlinks=True)
        return dest

    def _print(self, r: Result) -> None:
        times = " ".join(f"{k} {v:.1f}s" for k, v in r.timings.items())
        line = f"{r.label:>6} {r.outcome:<14} {times}  [{r.intent}" + (f"; {', '.join(r.tags)}" if r.tags else "") + "]"
        with self._lock:
            print(line, flush=True)
            if r.failed:
                print(r.first_lines(6), flush=True)


def run_seeds(seeds: list[int], *, jobs: int | None = None, build: bool = True, keep: bool = False,
              results: Path = DEFAULT_RESULTS, plugin: str | None = None, verbose: bool = True,
              work: Path | None = None) -> list[Result]:
    """Every seed's outcome, ``jobs`` cases at a time (default: the CPU count)."""
    if build:
        reason = go_available()
        if reason:
            raise RuntimeError(f"Go is required to build the generated code: {reason}")
    results.mkdir(parents=True, exist_ok=True)
    for s in seeds:
        shutil.rmtree(results / str(s), ignore_errors=True)
    base = Path(tempfile.mkdtemp(prefix="altalune-fuzz-", dir=work))
    jobs = jobs or os.cpu_count() or 1
    runner = Runner(work=base, results=results, plugin=plugin or which("protoc-gen-altalune"), build=build,
                    keep=keep, verbose=verbose, env=go_env(), jobs=jobs)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(runner.run_seed, seeds))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def summary(results: list[Result], wall: float, jobs: int) -> str:
    counts = Counter(r.outcome for r in results)
    lines = [f"schema fuzz: {len(results)} cases, {jobs} jobs, {wall:.1f} s wall "
             f"({wall / max(1, len(results)):.2f} s per case)"]
    for o in OUTCOMES:
        lines.append(f"  {o:<15} {counts.get(o, 0):>5}")
    intents = Counter(r.intent.split(":")[0] for r in results)
    by_intent = Counter((r.intent.split(":")[0], r.outcome) for r in results)
    lines.append("  by intent: " + ", ".join(
        f"{i} {intents[i]} ({', '.join(f'{o} {by_intent[(i, o)]}' for o in OUTCOMES if by_intent[(i, o)])})"
        for i in intents))
    order = ["plugin", "module", "build", "vet", "gofmt", "total"]
    phases = sorted({k for r in results for k in r.timings}, key=order.index)
    lines.append("  per-case timings (s): " + "; ".join(
        f"{k} mean {statistics.mean(v):.2f} median {statistics.median(v):.2f} max {max(v):.2f}"
        for k in phases if (v := [r.timings[k] for r in results if k in r.timings])))
    compiled = [r.timings["total"] for r in results if "build" in r.timings]
    others = [r.timings["total"] for r in results if "build" not in r.timings] or [0.0]
    if compiled:
        lines.append(f"  a compiled case takes {statistics.mean(compiled):.1f} s on average (plugin to gofmt, "
                     f"{len(compiled)} cases); one the plugin refuses {statistics.mean(others):.1f} s")
    failed = [r for r in results if r.failed]
    if failed:
        lines.append("failures:")
        for r in failed:
            lines.append(f"  seed {r.label}: {r.outcome} [{r.intent}" + (f"; {', '.join(r.tags)}" if r.tags else "")
                         + f"] {r.saved}")
            lines.append(r.first_lines(8))
    return "\n".join(lines)


# =============================================================================================
# Command line
# =============================================================================================


def _seed_list(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part.strip()[1:]:
            a, b = part.split("-", 1)
            seeds += list(range(int(a), int(b) + 1))
        elif part.strip():
            seeds.append(int(part))
    return seeds


def main(argv: list[str] | None = None) -> int:
    os.environ["PATH"] = os.pathsep.join([str(p) for p in TOOLS] + [os.environ.get("PATH", "")])
    p = argparse.ArgumentParser(description="Fuzz protoc-gen-altalune with seeded random annotated schemas.")
    p.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    p.add_argument("--count", type=int, default=1000, help="number of seeds (default 1000)")
    p.add_argument("--seeds", help="explicit seeds instead: 3,17,40-45")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="cases at a time (default: CPU count)")
    p.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="where failing cases are saved")
    p.add_argument("--keep", action="store_true", help="save every case, with its Go module")
    p.add_argument("--no-build", action="store_true", help="run the plugin only (no Go)")
    p.add_argument("--plugin", help="protoc-gen-altalune executable (default: the installed one)")
    p.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    p.add_argument("--print", type=int, metavar="SEED", help="print the schema of SEED and exit")
    p.add_argument("--proto", type=Path, action="append",
                   help="run this .proto file instead (repeatable: the files of one case)")
    args = p.parse_args(argv)
    if args.print is not None:
        print(generate(args.print).text, end="")
        return 0
    start = time.monotonic()
    if args.proto:
        base = Path(tempfile.mkdtemp(prefix="altalune-fuzz-"))
        runner = Runner(work=base, results=args.results, plugin=args.plugin or which("protoc-gen-altalune"),
                        build=not args.no_build, keep=args.keep, verbose=True, env=go_env())
        files = {}
        for path in args.proto:  # each at <its package as a path>/<its name>
            text = path.read_text()
            pkg = re.search(r"^package ([\w.]+);", text, re.M)
            files[(pkg.group(1).replace(".", "/") + "/" if pkg else "") + path.name] = text
        results = [runner.run_files(args.proto[0].stem, files, "hand-written")]
        if results[0].detail:
            print(results[0].detail)
        shutil.rmtree(base, ignore_errors=True)
    else:
        seeds = _seed_list(args.seeds) if args.seeds else list(range(args.seed, args.seed + args.count))
        results = run_seeds(seeds, jobs=args.jobs, build=not args.no_build, keep=args.keep, results=args.results,
                            plugin=args.plugin, verbose=not args.quiet)
    wall = time.monotonic() - start
    text = summary(results, wall, args.jobs)
    print(text)
    if not args.proto:
        args.results.mkdir(parents=True, exist_ok=True)
        (args.results / "summary.txt").write_text(text + "\n")
        (args.results / "results.json").write_text(json.dumps(
            [{"seed": r.label, "outcome": r.outcome, "intent": r.intent, "tags": r.tags,
              "timings": {k: round(v, 3) for k, v in r.timings.items()}, "error": r.detail[:4000]}
             for r in results], indent=1) + "\n")
    return 1 if any(r.failed for r in results) else 0


def _add_bogus_field(req: MessageDef) -> None:
    """A field no entity has; a second mutation adds another name, so that
    the schema stays valid proto (only the annotations are broken)."""
    taken = {f.name for f in req.fields}
    name = next(n for n in (f"bogus_extra{i or ''}" for i in range(len(taken) + 1)) if n not in taken)
    req.fields.append(FieldDef(name, "string", "string", max((f.number for f in req.fields), default=0) + 1))


if __name__ == "__main__":
    sys.exit(main())

