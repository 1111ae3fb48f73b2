"""Model building: the conventions that fill in what the options leave
unsaid, and the facts the templates rely on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from protoc_gen_altalune import params as params_mod
from protoc_gen_altalune.build import build
from protoc_gen_altalune.diagnostics import InvalidInput

ROOT = Path(__file__).resolve().parents[1]
THIRD_PARTY = ROOT / "example" / "api" / "third_party"
COMMON = ROOT / "example" / "api" / "proto"

HEADER = """\
syntax = "proto3";
package shop.v1;
import "altalune/codegen/v1/options.proto";
import "altalune/v1/common.proto";
import "buf/validate/validate.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
option go_package = "example.com/shop/gen/shop/v1;shopv1";
"""


def request(tmp_path: Path, body: str, parameter: str = "") -> plugin_pb2.CodeGeneratorRequest:
    src = tmp_path / "protos"
    (src / "shop/v1").mkdir(parents=True)
    (src / "shop/v1/shop.proto").write_text(HEADER + textwrap.dedent(body))
    out = tmp_path / "set.pb"
    result = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{src}", f"-I{COMMON}", f"-I{THIRD_PARTY}",
         f"-I{_wkt()}", "--include_imports", "--include_source_info", f"--descriptor_set_out={out}",
         "shop/v1/shop.proto"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    req = plugin_pb2.CodeGeneratorRequest(parameter=parameter, file_to_generate=["shop/v1/shop.proto"])
    req.proto_file.extend(fds.file)
    return req


def _wkt() -> str:
    import grpc_tools

    return os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")


def model_of(tmp_path: Path, body: str, parameter: str = ""):
    return build(request(tmp_path, body, parameter), params_mod.parse(parameter))


CRUD = """
message QueryWidgetsRequest { string project_id = 1; altalune.v1.QueryRequest query = 2; }
message QueryWidgetsResponse { repeated Widget data = 1; altalune.v1.QueryMetaResponse meta = 2; }
message CreateWidgetRequest {
  string project_id = 1;
  string name = 2 [(buf.validate.field).string.max_len = 40];
  WidgetKind kind = 3;
  optional string note = 4;
}
message CreateWidgetResponse { Widget widget = 1; string message = 2; }
message GetWidgetRequest { string project_id = 1; string widget_id = 2; }
message GetWidgetResponse { Widget widget = 1; }
message UpdateWidgetRequest {
  string project_id = 1;
  string widget_id = 2;
  string name = 3 [(buf.validate.field).string.max_len = 60];
  string serial = 4;
}
message UpdateWidgetResponse { Widget widget = 1; string message = 2; }
message DeleteWidgetRequest { string project_id = 1; string widget_id = 2; }
message DeleteWidgetResponse { string message = 1; }
service WidgetService {
  rpc QueryWidgets(QueryWidgetsRequest) returns (QueryWidgetsResponse);
  rpc CreateWidget(CreateWidgetRequest) returns (CreateWidgetResponse);
  rpc GetWidget(GetWidgetRequest) returns (GetWidgetResponse);
  rpc UpdateWidget(UpdateWidgetRequest) returns (UpdateWidgetResponse);
  rpc DeleteWidget(DeleteWidgetRequest) returns (DeleteWidgetResponse);
  rpc PolishWidget(GetWidgetRequest) returns (GetWidgetResponse) {
    option (altalune.codegen.v1.method) = {permission: "polish"};
  }
}
"""

WIDGET = """
enum WidgetKind { WIDGET_KIND_UNSPECIFIED = 0; WIDGET_KIND_SMALL = 1; WIDGET_KIND_EXTRA_LARGE = 2; }
message Widget {
  option (altalune.codegen.v1.entity) = { error_code: 650 migration_version: "20250101000000" };
  string id = 1;
  string name = 2;
  WidgetKind kind = 3;
  optional string note = 4;
  string serial = 5 [(altalune.codegen.v1.field) = { unique: true immutable: true }];
  google.protobuf.Timestamp due_at = 6;
  google.protobuf.Timestamp ships_at = 7 [(buf.validate.field).required = true];
  google.protobuf.Int64Value weight = 8;
  bytes blob = 9;
  bool active = 10;
  google.protobuf.Timestamp created_at = 98;
  google.protobuf.Timestamp updated_at = 99;
}
"""


def test_conventions_fill_in_the_entity(tmp_path):
    model = model_of(tmp_path, WIDGET + CRUD)
    (w,) = model.entities
    assert (w.table, w.package, w.plural, w.partitioned) == ("altalune_widgets", "widget", "Widgets", True)
    assert w.default_sort == ("created_at", "DESC")
    assert w.domain.path == "github.com/hrz8/altalune/internal/domain/widget"
    assert (w.not_found_code, w.already_exists_code) == ("65001", "65002")
    ops = {r.name: r.operation for r in w.service.rpcs}
    assert ops == {"QueryWidgets": "query", "CreateWidget": "create", "GetWidget": "get",
                   "UpdateWidget": "update", "DeleteWidget": "delete", "PolishWidget": "custom"}
    assert [r.name for r in w.service.custom] == ["PolishWidget"]


def test_field_defaults(tmp_path):
    (w,) = model_of(tmp_path, WIDGET + CRUD).entities
    f = {x.name: x for x in w.fields}
    assert [x.name for x in w.searchable] == ["name", "note", "serial"]
    assert [x.name for x in w.filterable] == ["kind", "active"]
    assert "blob" not in {x.name for x in w.sortable}
    assert f["kind"].enum.default.db_value == "small"
    assert [v.db_value for v in f["kind"].enum.values] == ["small", "extra_large"]
    assert f["kind"].enum.values[1].const == "WidgetKindExtraLarge"
    assert str(f["kind"].enum.values[1].proto_const) == "shopv1.WidgetKind_WIDGET_KIND_EXTRA_LARGE"
    assert (f["note"].nullable, f["note"].domain_type) == (True, "*string")
    assert (f["due_at"].nullable, f["due_at"].domain_type) == (True, "*time.Time")
    assert (f["ships_at"].nullable, f["ships_at"].domain_type) == (False, "time.Time")
    assert (f["weight"].nullable, f["weight"].domain_type, f["weight"].sql_type) == (True, "*int64", "BIGINT")
    assert (f["blob"].domain_type, f["blob"].sql_default) == ("[]byte", "'\\x'::BYTEA")
    assert f["kind"].sql_default == "'small'"


def test_string_columns_are_sized_by_every_writer(tmp_path):
    (w,) = model_of(tmp_path, WIDGET + CRUD).entities
    f = {x.name: x for x in w.fields}
    # Create allows 40 and Update 60: the column must hold 60.
    assert f["name"].sql_type == "VARCHAR(60)"
    # Nothing writes serial (immutable, and absent from Create): no limit is known.
    assert f["serial"].sql_type == "TEXT"
    # Create writes note without a limit.
    assert f["note"].sql_type == "TEXT"


def test_an_immutable_field_is_sized_by_create_only(tmp_path):
    body = WIDGET
    crud = CRUD.replace("WidgetKind kind = 3;",
                        "WidgetKind kind = 3; string serial = 5 [(buf.validate.field).string.max_len = 12];")
    (w,) = model_of(tmp_path, body + crud).entities
    f = {x.name: x for x in w.fields}
    # Update carries serial without a limit but never writes it.
    assert f["serial"].sql_type == "VARCHAR(12)"


def test_writes_follow_the_requests(tmp_path):
    (w,) = model_of(tmp_path, WIDGET + CRUD).entities
    assert [x.name for x in w.create_fields] == ["name", "kind", "note"]
    # serial is immutable: the Update request carries it, the update does not write it.
    assert [x.name for x in w.update_fields] == ["name"]


def test_without_a_service_the_repository_writes_every_field(tmp_path):
    (w,) = model_of(tmp_path, WIDGET).entities
    assert w.service is None
    assert [x.name for x in w.create_fields] == [x.name for x in w.fields]
    assert "serial" not in [x.name for x in w.update_fields]


def test_conversions_per_presence(tmp_path):
    (w,) = model_of(tmp_path, WIDGET + CRUD).entities
    f = {x.name: x for x in w.fields}
    assert f["name"].from_proto("req") == "req.GetName()"
    assert f["kind"].from_proto("req") == "WidgetKindFromProto(req.GetKind())"
    assert f["note"].from_proto("req") == "req.Note"
    assert f["weight"].from_proto("req") == "domainkit.Unwrap(req.GetWeight())"
    assert f["due_at"].from_proto("req") == "domainkit.TimeOrNil(req.GetDueAt())"
    assert f["ships_at"].from_proto("req") == "req.GetShipsAt().AsTime()"
    assert f["weight"].to_proto("e") == "domainkit.Wrap(e.Weight, wrapperspb.Int64)"
    assert f["kind"].to_proto("e") == "e.Kind.ToProto()"
    assert f["blob"].db_arg("input") == "domainkit.NonNilBytes(input.Blob)"


def test_options_override_conventions(tmp_path):
    body = """
    message Person {
      option (altalune.codegen.v1.entity) = {
        table: "crm_people" partitioned: false domain: "crm" plural: "People"
        error_code: 640 default_sort: "nick asc" migration_version: "20250101000001"
      };
      string id = 1;
      string nick = 2 [(altalune.codegen.v1.field) = { column: "nickname" searchable: false sortable: true }];
      int64 score = 3 [(altalune.codegen.v1.field) = { filterable: true indexed: false sql_type: "NUMERIC(12)" }];
      repeated string tags = 4 [(altalune.codegen.v1.field) = { transient: true }];
    }
    """
    (p,) = model_of(tmp_path, body).entities
    assert (p.table, p.package, p.plural, p.partitioned) == ("crm_people", "crm", "People", False)
    assert p.default_sort == ("nickname", "ASC")
    f = {x.name: x for x in p.fields}
    assert set(f) == {"nick", "score"}
    assert (f["nick"].column, f["nick"].searchable) == ("nickname", False)
    assert (f["score"].filterable, f["score"].indexed, f["score"].sql_type) == (True, False, "NUMERIC(12)")


def test_parameters_move_the_layout(tmp_path):
    model = model_of(tmp_path, WIDGET, "go_module=example.com/shop,domain_dir=pkg/domains,errors_dir=pkg/apperr")
    (w,) = model.entities
    assert w.domain.path == "example.com/shop/pkg/domains/widget"
    assert model.packages.root.path == "example.com/shop/pkg/apperr"
    assert model.packages.root.name == "apperr"


def test_problems_are_collected_and_located(tmp_path):
    body = """
    message Gadget {
      option (altalune.codegen.v1.entity) = { migration_version: "2025" };
      string id = 1;
      bytes blob = 2 [(altalune.codegen.v1.field) = { unique: true }];
      map<string, string> labels = 3;
    }
    """
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path, body)
    lines = str(err.value).splitlines()
    assert len(lines) == 4, lines
    assert all(line.startswith("shop/v1/shop.proto:") for line in lines)
    joined = "\n".join(lines)
    assert "no error-code block" in joined
    assert "migration_version '2025' is not 14 digits" in joined
    assert "unique does not apply to a bytes field" in joined
    assert "map fields cannot be stored" in joined


def test_a_split_run_is_refused(tmp_path):
    """Under buf's strategy: directory each directory is a run of its own;
    an entity imported from a file outside the run gives it away."""
    req = request(tmp_path, WIDGET)
    other = tmp_path / "protos" / "shop/v1/other.proto"
    other.write_text(HEADER + 'import "shop/v1/shop.proto";\n' + textwrap.dedent("""
    message Gizmo {
      option (altalune.codegen.v1.entity) = { error_code: 651 migration_version: "20250101000009" };
      string id = 1;
      Widget widget = 2 [(altalune.codegen.v1.field) = { transient: true }];
    }
    """))
    out = tmp_path / "other.pb"
    result = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{tmp_path / 'protos'}", f"-I{COMMON}",
         f"-I{THIRD_PARTY}", f"-I{_wkt()}", "--include_imports", "--include_source_info",
         f"--descriptor_set_out={out}", "shop/v1/other.proto"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    req = plugin_pb2.CodeGeneratorRequest(file_to_generate=["shop/v1/other.proto"])
    req.proto_file.extend(descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file)
    with pytest.raises(InvalidInput) as err:
        build(req, params_mod.parse(""))
    message = str(err.value)
    assert message.startswith("shop/v1/shop.proto:")
    assert "entity Widget is imported but not generated in this run" in message
    assert "strategy: all" in message


@pytest.mark.parametrize("phrase, expected", [
    ("employee", "an employee"),
    ("user", "a user"),
    ("ticket", "a ticket"),
    ("API key", "an API key"),
    ("HTTP log", "an HTTP log"),
    ("URL", "a URL"),
])
def test_article(phrase, expected):
    from protoc_gen_altalune.render import _article

    assert _article(phrase) == expected


def test_a_table_name_must_leave_room_for_partitions(tmp_path):
    table = "t" * 43
    body = WIDGET.replace('error_code: 650', f'table: "{table}" error_code: 650')
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path, body)
    assert f"table name {table} is longer than 42 characters" in str(err.value)
    ok = WIDGET.replace('error_code: 650', f'table: "{table[:42]}" error_code: 650')
    (w,) = model_of(tmp_path / "ok", ok).entities
    assert w.table == table[:42]


def test_update_keeps_unspecified_enums(tmp_path):
    crud = CRUD.replace("string serial = 4;", "string serial = 4; WidgetKind kind = 5;")
    (w,) = model_of(tmp_path, WIDGET + crud).entities
    kind = next(f for f in w.update_fields if f.name == "kind")
    assert kind.keeps_on_update and kind.update_type == "*WidgetKind"
    assert kind.from_proto_update("req") == "domainkit.UnlessZero(req.GetKind(), WidgetKindFromProto)"
    name = next(f for f in w.update_fields if f.name == "name")
    assert not name.keeps_on_update and name.update_type == "string"


MASK_IMPORT = 'import "google/protobuf/field_mask.proto";\n'


def test_update_mask_paths(tmp_path):
    """The paths a FieldMask may name: the fields the Update writes, by
    proto and JSON name; immutable fields, identifiers and timestamps are
    refused as immutable; a mutable field the request does not carry is
    neither (unknown)."""
    crud = CRUD.replace("string serial = 4;", "string serial = 4; google.protobuf.Int64Value weight = 5; "
                                               "google.protobuf.FieldMask fields_to_write = 9;")
    (w,) = model_of(tmp_path, MASK_IMPORT + WIDGET + crud).entities
    assert w.service
    update = next(r for r in w.service.rpcs if r.name == "UpdateWidget")
    assert update.mask is not None
    assert (update.mask.field, update.mask.getter, update.mask.var) == \
        ("fields_to_write", "GetFieldsToWrite", "updateWidgetMask")
    assert dict(update.mask.paths) == {"name": "name", "weight": "weight"}
    assert set(update.mask.immutable) == {"id", "widget_id", "widgetId", "project_id", "projectId", "created_at",
                                          "createdAt", "updated_at", "updatedAt", "serial"}
    assert not {"kind", "note", "fields_to_write"} & (set(update.mask.immutable) | set(dict(update.mask.paths)))
    create = next(r for r in w.service.rpcs if r.name == "CreateWidget")
    assert create.mask is None


def test_update_mask_json_names_and_refusals(tmp_path):
    crud = CRUD.replace("string serial = 4;", "string serial = 4; google.protobuf.Timestamp due_at = 6; "
                                               "google.protobuf.FieldMask m = 9;")
    (w,) = model_of(tmp_path, MASK_IMPORT + WIDGET + crud).entities
    update = next(r for r in w.service.rpcs if r.name == "UpdateWidget") if w.service else None
    assert update and update.mask
    assert dict(update.mask.paths) == {"name": "name", "due_at": "due_at", "dueAt": "due_at"}

    two = CRUD.replace("string serial = 4;", "string serial = 4; google.protobuf.FieldMask a = 8; "
                                             "google.protobuf.FieldMask b = 9;")
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path / "two", MASK_IMPORT + WIDGET + two)
    assert "UpdateWidgetRequest has two google.protobuf.FieldMask fields, a and b" in str(err.value)
    assert str(err.value).startswith("shop/v1/shop.proto:")

    on_create = CRUD.replace("optional string note = 4;", "optional string note = 4; google.protobuf.FieldMask m = 5;")
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path / "create", MASK_IMPORT + WIDGET + on_create)
    assert "CreateWidgetRequest.m is a google.protobuf.FieldMask, but a create writes every field" in str(err.value)


def test_an_entity_field_named_fields_is_refused(tmp_path):
    """Update<E>Input has a Fields member: a field of that Go name would clash."""
    body = WIDGET.replace("bool active = 10;", "bool active = 10; string fields = 11;")
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path, body)
    assert "field fields becomes Go name Fields, which the generated code already uses" in str(err.value)


def _access(model) -> dict[str, tuple[str | None, bool]]:
    (w,) = model.entities
    return {r.name: (r.access.permission, r.access.project) for r in w.service.rpcs}


def test_access_follows_the_conventions(tmp_path):
    """Query and Get read, Create and Update write, Delete deletes, on the
    entity's domain; a partitioned entity also needs project membership."""
    assert _access(model_of(tmp_path, WIDGET + CRUD)) == {
        "QueryWidgets": ("widget:read", True),
        "CreateWidget": ("widget:write", True),
        "GetWidget": ("widget:read", True),
        "UpdateWidget": ("widget:write", True),
        "DeleteWidget": ("widget:delete", True),
        "PolishWidget": ("widget:polish", True),
    }


