"""Entities: annotated messages, their options filled in by the
conventions and checked one by one."""

from __future__ import annotations

import posixpath
import re

from .. import conventions, naming
from ..descriptors import FileDesc, MessageDesc, PendingLocation
from ..model import Hook, Kind, ServerColumn
from ..options import EntityOptions
from ..records import record, replace
from .context import Context
from .fields import FieldReader, FieldSpec, sql_name_problem


@record
class EntitySpec:
    """An entity as its message and options declare it, before its service
    is bound."""

    desc: MessageDesc
    file: FileDesc
    options: EntityOptions
    plural: str
    package: str  # the domain's Go package name
    table: str
    partitioned: bool
    error_code: int
    id_field: str  # the message's field holding the public ID: id
    codes: tuple[str, str]  # its own not-found and already-exists codes, ("", "") for its block's
    error_name: str  # the root package's codes and constructors are named after it
    migration_version: str
    fields: tuple[FieldSpec, ...]  # the stored fields
    history: tuple[FieldSpec, ...]  # and those whose column is dropped, in message order
    has_created_at: bool
    has_updated_at: bool
    default_sort: tuple[str, str]
    hooks: frozenset[Hook]
    proto_go: dict[str, str]  # protoc-gen-go field names of the message
    option_location: PendingLocation
    dir: str  # internal/domain/employee
    columns: tuple[ServerColumn, ...] = ()  # server-side columns
    unique_keys: tuple[tuple[tuple[str, ...], str, str], ...] = ()  # (field names, added_in, index_name) per key
    singleton: bool = False  # one row per project

    @property
    def name(self) -> str:
        return self.desc.name

    @property
    def full_name(self) -> str:
        return self.desc.full_name

    @property
    def go_type(self) -> str:
        return naming.go_name(self.name)

    @property
    def snake(self) -> str:
        return naming.snake(self.name)



def proto_go_names(msg: MessageDesc) -> dict[str, str]:
    """protoc-gen-go's Go names of a message's fields."""
    oneofs = [o.name for o in msg.proto.oneof_decl]
    return naming.proto_field_names([
        (f.name, oneofs[f.proto.oneof_index] if f.proto.HasField("oneof_index") else None) for f in msg.fields
    ])


