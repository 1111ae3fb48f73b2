"""Checks across what was built: what two entities would share, every name a
generated package and the root package would declare, the Go packages the
generated files import, and that every entity is in the run."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..diagnostics import Locatable
from ..golang import KNOWN
from ..model import Entity, Operation, Packages
from ..records import value
from .context import Context

# Struct fields and methods of the generated domain types.
RESERVED_GO_FIELDS = frozenset({"ID", "PublicID", "ProjectID", "CreatedAt", "UpdatedAt", "ToProto", "Fields"})

# Names in scope where a unique field's value is a parameter (Repo.GetBy<Field>,
# Service.uniques and the root package's already-exists constructor):
# receivers, other parameters, locals and the packages those functions use.
GENERATED_PARAMS = frozenset({"ctx", "err", "r", "s", "values", "projectID", "publicID", "errors", "codes", "fmt",
                              "context", "domainkit", "newGeneratedError"})

# What every generated domain package declares, whatever the entity.
DOMAIN_TYPES = ("Service", "Handler", "GRPCServer", "Access", "Repo", "Repositor", "NewService", "NewHandler",
                "NewGRPCServer", "NewRepo", "Schema")

# What the target's root package declares (TARGET_CONTRACT.md): generated
# root declarations must not take these names.
TARGET_ROOT_NAMES = frozenset({
    "AppError", "Logger", "ToConnectError", "NewInvalidPayloadError", "NewUnexpectedError", "NewProjectNotFound",
    "CodeInvalidPayload", "CodeProjectNotFound", "CodeUnexpected", "NewLogger", "NewJSONLogger",
})


@value
class Declaration:
    subject: str  # what in the protos it comes from: "entity Employee"; "" for a fixed name
    what: str  # what it is: "its type", "the generated Service"
    where: Locatable | None  # None: a fixed name, not in the user's protos


class Declarations:
    """The names a Go package will declare; a second declaration of a name
    is a located problem naming both. Fixed names (generated whatever the
    protos say, or the target's own) come first."""

    def __init__(self, ctx: Context, package: str):
        self.ctx = ctx
        self.package = package
        self.names: dict[str, Declaration] = {}
        self._reported: set[tuple[str, str]] = set()

    def fixed(self, name: str, what: str) -> None:
        self.names.setdefault(name, Declaration("", what, None))

    def add(self, name: str, subject: str, what: str, where: Locatable, fix: str) -> None:
        first = self.names.get(name)
        if first is None:
            self.names[name] = Declaration(subject, what, where)
            return
        if (first.subject, first.what) == (subject, what):
            return
        if first.subject and (subject, first.subject) in self._reported:
            return  # one problem for two elements whose names clash
        self._reported.add((subject, first.subject))
        other = f"{first.what} of {first.subject} ({first.where.resolve()})" if first.where else first.what
        self.ctx.problems.add(where, f"{subject}: {name} would be declared twice in Go package {self.package}, "
                                     f"as {what} and as {other}", fix)


def check_across(ctx: Context, entities: list[Entity]) -> None:
    def once(key_of: Callable[[Entity], object], what: str, fix: str) -> None:
        seen: dict[object, Entity] = {}
        for e in entities:
            key = key_of(e)
            if key in seen:
                first, second = (seen[key].name, e.name) if seen[key].name != e.name else \
                    (seen[key].full_name.lstrip("."), e.full_name.lstrip("."))
                ctx.problems.add(e.option_location, f"entities {first} and {second} have the same {what} {key!r}",
                                 fix)
            else:
                seen[key] = e

    once(lambda e: e.table, "table", "set a distinct (altalune.codegen.v1.entity).table on one of them")
    once(lambda e: e.error_code if e.error_code and not any(e.codes) else id(e), "error_code block",
         f"give each entity its own error_code block, e.g. error_code: {ctx.free_block()} (free)")
    owner: dict[str, Entity] = {}
    for e in entities:
        if not e.error_code and not any(e.codes):
            continue  # no codes at all: reported with its options
        for code in dict.fromkeys((e.not_found_code, e.already_exists_code)):
            other = owner.setdefault(code, e)
            # Two entities of one block are reported above, once; a pair whose
            # own codes meet is reported at its first shared code.
            if other is not e and (any(e.codes) or any(other.codes)):
                ctx.problems.add(e.option_location, f"entities {other.name} and {e.name} both answer error code "
                                                    f"{code}", "give each entity codes of its own")
                break
    once(lambda e: e.package, "domain package", "set a distinct (altalune.codegen.v1.entity).domain")
    once(lambda e: e.go_type, "Go name", "rename one of the messages")
    once(lambda e: e.migration_version, "migration_version", "give each entity its own migration_version")


def check_fields(ctx: Context, e: Entity) -> None:
    """Go names of the entity's fields: distinct, free of the generated
    members, and usable as parameters where they are."""
    seen: dict[str, str] = {}
    taken = GENERATED_PARAMS | {e.id_param, ctx.params.root_package}
    for f in e.fields:
        loc = f.location or e.location
        if f.go_name in RESERVED_GO_FIELDS or f.go_name == f"To{e.go_type}":
            ctx.problems.add(loc, f"entity {e.name}: field {f.name} becomes Go name {f.go_name}, "
                                  "which the generated code already uses", "rename the field")
        elif f.go_name in seen:
            ctx.problems.add(loc, f"entity {e.name}: fields {seen[f.go_name]} and {f.name} "
                                  f"both become Go name {f.go_name}", "rename one of them")
        else:
            seen[f.go_name] = f.name
        if f.unique and f.param in taken:
            ctx.problems.add(loc, f"entity {e.name}: unique field {f.name} becomes Go parameter {f.param}, "
                                  "a name the generated functions that take it already use", "rename the field")


def check_declarations(ctx: Context, entities: list[Entity], packages: Packages) -> None:
    """Every name each domain package and the root package will declare,
    generated or the target's own, is declared once."""
    root = Declarations(ctx, packages.root.path)
    for name in sorted(TARGET_ROOT_NAMES):
        root.fixed(name, f"the target's own {name}")
    for name, file in sorted(ctx.params.known_root_names.items()):
        root.fixed(name, f"the target's own {name} ({file or 'root package'}, from the root_names parameter)")
    root.fixed("newGeneratedError", "the generated errors' helper")
    rename = "rename the message"
    for e in entities:
        pkg = Declarations(ctx, e.domain.path)
        for name in DOMAIN_TYPES:
            pkg.fixed(name, f"the generated {name}")
        if e.custom_repository:
            pkg.fixed("CustomRepositor", "the repository methods of the custom RPCs")
        entity, where = f"entity {e.name}", e.location
        pkg.add(e.go_type, entity, "its type", where, rename)
        for name in (e.query_result, *(e.input_type(op) for op in _WRITES)):
            pkg.add(name, entity, f"its type {name}", where, rename)
        for name in (e.not_found_err, e.already_exists_err, e.slice_to_proto, *e.mapper.values(),
                     f"{e.private}Columns", f"select{e.go_type}", f"insert{e.go_type}",
                     f"delete{e.go_type}", f"{e.private}Query", f"{e.private}UniqueIndexes", f"scan{e.go_type}"):
            pkg.add(name, entity, f"its generated {name}", where, rename)
        for enum in e.enums:
            enum_loc = next((f.location for f in e.fields if f.enum is enum and f.location), None) or where
            subject = f"enum {enum.full_name.lstrip('.')}"
            for name in enum.declared:
                what = "its type" if name == enum.domain_type else f"its {name}"
                pkg.add(name, subject, what, enum_loc, "rename the enum")
            for v in enum.values:
                pkg.add(v.const, subject, f"the constant of its value {v.name}", enum_loc,
                        "rename the enum or the value")
        for f in e.unique:
            pkg.add(f.exists_err, f"field {e.name}.{f.name}", "its already-exists error", f.location or where,
                    "rename the field")
        for k in e.unique_keys:
            pkg.add(k.exists_err, f"unique key {e.name}[{k.name}]", "its already-exists error", e.option_location,
                    "reorder or rename its fields")
            root.add(k.exists_ctor, f"unique key {e.name}[{k.name}]", "its already-exists error", e.option_location,
                     "reorder or rename its fields")
        for c in e.unique_server_columns:
            pkg.add(c.exists_err, f"server-side column {e.name}.{c.name}", "its already-exists error",
                    e.option_location, "rename the column")
            root.add(c.exists_ctor, f"server-side column {e.name}.{c.name}", "its already-exists error",
                     e.option_location, "rename the column")
        if e.service:
            for rpc in e.service.rpcs:
                pkg.add(rpc.rule, f"rpc {e.service.name}.{rpc.name}", "its access rule", where, "rename the rpc")
                if rpc.mask:
                    pkg.add(rpc.mask.var, f"rpc {e.service.name}.{rpc.name}", "the paths of its FieldMask", where,
                            "rename the rpc")
        root_rename = (f'give its root names another stem with error_name (e.g. error_name: "{e.go_type}Entity"), '
                       "or rename the hand-written one")
        root.add(e.code_not_found, entity, "its not-found code", e.option_location, root_rename)
        root.add(e.code_already_exists, entity, "its already-exists code", e.option_location, root_rename)
        root.add(e.not_found_ctor, entity, "its not-found error", e.option_location, root_rename)
        for f in e.unique:
            root.add(f.exists_ctor, f"field {e.name}.{f.name}", "its already-exists error",
                     f.location or e.option_location, "rename the field")


_WRITES = (Operation.CREATE, Operation.UPDATE, Operation.DELETE)


def check_package_names(ctx: Context, packages: Packages, generating: Iterable[str]) -> None:
    """The generated files refer to each imported package by one name: a
    proto file's Go package must not take a name another package has."""
    taken = {name: p.path for name, p in KNOWN.items()}
    for p in (packages.root, packages.postgres, packages.query, packages.nanoid, packages.project, packages.kit):
        taken[p.name] = p.path
    generating = set(generating)
    # Imported files first: a clash is reported at a file being generated.
    used = ctx.go_packages_used
    for file_name in sorted(used, key=lambda n: (n in generating, n)):
        package = used[file_name]
        if package is None:
            continue
        for name, path in ((package.name, package.path),
                           (f"{package.name}connect", f"{package.path}/{package.name}connect")):
            other = taken.setdefault(name, path)
            if other != path:
                suggestion = re.sub(r"[^a-z0-9]", "", "".join(package.path.lower().split("/")[-2:]))
                ctx.problems.add(
                    ctx.ds.files[file_name].source.header,
                    f"the Go package of {file_name}, {path}, would be imported as {name}, "
                    f"the name of {other} in the generated code",
                    f'give it another name in its go_package, e.g. "{package.path};{suggestion}", '
                    f"or in an M{file_name}= parameter",
                )
                break


def check_one_run(ctx: Context) -> None:
    """Registration, error codes and the partitioned-table list aggregate
    every entity, so every entity must be in one run. An entity in an
    imported file that is not being generated means the run was split,
    e.g. by buf's `strategy: directory`, and each part would write its own
    conflicting copy of the aggregated files."""
    generating = set(ctx.request.file_to_generate)
    for name, file in sorted(ctx.ds.files.items()):
        if name in generating:
            continue
        for msg in file.messages:
            if ctx.options.entity(msg):
                ctx.problems.add(
                    msg.location,
                    f"entity {msg.name} is imported but not generated in this run; protoc-gen-altalune "
                    "writes files that aggregate every entity, so it needs all of them in one run",
                    "set `strategy: all` on the plugin in buf.gen.yaml (or pass every annotated file "
                    "to one protoc call)",
                )

