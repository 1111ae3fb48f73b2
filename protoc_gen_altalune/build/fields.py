"""An entity's stored fields and the enums they use.

A field is read in two steps: its column (type, options, flags) as soon as
the entity is, and its place in the writes (which requests carry it, how
long they let a string be) once the services are bound; only then is the
Field object made, complete.
"""

from __future__ import annotations

import re

from google.protobuf.descriptor_pb2 import FieldDescriptorProto as FDP

from .. import conventions, naming
from ..conventions import ColumnType
from ..descriptors import EnumDesc, FieldDesc
from ..golang import GoIdent, GoPackage, GoType
from ..model import Enum, EnumValue, Field, Kind, Presence, enum_sql_type
from ..options import FieldOptions
from ..records import record
from ..tables import PUBLIC_ID_TYPE
from .context import Context

TRANSIENT_FIX = "mark it [(altalune.codegen.v1.field) = {transient: true}] to keep it out of the table"


@record
class FieldSpec:
    """A stored field as its entity declares it, before the writes are known."""

    desc: FieldDesc
    options: FieldOptions
    column_type: ColumnType
    presence: Presence
    nullable: bool
    column: str
    sql_type: str
    sql_fixed: bool  # by an option or the field's own max_len
    sql_default: str | None
    unique: bool
    searchable: bool
    filterable: bool
    sortable: bool
    indexed: bool
    filter_key: str
    enum: Enum | None
    search_index: bool = False
    sort_index: bool = False

    @property
    def name(self) -> str:
        return self.desc.name

    @property
    def kind(self) -> Kind:
        return self.column_type.kind

    @property
    def go_base(self) -> str | GoIdent | GoType:
        return self.enum.domain_type if self.enum else self.column_type.go

    @property
    def immutable(self) -> bool:
        return self.options.immutable

    def matches(self, fd: FieldDesc, *, as_presence: bool = False) -> bool:
        """A request field declared exactly as this field (its type and its
        presence), so that the request's value converts as the entity's.
        ``as_presence``: instead, an `optional` request field of a plain
        entity field (an update that keeps the stored value when it is unset)."""
        if fd.repeated != self.desc.repeated:
            return False
        if as_presence:
            if self.presence is not Presence.NONE or not fd.proto3_optional:
                return False
        elif (self.presence is Presence.OPTIONAL) != fd.proto3_optional:
            return False
        if self.enum:
            return fd.type == FDP.TYPE_ENUM and fd.type_name == self.enum.full_name
        if self.kind.stored_as_json:
            return fd.type == FDP.TYPE_MESSAGE and fd.type_name == self.desc.type_name
        if self.kind is Kind.ARRAY:
            element = conventions.SCALARS.get(fd.type)
            own = conventions.SCALARS[self.desc.type]
            return element is not None and element.kind is own.kind and element.go == own.go
        if self.presence is Presence.WRAPPER:
            wrapper = conventions.WRAPPERS.get(fd.type_name)
            return fd.type == FDP.TYPE_MESSAGE and wrapper is not None and wrapper.kind is self.kind
        if self.presence is Presence.MESSAGE:
            return fd.type_name == conventions.TIMESTAMP
        scalar = conventions.SCALARS.get(fd.type)
        return scalar is not None and scalar.kind is self.kind and scalar.go == self.column_type.go


def _a(kind: str) -> str:
    """``int32`` -> ``an int32``; ``bytes`` -> ``a bytes``."""
    return ("an " if kind[:1] in "aeio" else "a ") + kind


def sql_name_problem(name: str) -> str:
    if name in naming.SQL_RESERVED:
        return "is a reserved word of PostgreSQL"
    return "is not a lower-case SQL identifier (it would need quoting)"


