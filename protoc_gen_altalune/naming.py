"""Every name the generator writes comes from here.

Two conventions meet in the generated Go: fields of protoc-gen-go structs are
named exactly as protoc-gen-go names them (``project_id`` -> ``ProjectId``),
while the domain code follows Go initialisms (``ProjectID``, ``PublicID``).
"""

from __future__ import annotations

import functools
import re

GO_KEYWORDS = frozenset(
    "break case chan const continue default defer else fallthrough for func go goto if import interface "
    "map package range return select struct switch type var".split()
)

# Directory names the go command gives a meaning: internal/ restricts who may
# import a package, vendor/ and testdata/ are not packages at all.
GO_SPECIAL_DIRECTORIES = frozenset({"internal", "vendor", "testdata"})

# Predeclared identifiers that make confusing (though legal) package names.
GO_PREDECLARED = frozenset(
    "any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune "
    "string uint uint8 uint16 uint32 uint64 uintptr true false iota nil append cap clear close complex "
    "copy delete imag len make max min new panic print println real recover".split()
)

# The words Go spells in capitals (the list golint and staticcheck use).
INITIALISMS = frozenset(
    "ACL API ASCII CPU CSS DNS EOF GUID HTML HTTP HTTPS ID IP JSON LHS QPS RAM RHS RPC SLA SMTP SQL SSH "
    "TCP TLS TTL UDP UI UID UUID URI URL UTF8 VM XML XMPP XSRF XSS".split()
)

# Reserved key words of PostgreSQL that cannot be column or table names unquoted.
SQL_RESERVED = frozenset(
    "all analyse analyze and any array as asc asymmetric both case cast check collate column constraint "
    "create current_catalog current_date current_role current_time current_timestamp current_user default "
    "deferrable desc distinct do else end except false fetch for foreign from grant group having in "
    "initially intersect into lateral leading limit localtime localtimestamp not null offset on only or "
    "order placing primary references returning select session_user some symmetric table then to trailing "
    "true union unique user using variadic when where window with authorization binary collation "
    "concurrently cross current_schema freeze full ilike inner is isnull join left like natural notnull "
    "outer overlaps right similar tablesample verbose".split()
)


@functools.cache
def go_camel_case(name: str) -> str:
    """The Go identifier protoc-gen-go derives from a proto name (GoCamelCase)."""
    out: list[str] = []
    i, n = 0, len(name)
    while i < n:
        c = name[i]
        if c == "." and i + 1 < n and name[i + 1].islower():
            pass
        elif c == ".":
            out.append("_")
        elif c == "_" and (i == 0 or name[i - 1] == "."):
            out.append("X")
        elif c == "_" and i + 1 < n and "a" <= name[i + 1] <= "z":
            pass
        elif c.isdigit():
            out.append(c)
        else:
            if "a" <= c <= "z":
                c = c.upper()
            out.append(c)
            while i + 1 < n and "a" <= name[i + 1] <= "z":
                i += 1
                out.append(name[i])
        i += 1
    return "".join(out)


# Method names protoc-gen-go reserves on a message; a field with one of these
# names gets a trailing underscore.
_PROTO_RESERVED_FIELD_NAMES = frozenset(
    "Reset String ProtoMessage Marshal Unmarshal ExtensionRangeArray ExtensionMap Descriptor".split()
)


def proto_field_names(fields: list[tuple[str, str | None]]) -> dict[str, str]:
    """The Go struct fields protoc-gen-go generates for a message's fields,
    given in declaration order as (name, oneof name or None): GoCamelCase,
    then an underscore appended until the name clashes with no method of the
    message (well-known ones, a Get<Name> getter of an earlier field) and no
    earlier field, as protogen resolves conflicts. A oneof's own name takes
    part (it has no getter); proto3 optional fields sit in a synthetic
    oneof named after them with a leading underscore."""
    used = dict.fromkeys(_PROTO_RESERVED_FIELD_NAMES, True)

    def unique(name: str, getter: bool) -> str:
        while used.get(name) or (getter and used.get("Get" + name)):
            name += "_"
        used[name] = True
        used["Get" + name] = getter
        return name

    result: dict[str, str] = {}
    seen_oneofs: set[str] = set()
    for field_name, oneof in fields:
        result[field_name] = unique(go_camel_case(field_name), True)
        if oneof is not None and oneof not in seen_oneofs:
            seen_oneofs.add(oneof)
            unique(go_camel_case(oneof), False)
    return result


