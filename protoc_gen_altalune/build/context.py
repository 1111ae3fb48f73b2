"""What every part of the build shares: the request's descriptors and
options, the parameters, the problems found so far, and the Go packages of
the request's files."""

from __future__ import annotations

import re

from google.protobuf.compiler import plugin_pb2

from .. import conventions, naming
from ..descriptors import DescriptorSet, EnumDesc, FileDesc, MessageDesc
from ..diagnostics import Problems
from ..golang import GoIdent, GoPackage
from ..options import OptionReader
from ..params import Params


class Context:
    def __init__(self, request: plugin_pb2.CodeGeneratorRequest, params: Params):
        self.request = request
        self.params = params
        self.ds = DescriptorSet(request)
        self.options = OptionReader(request)
        self.problems = Problems()
        self._go_packages: dict[str, GoPackage | None] = {}
        self._blocks_taken: set[int] | None = None
        # Field numbers of our extensions in the request's options.proto,
        # where an option statement is located.
        self.entity_ext = self.options.extension_number("entity")
        self.field_ext = self.options.extension_number("field")
        self.enum_value_ext = self.options.extension_number("enum_value")
        self.service_ext = self.options.extension_number("service")
        self.method_ext = self.options.extension_number("method")

    @property
    def to_generate(self) -> list[FileDesc]:
        """The files to generate, by name: the order protoc or buf list them
        in changes nothing."""
        return [self.ds.files[name] for name in sorted(self.request.file_to_generate)]

    # --- Go packages of proto files ---------------------------------------------------

    def go_package(self, file: FileDesc) -> GoPackage | None:
        if file.name not in self._go_packages:
            spec = self.params.mappings.get(file.name) or file.go_package_option
            package = None
            if spec:
                path, _, name = spec.partition(";")
                if not name:
                    name = re.sub(r"[^A-Za-z0-9_]", "_", path.rsplit("/", 1)[-1])
                package = GoPackage(path=path, name=name)
            self._go_packages[file.name] = package
        return self._go_packages[file.name]

    def require_go_package(self, file: FileDesc) -> GoPackage:
        package = self.go_package(file)
        if package is None:
            self.problems.add(
                file.source.package_or_syntax,
                "the file has no Go import path",
                'add `option go_package = "<module>/gen/<path>;<name>";` or pass M'
                f"{file.name}=<importpath> as a plugin parameter",
            )
            return GoPackage(path="invalid", name="invalid")
        return package

    @property
    def go_packages_used(self) -> dict[str, GoPackage | None]:
        """The Go package of every file the build has looked one up for."""
        return dict(self._go_packages)

    @property
    def proto_packages(self) -> list[GoPackage]:
        return sorted({p for p in self._go_packages.values() if p})

    def file_of(self, element: MessageDesc | EnumDesc) -> FileDesc:
        return self.ds.files[element.file.name]

    def qualified(self, element: MessageDesc | EnumDesc) -> GoIdent:
        """The Go type protoc-gen-go declares for a message or enum: GoCamelCase
        of its dotted local name (Outer.Inner -> Outer_Inner, Outer.inner ->
        OuterInner), in its file's package."""
        return self.require_go_package(self.file_of(element)).ident(naming.go_camel_case(element.local))

    # --- error-code blocks --------------------------------------------------------

    def free_block(self) -> int:
        """The first error-code block no entity of the request claims: 601-698
        by convention, else anywhere in 100-999."""
        if self._blocks_taken is None:
            self._blocks_taken = set(conventions.RESERVED_BLOCKS)
            for file in self.ds.files.values():
                for msg in file.all_messages():
                    opts = self.options.entity(msg)
                    if opts:
                        self._blocks_taken.add(opts.error_code)
        candidates = [*conventions.CONVENTIONAL_BLOCKS,
                      *range(conventions.MIN_BLOCK, conventions.MAX_BLOCK + 1)]
        return next((b for b in candidates if b not in self._blocks_taken), 0)
