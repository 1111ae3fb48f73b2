"""Services: which entity each serves, the operation each RPC plays, what
its request and response carry, and what its caller needs."""

from __future__ import annotations

import re
from collections.abc import Callable

from google.protobuf.descriptor_pb2 import FieldDescriptorProto as FDP

from .. import conventions, naming
from ..descriptors import FieldDesc, FileDesc, MessageDesc, MethodDesc, PendingLocation, ServiceDesc
from ..model import Access, Operation, Presence
from ..options import MethodOptions, ServiceOptions
from ..records import field, record, replace, value
from .context import Context
from .entities import EntitySpec, proto_go_names

ACTION = re.compile(r"[a-z][a-z0-9_-]*")
RESOURCE = re.compile(r"[a-z][a-z0-9_]*")
PERMISSION = re.compile(rf"{RESOURCE.pattern}:{ACTION.pattern}")


@value
class Write:
    """An entity field a Create or Update request carries."""

    name: str
    max_len: int | None  # its buf.validate string length limit
    presence: bool = False  # an `optional` request field of a plain entity field: written only when set
    clear: str = ""  # Update: its `bool clear_<field>` writing NULL (then the field is written only when set)


@record
class RpcPlan:
    method: MethodDesc
    operation: Operation
    request: MessageDesc
    response: MessageDesc
    access: Access
    id_getter: str | None = None
    project_getter: str | None = None
    entity_field: str | None = None
    has_message: bool = False
    has_meta: bool = False
    writes: tuple[Write, ...] = ()  # Create/Update: the entity fields the request carries
    mask: str | None = None  # Update: the request's google.protobuf.FieldMask field
    children: tuple[tuple[str, str], ...] = ()  # Get: (response field's Go name, child entity) it lists
    fill: bool = False  # the service calls Fill<Rpc> of your own before answering
    cursor: str | None = None  # Query: the getter of the request's cursor field (GetCursor)
    next_cursor: str | None = None  # ...and the Go name of the response's next-cursor field (NextCursor)
    request_go: dict[str, str] = field(default_factory=dict)  # protoc-gen-go names of the request's fields
    response_go: dict[str, str] = field(default_factory=dict)  # ...and of the response's

    @property
    def name(self) -> str:
        return naming.go_camel_case(self.method.name)


@record(frozen=False)
class ServicePlan:
    desc: ServiceDesc
    file: FileDesc
    options: ServiceOptions
    resource: str
    rpcs: list[RpcPlan] = field(default_factory=list)

    def writes(self, operation: Operation) -> tuple[Write, ...] | None:
        """What the RPC of the operation writes; None without such an RPC."""
        rpc = next((r for r in self.rpcs if r.operation is operation), None)
        return rpc.writes if rpc else None


