"""The typed model the templates render: entities, their fields and enums,
their services, and the packages the generated Go lives in.

Every object is built once, complete, by ``build``; nothing here is changed
afterwards. Every Go name the templates write is derived here or in
``naming``; templates only arrange them as Go.
"""

from __future__ import annotations

import functools
from enum import StrEnum

from . import naming
from .diagnostics import Locatable
from .golang import FMT, TIMESTAMPPB, WRAPPERSPB, GoIdent, GoPackage, GoType
from .records import field, record, value
from .tables import PUBLIC_ID_TYPE, TRIGRAM_OPCLASS, Column, ForeignKey, Index, Migration, Table, alter


def _ran(since: str, version: str | None) -> bool:
    """A change of version ``since`` ("" from the start) has run once the
    migrations up to ``version`` ran (None: all of them)."""
    return version is None or since <= version


def enum_sql_type(values: tuple[str, ...] | list[str]) -> str:
    """The column type of an enum whose stored values are ``values``: wide
    enough for the longest, and never narrower than VARCHAR(20)."""
    return f"VARCHAR({max(20, *(len(v) for v in values))})"


class Kind(StrEnum):
    STRING = "string"
    BOOL = "bool"
    INT32 = "int32"
    INT64 = "int64"
    UINT32 = "uint32"
    UINT64 = "uint64"
    FLOAT = "float"
    DOUBLE = "double"
    BYTES = "bytes"
    ENUM = "enum"
    TIMESTAMP = "timestamp"
    ARRAY = "array"  # a repeated scalar: a PostgreSQL array of its element
    MESSAGE = "message"  # a message (google.protobuf.Struct too): a JSONB document, nullable
    MESSAGE_LIST = "message list"  # a repeated message: a JSONB array of documents

    @property
    def stored_as_json(self) -> bool:
        return self in (Kind.MESSAGE, Kind.MESSAGE_LIST)

    @property
    def composite(self) -> bool:
        """Its column holds many values (an array or a document): not
        compared, sorted or searched as one value."""
        return self in (Kind.ARRAY, Kind.MESSAGE, Kind.MESSAGE_LIST)


class Presence(StrEnum):
    NONE = "none"  # a plain scalar or enum: always has a value
    OPTIONAL = "optional"  # proto3 optional
    WRAPPER = "wrapper"  # google.protobuf.*Value
    MESSAGE = "message"  # google.protobuf.Timestamp, or a message stored as a document: nil is NULL


class Operation(StrEnum):
    QUERY = "query"
    CREATE = "create"
    GET = "get"
    UPDATE = "update"
    DELETE = "delete"
    CUSTOM = "custom"
    LIST = "list"


class Hook(StrEnum):
    BEFORE_CREATE = "before_create"
    BEFORE_UPDATE = "before_update"
    BEFORE_DELETE = "before_delete"
    AFTER_CREATE = "after_create"
    AFTER_UPDATE = "after_update"
    AFTER_DELETE = "after_delete"

    @property
    def method(self) -> str:
        """The method of *Service that implements it: BeforeCreate."""
        return naming.go_name(self.value)

    @property
    def operation(self) -> Operation:
        return Operation(self.value.split("_", 1)[1])

    @property
    def after(self) -> bool:
        """It runs after the write, in the write's transaction, with the row."""
        return self.value.startswith("after_")


@value
class Packages:
    """Where the generated code and the infrastructure it uses live."""

    root: GoPackage
    postgres: GoPackage
    query: GoPackage
    nanoid: GoPackage
    project: GoPackage
    kit: GoPackage
    proto: GoPackage  # package of the common messages (QueryRequest, ErrorDetail)
    connect: GoPackage  # its Connect package


@record
class EnumValue:
    name: str  # EMPLOYEE_STATUS_ACTIVE
    number: int
    proto_const: GoIdent  # altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE
    const: str  # EmployeeStatusActive
    db_value: str  # active
    added_in: str = ""  # the migration version that allows it, "" from the start


@record
class Enum:
    full_name: str
    proto_type: GoIdent  # altalunev1.EmployeeStatus
    domain_type: str  # EmployeeStatus
    values: tuple[EnumValue, ...]  # every value but the zero one and aliases

    @property
    def default(self) -> EnumValue:
        return self.values[0]

    @property
    def values_var(self) -> str:
        return f"{self.domain_type}Values"

    @property
    def to_proto_map(self) -> str:
        return naming.go_private_name(self.domain_type) + "ToProto"

    @property
    def from_proto_map(self) -> str:
        return naming.go_private_name(self.domain_type) + "FromProto"

    @property
    def from_proto_func(self) -> str:
        return f"{self.domain_type}FromProto"

    @property
    def declared(self) -> tuple[str, ...]:
        """The names the enum declares in its domain package, but its values'
        constants."""
        return (self.domain_type, self.values_var, self.to_proto_map, self.from_proto_map, self.from_proto_func)


