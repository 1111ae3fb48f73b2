"""The records and values of the model: dataclasses as mypy sees them, with
nothing compiled when they are created.

A frozen dataclass compiles six methods from source at import time
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``,
``__delattr__``); for the plugin's large records that was most of its
import time. A record is a dataclass without any of them: its fields are
the dataclass's (``dataclasses.fields`` and ``replace`` work), its
``__init__`` is one shared function that reads them, it is compared and
hashed by identity, as the model's records are used (one object per entity,
field or RPC), and its immutability is checked by mypy (frozen by default
for the type checker), not at run time. A value (a Go identifier, a table
column, a location) is a record compared, hashed and shown by its fields, by
shared functions over ``operator.attrgetter`` of them.

Records and values take what the dataclasses of this package use: positional or keyword
arguments, defaults and ``field(default_factory=...)``; nothing else (no
``__post_init__``, ``InitVar``, ``init=False``, ``kw_only``), which
:func:`record` refuses.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[T]) -> type[T]:
    cls = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if hasattr(cls, "__post_init__") or any(not f.init or f.kw_only is True for f in fields):
        raise TypeError(f"{cls.__qualname__}: a record takes plain fields only")
    setattr(cls, "__init__", _init(cls.__qualname__, fields))  # noqa: B010 - replacing the method
    return cls


@dataclass_transform(frozen_default=True, eq_default=True, field_specifiers=(dataclasses.field,))
def value(cls: type[T]) -> type[T]:
    cls = record(cls)
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    # attrgetter of one name returns the value itself, of several a tuple.
    get: Callable[[Any], Any] = operator.attrgetter(*names)
    if len(names) == 1:
        one = get

        def get(obj: Any) -> tuple[Any, ...]:
            return (one(obj),)

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(get(self) == get(other))

    def __hash__(self: Any) -> int:
        return hash(get(self))

    def __repr__(self: Any) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{n}={v!r}' for n, v in zip(names, get(self), strict=True))})"

    for method in (__eq__, __hash__, __repr__):
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)
    return cls


def _init(qualname: str, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
    factories = {f.name: f.default_factory for f in fields if f.default_factory is not dataclasses.MISSING}
    count = len(names)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        values = self.__dict__
        if len(args) > count:
            raise TypeError(f"{qualname}() takes {count} arguments but {len(args)} were given")
        values.update(zip(names, args, strict=False))  # the count is checked above
        for name, value in kwargs.items():
            if name not in known or name in values:
                how = "an unexpected" if name not in known else "a second value for"
                raise TypeError(f"{qualname}() got {how} argument {name!r}")
            values[name] = value
        if len(values) < count:
            for name in names[len(args):]:
                if name in values:
                    continue
                if name in defaults:
                    values[name] = defaults[name]
                elif name in factories:
                    values[name] = factories[name]()
                else:
                    raise TypeError(f"{qualname}() missing the argument {name!r}")

    __init__.__qualname__ = f"{qualname}.__init__"
    return __init__
