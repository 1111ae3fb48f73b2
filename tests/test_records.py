"""records.record: the dataclass construction the model's records get."""

from __future__ import annotations

import dataclasses

import pytest

from protoc_gen_altalune.records import record, value


@record
class Point:
    x: int
    y: int = 7
    tags: list[str] = dataclasses.field(default_factory=list)


def test_positional_keyword_defaults_and_factories():
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 7, [])
    q = Point(2, tags=["a"], y=3)
    assert (q.x, q.y, q.tags) == (2, 3, ["a"])
    assert Point(1).tags is not Point(1).tags  # a fresh value from the factory each time
    assert Point(x=4, y=5, tags=[]).x == 4


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((1, 2, [], 4), {}, r"Point\(\) takes 3 arguments but 4 were given"),
    ((1,), {"z": 1}, r"Point\(\) got an unexpected argument 'z'"),
    ((1,), {"x": 1}, r"Point\(\) got a second value for argument 'x'"),
    ((), {"y": 1}, r"Point\(\) missing the argument 'x'"),
])
def test_wrong_arguments_fail_as_dataclasses_do(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)


def test_identity_equality_and_dataclass_tools():
    p = Point(1)
    same = p
    assert p == same and p != Point(1)
    assert len({p, Point(1)}) == 2
    assert [f.name for f in dataclasses.fields(p)] == ["x", "y", "tags"]
    r = dataclasses.replace(p, y=9)
    assert (r.x, r.y) == (1, 9) and r is not p


def test_only_plain_fields():
    with pytest.raises(TypeError, match="plain fields only"):
        @record
        class WithPostInit:
            x: int

            def __post_init__(self) -> None:  # pragma: no cover - refused before any instance
                pass

    with pytest.raises(TypeError, match="plain fields only"):
        @record
        class NotInit:
            x: int = dataclasses.field(init=False, default=0)


@value
class Pair:
    a: int
    b: tuple[str, ...] = ()


@value
class One:
    name: str


def test_values_compare_hash_and_show_by_their_fields():
    assert Pair(1, ("x",)) == Pair(1, ("x",)) and Pair(1) != Pair(2)
    assert hash(Pair(1, ("x",))) == hash(Pair(1, ("x",)))
    assert len({Pair(1), Pair(1), Pair(2)}) == 2
    assert repr(Pair(1, ("x",))) == "Pair(a=1, b=('x',))"
    assert One("n") == One("n") and One("n") != One("m") and len({One("n"), One("n")}) == 1
    assert repr(One("n")) == "One(name='n')"
    assert One("n") != Pair(1) and One("n").__eq__("n") is NotImplemented
    assert dataclasses.replace(Pair(1, ("x",)), a=2) == Pair(2, ("x",))