def test_access_options(tmp_path):
    """A resource of the service's own, a whole permission of another
    resource, public RPCs, and a global entity checked by permission alone."""
    body = WIDGET.replace("error_code: 650", "error_code: 650 partitioned: false") + CRUD
    body = body.replace("service WidgetService {",
                        'service WidgetService {\n  option (altalune.codegen.v1.service) = {resource: "gear"};')
    body = body.replace("rpc GetWidget(GetWidgetRequest) returns (GetWidgetResponse);",
                        "rpc GetWidget(GetWidgetRequest) returns (GetWidgetResponse) "
                        "{ option (altalune.codegen.v1.method) = {public: true}; }")
    body = body.replace('{permission: "polish"}', '{permission: "shop:polish"}')
    access = _access(model_of(tmp_path, body))
    assert access == {
        "QueryWidgets": ("gear:read", False),
        "CreateWidget": ("gear:write", False),
        "GetWidget": (None, False),
        "UpdateWidget": ("gear:write", False),
        "DeleteWidget": ("gear:delete", False),
        "PolishWidget": ("shop:polish", False),
    }


def test_a_public_service_serves_every_rpc_to_anyone(tmp_path):
    """...but an RPC that states its own permission."""
    body = (WIDGET + CRUD).replace("service WidgetService {",
                                   "service WidgetService {\n  option (altalune.codegen.v1.service) = {public: true};")
    access = _access(model_of(tmp_path, body))
    assert access.pop("PolishWidget") == ("widget:polish", True)
    assert {p for p, _ in access.values()} == {None}


