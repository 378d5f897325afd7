"""render_index and write_review: the batch index, charts, safe file names, streaming."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tpicoder.render import IndexEntry, ReviewReport, render_index, safe_filename, write_review
from tpicoder.render.html import CHART_MAX_BARS, INDEX_CSV_COLUMNS, bar_chart
from tpicoder.schema import ClaimLine, NoteResult, Warning


def entries_for(notes):
    return [IndexEntry.from_result(r, f"{r.note_id}.html") for r, _ in notes]


def test_render_index_one_row_per_note_with_link_and_counts(all_notes, parse):
    page = parse(render_index(entries_for(all_notes)))
    rows = [e for e in page.elements if e.tag == "tr" and "data-codes" in e.attrs]
    assert len(rows) == len(all_notes)
    hold = next(r for r in rows if "h002" in r.content)
    assert hold.attrs["data-sev"] == "error warning"
    assert hold.attrs["data-codes"] == "20552"
    assert "MUSCLES_NOT_NAMED" in hold.content
    dn = next(r for r in rows if "h003" in r.content)
    assert dn.attrs["data-codes"] == "20560 76942 99214"
    assert "99214-25" in dn.content
    links = [
        e.attrs["href"] for e in page.elements if e.tag == "a" and e.attrs.get("href", "").endswith(".html")
    ]
    assert links == [f"{r.note_id}.html" for r, _ in all_notes]


def test_render_index_headers_sort_and_filters_exist(all_notes, parse):
    page = parse(render_index(entries_for(all_notes)))
    buttons = [e for e in page.elements if e.tag == "button" and "data-type" in e.attrs]
    assert [b.content for b in buttons][:5] == ["Note", "Status", "Procedure", "Claim", "Muscles"]
    ids = page.by_id()
    assert {"q", "f-code", "f-sev", "shown", "notes"} <= set(ids)
    codes = [e.attrs["value"] for e in page.elements if e.tag == "option" and e.parent is ids["f-code"]]
    assert codes == ["", "20552", "20553", "20560", "76942", "99214", "-"]


def test_render_index_draws_three_charts_in_svg(all_notes, parse):
    page = parse(render_index(entries_for(all_notes)))
    svgs = [e for e in page.elements if e.tag == "svg"]
    assert [s.attrs["aria-label"] for s in svgs] == ["Codes billed", "Warnings by type", "Match kinds"]
    codes = svgs[0].content
    assert "20552" in codes and "20553" in codes
    kinds = svgs[2].content
    assert "fuzzy" in kinds and "exact" in kinds


def test_render_index_escapes_ids_and_links(hostile_note, parse):
    result, _ = hostile_note
    source = render_index([IndexEntry.from_result(result, 'a"b.html')])
    page = parse(source)
    assert 'x"ss<1>/../evil' in page.by_id()["notes"].content
    assert "<1>" not in source
    assert any(e.attrs.get("href") == 'a"b.html' for e in page.elements)
    assert len([e for e in page.elements if e.tag == "script"]) == 1


def test_render_index_empty_batch_renders(parse):
    page = parse(render_index([]))
    assert page.by_id()["shown"].content == "0"


def test_bar_chart_sums_the_tail_into_other(parse):
    bars = [(f"C{i}", 100 - i, "b-code") for i in range(CHART_MAX_BARS + 5)]
    page = parse(bar_chart("t", bars))
    labels = [e.content for e in page.elements if e.tag == "text" and e.attrs.get("class") == "lbl"]
    assert len(labels) == CHART_MAX_BARS
    assert labels[-1] == "other (6)"


def test_render_index_rows_stay_small_for_large_batches():
    result = NoteResult(
        note_id="n",
        procedure="trigger_point_injection",
        claim_lines=[ClaimLine(code="20553", units=1, description="d", rationale="r")],
        warnings=[Warning(code="CONSERVATIVE_CARE_MISSING", severity="warning", message="m")],
    )
    entries = [
        IndexEntry.from_result(result.model_copy(update={"note_id": f"n{i:05d}"}), f"n{i:05d}.html")
        for i in range(1500)
    ]
    source = render_index(entries)
    assert source.count('<tr data-codes="20553"') == 1500
    assert len(source) / 1500 < 1200  # bytes per row: thousands of notes stay a light page


@pytest.mark.parametrize(
    ("note_id", "stem"),
    [
        ("h001", "h001"),
        ("a/b\\c", "a_b_c"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("CON", "note_CON"),
        ("index", "note_index"),
        ("", "note"),
        ("...", "note"),
        ("caf\u00e9 2", "caf_2"),
        ("x" * 300, "x" * 80),
    ],
    ids=["plain", "slashes", "traversal", "windows-reserved", "index", "empty", "dots", "unicode", "long"],
)
def test_safe_filename_cases(note_id, stem):
    assert safe_filename(note_id) == stem


def test_write_review_writes_pages_index_and_csv(tmp_path, all_notes, parse):
    report = write_review(iter(all_notes), tmp_path / "out")
    assert isinstance(report, ReviewReport)
    out = tmp_path / "out"
    assert report.notes == 4
    assert report.pages == ["h001.html", "h002.html", "h003.html", "x_ss_1_.._evil.html"]
    for name in report.pages:
        page = parse((out / name).read_text(encoding="utf-8"))
        assert any(e.attrs.get("href") == "index.html" for e in page.elements)
    index = parse(report.index_html.read_text(encoding="utf-8"))
    hrefs = [
        e.attrs["href"] for e in index.elements if e.tag == "a" and e.attrs.get("href", "").endswith(".html")
    ]
    assert hrefs == report.pages
    assert all((out / h).is_file() for h in hrefs)
    with report.index_csv.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == INDEX_CSV_COLUMNS
        rows = list(reader)
    assert [r["page"] for r in rows] == report.pages
    assert [r["note_id"] for r in rows] == [r.note_id for r, _ in all_notes]
    assert report.statuses == {"review": 2, "hold": 1, "ok": 1}
    assert report.warnings_by_severity == {"error": 2, "warning": 4, "info": 2}
    assert sorted(p.name for p in out.iterdir()) == sorted([*report.pages, "index.html", "index.csv"])


def test_write_review_names_are_unique_and_never_the_index(tmp_path):
    items = [
        (NoteResult(note_id="A"), "x"),
        (NoteResult(note_id="a"), "x"),
        (NoteResult(note_id="a/"), "x"),
        (NoteResult(note_id="index"), "x"),
        (NoteResult(), "x"),
    ]
    report = write_review(items, tmp_path)
    assert report.pages == ["A.html", "a-2.html", "a_.html", "note_index.html", "note-00005.html"]
    assert (tmp_path / "index.html").read_text(encoding="utf-8").count("data-codes=") == 5


def test_write_review_streams_one_note_at_a_time(tmp_path, all_notes):
    written: list[bool] = []

    def items():
        for i, (result, text) in enumerate(all_notes):
            if i:  # the previous page is on disk before the next note is even asked for
                written.append((tmp_path / f"{all_notes[i - 1][0].note_id}.html").is_file())
            yield result, text

    write_review(items(), tmp_path)
    assert written == [True, True, True]


def test_write_review_accepts_a_string_path(tmp_path, tpi_note):
    report = write_review([tpi_note], str(tmp_path / "new" / "dir"))
    assert Path(report.index_html).is_file()
