"""Errors about the user's protos, each located at ``file.proto:line:col``."""

from __future__ import annotations

from typing import Protocol

from .records import field, record, value


@value
class Location:
    file: str
    line: int
    column: int

    def resolve(self) -> Location:
        return self

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


class Locatable(Protocol):
    """A place that is looked up only when a problem is shown."""

    def resolve(self) -> Location: ...


@value
class Problem:
    location: Locatable | Location
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.location.resolve()}: {self.message}; {self.fix}"


@record(frozen=False)
class Problems:
    """Collected while building the model, reported together."""

    items: list[Problem] = field(default_factory=list)

    def add(self, location: Locatable | Location, message: str, fix: str) -> None:
        self.items.append(Problem(location, message, fix))

    def __bool__(self) -> bool:
        return bool(self.items)

    def report(self) -> str:
        unique = list(dict.fromkeys(str(p) for p in self.items))
        return "\n".join(unique)


class InvalidInput(Exception):
    """Raised with every problem found; becomes CodeGeneratorResponse.error."""

    def __init__(self, problems: Problems):
        super().__init__(problems.report())
        self.problems = problems


class BadParameter(Exception):
    """A plugin parameter that cannot be used; reported in the response."""
