"""Parents and children: a field whose `references` option names another
entity holds that entity's public ID. Here each reference is resolved and
checked; the model turns it into a foreign key, the child's ListBy<Parent>
and the parent's list of children."""

from __future__ import annotations

from ..model import Kind, Presence
from .context import Context
from .entities import EntitySpec

# (child full name, field name) -> parent
References = dict[tuple[str, str], EntitySpec]


def resolve(ctx: Context, specs: list[EntitySpec]) -> References:
    problems = ctx.problems
    by_name: dict[str, EntitySpec] = {}
    for s in specs:
        by_name.setdefault(s.name, s)
        by_name[s.full_name.lstrip(".")] = s
    found: References = {}
    for child in specs:
        parents_seen: dict[str, str] = {}
        for f in child.fields:
            target = f.options.references
            if not target:
                continue
            what = f"field {child.name}.{f.name}: references {target!r}"
            parent = by_name.get(target.lstrip("."))
            if parent is None:
                problems.add(f.desc.location, f"{what} is not an entity of the run",
                             "name an entity (a message with the (altalune.codegen.v1.entity) option) of the files "
                             "being generated")
                continue
            if f.kind is not Kind.STRING or f.presence is not Presence.NONE:
                problems.add(f.desc.location, f"{what}: the field holds the parent's public ID, so it is a plain "
                                              "`string`", f"declare it `string {f.name} = {f.desc.number};`")
                continue
            if parent is child:
                problems.add(f.desc.location, f"{what}: an entity cannot be its own parent here (its package would "
                                              "import itself)",
                             "model the tree with a custom RPC, or remove references")
                continue
            if parent.partitioned != child.partitioned:
                problems.add(f.desc.location, f"{what}: {parent.name} is " + (
                    "partitioned" if parent.partitioned else "global") + f" and {child.name} is not",
                             "make both partitioned (children within their parent's project) or both global")
                continue
            if parent.singleton:
                problems.add(f.desc.location, f"{what}: {parent.name} is a singleton, named by its project alone",
                             "reference the project's row through project_id instead, or remove references")
                continue
            if f.options.added_in or f.options.dropped_in or f.options.renamed_in:
                problems.add(f.desc.location, f"{what}: a reference is created with the table; it cannot be added, "
                                              "dropped or renamed by a later migration",
                             "write that migration by hand, or remove references")
                continue
            if child.options.adopt or parent.options.adopt:
                adopted = child if child.options.adopt else parent
                problems.add(f.desc.location, f"{what}: {adopted.name}'s table is adopted, and its foreign key is "
                                              "not written by a generated migration", "remove references")
                continue
            if child.migration_version <= parent.migration_version:
                problems.add(f.desc.location, f"{what}: {child.name}'s table must be created after {parent.name}'s "
                                              f"(migration_version {child.migration_version} is not later than "
                                              f"{parent.migration_version})",
                             f"give {child.name} a later migration_version")
                continue
            if parent.full_name in parents_seen:
                problems.add(f.desc.location, f"{what}: field {parents_seen[parent.full_name]} references "
                                              f"{parent.name} already", "keep one reference to each parent")
                continue
            parents_seen[parent.full_name] = f.name
            found[(child.full_name, f.name)] = parent
    _check_cycles(ctx, specs, found)
    return found


def _check_cycles(ctx: Context, specs: list[EntitySpec], found: References) -> None:
    """A parent's package imports its children's (to list them): a cycle of
    references would be a Go import cycle."""
    children: dict[str, list[str]] = {}
    for (child, _), parent in found.items():
        children.setdefault(parent.full_name, []).append(child)
    names = {s.full_name: s for s in specs}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for child in children.get(name, []):
            if state.get(child) == 1:
                cycle = path[path.index(child):] + [child] if child in path else [name, child]
                spec = names[child]
                ctx.problems.add(spec.desc.location, "references form a cycle: "
                                 + " -> ".join(names[n].name for n in cycle) + " (each parent's package would "
                                 "import its children's)", "remove one of the references")
            elif state.get(child) is None:
                visit(child, path + [child])
        state[name] = 2

    for s in specs:
        if state.get(s.full_name) is None:
            visit(s.full_name, [s.full_name])
