"""The packaged templates' translations into Python (translate.py,
template_runtime.py): the same bytes as Jinja renders, Jinja's semantics on
the constructs they cover, a clear refusal of the rest, and a run that
never imports Jinja."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

import jinja2
import pytest
from golden_harness import GOLDEN, Case, descriptor_set, load_cases, request_for

from protoc_gen_altalune import compiled_templates, render, template_runtime, templating, translate
from protoc_gen_altalune.plugin import generate

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
SUCCESS = [c for c in load_cases() if not c.is_error]


def _env() -> jinja2.Environment:
    return templating.environment(None, render.FILTERS)


def _translated(source: str, name: str = "t.jinja") -> template_runtime.Render:
    python = translate.translate(_env(), name, source, set(render.FILTERS))
    namespace: dict[str, Any] = {}
    exec(python, namespace)
    fn: template_runtime.Render = namespace["render"]
    return fn


def _both(source: str, **ctx: Any) -> tuple[str, str]:
    jinja = _env().from_string(source).render(**ctx)
    ours = _translated(source)(ctx, render.FILTERS)
    return jinja, ours


class Obj:
    def __init__(self, **kw: Any):
        self.__dict__.update(kw)

    def twice(self, x: int, *, plus: int = 0) -> int:
        return 2 * x + plus


SNIPPETS: list[tuple[str, str, dict[str, Any]]] = [
    ("text and values", "a{{ x }}b {{ n + 1 }} {{ none }} {{ flag }}\n", {"x": "X", "n": 41, "none": None,
                                                                          "flag": True}),
    ("whitespace control", "{% if x %}\n  yes\n{% endif %}\n{%- for i in xs -%} {{ i }} {%- endfor %}\n",
     {"x": 1, "xs": [1, 2]}),
    ("if elif else", "{% for v in vs %}{% if v < 0 %}neg{% elif v == 0 %}zero{% else %}pos{% endif %};{% endfor %}",
     {"vs": [-1, 0, 3]}),
    ("loop attributes", "{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.first }}/{{ loop.last }}/"
     "{{ loop.length }}{{ ', ' if not loop.last }}{% endfor %}", {"xs": "abc"}),
    ("filtered loop counts the kept items",
     "{% for x in xs if x.keep %}{{ x.n }}{{ ',' if not loop.last }}{% endfor %}",
     {"xs": [Obj(keep=True, n=1), Obj(keep=False, n=2), Obj(keep=True, n=3), Obj(keep=False, n=4)]}),
    ("filtered loop without loop", "{% for x in xs if x % 2 %}{{ x }}{% endfor %}", {"xs": range(7)}),
    ("nested loops have their own loop", "{% for a in xs %}{% for b in ys %}{{ loop.index }}{{ b }}{% endfor %}"
     "[{{ loop.index }}]{% endfor %}", {"xs": [1, 2], "ys": "pq"}),
    ("for else", "{% for x in xs %}{{ x }}{% else %}empty{% endfor %}|{% for x in ys %}{{ x }}{% else %}none"
     "{% endfor %}", {"xs": [], "ys": [1]}),
    ("tuple targets", "{% for k, v in items %}{{ k }}={{ v }};{% endfor %}", {"items": [("a", 1), ("b", 2)]}),
    ("a set in a loop stays in the loop",
     "{% set x = 'outer' %}{% for i in xs %}{{ x }}{% set x = i %}{{ x }} {% endfor %}{{ x }}", {"xs": [1, 2]}),
    ("a set in an if is seen after it", "{% if c %}{% set y = 'in' %}{% endif %}{{ y }}", {"c": True, "y": "ctx"}),
    ("a set in a loop's else stays in it",
     "{% for x in xs %}{{ x }}{% else %}{% set y = 'none' %}{% endfor %}[{{ y }}]", {"xs": [], "y": "ctx"}),
    ("a loop's else that does not run keeps the context's value",
     "{% for x in xs %}{{ x }}{% else %}{% set y = 'none' %}{% endfor %}[{{ y }}]", {"xs": [1], "y": "ctx"}),
    ("a set in an untaken if keeps the context's value", "{% if c %}{% set y = 'in' %}{% endif %}{{ y }}",
     {"c": False, "y": "ctx"}),
    ("loop in an inner loop's iterable, filter and else is the loop around it",
     "{% for z in zs %}{{ loop.index }}:{% for a in xs %}{% for b in ys %}{% else %}{{ loop.index }}{% endfor %}"
     "{% endfor %};{% endfor %}", {"zs": [1, 2, 3], "xs": [1, 2], "ys": []}),
    ("three loops, the middle one's loop in the inner iterable",
     "{% for z in zs %}{{ loop.index }}{% for a in xs %}{% for b in ys[:loop.index] %}{{ b }}{% endfor %};"
     "{% endfor %}{% endfor %}", {"zs": [1, 2, 3], "xs": [1, 2], "ys": [7, 8, 9]}),
    ("the loop around in a filter",
     "{% for z in zs %}{{ loop.index }}{% for a in xs %}{% for b in ys if loop.first %}{{ b }}{% endfor %};"
     "{% endfor %}{% endfor %}", {"zs": [1, 2], "xs": [1, 2], "ys": [7, 8]}),
    ("macro defaults are worked out at each call, after the arguments before them",
     "{% set x = 1 %}{% macro m(a, b=a, c=x) %}{{ b }}{{ c }}{% endmacro %}{% set x = 2 %}{{ m(3) }}{{ m(4, 5) }}",
     {}),
    ("a macro's mutable default is new at each call",
     "{% macro m(a=[]) %}{{ a.append(1) }}{{ a|length }}{% endmacro %}{{ m() }}{{ m() }}", {}),
    ("a macro's unused undefined default or argument", "{% macro m(a, b, c=nope) %}{{ a }}{% endmacro %}[{{ m(1) }}]",
     {}),
    ("an inline if without else is Jinja's Undefined",
     "{{ (1 if false) == '' }} {{ '' in (1 if false) }} {{ [1 if false] }} {{ (1 if false)|length }} "
     "[{% for x in (1 if false) %}{{ x }}{% endfor %}] {{ not (1 if false) }}", {}),
    ("attribute paths in join", "{{ xs|join(', ', attribute='a.b') }} {{ ys|join(attribute='0') }}",
     {"xs": [{"a": {"b": 1}}, {"a": {"b": 2}}], "ys": [[1], [2]]}),
    ("keyword-named keyword arguments and infinite constants", "{{ f(class=1) }} {{ 1e999 }} {{ -1e999 }}",
     {"f": lambda **kw: sorted(kw.items())}),
    ("macro", "{% macro m(a, b='d') %}<{{ a }}{{ b }}{{ g }}>{% endmacro %}{{ m(1) }}{{ m(2, b='x') }}",
     {"g": "!"}),
    ("macro with a loop", "{% macro m(xs) %}{% for x in xs %}{{ x }}{{ ',' if not loop.last }}{% endfor %}"
     "{% endmacro %}[{{ m(items) }}]", {"items": [3, 4]}),
    ("inline if without else", "[{{ 'y' if a }}][{{ 'n' if b }}][{{ ('<' ~ a ~ '>') if a }}]", {"a": 1, "b": 0}),
    ("operators", "{{ 7 // 2 }} {{ 7 / 2 }} {{ 7 % 3 }} {{ 2 ** 3 }} {{ -a }} {{ a - 1 }} {{ 'x' * 2 }} "
     "{{ a > 1 and a < 9 }} {{ not a }} {{ a or 5 }} {{ 'b' in 'abc' }} {{ 'z' not in 'abc' }} {{ a != 2 }} "
     "{{ 1 <= a <= 3 }}", {"a": 2}),
    ("literals", "{{ [1, 'a'] }} {{ (1,) }} {{ {'k': 1}['k'] }} {{ xs[1:] }} {{ xs[-1] }} {{ xs[::2] }}",
     {"xs": [1, 2, 3]}),
    ("attributes fall back to items, items to attributes",
     "{{ d.key }} {{ o['n'] }} {{ d['key'] }} {{ d.items()|list|length }} {{ o.twice(3, plus=1) }}",
     {"d": {"key": "v"}, "o": Obj(n=5)}),
    ("filters", "{{ xs|join(', ') }} {{ xs|join }} {{ objs|join('-', attribute='n') }} {{ 'ab'|capitalize }} "
     "{{ xs|length }} {{ xs|reverse|list }} {{ 'abc'|reverse }} {{ objs|selectattr('keep')|list|length }} "
     "{{ 'v'|quote }} {{ 'api key'|article }} {{ 'user_id'|go_name }}",
     {"xs": [1, 2, 3], "objs": [Obj(n=1, keep=True), Obj(n=2, keep=False)]}),
    ("filter in a condition", "{% if objs|selectattr('keep')|list %}some{% endif %}",
     {"objs": [Obj(keep=False)]}),
    ("globals and calls", "{{ f(2) }} {{ g(*[]) if false else 'k' }}", {"f": lambda x: x * 10, "g": len}),
]


@pytest.mark.parametrize(("source", "ctx"), [(s, c) for _, s, c in SNIPPETS], ids=[n for n, _, _ in SNIPPETS])
def test_renders_as_jinja_does(source: str, ctx: dict[str, Any]):
    if "*[]" in source:
        with pytest.raises(translate.Unsupported, match=r"t\.jinja:1: a call with \*args"):
            _translated(source)
        return
    jinja, ours = _both(source, **ctx)
    assert ours == jinja


@pytest.mark.parametrize(("source", "message"), [
    ("{% include 'x.jinja' %}", r"t\.jinja:1: the statement Include"),
    ("a\n{{ x is defined }}", r"t\.jinja:2: the expression Test"),
    ("{% for x in xs recursive %}{{ x }}{% endfor %}", r"t\.jinja:1: a recursive loop"),
    ("{{ x|upper }}", r"t\.jinja:1: the filter upper"),
    ("{% for x in xs %}{{ loop.cycle(1, 2) }}{% endfor %}", r"t\.jinja:1: loop\.cycle"),
    ("{{ loop.index }}", r"t\.jinja:1: loop\.index is not translated"),
    ("{{ loop }}", r"t\.jinja:1: loop outside a loop"),
    ("{% macro m() %}{{ caller() }}{% endmacro %}", r"t\.jinja:1: a macro's caller"),
    ("{% filter upper %}x{% endfilter %}", r"t\.jinja:1: the statement FilterBlock"),
    ("{% for i in range(2) %}{{ i }}{% endfor %}", r"t\.jinja:1: Jinja's global range is not translated"),
    ("{{ xs|selectattr('a', 'equalto', 1)|list }}", r"t\.jinja:1: selectattr with a test"),
    ("{% macro m(_i_3) %}{% endmacro %}", r"t\.jinja:1: the macro parameter name _i_3"),
])
def test_what_is_not_translated_is_refused_with_its_line(source: str, message: str):
    with pytest.raises(translate.Unsupported, match=message):
        _translated(source)


def test_an_inline_if_without_else_fails_where_jinja_undefined_does():
    for source in ("{{ (1 if false) * 2 }}", "{{ ('a' if false) + 'd' }}", "{{ ('a' if false).upper() }}"):
        with pytest.raises(jinja2.UndefinedError):
            _env().from_string(source).render()
        with pytest.raises(template_runtime.UndefinedError):
            _translated(source)({}, render.FILTERS)


def test_length_of_a_generator_fails_as_in_jinja():
    source = "{{ xs|selectattr('a')|length }}"
    with pytest.raises(TypeError):
        _env().from_string(source).render(xs=[Obj(a=1)])
    with pytest.raises(TypeError):
        _translated(source)({"xs": [Obj(a=1)]}, render.FILTERS)


def test_undefined_names_and_attributes_fail_as_jinja_strict_undefined_does():
    for source, ctx in [("{{ nothing }}", {}), ("{{ o.missing }}", {"o": Obj()}), ("{{ d['k'] }}", {"d": {}}),
                        ("{% if nothing %}{% endif %}", {}), ("{% for x in nothing %}{% endfor %}", {})]:
        with pytest.raises(jinja2.UndefinedError):
            _env().from_string(source).render(**ctx)
        with pytest.raises(template_runtime.UndefinedError):
            _translated(source)(ctx, render.FILTERS)


@pytest.mark.parametrize("case", SUCCESS, ids=[c.name for c in SUCCESS])
def test_golden_case_same_bytes_through_jinja(case: Case, tmp_path, monkeypatch):
    """Every golden case: the translations (and no Jinja at all) give the
    bytes Jinja gives."""
    request = request_for(case, descriptor_set(case, tmp_path))

    def no_jinja(self: render.Renderer) -> jinja2.Environment:
        raise AssertionError("a packaged template was rendered through Jinja")

    exact: list[str] = []  # renders that fell back from _direct to _exact
    with monkeypatch.context() as m:
        m.setattr(render.Renderer, "jinja", no_jinja)
        for name, (module, _) in compiled_templates.TRANSLATED.items():
            translated_module = import_module(f"protoc_gen_altalune.compiled_templates.{module}")
            m.setattr(translated_module, "_exact", lambda *args, name=name: exact.append(name))
        translated = generate(request)
    assert exact == [], "templates that read a dict by attribute (write d['key']) or access what is not there"
    monkeypatch.setenv("ALTALUNE_RENDER_WITH_JINJA", "1")
    monkeypatch.setenv("ALTALUNE_NO_TEMPLATE_CACHE", "1")
    through_jinja = generate(request)
    assert not translated.error
    assert len(translated.file) == len(through_jinja.file)
    for a, b in zip(translated.file, through_jinja.file, strict=True):
        assert (a.name, a.content) == (b.name, b.content)


def test_every_packaged_template_has_a_current_translation():
    translations = template_runtime.Translations(None)
    names = sorted(p.name for p in TEMPLATES.glob("*.jinja"))
    assert names and all(translations.find(n) is not None for n in names), translations.why


def test_an_edited_template_or_translator_renders_through_jinja(tmp_path, monkeypatch):
    name = "domain_errors.go.jinja"
    packaged = template_runtime.packaged_source
    with monkeypatch.context() as m:
        m.setattr(template_runtime, "packaged_source", lambda n: (packaged(n) or "") + "\n")
        stale = template_runtime.Translations(None)
        assert stale.find(name) is None
    assert "not of this source or translator" in stale.why[name]
    assert template_runtime.Translations(None).find(name) is not None
    # The key covers the translator's own sources.
    module, key = compiled_templates.TRANSLATED[name]
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert template_runtime.checksum(name, source, template_runtime.translator_bytes()) == key
    assert template_runtime.checksum(name, source, template_runtime.translator_bytes() + b" ") != key
    # A user's template directory wins.
    user = tmp_path / "mine"
    user.mkdir()
    (user / name).write_text("x", encoding="utf-8")
    mine = template_runtime.Translations(str(user))
    assert mine.find(name) is None and mine.why[name] == "a template of the templates directory"
    assert module.startswith("r_")


def test_a_run_does_not_import_jinja(tmp_path):
    case = Case("reference", GOLDEN / "reference")
    request = request_for(case, descriptor_set(case, tmp_path))
    (tmp_path / "request.bin").write_bytes(request.SerializeToString())
    script = ("import sys\nfrom protoc_gen_altalune import cli\n"
              "with open(sys.argv[1], 'rb') as f, open(sys.argv[2], 'wb') as out:\n"
              "    rc = cli.run(f, out)\n"
              "print(rc, sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'markupsafe')))\n")
    env = {**os.environ}
    env.pop("ALTALUNE_RENDER_WITH_JINJA", None)
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "request.bin"), str(tmp_path / "out.bin")],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0 []"
    assert (tmp_path / "out.bin").stat().st_size > 10_000


def test_a_failed_direct_access_renders_again_with_jinja_fallbacks():
    """``_direct`` reads ``d.key`` as Python does and fails on a dict; the
    render is then made again by ``_exact``, with the same result as Jinja."""
    source = "{% for r in rows %}{{ r.name }}={{ r['n'] }};{% endfor %}"
    rows = [{"name": "a", "n": 1}, Obj(name="b", n=2)]
    jinja, ours = _both(source, rows=rows)
    assert ours == jinja == "a=1;b=2;"
    python = translate.translate(_env(), "t.jinja", source, set(render.FILTERS))
    assert "def _direct(" in python and "def _exact(" in python and ".name" in python and "getattr_(" in python


def test_filters_that_take_jinja_context_are_refused(tmp_path):
    @jinja2.pass_context
    def quote(context, value):  # pragma: no cover - refused before any call
        return value

    env = templating.environment(None, {**render.FILTERS, "quote": quote})
    with pytest.raises(translate.Unsupported, match="filters quote take Jinja's context"):
        templating.precompile(str(TEMPLATES), str(tmp_path / "compiled"), env)


def test_selectattr_reads_nothing_until_iterated():
    source = "{{ not (b not in {'k': 3})|selectattr('flag') }};{{ [nope|selectattr('flag')]|length }}"
    jinja, ours = _both(source, b="k")
    assert ours == jinja == "False;1"
