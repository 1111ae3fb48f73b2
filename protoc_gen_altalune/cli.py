"""The protoc-gen-altalune command: a request on stdin, a response on stdout."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import BinaryIO

OPTIONS_PROTO = "altalune/codegen/v1/options.proto"


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("protoc-gen-altalune")
    except metadata.PackageNotFoundError:
        return "unknown"


def options_proto() -> str:
    from importlib import resources

    return resources.files("protoc_gen_altalune.proto").joinpath(OPTIONS_PROTO).read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    # One request, one response, then the process ends: the cyclic garbage
    # collector would only spend time (about 5% of a run) walking the objects
    # imports and the model make, to free little before the exit does.
    import gc

    gc.disable()
    argv = sys.argv[1:] if argv is None else argv
    if not argv:  # the plugin protocol: the common case pays for no argument parsing
        return run(sys.stdin.buffer, sys.stdout.buffer)
    import argparse

    parser = argparse.ArgumentParser(
        prog="protoc-gen-altalune",
        description="protoc/buf plugin: reads a CodeGeneratorRequest on stdin and writes the Go service "
        "layers of the annotated entities as a CodeGeneratorResponse on stdout.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--print-options-proto",
        action="store_true",
        help=f"write {OPTIONS_PROTO} to stdout, for vendoring next to your protos",
    )
    args = parser.parse_args(argv)
    if args.version:
        print(f"protoc-gen-altalune {_version()}")
        return 0
    if args.print_options_proto:
        sys.stdout.write(options_proto())
        return 0
    return run(sys.stdin.buffer, sys.stdout.buffer)


def run(stdin: BinaryIO, stdout: BinaryIO) -> int:
    data = stdin.read()
    if _answers_nothing(data):
        stdout.write(EMPTY_RESPONSE)
        stdout.flush()
        return 0
    from google.protobuf.compiler import plugin_pb2
    from google.protobuf.message import DecodeError

    from .plugin import generate

    try:
        request = plugin_pb2.CodeGeneratorRequest.FromString(data)
    except DecodeError as err:
        print(f"protoc-gen-altalune: stdin is not a CodeGeneratorRequest ({err or 'malformed'}); "
              "run it through protoc or buf", file=sys.stderr)
        return 1
    if not request.file_to_generate and not data:
        print("protoc-gen-altalune: empty request on stdin; run it through protoc or buf", file=sys.stderr)
        return 1
    try:
        response = generate(request)
    except Exception as err:  # an internal fault: one line, the traceback only on demand
        if os.environ.get("ALTALUNE_DEBUG"):
            raise
        print(f"protoc-gen-altalune: internal error: {type(err).__name__}: {err} "
              "(set ALTALUNE_DEBUG=1 for the traceback)", file=sys.stderr)
        return 2
    stdout.write(response.SerializeToString(deterministic=True))
    stdout.flush()
    return 0


# --- requests that cannot yield anything --------------------------------------------------------
#
# buf runs a local plugin once per input of buf.gen.yaml; an input such as the
# vendored options.proto (whose Go package protoc-gen-go writes) declares no
# entity and no service, and the answer is the empty response. Such a request
# is recognised on the wire, before protobuf and the pipeline are imported: every
# file to generate declares no service and carries no custom option anywhere
# (an entity, a field, an enum value, a service or a method of ours is a custom
# option, an extension numbered 1000 or more). Anything else, and any doubt
# (a malformed request, a file or import not in the request, a file twice, a
# parameter that does not parse), goes through the whole pipeline. tests/test_cli.py holds the answer
# to be the pipeline's own for such requests and never taken for the others.

# plugin.FEATURES, MINIMUM_EDITION and MAXIMUM_EDITION, as CodeGeneratorResponse
# fields 2, 3 and 4 (tests/test_cli.py checks they are the pipeline's bytes).
EMPTY_RESPONSE = b"\x10\x03\x18\xe6\x07\x20\xe9\x07"

_FILE_MESSAGE, _FILE_ENUM, _FILE_SERVICE, _FILE_EXTENSION, _FILE_OPTIONS = 4, 5, 6, 7, 8
# DescriptorProto: field, nested_type, enum_type, extension_range, extension, options, oneof_decl.
_MSG_FIELD, _MSG_NESTED, _MSG_ENUM, _MSG_RANGE, _MSG_EXTENSION, _MSG_OPTIONS, _MSG_ONEOF = 2, 3, 4, 5, 6, 7, 8
_FIRST_EXTENSION = 999  # uninterpreted_option (999) and extensions (1000 and up)


class _Malformed(Exception):
    pass


def _fields(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """The fields of a message in data[start:end]: (number, wire type, start, end);
    for a varint or fixed field, start == end."""
    out = []
    pos = start
    while pos < end:
        key, pos = _varint(data, pos, end)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(data, pos, end)
            out.append((number, wire, pos, pos))
        elif wire == 2:
            length, pos = _varint(data, pos, end)
            if pos + length > end:
                raise _Malformed
            out.append((number, wire, pos, pos + length))
            pos += length
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
            if pos > end:
                raise _Malformed
            out.append((number, wire, pos, pos))
        else:
            raise _Malformed
        if number == 0:
            raise _Malformed
    return out


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise _Malformed
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _plain_options(data: bytes, start: int, end: int) -> bool:
    return all(number < _FIRST_EXTENSION for number, _, _, _ in _fields(data, start, end))


def _plain_with_options(data: bytes, start: int, end: int, options: int) -> bool:
    """A field, oneof, extension range or enum value: plain when its options are."""
    return all(_plain_options(data, s, e) for n, w, s, e in _fields(data, start, end) if n == options and w == 2)


def _plain_enum(data: bytes, start: int, end: int) -> bool:
    for number, wire, s, e in _fields(data, start, end):
        if wire != 2:
            continue
        if number == 2 and not _plain_with_options(data, s, e, 3):  # value
            return False
        if number == 3 and not _plain_options(data, s, e):  # options
            return False
    return True


def _plain_message(data: bytes, start: int, end: int) -> bool:
    for number, wire, s, e in _fields(data, start, end):
        if wire != 2:
            continue
        if number in (_MSG_FIELD, _MSG_EXTENSION):
            plain = _plain_with_options(data, s, e, 8)
        elif number == _MSG_NESTED:
            plain = _plain_message(data, s, e)
        elif number == _MSG_ENUM:
            plain = _plain_enum(data, s, e)
        elif number == _MSG_RANGE:
            plain = _plain_with_options(data, s, e, 3)
        elif number == _MSG_OPTIONS:
            plain = _plain_options(data, s, e)
        elif number == _MSG_ONEOF:
            plain = _plain_with_options(data, s, e, 2)
        else:
            continue
        if not plain:
            return False
    return True


def _plain_file(data: bytes, start: int, end: int) -> bool:
    for number, wire, s, e in _fields(data, start, end):
        if number == _FILE_SERVICE:
            return False
        if wire != 2:
            continue
        if number == _FILE_MESSAGE:
            plain = _plain_message(data, s, e)
        elif number == _FILE_ENUM:
            plain = _plain_enum(data, s, e)
        elif number == _FILE_EXTENSION:
            plain = _plain_with_options(data, s, e, 8)
        elif number == _FILE_OPTIONS:
            plain = _plain_options(data, s, e)
        else:
            continue
        if not plain:
            return False
    return True


def _answers_nothing(data: bytes) -> bool:
    """Whether the request surely asks for nothing: see above."""
    try:
        to_generate: list[str] = []
        parameter = ""
        files: dict[str, list[tuple[int, int]]] = {}
        carried: set[str] = set()  # proto_file names
        imports: list[str] = []  # what they import
        for number, wire, start, end in _fields(data, 0, len(data)):
            if wire != 2:
                continue
            if number == 1:  # file_to_generate
                to_generate.append(data[start:end].decode("utf-8"))
            elif number == 2:  # parameter
                parameter = data[start:end].decode("utf-8")
            elif number in (15, 17):  # proto_file, source_file_descriptors
                file = _fields(data, start, end)
                name = next((data[s:e].decode("utf-8") for n, w, s, e in file if n == 1 and w == 2), "")
                files.setdefault(name, []).append((start, end))
                if number == 15:
                    if name in carried:
                        return False
                    carried.add(name)
                    imports.extend(data[s:e].decode("utf-8") for n, w, s, e in file if n == 3 and w == 2)
        if not to_generate or any(name not in carried for name in to_generate + imports):
            return False
        if not all(_plain_file(data, s, e) for name in set(to_generate) for s, e in files[name]):
            return False
    except (_Malformed, UnicodeDecodeError, RecursionError):
        return False
    from .diagnostics import BadParameter
    from .params import parse

    try:
        parse(parameter)
    except BadParameter:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
