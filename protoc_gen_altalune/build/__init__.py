"""Descriptors and options -> the typed model, with every problem located.

Conventions fill in whatever the options leave unsaid; everything that cannot
become correct Go is refused here, with the place and the fix, before a
single template runs. The steps:

1. ``entities``: each annotated message and its stored fields' columns;
2. ``services``: which entity each service serves, what each RPC does,
   carries and requires of its caller;
3. here: the model objects, each made once and complete (a field's writes
   and width need the requests that write it);
4. ``checks``: what entities would share, every name the generated packages
   declare, the Go packages imported, that the run holds every entity.
"""

from __future__ import annotations

from google.protobuf.compiler import plugin_pb2
from google.protobuf.descriptor_pb2 import FieldDescriptorProto as FDP

from .. import naming
from ..diagnostics import InvalidInput
from ..golang import GoPackage
from ..model import Child, Entity, Field, Model, Operation, Packages, Rpc, Service, UniqueKey, UpdateMask
from ..params import Params
from ..records import replace
from . import checks, evolution, references
from .context import Context
from .entities import EntityReader, EntitySpec
from .fields import make_field
from .services import RpcPlan, ServiceBinder, ServicePlan


def build(request: plugin_pb2.CodeGeneratorRequest, params: Params) -> Model:
    ctx = Context(request, params)
    reader = EntityReader(ctx)
    specs = [spec for file in ctx.to_generate for spec in reader.entities_of(file)]
    refs = references.resolve(ctx, specs)
    plans: dict[str, ServicePlan] = {}
    binder = ServiceBinder(ctx, frozenset((parent.full_name, child) for (child, _), parent in refs.items()))
    for file in ctx.to_generate:
        binder.bind(file, specs, plans)
    packages = _packages(ctx, specs) if specs else None
    entities = [_entity(ctx, spec, plans.get(spec.full_name), packages, refs) for spec in specs] if packages else []
    entities = _with_children(entities)
    checks.check_across(ctx, entities)
    for e in entities:
        checks.check_fields(ctx, e)
    evolution.check(ctx, entities)
    if specs:
        checks.check_one_run(ctx)
    if packages:
        checks.check_declarations(ctx, entities, packages)
        checks.check_package_names(ctx, packages, request.file_to_generate)
    if ctx.problems:
        raise InvalidInput(ctx.problems)
    assert packages is not None or not entities
    sources = sorted({e.file for e in entities} | {e.service.file for e in entities if e.service})
    return Model(
        entities=tuple(entities),
        packages=packages,  # type: ignore[arg-type]  # None only without entities, when nothing is rendered
        sources=tuple(sources),
        proto_packages=tuple(ctx.proto_packages),
    )


def _with_children(entities: list[Entity]) -> list[Entity]:
    """Each entity with the entities that reference it."""
    by_table = {e.table: e for e in entities}
    children: dict[str, list[Child]] = {}
    for e in entities:
        for f in e.references:
            children.setdefault(by_table[f.parent_table].full_name, []).append(Child(e, f))
    return [replace(e, children=tuple(children.get(e.full_name, ()))) if e.full_name in children else e
            for e in entities]


