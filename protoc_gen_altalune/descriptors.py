"""The request's descriptors, our custom options read from them, and where
each element was written.

Options are read from a private DescriptorPool built from the request's own
``proto_file`` list: each options message is re-serialised and parsed again
with the pool's classes, so the extensions come from the user's copy of
options.proto (a newer one still works) and the default pool is never touched.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.compiler import plugin_pb2
from google.protobuf.descriptor_pb2 import FileDescriptorProto

from .diagnostics import Location

OPTIONS_PACKAGE = "altalune.codegen.v1"
VALIDATE_FIELD_EXTENSION = "buf.validate.field"

# FileDescriptorProto field numbers used in source_code_info paths.
FILE_PACKAGE, MESSAGE_TYPE, ENUM_TYPE, SERVICE, FILE_SYNTAX = 2, 4, 5, 6, 12  # syntax and edition share 12
MESSAGE_FIELD, MESSAGE_NESTED, MESSAGE_ENUM, MESSAGE_OPTIONS = 2, 3, 4, 7
ENUM_VALUE = 2
SERVICE_METHOD = 2


class Options:
    """A read-only view of one options message; absent fields read as defaults."""

    def __init__(self, message: Any | None):
        self._message = message

    def __bool__(self) -> bool:
        return self._message is not None

    def has(self, name: str) -> bool:
        msg = self._message
        if msg is None or name not in msg.DESCRIPTOR.fields_by_name:
            return False
        field = msg.DESCRIPTOR.fields_by_name[name]
        if field.has_presence:
            return msg.HasField(name)
        return bool(getattr(msg, name))

    def get(self, name: str, default: Any = None) -> Any:
        if not self.has(name):
            return default
        return getattr(self._message, name)

    def sub(self, name: str) -> "Options":
        return Options(getattr(self._message, name)) if self.has(name) else Options(None)


class SourceFile:
    """One file of the request. Where its elements were written is looked up
    only when a problem is reported: locations are resolved lazily."""

    def __init__(self, proto: FileDescriptorProto):
        self.proto = proto
        self._locations: dict[tuple[int, ...], tuple[int, int]] | None = None

    @property
    def name(self) -> str:
        return self.proto.name

    @property
    def locations(self) -> dict[tuple[int, ...], tuple[int, int]]:
        if self._locations is None:
            self._locations = {
                tuple(loc.path): (loc.span[0] + 1, loc.span[1] + 1)
                for loc in self.proto.source_code_info.location
            }
        return self._locations

    def location(self, *path: int) -> "PendingLocation":
        """The closest located element along ``path`` (1-based line and column)."""
        return PendingLocation(self, (tuple(path),))

    def first_location(self, *paths: tuple[int, ...]) -> "PendingLocation":
        """The first of ``paths`` that is located, e.g. the package statement
        and else the syntax statement."""
        return PendingLocation(self, tuple(tuple(p) for p in paths), exact=True)

    def option_location(self, *path: int) -> "PendingOptionLocation":
        """Where the option at ``path`` (..., options field, extension number)
        is set: its ``option`` statement, or the field it annotates."""
        return PendingOptionLocation(self, tuple(path))

    def resolve_option(self, path: tuple[int, ...]) -> Location:
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

    def resolve(self, paths: tuple[tuple[int, ...], ...], exact: bool = False) -> Location:
        if exact:
            for path in paths:
                if path in self.locations:
                    return self.resolve((path,))
            return Location(self.name, 0, 0)
        p = paths[0]
        while p:
            if p in self.locations:
                line, col = self.locations[p]
                return Location(self.name, line, col)
            p = p[:-1]
        return Location(self.name, 0, 0)


def _span_end(span) -> tuple[int, int]:
    """(line, column) where a source_code_info span ends; three elements mean
    it ends on its start line."""
    return (span[2], span[3]) if len(span) == 4 else (span[0], span[2])


class PendingOptionLocation:
    """The lazily resolved place where an option is set."""

    __slots__ = ("_source", "_path")

    def __init__(self, source: SourceFile, path: tuple[int, ...]):
        self._source, self._path = source, path

    def resolve(self) -> Location:
        return self._source.resolve_option(self._path)

    def __str__(self) -> str:
        return str(self.resolve())


class PendingLocation:
    """A location in a source file, resolved when it is shown."""

    __slots__ = ("_source", "_paths", "_exact")

    def __init__(self, source: SourceFile, paths: tuple[tuple[int, ...], ...], exact: bool = False):
        self._source, self._paths, self._exact = source, paths, exact

    def resolve(self) -> Location:
        return self._source.resolve(self._paths, self._exact)

    def __str__(self) -> str:
        return str(self.resolve())


class DescriptorSet:
    """Every file of a request, indexed, with custom-option access."""

    def __init__(self, request: plugin_pb2.CodeGeneratorRequest):
        self.files: dict[str, SourceFile] = {}
        self.messages: dict[str, tuple[SourceFile, Any, tuple[int, ...]]] = {}
        self.enums: dict[str, tuple[SourceFile, Any, tuple[int, ...]]] = {}
        self.pool = descriptor_pool.DescriptorPool()
        for fdp in request.proto_file:
            self.pool.AddSerializedFile(fdp.SerializeToString())
            self.pool.FindFileByName(fdp.name)  # build eagerly; the pure-Python pool is lazy
            source = SourceFile(fdp)
            self.files[fdp.name] = source
            prefix = f".{fdp.package}" if fdp.package else ""
            for i, msg in enumerate(fdp.message_type):
                self._index_message(source, prefix, msg, (MESSAGE_TYPE, i))
            for i, enum in enumerate(fdp.enum_type):
                self.enums[f"{prefix}.{enum.name}"] = (source, enum, (ENUM_TYPE, i))
        self._option_classes: dict[str, Any] = {}
        self._parsed: dict[int, tuple[Any, Any]] = {}
        self._extensions: dict[str, Any] = {}

    def _index_message(self, source: SourceFile, prefix: str, msg, path: tuple[int, ...]) -> None:
        full = f"{prefix}.{msg.name}"
        self.messages[full] = (source, msg, path)
        for i, nested in enumerate(msg.nested_type):
            self._index_message(source, full, nested, path + (MESSAGE_NESTED, i))
        for i, enum in enumerate(msg.enum_type):
            self.enums[f"{full}.{enum.name}"] = (source, enum, path + (MESSAGE_ENUM, i))

    # --- custom options ---------------------------------------------------------

    def _extension(self, full_name: str):
        if full_name not in self._extensions:
            try:
                self._extensions[full_name] = self.pool.FindExtensionByName(full_name)
            except KeyError:
                self._extensions[full_name] = None
        return self._extensions[full_name]

    def _reparse(self, options) -> Any | None:
        """``options`` parsed again with the private pool's class of the same
        type, once per options message (a field's options are read for ours
        and for buf.validate's)."""
        key = id(options)
        if key in self._parsed:
            return self._parsed[key][1]
        parsed = self._parse(options)
        self._parsed[key] = (options, parsed)  # holding options keeps its id unique
        return parsed

    def _parse(self, options) -> Any | None:
        type_name = options.DESCRIPTOR.full_name
        if type_name not in self._option_classes:
            try:
                desc = self.pool.FindMessageTypeByName(type_name)
                self._option_classes[type_name] = message_factory.GetMessageClass(desc)
            except KeyError:
                self._option_classes[type_name] = None
        cls = self._option_classes[type_name]
        if cls is None:
            return None
        return cls.FromString(options.SerializeToString())

    def extension(self, options, full_name: str) -> Options:
        """The value of extension ``full_name`` set on ``options``, if any."""
        ext = self._extension(full_name)
        if ext is None or not options.ByteSize():
            return Options(None)
        parsed = self._reparse(options)
        if parsed is None or not parsed.HasExtension(ext):
            return Options(None)
        return Options(parsed.Extensions[ext])

    def altalune(self, options, name: str) -> Options:
        return self.extension(options, f"{OPTIONS_PACKAGE}.{name}")
