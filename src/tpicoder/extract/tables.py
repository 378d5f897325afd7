"""Tables in notes: an "Injected" column decides whether each row's muscle was injected (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tpicoder.extract.extensions import Hit

_SPLIT = re.compile(r"\s*\|\s*|\t+")
# Columns set apart by runs of spaces only ("Infraspinatus        R     yes  ...  YES").
_SPACED_SPLIT = re.compile(r" {2,}")
# ... and only rows of at least this many such cells (a wrapped sentence is no row).
_SPACED_MIN_CELLS = 3


def _cells(line: str, spaced: bool = False) -> list[str]:
    parts = (_SPACED_SPLIT if spaced else _SPLIT).split(line.strip())
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
        spaced = "|" not in line and "\t" not in line
        row = _cells(line, spaced)
        if spaced and len(row) < _SPACED_MIN_CELLS:
            continue
        col = _find_column(text, start, len(row), columns, header_reach, spaced)
        if col is None or col >= len(row):
            continue
        cell = row[col]
        # "no - defer", "yes (2 mL)": the first word answers.
        if cell not in no and cell not in yes:
            cell = cell.split(" ", 1)[0].strip(".,;:-()")
        if cell in no:
            m.injected = False
            m.assertion = "negated"
            m.attrs = {**m.attrs, "table_column": cell}
        elif cell in yes and m.assertion == "present":
            m.injected = True
            m.attrs = {**m.attrs, "table_column": cell}


# A cell that is a number and nothing else ("25", "1.5", ".5").
_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")


@dataclass(frozen=True)
class ColumnAmount:
    """A bare number under an amount column, in the row of a muscle."""

    start: int
    end: int
    number: str
    unit: str
    muscle: Hit


def column_amounts(
    text: str, muscles: list[Hit], *, columns: dict[str, str], header_reach: int = 20
) -> list[ColumnAmount]:
    """Read bare numbers under amount columns ("| Muscle | Side | Units |" over "| L trapezius | L | 25 |").

    ``columns`` maps a lower-case header cell to its unit ("units" -> "units", "ml" -> "mL"). A row
    counts once, through its first muscle said to be present; the header is found as for
    :func:`apply_injected_column`. A cell with more than a number ("25 U", "2 x 10") is left to the
    amount rules.
    """
    out: list[ColumnAmount] = []
    seen: set[int] = set()
    for m in muscles:
        if m.assertion != "present":
            continue
        start, end = _line_at(text, m.start)
        if start in seen:
            continue
        seen.add(start)
        line = text[start:end]
        spaced = "|" not in line and "\t" not in line
        spans = _cell_spans(line, spaced)
        if spaced and len(spans) < _SPACED_MIN_CELLS:
            continue
        found = _find_amount_column(text, start, len(spans), columns, header_reach, spaced)
        if found is None or found[0] >= len(spans):
            continue
        col, unit = found
        a, b = spans[col]
        if _BARE_NUMBER.fullmatch(line[a:b]):
            out.append(ColumnAmount(start + a, start + b, line[a:b], unit, m))
    return out


def _cell_spans(line: str, spaced: bool) -> list[tuple[int, int]]:
    """Offsets in ``line`` of the cells :func:`_cells` returns, each without its outer spaces."""
    lo, hi = len(line) - len(line.lstrip()), len(line.rstrip())
    spans: list[tuple[int, int]] = []
    pos = lo
    for sep in (_SPACED_SPLIT if spaced else _SPLIT).finditer(line, lo, hi):
        spans.append((pos, sep.start()))
        pos = sep.end()
    spans.append((pos, hi))
    if spans and spans[0][0] == spans[0][1]:
        spans = spans[1:]
    if spans and spans[-1][0] == spans[-1][1]:
        spans = spans[:-1]
    trimmed = []
    for a, b in spans:
        cell = line[a:b]
        a += len(cell) - len(cell.lstrip())
        trimmed.append((a, max(a, a + len(cell.strip()))))
    return trimmed


def _find_amount_column(
    text: str, row_start: int, n_cells: int, columns: dict[str, str], reach: int, spaced: bool
) -> tuple[int, str] | None:
    for line in lines_above(text, row_start, reach):
        cells = _cells(line, spaced)
        if len(cells) == n_cells:
            for i, c in enumerate(cells):
                if c in columns:
                    return i, columns[c]
    return None


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


def _find_column(
    text: str, row_start: int, n_cells: int, columns: frozenset[str], reach: int, spaced: bool = False
) -> int | None:
    for line in lines_above(text, row_start, reach):
        cells = _cells(line, spaced)
        if len(cells) == n_cells:
            for i, c in enumerate(cells):
                if c in columns:
                    return i
    return None
