"""Names: protoc-gen-go's, checked against the real protoc-gen-go, and the
domain's Go initialisms."""

from __future__ import annotations

import re
import subprocess

import pytest
from golden_harness import tool_env, which

from protoc_gen_altalune import naming

# Messages whose fields clash once named in Go: protoc-gen-go appends "_"
# until no field and no getter (Get<Name>) clashes. (name, optional?)
CLASHES = {
    "C1": [("name", False), ("get_name", False)],
    "C2": [("get_name", False), ("name", False)],
    "C3": [("get_name", False), ("name", False), ("get_get_name", False)],
    "C4": [("phone", True), ("x_phone", False)],
    "C5": [("reset", False), ("get_reset", False)],
    "C6": [("project_id", False), ("get_project_id", False), ("get_get_project_id", False)],
}


def _go_ident(local: str) -> str:
    return naming.go_camel_case(local)

FIELD_NAMES = [
    "id", "x", "url", "api_key_id", "http_status", "project_id", "employee_number", "owner_uuid",
    "field_1_name", "version2_name", "a1b2", "foo__bar", "_leading", "trailing_", "camelCase",
    "HTTPStatus", "Mixed_Case_name", "ip_v4", "x_y_z", "name_", "reset", "string", "descriptor",
    "proto_message", "marshal", "unmarshal", "get_name", "ttl_expires_at", "json_config",
]

TYPE_NAMES = ["Employee", "ApiKey", "HTTPThing", "Outer.Inner", "Outer.Inner.Deepest", "Outer.inner_lower",
              "snake_message", "Outer.Inner2x"]


def _messages_for(types: list[str]) -> str:
    """Nested message declarations for dotted type names (each with one field)."""
    tree: dict = {}
    for t in types:
        node = tree
        for part in t.split("."):
            node = node.setdefault(part, {})

    def emit(name: str, children: dict, depth: int) -> str:
        pad = "  " * depth
        inner = "".join(emit(n, c, depth + 1) for n, c in children.items())
        return f"{pad}message {name} {{\n{pad}  string v = 1;\n{inner}{pad}}}\n"

    return "".join(emit(n, c, 0) for n, c in tree.items())


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """protoc-gen-go's output for one field per message and the nested types."""
    work = tmp_path_factory.mktemp("names")
    fields = "".join(f"message F{i} {{\n  string {name} = 1;\n}}\n" for i, name in enumerate(FIELD_NAMES))
    for msg, declared in CLASHES.items():
        body = "".join(f"  {'optional ' if opt else ''}string {n} = {k};\n" for k, (n, opt) in enumerate(declared, 1))
        fields += f"message {msg} {{\n{body}}}\n"
    proto = ('syntax = "proto3";\n\npackage names.v1;\n\noption go_package = "example.com/names;names";\n\n'
             + fields + _messages_for(TYPE_NAMES)
             + "enum Shade {\n  SHADE_UNSPECIFIED = 0;\n  SHADE_DARK_RED = 1;\n}\n"
             + "message Holder {\n  enum Status {\n    STATUS_UNSPECIFIED = 0;\n    STATUS_ON_HOLD = 1;\n  }\n"
             + "  Status status = 1;\n}\n")
    (work / "names.proto").write_text(proto)
    proc = subprocess.run(
        [which("protoc"), f"--plugin=protoc-gen-go={which('protoc-gen-go')}", f"--go_out=paths=source_relative:{work}",
         f"-I{work}", "names.proto"],
        capture_output=True, text=True, env=tool_env())
    assert proc.returncode == 0, proc.stderr
    return (work / "names.pb.go").read_text()


def test_field_names_are_protoc_gen_go_names(generated):
    go_fields = {m.group(2): m.group(1)
                 for m in re.finditer(r"^\t(\w+)\s+\S+\s+`protobuf:\"[^\"]*name=(\w+)", generated, re.M)}
    assert set(FIELD_NAMES) <= set(go_fields), "protoc-gen-go output not parsed"
    mismatches = {n: (naming.proto_field_name(n), go_fields[n]) for n in FIELD_NAMES
                  if naming.proto_field_name(n) != go_fields[n]}
    assert not mismatches, f"ours vs protoc-gen-go: {mismatches}"


def test_clashing_field_names_are_protoc_gen_go_names(generated):
    """Getter clashes (get_name beside name), in declaration order, and the
    synthetic oneof of a proto3 optional field."""
    for msg, declared in CLASHES.items():
        struct = re.search(rf"^type {msg} struct {{\n(.*?)^}}", generated, re.M | re.S)
        assert struct, f"protoc-gen-go declares no {msg}"
        theirs = {m.group(2): m.group(1)
                  for m in re.finditer(r"^\t(\w+)\s+\S+\s+`protobuf:\"[^\"]*name=(\w+)", struct.group(1), re.M)}
        ours = naming.proto_field_names([(n, f"_{n}" if opt else None) for n, opt in declared])
        assert ours == theirs, f"{msg}: ours {ours}, protoc-gen-go {theirs}"


