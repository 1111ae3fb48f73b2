"""gofmt by construction: column alignment and the import block.

Templates write Go the way gofmt reads it: indentation with leading tabs, and
one tab between the cells that gofmt aligns (a struct field's name and type,
a const's name and value, a composite literal's key and value, a trailing
comment). ``align`` replaces those inner tabs with the padding gofmt would
write, following text/tabwriter: a column's width is fixed over each run of
consecutive lines that have a cell in it, plus one space of padding.

``tidy`` writes blank lines and empty composite literals as gofmt does. The
import block is written by ``golang.import_block`` from the packages the
templates recorded.
"""

from __future__ import annotations

import math
import re


def align(text: str) -> str:
    out: list[str] = []
    section: list[str] = []  # the current section's lines, without their indentation
    indent = ""
    for line in text.split("\n"):
        body = line.lstrip("\t")
        if "\t" in body and body.strip():
            # A line with cells. A section is a run of them at one
            # indentation (a line of one cell, a blank line or another
            # indentation ends every column, and a key section, anyway).
            head = line[: len(line) - len(body)]
            if section and head != indent:
                _flush(section, indent, out)
                section = []
            indent = head
            section.append(body)
            continue
        if section:
            _flush(section, indent, out)
            section = []
        # One cell: as it is, without trailing blanks (a blank line is empty).
        out.append(line.rstrip(" ") if line.rstrip(" \t") else "")
    if section:
        _flush(section, indent, out)
    return "\n".join(out)


def _flush(section: list[str], indent: str, out: list[str]) -> None:
    group = [_cells(body) for body in section]
    start = 0
    for stop in _key_breaks(group) + [len(group)]:
        out.extend(indent + r if r else "" for r in _section(group[start:stop]))
        start = stop


def _section(group: list[list[str]]) -> list[str]:
    """The lines of one alignment section. When every line has as many cells,
    each column spans the section and is as wide as its widest cell plus one
    space; otherwise text/tabwriter's column blocks (``_format``)."""
    count = len(group[0])
    if all(len(cells) == count for cells in group):
        widths = [max(len(cells[c]) for cells in group) + 1 for c in range(count - 1)]
        return ["".join([*(cell.ljust(w) for cell, w in zip(cells, widths, strict=False)), cells[-1]]).rstrip(" ")
                for cells in group]
    rendered: list[str | None] = [None] * len(group)
    _format(group, 0, len(group), [], rendered)
    return [r or "" for r in rendered]


def _key_breaks(group: list[list[str]]) -> list[int]:
    """Where gofmt starts a new alignment section among composite-literal
    ``key:<tab>value`` lines: before a key whose length, when it or the one
    before is over 40 characters, is 2.5 times longer or shorter than the
    geometric mean of the keys of the section so far (go/printer exprList).
    A line that is not a single-line pair ends the section."""
    breaks: list[int] = []
    prev_size, lnsum, count = 0, 0.0, 0
    for k, cells in enumerate(group):
        key = cells[0]
        size = len(key) - 1 if len(cells) > 1 and key.endswith(":") else 0
        if size == 0:
            prev_size, lnsum, count = 0, 0.0, 0
            continue
        if prev_size and count and not (prev_size <= 40 and size <= 40):
            ratio = size / math.exp(lnsum / count)
            if 2.5 * ratio <= 1 or ratio >= 2.5:
                breaks.append(k)
                lnsum, count = 0.0, 0
        lnsum += math.log(size)
        count += 1
        prev_size = size
    return breaks


def _cells(line: str) -> list[str]:
    """The tab-separated cells of a line; a comment belongs to the last cell
    with its own tabs kept (gofmt does not align inside comments: a doc
    comment's code block stays ``//<tab>code``)."""
    start = _comment_start(line) if "//" in line else -1
    if start < 0:
        return line.split("\t")
    cells = line[:start].split("\t")
    cells[-1] += line[start:]
    return cells


def _comment_start(line: str) -> int:
    """Index of the ``//`` that starts a comment, outside string literals; -1 if none."""
    quote = ""
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if quote:
            if c == "\\" and quote != "`":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'`":
            quote = c
        elif line.startswith("//", i):
            return i
        i += 1
    return -1


def _format(lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str | None]) -> None:
    """text/tabwriter's recursive column-block formatting."""
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write(lines, line0, this, widths, out)
        line0 = this
        width = 0
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, _width(lines[this][column]) + 1)
            this += 1
        widths.append(width)
        _format(lines, line0, this, widths, out)
        widths.pop()
        line0 = this
    _write(lines, line0, line1, widths, out)


def _write(lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str | None]) -> None:
    for k in range(line0, line1):
        if out[k] is not None:
            continue
        cells = lines[k]
        parts = []
        for c, cell in enumerate(cells[:-1]):
            width = widths[c] if c < len(widths) else 0
            parts.append(cell + " " * max(width - _width(cell), 0))
        parts.append(cells[-1])
        out[k] = "".join(parts).rstrip(" ")


def _width(cell: str) -> int:
    return len(cell)


# --- blank lines and empty literals ---------------------------------------------

_BLANKS = re.compile(r"\n\n+")
_EMPTY_BRACES = re.compile(r"\{\n\t*\}")


def tidy(text: str) -> str:
    """Collapse runs of blank lines, drop blank lines after ``{``/``(`` and
    before ``}``/``)``, and write empty composite literals on one line."""
    if "\n\n" in text:

        def blanks(m: re.Match[str]) -> str:
            start, end = m.span()
            if start and text[start - 1] in "{(":
                return "\n"
            while end < len(text) and text[end] == "\t":
                end += 1
            return "\n" if text[end:end + 1] in ("}", ")") else "\n\n"

        text = _BLANKS.sub(blanks, text)
    # An empty composite literal is written on one line; a block's brace
    # follows a space, a literal's does not.
    text = _EMPTY_BRACES.sub(lambda m: "{}" if m.start() and not text[m.start() - 1].isspace() else m.group(0), text)
    return text.strip("\n") + "\n"
