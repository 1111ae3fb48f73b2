"""CodeGeneratorRequest -> CodeGeneratorResponse: request -> options ->
typed model -> templates -> response."""

from __future__ import annotations

import posixpath

from google.protobuf.compiler import plugin_pb2

from . import params as params_mod
from .build import build
from .build.evolution import check_deployed
from .diagnostics import BadParameter, InvalidInput, Problems
from .render import render

FEATURES = (
    plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    | plugin_pb2.CodeGeneratorResponse.FEATURE_SUPPORTS_EDITIONS
)
# Editions files are accepted so that protoc and buf pass them through; an
# entity declared in one is refused with a located message.
MINIMUM_EDITION = 998  # EDITION_PROTO2
MAXIMUM_EDITION = 1001  # EDITION_2024


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=FEATURES,
        minimum_edition=MINIMUM_EDITION,
        maximum_edition=MAXIMUM_EDITION,
    )
    try:
        params = params_mod.parse(request.parameter)
        model = build(request, params)
        files = render(model, params)
        problems = Problems()
        check_deployed(model.entities, {posixpath.basename(f.name): f.content.encode() for f in files
                                        if f.name.endswith(".sql")}, problems)
        if problems:
            raise InvalidInput(problems)
    except (InvalidInput, BadParameter) as err:
        response.error = str(err)
        return response
    for f in files:
        response.file.add(name=f.name, content=f.content)
    return response