def proto_field_name(field_name: str) -> str:
    """The Go struct field protoc-gen-go generates for a proto field that
    clashes with no other of its message."""
    return proto_field_names([(field_name, None)])[field_name]


def unique_index(table: str, column: str) -> str:
    return f"ux_{table}_{column}"


def plain_index(table: str, column: str) -> str:
    return f"ix_{table}_{column}"


def search_index(table: str, column: str) -> str:
    """The trigram index that serves the keyword on ``column``."""
    return f"ix_{table}_{column}_trgm"


def sort_index(table: str, column: str) -> str:
    """The b-tree that serves a sort by ``column``."""
    return f"ix_{table}_{column}_sort"


def already_exists_names(owner: str, name: str) -> tuple[str, str]:
    """The already-exists error variable and constructor of column ``name``
    (a Go name) of ``owner``: ErrEmployeeEmailAlreadyExists,
    NewEmployeeEmailAlreadyExistsError, without stutter."""
    stem = without_stutter(owner, name)
    return f"Err{stem}AlreadyExists", f"New{stem}AlreadyExistsError"


def without_stutter(owner: str, name: str) -> str:
    """``name`` prefixed by ``owner`` unless it starts with it already:
    (Employee, Email) -> EmployeeEmail, (Employee, EmployeeNumber) ->
    EmployeeNumber."""
    if name.startswith(owner) and len(name) > len(owner) and not name[len(owner)].islower():
        return name
    return owner + name


_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_WORD_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")


def words(name: str) -> list[str]:
    """Split snake_case, camelCase, PascalCase or UPPER_CASE into lower-case words."""
    return list(_words(name))


@functools.cache
def _words(name: str) -> tuple[str, ...]:
    result: list[str] = []
    for part in _SEPARATORS.split(name):
        result.extend(w.lower() for w in _WORD_RE.findall(part))
    return tuple(result)


def _go_word(word: str) -> str:
    upper = word.upper()
    if upper in INITIALISMS:
        return upper
    return word[:1].upper() + word[1:]


@functools.cache
def go_name(name: str) -> str:
    """Exported Go name with initialisms: ``api_key_id`` -> ``APIKeyID``."""
    result = "".join(_go_word(w) for w in words(name))
    if result and result[0].isdigit():
        result = "X" + result
    return result


@functools.cache
def go_private_name(name: str) -> str:
    """Unexported Go name: ``api_key`` -> ``apiKey``, ``ID`` -> ``id``."""
    parts = words(name)
    if not parts:
        return name
    first = parts[0]
    rest = "".join(_go_word(w) for w in parts[1:])
    result = first + rest
    if result in GO_KEYWORDS or result in GO_PREDECLARED:
        result += "_"
    return result


def snake(name: str) -> str:
    """``EmployeeStatus`` -> ``employee_status``; ``APIKey`` -> ``api_key``."""
    return "_".join(words(name))


def upper_snake(name: str) -> str:
    return snake(name).upper()


def lower_camel(name: str) -> str:
    """The JSON name protoc gives a field: ``created_at`` -> ``createdAt``."""
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def human(name: str) -> str:
    """A phrase for messages: ``ApiKey`` -> ``API key``, ``Employee`` -> ``Employee``."""
    parts = words(name)
    shown = [w.upper() if w.upper() in INITIALISMS else w for w in parts]
    if shown and shown[0] == parts[0]:
        shown[0] = shown[0][:1].upper() + shown[0][1:]
    return " ".join(shown)


def human_lower(name: str) -> str:
    """A phrase inside a sentence: ``ApiKey`` -> ``API key``, ``Employee`` -> ``employee``."""
    return " ".join(w.upper() if w.upper() in INITIALISMS else w for w in words(name))


_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "datum": "data",
    "index": "indices",
}


def plural(name: str) -> str:
    """English plural of a PascalCase name, changing only its last word."""
    parts = _WORD_RE.findall(name)
    if not parts:
        return name
    last = parts[-1]
    lower = last.lower()
    if lower in _IRREGULAR:
        replacement = _IRREGULAR[lower]
        if last[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        return name[: len(name) - len(last)] + replacement
    if re.search(r"[^aeiou]y$", lower):
        return name[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", lower):
        return name + "es"
    return name + "s"


def domain_package(name: str) -> str:
    """Default Go package of a domain: lower-case letters and digits only."""
    return "".join(words(name))


def is_valid_go_package(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9_]*", name)) and name not in GO_KEYWORDS
