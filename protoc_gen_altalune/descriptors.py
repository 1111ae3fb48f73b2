"""The request's descriptors, wrapped: every element knows its file, its full
name and where it was written.

Source locations are looked up through the element (``field.location``,
``message.option_location(ext)``), so no caller spells a descriptor path;
the paths are built here from the field numbers of descriptor.proto.
Locations resolve lazily: only when a problem is reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

from google.protobuf import descriptor_pb2 as d
from google.protobuf.compiler import plugin_pb2

from .diagnostics import Location

FDP = d.FieldDescriptorProto
Path = tuple[int, ...]

_FILE = d.FileDescriptorProto
_MSG = d.DescriptorProto
_ENUM = d.EnumDescriptorProto
_SVC = d.ServiceDescriptorProto


class SourceFile:
    """One file of the request and the places its elements were written."""

    def __init__(self, proto: d.FileDescriptorProto):
        self.proto = proto
        self._spans: dict[Path, tuple[int, int]] | None = None

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def package(self) -> str:
        return self.proto.package

    @property
    def syntax(self) -> str:
        return self.proto.syntax or "proto2"

    @property
    def spans(self) -> dict[Path, tuple[int, int]]:
        if self._spans is None:
            self._spans = {
                tuple(loc.path): (loc.span[0] + 1, loc.span[1] + 1)
                for loc in self.proto.source_code_info.location
            }
        return self._spans

    # --- places -----------------------------------------------------------------

    def at(self, path: Path) -> PendingLocation:
        """The closest located element along ``path``."""
        return PendingLocation(self, (path,))

    def first_of(self, *paths: Path) -> PendingLocation:
        """The first of ``paths`` that is located (e.g. the package statement,
        else the syntax statement)."""
        return PendingLocation(self, paths, exact=True)

    @property
    def header(self) -> PendingLocation:
        """The go_package option, else the package or syntax statement: where
        a file-level problem is reported."""
        return self.first_of((_FILE.OPTIONS_FIELD_NUMBER, d.FileOptions.GO_PACKAGE_FIELD_NUMBER),
                             (_FILE.PACKAGE_FIELD_NUMBER,), (_FILE.SYNTAX_FIELD_NUMBER,),
                             (_FILE.MESSAGE_TYPE_FIELD_NUMBER, 0))

    @property
    def package_or_syntax(self) -> PendingLocation:
        return self.first_of((_FILE.PACKAGE_FIELD_NUMBER,), (_FILE.SYNTAX_FIELD_NUMBER,),
                             (_FILE.MESSAGE_TYPE_FIELD_NUMBER, 0))

    def syntax_or(self, path: Path) -> PendingLocation:
        """The syntax statement, else the element at ``path``."""
        return self.first_of((_FILE.SYNTAX_FIELD_NUMBER,), path)

    def resolve(self, paths: tuple[Path, ...], exact: bool = False) -> Location:
        if exact:
            for path in paths:
                if path in self.spans:
                    line, col = self.spans[path]
                    return Location(self.name, line, col)
            return Location(self.name, 0, 0)
        p = paths[0]
        while p:
            if p in self.spans:
                line, col = self.spans[p]
                return Location(self.name, line, col)
            p = p[:-1]
        return Location(self.name, 0, 0)

    def resolve_option(self, path: Path) -> Location:
        # protoc locates an option at its statement, buf (protocompile) at the
        # option's name inside it; both also locate the statement under the
        # options path (one location per statement), so the statement that
        # contains the option's own location is the answer of both.
        own = next((loc for loc in self.proto.source_code_info.location if tuple(loc.path) == path), None)
        if own is not None:
            start = (own.span[0], own.span[1])
            for loc in self.proto.source_code_info.location:
                if tuple(loc.path) == path[:-1] and (loc.span[0], loc.span[1]) <= start <= _span_end(loc.span):
                    return Location(self.name, loc.span[0] + 1, loc.span[1] + 1)
        return self.resolve((path,))


def _span_end(span: Sequence[int]) -> tuple[int, int]:
    """(line, column) where a source_code_info span ends; three elements mean
    it ends on its start line."""
    return (span[2], span[3]) if len(span) == 4 else (span[0], span[2])


class PendingLocation:
    """A place in a source file, resolved when it is shown."""

    __slots__ = ("_exact", "_option", "_paths", "_source")

    def __init__(self, source: SourceFile, paths: tuple[Path, ...], exact: bool = False, option: bool = False):
        self._source, self._paths, self._exact, self._option = source, paths, exact, option

    def resolve(self) -> Location:
        if self._option:
            return self._source.resolve_option(self._paths[0])
        return self._source.resolve(self._paths, self._exact)

    def __str__(self) -> str:
        return str(self.resolve())


class Element:
    """An element of a file: it knows its path, hence its places."""

    def __init__(self, file: SourceFile, path: Path):
        self.file = file
        self.path = path

    @property
    def location(self) -> PendingLocation:
        return self.file.at(self.path)

    def _option_location(self, options_field: int, extension: int) -> PendingLocation:
        return PendingLocation(self.file, (self.path + (options_field, extension),), option=True)


class FieldDesc(Element):
    def __init__(self, file: SourceFile, path: Path, proto: d.FieldDescriptorProto, message: MessageDesc):
        super().__init__(file, path)
        self.proto = proto
        self.message = message

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def number(self) -> int:
        return self.proto.number

    @property
    def json_name(self) -> str:
        return self.proto.json_name

    @property
    def type(self) -> d.FieldDescriptorProto.Type.ValueType:
        return self.proto.type

    @property
    def type_name(self) -> str:
        return self.proto.type_name

    @property
    def options(self) -> d.FieldOptions:
        return self.proto.options

    @property
    def repeated(self) -> bool:
        return self.proto.label == FDP.LABEL_REPEATED

    @property
    def proto3_optional(self) -> bool:
        return self.proto.proto3_optional

    @property
    def in_real_oneof(self) -> bool:
        return self.proto.HasField("oneof_index") and not self.proto.proto3_optional

    def is_scalar(self, kind: int) -> bool:
        """A singular field of scalar type ``kind`` (FieldDescriptorProto.TYPE_*)."""
        return self.type == kind and not self.repeated

    @property
    def is_string(self) -> bool:
        return self.is_scalar(FDP.TYPE_STRING)

    def option_location(self, extension: int) -> PendingLocation:
        return self._option_location(d.FieldDescriptorProto.OPTIONS_FIELD_NUMBER, extension)


class EnumValueDesc(Element):
    def __init__(self, file: SourceFile, path: Path, proto: d.EnumValueDescriptorProto):
        super().__init__(file, path)
        self.proto = proto

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def number(self) -> int:
        return self.proto.number

    @property
    def options(self) -> d.EnumValueOptions:
        return self.proto.options


class EnumDesc(Element):
    def __init__(self, file: SourceFile, path: Path, proto: d.EnumDescriptorProto, full_name: str, local: str):
        super().__init__(file, path)
        self.proto = proto
        self.full_name = full_name  # .altalune.v1.Ip.Mode
        self.local = local  # Ip.Mode
        self.values = [EnumValueDesc(file, path + (_ENUM.VALUE_FIELD_NUMBER, k), v) for k, v in enumerate(proto.value)]

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def nested(self) -> bool:
        return "." in self.local

    @property
    def allow_alias(self) -> bool:
        return self.proto.options.allow_alias


class MessageDesc(Element):
    def __init__(self, file: SourceFile, path: Path, proto: d.DescriptorProto, full_name: str, local: str):
        super().__init__(file, path)
        self.proto = proto
        self.full_name = full_name  # .altalune.v1.Employee
        self.local = local  # Employee, Outer.Inner
        self.fields = [FieldDesc(file, path + (_MSG.FIELD_FIELD_NUMBER, j), f, self) for j, f in enumerate(proto.field)]
        self.nested = [
            MessageDesc(file, path + (_MSG.NESTED_TYPE_FIELD_NUMBER, j), m, f"{full_name}.{m.name}",
                        f"{local}.{m.name}")
            for j, m in enumerate(proto.nested_type)
        ]
        self.enums = [
            EnumDesc(file, path + (_MSG.ENUM_TYPE_FIELD_NUMBER, j), e, f"{full_name}.{e.name}", f"{local}.{e.name}")
            for j, e in enumerate(proto.enum_type)
        ]

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def options(self) -> d.MessageOptions:
        return self.proto.options

    @property
    def is_map_entry(self) -> bool:
        return self.proto.options.map_entry

    @cached_property
    def by_name(self) -> dict[str, FieldDesc]:
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> FieldDesc | None:
        return self.by_name.get(name)

    def location_of(self, field_name: str) -> PendingLocation:
        """The field's place when the message has it, else the message's."""
        f = self.field(field_name)
        return f.location if f else self.location

    def option_location(self, extension: int) -> PendingLocation:
        return self._option_location(_MSG.OPTIONS_FIELD_NUMBER, extension)

    def walk(self) -> Iterator[MessageDesc]:
        yield self
        for m in self.nested:
            yield from m.walk()


class MethodDesc(Element):
    def __init__(self, file: SourceFile, path: Path, proto: d.MethodDescriptorProto, service: ServiceDesc):
        super().__init__(file, path)
        self.proto = proto
        self.service = service

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def options(self) -> d.MethodOptions:
        return self.proto.options

    @property
    def streams(self) -> bool:
        return self.proto.client_streaming or self.proto.server_streaming

    def option_location(self, extension: int) -> PendingLocation:
        return self._option_location(d.MethodDescriptorProto.OPTIONS_FIELD_NUMBER, extension)


class ServiceDesc(Element):
    def __init__(self, file: SourceFile, path: Path, proto: d.ServiceDescriptorProto):
        super().__init__(file, path)
        self.proto = proto
        self.methods = [MethodDesc(file, path + (_SVC.METHOD_FIELD_NUMBER, k), m, self)
                        for k, m in enumerate(proto.method)]

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def options(self) -> d.ServiceOptions:
        return self.proto.options

    def option_location(self, extension: int) -> PendingLocation:
        return self._option_location(_SVC.OPTIONS_FIELD_NUMBER, extension)


class FileDesc:
    """One file of the request, its top-level elements wrapped."""

    def __init__(self, proto: d.FileDescriptorProto):
        self.proto = proto
        self.source = SourceFile(proto)
        prefix = f".{proto.package}" if proto.package else ""
        self.messages = [
            MessageDesc(self.source, (_FILE.MESSAGE_TYPE_FIELD_NUMBER, i), m, f"{prefix}.{m.name}", m.name)
            for i, m in enumerate(proto.message_type)
        ]
        self.enums = [
            EnumDesc(self.source, (_FILE.ENUM_TYPE_FIELD_NUMBER, i), e, f"{prefix}.{e.name}", e.name)
            for i, e in enumerate(proto.enum_type)
        ]
        self.services = [ServiceDesc(self.source, (_FILE.SERVICE_FIELD_NUMBER, i), s)
                         for i, s in enumerate(proto.service)]

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def package(self) -> str:
        return self.proto.package

    @property
    def syntax(self) -> str:
        return self.source.syntax

    @property
    def go_package_option(self) -> str:
        return self.proto.options.go_package

    def all_messages(self) -> Iterator[MessageDesc]:
        for m in self.messages:
            yield from m.walk()

    def all_enums(self) -> Iterator[EnumDesc]:
        yield from self.enums
        for m in self.all_messages():
            yield from m.enums


class DescriptorSet:
    """Every file of a request, indexed by name and by full type name."""

    def __init__(self, request: plugin_pb2.CodeGeneratorRequest):
        self.files: dict[str, FileDesc] = {}
        self.messages: dict[str, MessageDesc] = {}
        self.enums: dict[str, EnumDesc] = {}
        for fdp in request.proto_file:
            f = FileDesc(fdp)
            self.files[f.name] = f
            for m in f.all_messages():
                self.messages[m.full_name] = m
            for e in f.all_enums():
                self.enums[e.full_name] = e