def test_a_custom_rpc_must_say_who_may_call_it(tmp_path):
    body = (WIDGET + CRUD).replace('{permission: "polish"}', "{}")
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path, body)
    assert "rpc WidgetService.PolishWidget is a custom RPC and says nothing of who may call it" in str(err.value)


def test_a_handwritten_service_is_left_alone(tmp_path):
    """RPCs named like an entity's CRUD in a service tied to nothing are an
    error, unless the service says it is written by hand."""
    other = """
service Workshop {
  option (altalune.codegen.v1.service) = {handwritten: true};
  rpc GetWidget(GetWidgetRequest) returns (GetWidgetResponse);
}
"""
    model = model_of(tmp_path, WIDGET + CRUD + other)
    assert model.entities[0].service.name == "WidgetService"
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path / "again", WIDGET + CRUD + other.replace(
            "option (altalune.codegen.v1.service) = {handwritten: true};", ""))
    assert "service Workshop is tied to no entity, but its RPCs GetWidget are named like" in str(err.value)


def test_a_suggested_error_code_block_is_free(tmp_path):
    """601 and 602 are taken by other entities of the request."""
    others = """
message Gizmo {
  option (altalune.codegen.v1.entity) = { error_code: 601 partitioned: false migration_version: "20250101000001" };
  string id = 1;
}
message Gadget {
  option (altalune.codegen.v1.entity) = { error_code: 602 partitioned: false migration_version: "20250101000002" };
  string id = 1;
}
"""
    body = WIDGET.replace("error_code: 650 ", "") + CRUD + others
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path, body)
    assert "e.g. error_code: 604 (free)" in str(err.value)


