"""Templates compiled at build time (setup.py, protoc_gen_altalune.templating):
used only while they are the compilation of the current source in the
current environment, and otherwise compiled from the source, with the same
output either way."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import jinja2
import pytest
from golden_harness import GOLDEN, Case, descriptor_set, request_for

from protoc_gen_altalune import render, templating
from protoc_gen_altalune.plugin import generate

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
NAME = "domain_errors.go.jinja"


def _compiled(tmp: Path, templates: Path, env: jinja2.Environment | None = None) -> ModuleType:
    """Compile ``templates`` as the build does and import the result as a package."""
    out = tmp / "compiled"
    templating.precompile(str(templates), str(out), env or templating.environment(None, render.FILTERS))
    spec = importlib.util.spec_from_file_location("altalune_test_compiled", out / "__init__.py",
                                                  submodule_search_locations=[str(out)])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(monkeypatch: pytest.MonkeyPatch, package: ModuleType | None, name: str = NAME,
          user_dir: str | None = None, filters: dict | None = None) -> tuple[jinja2.Template, list[str]]:
    monkeypatch.setattr(templating, "_compiled_package", lambda: package)
    env = templating.environment(user_dir, filters or render.FILTERS)
    template = env.get_template(name)
    assert isinstance(env.loader, templating.TemplateLoader)
    return template, env.loader.compiled_at_run_time


def _copy_templates(tmp: Path) -> Path:
    copy = tmp / "templates"
    shutil.copytree(TEMPLATES, copy)
    return copy


def test_current_compilation_is_used(tmp_path, monkeypatch):
    package = _compiled(tmp_path, TEMPLATES)
    template, compiled_now = _load(monkeypatch, package)
    assert compiled_now == []
    assert template.root_render_func.__code__.co_filename.startswith(str(tmp_path))


def test_every_template_is_compiled_including_new_ones(tmp_path):
    templates = _copy_templates(tmp_path)
    (templates / "brand_new.go.jinja").write_text("package {{ name }}\n", encoding="utf-8")
    package = _compiled(tmp_path, templates)
    expected = {p.name for p in TEMPLATES.glob("*.jinja")} | {"brand_new.go.jinja"}
    assert set(package.TEMPLATES) == expected
    for module, _ in package.TEMPLATES.values():
        assert (tmp_path / "compiled" / f"{module}.py").is_file()


def test_edited_template_is_compiled_from_its_source(tmp_path, monkeypatch):
    """A compiled copy of another text of the template is never used: the
    packaged source is hashed at run time and compiled when it differs."""
    templates = _copy_templates(tmp_path)
    (templates / NAME).write_text("STALE {{ entity }}\n", encoding="utf-8")
    package = _compiled(tmp_path, templates)
    template, compiled_now = _load(monkeypatch, package)
    assert compiled_now == [NAME]
    with pytest.raises(jinja2.UndefinedError):  # the real template, which needs its context
        template.render()
    # The other templates are still current and used.
    _, compiled_now = _load(monkeypatch, package, name="root_errors.go.jinja")
    assert compiled_now == []


def test_other_jinja_version_is_compiled_from_source(tmp_path, monkeypatch):
    package = _compiled(tmp_path, TEMPLATES)
    monkeypatch.setattr(jinja2, "__version__", "0.0.0")
    _, compiled_now = _load(monkeypatch, package)
    assert compiled_now == [NAME]


def test_other_filters_are_compiled_from_source(tmp_path, monkeypatch):
    """How a filter is called is compiled into the template: a filter that
    now takes the context makes the compiled copy stale."""
    package = _compiled(tmp_path, TEMPLATES)

    @jinja2.pass_context
    def quote(context, value):  # pragma: no cover - never called here
        return value

    _, compiled_now = _load(monkeypatch, package, filters={**render.FILTERS, "quote": quote})
    assert compiled_now == [NAME]


def test_without_compiled_templates_sources_are_compiled(monkeypatch):
    _, compiled_now = _load(monkeypatch, None)
    assert compiled_now == [NAME]


def test_user_templates_win_over_compiled_ones(tmp_path, monkeypatch):
    package = _compiled(tmp_path, TEMPLATES)
    user = tmp_path / "mine"
    user.mkdir()
    (user / NAME).write_text("mine {{ 1 + 1 }}\n", encoding="utf-8")
    template, compiled_now = _load(monkeypatch, package, user_dir=str(user))
    assert template.render() == "mine 2\n"
    assert compiled_now == []
    with pytest.raises(jinja2.TemplateNotFound):
        _load(monkeypatch, package, name="no_such.go.jinja", user_dir=str(user))


def test_precompile_refuses_a_directory_it_did_not_write(tmp_path):
    out = tmp_path / "compiled"
    out.mkdir()
    (out / "__init__.py").write_text("# somebody's package\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="was not written"):
        templating.precompile(str(TEMPLATES), str(out), templating.environment(None, render.FILTERS))


@pytest.mark.parametrize("case", ["edge_features", "custom_rpc"])
def test_same_output_compiled_at_build_or_at_run_time(case, tmp_path, monkeypatch):
    monkeypatch.setenv("ALTALUNE_NO_TEMPLATE_CACHE", "1")
    c = Case(case, GOLDEN / case)
    request = request_for(c, descriptor_set(c, tmp_path))
    package = _compiled(tmp_path, TEMPLATES)
    monkeypatch.setattr(templating, "_compiled_package", lambda: package)
    built = generate(request)
    monkeypatch.setattr(templating, "_compiled_package", lambda: None)
    at_run_time = generate(request)
    assert not built.error and len(built.file) > 10
    assert built.SerializeToString(deterministic=True) == at_run_time.SerializeToString(deterministic=True)