def _entity(ctx: Context, spec: EntitySpec, plan: ServicePlan | None, packages: Packages,
            refs: references.References) -> Entity:
    history = _fields(spec, plan, packages, refs)
    fields = [f for f in history if not f.dropped_in]
    by_name = {f.name: f for f in fields}
    _check_secret_response(ctx, spec, plan)
    service = _service(ctx, spec, plan, packages, by_name) if plan else None
    return Entity(
        name=spec.name,
        full_name=spec.full_name,
        file=spec.file.name,
        go_type=spec.go_type,
        proto_type=ctx.qualified(spec.desc),
        snake=spec.snake,
        human=naming.human(spec.name),
        human_one=naming.human_lower(spec.name),
        human_plural=naming.human_lower(spec.plural),
        plural=spec.plural,
        domain=GoPackage(ctx.params.import_path(spec.dir), f"{spec.package}_domain"),
        package=spec.package,
        dir=spec.dir,
        table=spec.table,
        partitioned=spec.partitioned,
        error_code=spec.error_code,
        codes=spec.codes,
        error_name=spec.error_name,
        default_sort=spec.default_sort,
        migration_version=spec.migration_version,
        fields=tuple(fields),
        has_created_at=spec.has_created_at,
        has_updated_at=spec.has_updated_at,
        id_proto_go=spec.proto_go.get(spec.id_field, "Id"),
        hooks=spec.hooks,
        service=service,
        location=spec.desc.location,
        option_location=spec.option_location,
        history=tuple(history),
        adopt=spec.options.adopt,
        deployed=tuple(evolution.parse_deployed(d) for d in spec.options.deployed),
        server_columns=spec.columns,
        singleton=spec.singleton,
        unique_keys=tuple(UniqueKey(tuple(by_name[n] for n in names), spec.table, spec.error_name, added_in,
                                    spec.option_location, index_name)
                          for names, added_in, index_name in spec.unique_keys),
    )


def _check_secret_response(ctx: Context, spec: EntitySpec, plan: ServicePlan | None) -> None:
    """The Create response has the `string` field a secret is returned in."""
    create = next((r for r in plan.rpcs if r.operation is Operation.CREATE), None) if plan else None
    for c in spec.columns:
        if not (c.secret and c.response_field and create):
            continue
        fd = create.response.field(c.response_field)
        if fd is None or fd.type != FDP.TYPE_STRING or fd.repeated:
            where = create.response.location_of(c.response_field) if fd else create.response.location
            ctx.problems.add(where, f"entity {spec.name}: server-side column {c.name} returns its secret in "
                                    f"{create.response.name}.{c.response_field}, which is not a `string` field",
                             f"add `string {c.response_field} = <n>;` to {create.response.name}")


def _fields(spec: EntitySpec, plan: ServicePlan | None, packages: Packages,
            refs: references.References) -> list[Field]:
    """The entity's fields with their writes: without a Create (Update) RPC
    to say which fields it writes, the repository's input carries every
    (every mutable) field."""
    creates = plan.writes(Operation.CREATE) if plan else None
    updates = plan.writes(Operation.UPDATE) if plan else None
    fields = []
    for f in spec.history:
        stored = not f.options.dropped_in
        in_create = stored and (creates is None or any(w.name == f.name for w in creates))
        in_update = stored and not f.immutable and (updates is None or any(w.name == f.name for w in updates))
        limits = [w.max_len for w in creates or () if w.name == f.name] if in_create else []
        limits += [w.max_len for w in updates or () if w.name == f.name] if in_update else []
        field = make_field(f, proto_go=spec.proto_go[f.name], table=spec.table, entity_go=spec.error_name,
                           kit=packages.kit, in_create=in_create, in_update=in_update, writer_limits=limits)
        parent = refs.get((spec.full_name, f.name))
        if parent is not None:
            field = replace(field, parent=parent.go_type, parent_table=parent.table)
        fields.append(field)
    return fields


