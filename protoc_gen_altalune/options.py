"""Our custom options, and the buf.validate rules we use, read as typed
values.

Options are read from a private DescriptorPool built from the request's own
``proto_file`` list: each options message is re-serialised and parsed again
with the pool's classes, so the extensions come from the user's copy of
options.proto (a newer one still works) and the default pool is never
touched. Each options message becomes a frozen dataclass whose field names
are those of options.proto (tests/test_options.py checks every one against
the shipped file, so a misspelt name cannot read as a silent default); an
older copy of options.proto that lacks a field reads it as its default.
Enum values (operations, hooks) are read by name from the user's copy, never
by number.
"""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf import descriptor_pool, message, message_factory
from google.protobuf.compiler import plugin_pb2

from .descriptors import EnumValueDesc, FieldDesc, MessageDesc, MethodDesc, ServiceDesc
from .records import fields, record, value

PACKAGE = "altalune.codegen.v1"
VALIDATE_FIELD = "buf.validate.field"


@record
class EntityOptions:
    table: str = ""
    partitioned: bool | None = None
    domain: str = ""
    plural: str = ""
    error_code: int = 0
    default_sort: str = ""
    migration_version: str = ""
    hooks: tuple[str, ...] = ()  # value names without the HOOK_ prefix, lower-case: before_create
    adopt: bool = False
    deployed: tuple[str, ...] = ()  # "<version>:<sha256>"
    columns: tuple[ColumnOptions, ...] = ()  # server-side columns
    codes: ErrorCodes | None = None
    error_name: str = ""
    id_field: str = ""
    unique_keys: tuple[UniqueKeyOptions, ...] = ()
    singleton: bool = False


@record
class UniqueKeyOptions:
    """A unique key over several fields (options.proto's UniqueKey)."""

    fields: tuple[str, ...] = ()
    added_in: str = ""
    index_name: str = ""


@record
class ErrorCodes:
    """An entity's own error codes (options.proto's ErrorCodes)."""

    not_found: str = ""
    already_exists: str = ""


@record
class ColumnOptions:
    """A server-side column (options.proto's Column)."""

    name: str = ""
    sql_type: str = ""
    not_null: bool = False
    unique: bool = False
    generator: str = ""  # value name without the GENERATOR_ prefix, lower-case: secret
    prefix: str = ""
    response_field: str = ""


@record
class FieldOptions:
    unique: bool = False
    searchable: bool | None = None
    filterable: bool | None = None
    sortable: bool | None = None
    column: str = ""
    sql_type: str = ""
    immutable: bool = False
    transient: bool = False
    indexed: bool | None = None
    filter_key: str = ""
    added_in: str = ""
    unique_in: str = ""
    indexed_in: str = ""
    backfill: str = ""
    dropped_in: str = ""
    renamed_from: str = ""
    renamed_in: str = ""
    null_as_empty: bool = False
    index_name: str = ""
    references: str = ""
    search_index: bool = False
    search_index_in: str = ""
    sort_index: bool = False
    sort_index_in: str = ""


@record
class EnumValueOptions:
    db_value: str = ""
    added_in: str = ""


@record
class ServiceOptions:
    entity: str = ""
    resource: str = ""
    public: bool = False
    handwritten: bool = False


@record
class MethodOptions:
    operation: str = ""  # the Operation value name without OPERATION_, lower-case; "" when unspecified
    permission: str = ""
    public: bool = False
    fill: bool = False
    cursor_field: str = ""
    next_cursor_field: str = ""


@value
class ValidateRules:
    """The buf.validate rules of a field that shape its column."""

    required: bool = False
    max_len: int | None = None  # string.len, else string.max_len


OPTION_TYPES: dict[str, type] = {
    "entity": EntityOptions,
    "field": FieldOptions,
    "enum_value": EnumValueOptions,
    "service": ServiceOptions,
    "method": MethodOptions,
}

T = TypeVar("T")


