"""tables: flat rows for spreadsheets (the CLI's --format csv and the review's index.csv)."""

from __future__ import annotations

import csv
import io

import pytest

from tpicoder.render import CSV_COLUMNS, flat_row, write_csv
from tpicoder.schema import NoteResult


def test_flat_row_has_exactly_the_csv_columns_in_order(any_note):
    result, _ = any_note
    assert tuple(flat_row(result)) == CSV_COLUMNS


def test_flat_row_tpi_note_lists_codes_muscles_substances(tpi_note):
    row = flat_row(tpi_note[0])
    assert row["note_id"] == "h001"
    assert row["status"] == "review"
    assert row["procedure"] == "trigger_point_injection"
    assert row["cpt_codes"] == "20553"
    assert row["hcpcs_codes"] == ""
    assert row["units"] == "20553=1"
    assert row["muscle_count"] == 4
    assert row["muscles"] == (
        "trapezius (left); levator_scapulae (left); levator_scapulae (right); infraspinatus (right)"
    )
    assert row["substances"] == "lidocaine 1% 4 mL; triamcinolone"
    assert row["prior_treatments"] == "physical_therapy (failed); nsaid (partial_relief)"
    assert row["diagnosis_codes"] == "M79.18"
    assert row["em_code"] == "" and row["em_modifier_25"] == ""
    assert (row["errors"], row["warnings"], row["info"]) == (0, 1, 0)
    assert row["warning_codes"] == "DOSE_MISSING"
    assert row["date_of_service"] == "2026-03-02" and row["patient_id"] == "P-1001"


def test_flat_row_dry_needling_note_has_em_25_and_guidance(dn_note):
    row = flat_row(dn_note[0])
    assert row["cpt_codes"] == "20560; 76942; 99214"
    assert row["modifiers"] == "99214-25"
    assert row["claim"] == "20560 x1; 76942 x1; 99214-25 x1"
    assert (row["em_code"], row["em_modifier_25"], row["guidance"]) == ("99214", "yes", "ultrasound")
    assert row["status"] == "ok"
    assert row["info"] == 2


def test_flat_row_hold_note_reports_invalid_code_and_errors(hold_note):
    row = flat_row(hold_note[0])
    assert row["status"] == "hold"
    assert row["invalid_diagnosis_codes"] == "M54.5"
    assert row["errors"] == 2
    assert row["muscle_count"] == 0 and row["muscles"] == ""


def test_flat_row_empty_result_is_all_blank_or_zero():
    row = flat_row(NoteResult())
    assert row["procedure"] == "none"
    assert all(v in ("", 0, "none", "ok") for v in row.values())


def test_write_csv_round_trips_through_a_csv_reader(all_notes):
    handle = io.StringIO(newline="")
    count = write_csv((flat_row(r) for r, _ in all_notes), handle)
    assert count == len(all_notes)
    handle.seek(0)
    reader = csv.DictReader(handle)
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    rows = list(reader)
    expected = [{k: str(v) for k, v in flat_row(r).items()} for r, _ in all_notes]
    assert rows == expected


def test_write_csv_without_header_appends_rows_only(tpi_note):
    handle = io.StringIO(newline="")
    write_csv([flat_row(tpi_note[0])], handle, header=False)
    assert not handle.getvalue().startswith("note_id")
    assert handle.getvalue().count("\n") == 1


@pytest.mark.parametrize(
    "bad", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"], ids=["eq", "plus", "minus", "at"]
)
def test_write_csv_neutralises_spreadsheet_formulas(bad):
    handle = io.StringIO(newline="")
    write_csv([flat_row(NoteResult(note_id=bad))], handle)
    handle.seek(0)
    row = next(csv.DictReader(handle))
    assert row["note_id"] == "'" + bad


def test_write_csv_rejects_unknown_columns():
    with pytest.raises(ValueError):
        write_csv([{"nope": 1}], io.StringIO())
