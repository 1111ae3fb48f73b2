"""What the options leave unsaid: the conventions that fill it in.

Types and their columns, default names, the operations RPC names stand for
and the permissions they require, error-code blocks. Only facts and
defaults live here; ``build`` applies them and checks what they produce.
"""

from __future__ import annotations

from google.protobuf.descriptor_pb2 import FieldDescriptorProto as FDP

from . import naming
from .golang import TIME, GoIdent, GoType
from .model import Kind, Operation
from .records import value


@value
class ColumnType:
    kind: Kind
    go: str | GoIdent | GoType  # the domain's Go type
    sql: str  # the column's SQL type
    wrapper: str | None = None  # wrapperspb constructor of a wrapper message
    element: Kind | None = None  # an array's element


# Per scalar proto type.
SCALARS = {
    FDP.TYPE_STRING: ColumnType(Kind.STRING, "string", "TEXT"),
    FDP.TYPE_BOOL: ColumnType(Kind.BOOL, "bool", "BOOLEAN"),
    FDP.TYPE_INT32: ColumnType(Kind.INT32, "int32", "INTEGER"),
    FDP.TYPE_SINT32: ColumnType(Kind.INT32, "int32", "INTEGER"),
    FDP.TYPE_SFIXED32: ColumnType(Kind.INT32, "int32", "INTEGER"),
    FDP.TYPE_INT64: ColumnType(Kind.INT64, "int64", "BIGINT"),
    FDP.TYPE_SINT64: ColumnType(Kind.INT64, "int64", "BIGINT"),
    FDP.TYPE_SFIXED64: ColumnType(Kind.INT64, "int64", "BIGINT"),
    FDP.TYPE_UINT32: ColumnType(Kind.UINT32, "uint32", "BIGINT"),
    FDP.TYPE_FIXED32: ColumnType(Kind.UINT32, "uint32", "BIGINT"),
    FDP.TYPE_UINT64: ColumnType(Kind.UINT64, "uint64", "NUMERIC(20, 0)"),
    FDP.TYPE_FIXED64: ColumnType(Kind.UINT64, "uint64", "NUMERIC(20, 0)"),
    FDP.TYPE_FLOAT: ColumnType(Kind.FLOAT, "float32", "REAL"),
    FDP.TYPE_DOUBLE: ColumnType(Kind.DOUBLE, "float64", "DOUBLE PRECISION"),
    FDP.TYPE_BYTES: ColumnType(Kind.BYTES, "[]byte", "BYTEA"),
}

# Per wrapper message: nullable columns.
WRAPPERS = {
    ".google.protobuf.StringValue": ColumnType(Kind.STRING, "string", "TEXT", "String"),
    ".google.protobuf.BoolValue": ColumnType(Kind.BOOL, "bool", "BOOLEAN", "Bool"),
    ".google.protobuf.Int32Value": ColumnType(Kind.INT32, "int32", "INTEGER", "Int32"),
    ".google.protobuf.Int64Value": ColumnType(Kind.INT64, "int64", "BIGINT", "Int64"),
    ".google.protobuf.UInt32Value": ColumnType(Kind.UINT32, "uint32", "BIGINT", "UInt32"),
    ".google.protobuf.UInt64Value": ColumnType(Kind.UINT64, "uint64", "NUMERIC(20, 0)", "UInt64"),
    ".google.protobuf.FloatValue": ColumnType(Kind.FLOAT, "float32", "REAL", "Float"),
    ".google.protobuf.DoubleValue": ColumnType(Kind.DOUBLE, "float64", "DOUBLE PRECISION", "Double"),
}
# The scalars a repeated field may hold, stored as a PostgreSQL array of the
# element's column type (TEXT[], BIGINT[], ...). Unsigned 64-bit integers
# (NUMERIC arrays), bytes (BYTEA arrays) and 32-bit unsigned integers are
# not: their Go slices do not map onto an array type one to one.
ARRAY_ELEMENTS = frozenset({
    FDP.TYPE_STRING, FDP.TYPE_BOOL, FDP.TYPE_INT32, FDP.TYPE_SINT32, FDP.TYPE_SFIXED32, FDP.TYPE_INT64,
    FDP.TYPE_SINT64, FDP.TYPE_SFIXED64, FDP.TYPE_FLOAT, FDP.TYPE_DOUBLE,
})