class FieldReader:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._enums: dict[str, Enum | None] = {}

    def spec(self, entity_name: str, fd: FieldDesc, opts: FieldOptions) -> FieldSpec | None:
        """The column of a stored field, or None (with the problem recorded)
        when it cannot be one."""
        problems = self.ctx.problems
        what = f"{entity_name}.{fd.name}"
        loc = fd.location
        if fd.in_real_oneof:
            problems.add(loc, f"field {what}: oneof members cannot be stored as a column",
                         TRANSIENT_FIX + ", or replace the oneof with plain fields, or move the oneof into a "
                         "message stored as a JSONB document")
            return None
        enum = None
        presence = Presence.OPTIONAL if fd.proto3_optional else Presence.NONE
        if fd.repeated:
            column_type = self._repeated(what, fd)
            if column_type is None:
                return None
        elif fd.type in conventions.SCALARS:
            column_type = conventions.SCALARS[fd.type]
        elif fd.type == FDP.TYPE_ENUM:
            enum = self.enum(self.ctx.ds.enums[fd.type_name])
            if enum is None:
                problems.add(loc, f"field {what}: enum {fd.type_name.lstrip('.')} has no value but zero",
                             "add at least one value after the _UNSPECIFIED one")
                return None
            column_type = ColumnType(Kind.ENUM, enum.domain_type, enum_sql_type([v.db_value for v in enum.values]))
        elif fd.type == FDP.TYPE_MESSAGE and fd.type_name == conventions.TIMESTAMP:
            column_type, presence = conventions.TIMESTAMP_COLUMN, Presence.MESSAGE
        elif fd.type == FDP.TYPE_MESSAGE and fd.type_name in conventions.WRAPPERS:
            column_type, presence = conventions.WRAPPERS[fd.type_name], Presence.WRAPPER
        elif fd.type == FDP.TYPE_MESSAGE and self._document_type(what, fd):
            message = self.ctx.ds.messages[fd.type_name]
            column_type, presence = conventions.document_column(self.ctx.qualified(message), False), Presence.MESSAGE
        elif fd.type == FDP.TYPE_MESSAGE:
            return None
        else:
            type_name = fd.type_name.lstrip(".") or FDP.Type.Name(fd.type)
            problems.add(
                loc,
                f"field {what}: type {type_name} cannot be stored as a column "
                "(supported: scalars, enums, messages, google.protobuf.Timestamp and the wrapper types)",
                TRANSIENT_FIX + ", or model it as an entity of its own",
            )
            return None
        kind = column_type.kind

        rules = self.ctx.options.validate(fd)
        # A document is always nullable: nil is NULL, an empty message '{}'
        # (a `required` rule stays the request's).
        nullable = presence in (Presence.OPTIONAL, Presence.WRAPPER) or kind is Kind.MESSAGE or (
            presence is Presence.MESSAGE and not rules.required)
        column = opts.column or fd.name
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", column) or column in naming.SQL_RESERVED:
            problems.add(loc, f"field {what}: column name {column!r} {sql_name_problem(column)}",
                         "set [(altalune.codegen.v1.field) = {column: \"<name>\"}] to lower-case letters, "
                         "digits and underscores, not a reserved word")
        sql_type, sql_fixed = column_type.sql, False
        if opts.sql_type:
            sql_type, sql_fixed = opts.sql_type, True
        elif opts.references:
            sql_type, sql_fixed = PUBLIC_ID_TYPE, True
        elif kind is Kind.STRING and rules.max_len:
            sql_type, sql_fixed = f"VARCHAR({rules.max_len})", True
        default = None
        if opts.null_as_empty and (kind is not Kind.STRING or presence is not Presence.NONE):
            problems.add(loc, f"field {what}: null_as_empty applies to a plain `string` field",
                         "remove null_as_empty, or declare the field `string` (not optional, not a wrapper)")
        elif opts.null_as_empty or opts.references:
            pass  # a nullable column read through COALESCE; a parent's ID, which no default could name
        elif not nullable:
            if enum:
                default = f"'{enum.default.db_value}'"
            elif kind in conventions.ZERO_DEFAULTS:
                default = conventions.ZERO_DEFAULTS[kind]
            elif kind is not Kind.TIMESTAMP:
                default = "0"

        def flag(option: str, value: bool | None, default_value: bool, allowed: bool, reason: str) -> bool:
            if value is None:
                return default_value and allowed
            if value and not allowed:
                problems.add(loc, f"field {what}: {option} does not apply to {_a(kind.value)} field ({reason})",
                             f"remove {option}: true from the field's options")
                return False
            return value

        composite = kind.composite
        unique = flag("unique", opts.unique or None, False,
                      kind not in (Kind.BYTES, Kind.FLOAT, Kind.DOUBLE, Kind.BOOL) and not composite,
                      "only strings, integers, enums and timestamps can be unique")
        # A parent's public ID is matched exactly, not searched: filterable
        # and indexed, for its parent's list and the foreign key.
        searchable = flag("searchable", opts.searchable, kind is Kind.STRING and not opts.references,
                          kind is Kind.STRING, "the keyword matches text only")
        if kind is Kind.ARRAY:
            filterable = flag("filterable", opts.filterable, False, column_type.element is Kind.STRING,
                              "only an array of strings is filtered, by overlap")
        else:
            filterable = flag("filterable", opts.filterable, kind in (Kind.ENUM, Kind.BOOL) or bool(opts.references),
                              kind is not Kind.BYTES and not kind.stored_as_json,
                              "bytes are not compared" if kind is Kind.BYTES
                              else "a JSONB document is stored and read back whole, never compared")
        sortable = flag("sortable", opts.sortable, True, kind is not Kind.BYTES and not composite,
                        "bytes have no useful order" if kind is Kind.BYTES else "it holds many values, with no order")
        indexed = flag("indexed", opts.indexed, filterable and not unique, not kind.stored_as_json,
                       "no query reads inside a document")
        search_index = flag("search_index", opts.search_index or None, False, kind is Kind.STRING,
                            "the keyword matches text only")
        if search_index and not searchable:
            problems.add(loc, f"field {what}: search_index is set but the field is not searchable",
                         "remove searchable: false, or remove search_index")
            search_index = False
        sort_index = flag("sort_index", opts.sort_index or None, False,
                          kind is not Kind.BYTES and not composite and not enum,
                          "an enum sorts in declaration order, an expression no column index serves"
                          if enum else "it has no sort")
        if sort_index and not sortable:
            problems.add(loc, f"field {what}: sort_index is set but the field is not sortable",
                         "remove sortable: false, or remove sort_index")
            sort_index = False
        filter_key = opts.filter_key
        if filter_key and not filterable:
            problems.add(loc, f"field {what}: filter_key {filter_key!r} is set on a field that is not filterable",
                         "add filterable: true to the field's options, or remove filter_key")
            filter_key = ""
        elif filter_key and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", filter_key):
            problems.add(loc, f"field {what}: filter_key {filter_key!r} is not a key of letters, digits and "
                              "underscores", 'set filter_key to a plain key, e.g. filter_key: "statuses"')
            filter_key = ""
        return FieldSpec(
            desc=fd, options=opts, column_type=column_type, presence=presence, nullable=nullable,
            column=column, sql_type=sql_type, sql_fixed=sql_fixed, sql_default=default, unique=unique,
            searchable=searchable, filterable=filterable, sortable=sortable, indexed=indexed and not unique,
            filter_key=filter_key, enum=enum, search_index=search_index, sort_index=sort_index,
        )

    def _document_type(self, what: str, fd: FieldDesc) -> bool:
        """A message type stored as a JSONB document: the request's own
        messages and google.protobuf.Struct. The other well-known types are
        refused (their JSON is not a document: a Duration is a string, an
        Any needs its type registered to be read back)."""
        if not fd.type_name.startswith(".google.protobuf.") or fd.type_name == conventions.STRUCT:
            return True
        type_name = fd.type_name.lstrip(".")
        self.ctx.problems.add(
            fd.location,
            f"field {what}: type {type_name} cannot be stored as a column (supported: scalars, enums, "
            "google.protobuf.Timestamp, the wrapper types, and messages and google.protobuf.Struct as JSONB)",
            TRANSIENT_FIX + ", or store its value in a field of a supported type (a message of your own holding "
            f"the {type_name} is stored as a JSONB document)",
        )
        return False

    def _repeated(self, what: str, fd: FieldDesc) -> ColumnType | None:
        """The column of a repeated field: an array of a scalar, or a JSONB
        array of a message's documents; None (the problem recorded) for the
        other shapes."""
        loc = fd.location
        if fd.type in conventions.ARRAY_ELEMENTS:
            return conventions.array_column(conventions.SCALARS[fd.type])
        if fd.type == FDP.TYPE_MESSAGE:
            message = self.ctx.ds.messages[fd.type_name]
            if message.is_map_entry:
                self.ctx.problems.add(loc, f"field {what}: map fields cannot be stored as a column",
                                      TRANSIENT_FIX + ", or wrap the map in a message and store that message (a "
                                      "JSONB document)")
                return None
            if fd.type_name == conventions.TIMESTAMP or fd.type_name in conventions.WRAPPERS:
                self.ctx.problems.add(loc, f"field {what}: a repeated {fd.type_name.lstrip('.')} cannot be stored "
                                           "as a column",
                                      TRANSIENT_FIX + ", or use a repeated message holding it (a JSONB array), or "
                                      "a repeated scalar (an array)")
                return None
            if not self._document_type(what, fd):
                return None
            return conventions.document_column(self.ctx.qualified(message), True)
        if fd.type == FDP.TYPE_ENUM:
            element = "enum " + fd.type_name.lstrip(".")
        else:
            element = FDP.Type.Name(fd.type).removeprefix("TYPE_").lower()
        self.ctx.problems.add(loc, f"field {what}: a repeated {element} cannot be stored as a column (arrays hold "
                                   "string, bool, int32, int64, float or double)",
                              TRANSIENT_FIX + ", or store it as one of those (e.g. repeated string, or repeated int64 "
                              "for unsigned numbers)")
        return None

    # --- enums ------------------------------------------------------------------

    def enum(self, desc: EnumDesc) -> Enum | None:
        if desc.full_name not in self._enums:
            self._enums[desc.full_name] = self._enum(desc)
        return self._enums[desc.full_name]

    def _enum(self, desc: EnumDesc) -> Enum | None:
        proto_type = self.ctx.qualified(desc)
        parent = proto_type.package.ident(naming.go_camel_case(desc.local.rsplit(".", 1)[0])) \
            if desc.nested else proto_type
        domain_type = naming.go_name(desc.local.replace(".", "_"))
        values: list[EnumValue] = []
        seen_db: dict[str, str] = {}
        seen_numbers: set[int] = set()
        for v in desc.values:
            if v.number == 0:
                continue
            opts = self.ctx.options.enum_value(v)
            if v.number in seen_numbers:
                # An alias (allow_alias) is the same value under another name:
                # it maps to the value first declared with its number.
                if opts.db_value:
                    self.ctx.problems.add(v.location, f"enum {desc.local}: value {v.name} is an alias of an "
                                                      "earlier value, so it is stored as that one",
                                          "remove its (altalune.codegen.v1.enum_value).db_value")
                continue
            seen_numbers.add(v.number)
            db_value = opts.db_value or conventions.default_db_value(desc.name, v.name)
            if db_value in seen_db:
                self.ctx.problems.add(v.location,
                                      f"enum {desc.local}: values {seen_db[db_value]} and {v.name} share database "
                                      f"value {db_value!r}", "set distinct (altalune.codegen.v1.enum_value).db_value")
            seen_db[db_value] = v.name
            if "'" in db_value:
                self.ctx.problems.add(v.location, f"enum {desc.local}: database value {db_value!r} contains a quote",
                                      "use letters, digits, '-' or '_'")
            values.append(EnumValue(
                name=v.name,
                number=v.number,
                proto_const=parent.package.ident(f"{parent.name}_{v.name}"),
                const=domain_type + naming.go_name(conventions.value_suffix(desc.name, v.name)),
                db_value=db_value,
                added_in=opts.added_in,
            ))
        if not values:
            return None
        return Enum(full_name=desc.full_name, proto_type=proto_type, domain_type=domain_type, values=tuple(values))


