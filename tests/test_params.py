"""Plugin parameters, parsed as protoc joins them: ``a=b,c=d``."""

from __future__ import annotations

import pytest

from protoc_gen_altalune.diagnostics import BadParameter
from protoc_gen_altalune.params import DEFAULT_MODULE, Params, parse


def test_defaults_are_the_altalune_layout():
    p = parse("")
    assert p == Params()
    assert p.go_module == DEFAULT_MODULE == "github.com/hrz8/altalune"
    assert p.paths == "module_root" and p.module is None
    assert (p.domain_dir, p.migrations_dir, p.errors_dir) == ("internal/domain", "database/migrations", ".")
    assert p.root_package == "altalune"
    assert p.import_path(".") == "github.com/hrz8/altalune"
    assert p.import_path("internal/postgres") == "github.com/hrz8/altalune/internal/postgres"
    assert p.output_path("internal/domain/employee/model.altalune.go") == "internal/domain/employee/model.altalune.go"


def test_values_and_whitespace():
    p = parse(" go_module=example.com/acme , domain_dir=internal/app,,migrations_dir=db/migrations ")
    assert p.go_module == "example.com/acme"
    assert p.domain_dir == "internal/app"
    assert p.migrations_dir == "db/migrations"
    assert p.root_package == "acme"


def test_later_values_win():
    assert parse("go_module=a.com/x,go_module=b.com/y").go_module == "b.com/y"


def test_root_package():
    assert parse("go_module=github.com/acme/my-service").root_package == "my_service"
    assert parse("errors_dir=pkg/apperr").root_package == "apperr"
    assert parse("errors_dir=pkg/errs,root_pkg_name=apperr").root_package == "apperr"
    assert parse("go_module=example.com/v2.api").root_package == "v2_api"


def test_paths_source_relative_and_import():
    assert parse("paths=source_relative").paths == "module_root"
    p = parse("go_module=example.com/acme,paths=import")
    assert p.output_path("internal/x/a.go") == "example.com/acme/internal/x/a.go"
    assert p.output_path("./errors.altalune.go") == "example.com/acme/errors.altalune.go"


def test_module_strips_the_prefix_and_implies_import():
    p = parse("go_module=example.com/acme,module=example.com")
    assert p.paths == "import"
    assert p.output_path("internal/x/a.go") == "acme/internal/x/a.go"
    p = parse("go_module=example.com/acme,module=example.com/acme/")
    assert p.output_path("internal/x/a.go") == "internal/x/a.go"


def test_module_outside_go_module():
    p = parse("go_module=example.com/acme,module=example.com/other")
    with pytest.raises(BadParameter, match=r"^plugin parameter module=example.com/other: generated file "
                                           r"example.com/acme/a.go is not inside it; set module= to a prefix"):
        p.output_path("a.go")
    # A prefix must end at a path element: example.com/ac is not a prefix of example.com/acme/...
    with pytest.raises(BadParameter):
        parse("go_module=example.com/acme,module=example.com/ac").output_path("a.go")


def test_go_style_mappings():
    p = parse("Maltalune/v1/common.proto=example.com/acme/gen/altalune/v1;altalunev1,Mx.proto=example.com/x")
    assert p.mappings == {"altalune/v1/common.proto": "example.com/acme/gen/altalune/v1;altalunev1",
                          "x.proto": "example.com/x"}
    # The mapping overrides a file's go_package; nothing else changes.
    assert p.go_module == DEFAULT_MODULE and p.paths == "module_root"


@pytest.mark.parametrize("parameter, message", [
    ("colour=blue", r"^plugin parameter colour=blue: unknown parameter 'colour'; use one of M<file>, .*go_module"),
    ("verbose", r"^plugin parameter verbose: unknown parameter 'verbose'; "),
    ("_DIRS=x", r"^plugin parameter _DIRS=x: unknown parameter '_DIRS'; "),
    ("mappings=x", r"^plugin parameter mappings=x: unknown parameter 'mappings'; "),
    ("paths=bogus", r"^plugin parameter paths=bogus: unknown layout; use paths=source_relative"),
    ("paths=", r"^plugin parameter paths=: unknown layout; "),
    ("go_module=", r"^plugin parameter go_module=: go_module needs a value; write go_module=<value>$"),
    ("domain_dir", r"^plugin parameter domain_dir: domain_dir needs a value; "),
    ("domain_dir=/srv/domain", r"^plugin parameter domain_dir=/srv/domain: domain_dir leaves the module root; "),
    ("migrations_dir=../db", r"^plugin parameter migrations_dir=../db: migrations_dir leaves the module root; "),
    ("postgres_pkg=internal/../../x", r"leaves the module root"),
    ("root_pkg_name=type", r"^plugin parameter root_pkg_name=type: 'type' is not a Go package name; "),
    ("root_pkg_name=My-Pkg", r"'My-Pkg' is not a Go package name"),
])
def test_bad_parameters(parameter, message):
    with pytest.raises(BadParameter, match=message):
        parse(parameter)


def test_directories_may_be_nested_and_dotted():
    p = parse("errors_dir=./pkg/errs,kit_dir=internal/platform/kit")
    assert p.import_path(p.errors_dir) == "github.com/hrz8/altalune/pkg/errs"
    assert p.root_package == "errs"


def test_root_names_with_and_without_their_file():
    p = parse("root_names=NewRoleNotFoundError@errors.go+CodeRoleNotFound")
    assert p.known_root_names == {"NewRoleNotFoundError": "errors.go", "CodeRoleNotFound": ""}
    assert parse("").known_root_names == {}
    for bad in ("root_names=New-Role", "root_names=NewRole@errors.txt", "root_names=A+"):
        with pytest.raises(BadParameter, match="root_names"):
            parse(bad)