@record
class Field:
    name: str  # proto name: employee_number
    json_name: str  # employeeNumber
    proto_go: str  # protoc-gen-go struct field: EmployeeNumber
    go_name: str  # domain struct field: EmployeeNumber
    column: str
    kind: Kind
    # string, int64, []byte, time.Time, EmployeeStatus, []string, *altalunev1.NodeTrigger, ...
    go_base: str | GoIdent | GoType
    presence: Presence
    nullable: bool
    sql_type: str
    sql_default: str | None
    unique: bool
    searchable: bool
    filterable: bool
    sortable: bool
    immutable: bool
    indexed: bool
    in_create: bool  # the repository's Create input carries it
    in_update: bool  # the repository's Update input carries it
    kit: GoPackage
    table: str
    exists_err: str  # ErrEmployeeEmailAlreadyExists, "" unless unique
    exists_ctor: str  # NewEmployeeEmailAlreadyExistsError, "" unless unique
    enum: Enum | None = None
    wrapper: str | None = None  # wrapperspb constructor: String, Int32, ...
    filter_key: str = ""  # the Query filter and catalog key, when not the field name
    location: Locatable | None = None
    # Evolution: the migration version of each change, "" from the start.
    sql_fixed: bool = False  # the type is the user's or the field's own limit, not derived from the enum
    null_as_empty: bool = False  # a plain string over a nullable column: NULL reads as ""
    index_name: str = ""  # its index's name in the table, when not ours (ux_/ix_<table>_<column>)
    parent: str = ""  # the Go type of the entity whose public ID it holds (references): Ticket
    parent_table: str = ""  # ...and that entity's table
    added_in: str = ""
    unique_in: str = ""
    indexed_in: str = ""
    search_index: bool = False  # a trigram index serves the keyword
    search_index_in: str = ""
    sort_index: bool = False  # a b-tree (scope, column, id) serves the sort
    sort_index_in: str = ""
    backfill: str = ""
    dropped_in: str = ""
    renamed_from: str = ""
    renamed_in: str = ""

    @property
    def version_options(self) -> list[tuple[str, str]]:
        """The evolution options it sets, as (option, version)."""
        return [(option, value) for option, value in (
            ("added_in", self.added_in), ("unique_in", self.unique_in), ("indexed_in", self.indexed_in),
            ("search_index_in", self.search_index_in), ("sort_index_in", self.sort_index_in),
            ("dropped_in", self.dropped_in), ("renamed_in", self.renamed_in)) if value]

    @property
    def versions(self) -> set[str]:
        """The migration versions that change its column."""
        found = {value for _, value in self.version_options}
        return found | ({v.added_in for v in self.enum.values if v.added_in} if self.enum else set())

    def column_at(self, version: str | None) -> Column | None:
        """Its column once the migrations up to ``version`` ran (None: all of
        them), or None when it has none then."""
        if not _ran(self.added_in, version) or (self.dropped_in and _ran(self.dropped_in, version)):
            return None
        name = self.renamed_from if self.renamed_in and not _ran(self.renamed_in, version) else self.column
        check: tuple[str, ...] = ()
        sql_type = self.sql_type
        if self.enum:
            check = tuple(v.db_value for v in self.enum.values if _ran(v.added_in, version))
            if not self.sql_fixed:
                sql_type = enum_sql_type(check)
        return Column(name, sql_type, not (self.nullable or self.null_as_empty), self.sql_default, check)

    def index_at(self, version: str | None, scope: str) -> Index | None:
        """Its unique or plain index at ``version``, None when it has none then."""
        column = self.column_at(version)
        if column is None:
            return None
        expr = scope + self.key(column.name)
        if self.unique and _ran(self.unique_in, version):
            return Index(self.index_name or naming.unique_index(self.table, column.name), True, expr)
        if self.indexed and _ran(self.indexed_in, version) and self.kind is Kind.ARRAY:
            # A GIN index over the array's elements, which answers overlap
            # (&&) and containment: it cannot hold project_id (a b-tree
            # type), and needs not, each partition has its own.
            return Index(self.index_name or naming.plain_index(self.table, column.name), False, column.name, "GIN")
        if self.indexed and _ran(self.indexed_in, version):
            return Index(self.index_name or naming.plain_index(self.table, column.name), False, expr)
        return None

    def query_indexes_at(self, version: str | None, scope: str) -> list[Index]:
        """The indexes that serve its Query keyword and sort at ``version``:
        a trigram GIN on the column, which ILIKE uses (it cannot hold
        project_id, a b-tree type, and needs not: each partition has its
        own), and a b-tree on the scope, the column and id, in the order
        the Query sorts by (ties broken by id)."""
        column = self.column_at(version)
        if column is None:
            return []
        found = []
        if self.search_index and _ran(self.search_index_in, version):
            found.append(Index(naming.search_index(self.table, column.name), False,
                               f"{column.name} {TRIGRAM_OPCLASS}", "GIN"))
        if self.sort_index and _ran(self.sort_index_in, version):
            found.append(Index(naming.sort_index(self.table, column.name), False, f"{scope}{column.name}, id"))
        return found

    @property
    def catalog_walk(self) -> bool:
        """Its filter catalog walks its index (domainkit.Filter.Indexed): the
        column has a unique or plain b-tree index once every migration ran."""
        index = self.index_at(None, "")
        return index is not None and not index.method

    @property
    def parent_human(self) -> str:
        """Its parent entity in a sentence: ticket."""
        return naming.human_lower(self.parent)

    @property
    def select(self) -> str:
        """The field's entry in the select list."""
        return f"COALESCE({self.column}, '') AS {self.column}" if self.null_as_empty else self.column

    @property
    def filter_name(self) -> str:
        """The key of the field in Query filters and the filter catalog."""
        return self.filter_key or self.name

    @property
    def domain_type(self) -> str:
        if self.nullable and self.go_base != "[]byte" and not self.kind.stored_as_json:
            return f"*{self.go_base}"
        return str(self.go_base)

    @property
    def required_message(self) -> bool:
        """A message field (a timestamp) that must be set: its column is NOT
        NULL, and a nil message has no value to store."""
        return self.presence is Presence.MESSAGE and not self.nullable

    @property
    def keeps_on_update(self) -> bool:
        """An enum that is not optional: UNSPECIFIED in an update request
        means "keep the stored value", not "reset to the default"."""
        return self.enum is not None and not self.nullable

    @property
    def update_type(self) -> str:
        """The field's type in the Update input (nil keeps the stored value)."""
        return f"*{self.go_base}" if self.keeps_on_update else self.domain_type

    @property
    def param(self) -> str:
        """Parameter name in Go: employeeNumber."""
        return naming.go_private_name(self.name)

    @property
    def human(self) -> str:
        """The field in a sentence: ``http_status`` -> ``HTTP status``."""
        return naming.human_lower(self.name)

    @property
    def case_insensitive(self) -> bool:
        """Compared ignoring case (LOWER): text, but not a parent's public ID."""
        return self.kind is Kind.STRING and not self.parent

    def key(self, column: str) -> str:
        """Its key in a unique or plain index over ``column`` (its name at
        some version): LOWER(email) when compared ignoring case."""
        return f"LOWER({column})" if self.case_insensitive else column

    def match(self, n: int) -> str:
        """The condition a look-up by its value bound as $n writes, served by
        its index: LOWER(email) = LOWER($2)."""
        value = f"${n}"
        return f"{self.key(self.column)} = {self.key(value)}"

    @property
    def foreign_key(self) -> str:
        """The foreign key of a references field to its parent."""
        return f"fk_{self.table}_{self.column}"

    @property
    def index(self) -> str:
        """Its unique (ux_) or plain (ix_) index, "" when it has none."""
        index = self.index_at(None, "")
        return index.name if index else ""

    @property
    def sort_expr(self) -> str:
        """The SQL a Query orders by: an enum in declaration order, not by
        its stored strings."""
        if self.enum:
            values = ", ".join(f"'{v.db_value}'" for v in self.enum.values)
            return f"array_position(ARRAY[{values}], {self.column}::TEXT)"
        return self.column

    # Conversions, one place for each direction -------------------------------

    def from_proto(self, msg: str, proto_go: str = "") -> str:
        """Domain value of this field read from proto message ``msg``, whose
        Go struct names it ``proto_go`` (the entity's name by default)."""
        proto_go = proto_go or self.proto_go
        getter = f"{msg}.Get{proto_go}()"
        if self.kind.composite:
            return getter
        if self.presence is Presence.WRAPPER:
            return f"{self.kit}.Unwrap({getter})"
        if self.presence is Presence.MESSAGE:
            if self.nullable:
                return f"{self.kit}.TimeOrNil({getter})"
            return f"{getter}.AsTime()"
        if self.presence is Presence.OPTIONAL and self.go_base != "[]byte":
            if self.enum:
                return f"{self.kit}.MapPtr({msg}.{proto_go}, {self.enum.from_proto_func})"
            return f"{msg}.{proto_go}"
        if self.enum:
            return f"{self.enum.from_proto_func}({getter})"
        return getter

    def from_proto_update(self, msg: str, proto_go: str = "") -> str:
        """The Update input's value of this field read from ``msg``."""
        if self.keeps_on_update:
            assert self.enum
            return f"{self.kit}.UnlessZero({msg}.Get{proto_go or self.proto_go}(), {self.enum.from_proto_func})"
        return self.from_proto(msg, proto_go)

    def to_proto(self, obj: str) -> str:
        """Proto value of this field from domain struct ``obj``."""
        value = f"{obj}.{self.go_name}"
        if self.kind.composite:
            return value
        if self.presence is Presence.WRAPPER:
            return f"{self.kit}.Wrap({value}, {WRAPPERSPB}.{self.wrapper})"
        if self.presence is Presence.MESSAGE:
            return f"{self.kit}.TimestampOrNil({value})" if self.nullable else f"{TIMESTAMPPB}.New({value})"
        if self.enum:
            if self.nullable:
                return f"{self.kit}.MapPtr({value}, {self.enum.domain_type}.ToProto)"
            return f"{value}.ToProto()"
        return value

    def db_arg(self, obj: str) -> str:
        """The argument bound to this field's column."""
        value = f"{obj}.{self.go_name}"
        if self.kind is Kind.BYTES and not self.nullable:
            return f"{self.kit}.NonNilBytes({value})"
        if self.kind is Kind.ARRAY:
            return f"{self.kit}.Array({value})"
        if self.kind is Kind.MESSAGE:
            return f'{self.kit}.Document("{self.name}", {value})'
        if self.kind is Kind.MESSAGE_LIST:
            return f'{self.kit}.Documents("{self.name}", {value})'
        return value

    def scan_dest(self, obj: str) -> str:
        """The destination a row's column is scanned into, for field of
        ``obj``."""
        value = f"&{obj}.{self.go_name}"
        if self.kind is Kind.ARRAY:
            return f"{self.kit}.ScanArray({value})"
        if self.kind is Kind.MESSAGE:
            return f"{self.kit}.ScanDocument({value})"
        if self.kind is Kind.MESSAGE_LIST:
            return f"{self.kit}.ScanDocuments({value})"
        return value

    @property
    def error_type(self) -> str:
        """The type the root package's errors take the value in: the root
        package cannot name a domain's enum type, so an enum is its string."""
        return "string" if self.enum else str(self.go_base)

    def error_value(self, var: str, pointer: bool = False) -> str:
        """``var`` (the field's value, or a pointer to it) as a value of
        error_type."""
        value = f"*{var}" if pointer else var
        return f"string({value})" if self.enum else value

    @property
    def unique_param_type(self) -> str:
        """The type a write's unique value is passed in: a pointer, nil when
        the write leaves the field out (or a nullable field is NULL)."""
        return f"*{self.go_base}"

    def unique_arg(self, var: str, update: bool = False) -> str:
        """The field of input ``var`` as unique_param_type; ``update`` when the
        input is an Update's, whose enums are pointers already."""
        value = f"{var}.{self.go_name}"
        return value if self.nullable or (update and self.keeps_on_update) else f"&{value}"

    def meta_value(self, var: str) -> str:
        """``var`` (of error_type) as a string for error meta."""
        if self.enum or self.go_base == "string":
            return var
        return f"{FMT}.Sprint({var})"