class ServiceBinder:
    def __init__(self, ctx: Context, children: frozenset[tuple[str, str]] = frozenset()):
        self.ctx = ctx
        self.children = children  # (parent full name, child full name)

    def bind(self, file: FileDesc, entities: list[EntitySpec], plans: dict[str, ServicePlan]) -> None:
        """Ties the services of ``file`` to the entities they serve, into
        ``plans`` (by entity full name)."""
        by_name = {e.full_name: e for e in entities}
        for svc in file.services:
            opts = self.ctx.options.service(svc)
            if opts.handwritten:
                continue
            entity = None
            if opts.entity:
                entity = self._find(opts.entity, file.package, by_name)
                if entity is None:
                    self.ctx.problems.add(svc.option_location(self.ctx.service_ext),
                                          f"service {svc.name} names entity {opts.entity!r}, which is not an entity "
                                          "in the files being generated",
                                          "name a message that has the (altalune.codegen.v1.entity) option")
                    continue
            elif svc.name.endswith("Service"):
                entity = self._find(svc.name.removesuffix("Service"), file.package, by_name)
            if entity is None:
                self._check_unbound(svc, entities)
                continue
            if entity.full_name in plans:
                self.ctx.problems.add(svc.location, f"entity {entity.name} is served by both "
                                                    f"{plans[entity.full_name].desc.name} and {svc.name}",
                                      "keep one service per entity; move other RPCs to a service of their own")
                continue
            plans[entity.full_name] = self._service(file, svc, entity, opts)

    @staticmethod
    def _find(name: str, package: str, by_name: dict[str, EntitySpec]) -> EntitySpec | None:
        name = name.lstrip(".")
        for candidate in (f".{package}.{name}" if package else f".{name}", f".{name}"):
            if candidate in by_name:
                return by_name[candidate]
        return None

    def _check_unbound(self, svc: ServiceDesc, entities: list[EntitySpec]) -> None:
        """A service tied to no entity is left alone, unless its RPCs are
        named like an entity's CRUD operations: then it was meant to serve
        that entity, and generating nothing for it would leave every call
        unimplemented."""
        for entity in entities:
            crud = conventions.conventional_operations(entity.name, entity.plural)
            matched = [m.name for m in svc.methods if m.name in crud]
            if matched:
                self.ctx.problems.add(
                    svc.location,
                    f"service {svc.name} is tied to no entity, but its RPCs {', '.join(matched)} are named like "
                    f"the CRUD operations of entity {entity.name}",
                    f'tie it with option (altalune.codegen.v1.service) = {{entity: "{entity.name}"}}, or mark it '
                    "{handwritten: true} if you implement it yourself",
                )
                return

    def _service(self, file: FileDesc, svc: ServiceDesc, entity: EntitySpec, opts: ServiceOptions) -> ServicePlan:
        self.ctx.require_go_package(file)
        resource = opts.resource or entity.package
        if not RESOURCE.fullmatch(resource):
            self.ctx.problems.add(svc.option_location(self.ctx.service_ext),
                                  f"service {svc.name}: resource {resource!r} is not lower-case letters, digits and "
                                  "underscores",
                                  f'set (altalune.codegen.v1.service).resource to e.g. "{entity.package}"')
            resource = entity.package
        plan = ServicePlan(desc=svc, file=file, options=opts, resource=resource)
        conventional = conventions.conventional_operations(entity.name, entity.plural)
        seen: dict[Operation, str] = {}
        for method in svc.methods:
            mopts = self.ctx.options.method(method)
            explicit = Operation(mopts.operation) if mopts.operation in Operation._value2member_map_ else None
            op = explicit or conventional.get(method.name, Operation.CUSTOM)
            if method.streams:
                self.ctx.problems.add(method.location, f"rpc {svc.name}.{method.name} streams; entity services hold "
                                                       "unary RPCs only",
                                      "move the streaming RPC to a service of its own")
                continue
            if entity.singleton and op not in (Operation.GET, Operation.UPDATE, Operation.CUSTOM):
                self.ctx.problems.add(method.location, f"rpc {svc.name}.{method.name}: entity {entity.name} is a "
                                                       f"singleton (one row per project), which has no {op} operation",
                                      f"remove it: Get{entity.name} and Update{entity.name} name the project alone "
                                      "(or set (altalune.codegen.v1.method).operation = OPERATION_CUSTOM to "
                                      "implement it yourself)")
                continue
            if op is not Operation.CUSTOM and op in seen:
                self.ctx.problems.add(method.location, f"rpc {svc.name}.{method.name} is a second {op} operation "
                                                       f"(after {seen[op]})",
                                      "set (altalune.codegen.v1.method).operation = OPERATION_CUSTOM on one of them")
                continue
            if explicit is None and op is Operation.CUSTOM and self._looks_like_query(method):
                self.ctx.problems.add(
                    method.location,
                    f"rpc {svc.name}.{method.name} has the shape of {entity.name}'s Query, but with plural "
                    f"{entity.plural!r} that Query is named Query{entity.plural}",
                    f'set plural: "{method.name.removeprefix("Query")}" in {entity.name}\'s '
                    "(altalune.codegen.v1.entity) option, or set (altalune.codegen.v1.method).operation on the RPC "
                    "(OPERATION_QUERY, or OPERATION_CUSTOM to implement it yourself)",
                )
                continue
            seen[op] = method.name
            rpc = self._rpc(entity, svc, method, op)
            if rpc:
                access = self._access(entity, svc, opts, method, mopts, op, resource)
                plan.rpcs.append(replace(rpc, access=access))
        return plan

    def _looks_like_query(self, method: MethodDesc) -> bool:
        """An RPC named Query<something> whose request carries a QueryRequest."""
        if not method.name.startswith("Query") or method.name == "Query":
            return False
        request = self.ctx.ds.messages.get(method.proto.input_type)
        return request is not None and any(f.type_name.endswith(".QueryRequest") for f in request.fields)

    def _access(self, entity: EntitySpec, svc: ServiceDesc, sopts: ServiceOptions, method: MethodDesc,
                mopts: MethodOptions, op: Operation, resource: str) -> Access:
        """What the RPC requires of its caller: the permission its options
        or the conventions give, and membership of the request's project for
        a partitioned entity."""
        problems = self.ctx.problems
        where = method.option_location(self.ctx.method_ext)
        what = f"rpc {svc.name}.{method.name}"
        permission = mopts.permission
        if mopts.public and permission:
            problems.add(where, f"{what} is public and also requires permission {permission!r}",
                         "remove either public or permission from its options")
            return Access(permission=None, project=False)
        # A permission the RPC states overrides its service being public.
        if mopts.public or (sopts.public and not permission):
            return Access(permission=None, project=False)
        if permission and not (PERMISSION if ":" in permission else ACTION).fullmatch(permission):
            problems.add(where, f"{what}: permission {permission!r} is neither an action nor "
                                '"<resource>:<action>"',
                         'use lower-case letters, digits, "_" and "-", e.g. permission: "write" or '
                         'permission: "billing:approve"')
            return Access(permission=None, project=False)
        permission = permission or conventions.DEFAULT_ACTIONS.get(op, "")
        if not permission:
            problems.add(
                method.location,
                f"{what} is a custom RPC and says nothing of who may call it",
                f'declare what its caller needs with option (altalune.codegen.v1.method) = {{permission: "<action>"}} '
                f'(e.g. "read" requires {resource}:read), or {{public: true}} to serve it to any caller',
            )
            return Access(permission=None, project=False)
        if ":" not in permission:
            permission = f"{resource}:{permission}"
        project = entity.partitioned
        request = self.ctx.ds.messages.get(method.proto.input_type)
        if project and op is Operation.CUSTOM and request is not None and not _is_string(request.field("project_id")):
            problems.add(
                method.location,
                f"{what}: {request.name} has no `string project_id`, so the caller's membership of the "
                f"project cannot be checked for partitioned entity {entity.name}",
                f"add `string project_id = <n>;` to {request.name}, or make the RPC public "
                "(option (altalune.codegen.v1.method) = {public: true}) and check access in its implementation",
            )
        return Access(permission=permission, project=project)

    def _rpc(self, entity: EntitySpec, svc: ServiceDesc, method: MethodDesc, op: Operation) -> RpcPlan | None:
        """The RPC's request and response as its operation needs them; its
        access is filled in by the caller."""
        req = self.ctx.ds.messages[method.proto.input_type]
        res = self.ctx.ds.messages[method.proto.output_type]
        access = Access(permission=None, project=False)
        mopts = self.ctx.options.method(method)
        if op is not Operation.QUERY and (mopts.cursor_field or mopts.next_cursor_field):
            self.ctx.problems.add(method.option_location(self.ctx.method_ext),
                                  f"rpc {svc.name}.{method.name} is a {op} operation, but cursor_field and "
                                  "next_cursor_field name the cursor fields of a Query",
                                  "remove them from its (altalune.codegen.v1.method) option")
        if op is Operation.CUSTOM and mopts.fill:
            self.ctx.problems.add(method.option_location(self.ctx.method_ext),
                                  f"rpc {svc.name}.{method.name} is custom: your method answers it whole, so fill "
                                  "does not apply", "remove fill: true")
        if op is Operation.CUSTOM:
            getter = None
            if _is_string(req.field("project_id")):
                getter = "Get" + proto_go_names(req)["project_id"]
            return RpcPlan(method=method, operation=op, request=req, response=res, access=access,
                           project_getter=getter)
        ok = True

        def at(message: MessageDesc, field_name: str | None = None) -> PendingLocation:
            """The request's or response's field (else the message itself), or
            the rpc when the file has no source info."""
            where = message.location_of(field_name) if field_name else message.location
            return where if where.resolve().line else method.location

        def missing(where: PendingLocation, message: str, fix: str) -> None:
            nonlocal ok
            ok = False
            self.ctx.problems.add(where, f"rpc {svc.name}.{method.name} ({op} {entity.name}): {message}", fix)

        req_go, res_go = proto_go_names(req), proto_go_names(res)
        project_getter = id_getter = entity_field = None
        cursor = next_cursor = None
        if entity.partitioned:
            if not _is_string(req.field("project_id")):
                missing(at(req, "project_id"),
                        f"{req.name} has no `string project_id`, which partitioned entity {entity.name} needs",
                        f"add `string project_id = <n>;` to {req.name}, or set partitioned: false on {entity.name}")
            else:
                project_getter = "Get" + req_go["project_id"]
        if op in (Operation.GET, Operation.UPDATE, Operation.DELETE) and not entity.singleton:
            id_name = next((n for n in (f"{entity.snake}_id", entity.id_field, "id") if req.field(n)), None)
            if id_name is None or not _is_string(req.field(id_name)):
                missing(at(req, id_name or f"{entity.snake}_id"),
                        f"{req.name} has no `string {entity.snake}_id` (the {entity.name}'s public ID)",
                        f"add `string {entity.snake}_id = <n>;` to {req.name}")
            else:
                id_getter = "Get" + req_go[id_name]
        writes: list[Write] = []
        mask: str | None = None
        clears: dict[str, str] = {}  # field -> its clear flag in the request
        if op in (Operation.CREATE, Operation.UPDATE):
            by_name = {f.name: f for f in entity.fields}
            for fd in req.fields:
                if fd.name in ("project_id", f"{entity.snake}_id", entity.id_field, "id"):
                    continue
                cleared = fd.name.removeprefix("clear_")
                if op is Operation.UPDATE and fd.name != cleared and cleared in by_name and fd.name not in by_name:
                    target = by_name[cleared]
                    if not target.nullable:
                        missing(at(req, fd.name), f"{req.name}.{fd.name} would clear {entity.name}.{cleared}, which "
                                                  "is not nullable (it has no NULL to write)",
                                f"remove {fd.name}, or make {entity.name}.{cleared} optional")
                    elif fd.type != FDP.TYPE_BOOL or fd.repeated or fd.proto3_optional:
                        missing(at(req, fd.name), f"{req.name}.{fd.name} is not a plain `bool` (a clear flag)",
                                f"declare it `bool {fd.name} = {fd.number};`")
                    elif req.field(cleared) is None:
                        missing(at(req, fd.name), f"{req.name}.{fd.name} clears {cleared}, which {req.name} does not "
                                                  "carry", f"add {cleared} to {req.name} as in {entity.name}, or "
                                                           f"remove {fd.name}")
                    else:
                        clears[cleared] = fd.name
                    continue
                if fd.type_name == conventions.FIELD_MASK and not fd.repeated:
                    if op is Operation.CREATE:
                        missing(at(req, fd.name), f"{req.name}.{fd.name} is a google.protobuf.FieldMask, but a "
                                                  "create writes every field its request carries",
                                f"remove it from {req.name}; a FieldMask belongs in the Update request")
                    elif mask is not None:
                        missing(at(req, fd.name), f"{req.name} has two google.protobuf.FieldMask fields, {mask} and "
                                                  f"{fd.name}, and an update writes the fields of one",
                                f"keep one of them: remove {fd.name} (or {mask}) from {req.name}")
                    else:
                        mask = fd.name
                    continue
                spec = by_name.get(fd.name)
                dropped = next((f for f in entity.history if f.name == fd.name and f.options.dropped_in), None)
                if dropped is not None:
                    missing(at(req, fd.name), f"{req.name}.{fd.name}: the column of {entity.name}.{fd.name} is "
                                              f"dropped in version {dropped.options.dropped_in}",
                            f"remove it from {req.name} (reserve its number)")
                    continue
                if spec is None:
                    missing(at(req, fd.name), f"{req.name}.{fd.name} is not a stored field of {entity.name}",
                            f"remove it from {req.name}, or add it to {entity.name}; "
                            "for values handled by hand use a custom RPC")
                    continue
                presence = op is Operation.UPDATE and spec.matches(fd, as_presence=True)
                if not presence and not spec.matches(fd):
                    missing(at(req, fd.name), f"{req.name}.{fd.name} does not have the type of {entity.name}.{fd.name}",
                            f"declare it exactly as in {entity.name}"
                            + (" (in an Update request, `optional` also works: unset keeps the stored value)"
                               if op is Operation.UPDATE and spec.presence is Presence.NONE
                               and not spec.desc.repeated else ""))
                    continue
                writes.append(Write(fd.name, self.ctx.options.validate(fd).max_len, presence))
            if clears and mask:
                missing(at(req, mask), f"{req.name} has clear flags ({', '.join(sorted(clears.values()))}) and a "
                                       f"FieldMask, which names a field to clear by itself",
                        f"remove the clear flags, or {mask}")
            writes = [replace(w, presence=True, clear=clears[w.name]) if w.name in clears else w
                      for w in writes]
        if op in (Operation.CREATE, Operation.GET, Operation.UPDATE):
            ef = next((f for f in res.fields if f.type_name == entity.full_name and not f.repeated), None)
            if ef is None:
                missing(at(res), f"{res.name} has no `{entity.name} {entity.snake}` field to carry the result",
                        f"add `{entity.name} {entity.snake} = 1;` to {res.name}")
            else:
                entity_field = res_go[ef.name]
        has_message = has_meta = False
        if op in (Operation.CREATE, Operation.UPDATE, Operation.DELETE):
            has_message = _is_string(res.field("message"))
        if op is Operation.LIST:
            for fd in req.fields:
                if fd.name != "project_id" or not entity.partitioned:
                    missing(at(req, fd.name), f"{req.name}.{fd.name} is not read by the generated list, which "
                                              "answers every row" + (" of the project" if entity.partitioned else ""),
                            f"remove it from {req.name} (to search, filter or page, use Query{entity.plural}), or set "
                            "(altalune.codegen.v1.method).operation = OPERATION_CUSTOM to implement it yourself")
            lists = [f for f in res.fields if f.type_name == entity.full_name and f.repeated]
            if len(lists) != 1:
                missing(at(res, lists[1].name if lists else entity.plural.lower()),
                        f"{res.name} has {'no' if not lists else 'more than one'} `repeated {entity.name}` field "
                        "to carry the list",
                        f"add `repeated {entity.name} {naming.snake(entity.plural)} = <n>;` to {res.name}"
                        if not lists else "keep exactly one")
            else:
                entity_field = res_go[lists[0].name]
        if op is Operation.QUERY:
            qf = req.field("query")
            if qf is None or not qf.type_name.endswith(".QueryRequest"):
                missing(at(req, "query"), f"{req.name} has no `QueryRequest query` field",
                        f"add `QueryRequest query = <n>;` (from altalune/v1/common.proto) to {req.name}")
            # The list: the response's one `repeated <Entity>` field, whatever
            # its name (data by convention; clients, items, ...).
            lists = [f for f in res.fields if f.type_name == entity.full_name and f.repeated]
            if len(lists) != 1:
                missing(at(res, lists[1].name if lists else "data"),
                        f"{res.name} has {'no' if not lists else 'more than one'} `repeated {entity.name}` field "
                        "to carry the page",
                        f"add `repeated {entity.name} data = <n>;` to {res.name}" if not lists
                        else "keep exactly one")
            else:
                entity_field = res_go[lists[0].name]
            mf = res.field("meta")
            has_meta = mf is not None and mf.type_name.endswith(".QueryMetaResponse")
            cursor_name, next_name = cursor_fields(req, res, mopts, missing, at)
            if cursor_name and next_name:
                cursor, next_cursor = "Get" + req_go[cursor_name], res_go[next_name]
        # Every response field is answered: one the generated code does not
        # fill would reach clients always empty.
        filled = {f.name for f in res.fields
                  if f.type_name == entity.full_name
                  or (f.name == "message" and op is not Operation.QUERY and _is_string(f))
                  or (f.name == "meta" and op is Operation.QUERY and f.type_name.endswith(".QueryMetaResponse"))
                  # the next cursor: answered, or refused above with its fix
                  or (op is Operation.QUERY and f.name == (mopts.next_cursor_field or NEXT_CURSOR))}
        if op is Operation.CREATE:
            filled |= {c.response_field for c in entity.columns if c.secret}
        children: list[tuple[str, str]] = []
        if op is Operation.GET:
            for f in res.fields:
                if f.repeated and (entity.full_name, f.type_name) in self.children:
                    filled.add(f.name)
                    children.append((res_go[f.name], f.type_name))
        fill = mopts.fill
        for f in res.fields:
            if f.name not in filled and not fill:
                missing(at(res, f.name), f"{res.name}.{f.name} is not filled by the generated {op.value} "
                                         "(clients would always read it empty)",
                        f"remove it from {res.name}, fill it in a hook (option (altalune.codegen.v1.method) = "
                        f"{{fill: true}}: your Fill{method.name} completes the answer), or answer it from a "
                        "custom RPC")
        if not ok:
            return None
        return RpcPlan(method=method, operation=op, request=req, response=res, access=access,
                       id_getter=id_getter, project_getter=project_getter, entity_field=entity_field,
                       has_message=has_message, has_meta=has_meta, writes=tuple(writes), mask=mask,
                       children=tuple(children), fill=fill, cursor=cursor, next_cursor=next_cursor,
                       request_go=req_go, response_go=res_go)