def make_field(spec: FieldSpec, *, proto_go: str, table: str, entity_go: str, kit: GoPackage,
               in_create: bool, in_update: bool, writer_limits: list[int | None]) -> Field:
    """The Field of a spec once its writes are known. A string column
    without its own limit is VARCHAR when every request that writes it is
    bounded by buf.validate, wide enough for the largest."""
    sql_type = spec.sql_type
    if spec.kind is Kind.STRING and not spec.sql_fixed and writer_limits and all(writer_limits):
        sql_type = f"VARCHAR({max(n for n in writer_limits if n)})"
    go_name = naming.go_name(spec.name)
    exists_err, exists_ctor = naming.already_exists_names(entity_go, go_name) if spec.unique else ("", "")
    return Field(
        name=spec.name,
        json_name=spec.desc.json_name or naming.lower_camel(spec.name),
        proto_go=proto_go,
        go_name=go_name,
        column=spec.column,
        kind=spec.kind,
        go_base=spec.go_base,
        presence=spec.presence,
        nullable=spec.nullable,
        sql_type=sql_type,
        sql_default=spec.sql_default,
        unique=spec.unique,
        searchable=spec.searchable,
        filterable=spec.filterable,
        sortable=spec.sortable,
        immutable=spec.immutable,
        indexed=spec.indexed,
        in_create=in_create,
        in_update=in_update,
        kit=kit,
        table=table,
        exists_err=exists_err,
        exists_ctor=exists_ctor,
        enum=spec.enum,
        wrapper=spec.column_type.wrapper,
        filter_key=spec.filter_key,
        location=spec.desc.location,
        sql_fixed=spec.sql_fixed,
        null_as_empty=spec.options.null_as_empty and spec.kind is Kind.STRING and spec.presence is Presence.NONE,
        index_name=spec.options.index_name,
        added_in=spec.options.added_in,
        unique_in=spec.options.unique_in,
        indexed_in=spec.options.indexed_in,
        search_index=spec.search_index,
        search_index_in=spec.options.search_index_in,
        sort_index=spec.sort_index,
        sort_index_in=spec.options.sort_index_in,
        backfill=spec.options.backfill,
        dropped_in=spec.options.dropped_in,
        renamed_from=spec.options.renamed_from,
        renamed_in=spec.options.renamed_in,
    )

