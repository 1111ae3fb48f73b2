"""Run time of the translated templates (see protoc_gen_altalune.translate):
the few helpers their ``render`` functions call, with Jinja's semantics as
the plugin configures it, and the look-up of a packaged template's
translation. Imports nothing of Jinja's.

A translated module is used only while it is the translation of the very
source it is loaded for: the build records, for each template, a checksum of
its source, its name and the translator's own sources (translate.py and the
environment of templating.py), and a run compares it with the packaged
files it finds. The checksum tells sources apart, it guards nothing: a
template edited in a checkout after the build renders through Jinja, as a
user's template directory always does.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["MISSING", "NOARG", "UNDEFINED", "capitalize_", "getattr_", "getitem_", "join_", "length_", "list_",
           "reverse_", "selectattr_"]


class UndefinedError(Exception):
    """A template used a name or attribute that is not there."""


class _Missing:
    """A context name that was not given: any use of it fails, as Jinja's
    StrictUndefined does."""

    def _fail(self, *_: object) -> Any:
        raise UndefinedError("a template used a name the renderer did not give it")

    __str__ = __bool__ = __iter__ = __len__ = __call__ = __eq__ = __getitem__ = __getattr__ = _fail
    __hash__ = object.__hash__


MISSING: Any = _Missing()

# A macro's parameter not given by the call (its default, if any, is worked
# out then).
NOARG: Any = object()


class _Undefined:
    """What an inline ``if`` without ``else`` gives when false: Jinja's plain
    Undefined, empty when printed or iterated and false, which fails when
    anything else is done with it."""

    __slots__ = ()

    def _fail(self, *_: object) -> Any:
        raise UndefinedError("an inline if without else, whose condition was false, was used")

    def __str__(self) -> str:
        return ""

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __ne__(self, other: object) -> bool:
        return type(self) is not type(other)

    def __hash__(self) -> int:
        return id(type(self))

    def __repr__(self) -> str:
        return "Undefined"

    __getattr__ = __getitem__ = __call__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = _fail
    __pos__ = __neg__ = __lt__ = __le__ = __gt__ = __ge__ = __int__ = __float__ = __complex__ = _fail


UNDEFINED: Any = _Undefined()


def getattr_(obj: Any, name: str) -> Any:
    """``obj.name`` in a template: the attribute, else the item."""
    try:
        return getattr(obj, name)
    except AttributeError:
        pass
    try:
        return obj[name]
    except (TypeError, LookupError, AttributeError):
        raise UndefinedError(f"{type(obj).__name__} object has no attribute {name!r}") from None


def getitem_(obj: Any, key: Any) -> Any:
    """``obj[key]`` in a template: the item, else the attribute of that name."""
    try:
        return obj[key]
    except (AttributeError, TypeError, LookupError):
        if isinstance(key, str):
            try:
                return getattr(obj, key)
            except AttributeError:
                pass
    raise UndefinedError(f"{type(obj).__name__} object has no item {key!r}")


# Jinja's built-in filters the templates use, as Jinja defines them without
# autoescape.

def capitalize_(s: Any) -> str:
    return str(s).capitalize()


def _path(obj: Any, attribute: str | int) -> Any:
    """An attribute path as Jinja's filters read it: ``a.b``, ``0``."""
    parts = attribute.split(".") if isinstance(attribute, str) else [attribute]
    for part in parts:
        obj = getitem_(obj, int(part) if isinstance(part, str) and part.isdigit() else part)
    return obj


def join_(value: Iterable[Any], d: str = "", attribute: str | int | None = None) -> str:
    if attribute is not None:
        value = (_path(x, attribute) for x in value)
    return str(d).join(map(str, value))


def length_(value: Any) -> int:
    return len(value)


def list_(value: Iterable[Any]) -> list[Any]:
    return list(value)


def reverse_(value: Any) -> Any:
    if isinstance(value, str):
        return value[::-1]
    try:
        return reversed(value)
    except TypeError:
        items = list(value)
        items.reverse()
        return items


def selectattr_(value: Iterable[Any], attribute: str) -> Iterator[Any]:
    # A generator function, as Jinja's: nothing is read until it is iterated.
    for x in value:
        if _path(x, attribute):
            yield x


# -- finding the translations ------------------------------------------------


def packaged_source(name: str) -> str | None:
    """A packaged template's source, read as Jinja's loaders read text (the
    translations and Jinja's loader alike)."""
    from importlib import import_module

    # The package of templates/ (mapped there by pyproject.toml).
    _templates_package = import_module(f"{__package__}.templates")
    for directory in _templates_package.__path__:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    if os.path.basename(name) != name:
        return None
    # Not on a file system (a zipped install): through importlib.resources.
    from importlib import resources

    resource = resources.files(_templates_package).joinpath(name)
    try:
        return resource.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


_HERE = os.path.dirname(os.path.abspath(__file__))
TRANSLATOR_SOURCES = ("translate.py", "templating.py")


def checksum(name: str, source: str, translator: bytes) -> str:
    """The key a translation is recorded and looked up under."""
    data = translator + b"\0" + name.encode("utf-8") + b"\0" + source.encode("utf-8")
    return f"{zlib.crc32(data):08x}-{len(data)}"


def translator_bytes(directory: str = _HERE) -> bytes:
    """The sources of the translation, as they are in ``directory``."""
    parts = []
    for name in TRANSLATOR_SOURCES:
        with open(os.path.join(directory, name), "rb") as f:
            parts.append(f.read())
    return b"\0".join(parts)


Render = Callable[[dict[str, Any], dict[str, Any]], str]


class Translations:
    """The packaged templates' translations, each used while it is current."""

    def __init__(self, user_dir: str | None):
        self.user_dir = user_dir
        self._table: dict[str, tuple[str, str]] | None = None
        self._translator: bytes | None = None
        self.why: dict[str, str] = {}  # templates left to Jinja, and why
        self._found: dict[str, Render | None] = {}

    def find(self, name: str) -> Render | None:
        """The translated ``render`` of a packaged template, or None (and why
        in ``self.why``)."""
        if name not in self._found:
            found = self._find(name)
            if isinstance(found, str):
                self.why[name] = found
            self._found[name] = None if isinstance(found, str) else found
        return self._found[name]

    def _find(self, name: str) -> Render | str:
        if self.user_dir and os.path.isfile(os.path.join(self.user_dir, name)):
            return "a template of the templates directory"
        if self._table is None:
            try:
                from . import compiled_templates
            except ImportError:
                self._table = {}
            else:
                self._table = getattr(compiled_templates, "TRANSLATED", {})
        entry = self._table.get(name)
        if entry is None:
            return "no translation in this installation"
        module, key = entry
        try:
            source = packaged_source(name)
            if self._translator is None:
                self._translator = translator_bytes()
        except OSError as err:
            return f"its source cannot be read ({err})"
        if source is None:
            return "no such packaged template"
        if checksum(name, source, self._translator) != key:
            return "the translation is not of this source or translator (rebuild: pip install .)"
        from importlib import import_module

        render: Render = import_module(f"{__package__}.compiled_templates.{module}").render
        return render