def _service(ctx: Context, spec: EntitySpec, plan: ServicePlan, packages: Packages,
             fields: dict[str, Field]) -> Service:
    proto = ctx.require_go_package(plan.file)
    connect = GoPackage(f"{proto.path}/{proto.name}connect", f"{proto.name}connect")
    name = naming.go_camel_case(plan.desc.name)
    rpcs = tuple(
        Rpc(
            name=r.name,
            operation=r.operation,
            request=ctx.qualified(r.request),
            response=ctx.qualified(r.response),
            procedure=connect.ident(f"{name}{r.name}Procedure"),
            access=r.access,
            id_getter=r.id_getter,
            project_getter=r.project_getter,
            entity_field=r.entity_field,
            has_message=r.has_message,
            has_meta=r.has_meta,
            fields=tuple(fields[w.name] for w in r.writes if w.name in fields),
            mask=_mask(spec, r, fields) if r.mask else None,
            presence=tuple(w.name for w in r.writes if w.presence and w.name in fields),
            clears={w.name: r.request_go[w.clear] for w in r.writes if w.clear and w.name in fields},
            children=r.children,
            fill=r.fill,
            cursor=r.cursor,
            next_cursor=r.next_cursor,
            request_go=r.request_go,
            response_go=r.response_go,
        )
        for r in plan.rpcs
    )
    return Service(
        name=name,
        file=plan.file.name,
        server_iface=proto.ident(f"{name}Server"),
        unimplemented=proto.ident(f"Unimplemented{name}Server"),
        unsafe=proto.ident(f"Unsafe{name}Server"),
        register=proto.ident(f"Register{name}Server"),
        connect_handler=connect.ident(f"New{name}Handler"),
        connect_iface=connect.ident(f"{name}Handler"),
        resource=plan.resource,
        rpcs=rpcs,
    )


def _mask(spec: EntitySpec, rpc: RpcPlan, fields: dict[str, Field]) -> UpdateMask:
    """The paths the FieldMask of an Update request may name: the fields it
    writes, by proto or JSON name; those of the entity's immutable fields,
    its identifiers and its timestamps are refused as immutable, any other
    as unknown."""
    assert rpc.mask
    paths: dict[str, str] = {}
    for w in rpc.writes:
        f = fields.get(w.name)
        if f is not None and f.in_update:
            paths.setdefault(f.name, f.name)
            paths.setdefault(f.json_name, f.name)
    fixed = ["id", spec.id_field, f"{spec.snake}_id", "created_at", "updated_at"]
    fixed += ["project_id"] if spec.partitioned else []
    immutable = {p for name in fixed for p in (name, naming.lower_camel(name))}
    immutable |= {p for f in fields.values() if f.immutable for p in (f.name, f.json_name)}
    return UpdateMask(
        field=rpc.mask,
        getter="Get" + rpc.request_go[rpc.mask],
        var=naming.go_private_name(f"{rpc.name}Mask"),
        paths=tuple(sorted(paths.items())),
        immutable=tuple(sorted(immutable - paths.keys())),
    )


def _packages(ctx: Context, specs: list[EntitySpec]) -> Packages | None:
    """The infrastructure's packages, and the package of the common messages
    (ErrorDetail, QueryRequest, ...): the one beside the entities when there
    are several. The templates name the infrastructure packages as the
    target does; wherever the parameters put them, the import gets that name
    as alias."""
    p = ctx.params
    candidates = sorted(name for name in ctx.ds.messages if name.endswith(".ErrorDetail"))
    beside = [n for n in candidates if any(n.rsplit(".", 1)[0] == s.full_name.rsplit(".", 1)[0] for s in specs)]
    chosen = (beside or candidates or [""])[0]
    if not chosen:
        ctx.problems.add(specs[0].desc.location,
                         "message ErrorDetail (from altalune/v1/common.proto) is not among the request's files",
                         "put altalune/v1/common.proto in the run: buf generate with strategy: all sends every "
                         "file of the module; with protoc, list it among the files to generate. It need not be "
                         "imported by the entity's file (an import from another package could make a Go import "
                         "cycle)")
        return None
    proto = ctx.require_go_package(ctx.file_of(ctx.ds.messages[chosen]))
    return Packages(
        root=GoPackage(p.import_path(p.errors_dir), p.root_package),
        postgres=GoPackage(p.import_path(p.postgres_pkg), "postgres"),
        query=GoPackage(p.import_path(p.query_pkg), "query"),
        nanoid=GoPackage(p.import_path(p.nanoid_pkg), "nanoid"),
        project=GoPackage(p.import_path(p.project_pkg), "project_domain"),
        kit=GoPackage(p.import_path(p.kit_dir), "domainkit"),
        proto=proto,
        connect=GoPackage(f"{proto.path}/{proto.name}connect", f"{proto.name}connect"),
    )
