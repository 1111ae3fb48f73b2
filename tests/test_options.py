"""The typed options read the fields options.proto declares: a name that
options.proto does not have (a typo) fails here rather than reading as a
silent default."""

from __future__ import annotations

import subprocess
import types
import typing

import pytest
from golden_harness import REPO, tool_env, which
from google.protobuf import descriptor_pb2

from protoc_gen_altalune import options as options_mod
from protoc_gen_altalune import records

SHIPPED = REPO / "protoc_gen_altalune" / "proto"
MESSAGES = {"entity": "EntityOptions", "field": "FieldOptions", "enum_value": "EnumValueOptions",
            "service": "ServiceOptions", "method": "MethodOptions"}
FDP = descriptor_pb2.FieldDescriptorProto


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> descriptor_pb2.FileDescriptorProto:
    out = tmp_path_factory.mktemp("options") / "set.pb"
    proc = subprocess.run([which("protoc"), f"-I{SHIPPED}", f"--descriptor_set_out={out}",
                           "altalune/codegen/v1/options.proto"], capture_output=True, text=True, env=tool_env())
    assert proc.returncode == 0, proc.stderr
    return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file[0]


def _python_types(annotation: object) -> set[type]:
    hint = annotation
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return {t for arg in typing.get_args(hint) for t in _python_types(arg)}
    if typing.get_origin(hint) is tuple:
        return {tuple}
    return {hint} if isinstance(hint, type) else set()


# Messages the options messages nest, and their dataclasses.
NESTED = {"Column": options_mod.ColumnOptions, "ErrorCodes": options_mod.ErrorCodes,
          "UniqueKey": options_mod.UniqueKeyOptions}


@pytest.mark.parametrize("extension", sorted(MESSAGES) + sorted(NESTED))
def test_every_option_field_exists_with_its_type(shipped, extension):
    cls = NESTED.get(extension) or options_mod.OPTION_TYPES[extension]
    message = next(m for m in shipped.message_type if m.name == MESSAGES.get(extension, extension))
    fields = {f.name: f for f in message.field}
    hints = typing.get_type_hints(cls)
    for name in records.fields(cls):
        assert name in fields, f"{cls.__name__}.{name} is not a field of {message.name} in options.proto"
        proto = fields[name]
        kinds = _python_types(hints[name])
        if proto.label == FDP.LABEL_REPEATED:
            assert tuple in kinds, f"{name}: repeated in options.proto"
        elif proto.type == FDP.TYPE_BOOL:
            assert bool in kinds, f"{name}: a bool in options.proto"
            assert (type(None) in kinds) == proto.proto3_optional, f"{name}: presence differs"
        elif proto.type in (FDP.TYPE_STRING, FDP.TYPE_ENUM):
            assert str in kinds, f"{name}: a string or enum (read by name) in options.proto"
        elif proto.type == FDP.TYPE_INT32:
            assert int in kinds, f"{name}: an int32 in options.proto"
        elif proto.type == FDP.TYPE_MESSAGE:
            nested = NESTED[proto.type_name.rsplit(".", 1)[1]]
            assert nested in kinds and type(None) in kinds, f"{name}: an optional {nested.__name__}"
        else:
            pytest.fail(f"{name}: no rule for type {proto.type}")


@pytest.mark.parametrize("extension", sorted(MESSAGES) + sorted(NESTED))
def test_every_field_of_options_proto_is_read(shipped, extension):
    """...and nothing options.proto declares is left unread."""
    cls = NESTED.get(extension) or options_mod.OPTION_TYPES[extension]
    message = next(m for m in shipped.message_type if m.name == MESSAGES.get(extension, extension))
    assert {f.name for f in message.field} == set(records.fields(cls))


def test_extension_numbers_come_from_the_request(shipped):
    """Locating an option needs its extension number: read from the request's
    options.proto, never copied."""
    from google.protobuf.compiler import plugin_pb2

    request = plugin_pb2.CodeGeneratorRequest()
    wkt = descriptor_pb2.FileDescriptorProto()
    descriptor_pb2.DescriptorProto.DESCRIPTOR.file.CopyToProto(wkt)
    request.proto_file.extend([wkt, shipped])
    reader = options_mod.OptionReader(request)
    numbers = {e.name: e.number for e in shipped.extension}
    assert numbers == {"entity": 50601, "field": 50602, "enum_value": 50603, "service": 50604, "method": 50605}
    for name, number in numbers.items():
        assert reader.extension_number(name) == number
