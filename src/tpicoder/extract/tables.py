"""Tables in notes: an "Injected" column decides whether each row's muscle was injected (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tpicoder.extract.extensions import Hit

_SPLIT = re.compile(r"\s*\|\s*|\t+")


def _cells(line: str) -> list[str]:
    parts = _SPLIT.split(line.strip())
    if parts and parts[0] == "":
        parts = parts[1:]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    return [p.strip().lower() for p in parts]


def _line_at(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def apply_injected_column(
    text: str,
    muscles: list[Hit],
    *,
    columns: frozenset[str],
    yes: frozenset[str],
    no: frozenset[str],
    header_reach: int = 20,
) -> None:
    """Set ``injected`` on muscles in table rows from the table's "Injected" column.

    The header is the nearest line above the row (within ``header_reach`` lines, same block) with as
    many cells as the row and a cell named in ``columns``. A "no" cell makes the muscle not injected
    (assertion negated); a "yes" cell makes a present muscle injected.
    """
    for m in muscles:
        start, end = _line_at(text, m.start)
        line = text[start:end]
        if "|" not in line and "\t" not in line:
            continue
        row = _cells(line)
        col = _find_column(text, start, len(row), columns, header_reach)
        if col is None or col >= len(row):
            continue
        cell = row[col]
        if cell in no:
            m.injected = False
            m.assertion = "negated"
            m.attrs = {**m.attrs, "table_column": cell}
        elif cell in yes and m.assertion == "present":
            m.injected = True
            m.attrs = {**m.attrs, "table_column": cell}


def lines_above(text: str, pos: int, reach: int) -> Iterator[str]:
    """Yield the lines above the one holding ``pos``, nearest first, up to a blank line or ``reach`` lines."""
    line_start = text.rfind("\n", 0, pos) + 1
    for _ in range(reach):
        if line_start <= 0:
            return
        prev_end = line_start - 1
        prev_start = text.rfind("\n", 0, prev_end) + 1
        line = text[prev_start:prev_end]
        if not line.strip():
            return
        yield line
        line_start = prev_start


def _find_column(text: str, row_start: int, n_cells: int, columns: frozenset[str], reach: int) -> int | None:
    for line in lines_above(text, row_start, reach):
        cells = _cells(line)
        if len(cells) == n_cells:
            for i, c in enumerate(cells):
                if c in columns:
                    return i
    return None
