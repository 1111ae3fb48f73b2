"""Build time: a Jinja template -> a Python module that renders it without Jinja.

The packaged templates are parsed by Jinja, in the environment the plugin
renders in (so whitespace control, delimiters and comments are Jinja's own),
and each parsed template is written out as one plain Python function,
``render(ctx, filters)``, over the helpers of
:mod:`protoc_gen_altalune.template_runtime`. A run of the plugin then renders
the packaged templates without importing Jinja at all, which is most of the
start-up a run spends on templates.

Only the part of the language the templates use is translated: output,
``if``/``elif``/``else``, ``for`` (with a filter, ``else``, tuple targets and
``loop.index``, ``index0``, ``first``, ``last``, ``length``), ``set``,
``macro``, calls, attribute and item access, the operators, inline ``if``,
and the filters of :data:`BUILTIN_FILTERS` plus the plugin's own. Anything
else is refused with the template's name and line (:class:`Unsupported`); the
build fails then, and the template still renders through Jinja wherever it is
not translated (a user's template directory, a source edited after the
build).

The semantics are Jinja's as the plugin configures it (StrictUndefined, no
autoescape): scopes (a ``for`` body's assignments stay in the body, a loop's
``else`` and a macro's body are scopes of their own), ``loop`` naming the
innermost loop around it (a loop's iterable, filter and ``else`` see the
loop around the loop), macro defaults worked out at each call and arguments
not given undefined, attribute access that falls back to items and item
access that falls back to attributes, an inline ``if`` without ``else`` that
gives Jinja's plain Undefined. Two differences remain, both stricter: an
undefined name, attribute or item fails where it is read rather than where
it is used, and a name a template sets later at its top level is the
context's inside earlier loops and macros (Jinja makes it undefined there).

A translation renders only the plugin's own model, whose properties and
methods are free of side effects and whose sequences are lists: so
``render`` may run a template twice (see :func:`translate`). The golden
tests render every case both ways and require the same bytes.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.defaults import DEFAULT_NAMESPACE

from . import template_runtime

# Filters of Jinja's that template_runtime implements, under Jinja's names.
BUILTIN_FILTERS = ("capitalize", "join", "length", "list", "reverse", "selectattr")

_COMPARE = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=", "in": "in",
            "notin": "not in"}
_BINARY = {nodes.Add: "+", nodes.Sub: "-", nodes.Mul: "*", nodes.Div: "/", nodes.FloorDiv: "//",
           nodes.Mod: "%", nodes.Pow: "**"}
_LOOP_ATTRS = ("index", "index0", "first", "last", "length")
# Names a macro's body may use, so not its parameters' (template_runtime's and
# builtins).
_RESERVED = frozenset({"str", "len", "list", "enumerate", "float", "MISSING", "NOARG", "UNDEFINED", "getattr_",
                       "getitem_", "capitalize_", "join_", "length_", "list_", "reverse_", "selectattr_"})


class Unsupported(Exception):
    """A construct the translation does not cover."""


@dataclass
class _Scope:
    """Template names -> Python locals of one Jinja scope."""

    parent: _Scope | None
    names: dict[str, str] = field(default_factory=dict)
    loop: tuple[str, str] | None = None  # (index local, length local) of the innermost loop

    def chain(self) -> Iterator[_Scope]:
        """This scope, then each around it."""
        scope: _Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent

    def lookup(self, name: str) -> str | None:
        return next((s.names[name] for s in self.chain() if name in s.names), None)

    def innermost_loop(self) -> tuple[str, str] | None:
        return next((s.loop for s in self.chain() if s.loop is not None), None)


class _Translator:
    def __init__(self, name: str, filters: set[str], direct: bool):
        self.name = name
        # direct: ``a.b`` and ``a[b]`` as Python writes them, without the
        # fallbacks of getattr_ and getitem_ (see translate()).
        self.direct = direct
        self.filters = filters
        self.lines: list[str] = []
        self.counter = 0
        self.free: dict[str, str] = {}  # context names read, -> their local
        self.used_filters: dict[str, str] = {}

    # -- helpers -----------------------------------------------------------

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}_{self.counter}"

    def fail(self, node: nodes.Node, what: str) -> Unsupported:
        return Unsupported(f"{self.name}:{node.lineno}: {what} is not translated; "
                           "use the constructs listed in protoc_gen_altalune/translate.py")

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    # -- statements --------------------------------------------------------

    def function(self, template: nodes.Template, fn: str) -> str:
        body: list[str] = []
        self.lines = body
        root = _Scope(None)
        self.block(template.body, root, 1, "a")
        free = [f"    {local} = ctx.get({name!r}, MISSING)" for name, local in self.free.items()]
        used = [f"    {local} = filters[{name!r}]" for name, local in self.used_filters.items()]
        head = [f"def {fn}(ctx, filters):", "    out = []", "    a = out.append", *free, *used]
        return "\n".join([*head, *body, "    return ''.join(out)", ""])

    def assigned(self, body: list[nodes.Node]) -> list[str]:
        """Names a scope's own statements assign (not nested scopes')."""
        names: list[str] = []

        def walk(stmts: list[nodes.Node]) -> None:
            for s in stmts:
                if isinstance(s, nodes.Assign):
                    names.extend(n.name for n in _targets(s.target))
                elif isinstance(s, nodes.Macro):
                    names.append(s.name)
                elif isinstance(s, nodes.If):
                    walk(s.body)
                    for e in s.elif_:
                        walk(e.body)
                    walk(s.else_)
        walk(body)
        return list(dict.fromkeys(names))

    def block(self, body: list[nodes.Node], scope: _Scope, depth: int, out: str) -> None:
        for name in self.assigned(body):
            if name not in scope.names:
                outer = self.load_name(name, scope, body[0] if body else None)
                local = scope.names[name] = self.fresh("v_" + name)
                self.emit(depth, f"{local} = {outer}")
        for node in body:
            self.stmt(node, scope, depth, out)

    def stmts(self, body: list[nodes.Node], scope: _Scope, depth: int, out: str) -> None:
        if not body:
            self.emit(depth, "pass")
        for node in body:
            self.stmt(node, scope, depth, out)

    def stmt(self, node: nodes.Node, scope: _Scope, depth: int, out: str) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    if child.data:
                        self.emit(depth, f"{out}({child.data!r})")
                else:
                    self.emit(depth, f"{out}(str({self.expr(child, scope)}))")
        elif isinstance(node, nodes.If):
            self.emit(depth, f"if {self.expr(node.test, scope)}:")
            self.stmts(node.body, scope, depth + 1, out)
            for e in node.elif_:
                self.emit(depth, f"elif {self.expr(e.test, scope)}:")
                self.stmts(e.body, scope, depth + 1, out)
            if node.else_:
                self.emit(depth, "else:")
                self.stmts(node.else_, scope, depth + 1, out)
        elif isinstance(node, nodes.For):
            self.for_(node, scope, depth, out)
        elif isinstance(node, nodes.Assign):
            targets = _targets(node.target)
            value = self.expr(node.node, scope)
            locals_ = [self.store(t, scope) for t in targets]
            lhs = locals_[0] if isinstance(node.target, nodes.Name) else "(" + ", ".join(locals_) + ",)"
            self.emit(depth, f"{lhs} = {value}")
        elif isinstance(node, nodes.Macro):
            self.macro(node, scope, depth)
        else:
            raise self.fail(node, f"the statement {type(node).__name__}")

    def store(self, target: nodes.Name, scope: _Scope) -> str:
        local = scope.names.get(target.name)
        if local is None:
            local = scope.names[target.name] = self.fresh("v_" + target.name)
        return local

    def for_(self, node: nodes.For, outer: _Scope, depth: int, out: str) -> None:
        if node.recursive:
            raise self.fail(node, "a recursive loop")
        # Every loop keeps its index and length, so that `loop` names the
        # innermost loop around it wherever it is written: a loop's
        # iterable, filter and else branch see the loop around the loop.
        scope = _Scope(outer)
        for t in _targets(node.target):
            scope.names[t.name] = self.fresh("v_" + t.name)
        target = self.target(node.target, scope)
        seq = self.expr(node.iter, outer)
        if node.test is not None:
            test_scope = _Scope(outer, dict(scope.names))
            seq = f"[{target} for {target} in {seq} if {self.expr(node.test, test_scope)}]"
        items, index, length = self.fresh("_seq"), self.fresh("_i"), self.fresh("_n")
        scope.loop = (index, length)
        self.emit(depth, f"{items} = list({seq})" if node.test is None else f"{items} = {seq}")
        self.emit(depth, f"{length} = len({items})")
        self.emit(depth, f"for {index}, {target} in enumerate({items}):")
        body_scope = _Scope(scope)
        self.block(node.body, body_scope, depth + 1, out)
        if not node.body:
            self.emit(depth + 1, "pass")
        if node.else_:  # when nothing was iterated; a scope of its own, as the body's
            self.emit(depth, f"if not {length}:")
            self.block(node.else_, _Scope(outer), depth + 1, out)

    def target(self, target: nodes.Node, scope: _Scope) -> str:
        if isinstance(target, nodes.Name):
            return scope.names[target.name]
        if isinstance(target, nodes.Tuple):
            return "(" + ", ".join(self.target(t, scope) for t in target.items) + ",)"
        raise self.fail(target, f"the loop target {type(target).__name__}")

    def macro(self, node: nodes.Macro, scope: _Scope, depth: int) -> None:
        inner = _Scope(scope)
        for arg in node.args:
            inner.names[arg.name] = self.fresh("v_" + arg.name)
        for name in ("caller", "varargs", "kwargs"):
            if any(n.name == name for n in node.find_all(nodes.Name)):
                raise self.fail(node, f"a macro's {name}")
        first_default = len(node.args) - len(node.defaults)
        for arg in node.args:
            if keyword.iskeyword(arg.name) or arg.name in _RESERVED or arg.name.startswith(("_", "v_", "c_", "f_")):
                raise self.fail(node, f"the macro parameter name {arg.name}")
        # As Jinja: a default is worked out at each call, after the arguments
        # before it; an argument not given and without default is undefined.
        self.emit(depth, f"def {scope.names[node.name]}({', '.join(f'{a.name}=NOARG' for a in node.args)}):")
        for i, arg in enumerate(node.args):
            local = inner.names[arg.name]
            if i >= first_default:
                default = self.expr(node.defaults[i - first_default], inner)
                self.emit(depth + 1, f"{local} = {default} if {arg.name} is NOARG else {arg.name}")
            else:
                self.emit(depth + 1, f"{local} = MISSING if {arg.name} is NOARG else {arg.name}")
        buf = self.fresh("_out")
        self.emit(depth + 1, f"{buf} = []")
        self.block(node.body, inner, depth + 1, f"{buf}.append")
        self.emit(depth + 1, f"return ''.join({buf})")

    # -- expressions -------------------------------------------------------

    def load_name(self, name: str, scope: _Scope, node: nodes.Node | None) -> str:
        local = scope.lookup(name)
        if local is not None:
            return local
        if name == "loop":
            raise Unsupported(f"{self.name}:{getattr(node, 'lineno', '?')}: loop outside a loop, or loop "
                              "other than its attributes index, index0, first, last, length, is not translated")
        if name in DEFAULT_NAMESPACE:
            raise Unsupported(f"{self.name}:{getattr(node, 'lineno', '?')}: Jinja's global {name} is not translated; "
                              "give the template what it needs in its context")
        if name not in self.free:
            self.free[name] = f"c_{name}"
        return self.free[name]

    def expr(self, node: nodes.Node, scope: _Scope) -> str:
        e = self.expr
        if isinstance(node, nodes.Const):
            if isinstance(node.value, float) and not math.isfinite(node.value):
                return f"float({str(node.value)!r})"
            return repr(node.value)
        if isinstance(node, nodes.Name):
            return self.load_name(node.name, scope, node)
        if isinstance(node, nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "loop" and scope.lookup("loop") is None:
                return self.loop_attr(node, scope)
            if self.direct and not keyword.iskeyword(node.attr):
                return f"{e(node.node, scope)}.{node.attr}"
            return f"getattr_({e(node.node, scope)}, {node.attr!r})"
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Slice):
                s = node.arg
                parts = [e(p, scope) if p is not None else "" for p in (s.start, s.stop, s.step)]
                return f"{e(node.node, scope)}[{parts[0]}:{parts[1]}:{parts[2]}]"
            if self.direct:
                return f"{e(node.node, scope)}[{e(node.arg, scope)}]"
            return f"getitem_({e(node.node, scope)}, {e(node.arg, scope)})"
        if isinstance(node, nodes.Call):
            if node.dyn_args is not None or node.dyn_kwargs is not None:
                raise self.fail(node, "a call with *args or **kwargs")
            args = [e(a, scope) for a in node.args] + self.keywords(node.kwargs, scope)
            return f"{e(node.node, scope)}({', '.join(args)})"
        if isinstance(node, nodes.Filter):
            return self.filter_(node, scope)
        if isinstance(node, nodes.CondExpr):
            other = e(node.expr2, scope) if node.expr2 is not None else "UNDEFINED"
            return f"({e(node.expr1, scope)} if {e(node.test, scope)} else {other})"
        if isinstance(node, nodes.Compare):
            parts = [e(node.expr, scope)]
            for op in node.ops:
                parts += [_COMPARE[op.op], e(op.expr, scope)]
            return "(" + " ".join(parts) + ")"
        if isinstance(node, nodes.And):
            return f"({e(node.left, scope)} and {e(node.right, scope)})"
        if isinstance(node, nodes.Or):
            return f"({e(node.left, scope)} or {e(node.right, scope)})"
        if isinstance(node, nodes.Not):
            return f"(not {e(node.node, scope)})"
        if isinstance(node, nodes.Neg):
            return f"(-{e(node.node, scope)})"
        if isinstance(node, nodes.Pos):
            return f"(+{e(node.node, scope)})"
        if type(node) in _BINARY:
            assert isinstance(node, nodes.BinExpr)
            return f"({e(node.left, scope)} {_BINARY[type(node)]} {e(node.right, scope)})"
        if isinstance(node, nodes.Concat):
            return "''.join((" + "".join(f"str({e(n, scope)}), " for n in node.nodes) + "))"
        if isinstance(node, nodes.Tuple):
            return "(" + "".join(f"{e(n, scope)}, " for n in node.items) + ")"
        if isinstance(node, nodes.List):
            return "[" + ", ".join(e(n, scope) for n in node.items) + "]"
        if isinstance(node, nodes.Dict):
            return "{" + ", ".join(f"{e(p.key, scope)}: {e(p.value, scope)}" for p in node.items) + "}"
        raise self.fail(node, f"the expression {type(node).__name__}")

    def keywords(self, kwargs: list[Any], scope: _Scope) -> list[str]:
        """Keyword arguments, also those whose names Python reserves."""
        out = []
        for k in kwargs:
            assert isinstance(k, nodes.Keyword)
            value = self.expr(k.value, scope)
            out.append(f"**{{{k.key!r}: {value}}}" if keyword.iskeyword(k.key) else f"{k.key}={value}")
        return out

    def loop_attr(self, node: nodes.Getattr, scope: _Scope) -> str:
        loop = scope.innermost_loop()
        if loop is None or node.attr not in _LOOP_ATTRS:
            raise self.fail(node, f"loop.{node.attr}")
        index, length = loop
        return {"index": f"({index} + 1)", "index0": index, "first": f"({index} == 0)",
                "last": f"({index} == {length} - 1)", "length": length}[node.attr]

    def filter_(self, node: nodes.Filter, scope: _Scope) -> str:
        if node.node is None:
            raise self.fail(node, "a filter block")
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise self.fail(node, "a filter with *args or **kwargs")
        if node.name not in self.filters and node.name not in BUILTIN_FILTERS:
            raise self.fail(node, f"the filter {node.name}")
        args = [self.expr(node.node, scope)] + [self.expr(a, scope) for a in node.args]
        args += self.keywords(node.kwargs, scope)
        if node.name == "selectattr" and (len(node.args) != 1 or node.kwargs):
            raise self.fail(node, "selectattr with a test")
        if node.name in self.filters:
            local = self.used_filters.setdefault(node.name, f"f_{node.name}")
        else:
            local = f"{node.name}_"
        return f"{local}({', '.join(args)})"


def _targets(target: nodes.Node) -> Iterator[nodes.Name]:
    if isinstance(target, nodes.Name):
        yield target
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            yield from _targets(item)
    else:
        raise Unsupported(f"line {target.lineno}: the assignment target {type(target).__name__} is not translated")


def translate(env: jinja2.Environment, name: str, source: str, filters: set[str]) -> str:
    """The Python module of the template: ``render(ctx, filters)`` over the
    helpers it imports from template_runtime.

    The template is written twice: ``_direct`` reads attributes and items as
    Python does, and ``_exact`` with Jinja's fallbacks (an attribute falls
    back to the item of that name and the other way round, and what is
    neither fails as undefined). ``render`` runs ``_direct`` and, should an
    access fail in it, renders again through ``_exact``: rendering calls
    nothing but the model's read-only properties and methods, so the second
    run gives what the first would have, Jinja's semantics hold, and the
    common case pays for no fallback."""
    template = env.parse(source, name)
    direct = _Translator(name, filters, direct=True).function(template, "_direct")
    exact = _Translator(name, filters, direct=False).function(template, "_exact")
    helpers = f"from {__package__}.template_runtime import {', '.join(template_runtime.__all__)}\n\n\n"
    fallback = ("def render(ctx, filters):\n    try:\n        return _direct(ctx, filters)\n"
                "    except (AttributeError, LookupError, TypeError):\n        return _exact(ctx, filters)\n")
    return f"{helpers}{direct}\n\n{exact}\n\n{fallback}"