@record
class UniqueKey:
    """A unique key over several fields (the entity option unique_keys)."""

    fields: tuple[Field, ...]
    table: str
    entity_go: str  # the stem of its error names: Node
    added_in: str = ""  # the migration version that adds its index, "" from the start
    location: Locatable | None = None
    index_name: str = ""  # its index's name in the table, when not ours

    @property
    def name(self) -> str:
        """Its fields in the error text: name, lang."""
        return ", ".join(f.name for f in self.fields)

    @property
    def go_name(self) -> str:
        """GetBy<go_name>, and its error names: NameLang."""
        return "".join(f.go_name for f in self.fields)

    @property
    def human(self) -> str:
        return " and ".join(f.human for f in self.fields)

    @property
    def meta_args(self) -> str:
        """The key, value pairs of its error's meta, from the constructor's
        parameters: "name", name, "lang", lang."""
        return ", ".join(f'"{f.name}", {f.meta_value(f.param)}' for f in self.fields)

    @property
    def format(self) -> str:
        """Its values in an error message: name '%v' and lang '%v'."""
        return " and ".join(f"{f.human} '%v'" for f in self.fields)

    @property
    def index(self) -> str:
        return self.index_name or naming.unique_index(self.table, "_".join(f.column for f in self.fields))

    @property
    def exists_err(self) -> str:
        """The domain's already-exists error of the key: ErrNodeNameLangAlreadyExists."""
        return naming.already_exists_names(self.entity_go, self.go_name)[0]

    @property
    def exists_ctor(self) -> str:
        return naming.already_exists_names(self.entity_go, self.go_name)[1]

    @property
    def in_create(self) -> bool:
        return all(f.in_create for f in self.fields)

    @property
    def in_update(self) -> bool:
        return all(f.in_update for f in self.fields)

    def param(self, f: Field) -> str:
        """The parameter of field ``f`` in the service's uniques: nameLangName."""
        return naming.go_private_name("_".join(g.name for g in self.fields)) + f.go_name

    def index_at(self, version: str | None, scope: str) -> Index | None:
        """Its unique index at ``version``, None before it is added."""
        columns = [f.column_at(version) for f in self.fields]
        if not _ran(self.added_in, version) or any(c is None for c in columns):
            return None
        expr = ", ".join(f.key(c.name) for f, c in zip(self.fields, columns, strict=True) if c)
        return Index(self.index, True, scope + expr)


