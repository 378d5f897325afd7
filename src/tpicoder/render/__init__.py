"""Reviewer output: highlighted HTML pages, a batch index, and flat CSV rows.

Everything here is built from :class:`~tpicoder.schema.NoteResult` and the note text, never from a
spaCy ``Doc``::

    from tpicoder.render import render_note, write_review, flat_row, write_csv

    page = render_note(result, text)                      # one self-contained HTML page
    report = write_review(((r, t) for r, t in pairs), out)  # pages + index.html + index.csv
"""

from tpicoder.render.html import (
    IndexEntry,
    NoteSummary,
    ReviewReport,
    render_index,
    render_note,
    safe_filename,
    write_review,
)
from tpicoder.render.tables import CSV_COLUMNS, flat_row, note_status, write_csv

__all__ = [
    "CSV_COLUMNS",
    "IndexEntry",
    "NoteSummary",
    "ReviewReport",
    "flat_row",
    "note_status",
    "render_index",
    "render_note",
    "safe_filename",
    "write_csv",
    "write_review",
]
