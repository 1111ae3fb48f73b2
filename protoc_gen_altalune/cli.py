"""The protoc-gen-altalune command: a request on stdin, a response on stdout."""

from __future__ import annotations

import os
import sys
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
    from google.protobuf.compiler import plugin_pb2
    from google.protobuf.message import DecodeError

    from .plugin import generate

    data = stdin.read()
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


if __name__ == "__main__":
    sys.exit(main())
