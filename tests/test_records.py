"""records: the classes of the model, built as dataclasses would be, without
the dataclasses module."""

from __future__ import annotations

import subprocess
import sys
from typing import ClassVar

import pytest

from protoc_gen_altalune.records import field, fields, record, replace, value


@record
class Point:
    x: int
    y: int = 7
    tags: list[str] = field(default_factory=list)
    note: str = field(default="n")


def test_positional_keyword_defaults_and_factories():
    p = Point(1)
    assert (p.x, p.y, p.tags, p.note) == (1, 7, [], "n")
    q = Point(2, tags=["a"], y=3)
    assert (q.x, q.y, q.tags) == (2, 3, ["a"])
    assert Point(1).tags is not Point(1).tags  # a fresh value from the factory each time
    assert Point(x=4, y=5, tags=[], note="m").note == "m"
    assert Point(4, 5, [], "m").y == 5


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((1, 2, [], "n", 5), {}, r"Point\(\) takes 4 arguments but 5 were given"),
    ((1,), {"z": 1}, r"Point\(\) got an unexpected argument 'z'"),
    ((1,), {"x": 1}, r"Point\(\) got a second value for argument 'x'"),
    ((), {"y": 1}, r"Point\(\) missing the argument 'x'"),
])
def test_wrong_arguments_fail_as_dataclasses_do(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)


def test_records_are_compared_by_identity():
    p = Point(1)
    same = p
    assert p == same and p != Point(1)
    assert len({p, Point(1)}) == 2
    assert fields(p) == fields(Point) == ("x", "y", "tags", "note")
    r = replace(p, y=9)
    assert (r.x, r.y, r.tags) == (1, 9, []) and r is not p


@value
class Pair:
    a: int
    b: tuple[str, ...] = ()


@value
class One:
    name: str


@value(order=True)
class Version:
    major: int
    minor: int


@value(frozen=False)
class Settings:
    names: list[str] = field(default_factory=list)


def test_values_compare_hash_and_show_by_their_fields():
    assert Pair(1, ("x",)) == Pair(1, ("x",)) and Pair(1) != Pair(2)
    assert hash(Pair(1, ("x",))) == hash(Pair(1, ("x",)))
    assert len({Pair(1), Pair(1), Pair(2)}) == 2
    assert repr(Pair(1, ("x",))) == "Pair(a=1, b=('x',))"
    assert One("n") == One("n") and One("n") != One("m") and len({One("n"), One("n")}) == 1
    assert repr(One("n")) == "One(name='n')"
    assert One("n") != Pair(1) and One("n").__eq__("n") is NotImplemented
    assert replace(Pair(1, ("x",)), a=2) == Pair(2, ("x",))


def test_ordered_and_mutable_values():
    assert sorted([Version(1, 10), Version(1, 2), Version(0, 99)]) == [Version(0, 99), Version(1, 2), Version(1, 10)]
    assert Version(1, 2) <= Version(1, 2) < Version(2, 0) and Version(3, 0) >= Version(2, 9) > Version(2, 8)
    with pytest.raises(TypeError):
        assert Version(1, 2) < Pair(1)
    s = Settings()
    s.names.append("a")
    assert s == Settings(["a"]) and s != Settings()
    with pytest.raises(TypeError, match="unhashable"):
        hash(s)


def test_only_plain_fields():
    with pytest.raises(TypeError, match="__post_init__"):
        @record
        class WithPostInit:
            x: int

            def __post_init__(self) -> None:  # pragma: no cover - refused before any instance
                pass

    with pytest.raises(TypeError, match="plain fields only"):
        @record
        class WithClassVar:
            x: ClassVar[int] = 0

    with pytest.raises(TypeError, match="without a default follows one with a default"):
        @record
        class Misordered:
            x: int = 0
            y: str

    with pytest.raises(TypeError, match="do not inherit"):
        @record
        class Child(Point):
            z: int = 0


def test_the_plugin_imports_neither_dataclasses_nor_inspect():
    script = ("import sys\nimport protoc_gen_altalune.plugin\n"
              "print(sorted(m for m in ('dataclasses', 'inspect', 'jinja2') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_dataclass_checks_and_shapes():
    with pytest.raises(ValueError, match="not both"):
        field(default=1, default_factory=list)
    with pytest.raises(ValueError, match="mutable default"):
        @record
        class Shared:
            xs: list[int] = []  # noqa: RUF012 - the mistake refused

    @value
    class Empty:
        pass

    assert Empty() == Empty() and hash(Empty()) == hash(Empty()) and repr(Empty()).endswith(".Empty()")

    @record
    class MyClassVarish:
        x: int

    @record
    class Holder:
        kind: MyClassVarish  # a name that merely contains ClassVar is a field

    assert fields(Holder) == ("kind",)
    match Point(1, 2):
        case Point(x, y):
            assert (x, y) == (1, 2)


def test_missing_fields_are_found_whatever_else_the_object_holds():
    class Cached(Point):
        def __init__(self, *args, **kwargs):
            self.cache = {}
            super().__init__(*args, **kwargs)

    assert Cached(1).tags == []
    with pytest.raises(TypeError, match="missing the argument 'x'"):
        Cached(y=1)
