"""Build hook: the templates are compiled by Jinja when the package is built.

Beside the usual build_py, every ``templates/*.jinja`` is compiled in the very
environment the plugin renders in (protoc_gen_altalune.render) into
``protoc_gen_altalune/compiled_templates/``: into the wheel, or, for an
editable install, into the checkout (git ignores it). pip then writes
Python's byte-code cache of those modules as it installs the wheel (for an
editable install this hook writes it for the whole package), so a run
compiles nothing. A compiled template is used only while it matches its
source (see protoc_gen_altalune/templating.py); whatever templates exist at
build time are compiled, new ones included.

The metadata is in pyproject.toml.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))
PACKAGE = "protoc_gen_altalune"


class BuildPyWithCompiledTemplates(build_py):
    def run(self) -> None:
        super().run()
        self._compiled = self._compile_templates()

    def _target(self) -> str:
        base = ROOT if self.editable_mode else self.build_lib
        return os.path.join(base, PACKAGE, "compiled_templates")

    def _compile_templates(self) -> list[str]:
        sys.path.insert(0, ROOT)
        try:
            from protoc_gen_altalune import render, templating
        finally:
            sys.path.remove(ROOT)
        env = templating.environment(None, render.FILTERS)
        target = self._target()
        written = templating.precompile(os.path.join(ROOT, "templates"), target, env)
        print(f"compiled {len(written) - 1} templates into {target}")
        if self.editable_mode:
            # What pip does for a wheel, done for the checkout: Python's byte-code
            # cache of the package, written even under PYTHONDONTWRITEBYTECODE.
            import compileall

            compileall.compile_dir(os.path.join(ROOT, PACKAGE), quiet=1)
        return written

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs += getattr(self, "_compiled", [])
        return outputs


setup(cmdclass={"build_py": BuildPyWithCompiledTemplates})