CURSOR, NEXT_CURSOR = "cursor", "next_cursor"  # the cursor fields of a Query, unless its options name others


def cursor_fields(req: MessageDesc, res: MessageDesc, mopts: MethodOptions,
                  missing: Callable[[PendingLocation, str, str], None],
                  at: Callable[..., PendingLocation]) -> tuple[str | None, str | None]:
    """The cursor field of a Query request and the next-cursor field of its
    response (None, None when it does not page by cursor): the fields its
    options name, else those named by convention. Each needs the other,
    and both are plain strings; anything else is reported through
    ``missing``."""
    names = (mopts.cursor_field or CURSOR, mopts.next_cursor_field or NEXT_CURSOR)
    found: list[str | None] = []
    for message, name, option in ((req, names[0], mopts.cursor_field), (res, names[1], mopts.next_cursor_field)):
        fd = message.field(name)
        if fd is None:
            if option:
                missing(at(message), f"{message.name} has no field {name!r}, which the option "
                                     f"{'next_cursor_field' if message is res else 'cursor_field'} names",
                        f"add `string {name} = <n>;` to {message.name}, or name one of its fields")
            found.append(None)
        elif fd.type != FDP.TYPE_STRING or fd.repeated or fd.proto3_optional:
            missing(at(message, name), f"{message.name}.{name} is the {'next ' if message is res else ''}cursor of "
                                       "the Query, but not a plain `string`",
                    f"declare it `string {name} = {fd.number};`" + ("" if option else
                                                                  ", or rename it if it is no cursor"))
            found.append(None)
        else:
            found.append(name)
    cursor, next_cursor = found
    if cursor and not next_cursor and res.field(names[1]) is None:
        missing(at(req, cursor), f"{req.name}.{cursor} takes a cursor, but {res.name} has no `string {names[1]}` "
                                 "to hand one out (no client could get one)",
                f"add `string {names[1]} = <n>;` to {res.name}")
    if next_cursor and not cursor and req.field(names[0]) is None:
        missing(at(res, next_cursor), f"{res.name}.{next_cursor} hands out cursors, but {req.name} has no "
                                      f"`string {names[0]}` to take one back",
                f"add `string {names[0]} = <n>;` to {req.name}")
    return (cursor, next_cursor) if cursor and next_cursor else (None, None)


def _is_string(fd: FieldDesc | None) -> bool:
    return fd is not None and fd.type == FDP.TYPE_STRING and not fd.repeated