@record
class ServerColumn:
    """A column of the table that is not a field of the entity message: set
    on create (by a generator or the BeforeCreate hook), never updated, never
    read into the entity."""

    name: str  # key_hash
    go_name: str  # KeyHash: its field in the Create input
    sql_type: str
    not_null: bool
    unique: bool
    secret: bool  # GENERATOR_SECRET: a random secret, stored as its SHA-256 hex
    prefix: str  # of the secret's plaintext
    response_field: str  # proto name of the Create response field carrying the plaintext, "" for none
    table: str
    entity_go: str  # ApiKey
    location: Locatable | None = None

    @property
    def index(self) -> str:
        return naming.unique_index(self.table, self.name) if self.unique else ""

    @property
    def exists_err(self) -> str:
        """The domain's already-exists error of the column: ErrApiKeyKeyHashAlreadyExists."""
        return naming.already_exists_names(self.entity_go, self.go_name)[0] if self.unique else ""

    @property
    def exists_ctor(self) -> str:
        return naming.already_exists_names(self.entity_go, self.go_name)[1] if self.unique else ""

    @property
    def human(self) -> str:
        return naming.human_lower(self.name)


@record
class Access:
    """What an RPC requires of its caller."""

    permission: str | None  # employee:read; None when public
    project: bool  # membership of the request's project too (a partitioned entity)

    @property
    def public(self) -> bool:
        return self.permission is None