def test_type_names_are_protoc_gen_go_names(generated):
    declared = set(re.findall(r"^type (\w+) struct", generated, re.M))
    for t in TYPE_NAMES:
        assert _go_ident(t) in declared, f"{t}: ours {_go_ident(t)!r}, protoc-gen-go declares {sorted(declared)}"


def test_enum_value_names_are_protoc_gen_go_names(generated):
    assert re.search(r"^\tShade_SHADE_DARK_RED\s+Shade = 1$", generated, re.M)
    assert re.search(r"^\tHolder_STATUS_ON_HOLD\s+Holder_Status = 1$", generated, re.M)
    assert _go_ident("Holder.Status") == "Holder_Status"


@pytest.mark.parametrize("name, exported, private", [
    ("api_key_id", "APIKeyID", "apiKeyID"),
    ("url", "URL", "url"),
    ("http_status", "HTTPStatus", "httpStatus"),
    ("owner_uuid", "OwnerUUID", "ownerUUID"),
    ("project_id", "ProjectID", "projectID"),
    ("public_id", "PublicID", "publicID"),
    ("ApiKey", "APIKey", "apiKey"),
    ("HTTPServer", "HTTPServer", "httpServer"),
    ("employee_number", "EmployeeNumber", "employeeNumber"),
    ("json_config", "JSONConfig", "jsonConfig"),
    ("ip_address", "IPAddress", "ipAddress"),
    ("html_url", "HTMLURL", "htmlURL"),
    ("version2_name", "Version2Name", "version2Name"),
    ("type", "Type", "type_"),
    ("func", "Func", "func_"),
    ("len", "Len", "len_"),
    ("id", "ID", "id"),
])
def test_domain_names_use_initialisms(name, exported, private):
    assert naming.go_name(name) == exported
    assert naming.go_private_name(name) == private


def test_go_name_starting_with_a_digit():
    assert naming.go_name("3d_model") == "X3dModel"


@pytest.mark.parametrize("name, words", [
    ("EmployeeStatus", ["employee", "status"]),
    ("APIKey", ["api", "key"]),
    ("ApiKey", ["api", "key"]),
    ("api_key_id", ["api", "key", "id"]),
    ("HTTPServerError", ["http", "server", "error"]),
    ("EMPLOYEE_STATUS_ON_LEAVE", ["employee", "status", "on", "leave"]),
    ("camelCaseName", ["camel", "case", "name"]),
    ("version2Name", ["version2", "name"]),
])
def test_words(name, words):
    assert naming.words(name) == words


@pytest.mark.parametrize("singular, plural", [
    ("Employee", "Employees"), ("Currency", "Currencies"), ("Category", "Categories"), ("Key", "Keys"),
    ("Day", "Days"), ("Box", "Boxes"), ("Address", "Addresses"), ("Batch", "Batches"), ("Wish", "Wishes"),
    ("Person", "People"), ("SalesPerson", "SalesPeople"), ("Child", "Children"),
    ("Index", "Indices"), ("ApiKey", "ApiKeys"), ("Datum", "Data"), ("Ticket", "Tickets"),
])
def test_plural(singular, plural):
    assert naming.plural(singular) == plural


def test_snake_and_domain_package():
    assert naming.snake("ApiKey") == "api_key"
    assert naming.snake("HTTPServer") == "http_server"
    assert naming.upper_snake("EmployeeStatus") == "EMPLOYEE_STATUS"
    assert naming.domain_package("ApiKey") == "apikey"
    assert naming.domain_package("SalesPerson") == "salesperson"


def test_human_phrases():
    assert naming.human("ApiKey") == "API key"
    assert naming.human("Employee") == "Employee"
    assert naming.human("SalesPerson") == "Sales person"
    assert naming.human_lower("ApiKey") == "API key"
    assert naming.human_lower("SalesPeople") == "sales people"
    assert naming.human_lower("http_status") == "HTTP status"


def test_lower_camel_is_protoc_json_name():
    assert naming.lower_camel("created_at") == "createdAt"
    assert naming.lower_camel("api_key_id") == "apiKeyId"
    assert naming.lower_camel("name") == "name"


def test_go_package_names():
    assert naming.is_valid_go_package("employee")
    assert naming.is_valid_go_package("api_key")
    for bad in ("type", "func", "Employee", "9lives", "api-key", ""):
        assert not naming.is_valid_go_package(bad), bad
