"""The typed model the templates render: entities, their fields and enums,
their services, and the packages the generated Go lives in.

Everything a template needs is decided here or in ``build``; templates only
arrange it as Go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import naming


@dataclass(frozen=True)
class GoPackage:
    path: str  # import path
    name: str  # identifier used by importing files

    def ref(self, ident: str) -> str:
        return f"{self.name}.{ident}"


@dataclass
class EnumValue:
    name: str  # EMPLOYEE_STATUS_ACTIVE
    number: int
    proto_const: str  # altalunev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE
    const: str  # EmployeeStatusActive
    db_value: str  # active


@dataclass
class Enum:
    full_name: str
    proto_type: str  # altalunev1.EmployeeStatus
    domain_type: str  # EmployeeStatus
    private: str  # employeeStatus
    values: list[EnumValue]  # every value but the zero one

    @property
    def default(self) -> EnumValue:
        return self.values[0]

    @property
    def max_len(self) -> int:
        return max(len(v.db_value) for v in self.values)


@dataclass
class Field:
    name: str  # proto name: employee_number
    json_name: str  # employeeNumber
    number: int
    proto_go: str  # protoc-gen-go struct field: EmployeeNumber
    go_name: str  # domain struct field: EmployeeNumber
    column: str
    kind: str  # string bool int32 int64 uint32 uint64 float double bytes enum timestamp
    go_base: str  # string, int64, []byte, time.Time, EmployeeStatus, ...
    presence: str  # "none", "optional" (proto3 optional), "wrapper", "message" (timestamp)
    nullable: bool
    sql_type: str
    sql_default: str | None
    unique: bool = False
    searchable: bool = False
    filterable: bool = False
    sortable: bool = False
    immutable: bool = False
    indexed: bool = False
    enum: Enum | None = None
    wrapper: str | None = None  # wrapperspb constructor: String, Int32, ...
    in_create: bool = False
    in_update: bool = False
    sql_fixed: bool = False  # set by an option or the entity's own rules
    writer_limits: list = field(default_factory=list)  # max_len of each request writing it
    filter_key: str = ""  # the Query filter and catalog key, when not the field name

    @property
    def filter_name(self) -> str:
        """The key of the field in Query filters and the filter catalog."""
        return self.filter_key or self.name

    @property
    def domain_type(self) -> str:
        if self.nullable and self.go_base != "[]byte":
            return "*" + self.go_base
        return self.go_base

    @property
    def required_message(self) -> bool:
        """A message field (a timestamp) that must be set: its column is NOT
        NULL, and a nil message has no value to store."""
        return self.presence == "message" and not self.nullable

    @property
    def keeps_on_update(self) -> bool:
        """An enum that is not optional: UNSPECIFIED in an update request
        means "keep the stored value", not "reset to the default"."""
        return self.enum is not None and not self.nullable

    @property
    def update_type(self) -> str:
        """The field's type in the Update input (nil keeps the stored value)."""
        return "*" + self.go_base if self.keeps_on_update else self.domain_type

    @property
    def update_set(self) -> str:
        """The SET expression of the field's column; ``placeholder`` is its $n."""
        return "COALESCE({p}, " + self.column + ")" if self.keeps_on_update else "{p}"

    def from_proto_update(self, msg: str) -> str:
        """The Update input's value of this field read from ``msg``."""
        if self.keeps_on_update:
            return f"domainkit.UnlessZero({msg}.Get{self.proto_go}(), {self.enum.domain_type}FromProto)"
        return self.from_proto(msg)

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
        return self.kind == "string"

    @property
    def sort_expr(self) -> str:
        """The SQL a Query orders by: an enum in declaration order, not by
        its stored strings."""
        if self.enum:
            values = ", ".join(f"'{v.db_value}'" for v in self.enum.values)
            return f"array_position(ARRAY[{values}], {self.column}::TEXT)"
        return self.column

    # Conversions, one place for each direction -------------------------------

    def from_proto(self, msg: str) -> str:
        """Domain value of this field read from proto message ``msg``."""
        getter = f"{msg}.Get{self.proto_go}()"
        if self.presence == "wrapper":
            return f"domainkit.Unwrap({getter})"
        if self.presence == "message":
            if self.nullable:
                return f"domainkit.TimeOrNil({getter})"
            return f"{getter}.AsTime()"
        if self.presence == "optional" and self.go_base != "[]byte":
            if self.enum:
                return f"domainkit.MapPtr({msg}.{self.proto_go}, {self.enum.domain_type}FromProto)"
            return f"{msg}.{self.proto_go}"
        if self.enum:
            return f"{self.enum.domain_type}FromProto({getter})"
        return getter

    def to_proto(self, obj: str) -> str:
        """Proto value of this field from domain struct ``obj``."""
        value = f"{obj}.{self.go_name}"
        if self.presence == "wrapper":
            return f"domainkit.Wrap({value}, wrapperspb.{self.wrapper})"
        if self.presence == "message":
            return f"domainkit.TimestampOrNil({value})" if self.nullable else f"timestamppb.New({value})"
        if self.enum:
            if self.nullable:
                return f"domainkit.MapPtr({value}, {self.enum.domain_type}.ToProto)"
            return f"{value}.ToProto()"
        return value

    def db_arg(self, obj: str) -> str:
        """The argument bound to this field's column."""
        value = f"{obj}.{self.go_name}"
        if self.kind == "bytes" and not self.nullable:
            return f"domainkit.NonNilBytes({value})"
        return value

    @property
    def error_type(self) -> str:
        """The type the root package's errors take the value in: the root
        package cannot name a domain's enum type, so an enum is its string."""
        return "string" if self.enum else self.go_base

    def error_arg(self, var: str) -> str:
        """``var`` (of the field's base type) as an argument of error_type."""
        return f"string({var})" if self.enum else var

    def meta_value(self, var: str) -> str:
        """``var`` (of error_type) as a string for error meta."""
        if self.error_type == "string":
            return var
        return f"fmt.Sprint({var})"


