"""Plugin parameters, as protoc joins them: ``a=b,c=d``.

Go-plugin conventions (``paths``, ``module``, ``M<file>=<importpath>``) are
accepted like protoc-gen-go accepts them; the rest say where the target's
infrastructure lives and where generated files go, defaulting to the
Altalune layout.
"""

from __future__ import annotations

import posixpath
import re

from .diagnostics import BadParameter
from .naming import GO_KEYWORDS
from .records import field, fields, value

DEFAULT_MODULE = "github.com/hrz8/altalune"


@value(frozen=False)
class Params:
    go_module: str = DEFAULT_MODULE
    # Output layout, relative to the module root.
    paths: str = "module_root"  # or "import" (full import paths), as Go plugins do
    module: str | None = None  # prefix stripped from import paths when paths=import
    domain_dir: str = "internal/domain"
    container_dir: str = "internal/container"
    server_dir: str = "internal/server"
    migrations_dir: str = "database/migrations"
    errors_dir: str = "."
    kit_dir: str = "internal/shared/domainkit"
    # Infrastructure the generated code imports, relative to the module root.
    postgres_pkg: str = "internal/postgres"
    query_pkg: str = "internal/shared/query"
    nanoid_pkg: str = "internal/shared/nanoid"
    project_pkg: str = "internal/domain/project"
    root_pkg_name: str | None = None  # package name of errors_dir; default: last element of go_module
    templates: str | None = None
    # Names the target's root package declares by hand, "+"-separated, each
    # optionally with the file that declares it: NewRoleNotFoundError@errors.go.
    root_names: str | None = None
    # Whether an entity without the partitioned option is partitioned by
    # project: "true" (the contract's default) or "false" for a repository
    # whose domains are mostly global.
    partitioned: str = "true"
    # Import paths of proto files, overriding go_package (M<file>=<path>[;name]).
    mappings: dict[str, str] = field(default_factory=dict)

    _DIRS = ("domain_dir", "container_dir", "server_dir", "migrations_dir", "errors_dir", "kit_dir",
             "postgres_pkg", "query_pkg", "nanoid_pkg", "project_pkg")

    def import_path(self, rel: str) -> str:
        rel = posixpath.normpath(rel)
        return self.go_module if rel == "." else f"{self.go_module}/{rel}"

    def output_path(self, rel_file: str) -> str:
        """Where a file at ``rel_file`` (relative to the module root) is written."""
        rel_file = posixpath.normpath(rel_file)
        if self.paths != "import":
            return rel_file
        full = f"{self.go_module}/{rel_file}"
        if self.module:
            prefix = self.module.rstrip("/") + "/"
            if not full.startswith(prefix):
                raise BadParameter(
                    f"plugin parameter module={self.module}: generated file {full} is not inside it; "
                    f"set module= to a prefix of go_module={self.go_module}"
                )
            return full[len(prefix):]
        return full

    @property
    def known_root_names(self) -> dict[str, str]:
        """root_names as name -> the file declaring it ("" when not given)."""
        entries = (e.partition("@") for e in (self.root_names or "").split("+") if e)
        return {name: where for name, _, where in entries}

    @property
    def partitioned_default(self) -> bool:
        return self.partitioned == "true"

    @property
    def root_package(self) -> str:
        if self.root_pkg_name:
            return self.root_pkg_name
        rel = posixpath.normpath(self.errors_dir)
        last = self.go_module.rsplit("/", 1)[-1] if rel == "." else rel.rsplit("/", 1)[-1]
        return last.replace("-", "_").replace(".", "_")


_KNOWN = set(fields(Params)) - {"mappings"}


def parse(parameter: str) -> Params:
    params = Params()
    for item in filter(None, (p.strip() for p in parameter.split(","))):
        key, sep, value = item.partition("=")
        if key.startswith("M") and sep:
            params.mappings[key[1:]] = value
            continue
        if key == "paths":
            if value == "source_relative":
                value = "module_root"
            if value not in ("import", "module_root"):
                raise BadParameter(f"plugin parameter paths={value}: unknown layout; "
                                   "use paths=source_relative (the default) or paths=import")
            params.paths = value
            continue
        if key == "module":
            params.module = value
            params.paths = "import"
            continue
        if key not in _KNOWN or key.startswith("_"):
            raise BadParameter(
                f"plugin parameter {item}: unknown parameter {key!r}; "
                f"use one of {', '.join(sorted(_KNOWN | {'M<file>'}))}"
            )
        if not sep or not value:
            raise BadParameter(f"plugin parameter {item}: {key} needs a value; write {key}=<value>")
        if key in Params._DIRS and (value.startswith("/") or ".." in value.split("/")):
            raise BadParameter(f"plugin parameter {item}: {key} leaves the module root; "
                               "use a path relative to it, e.g. internal/domain")
        if key == "root_pkg_name" and (not re.fullmatch(r"[a-z_][a-z0-9_]*", value) or value in GO_KEYWORDS):
            raise BadParameter(f"plugin parameter {item}: {value!r} is not a Go package name; "
                               "use lower-case letters, digits and underscores, not a keyword")
        if key == "partitioned" and value not in ("true", "false"):
            raise BadParameter(f"plugin parameter {item}: partitioned is true or false; write partitioned=false "
                               "to make entities global unless their option says partitioned: true")
        if key == "root_names":
            for entry in value.split("+"):
                name, _, where = entry.partition("@")
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or (where and not where.endswith(".go")):
                    raise BadParameter(f"plugin parameter {item}: {entry!r} is not a Go name with an optional "
                                       "@file.go; write e.g. "
                                       "root_names=NewRoleNotFoundError@errors.go+CodeRoleNotFound")
        setattr(params, key, value)
    return params
