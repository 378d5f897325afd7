"""Tables in notes: an "Injected" column decides whether each row's muscle was injected (pure)."""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
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


def _row_at(text: str, pos: int) -> tuple[int, str, bool]:
    """Return the start and text of the line holding ``pos``, and whether only spaces part its cells."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : len(text) if end < 0 else end]
    return start, line, "|" not in line and "\t" not in line


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
        found = _cell_under(text, m.start, columns, header_reach)
        if found is None:
            continue
        cell = text[found[0] : found[1]].lower()
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


def apply_empty_amounts(
    text: str, muscles: list[Hit], *, columns: Container[str], empty: Container[str], header_reach: int = 20
) -> None:
    """Mark muscles not injected whose row leaves its amount column empty and holds no number at all.

    "Trapezius   L   --   --   (held, see above)" under "MUSCLE   SIDE   DOSE (U)   SITES": the dose
    cell is an empty marker (``empty``: "--", "0", "none") and nothing on the row is an amount.
    """
    for m in muscles:
        if m.assertion != "present":
            continue
        found = _cell_under(text, m.start, columns, header_reach)
        if found is None or text[found[0] : found[1]].lower() not in empty:
            continue
        row_start, line, _ = _row_at(text, m.start)
        if any(ch.isdigit() for ch in line[m.end - row_start :]):
            continue
        m.injected = False
        m.assertion = "negated"
        m.attrs = {**m.attrs, "table_column": text[found[0] : found[1]]}


# A remark cell in brackets ("(held, see above)").
_REMARK = re.compile(r"\([^()\n]*\)")
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
        row_start = text.rfind("\n", 0, m.start) + 1
        if row_start in seen:
            continue
        seen.add(row_start)
        found = _cell_under(text, m.start, columns, header_reach)
        if found is not None and _BARE_NUMBER.fullmatch(text[found[0] : found[1]]):
            a, b, header = found
            out.append(ColumnAmount(a, b, text[a:b], columns[header], m))
    return out


def _cell_under(text: str, pos: int, columns: Container[str], reach: int) -> tuple[int, int, str] | None:
    """Find the cell of the row holding ``pos`` under a header cell named in ``columns``.

    Returns the cell's start and end in ``text`` (without its outer spaces) and the header's name,
    or None when the line is no table row or no such header stands above it.
    """
    start, line, spaced = _row_at(text, pos)
    spans = _cell_spans(line, spaced)
    if spaced and len(spans) < _SPACED_MIN_CELLS:
        return None
    found = _find_column(text, start, len(spans), columns, reach, spaced)
    # "Trapezius   L   --   --   (held, see above)": a remark in brackets after the row's cells may
    # stand under no header of its own.
    remarks = 0
    while found is None and len(spans) - remarks > 1 and _REMARK.fullmatch(line, *spans[-1 - remarks]):
        remarks += 1
        found = _find_column(text, start, len(spans) - remarks, columns, reach, spaced)
    if found is None or found[0] >= len(spans):
        return None
    a, b = spans[found[0]]
    return start + a, start + b, found[1]


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
    text: str, row_start: int, n_cells: int, columns: Container[str], reach: int, spaced: bool = False
) -> tuple[int, str] | None:
    """Return index and name of the first ``columns`` cell of the nearest header-like line above a row."""
    for line in lines_above(text, row_start, reach):
        cells = _cells(line, spaced)
        if len(cells) == n_cells:
            for i, c in enumerate(cells):
                if c in columns:
                    return i, c
    return None
