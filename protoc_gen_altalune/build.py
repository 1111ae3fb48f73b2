"""Descriptors and options -> the typed model, with every problem located.

Conventions fill in whatever the options leave unsaid; everything that cannot
become correct Go is refused here, with the place and the fix, before a
single template runs.
"""

from __future__ import annotations

import posixpath
import re

from google.protobuf.compiler import plugin_pb2
from google.protobuf.descriptor_pb2 import FieldDescriptorProto as FDP

from . import naming
from .descriptors import (
    ENUM_VALUE,
    FILE_PACKAGE,
    FILE_SYNTAX,
    MESSAGE_FIELD,
    MESSAGE_OPTIONS,
    SERVICE,
    SERVICE_METHOD,
    VALIDATE_FIELD_EXTENSION,
    DescriptorSet,
    Options,
    SourceFile,
)
from .diagnostics import InvalidInput, Location, Problems
from .model import Access, Entity, Enum, EnumValue, Field, GoPackage, Model, Packages, Rpc, Service
from .params import Params

ENTITY_EXT, FIELD_EXT, ENUM_VALUE_EXT, SERVICE_EXT, METHOD_EXT = 50601, 50602, 50603, 50604, 50605

# kind, Go type, SQL type per scalar proto type.
SCALARS = {
    FDP.TYPE_STRING: ("string", "string", "TEXT"),
    FDP.TYPE_BOOL: ("bool", "bool", "BOOLEAN"),
    FDP.TYPE_INT32: ("int32", "int32", "INTEGER"),
    FDP.TYPE_SINT32: ("int32", "int32", "INTEGER"),
    FDP.TYPE_SFIXED32: ("int32", "int32", "INTEGER"),
    FDP.TYPE_INT64: ("int64", "int64", "BIGINT"),
    FDP.TYPE_SINT64: ("int64", "int64", "BIGINT"),
    FDP.TYPE_SFIXED64: ("int64", "int64", "BIGINT"),
    FDP.TYPE_UINT32: ("uint32", "uint32", "BIGINT"),
    FDP.TYPE_FIXED32: ("uint32", "uint32", "BIGINT"),
    FDP.TYPE_UINT64: ("uint64", "uint64", "NUMERIC(20, 0)"),
    FDP.TYPE_FIXED64: ("uint64", "uint64", "NUMERIC(20, 0)"),
    FDP.TYPE_FLOAT: ("float", "float32", "REAL"),
    FDP.TYPE_DOUBLE: ("double", "float64", "DOUBLE PRECISION"),
    FDP.TYPE_BYTES: ("bytes", "[]byte", "BYTEA"),
}

# wrapper message -> (kind, Go type, SQL type, wrapperspb constructor)
WRAPPERS = {
    ".google.protobuf.StringValue": ("string", "string", "TEXT", "String"),
    ".google.protobuf.BoolValue": ("bool", "bool", "BOOLEAN", "Bool"),
    ".google.protobuf.Int32Value": ("int32", "int32", "INTEGER", "Int32"),
    ".google.protobuf.Int64Value": ("int64", "int64", "BIGINT", "Int64"),
    ".google.protobuf.UInt32Value": ("uint32", "uint32", "BIGINT", "UInt32"),
    ".google.protobuf.UInt64Value": ("uint64", "uint64", "NUMERIC(20, 0)", "UInt64"),
    ".google.protobuf.FloatValue": ("float", "float32", "REAL", "Float"),
    ".google.protobuf.DoubleValue": ("double", "float64", "DOUBLE PRECISION", "Double"),
}
TIMESTAMP = ".google.protobuf.Timestamp"

ZERO_DEFAULTS = {
    "string": "''",
    "bool": "FALSE",
    "bytes": "'\\x'::BYTEA",
}

RESERVED_COLUMNS = {"id", "public_id", "project_id", "created_at", "updated_at"}
RESERVED_GO_FIELDS = {"ID", "PublicID", "ProjectID", "CreatedAt", "UpdatedAt", "ToProto"}
# Types every generated domain package declares.
GENERATED_TYPES = {"Service", "Handler", "GRPCServer", "Access", "Repo", "Repositor", "BeforeCreateHook",
                   "BeforeUpdateHook", "BeforeDeleteHook"}
# Names in scope where a unique field's value is a parameter (GetBy<Field>,
# check<Field>Free, fail, New<Entity><Field>AlreadyExistsError): receivers,
# other parameters, locals and the packages those functions use.
GENERATED_PARAMS = {"ctx", "op", "err", "found", "selfID", "s", "r", "projectID", "publicID", "appErr",
                    "errors", "codes", "fmt", "domainkit"}
RESERVED_BLOCKS = {600: "validation", 603: "projects", 699: "internal errors"}
# Blocks give 5-digit codes: 601-698 by convention, the rest of 100-999 when a
# repository has more entities than that.
MIN_BLOCK, MAX_BLOCK = 100, 999
OPERATIONS = {1: "query", 2: "create", 3: "get", 4: "update", 5: "delete", 6: "custom"}
# The action each CRUD operation requires on the service's resource.
DEFAULT_ACTIONS = {"query": "read", "get": "read", "create": "write", "update": "write", "delete": "delete"}
ACTION = re.compile(r"[a-z][a-z0-9_-]*")
RESOURCE = re.compile(r"[a-z][a-z0-9_]*")
PERMISSION = re.compile(rf"{RESOURCE.pattern}:{ACTION.pattern}")
MAX_IDENTIFIER = 63  # PostgreSQL truncates longer names
# The longest name made from a table: a partition, <table>_p<BIGINT id>.
MAX_TABLE = MAX_IDENTIFIER - len("_p") - len(str(2**63 - 1))