@dataclass
class Access:
    """What an RPC requires of its caller."""

    permission: str | None  # employee:read; None when public
    project: bool  # membership of the request's project too (a partitioned entity)

    @property
    def public(self) -> bool:
        return self.permission is None


@dataclass
class Rpc:
    name: str
    operation: str  # query create get update delete custom
    request: str  # altalunev1.CreateEmployeeRequest
    response: str
    procedure: str = ""  # altalunev1connect.EmployeeServiceCreateEmployeeProcedure
    access: Access | None = None
    id_getter: str | None = None  # GetEmployeeId
    project_getter: str | None = None  # GetProjectId
    entity_field: str | None = None  # response field carrying the entity: Employee
    has_message: bool = False
    has_meta: bool = False
    fields: list[Field] = field(default_factory=list)  # entity fields the request carries
    comment: str = ""


@dataclass
class Service:
    name: str  # EmployeeService
    file: str
    server_iface: str  # altalunev1.EmployeeServiceServer
    unimplemented: str  # altalunev1.UnimplementedEmployeeServiceServer
    unsafe: str  # altalunev1.UnsafeEmployeeServiceServer
    register: str  # altalunev1.RegisterEmployeeServiceServer
    connect_handler: str  # altalunev1connect.NewEmployeeServiceHandler
    connect_iface: str  # altalunev1connect.EmployeeServiceHandler
    resource: str = ""  # employee: permissions are employee:<action>
    rpcs: list[Rpc] = field(default_factory=list)

    def op(self, name: str) -> Rpc | None:
        return next((r for r in self.rpcs if r.operation == name), None)

    @property
    def custom(self) -> list[Rpc]:
        return [r for r in self.rpcs if r.operation == "custom"]

    @property
    def getter(self) -> str:
        return f"Get{self.name}"

    @property
    def scoped(self) -> bool:
        """Some RPC checks membership of the request's project."""
        return any(r.access and r.access.project for r in self.rpcs)


@dataclass
class Entity:
    name: str  # Employee (proto message)
    full_name: str
    file: str
    go_type: str  # Employee (domain struct)
    proto_type: str  # altalunev1.Employee
    private: str  # employee
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
    fields: list[Field]
    has_created_at: bool
    has_updated_at: bool
    id_proto_go: str  # Id
    service: Service | None = None
    location: object = None  # where the entity is declared, for errors
    option_location: object = None  # where its (altalune.codegen.v1.entity) option is written

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
    def create_fields(self) -> list[Field]:
        return [f for f in self.fields if f.in_create]

    @property
    def update_fields(self) -> list[Field]:
        return [f for f in self.fields if f.in_update]

    @property
    def id_meta(self) -> str:
        return f"{self.snake}_id"

    @property
    def id_param(self) -> str:
        return naming.go_private_name(f"{self.snake}_id")

    def code(self, n: int) -> str:
        return f"{self.error_code:03d}{n:02d}"

    @property
    def columns(self) -> list[str]:
        return ["id", "public_id"] + [f.column for f in self.fields] + ["created_at", "updated_at"]

    @property
    def default_sort_key(self) -> str:
        """The Query sort key (field name) of the default sort column."""
        column = self.default_sort[0]
        return next((f.name for f in self.fields if f.column == column), column)


@dataclass
class Packages:
    """Where the generated code and the infrastructure it uses live."""

    root: GoPackage
    postgres: GoPackage
    query: GoPackage
    nanoid: GoPackage
    project: GoPackage
    kit: GoPackage
    proto: GoPackage | None  # package of the common messages (QueryRequest, ErrorDetail)
    connect: GoPackage | None


@dataclass
class Model:
    entities: list[Entity]
    packages: Packages
    sources: list[str]  # proto files the entities come from
    proto_packages: list[GoPackage] = field(default_factory=list)  # Go packages of their messages