@record
class UpdateMask:
    """The google.protobuf.FieldMask of an Update request: the paths it may
    name."""

    field: str  # the request's field: update_mask
    getter: str  # GetUpdateMask
    var: str  # the generated domainkit.Mask: updateEmployeeMask
    paths: tuple[tuple[str, str], ...]  # each accepted path (proto and JSON name) -> the field it names
    immutable: tuple[str, ...]  # paths of fields no update writes


@record
class Rpc:
    name: str  # CreateEmployee
    operation: Operation
    request: GoIdent  # altalunev1.CreateEmployeeRequest
    response: GoIdent
    procedure: GoIdent  # altalunev1connect.EmployeeServiceCreateEmployeeProcedure
    access: Access
    id_getter: str | None = None  # GetEmployeeId
    project_getter: str | None = None  # GetProjectId
    entity_field: str | None = None  # response field carrying the entity: Employee
    has_message: bool = False
    has_meta: bool = False
    fields: tuple[Field, ...] = ()  # entity fields the request carries
    mask: UpdateMask | None = None  # Update: the request's FieldMask
    presence: tuple[str, ...] = ()  # Update: fields the request declares `optional`: written only when set
    clears: dict[str, str] = field(default_factory=dict)  # Update: field -> Go name of its clear flag
    children: tuple[tuple[str, str], ...] = ()  # Get: (response field, child entity full name) it lists
    fill: bool = False  # the service calls Fill<Name> of your own before answering
    cursor: str | None = None  # Query paged by cursor too: the request's getter of it (GetCursor)
    next_cursor: str | None = None  # ...and the response's field for the next one (NextCursor)

    @property
    def generated(self) -> str:
        """The method holding the generated part: the RPC's own, or a
        private one when Fill<Name> completes its answer."""
        return naming.go_private_name(self.name) if self.fill else self.name
    request_go: dict[str, str] = field(default_factory=dict)  # their Go names in the request
    response_go: dict[str, str] = field(default_factory=dict)  # Go names of the response's fields

    @property
    def rule(self) -> str:
        """The variable holding its access rule: createEmployeeRule."""
        return naming.go_private_name(self.name) + "Rule"