def _with_query(request: str, response: str, options: str = "") -> str:
    """WIDGET with a Query whose request and response carry the given
    extra fields (and the rpc the given method options)."""
    rpc = "rpc QueryWidgets(QueryWidgetsRequest) returns (QueryWidgetsResponse)"
    return WIDGET + f"""
message QueryWidgetsRequest {{ string project_id = 1; altalune.v1.QueryRequest query = 2; {request} }}
message QueryWidgetsResponse {{ repeated Widget data = 1; {response} }}
service WidgetService {{
  {rpc + (" { option (altalune.codegen.v1.method) = {" + options + "}; }" if options else ";")}
}}
"""


def test_a_query_pages_by_cursor_through_its_cursor_fields(tmp_path):
    """The fields named cursor and next_cursor, or those the options name,
    make the Query page by cursor too; without them it does not."""
    cases = {
        "convention": ("string cursor = 3;", "string next_cursor = 2;", "", ("GetCursor", "NextCursor")),
        "options": ("string page_token = 3; string cursor = 4;", "string next_page_token = 2;",
                    'cursor_field: "page_token" next_cursor_field: "next_page_token"',
                    ("GetPageToken", "NextPageToken")),
        "none": ("", "", "", (None, None)),
    }
    for name, (request, response, options, want) in cases.items():
        (w,) = model_of(tmp_path / name, _with_query(request, response, options)).entities
        (rpc,) = w.service.rpcs
        assert (rpc.cursor, rpc.next_cursor) == want, name
        assert w.cursors is (want[0] is not None), name


def test_cursor_misuse_is_refused_where_it_is_written(tmp_path):
    with pytest.raises(InvalidInput) as err:
        model_of(tmp_path, _with_query("bytes cursor = 3;", "string next_cursor = 2;"))
    assert "QueryWidgetsRequest.cursor is the cursor of the Query, but not a plain `string`" in str(err.value)
    assert "shop/v1/shop.proto:" in str(err.value)