class EntityReader:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.fields = FieldReader(ctx)

    def entities_of(self, file: FileDesc) -> list[EntitySpec]:
        result = []
        for msg in file.messages:
            for nested in list(msg.walk())[1:]:
                if self.ctx.options.entity(nested):
                    self.ctx.problems.add(nested.location, f"nested message {nested.local} cannot be an entity",
                                          "move it to the top level of the file")
            opts = self.ctx.options.entity(msg)
            if opts is None:
                continue
            if file.syntax != "proto3":
                what = "an editions file" if file.syntax == "editions" else f"a {file.syntax} file"
                self.ctx.problems.add(
                    file.source.syntax_or(msg.path),
                    f"entity {msg.name} is declared in {what}; protoc-gen-altalune reads proto3 files only",
                    'use `syntax = "proto3";` in this file',
                )
                continue
            spec = self.entity(file, msg, opts)
            if spec:
                result.append(spec)
        return result

    def entity(self, file: FileDesc, msg: MessageDesc, opts: EntityOptions) -> EntitySpec | None:
        ctx, problems = self.ctx, self.ctx.problems
        name = msg.name
        opt_loc = msg.option_location(ctx.entity_ext)
        plural = opts.plural or naming.plural(name)
        package = opts.domain or naming.domain_package(name)
        if not naming.is_valid_go_package(package) or package in naming.GO_PREDECLARED \
                or package in naming.GO_SPECIAL_DIRECTORIES:
            if package in naming.GO_KEYWORDS:
                why = "a Go keyword"
            elif package in naming.GO_PREDECLARED:
                why = "a predeclared Go identifier"
            elif package in naming.GO_SPECIAL_DIRECTORIES:
                why = "a directory name the go command treats specially"
            else:
                why = "not lower-case letters, digits and underscores"
            plain = naming.domain_package(package)
            suggestion = plain if naming.is_valid_go_package(plain) and plain not in naming.GO_PREDECLARED \
                and plain not in naming.GO_SPECIAL_DIRECTORIES else f"{plain}domain"
            problems.add(opt_loc, f"entity {name}: domain package name {package!r} is {why}",
                         f'set (altalune.codegen.v1.entity).domain to another name, e.g. domain: "{suggestion}"')
        table = opts.table or conventions.default_table(plural)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", table) or table in naming.SQL_RESERVED:
            problems.add(opt_loc, f"entity {name}: table name {table!r} {sql_name_problem(table)}",
                         "set (altalune.codegen.v1.entity).table to lower-case letters, digits and underscores, "
                         "not a reserved word")
        partitioned = ctx.params.partitioned_default if opts.partitioned is None else opts.partitioned
        error_code = opts.error_code
        codes = self._codes(name, opts, opt_loc)
        if opts.codes is not None:
            pass  # its own codes (checked above): the block is not needed
        elif not error_code:
            free = ctx.free_block()
            problems.add(opt_loc, f"entity {name} has no error-code block",
                         "add error_code: <block> to its (altalune.codegen.v1.entity) option, e.g. "
                         f"error_code: {free} (free) gives codes {free}01 (not found) and {free}02 (already exists)")
        elif not conventions.MIN_BLOCK <= error_code <= conventions.MAX_BLOCK \
                or error_code in conventions.RESERVED_BLOCKS:
            owner = conventions.RESERVED_BLOCKS.get(error_code)
            problems.add(
                opt_loc,
                f"entity {name}: error_code {error_code} is "
                + (f"the block of {owner}" if owner
                   else f"outside {conventions.MIN_BLOCK}-{conventions.MAX_BLOCK}"),
                f"choose a free block such as error_code: {ctx.free_block()} (601-698 by convention, or "
                f"{conventions.MIN_BLOCK}-{conventions.MAX_BLOCK} beyond them; not 600, 603 or 699)",
            )
        error_name = opts.error_name or naming.go_name(name)
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", error_name):
            problems.add(opt_loc, f"entity {name}: error_name {error_name!r} is not an exported Go name",
                         f'use letters and digits starting with a capital, e.g. error_name: "{naming.go_name(name)}"')
        version = opts.migration_version
        if opts.adopt and not version:
            pass  # an adopted table has no create migration
        elif not re.fullmatch(r"\d{14}", version):
            problems.add(opt_loc, f"entity {name}: " + (f"migration_version {version!r} is not 14 digits" if version
                                                        else "no migration_version"),
                         'add migration_version: "YYYYMMDDhhmmss" to its (altalune.codegen.v1.entity) option, '
                         "later than your existing migrations")
        ctx.require_go_package(file)

        fields: list[FieldSpec] = []
        history: list[FieldSpec] = []
        seen_id = has_created = has_updated = False
        id_field = opts.id_field or "id"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", id_field) \
                or id_field in ("project_id", "public_id", *conventions.TIMESTAMP_FIELDS):
            problems.add(opt_loc, f"entity {name}: id_field {id_field!r} cannot hold the public ID",
                         'name a field of the message, e.g. id_field: "node_id"')
        for fd in msg.fields:
            fopts = ctx.options.field(fd)
            if fd.name == id_field:
                seen_id = True
                if not fd.is_string:
                    problems.add(fd.location, f"entity {name}: field {id_field} must be a string (the public ID)",
                                 f"declare it as `string {id_field} = 1;`")
                continue
            if fd.name in conventions.TIMESTAMP_FIELDS:
                if fd.type_name != conventions.TIMESTAMP or fd.repeated:
                    problems.add(fd.location, f"entity {name}: {fd.name} must be a google.protobuf.Timestamp",
                                 f"declare it as `google.protobuf.Timestamp {fd.name} = {fd.number};`")
                has_created = has_created or fd.name == "created_at"
                has_updated = has_updated or fd.name == "updated_at"
                continue
            if fopts.transient:
                continue
            if fd.name in ("project_id", "public_id"):
                problems.add(fd.location, f"entity {name}: field {fd.name} collides with the column the generator "
                                          "manages",
                             "remove it, rename it, or mark it [(altalune.codegen.v1.field) = {transient: true}]")
                continue
            field = self.fields.spec(name, fd, fopts)
            if field:
                history.append(field)
                if not fopts.dropped_in:
                    fields.append(field)
        if not seen_id:
            problems.add(msg.location, f"entity {name} has no `string {id_field}` field (its public ID)",
                         f"add `string {id_field} = 1;`" + ("" if opts.id_field else
                                                           ", or name the field that holds it with id_field"))
        if opts.singleton:
            fields = [self._singleton_field(name, f) for f in fields]
            history = [self._singleton_field(name, f) for f in history]
        proto_go = proto_go_names(msg)
        self._check_fields(name, history)
        default_sort = self._default_sort(name, opts, fields, opt_loc)
        hooks = self._hooks(name, opts, opt_loc)
        columns = self._server_columns(name, opts, fields, hooks, table, opt_loc)
        unique_keys = self._unique_keys(name, opts, fields, table, opt_loc)
        spec = EntitySpec(
            desc=msg, file=file, options=opts, plural=plural, package=package, table=table,
            partitioned=partitioned, error_code=error_code, id_field=id_field, codes=codes or ("", ""),
            error_name=error_name,
            migration_version=version, fields=tuple(fields),
            history=tuple(history),
            has_created_at=has_created, has_updated_at=has_updated, default_sort=default_sort,
            hooks=hooks,
            proto_go=proto_go, option_location=opt_loc, dir=f"{ctx.params.domain_dir}/{package}",
            columns=columns, unique_keys=unique_keys, singleton=opts.singleton,
        )
        self._check_table(spec)
        if opts.singleton:
            self._check_singleton(spec)
        p = ctx.params
        infrastructure = {p.project_pkg: "project_pkg", p.postgres_pkg: "postgres_pkg", p.query_pkg: "query_pkg",
                          p.nanoid_pkg: "nanoid_pkg", p.kit_dir: "kit_dir", p.container_dir: "container_dir",
                          p.server_dir: "server_dir"}
        taken_by = infrastructure.get(posixpath.normpath(spec.dir))
        if taken_by:
            problems.add(opt_loc, f"entity {name}: its domain package would be {spec.dir}, "
                                  f"the target's own package there ({taken_by})",
                         "set (altalune.codegen.v1.entity).domain to another name, "
                         f'e.g. domain: "{package}s"')
        return spec

    def _hooks(self, name: str, opts: EntityOptions, loc: PendingLocation) -> frozenset[Hook]:
        known = {h.value for h in Hook}
        for hook in opts.hooks:
            if hook not in known:
                self.ctx.problems.add(loc, f"entity {name}: hook HOOK_{hook.upper()} is not one this version of "
                                           "protoc-gen-altalune calls",
                                      f"use one of {', '.join('HOOK_' + h.upper() for h in sorted(known))}, or "
                                      "upgrade protoc-gen-altalune")
        return frozenset(Hook(h) for h in opts.hooks if h in known)

    def _server_columns(self, name: str, opts: EntityOptions, fields: list[FieldSpec], hooks: frozenset[Hook],
                        table: str, loc: PendingLocation) -> tuple[ServerColumn, ...]:
        """The entity's server-side columns, each checked: a column name of
        its own, a way to be set on create, and a secret that reaches the
        caller."""
        problems = self.ctx.problems
        taken = {f.column: f"field {f.name}" for f in fields}
        taken.update(dict.fromkeys(conventions.RESERVED_COLUMNS, "a column the generator manages"))
        go_taken = {naming.go_name(f.name): f.name for f in fields}
        columns: list[ServerColumn] = []
        secret_seen = ""
        for c in opts.columns:
            what = f"entity {name}: server-side column {c.name!r}" if c.name else f"entity {name}: a server-side column"
            if not c.name:
                problems.add(loc, f"{what} has no name", 'give it one, e.g. columns: [{name: "key_hash" ...}]')
                continue
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", c.name) or c.name in naming.SQL_RESERVED:
                problems.add(loc, f"{what}: the name {sql_name_problem(c.name)}",
                             "use lower-case letters, digits and underscores, not a reserved word")
                continue
            if c.name in taken:
                problems.add(loc, f"{what}: the name is taken by {taken[c.name]}", "choose another column name")
                continue
            go_name = naming.go_name(c.name)
            if go_name in go_taken or go_name in ("ProjectID", "PublicID", "Fields"):
                problems.add(loc, f"{what} becomes Go name {go_name} in the Create input, which "
                                  f"{('field ' + go_taken[go_name]) if go_name in go_taken else 'the input'} "
                                  "already uses", "choose another column name")
                continue
            taken[c.name] = f"server-side column {c.name}"
            go_taken[go_name] = c.name
            secret = c.generator == "secret"
            if c.generator not in ("", "secret"):
                problems.add(loc, f"{what}: generator GENERATOR_{c.generator.upper()} is not one this version of "
                                  "protoc-gen-altalune knows", "use GENERATOR_SECRET, or no generator")
                continue
            if secret:
                if secret_seen:
                    problems.add(loc, f"{what} is a second GENERATOR_SECRET column (after {secret_seen})",
                                 "keep one secret per entity")
                    continue
                secret_seen = c.name
                if not c.response_field:
                    problems.add(loc, f"{what}: a GENERATOR_SECRET column needs the Create response field that "
                                      "returns the secret once", 'add response_field: "<field>" (e.g. "key_value"), '
                                                                 "a `string` field of the Create response")
                if not re.fullmatch(r"[A-Za-z0-9_-]{0,16}", c.prefix):
                    problems.add(loc, f"{what}: prefix {c.prefix!r} is not up to 16 letters, digits, '_' or '-'",
                                 'use a short plain prefix, e.g. prefix: "ak_"')
            else:
                if c.prefix or c.response_field:
                    problems.add(loc, f"{what}: prefix and response_field apply to a GENERATOR_SECRET column only",
                                 "remove them, or set generator: GENERATOR_SECRET")
                if Hook.BEFORE_CREATE not in hooks:
                    problems.add(loc, f"{what} has no generator, so the BeforeCreate hook sets it, but entity "
                                      f"{name} does not declare that hook",
                                 "add HOOK_BEFORE_CREATE to its hooks (and set the column's field of the Create "
                                 "input there), or set generator: GENERATOR_SECRET")
            if c.unique and len(naming.unique_index(table, c.name)) > conventions.MAX_IDENTIFIER:
                problems.add(loc, f"{what}: index name {naming.unique_index(table, c.name)} is longer than "
                                  f"PostgreSQL's {conventions.MAX_IDENTIFIER} characters",
                             "choose a shorter table or column name")
            columns.append(ServerColumn(
                name=c.name, go_name=go_name, sql_type=c.sql_type or ("VARCHAR(64)" if secret else "TEXT"),
                not_null=c.not_null, unique=c.unique, secret=secret, prefix=c.prefix,
                response_field=c.response_field, table=table, entity_go=opts.error_name or naming.go_name(name),
                location=loc,
            ))
        return tuple(columns)

    def _unique_keys(self, name: str, opts: EntityOptions, fields: list[FieldSpec], table: str,
                     loc: PendingLocation) -> tuple[tuple[tuple[str, ...], str, str], ...]:
        """The entity's unique keys over several fields, each checked: two or
        more distinct stored fields that every row has a value of."""
        problems = self.ctx.problems
        by_name = {f.name: f for f in fields}
        keys: list[tuple[tuple[str, ...], str, str]] = []
        for k in opts.unique_keys:
            what = f"entity {name}: unique key [{', '.join(k.fields)}]"
            example = 'unique_keys: [{fields: ["name", "lang"]}]'
            if len(k.fields) < 2 or len(set(k.fields)) != len(k.fields):
                problems.add(loc, f"{what} does not name two or more distinct fields",
                             f"list each field once, e.g. {example}; a single unique field is the field option "
                             "unique: true")
                continue
            unknown = [n for n in k.fields if n not in by_name]
            if unknown:
                problems.add(loc, f"{what}: {', '.join(unknown)} is not a stored field of {name}",
                             f"name fields of the message, e.g. {example}")
                continue
            unfit = [n for n in k.fields
                     if by_name[n].nullable or by_name[n].kind is Kind.BYTES or by_name[n].kind.composite]
            if unfit:
                problems.add(loc, f"{what}: field {unfit[0]} is nullable, bytes, an array or a document, so the key "
                                  "could not tell its rows apart",
                             "use plain (not optional, not bytes, not repeated, not a message) fields in a unique key")
                continue
            if any(keys_seen == k.fields for keys_seen, _, _ in keys):
                problems.add(loc, f"{what} is listed twice", "remove one of them")
                continue
            index = naming.unique_index(table, "_".join(by_name[n].column for n in k.fields))
            if len(index) > conventions.MAX_IDENTIFIER:
                problems.add(loc, f"{what}: index name {index} is longer than PostgreSQL's "
                                  f"{conventions.MAX_IDENTIFIER} characters", "choose shorter column names")
                continue
            if k.index_name and not self._index_name_ok(k.index_name, f"{what}: index_name", loc):
                continue
            keys.append((tuple(k.fields), k.added_in, k.index_name))
        return tuple(keys)

    def _index_name_ok(self, name: str, what: str, loc: PendingLocation) -> bool:
        """An index name given by an option is a plain PostgreSQL identifier."""
        if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) and len(name) <= conventions.MAX_IDENTIFIER:
            return True
        self.ctx.problems.add(loc, f"{what} {name!r} is not the name of an index: lower-case letters, digits and "
                                   f"underscores, up to {conventions.MAX_IDENTIFIER} characters",
                              "write the index's name as the table has it (\\d <table> in psql)")
        return False

    def _singleton_field(self, name: str, f: FieldSpec) -> FieldSpec:
        """A singleton's field: a singleton has no Query, so nothing is
        searched, filtered, sorted or indexed."""
        for option in ("searchable", "filterable", "sortable", "indexed"):
            if getattr(f.options, option):
                self.ctx.problems.add(f.desc.location, f"field {name}.{f.name}: {option} does not apply to a "
                                                       "singleton, which has no Query",
                                      f"remove {option}: true from the field's options")
        return replace(f, searchable=False, filterable=False, sortable=False, indexed=False)

    def _check_singleton(self, spec: EntitySpec) -> None:
        """A singleton is one row per project, which its first read creates
        from the column defaults."""
        problems, loc, name = self.ctx.problems, spec.option_location, spec.name
        if not spec.partitioned:
            problems.add(loc, f"entity {name} is a singleton (one row per project) but not partitioned",
                         "remove partitioned: false, or remove singleton")
        if spec.unique_keys or any(f.unique for f in spec.fields):
            problems.add(loc, f"entity {name} is a singleton, so its one row per project is unique by itself; "
                              "unique fields and keys do not apply", "remove unique and unique_keys")
        hooks = sorted(h for h in spec.hooks if h.operation.value in ("create", "delete"))
        if hooks:
            problems.add(loc, f"entity {name} is a singleton, which is never created or deleted by a request: "
                              f"hook HOOK_{hooks[0].value.upper()} would never run",
                         "use HOOK_BEFORE_UPDATE / HOOK_AFTER_UPDATE, or remove it")
        for f in spec.fields:
            if not f.nullable and f.sql_default is None and not f.options.null_as_empty:
                problems.add(f.desc.location, f"entity {name} is a singleton, whose row is created from the "
                                              f"column defaults, but field {f.name} is required (NOT NULL without "
                                              "a default)", "make it optional (drop buf.validate required)")

    def _codes(self, name: str, opts: EntityOptions, loc: PendingLocation) -> tuple[str, str] | None:
        """The entity's own error codes, when its options give them."""
        if opts.codes is None:
            return None
        given = (opts.codes.not_found, opts.codes.already_exists)
        ok = True
        for what, code in zip(("not_found", "already_exists"), given, strict=True):
            if not re.fullmatch(r"\d{5}", code) or int(code[:3]) in conventions.RESERVED_BLOCKS \
                    or int(code[:3]) < conventions.MIN_BLOCK:
                owner = conventions.RESERVED_BLOCKS.get(int(code[:3])) if re.fullmatch(r"\d{5}", code) else None
                problems = self.ctx.problems
                problems.add(loc, f"entity {name}: codes.{what} {code!r} is " + (
                    f"a code of {owner}" if owner else "not a code of 5 digits from 10000 on"),
                    'write 5 digits outside 600xx, 603xx and 699xx, e.g. codes: {not_found: "60600" '
                    'already_exists: "60601"}')
                ok = False
        if ok and given[0] == given[1]:
            self.ctx.problems.add(loc, f"entity {name}: codes.not_found and codes.already_exists are both "
                                       f"{given[0]}", "give them distinct codes")
        return given if ok else None

    def _check_fields(self, name: str, fields: list[FieldSpec]) -> None:
        """Columns and filter keys that two fields would share."""
        seen_col: dict[str, FieldSpec] = {}
        for f in fields:
            loc = f.desc.location
            if f.filter_key:
                spellings: dict[str, FieldSpec] = {}
                for g in fields:
                    if g is not f:
                        spellings.update({g.name: g, g.desc.json_name: g})
                        if g.filter_key:
                            spellings[g.filter_key] = g
                other = spellings.get(f.filter_key)
                if other is not None or f.filter_key in conventions.RESERVED_COLUMNS:
                    whose = f"field {other.name}" if other is not None else "a column the generator manages"
                    self.ctx.problems.add(loc, f"entity {name}: filter_key {f.filter_key!r} of field {f.name} is a "
                                               f"name of {whose}", "choose a filter_key no other field is known by")
            if f.column in conventions.RESERVED_COLUMNS:
                self.ctx.problems.add(loc, f"entity {name}: column {f.column} is managed by the generator",
                                      "set (altalune.codegen.v1.field).column to another name")
            elif f.column in seen_col:
                self.ctx.problems.add(loc, f"entity {name}: fields {seen_col[f.column].name} and {f.name} "
                                           f"share column {f.column}", "set a distinct column name")
            else:
                seen_col[f.column] = f

    def _check_table(self, spec: EntitySpec) -> None:
        """The table leaves room for its partitions, and its index names fit."""
        if len(spec.table) > conventions.MAX_TABLE:
            self.ctx.problems.add(
                spec.option_location,
                f"entity {spec.name}: table name {spec.table} is longer than {conventions.MAX_TABLE} characters, so "
                f"its partitions (<table>_p<project id>) and indexes could pass PostgreSQL's "
                f"{conventions.MAX_IDENTIFIER}",
                "choose a shorter table name",
            )
            return
        plain = {f.options.index_name or naming.plain_index(spec.table, f.column)
                 for f in spec.history if f.indexed or f.options.index_name}
        for f in spec.history:
            for wanted, index in ((f.search_index, naming.search_index(spec.table, f.column)),
                                  (f.sort_index, naming.sort_index(spec.table, f.column))):
                if not wanted:
                    continue
                if len(index) > conventions.MAX_IDENTIFIER:
                    self.ctx.problems.add(f.desc.location, f"field {spec.name}.{f.name}: index name {index} is longer "
                                                           f"than PostgreSQL's {conventions.MAX_IDENTIFIER} characters",
                                          "choose a shorter table or column name")
                elif index in plain:
                    self.ctx.problems.add(f.desc.location, f"field {spec.name}.{f.name}: its index {index} has the "
                                                           "name of another field's index",
                                          "rename one of the columns (column option)")
        named: dict[str, str] = {}
        for f in spec.history:
            given = f.options.index_name
            if given and not (f.unique or f.indexed):
                self.ctx.problems.add(f.desc.location, f"field {spec.name}.{f.name}: index_name is set but the field "
                                                       "has no index", "remove index_name, or add unique: true or "
                                                                       "indexed: true")
                continue
            if given and self._index_name_ok(given, f"field {spec.name}.{f.name}: index_name", f.desc.location):
                if given in named:
                    self.ctx.problems.add(f.desc.location, f"field {spec.name}.{f.name}: index_name {given} is also "
                                                           f"the index of field {named[given]}",
                                          "name each field's own index")
                named[given] = f.name
                continue
            if not (f.unique or f.indexed):
                continue
            index = naming.unique_index(spec.table, f.column) if f.unique else naming.plain_index(spec.table, f.column)
            if len(index) > conventions.MAX_IDENTIFIER:
                self.ctx.problems.add(
                    spec.option_location,
                    f"entity {spec.name}: index name {index} is longer than PostgreSQL's "
                    f"{conventions.MAX_IDENTIFIER} characters",
                    "choose a shorter table or column name",
                )
                return

    def _default_sort(self, name: str, opts: EntityOptions, fields: list[FieldSpec],
                      loc: PendingLocation) -> tuple[str, str]:
        spec = opts.default_sort or conventions.DEFAULT_SORT
        parts = spec.split()
        column = parts[0] if parts else ""
        direction = parts[1].upper() if len(parts) > 1 else "ASC"
        sortable = {f.column for f in fields if f.sortable} | set(conventions.TIMESTAMP_FIELDS)
        by_field = {f.name: f.column for f in fields if f.sortable}
        column = by_field.get(column, column)
        if len(parts) > 2 or direction not in ("ASC", "DESC") or column not in sortable:
            self.ctx.problems.add(
                loc,
                f"entity {name}: default_sort {spec!r} is not a sortable column and direction",
                f"use \"<column> asc|desc\" with one of: {', '.join(sorted(sortable))}",
            )
        return column, direction

