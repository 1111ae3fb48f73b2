"""Versioned evolution: every change to a deployed table arrives in a
migration of its own version, and a deployed migration is never rewritten.

The versions are read from the options (added_in, unique_in, indexed_in,
search_index_in, sort_index_in, dropped_in, renamed_in, an enum value's added_in); ``model.Entity.migrations``
turns them into files. Here: each version is well-formed and in an order the
migrations can run in, one version belongs to one migration file, a column
that existing rows cannot fill says how to fill it, and the migrations the
entity records as deployed are written exactly as they were.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..diagnostics import Locatable, Problems
from ..model import Entity
from ..tables import Migration
from .context import Context

VERSION = re.compile(r"\d{14}")
DEPLOYED = re.compile(r"(\d{14}):([0-9a-f]{12,64})")
MIN_DIGEST = 12


def parse_deployed(entry: str) -> tuple[str, str]:
    """``"<version>:<sha256>"`` -> (version, digest); ("", entry) when it is
    not one (check reports it)."""
    m = DEPLOYED.fullmatch(entry.strip().lower())
    return (m.group(1), m.group(2)) if m else ("", entry)


def next_version(e: Entity) -> str:
    """A version to suggest for a new change: one second after its latest."""
    latest = max((v for v in e.versions if VERSION.fullmatch(v)), default="20240101000000")
    return str(int(latest) + 1).zfill(14)


def check(ctx: Context, entities: Iterable[Entity]) -> None:
    problems = ctx.problems
    owners: dict[str, tuple[str, Locatable, bool]] = {}  # version -> the entity whose migration it is
    for e in entities:
        _check_entity(problems, e)
        for m_version in e.versions:
            creates = m_version == e.migration_version
            where = e.option_location if creates else _changed_at(e, m_version)
            other = owners.get(m_version)
            if other is not None and other[2] and creates:
                continue  # two entities created in one version: reported with the other entity options
            if other is not None and other[0] != e.name:
                problems.add(where, f"entity {e.name}: migration version {m_version} is also a migration of "
                                    f"{other[0]} ({other[1].resolve()}); goose needs one file per version",
                             f"use another version here, e.g. {next_version(e)}")
            else:
                owners[m_version] = (e.name, where, creates)
    _check_enums_shared(ctx, entities)


def _changed_at(e: Entity, version: str) -> Locatable:
    for f in e.history:
        if version in f.versions and f.location is not None:
            return f.location
    return e.option_location


def _version_ok(problems: Problems, loc: Locatable, what: str, option: str, value: str, e: Entity,
                thing: str) -> bool:
    """A version option is a goose version later than the entity's create
    migration; otherwise it is reported (``thing`` is what the option
    versions, in the fix) and False."""
    create = "" if e.adopt else e.migration_version
    if not VERSION.fullmatch(value):
        problems.add(loc, f"{what}: {option} {value!r} is not a goose version of 14 digits",
                     f'write it as YYYYMMDDhhmmss, e.g. {option}: "{next_version(e)}"')
        return False
    if create and value <= create:
        problems.add(loc, f"{what}: {option} {value} is not later than {e.name}'s migration_version {create}, the "
                          "migration that creates the table",
                     f"leave {option} out if the {thing} was there from the start, or use a later version")
        return False
    return True


def _check_entity(problems: Problems, e: Entity) -> None:
    create = "" if e.adopt else e.migration_version
    suggestion = next_version(e)
    for k in e.unique_keys:
        if not k.added_in:
            continue
        what = f"entity {e.name}: unique key [{k.name}]"
        if not _version_ok(problems, e.option_location, what, "added_in", k.added_in, e, "key"):
            continue
        if any(f.added_in > k.added_in for f in k.fields):
            problems.add(e.option_location, f"{what}: added_in {k.added_in} is earlier than a column of the key is "
                                            "added", "use a version from the last of its fields' added_in on")
    for f in e.history:
        loc = f.location or e.location
        what = f"field {e.name}.{f.name}"
        versions = f.version_options
        # Every option is checked (and reported), not only the first bad one.
        valid = [_version_ok(problems, loc, what, option, value, e, "change") for option, value in versions]
        if not all(valid):
            continue
        if f.unique_in and not f.unique:
            problems.add(loc, f"{what}: unique_in is set but the field is not unique",
                         "add unique: true, or remove unique_in")
        if f.indexed_in and (not f.indexed or f.unique):
            problems.add(loc, f"{what}: indexed_in is set but the field has no plain index",
                         "add indexed: true (or filterable: true), or remove indexed_in")
        if f.search_index_in and not f.search_index:
            problems.add(loc, f"{what}: search_index_in is set but the field has no trigram index",
                         "add search_index: true, or remove search_index_in")
        if f.sort_index_in and not f.sort_index:
            problems.add(loc, f"{what}: sort_index_in is set but the field has no sort index",
                         "add sort_index: true, or remove sort_index_in")
        for option, value in versions:
            if option != "added_in" and f.added_in and value < f.added_in:
                problems.add(loc, f"{what}: {option} {value} is earlier than added_in {f.added_in}, "
                                  "when its column is added", f"use a version from {f.added_in} on")
            if option not in ("added_in", "dropped_in") and f.dropped_in and value >= f.dropped_in:
                problems.add(loc, f"{what}: {option} {value} is not earlier than dropped_in {f.dropped_in}",
                             "remove it, or use a version before the column is dropped")
        if f.dropped_in and f.dropped_in == f.added_in:
            problems.add(loc, f"{what}: dropped_in is the version that adds it", "remove the field instead")
        if bool(f.renamed_from) != bool(f.renamed_in):
            problems.add(loc, f"{what}: renamed_from and renamed_in go together",
                         f'set both, e.g. renamed_from: "<old column>" renamed_in: "{suggestion}"')
        elif f.renamed_from and (not re.fullmatch(r"[a-z_][a-z0-9_]*", f.renamed_from)
                                 or f.renamed_from == f.column):
            problems.add(loc, f"{what}: renamed_from {f.renamed_from!r} is not another lower-case column name",
                         "set it to the column's name before the rename")
        elif f.renamed_from and f.renamed_in == f.added_in:
            problems.add(loc, f"{what}: renamed_in is the version that adds the column",
                         "remove renamed_from and renamed_in: the column is added with its new name")
        if f.backfill and not f.added_in:
            problems.add(loc, f"{what}: backfill is set but the column is there from the start",
                         "remove backfill, or set added_in")
        elif ";" in f.backfill:
            problems.add(loc, f"{what}: backfill {f.backfill!r} is not one SQL expression",
                         "write an expression without ';', e.g. backfill: \"created_at\"")
        if f.added_in and not f.nullable and f.sql_default is None and not f.backfill:
            problems.add(loc, f"{what}: added_in {f.added_in} adds a NOT NULL column without a default, "
                              "which the rows already in the table cannot fill",
                         'set backfill to the SQL value of existing rows, e.g. backfill: "created_at", '
                         "or make the field optional")
        if f.enum:
            for v in f.enum.values:
                if v.added_in and (not VERSION.fullmatch(v.added_in) or (create and v.added_in <= create)):
                    problems.add(loc, f"{what}: enum value {v.name} has added_in {v.added_in!r}, not a goose "
                                      f"version later than {e.name}'s migration_version {create}",
                                 f'set it to 14 digits after the table\'s creation, e.g. added_in: "{suggestion}"')
            if all(v.added_in and f.added_in < v.added_in for v in f.enum.values) and f.enum.values:
                problems.add(loc, f"{what}: every value of enum {f.enum.full_name.lstrip('.')} is added after the "
                                  "column, so the column has no value to hold in between",
                             "leave added_in out on its first value")
    _check_deployed_entries(problems, e)


def _check_deployed_entries(problems: Problems, e: Entity) -> None:
    versions = set(e.versions)
    for version, digest in e.deployed:
        if not version:
            problems.add(e.option_location, f"entity {e.name}: deployed entry {digest!r} is not "
                                            '"<version>:<sha256 of the migration file>"',
                         'write e.g. deployed: "20240101000010:64286d25fd99" (sha256sum of the file, at least '
                         f"{MIN_DIGEST} hex digits)")
        elif version not in versions:
            problems.add(e.option_location, f"entity {e.name}: deployed version {version} is not one of its "
                                            f"migrations ({', '.join(sorted(versions))})",
                         "remove the entry, or restore the change of that version")


def _check_enums_shared(ctx: Context, entities: Iterable[Entity]) -> None:
    """An enum value added in a version changes the CHECK of every table
    with a column of that enum: one version, one table."""
    users: dict[str, list[str]] = {}
    for e in entities:
        for f in e.fields:
            if f.enum and any(v.added_in for v in f.enum.values) and e.name not in users.setdefault(
                    f.enum.full_name, []):
                users[f.enum.full_name].append(e.name)
    for enum, names in users.items():
        if len(names) > 1:
            loc = next(f.location for e in entities for f in e.fields
                       if f.enum and f.enum.full_name == enum and f.location is not None)
            ctx.problems.add(loc, f"enum {enum.lstrip('.')} has a value added_in a later version and is stored by "
                                  f"entities {' and '.join(names)}: one migration version can change one table",
                             "give each entity its own enum type")


def check_deployed(entities: Iterable[Entity], written: dict[str, bytes], problems: Problems) -> None:
    """Each migration an entity records as deployed is written exactly as it
    was (its sha256), and none of its new versions is older than a deployed one:
    goose never re-runs an applied migration, and refuses one older than the
    latest it applied."""
    entities = list(entities)
    latest = max((v for e in entities for v, _ in e.deployed if v), default="")
    for e in entities:
        deployed = {v: d for v, d in e.deployed if v}
        for m in e.migrations:
            digest = deployed.get(m.version)
            if digest is None:
                # Only an entity that records what is deployed says which of
                # its migrations are new.
                if deployed and m.version < latest:
                    problems.add(_where(e, m), f"entity {e.name}: migration {m.file} is not deployed but older than "
                                               f"deployed migration {latest}: goose refuses to apply it out of order",
                                 f"use a version later than {latest}, e.g. {str(int(latest) + 1).zfill(14)}")
                continue
            content = written.get(m.file)
            import hashlib  # here: only deployed migrations are hashed

            actual = hashlib.sha256(content or b"").hexdigest()
            if not actual.startswith(digest):
                problems.add(e.option_location,
                             f"entity {e.name}: deployed migration {m.file} would now be written differently "
                             f"(sha256 {actual[:MIN_DIGEST]}, deployed {digest[:MIN_DIGEST]}); goose never runs an "
                             "applied migration again, so the database would not follow",
                             f"undo the change to what version {m.version} creates and make it a new version: "
                             f'added_in, unique_in, indexed_in, search_index_in, sort_index_in, dropped_in or '
                             f'renamed_in: "{next_version(e)}" '
                             "on the field, or added_in on the enum value (if the protos did not change, this "
                             "protoc-gen-altalune writes the file differently from the one that wrote it: "
                             "generate with that one and report it)")


def _where(e: Entity, m: Migration) -> Locatable:
    return e.option_location if m.create else _changed_at(e, m.version)