@record
class Service:
    name: str  # EmployeeService
    file: str
    server_iface: GoIdent  # altalunev1.EmployeeServiceServer
    unimplemented: GoIdent  # altalunev1.UnimplementedEmployeeServiceServer
    unsafe: GoIdent  # altalunev1.UnsafeEmployeeServiceServer
    register: GoIdent  # altalunev1.RegisterEmployeeServiceServer
    connect_handler: GoIdent  # altalunev1connect.NewEmployeeServiceHandler
    connect_iface: GoIdent  # altalunev1connect.EmployeeServiceHandler
    resource: str  # employee: permissions are employee:<action>
    rpcs: tuple[Rpc, ...]

    def op(self, operation: Operation) -> Rpc | None:
        return next((r for r in self.rpcs if r.operation is operation), None)

    @property
    def custom(self) -> list[Rpc]:
        return [r for r in self.rpcs if r.operation is Operation.CUSTOM]

    @property
    def getter(self) -> str:
        return f"Get{self.name}"


@record
class Entity:
    name: str  # Employee (proto message)
    full_name: str
    file: str
    go_type: str  # Employee (domain struct)
    proto_type: GoIdent  # altalunev1.Employee
    snake: str  # employee
    human: str  # Employee
    human_one: str  # employee (API key): the singular inside a sentence
    human_plural: str  # employees (API keys)
    plural: str  # Employees
    domain: GoPackage  # internal/domain/employee as employee_domain
    package: str  # employee
    dir: str  # internal/domain/employee
    table: str
    partitioned: bool
    error_code: int
    default_sort: tuple[str, str]  # column, ASC|DESC
    migration_version: str
    fields: tuple[Field, ...]
    has_created_at: bool
    has_updated_at: bool
    id_proto_go: str  # Id
    hooks: frozenset[Hook]
    service: Service | None
    location: Locatable
    option_location: Locatable  # where its (altalune.codegen.v1.entity) option is written
    history: tuple[Field, ...]  # every field that has or had a column, dropped ones too (fields is part of it)
    adopt: bool = False  # the table exists already: no create migration
    deployed: tuple[tuple[str, str], ...] = ()  # (version, sha256 or a prefix of it)
    server_columns: tuple[ServerColumn, ...] = ()  # columns that are not fields of the message
    codes: tuple[str, str] = ("", "")  # its not-found and already-exists codes: 60201, 60202
    error_name: str = ""  # the root package's codes and constructors are named after it: ApiKey
    unique_keys: tuple[UniqueKey, ...] = ()  # unique keys over several fields
    singleton: bool = False  # one row per project, read and updated by the project alone
    children: tuple[Child, ...] = ()  # entities whose references field holds its public ID

    # Names --------------------------------------------------------------------

    @property
    def private(self) -> str:
        return naming.go_private_name(self.name)

    @property
    def query_result(self) -> str:
        return f"{self.go_type}QueryResult"

    def input_type(self, operation: str) -> str:
        """Create<E>Input, Update<E>Input, Delete<E>Input."""
        return f"{operation.capitalize()}{self.go_type}Input"

    @property
    def not_found_err(self) -> str:
        return f"Err{self.go_type}NotFound"

    @property
    def already_exists_err(self) -> str:
        return f"Err{self.go_type}AlreadyExists"

    @property
    def root_name(self) -> str:
        return self.error_name or self.go_type

    @property
    def code_not_found(self) -> str:
        return f"Code{self.root_name}NotFound"

    @property
    def code_already_exists(self) -> str:
        return f"Code{self.root_name}AlreadyExists"

    @property
    def not_found_ctor(self) -> str:
        return f"New{self.root_name}NotFoundError"

    @property
    def public_id_index(self) -> str:
        return naming.unique_index(self.table, "public_id")

    @property
    def created_at_index(self) -> str:
        return naming.plain_index(self.table, "created_at")

    @property
    def slice_to_proto(self) -> str:
        return naming.go_name(self.plural) + "ToProto"

    @property
    def mapper(self) -> dict[str, str]:
        """The request -> input functions of the mapper, by operation."""
        return {"create": f"create{self.go_type}Input", "update": f"update{self.go_type}Input"}

    # Views --------------------------------------------------------------------

    @property
    def enums(self) -> list[Enum]:
        seen: dict[str, Enum] = {}
        for f in self.fields:
            if f.enum and f.enum.full_name not in seen:
                seen[f.enum.full_name] = f.enum
        return list(seen.values())

    @property
    def unique(self) -> list[Field]:
        return [f for f in self.fields if f.unique]

    @property
    def searchable(self) -> list[Field]:
        return [f for f in self.fields if f.searchable]

    @property
    def filterable(self) -> list[Field]:
        return [f for f in self.fields if f.filterable]

    @property
    def sortable(self) -> list[Field]:
        return [f for f in self.fields if f.sortable]

    @property
    def indexed(self) -> list[Field]:
        return [f for f in self.fields if f.indexed]

    @property
    def secret(self) -> ServerColumn | None:
        """Its GENERATOR_SECRET column, if any (one at most)."""
        return next((c for c in self.server_columns if c.secret), None)

    @property
    def unique_server_columns(self) -> list[ServerColumn]:
        return [c for c in self.server_columns if c.unique]

    @property
    def create_fields(self) -> list[Field]:
        return [f for f in self.fields if f.in_create]

    @property
    def update_fields(self) -> list[Field]:
        return [f for f in self.fields if f.in_update]

    def has_hook(self, hook: str) -> bool:
        return Hook(hook) in self.hooks

    @property
    def unique_params(self) -> list[str]:
        """The parameters of the service's uniques: a pointer per unique
        field, then per field of each unique key (nil: not written)."""
        return [f"{f.param} {f.unique_param_type}" for f in self.unique] + [
            f"{k.param(f)} {f.unique_param_type}" for k in self.unique_keys for f in k.fields]

    def unique_args(self, operation: str) -> list[str]:
        """The arguments of uniques for the input of a create or update: nil
        for a value the write leaves out (an update's unwritten field, or a
        key not all of whose fields it writes)."""
        update = operation == "update"

        def arg(f: Field, written: bool) -> str:
            if not written:
                return "nil"
            value = f.unique_arg("input", update=update)
            return f'{f.kit}.IfWritten(input.Fields, "{f.name}", {value})' if update else value
        args = [arg(f, f.in_update if update else f.in_create) for f in self.unique]
        for k in self.unique_keys:
            args += [arg(f, k.in_update if update else k.in_create) for f in k.fields]
        return args

    def checks_unique(self, operation: str) -> bool:
        """A create or update checks unique values before it writes."""
        return any(a != "nil" for a in self.unique_args(operation))

    def write_steps(self, operation: str) -> str:
        """What the service does before the statement of a create or update:
        "the BeforeCreate hook, the enum and unique checks, then " (may be empty)."""
        fields = self.create_fields if operation == "create" else self.update_fields
        checks = [kind for kind, present in (("enum", any(f.enum for f in fields)),
                                             ("unique", self.checks_unique(operation))) if present]
        parts = [f"the {Hook('before_' + operation).method} hook"] if self.has_hook(f"before_{operation}") else []
        if checks:
            parts.append(f"the {' and '.join(checks)} checks")
        return f"applies {', '.join(parts)}, then " if parts else ""

    def in_tx(self, operation: str) -> bool:
        """The write runs in one transaction with its hooks: it has an after
        hook, or it is a delete whose BeforeDelete hook reads the row."""
        return self.has_hook(f"after_{operation}") or (operation == "delete" and self.has_hook("before_delete"))

    @property
    def id_meta(self) -> str:
        return f"{self.snake}_id"

    @property
    def id_param(self) -> str:
        return naming.go_private_name(f"{self.snake}_id")

    @property
    def not_found_code(self) -> str:
        return self.codes[0] or f"{self.error_code:03d}01"

    @property
    def already_exists_code(self) -> str:
        return self.codes[1] or f"{self.error_code:03d}02"

    @property
    def columns(self) -> list[str]:
        return ["id", "public_id"] + [f.select for f in self.fields] + ["created_at", "updated_at"]

    @property
    def schema(self) -> Table:
        """The table the generated repository assumes: every column, check
        and index its statements rely on, after every migration."""
        return self.schema_at(None)

    def schema_at(self, version: str | None) -> Table:
        """The table once its migrations up to ``version`` ran."""
        columns = [Column("id", "BIGINT", True, identity=True), Column("public_id", PUBLIC_ID_TYPE, True)]
        if self.partitioned:
            columns.append(Column("project_id", "BIGINT", True))
        columns += [c for c in (f.column_at(version) for f in self.history) if c]
        columns += [Column(c.name, c.sql_type, c.not_null) for c in self.server_columns]
        columns += [Column(c, "TIMESTAMPTZ", True, "CURRENT_TIMESTAMP") for c in ("created_at", "updated_at")]
        scope = "project_id, " if self.partitioned else ""
        found = [i for i in (f.index_at(version, scope) for f in self.history) if i]
        found += [i for f in self.history for i in f.query_indexes_at(version, scope)]
        indexes = [Index(self.public_id_index, True, f"{scope}public_id")]
        if self.singleton:
            indexes.append(Index(naming.unique_index(self.table, "project_id"), True, "project_id"))
        indexes += [i for i in found if i.unique]
        indexes += [i for i in (k.index_at(version, scope) for k in self.unique_keys) if i]
        indexes += [Index(c.index, True, f"{scope}{c.name}") for c in self.unique_server_columns]
        indexes += [i for i in found if not i.unique]
        if not self.singleton:  # one row per project: nothing to sort
            indexes.append(Index(self.created_at_index, False, f"{scope}created_at"))
        scope_cols = "project_id, " if self.partitioned else ""
        foreign_keys = tuple(
            ForeignKey(f.foreign_key, f"{scope_cols}{f.column}", f.parent_table,
                       f"{scope_cols}public_id")
            for f in self.history if f.parent and f.column_at(version))
        return Table(self.table, self.partitioned, tuple(columns), tuple(indexes), foreign_keys)

    @property
    def versions(self) -> list[str]:
        """Every version of its migrations, oldest first: the one that
        creates the table (unless adopted), then each that changes it."""
        found = {v for f in self.history for v in f.versions} | {k.added_in for k in self.unique_keys if k.added_in}
        if not self.adopt:
            found.add(self.migration_version)
        return sorted(found)

    @functools.cached_property
    def migrations(self) -> list[Migration]:
        """Its migration files, oldest first (made once: render and the
        deployed check both read them)."""
        result = []
        previous: Table | None = None
        for version in self.versions:
            table = self.schema_at(version)
            if version == self.migration_version and not self.adopt:
                result.append(Migration(version, f"{version}_create_{self.table}.sql", table, ()))
            else:
                before = previous or self.schema_at(self._before(version))
                renamed = {f.renamed_from: f.column for f in self.history if f.renamed_in == version}
                backfill = {f.column: f.backfill for f in self.history if f.added_in == version and f.backfill}
                result.append(Migration(version, f"{version}_alter_{self.table}.sql", None,
                                        tuple(alter(before, table, renamed, backfill))))
            previous = table
        return result

    def _before(self, version: str) -> str:
        """A version just before ``version``: the table an adopted entity's
        first generated migration starts from is what the code assumed before."""
        return str(int(version) - 1).zfill(len(version))

    @property
    def default_sort_key(self) -> str:
        """The Query sort key (field name) of the default sort column."""
        column = self.default_sort[0]
        return next((f.name for f in self.fields if f.column == column), column)

    @property
    def references(self) -> list[Field]:
        """Its fields holding a parent's public ID."""
        return [f for f in self.fields if f.parent]

    def child(self, full_name: str) -> Child:
        return next(c for c in self.children if c.entity.full_name == full_name)

    @property
    def lists(self) -> bool:
        """Its service has a List RPC: the repository has List."""
        return bool(self.service and any(r.operation is Operation.LIST for r in self.service.rpcs))

    @property
    def cursors(self) -> bool:
        """Its Query pages by cursor too: the repository has QueryAfter."""
        return bool(self.service and any(r.cursor for r in self.service.rpcs))

    @property
    def custom_repository(self) -> bool:
        """Its Repositor embeds CustomRepositor, which the user declares: the
        repository methods its custom RPCs need."""
        return bool(self.service and self.service.custom)


@record
class Child:
    """An entity whose field holds this entity's public ID."""

    entity: Entity
    field: Field

    @property
    def method(self) -> str:
        """The parent repository's method listing them: ListTicketComments."""
        return "List" + naming.go_name(self.entity.plural)

    @property
    def var(self) -> str:
        """A variable holding them: ticketComments."""
        return naming.go_private_name(self.entity.plural)


@record
class Model:
    entities: tuple[Entity, ...]
    packages: Packages
    sources: tuple[str, ...]  # proto files the entities come from
    proto_packages: tuple[GoPackage, ...]  # Go packages of their messages