class OptionReader:
    """Reads our options and buf.validate's from a request's descriptors."""

    def __init__(self, request: plugin_pb2.CodeGeneratorRequest):
        self.pool = descriptor_pool.DescriptorPool()
        for fdp in request.proto_file:
            self.pool.AddSerializedFile(fdp.SerializeToString())
            self.pool.FindFileByName(fdp.name)  # build eagerly; the pure-Python pool is lazy
        self._classes: dict[str, Any] = {}
        self._parsed: dict[int, tuple[Any, Any]] = {}
        self._extensions: dict[str, Any] = {}

    # --- typed options -----------------------------------------------------------

    def entity(self, msg: MessageDesc) -> EntityOptions | None:
        """The message's entity option, or None: it is not an entity."""
        return self._ours(msg.options, "entity", EntityOptions)

    def field(self, f: FieldDesc) -> FieldOptions:
        return self._ours(f.options, "field", FieldOptions) or FieldOptions()

    def enum_value(self, v: EnumValueDesc) -> EnumValueOptions:
        return self._ours(v.options, "enum_value", EnumValueOptions) or EnumValueOptions()

    def service(self, s: ServiceDesc) -> ServiceOptions:
        return self._ours(s.options, "service", ServiceOptions) or ServiceOptions()

    def method(self, m: MethodDesc) -> MethodOptions:
        return self._ours(m.options, "method", MethodOptions) or MethodOptions()

    def validate(self, f: FieldDesc) -> ValidateRules:
        rules = self._extension_value(f.options, VALIDATE_FIELD)
        if rules is None:
            return ValidateRules()
        required = _get(rules, "required", False)
        strings = _get(rules, "string", None)
        max_len = (_get(strings, "len", 0) or _get(strings, "max_len", 0) or None) if strings is not None else None
        return ValidateRules(required=bool(required), max_len=max_len)

    def extension_number(self, name: str) -> int:
        """The field number of our extension ``name`` (entity, field, ...) in
        the request's options.proto; 0 without one."""
        ext = self._extension(f"{PACKAGE}.{name}")
        return ext.number if ext is not None else 0

    # --- reading -----------------------------------------------------------------

    def _ours(self, options: message.Message, name: str, cls: type[T]) -> T | None:
        value = self._extension_value(options, f"{PACKAGE}.{name}")
        return None if value is None else _to_dataclass(value, cls)

    def _extension(self, full_name: str) -> Any:
        if full_name not in self._extensions:
            try:
                self._extensions[full_name] = self.pool.FindExtensionByName(full_name)
            except KeyError:
                self._extensions[full_name] = None
        return self._extensions[full_name]

    def _extension_value(self, options: message.Message, full_name: str) -> Any:
        ext = self._extension(full_name)
        if ext is None or not options.ByteSize():
            return None
        parsed = self._reparse(options)
        if parsed is None or not parsed.HasExtension(ext):
            return None
        return parsed.Extensions[ext]

    def _reparse(self, options: message.Message) -> Any:
        """``options`` parsed again with the private pool's class of the same
        type, once per options message (a field's options are read for ours
        and for buf.validate's)."""
        key = id(options)
        if key not in self._parsed:
            self._parsed[key] = (options, self._parse(options))  # holding options keeps its id unique
        return self._parsed[key][1]

    def _parse(self, options: message.Message) -> Any:
        type_name = options.DESCRIPTOR.full_name
        if type_name not in self._classes:
            try:
                self._classes[type_name] = message_factory.GetMessageClass(self.pool.FindMessageTypeByName(type_name))
            except KeyError:
                self._classes[type_name] = None
        cls = self._classes[type_name]
        return None if cls is None else cls.FromString(options.SerializeToString())


def _get(msg: Any, name: str, default: Any) -> Any:
    """A field of a parsed message, or ``default`` when it is unset or the
    message's type has no such field."""
    field = msg.DESCRIPTOR.fields_by_name.get(name)
    if field is None:
        return default
    if field.has_presence and not msg.HasField(name):
        return default
    return getattr(msg, name)


def _enum_name(field: Any, number: int) -> str:
    """An enum value's name without its type's prefix, lower-case:
    OPERATION_QUERY -> query; "" for the zero value or an unknown number."""
    value = field.enum_type.values_by_number.get(number)
    if value is None or number == 0:
        return ""
    prefix = field.enum_type.values[0].name.rsplit("_", 1)[0] + "_"  # OPERATION_UNSPECIFIED -> OPERATION_
    return str(value.name).removeprefix(prefix).lower()


def _to_dataclass(msg: Any, cls: type[T]) -> T:
    values: dict[str, Any] = {}
    for name in fields(cls):
        proto_field = msg.DESCRIPTOR.fields_by_name.get(name)
        if proto_field is None:  # an older options.proto: the default
            continue
        if proto_field.enum_type is not None:
            if proto_field.is_repeated:
                names = (_enum_name(proto_field, n) for n in getattr(msg, name))
                values[name] = tuple(n for n in names if n)
            else:
                values[name] = _enum_name(proto_field, getattr(msg, name))
            continue
        if proto_field.message_type is not None and proto_field.is_repeated:
            nested = _NESTED[name]
            values[name] = tuple(_to_dataclass(m, nested) for m in getattr(msg, name))
            continue
        if proto_field.message_type is not None:
            if msg.HasField(name):
                values[name] = _to_dataclass(getattr(msg, name), _NESTED[name])
            continue
        if proto_field.is_repeated:
            values[name] = tuple(getattr(msg, name))
            continue
        if proto_field.has_presence:
            if msg.HasField(name):
                values[name] = getattr(msg, name)
            continue
        values[name] = getattr(msg, name)
    return cls(**values)


# The dataclass of each repeated message field of an options message.
_NESTED: dict[str, type[Any]] = {"columns": ColumnOptions, "codes": ErrorCodes, "unique_keys": UniqueKeyOptions}
