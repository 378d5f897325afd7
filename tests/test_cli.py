"""The command line through typer's runner: formats, folders, bad files, exit codes."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from tests.conftest import CORPORA
from tpicoder.cli import app

runner = CliRunner()
NOTE = "Procedure: TPI to left trapezius and right levator scapulae with 1% lidocaine 2 mL each. Dx M79.12."


def test_cli_analyze_file_prints_contract_json(tmp_path):
    f = tmp_path / "n1.txt"
    f.write_text(NOTE, encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(f), "--format", "json", "--no-progress"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["note_id"] == "n1"
    assert [c["code"] for c in data["claim_lines"]] == ["20552"]


def test_cli_folder_with_bad_files_finishes_the_rest_and_fails(tmp_path):
    (tmp_path / "good.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Procédure: TPI L trapezius, lidocaïne 1 mL".encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    out = tmp_path / "out.jsonl"
    res = runner.invoke(
        app, ["analyze", str(tmp_path), "--format", "jsonl", "--out", str(out), "--no-progress"]
    )
    assert res.exit_code == 1
    assert "binary.txt" in res.stderr and "binary" in res.stderr
    ids = [json.loads(line)["note_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["empty", "good", "latin"]


def test_cli_reports_files_that_were_not_utf8_and_how_they_were_read(tmp_path):
    (tmp_path / "good.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes(NOTE.replace("TPI", "TPI (procédure)").encode("latin-1"))
    res = runner.invoke(app, ["analyze", str(tmp_path), "--format", "jsonl", "--no-progress"])
    assert res.exit_code == 0, res.output
    metas = {r["note_id"]: r["meta"] for r in map(json.loads, res.stdout.splitlines())}
    assert metas["good"]["source_encoding"] == "utf-8"
    assert metas["latin"]["source_encoding"] == "cp1252"
    assert "1 input(s) were not UTF-8" in res.stderr and "latin.txt: cp1252" in res.stderr
    assert "good.txt" not in res.stderr


def test_cli_files_with_the_same_name_in_two_folders_keep_their_own_text(tmp_path):
    for folder, muscle in (("jan", "left trapezius"), ("feb", "right rhomboid major")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "visit.txt").write_text(f"Procedure: TPI {muscle}, lidocaine 1 mL.")
    (tmp_path / "jan" / "other.txt").write_text(NOTE)
    out = tmp_path / "review"
    res = runner.invoke(app, ["analyze", str(tmp_path), "--format", "jsonl", "--no-progress"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    by_id = {r["note_id"]: [m["muscle"] for m in r["injected_muscles"]] for r in rows}
    assert sorted(by_id) == sorted([(tmp_path / m / "visit").as_posix() for m in ("jan", "feb")] + ["other"])
    assert by_id[(tmp_path / "jan" / "visit").as_posix()] == ["trapezius"]
    assert by_id[(tmp_path / "feb" / "visit").as_posix()] == ["rhomboid_major"]
    res = runner.invoke(app, ["review", str(tmp_path), "--out", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html") if p.name != "index.html"}
    texts = [t for t in pages.values() if "rhomboid major" in t]
    assert len(texts) == 1 and "left trapezius" not in texts[0]


def test_cli_an_internal_error_on_one_note_is_reported_and_the_rest_finish(tmp_path, monkeypatch):
    import tpicoder.api as api

    real = api.doc_to_findings

    def flaky(doc, config, text):
        if "BOOM" in text:
            raise ValueError("simulated bug")
        return real(doc, config, text)

    monkeypatch.setattr(api, "doc_to_findings", flaky)
    for name, text in (("a", NOTE), ("b", "BOOM " + NOTE), ("c", NOTE)):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(
        app, ["analyze", str(tmp_path), "--format", "jsonl", "--out", str(out), "--no-progress"]
    )
    assert res.exit_code == 1
    assert "b.txt: internal error, please report it: ValueError: simulated bug" in res.stderr
    ids = [json.loads(line)["note_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["a", "c"]


def test_cli_csv_has_one_row_per_note(tmp_path):
    for i in range(3):
        (tmp_path / f"n{i}.txt").write_text(NOTE, encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(tmp_path), "--format", "csv", "--no-progress"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["note_id"] for r in rows] == ["n0", "n1", "n2"]


def test_cli_missing_path_and_bad_format(tmp_path):
    res = runner.invoke(app, ["analyze", str(tmp_path / "nope.txt"), "--no-progress"])
    assert res.exit_code == 1 and "no such file" in res.stderr
    res = runner.invoke(app, ["analyze", str(tmp_path), "--format", "xml"])
    assert res.exit_code != 0


def test_cli_unknown_payer_is_a_clear_error(tmp_path):
    f = tmp_path / "n.txt"
    f.write_text(NOTE, encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(f), "--payer", "nosuchpayer", "--no-progress"])
    assert res.exit_code == 2 and "nosuchpayer" in res.stderr


def test_cli_claim_review_flags_modifier_50(tmp_path):
    f = tmp_path / "n.txt"
    f.write_text(NOTE, encoding="utf-8")
    claim = tmp_path / "claim.json"
    claim.write_text(
        json.dumps({"lines": [{"code": "20552", "units": 2, "modifiers": ["50"]}]}), encoding="utf-8"
    )
    res = runner.invoke(app, ["analyze", str(f), "--claim", str(claim), "--no-progress"])
    codes = {w["code"] for w in json.loads(res.stdout)["warnings"]}
    assert {"CLAIM_UNITS", "CLAIM_MODIFIER_50"} <= codes


def test_cli_review_writes_pages_and_index(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(NOTE, encoding="utf-8")
    res = runner.invoke(
        app, ["review", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-progress"]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / "a.html").is_file()


def test_cli_schema_and_evaluate():
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0 and "injected_muscles" in json.loads(res.stdout)["properties"]
    res = runner.invoke(app, ["evaluate", str(CORPORA / "dev"), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["notes"] >= 80 and "muscle_side" in report["fields"]