class Builder:
    def __init__(self, request: plugin_pb2.CodeGeneratorRequest, params: Params):
        self.request = request
        self.params = params
        self.ds = DescriptorSet(request)
        self.problems = Problems()
        self._go_packages: dict[str, GoPackage | None] = {}
        self._blocks_taken: set[int] | None = None

    # --- entry --------------------------------------------------------------------

    def _free_block(self) -> int:
        """The first error-code block no entity of the request claims: 601-698
        by convention, else anywhere in 100-999."""
        if self._blocks_taken is None:
            self._blocks_taken = set(RESERVED_BLOCKS)
            for source in self.ds.files.values():
                for msg in _all_messages(source.proto.message_type):
                    opts = self.ds.altalune(msg.options, "entity")
                    if opts:
                        self._blocks_taken.add(opts.get("error_code", 0))
        for block in [*range(601, 699), *range(MIN_BLOCK, MAX_BLOCK + 1)]:
            if block not in self._blocks_taken:
                return block
        return 0

    def build(self) -> Model:
        entities: list[Entity] = []
        # By name, so that the order protoc or buf list the files in changes nothing.
        to_generate = sorted(self.request.file_to_generate)
        for name in to_generate:
            source = self.ds.files[name]
            entities.extend(self._entities_of(source))
        by_name = {e.full_name: e for e in entities}
        for name in to_generate:
            self._bind_services(self.ds.files[name], entities, by_name)
        self._default_writes(entities)
        self._size_strings(entities)
        self._check_across(entities)
        if entities:
            self._check_one_run(to_generate)
        packages = self._packages(entities) if entities else None
        if packages:
            self._check_package_names(packages)
        if self.problems:
            raise InvalidInput(self.problems)
        sources = sorted({e.file for e in entities} | {e.service.file for e in entities if e.service})
        proto_packages = sorted({p for p in self._go_packages.values() if p}, key=lambda p: p.path)
        return Model(entities=entities, packages=packages, sources=sources, proto_packages=proto_packages)

    def _check_one_run(self, to_generate: list[str]) -> None:
        """Registration, error codes and the partitioned-table list aggregate
        every entity, so every entity must be in one run. An entity in an
        imported file that is not being generated means the run was split,
        e.g. by buf's `strategy: directory`, and each part would write its
        own conflicting copy of the aggregated files."""
        generating = set(to_generate)
        for name, source in sorted(self.ds.files.items()):
            if name in generating:
                continue
            for i, msg in enumerate(source.proto.message_type):
                if self.ds.altalune(msg.options, "entity"):
                    self.problems.add(
                        source.location(4, i),
                        f"entity {msg.name} is imported but not generated in this run; protoc-gen-altalune "
                        "writes files that aggregate every entity, so it needs all of them in one run",
                        "set `strategy: all` on the plugin in buf.gen.yaml (or pass every annotated file "
                        "to one protoc call)",
                    )

    # --- files and Go packages --------------------------------------------------------

    def go_package(self, file_name: str) -> GoPackage | None:
        if file_name in self._go_packages:
            return self._go_packages[file_name]
        fdp = self.ds.files[file_name].proto
        spec = self.params.mappings.get(file_name) or fdp.options.go_package
        package = None
        if spec:
            path, _, name = spec.partition(";")
            if not name:
                name = re.sub(r"[^A-Za-z0-9_]", "_", path.rsplit("/", 1)[-1])
            package = GoPackage(path=path, name=name)
        self._go_packages[file_name] = package
        return package

    def _require_go_package(self, source: SourceFile) -> GoPackage:
        package = self.go_package(source.name)
        if package is None:
            self.problems.add(
                source.first_location((FILE_PACKAGE,), (FILE_SYNTAX,), (4, 0)),
                "the file has no Go import path",
                'add `option go_package = "<module>/gen/<path>;<name>";` or pass M'
                f"{source.name}=<importpath> as a plugin parameter",
            )
            return GoPackage(path="invalid", name="invalid")
        return package

    def _qualified(self, full_type: str) -> str:
        """The Go name of a proto message or enum, qualified by its package."""
        source = (self.ds.messages.get(full_type) or self.ds.enums[full_type])[0]
        package = self._require_go_package(source)
        fdp = source.proto
        prefix = f".{fdp.package}." if fdp.package else "."
        local = full_type[len(prefix):]
        return f"{package.name}.{_go_ident(local)}"

    # --- entities ---------------------------------------------------------------------

    def _entities_of(self, source: SourceFile) -> list[Entity]:
        fdp = source.proto
        result = []
        syntax = fdp.syntax or "proto2"
        for i, msg in enumerate(fdp.message_type):
            opts = self.ds.altalune(msg.options, "entity")
            path = (4, i)
            self._check_nested_entities(source, msg, path)
            if not opts:
                continue
            if syntax != "proto3":
                what = "an editions file" if syntax == "editions" else f"a {syntax} file"
                self.problems.add(
                    source.first_location((FILE_SYNTAX,), path),
                    f"entity {msg.name} is declared in {what}; protoc-gen-altalune reads proto3 files only",
                    'use `syntax = "proto3";` in this file',
                )
                continue
            entity = self._entity(source, msg, path, opts)
            if entity:
                result.append(entity)
        return result

    def _check_nested_entities(self, source: SourceFile, msg, path) -> None:
        for j, nested in enumerate(msg.nested_type):
            npath = path + (3, j)
            if self.ds.altalune(nested.options, "entity"):
                self.problems.add(
                    source.location(*npath),
                    f"nested message {msg.name}.{nested.name} cannot be an entity",
                    "move it to the top level of the file",
                )
            self._check_nested_entities(source, nested, npath)

    def _entity(self, source: SourceFile, msg, path, opts: Options) -> Entity | None:
        fdp = source.proto
        full_name = f".{fdp.package}.{msg.name}" if fdp.package else f".{msg.name}"
        opt_loc = source.option_location(*path, MESSAGE_OPTIONS, ENTITY_EXT)
        name = msg.name
        plural = opts.get("plural") or naming.plural(name)
        snake = naming.snake(name)
        package_name = opts.get("domain") or naming.domain_package(name)
        if naming.go_name(name) in GENERATED_TYPES:
            self.problems.add(source.location(*path),
                              f"entity {name}: its Go type {naming.go_name(name)} is a type every generated "
                              "domain package declares", "rename the message")
        if not naming.is_valid_go_package(package_name) or package_name in naming.GO_PREDECLARED:
            if package_name in naming.GO_KEYWORDS:
                why = "a Go keyword"
            elif package_name in naming.GO_PREDECLARED:
                why = "a predeclared Go identifier"
            else:
                why = "not lower-case letters, digits and underscores"
            plain = naming.domain_package(package_name)
            suggestion = plain if naming.is_valid_go_package(plain) and plain not in naming.GO_PREDECLARED \
                else f"{plain}domain"
            self.problems.add(
                opt_loc,
                f"entity {name}: domain package name {package_name!r} is {why}",
                f'set (altalune.codegen.v1.entity).domain to another name, e.g. domain: "{suggestion}"',
            )
        table = opts.get("table") or f"altalune_{naming.snake(plural)}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", table) or table in naming.SQL_RESERVED:
            self.problems.add(opt_loc, f"entity {name}: table name {table!r} {_sql_name_problem(table)}",
                              "set (altalune.codegen.v1.entity).table to lower-case letters, digits and underscores, "
                              "not a reserved word")
        partitioned = opts.get("partitioned", True)
        error_code = opts.get("error_code", 0)
        if not error_code:
            free = self._free_block()
            self.problems.add(
                opt_loc,
                f"entity {name} has no error-code block",
                "add error_code: <block> to its (altalune.codegen.v1.entity) option, e.g. "
                f"error_code: {free} (free) gives codes {free}01 (not found) and {free}02 (already exists)",
            )
        elif not MIN_BLOCK <= error_code <= MAX_BLOCK or error_code in RESERVED_BLOCKS:
            owner = RESERVED_BLOCKS.get(error_code)
            self.problems.add(
                opt_loc,
                f"entity {name}: error_code {error_code} is "
                + (f"the block of {owner}" if owner else f"outside {MIN_BLOCK}-{MAX_BLOCK}"),
                f"choose a free block such as error_code: {self._free_block()} (601-698 by convention, or "
                f"{MIN_BLOCK}-{MAX_BLOCK} beyond them; not 600, 603 or 699)",
            )
        version = opts.get("migration_version", "")
        if not re.fullmatch(r"\d{14}", version):
            self.problems.add(
                opt_loc,
                f"entity {name}: " + (f"migration_version {version!r} is not 14 digits" if version
                                      else "no migration_version"),
                'add migration_version: "YYYYMMDDhhmmss" to its (altalune.codegen.v1.entity) option, '
                "later than your existing migrations",
            )

        proto_pkg = self._require_go_package(source)
        fields: list[Field] = []
        has_id = seen_id = has_created = has_updated = False
        id_proto_go = "Id"
        for j, fd in enumerate(msg.field):
            fpath = path + (MESSAGE_FIELD, j)
            loc = source.location(*fpath)
            fopts = self.ds.altalune(fd.options, "field")
            if fd.name == "id":
                seen_id = True
                has_id = fd.type == FDP.TYPE_STRING and fd.label != FDP.LABEL_REPEATED
                id_proto_go = naming.proto_field_name(fd.name)
                if not has_id:
                    self.problems.add(loc, f"entity {name}: field id must be a string (the public ID)",
                                      "declare it as `string id = 1;`")
                continue
            if fd.name in ("created_at", "updated_at"):
                if fd.type_name != TIMESTAMP or fd.label == FDP.LABEL_REPEATED:
                    self.problems.add(loc, f"entity {name}: {fd.name} must be a google.protobuf.Timestamp",
                                      f"declare it as `google.protobuf.Timestamp {fd.name} = {fd.number};`")
                if fd.name == "created_at":
                    has_created = True
                else:
                    has_updated = True
                continue
            if fopts.get("transient", False):
                continue
            if fd.name in ("project_id", "public_id"):
                self.problems.add(
                    loc,
                    f"entity {name}: field {fd.name} collides with the column the generator manages",
                    "remove it, rename it, or mark it [(altalune.codegen.v1.field) = {transient: true}]",
                )
                continue
            f = self._field(source, name, msg, fd, fopts, loc)
            if f:
                fields.append(f)
        if not seen_id:
            self.problems.add(source.location(*path), f"entity {name} has no `string id` field (its public ID)",
                              "add `string id = 1;`")

        self._check_names(source, name, msg, path, fields)
        default_sort = self._default_sort(name, opts, fields, opt_loc)
        entity = Entity(
            name=name,
            full_name=full_name,
            file=source.name,
            go_type=naming.go_name(name),
            proto_type=f"{proto_pkg.name}.{naming.go_camel_case(name)}",
            private=naming.go_private_name(name),
            snake=snake,
            human=naming.human(name),
            human_one=naming.human_lower(name),
            human_plural=naming.human_lower(plural),
            plural=plural,
            domain=GoPackage(
                path=self.params.import_path(f"{self.params.domain_dir}/{package_name}"),
                name=f"{package_name}_domain",
            ),
            package=package_name,
            dir=f"{self.params.domain_dir}/{package_name}",
            table=table,
            partitioned=partitioned,
            error_code=error_code,
            default_sort=default_sort,
            migration_version=version,
            fields=fields,
            has_created_at=has_created,
            has_updated_at=has_updated,
            id_proto_go=id_proto_go,
        )
        entity.location = source.location(*path)
        entity.option_location = opt_loc
        self._check_index_names(entity, opt_loc)
        p = self.params
        infrastructure = {p.project_pkg: "project_pkg", p.postgres_pkg: "postgres_pkg", p.query_pkg: "query_pkg",
                          p.nanoid_pkg: "nanoid_pkg", p.kit_dir: "kit_dir", p.container_dir: "container_dir",
                          p.server_dir: "server_dir"}
        taken_by = infrastructure.get(posixpath.normpath(entity.dir))
        if taken_by:
            self.problems.add(opt_loc, f"entity {name}: its domain package would be {entity.dir}, "
                                       f"the target's own package there ({taken_by})",
                              "set (altalune.codegen.v1.entity).domain to another name, "
                              f'e.g. domain: "{package_name}s"')
        return entity

    def _check_names(self, source, name, msg, path, fields: list[Field]) -> None:
        seen_go: dict[str, Field] = {}
        seen_col: dict[str, Field] = {}
        for f in fields:
            loc = source.location(*path, MESSAGE_FIELD, _field_index(msg, f.name))
            if f.go_name in RESERVED_GO_FIELDS or f.go_name == f"To{naming.go_name(name)}":
                self.problems.add(loc, f"entity {name}: field {f.name} becomes Go name {f.go_name}, "
                                       "which the generated code already uses", "rename the field")
            elif f.go_name in seen_go:
                self.problems.add(loc, f"entity {name}: fields {seen_go[f.go_name].name} and {f.name} "
                                       f"both become Go name {f.go_name}", "rename one of them")
            else:
                seen_go[f.go_name] = f
            if f.enum and f.enum.domain_type in GENERATED_TYPES:
                self.problems.add(loc, f"field {name}.{f.name}: its enum becomes Go type {f.enum.domain_type} "
                                       f"in the domain package of {name}, which declares one already",
                                  "rename the enum")
            taken = GENERATED_PARAMS | {naming.go_private_name(f"{naming.snake(name)}_id"), self.params.root_package}
            if f.unique and f.param in taken:
                self.problems.add(loc, f"entity {name}: unique field {f.name} becomes Go parameter {f.param}, "
                                       "a name the generated functions that take it already use",
                                  "rename the field")
            if f.filter_key:
                spellings = {g.name: g for g in fields if g is not f} | {g.json_name: g for g in fields if g is not f}
                spellings |= {g.filter_key: g for g in fields if g is not f and g.filter_key}
                other = spellings.get(f.filter_key)
                if other is not None or f.filter_key in RESERVED_COLUMNS:
                    whose = f"field {other.name}" if other is not None else "a column the generator manages"
                    self.problems.add(loc, f"entity {name}: filter_key {f.filter_key!r} of field {f.name} is a "
                                           f"name of {whose}", "choose a filter_key no other field is known by")
            if f.column in RESERVED_COLUMNS:
                self.problems.add(loc, f"entity {name}: column {f.column} is managed by the generator",
                                  "set (altalune.codegen.v1.field).column to another name")
            elif f.column in seen_col:
                self.problems.add(loc, f"entity {name}: fields {seen_col[f.column].name} and {f.name} "
                                       f"share column {f.column}", "set a distinct column name")
            else:
                seen_col[f.column] = f

    def _check_index_names(self, entity: Entity, loc: Location) -> None:
        if len(entity.table) > MAX_TABLE:
            self.problems.add(
                loc,
                f"entity {entity.name}: table name {entity.table} is longer than {MAX_TABLE} characters, so "
                f"its partitions (<table>_p<project id>) and indexes could pass PostgreSQL's {MAX_IDENTIFIER}",
                "choose a shorter table name",
            )
            return
        for f in entity.fields:
            if not (f.unique or f.indexed):
                continue
            index = f"{'ux' if f.unique else 'ix'}_{entity.table}_{f.column}"
            if len(index) > MAX_IDENTIFIER:
                self.problems.add(
                    loc,
                    f"entity {entity.name}: index name {index} is longer than PostgreSQL's "
                    f"{MAX_IDENTIFIER} characters",
                    "choose a shorter table or column name",
                )
                return

    def _default_sort(self, name, opts: Options, fields: list[Field], loc) -> tuple[str, str]:
        spec = opts.get("default_sort", "") or "created_at desc"
        parts = spec.split()
        column = parts[0] if parts else ""
        direction = parts[1].upper() if len(parts) > 1 else "ASC"
        sortable = {f.column for f in fields if f.sortable} | {"created_at", "updated_at"}
        by_field = {f.name: f.column for f in fields if f.sortable}
        column = by_field.get(column, column)
        if len(parts) > 2 or direction not in ("ASC", "DESC") or column not in sortable:
            self.problems.add(
                loc,
                f"entity {name}: default_sort {spec!r} is not a sortable column and direction",
                f"use \"<column> asc|desc\" with one of: {', '.join(sorted(sortable))}",
            )
        return column, direction

    # --- fields ---------------------------------------------------------------------------

    def _field(self, source, entity_name, msg, fd, fopts: Options, loc: Location) -> Field | None:
        what = f"{entity_name}.{fd.name}"
        transient_fix = "mark it [(altalune.codegen.v1.field) = {transient: true}] to keep it out of the table"
        if fd.label == FDP.LABEL_REPEATED:
            is_map = fd.type == FDP.TYPE_MESSAGE and self._is_map_entry(fd.type_name)
            self.problems.add(loc, f"field {what}: {'map' if is_map else 'repeated'} fields cannot be stored "
                                   "as a column", transient_fix + ", or model it as an entity of its own")
            return None
        if fd.HasField("oneof_index") and not fd.proto3_optional:
            self.problems.add(loc, f"field {what}: oneof members cannot be stored as a column",
                              transient_fix + ", or replace the oneof with plain fields")
            return None
        enum = None
        wrapper = None
        if fd.type in SCALARS:
            kind, go_base, sql_type = SCALARS[fd.type]
            presence = "optional" if fd.proto3_optional else "none"
        elif fd.type == FDP.TYPE_ENUM:
            enum = self._enum(fd.type_name)
            if enum is None:
                self.problems.add(loc, f"field {what}: enum {fd.type_name.lstrip('.')} has no value but zero",
                                  "add at least one value after the _UNSPECIFIED one")
                return None
            kind, go_base = "enum", enum.domain_type
            sql_type = f"VARCHAR({max(20, enum.max_len)})"
            presence = "optional" if fd.proto3_optional else "none"
        elif fd.type == FDP.TYPE_MESSAGE and fd.type_name == TIMESTAMP:
            kind, go_base, sql_type = "timestamp", "time.Time", "TIMESTAMPTZ"
            presence = "message"
        elif fd.type == FDP.TYPE_MESSAGE and fd.type_name in WRAPPERS:
            kind, go_base, sql_type, wrapper = WRAPPERS[fd.type_name]
            presence = "wrapper"
        else:
            type_name = fd.type_name.lstrip(".") or FDP.Type.Name(fd.type)
            self.problems.add(
                loc,
                f"field {what}: type {type_name} cannot be stored as a column "
                "(supported: scalars, enums, google.protobuf.Timestamp and the wrapper types)",
                transient_fix + ", or model it as an entity of its own",
            )
            return None

        rules = self.ds.extension(fd.options, VALIDATE_FIELD_EXTENSION)
        required = bool(rules.get("required", False))
        nullable = presence in ("optional", "wrapper") or (presence == "message" and not required)
        column = fopts.get("column") or fd.name
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", column) or column in naming.SQL_RESERVED:
            self.problems.add(loc, f"field {what}: column name {column!r} {_sql_name_problem(column)}",
                              "set [(altalune.codegen.v1.field) = {column: \"<name>\"}] to lower-case letters, "
                              "digits and underscores, not a reserved word")
        sql_fixed = bool(fopts.get("sql_type"))
        if sql_fixed:
            sql_type = fopts.get("sql_type")
        elif kind == "string" and _max_len(rules):
            sql_type = f"VARCHAR({_max_len(rules)})"
            sql_fixed = True
        default = None
        if not nullable:
            if enum:
                default = f"'{enum.default.db_value}'"
            elif kind in ZERO_DEFAULTS:
                default = ZERO_DEFAULTS[kind]
            elif kind != "timestamp":
                default = "0"

        def flag(option: str, default_value: bool, allowed: bool, reason: str) -> bool:
            value = fopts.get(option, None)
            if value is None:
                return default_value and allowed
            if value and not allowed:
                self.problems.add(loc, f"field {what}: {option} does not apply to {_a(kind)} field "
                                       f"({reason})", f"remove {option}: true from the field's options")
                return False
            return bool(value)

        unique = flag("unique", False, kind not in ("bytes", "float", "double", "bool"),
                      "only strings, integers, enums and timestamps can be unique")
        searchable = flag("searchable", kind == "string", kind == "string", "the keyword matches text only")
        filterable = flag("filterable", kind in ("enum", "bool"), kind != "bytes", "bytes are not compared")
        sortable = flag("sortable", True, kind != "bytes", "bytes have no useful order")
        indexed = flag("indexed", filterable and not unique, True, "")
        filter_key = fopts.get("filter_key", "")
        if filter_key and not filterable:
            self.problems.add(loc, f"field {what}: filter_key {filter_key!r} is set on a field that is not filterable",
                              "add filterable: true to the field's options, or remove filter_key")
            filter_key = ""
        elif filter_key and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", filter_key):
            self.problems.add(loc, f"field {what}: filter_key {filter_key!r} is not a key of letters, digits and "
                                   "underscores", 'set filter_key to a plain key, e.g. filter_key: "statuses"')
            filter_key = ""
        return Field(
            name=fd.name,
            json_name=fd.json_name or naming.lower_camel(fd.name),
            number=fd.number,
            proto_go=naming.proto_field_name(fd.name),
            go_name=naming.go_name(fd.name),
            column=column,
            kind=kind,
            go_base=go_base,
            presence=presence,
            nullable=nullable,
            sql_type=sql_type,
            sql_default=default,
            unique=unique,
            searchable=searchable,
            filterable=filterable,
            sortable=sortable,
            immutable=bool(fopts.get("immutable", False)),
            indexed=indexed and not unique,
            enum=enum,
            wrapper=wrapper,
            sql_fixed=sql_fixed,
            filter_key=filter_key,
        )

    def _is_map_entry(self, type_name: str) -> bool:
        entry = self.ds.messages.get(type_name)
        return bool(entry and entry[1].options.map_entry)

    def _enum(self, type_name: str) -> Enum | None:
        source, enum_proto, path = self.ds.enums[type_name]
        package = self._require_go_package(source)
        fdp = source.proto
        prefix_len = len(f".{fdp.package}.") if fdp.package else 1
        local = type_name[prefix_len:]
        proto_go = _go_ident(local)
        parent_go = _go_ident(local.rsplit(".", 1)[0]) if "." in local else proto_go
        domain_type = naming.go_name(enum_proto.name) if "." not in local else naming.go_name(local.replace(".", "_"))
        value_prefix = naming.upper_snake(enum_proto.name) + "_"
        values = []
        seen_db: dict[str, str] = {}
        for k, v in enumerate(enum_proto.value):
            if v.number == 0:
                continue
            opts = self.ds.altalune(v.options, "enum_value")
            suffix = v.name[len(value_prefix):] if v.name.startswith(value_prefix) else v.name
            db_value = opts.get("db_value") or suffix.lower()
            if db_value in seen_db:
                self.problems.add(source.location(*path, ENUM_VALUE, k),
                                  f"enum {local}: values {seen_db[db_value]} and {v.name} share database value "
                                  f"{db_value!r}", "set distinct (altalune.codegen.v1.enum_value).db_value")
            seen_db[db_value] = v.name
            if "'" in db_value:
                self.problems.add(source.location(*path, ENUM_VALUE, k),
                                  f"enum {local}: database value {db_value!r} contains a quote",
                                  "use letters, digits, '-' or '_'")
            values.append(EnumValue(
                name=v.name,
                number=v.number,
                proto_const=f"{package.name}.{parent_go}_{v.name}",
                const=domain_type + naming.go_name(suffix),
                db_value=db_value,
            ))
        if not values:
            return None
        return Enum(
            full_name=type_name,
            proto_type=f"{package.name}.{proto_go}",
            domain_type=domain_type,
            private=naming.go_private_name(domain_type),
            values=values,
        )

    # --- services -----------------------------------------------------------------------------

    def _bind_services(self, source: SourceFile, entities: list[Entity], by_name: dict[str, Entity]) -> None:
        fdp = source.proto
        for i, svc in enumerate(fdp.service):
            spath = (SERVICE, i)
            sopts = self.ds.altalune(svc.options, "service")
            if sopts.get("handwritten", False):
                continue
            target = sopts.get("entity", "")
            entity = None
            if target:
                entity = self._find_entity(target, fdp.package, by_name)
                if entity is None:
                    self.problems.add(source.option_location(*spath, 3, SERVICE_EXT),
                                      f"service {svc.name} names entity {target!r}, which is not an entity "
                                      "in the files being generated",
                                      "name a message that has the (altalune.codegen.v1.entity) option")
                    continue
            elif svc.name.endswith("Service"):
                entity = self._find_entity(svc.name[: -len("Service")], fdp.package, by_name)
            if entity is None:
                self._check_unbound(source, svc, spath, entities)
                continue
            if entity.service is not None:
                self.problems.add(source.location(*spath),
                                  f"entity {entity.name} is served by both {entity.service.name} and {svc.name}",
                                  "keep one service per entity; move other RPCs to a service of their own")
                continue
            entity.service = self._service(source, svc, spath, entity, sopts)

    def _check_unbound(self, source: SourceFile, svc, spath, entities: list[Entity]) -> None:
        """A service tied to no entity is left alone, unless its RPCs are
        named like an entity's CRUD operations: then it was meant to serve
        that entity, and generating nothing for it would leave every call
        unimplemented."""
        for entity in entities:
            crud = set(_conventional_names(entity))
            matched = [m.name for m in svc.method if m.name in crud]
            if matched:
                self.problems.add(
                    source.location(*spath),
                    f"service {svc.name} is tied to no entity, but its RPCs {', '.join(matched)} are named like "
                    f"the CRUD operations of entity {entity.name}",
                    f'tie it with option (altalune.codegen.v1.service) = {{entity: "{entity.name}"}}, or mark it '
                    "{handwritten: true} if you implement it yourself",
                )
                return

    def _find_entity(self, name: str, package: str, by_name: dict[str, Entity]) -> Entity | None:
        name = name.lstrip(".")
        for candidate in (f".{package}.{name}" if package else f".{name}", f".{name}"):
            if candidate in by_name:
                return by_name[candidate]
        return None

    def _service(self, source: SourceFile, svc, spath, entity: Entity, sopts: Options) -> Service:
        package = self._require_go_package(source)
        go_svc = naming.go_camel_case(svc.name)
        connect_name = f"{package.name}connect"
        resource = sopts.get("resource", "") or entity.package
        if not RESOURCE.fullmatch(resource):
            self.problems.add(source.option_location(*spath, 3, SERVICE_EXT),
                              f"service {svc.name}: resource {resource!r} is not lower-case letters, digits and "
                              "underscores", f'set (altalune.codegen.v1.service).resource to e.g. "{entity.package}"')
            resource = entity.package
        service = Service(
            name=go_svc,
            file=source.name,
            server_iface=f"{package.name}.{go_svc}Server",
            unimplemented=f"{package.name}.Unimplemented{go_svc}Server",
            unsafe=f"{package.name}.Unsafe{go_svc}Server",
            register=f"{package.name}.Register{go_svc}Server",
            connect_handler=f"{connect_name}.New{go_svc}Handler",
            connect_iface=f"{connect_name}.{go_svc}Handler",
            resource=resource,
        )
        conventional = _conventional_names(entity)
        seen: dict[str, str] = {}
        for k, method in enumerate(svc.method):
            mpath = spath + (SERVICE_METHOD, k)
            loc = source.location(*mpath)
            mopts = self.ds.altalune(method.options, "method")
            explicit = OPERATIONS.get(mopts.get("operation", 0))
            op = explicit or conventional.get(method.name, "custom")
            if method.client_streaming or method.server_streaming:
                self.problems.add(loc, f"rpc {svc.name}.{method.name} streams; entity services hold unary RPCs only",
                                  "move the streaming RPC to a service of its own")
                continue
            if op != "custom" and op in seen:
                self.problems.add(loc, f"rpc {svc.name}.{method.name} is a second {op} operation "
                                       f"(after {seen[op]})",
                                  "set (altalune.codegen.v1.method).operation = OPERATION_CUSTOM on one of them")
                continue
            if explicit is None and op == "custom" and self._looks_like_query(entity, method):
                self.problems.add(
                    loc,
                    f"rpc {svc.name}.{method.name} has the shape of {entity.name}'s Query, but with plural "
                    f"{entity.plural!r} that Query is named Query{entity.plural}",
                    f'set plural: "{method.name[len("Query"):]}" in {entity.name}\'s (altalune.codegen.v1.entity) '
                    "option, or set (altalune.codegen.v1.method).operation on the RPC "
                    "(OPERATION_QUERY, or OPERATION_CUSTOM to implement it yourself)",
                )
                continue
            seen[op] = method.name
            rpc = self._rpc(source, entity, svc, method, op, loc)
            if rpc:
                rpc.procedure = f"{connect_name}.{go_svc}{rpc.name}Procedure"
                rpc.access = self._access(source, entity, svc, sopts, method, mopts, mpath, op, resource)
                service.rpcs.append(rpc)
        return service

    def _looks_like_query(self, entity: Entity, method) -> bool:
        """An RPC named Query<something> whose request carries a QueryRequest."""
        if not method.name.startswith("Query") or method.name == "Query":
            return False
        request = self.ds.messages.get(method.input_type)
        return bool(request) and any(f.type_name.endswith(".QueryRequest") for f in request[1].field)

    def _access(self, source: SourceFile, entity: Entity, svc, sopts: Options, method, mopts: Options,
                mpath: tuple[int, ...], op: str, resource: str) -> Access:
        """What the RPC requires of its caller: the permission its options
        or the conventions give, and membership of the request's project for
        a partitioned entity."""
        where = source.option_location(*mpath, 4, METHOD_EXT)
        what = f"rpc {svc.name}.{method.name}"
        permission = mopts.get("permission", "")
        if mopts.get("public", False) and permission:
            self.problems.add(where, f"{what} is public and also requires permission {permission!r}",
                              "remove either public or permission from its options")
            return Access(permission=None, project=False)
        # A permission the RPC states overrides its service being public.
        if mopts.get("public", False) or (sopts.get("public", False) and not permission):
            return Access(permission=None, project=False)
        if permission and not (PERMISSION if ":" in permission else ACTION).fullmatch(permission):
            self.problems.add(where, f"{what}: permission {permission!r} is neither an action nor "
                                     '"<resource>:<action>"',
                              'use lower-case letters, digits, "_" and "-", e.g. permission: "write" or '
                              'permission: "billing:approve"')
            return Access(permission=None, project=False)
        if not permission:
            permission = DEFAULT_ACTIONS.get(op, "")
        if not permission:
            self.problems.add(
                source.location(*mpath),
                f"{what} is a custom RPC and says nothing of who may call it",
                f'declare what its caller needs with option (altalune.codegen.v1.method) = {{permission: "<action>"}} '
                f'(e.g. "read" requires {resource}:read), or {{public: true}} to serve it to any caller',
            )
            return Access(permission=None, project=False)
        if ":" not in permission:
            permission = f"{resource}:{permission}"
        project = entity.partitioned
        if project and op == "custom" and self._project_field(method) is None:
            request = self.ds.messages[method.input_type]
            self.problems.add(
                source.location(*mpath),
                f"{what}: {request[1].name} has no `string project_id`, so the caller's membership of the "
                f"project cannot be checked for partitioned entity {entity.name}",
                f"add `string project_id = <n>;` to {request[1].name}, or make the RPC public "
                "(option (altalune.codegen.v1.method) = {public: true}) and check access in its implementation",
            )
        return Access(permission=permission, project=project)

    def _project_field(self, method):
        request = self.ds.messages.get(method.input_type)
        if request is None:
            return None
        fd = next((f for f in request[1].field if f.name == "project_id"), None)
        if fd is None or fd.type != FDP.TYPE_STRING or fd.label == FDP.LABEL_REPEATED:
            return None
        return fd

    def _rpc(self, source: SourceFile, entity: Entity, svc, method, op: str, loc: Location) -> Rpc | None:
        req_src, req, req_path = self.ds.messages[method.input_type]
        res_src, res, res_path = self.ds.messages[method.output_type]
        rpc = Rpc(
            name=naming.go_camel_case(method.name),
            operation=op,
            request=self._qualified(method.input_type),
            response=self._qualified(method.output_type),
        )
        if op == "custom":
            return rpc
        req_fields = {f.name: f for f in req.field}
        res_fields = {f.name: f for f in res.field}
        ok = True

        def at(src: SourceFile, path: tuple[int, ...], message, field_name: str | None = None) -> Location:
            """The request's or response's field (else the message itself), or the rpc
            when the file has no source info."""
            if field_name is not None and field_name in {f.name for f in message.field}:
                path = path + (MESSAGE_FIELD, _field_index(message, field_name))
            where = src.location(*path).resolve()
            return where if where.line else loc

        def missing(where: Location, message: str, fix: str) -> None:
            nonlocal ok
            ok = False
            self.problems.add(where, f"rpc {svc.name}.{method.name} ({op} {entity.name}): {message}", fix)

        if entity.partitioned:
            pf = req_fields.get("project_id")
            if pf is None or pf.type != FDP.TYPE_STRING or pf.label == FDP.LABEL_REPEATED:
                missing(at(req_src, req_path, req, "project_id"),
                        f"{req.name} has no `string project_id`, which partitioned entity {entity.name} needs",
                        f"add `string project_id = <n>;` to {req.name}, or set partitioned: false on {entity.name}")
            else:
                rpc.project_getter = f"Get{naming.proto_field_name('project_id')}"
        if op in ("get", "update", "delete"):
            id_name = next((n for n in (f"{entity.snake}_id", "id") if n in req_fields), None)
            idf = req_fields.get(id_name) if id_name else None
            if idf is None or idf.type != FDP.TYPE_STRING or idf.label == FDP.LABEL_REPEATED:
                missing(at(req_src, req_path, req, id_name or f"{entity.snake}_id"),
                        f"{req.name} has no `string {entity.snake}_id` (the {entity.name}'s public ID)",
                        f"add `string {entity.snake}_id = <n>;` to {req.name}")
            else:
                rpc.id_getter = f"Get{naming.proto_field_name(id_name)}"
        if op in ("create", "update"):
            by_name = {f.name: f for f in entity.fields}
            for fd in req.field:
                if fd.name in ("project_id", f"{entity.snake}_id", "id"):
                    continue
                f = by_name.get(fd.name)
                if f is None:
                    missing(at(req_src, req_path, req, fd.name),
                            f"{req.name}.{fd.name} is not a stored field of {entity.name}",
                            f"remove it from {req.name}, or add it to {entity.name}; "
                            "for values handled by hand use a custom RPC")
                    continue
                if not self._same_type(f, fd):
                    missing(at(req_src, req_path, req, fd.name),
                            f"{req.name}.{fd.name} does not have the type of {entity.name}.{fd.name}",
                            f"declare it exactly as in {entity.name}")
                    continue
                if op == "create":
                    f.in_create = True
                elif not f.immutable:
                    f.in_update = True
                rpc.fields.append(f)
                if f.in_create if op == "create" else f.in_update:
                    f.writer_limits.append(_max_len(self.ds.extension(fd.options, VALIDATE_FIELD_EXTENSION)))
        if op in ("create", "get", "update"):
            ef = next((f for f in res.field if f.type_name == entity.full_name and f.label != FDP.LABEL_REPEATED),
                      None)
            if ef is None:
                missing(at(res_src, res_path, res),
                        f"{res.name} has no `{entity.name} {entity.snake}` field to carry the result",
                        f"add `{entity.name} {entity.snake} = 1;` to {res.name}")
            else:
                rpc.entity_field = naming.proto_field_name(ef.name)
        if op in ("create", "update", "delete"):
            mf = res_fields.get("message")
            rpc.has_message = bool(mf and mf.type == FDP.TYPE_STRING and mf.label != FDP.LABEL_REPEATED)
        if op == "query":
            qf = req_fields.get("query")
            if qf is None or not qf.type_name.endswith(".QueryRequest"):
                missing(at(req_src, req_path, req, "query"),
                        f"{req.name} has no `QueryRequest query` field",
                        f"add `QueryRequest query = <n>;` (from altalune/v1/common.proto) to {req.name}")
            df = res_fields.get("data")
            if df is None or df.type_name != entity.full_name or df.label != FDP.LABEL_REPEATED:
                missing(at(res_src, res_path, res, "data"),
                        f"{res.name} has no `repeated {entity.name} data` field",
                        f"add `repeated {entity.name} data = 1;` to {res.name}")
            mf = res_fields.get("meta")
            if mf is not None and mf.type_name.endswith(".QueryMetaResponse"):
                rpc.has_meta = True
        return rpc if ok else None

    def _same_type(self, f: Field, fd) -> bool:
        if fd.label == FDP.LABEL_REPEATED:
            return False
        if f.presence == "optional" and not fd.proto3_optional:
            return False
        if f.presence == "none" and fd.proto3_optional:
            return False
        if f.kind == "enum":
            return fd.type == FDP.TYPE_ENUM and fd.type_name == f.enum.full_name
        if f.presence in ("wrapper", "message"):
            return fd.type == FDP.TYPE_MESSAGE and WRAPPERS.get(fd.type_name, (None,))[0] == f.kind \
                if f.presence == "wrapper" else fd.type_name == TIMESTAMP
        return fd.type in SCALARS and SCALARS[fd.type][0] == f.kind and SCALARS[fd.type][1] == f.go_base

    @staticmethod
    def _default_writes(entities: list[Entity]) -> None:
        """Without a Create (Update) RPC to say which fields it writes, the
        repository's input carries every (every mutable) field."""
        for e in entities:
            ops = {r.operation for r in e.service.rpcs} if e.service else set()
            for f in e.fields:
                if "create" not in ops:
                    f.in_create = True
                if "update" not in ops:
                    f.in_update = not f.immutable

    @staticmethod
    def _size_strings(entities: list[Entity]) -> None:
        """A string column without its own limit is VARCHAR when every request
        that writes it is bounded by buf.validate, wide enough for the largest."""
        for e in entities:
            for f in e.fields:
                if f.kind == "string" and not f.sql_fixed and f.writer_limits and all(f.writer_limits):
                    f.sql_type = f"VARCHAR({max(f.writer_limits)})"

    # --- across entities ------------------------------------------------------------------------

    def _check_across(self, entities: list[Entity]) -> None:
        def once(key_of, what: str, fix: str) -> None:
            seen: dict = {}
            for e in entities:
                key = key_of(e)
                if key in seen:
                    first, second = (seen[key].name, e.name) if seen[key].name != e.name else \
                        (seen[key].full_name.lstrip("."), e.full_name.lstrip("."))
                    self.problems.add(e.option_location,
                                      f"entities {first} and {second} have the same {what} {key!r}", fix)
                else:
                    seen[key] = e

        once(lambda e: e.table, "table", "set a distinct (altalune.codegen.v1.entity).table on one of them")
        once(lambda e: e.error_code, "error_code block",
             f"give each entity its own error_code block, e.g. error_code: {self._free_block()} (free)")
        once(lambda e: e.package, "domain package", "set a distinct (altalune.codegen.v1.entity).domain")
        once(lambda e: e.go_type, "Go name", "rename one of the messages")
        once(lambda e: e.migration_version, "migration_version", "give each entity its own migration_version")

    def _packages(self, entities: list[Entity]) -> Packages:
        p = self.params
        root_name = p.root_package
        detail = self._common_package("ErrorDetail", entities)
        # The templates name the infrastructure packages as the target does;
        # wherever the parameters put them, the import gets that name as alias.
        return Packages(
            root=GoPackage(p.import_path(p.errors_dir), root_name),
            postgres=GoPackage(p.import_path(p.postgres_pkg), "postgres"),
            query=GoPackage(p.import_path(p.query_pkg), "query"),
            nanoid=GoPackage(p.import_path(p.nanoid_pkg), "nanoid"),
            project=GoPackage(p.import_path(p.project_pkg), "project_domain"),
            kit=GoPackage(p.import_path(p.kit_dir), "domainkit"),
            proto=detail,
            connect=GoPackage(f"{detail.path}/{detail.name}connect", f"{detail.name}connect") if detail else None,
        )

    def _check_package_names(self, packages: Packages) -> None:
        """The generated files refer to each imported package by one name: a
        proto file's Go package must not take a name another package has."""
        from .render import STD_PACKAGES, THIRD_PARTY

        taken = {**STD_PACKAGES, **THIRD_PARTY}
        for p in (packages.root, packages.postgres, packages.query, packages.nanoid, packages.project, packages.kit):
            taken[p.name] = p.path
        # Imported files first: a clash is reported at a file being generated.
        generating = set(self.request.file_to_generate)
        for file_name, package in sorted(self._go_packages.items(), key=lambda item: (item[0] in generating, item[0])):
            if package is None:
                continue
            for name, path in ((package.name, package.path),
                               (f"{package.name}connect", f"{package.path}/{package.name}connect")):
                other = taken.setdefault(name, path)
                if other != path:
                    suggestion = re.sub(r"[^a-z0-9]", "", "".join(package.path.lower().split("/")[-2:]))
                    self.problems.add(
                        self.ds.files[file_name].first_location((8, 11), (FILE_PACKAGE,), (FILE_SYNTAX,)),
                        f"the Go package of {file_name}, {path}, would be imported as {name}, "
                        f"the name of {other} in the generated code",
                        f'give it another name in its go_package, e.g. "{package.path};{suggestion}", '
                        f"or in an M{file_name}= parameter",
                    )
                    break

    def _common_package(self, message: str, entities: list[Entity]) -> GoPackage | None:
        """Go package of the common messages (ErrorDetail, FilterValues, QueryMetaResponse)."""
        candidates = [name for name in self.ds.messages if name.endswith(f".{message}")]
        preferred = [n for n in candidates if any(n.rsplit(".", 1)[0] == e.full_name.rsplit(".", 1)[0]
                                                  for e in entities)]
        chosen = (preferred or candidates or [None])[0]
        if chosen is None:
            self.problems.add(
                entities[0].location,
                f"message {message} (from altalune/v1/common.proto) is not among the request's files",
                "import altalune/v1/common.proto in the file that declares the entity",
            )
            return None
        return self._require_go_package(self.ds.messages[chosen][0])


