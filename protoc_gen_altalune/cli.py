import sys
from importlib import resources


def main() -> int:
    if "--print-options-proto" in sys.argv[1:]:
        sys.stdout.write(resources.files("protoc_gen_altalune.proto").joinpath("altalune/codegen/v1/options.proto").read_text())
        return 0
    return 0
