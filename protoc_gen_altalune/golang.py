"""Go packages and identifiers, and the imports a generated file needs.

Imports are recorded, not scanned: a template or the model writes a package
through a ``GoPackage`` (``{{ errors }}.Is(...)``, ``f"{KIT}.Unwrap(...)"``),
and turning it into text records the package in the import set of the file
being rendered, as protogen's QualifiedGoIdent does. A package that is never
written is never imported, and every package written is imported.

This module is the one table of the packages the generated code may use by
name: the templates and the name checks of ``build`` both read it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from .records import value


@value(order=True)
class GoPackage:
    path: str  # import path
    name: str  # the identifier files use for it (an alias when it is not the path's last element)

    def __str__(self) -> str:
        _record(self)
        return self.name

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def ident(self, name: str) -> GoIdent:
        return GoIdent(self, name)

    @property
    def needs_alias(self) -> bool:
        return self.path.rsplit("/", 1)[-1] != self.name

    @property
    def is_std(self) -> bool:
        return "." not in self.path.split("/", 1)[0]


@value
class GoIdent:
    """An identifier of a package: ``altalunev1.Employee``."""

    package: GoPackage
    name: str

    def __str__(self) -> str:
        return f"{self.package}.{self.name}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


@value
class GoType:
    """A type made of an identifier: ``*altalunev1.NodeTrigger``,
    ``[]*altalunev1.NodeTrigger``. Written lazily, like ``GoIdent``, so that
    the file that writes it imports the identifier's package."""

    prefix: str  # "*", "[]*"
    ident: GoIdent

    def __str__(self) -> str:
        return f"{self.prefix}{self.ident}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


_active: contextvars.ContextVar[set[GoPackage] | None] = contextvars.ContextVar("altalune_imports", default=None)


def _record(package: GoPackage) -> None:
    used = _active.get()
    if used is not None:
        used.add(package)


@contextlib.contextmanager
def collecting() -> Iterator[set[GoPackage]]:
    """Records the packages written while the block runs (one file's body)."""
    used: set[GoPackage] = set()
    token = _active.set(used)
    try:
        yield used
    finally:
        _active.reset(token)


def import_block(used: set[GoPackage], own_path: str = "") -> str:
    """The import declaration of a file using ``used``, as goimports writes
    it: standard library first, then the rest, each group sorted by path."""
    imports = sorted((p for p in used if p.path != own_path), key=lambda p: p.path)
    if not imports:
        return ""

    def line(p: GoPackage) -> str:
        return f"{p.name} \"{p.path}\"" if p.needs_alias else f"\"{p.path}\""

    if len(imports) == 1:
        return f"import {line(imports[0])}\n"
    groups = [[p for p in imports if p.is_std], [p for p in imports if not p.is_std]]
    lines = ["import ("]
    for n, group in enumerate(g for g in groups if g):
        if n:
            lines.append("")
        lines.extend(f"\t{line(p)}" for p in group)
    lines.append(")")
    return "\n".join(lines) + "\n"


def _std(path: str) -> GoPackage:
    return GoPackage(path, path.rsplit("/", 1)[-1])


# The standard library and third-party packages the generated code uses,
# under the names it writes them with.
STD = {p.name: p for p in map(_std, (
    "context", "errors", "fmt", "maps", "math", "reflect", "slices", "strconv", "strings", "time",
    "database/sql", "net/http",
))}
THIRD_PARTY = {p.name: p for p in (
    GoPackage("connectrpc.com/connect", "connect"),
    GoPackage("google.golang.org/grpc", "grpc"),
    GoPackage("google.golang.org/grpc/codes", "codes"),
    GoPackage("google.golang.org/grpc/status", "status"),
    GoPackage("google.golang.org/protobuf/proto", "proto"),
    GoPackage("google.golang.org/protobuf/reflect/protoreflect", "protoreflect"),
    GoPackage("buf.build/go/protovalidate", "protovalidate"),
    GoPackage("google.golang.org/protobuf/types/known/timestamppb", "timestamppb"),
    GoPackage("google.golang.org/protobuf/types/known/wrapperspb", "wrapperspb"),
    GoPackage("github.com/jackc/pgx/v5/pgconn", "pgconn"),
)}
KNOWN = {**STD, **THIRD_PARTY}

FMT = STD["fmt"]
TIME = STD["time"]
TIMESTAMPPB = THIRD_PARTY["timestamppb"]
WRAPPERSPB = THIRD_PARTY["wrapperspb"]