def _all_messages(messages):
    """Every message of a list and, recursively, the ones nested in them."""
    for msg in messages:
        yield msg
        yield from _all_messages(msg.nested_type)


def _conventional_names(entity: Entity) -> dict[str, str]:
    """The RPC names that are an entity's CRUD operations by convention."""
    return {
        f"Query{entity.plural}": "query",
        f"Create{entity.name}": "create",
        f"Get{entity.name}": "get",
        f"Update{entity.name}": "update",
        f"Delete{entity.name}": "delete",
    }


def _go_ident(local: str) -> str:
    """protoc-gen-go's Go name for a (possibly nested) message or enum: GoCamelCase
    of its dotted name, Outer.Inner -> Outer_Inner (but Outer.inner -> OuterInner)."""
    return naming.go_camel_case(local)


def _sql_name_problem(name: str) -> str:
    if name in naming.SQL_RESERVED:
        return "is a reserved word of PostgreSQL"
    return "is not a lower-case SQL identifier (it would need quoting)"


def _a(kind: str) -> str:
    """``int32`` -> ``an int32``; ``bytes`` -> ``a bytes``."""
    return ("an " if kind[:1] in "aeio" else "a ") + kind


def _field_index(msg, name: str) -> int:
    return next(i for i, f in enumerate(msg.field) if f.name == name)


def _max_len(rules: Options) -> int | None:
    string_rules = rules.sub("string")
    if not string_rules:
        return None
    return string_rules.get("len") or string_rules.get("max_len") or None


def build(request: plugin_pb2.CodeGeneratorRequest, params: Params) -> Model:
    return Builder(request, params).build()