def array_column(element: ColumnType) -> ColumnType:
    """The column of a repeated scalar: ``[]string`` as ``TEXT[]``."""
    return ColumnType(Kind.ARRAY, f"[]{element.go}", f"{element.sql}[]", element=element.kind)


# Messages (other than the well-known types with a column of their own) are
# stored as JSONB documents through protojson: a message as an object (nil
# is NULL), a repeated message as an array of objects.
DOCUMENT_SQL = "JSONB"


def document_column(message: GoIdent, repeated: bool) -> ColumnType:
    if repeated:
        return ColumnType(Kind.MESSAGE_LIST, GoType("[]*", message), DOCUMENT_SQL)
    return ColumnType(Kind.MESSAGE, GoType("*", message), DOCUMENT_SQL)


TIMESTAMP = ".google.protobuf.Timestamp"
STRUCT = ".google.protobuf.Struct"
FIELD_MASK = ".google.protobuf.FieldMask"
TIMESTAMP_COLUMN = ColumnType(Kind.TIMESTAMP, TIME.ident("Time"), "TIMESTAMPTZ")

# The default of a NOT NULL column by kind (numbers: 0; timestamps: none).
# An array is empty and a list of documents an empty JSON array: proto cannot
# tell an empty list from an absent one.
ZERO_DEFAULTS = {Kind.STRING: "''", Kind.BOOL: "FALSE", Kind.BYTES: "'\\x'::BYTEA", Kind.ARRAY: "'{}'",
                 Kind.MESSAGE_LIST: "'[]'"}

# Columns every table has, managed by the generated code.
RESERVED_COLUMNS = frozenset({"id", "public_id", "project_id", "created_at", "updated_at"})
TIMESTAMP_FIELDS = ("created_at", "updated_at")

# Error-code blocks give 5-digit codes: 601-698 by convention, the rest of
# 100-999 when a repository has more entities than that.
RESERVED_BLOCKS = {600: "validation", 603: "projects", 699: "internal errors"}
MIN_BLOCK, MAX_BLOCK = 100, 999
CONVENTIONAL_BLOCKS = range(601, 699)
NOT_FOUND, ALREADY_EXISTS = 1, 2  # offsets in a block

# The action each CRUD operation requires on the service's resource.
DEFAULT_ACTIONS = {
    Operation.QUERY: "read",
    Operation.LIST: "read",
    Operation.GET: "read",
    Operation.CREATE: "write",
    Operation.UPDATE: "write",
    Operation.DELETE: "delete",
}

DEFAULT_SORT = "created_at desc"

MAX_IDENTIFIER = 63  # PostgreSQL truncates longer names
# The longest name made from a table: a partition, <table>_p<BIGINT id>.
MAX_TABLE = MAX_IDENTIFIER - len("_p") - len(str(2**63 - 1))


def default_table(plural: str) -> str:
    return f"altalune_{naming.snake(plural)}"


def default_db_value(enum_name: str, value_name: str) -> str:
    """The stored string of an enum value: its name without the enum's
    prefix, lower-cased (EMPLOYEE_STATUS_ACTIVE -> active)."""
    prefix = naming.upper_snake(enum_name) + "_"
    return value_name.removeprefix(prefix).lower()


def value_suffix(enum_name: str, value_name: str) -> str:
    prefix = naming.upper_snake(enum_name) + "_"
    return value_name.removeprefix(prefix)


def conventional_operations(entity: str, plural: str) -> dict[str, Operation]:
    """The RPC names that are an entity's CRUD operations by convention."""
    return {
        f"Query{plural}": Operation.QUERY,
        f"Create{entity}": Operation.CREATE,
        f"Get{entity}": Operation.GET,
        f"Update{entity}": Operation.UPDATE,
        f"Delete{entity}": Operation.DELETE,
        f"List{plural}": Operation.LIST,
    }
