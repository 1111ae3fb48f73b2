"""The records and values of the model: dataclasses as mypy sees them, made
without the dataclasses module.

A frozen dataclass compiles six methods from source when its class is
created (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__``, ``__delattr__``), and the dataclasses module imports
``inspect``; for the plugin's forty-odd classes that was most of its import
time. Here nothing is compiled: the fields are read from the class's
annotations, and every class shares the same few functions, parameterised
by its field names:

- a **record** (``@record``) is built by one shared ``__init__`` and is
  compared and hashed by identity, as the model's records are used (one
  object per entity, field or RPC);
- a **value** (``@value``) is also compared, hashed and shown by its
  fields, through ``operator.attrgetter``, and ordered by them with
  ``order=True``.

Both are frozen for mypy (``dataclass_transform``), which checks that
nothing assigns to them; at run time they are plain objects. ``frozen=False``
declares a mutable one. Fields take a default or ``field(default_factory=...)``;
:func:`fields` and :func:`replace` stand for their dataclasses namesakes.
Nothing else of dataclasses is supported (``ClassVar``, ``__post_init__``,
inheritance between records): :func:`record` refuses it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")
_NO_DEFAULT: Any = object()
_NOT_A_FIELD = re.compile(r"^(?:typing\.|dataclasses\.)?(?:ClassVar|InitVar)\b")


class _Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Any):
        self.default = default
        self.default_factory = default_factory


@overload
def field(*, default_factory: Callable[[], T]) -> T: ...
@overload
def field(*, default: T) -> T: ...
def field(*, default: Any = _NO_DEFAULT, default_factory: Any = _NO_DEFAULT) -> Any:
    """A field's default (``default_factory``: a new one for each object)."""
    if default is not _NO_DEFAULT and default_factory is not _NO_DEFAULT:
        raise ValueError("a field takes a default or a default_factory, not both")
    return _Field(default, default_factory)


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, frozen: bool = True) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
def record(cls: type[T] | None = None, /, *, frozen: bool = True) -> Any:
    del frozen  # for mypy: a frozen record is not assigned to, which it checks
    if cls is None:
        return _make
    return _make(cls)


@overload
def value(cls: type[T], /) -> type[T]: ...
@overload
def value(*, frozen: bool = True, order: bool = False) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(frozen_default=True, eq_default=True, field_specifiers=(field,))
def value(cls: type[T] | None = None, /, *, frozen: bool = True, order: bool = False) -> Any:
    def make(cls: type[T]) -> type[T]:
        return _compared(_make(cls), hashable=frozen, order=order)

    return make if cls is None else make(cls)


def fields(cls_or_obj: Any) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    names: tuple[str, ...] = cls_or_obj.__record_fields__
    return names


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of a record or value with some fields changed."""
    current = {name: getattr(obj, name) for name in fields(obj)}
    current.update(changes)
    copy: T = type(obj)(**current)
    return copy


def _make(cls: type[T]) -> type[T]:
    if any(hasattr(base, "__record_fields__") for base in cls.__mro__[1:]) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__qualname__}: records do not inherit from records or have __post_init__")
    # The class's own annotations: through type's descriptor, never a base
    # class's, and on Pythons that make them lazily (inspect.get_annotations
    # would import inspect).
    annotations: dict[str, Any] = dict(cls.__annotations__)
    names: list[str] = []
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, annotation in annotations.items():
        if _NOT_A_FIELD.match(str(annotation)):
            raise TypeError(f"{cls.__qualname__}.{name}: records take plain fields only")
        names.append(name)
        default = cls.__dict__.get(name, _NO_DEFAULT)
        if isinstance(default, _Field):
            if default.default_factory is not _NO_DEFAULT:
                factories[name] = default.default_factory
                delattr(cls, name)
                continue
            default = default.default
            setattr(cls, name, default)
        if isinstance(default, (list, dict, set)):
            raise ValueError(f"{cls.__qualname__}.{name}: a mutable default is shared by every object; use "
                             "field(default_factory=...)")
        if default is not _NO_DEFAULT:
            defaults[name] = default
        elif defaults or factories:
            raise TypeError(f"{cls.__qualname__}.{name}: a field without a default follows one with a default")
    cls.__record_fields__ = tuple(names)  # type: ignore[attr-defined]
    setattr(cls, "__match_args__", tuple(names))  # noqa: B010 - for match statements
    init = _init(cls.__qualname__, tuple(names), defaults, factories)
    setattr(cls, "__init__", init)  # noqa: B010 - replacing the method
    return cls


def _compared(cls: type[T], hashable: bool, order: bool) -> type[T]:
    names: tuple[str, ...] = cls.__record_fields__  # type: ignore[attr-defined]
    # attrgetter of one name returns the value itself, of several a tuple.
    get: Callable[[Any], Any] = operator.attrgetter(*names) if names else (lambda obj: ())
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

    methods: list[Callable[..., Any]] = [__eq__, __repr__]
    if order:
        for name, compare in (("__lt__", operator.lt), ("__le__", operator.le), ("__gt__", operator.gt),
                              ("__ge__", operator.ge)):
            methods.append(_ordering(name, compare, get))
    for method in methods:
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)
    # A mutable value is not hashable, as a dataclass with eq and without frozen.
    setattr(cls, "__hash__", __hash__ if hashable else None)  # noqa: B010
    return cls


def _ordering(name: str, compare: Callable[[Any, Any], bool], get: Callable[[Any], Any]) -> Callable[..., Any]:
    def method(self: Any, other: object) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return compare(get(self), get(other))

    method.__name__ = name
    return method


def _init(qualname: str, names: tuple[str, ...], defaults: dict[str, Any],
          factories: dict[str, Callable[[], Any]]) -> Callable[..., None]:
    known = frozenset(names)
    count = len(names)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        values = self.__dict__
        if defaults:
            values.update(defaults)
        if args:
            if len(args) > count:
                raise TypeError(f"{qualname}() takes {count} arguments but {len(args)} were given")
            if kwargs and not kwargs.keys().isdisjoint(names[:len(args)]):
                twice = sorted(kwargs.keys() & set(names[:len(args)]))[0]
                raise TypeError(f"{qualname}() got a second value for argument {twice!r}")
            values.update(zip(names, args, strict=False))
        if kwargs:
            if not kwargs.keys() <= known:
                raise TypeError(f"{qualname}() got an unexpected argument {sorted(kwargs.keys() - known)[0]!r}")
            values.update(kwargs)
        if not values.keys() >= known:
            for name in names:
                if name not in values:
                    if name not in factories:
                        raise TypeError(f"{qualname}() missing the argument {name!r}")
                    values[name] = factories[name]()

    __init__.__qualname__ = f"{qualname}.__init__"
    return __init__
