"""The ``tpicoder`` command: thin wrappers over :mod:`tpicoder.api` (parse, call, write)."""

from __future__ import annotations

import collections
import csv
import io
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from tpicoder._version import __version__
from tpicoder.errors import ClaimError, InputError, TpiCoderError
from tpicoder.schema import Claim, NoteResult

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Trigger point injection notes -> claim lines and documentation warnings.",
)
err = Console(stderr=True, soft_wrap=True, highlight=False)
FORMATS = ("json", "jsonl", "csv", "html")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tpicoder {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Read TPI notes (.txt files or folders of them) and report what to bill and what is missing."""


def collect(paths: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders into note files; return (files, problems)."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.rglob("*.txt") if q.is_file())
            if not found:
                problems.append((str(p), "folder holds no .txt notes"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append((str(p), "no such file or folder"))
    return files, problems


def _load_claims(path: Path | None) -> dict[str, Claim] | Claim | None:
    if path is None:
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ClaimError(f"{path}: cannot read claim JSON ({exc})") from exc
    try:
        if isinstance(raw, dict) and "lines" in raw:
            return Claim.model_validate(raw)
        if isinstance(raw, list):
            return Claim.model_validate({"lines": raw})
        return {str(k): Claim.model_validate(v) for k, v in raw.items()}
    except Exception as exc:  # pydantic ValidationError, AttributeError on odd shapes
        raise ClaimError(f"{path}: not a claim ({exc})") from exc


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not enabled,
        transient=True,
    )


def _analyze_files(
    files: list[Path],
    *,
    payer: str,
    claims: Any,
    workers: int,
    lexicons: str | None,
    show_progress: bool,
    failures: list[tuple[str, str]],
    recoded: list[tuple[str, str]] | None = None,
) -> Iterator[tuple[NoteResult, str]]:
    """Yield (result, text) per readable file in order; unreadable ones go to ``failures``.

    Each result's ``meta.source_encoding`` says how its file was decoded; files that were not
    UTF-8 (read as UTF-16, Windows-1252 or Latin-1) are also listed in ``recoded``.
    """
    from tpicoder.api import analyze_many
    from tpicoder.extract.textio import read_note
    from tpicoder.lexicon import load_extraction_lexicon

    max_chars = load_extraction_lexicon(lexicons).settings.input["max_chars"]
    ids = _note_ids(files)
    # analyze_many yields results in input order, so each result takes the next pending
    # (text, encoding): no lookup by id, which two files of the same name would share.
    pending: collections.deque[tuple[Path, str, str]] = collections.deque()

    with _progress(show_progress and len(files) > 1) as bar:
        task = bar.add_task("analyzing", total=len(files))

        def records() -> Iterator[dict[str, Any]]:
            for f, note_id in zip(files, ids, strict=True):
                try:
                    note = read_note(f, max_chars=max_chars)
                except InputError as exc:
                    failures.append((str(f), str(exc).split(": ", 1)[-1]))
                    bar.advance(task)
                    continue
                claim = (claims.get(note_id) or claims.get(f.stem)) if isinstance(claims, dict) else claims
                pending.append((f, note.text, note.encoding))
                if note.encoding != "utf-8" and recoded is not None:
                    recoded.append((str(f), note.encoding))
                yield {"text": note.text, "note_id": note_id, "claim": claim}

        def failed(_note_id: str | None, reason: str) -> None:
            failures.append((str(pending.popleft()[0]), reason))
            bar.advance(task)

        results = analyze_many(
            records(), n_process=workers, payer=payer, lexicons_dir=lexicons, on_error=failed
        )
        for result in results:
            bar.advance(task)
            _, text, encoding = pending.popleft()
            if result.meta is not None:
                result.meta.source_encoding = encoding
            yield result, text


def _note_ids(files: list[Path]) -> list[str]:
    """Each file's note id: its name without .txt, or its path without .txt when two files share a name."""
    counts = collections.Counter(f.stem for f in files)
    return [f.stem if counts[f.stem] == 1 else f.with_suffix("").as_posix() for f in files]


def _add_frequency(results_path: Path, payer: str) -> dict[str, list[Any]]:
    from tpicoder.coding import check_frequency

    visits = []
    with results_path.open(encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            meta = r.get("meta") or {}
            visits.append((r["note_id"], meta.get("patient_id"), meta.get("date_of_service"), r["procedure"]))
    return check_frequency(visits, payer=payer)


@app.command()
def analyze(
    paths: Annotated[list[Path], typer.Argument(help="Note .txt files or folders of them.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, jsonl, csv or html.")] = "json",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (html: a folder). Default: stdout.")
    ] = None,
    payer: Annotated[str, typer.Option(help="Payer profile (lexicons/coding/payers/<name>.yaml).")] = "cms",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    claim: Annotated[
        Path | None, typer.Option(help="Proposed claim JSON to review ({'lines': [...]}, or per note id).")
    ] = None,
    lexicons: Annotated[
        Path | None, typer.Option(help="Read lexicons from this folder instead of the packaged ones.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Analyze notes and print results as JSON, JSON Lines, CSV or review HTML.

    Unreadable files are reported on stderr and the rest finish; the exit code is 1 when any failed.
    """
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    if fmt == "html":
        if out is None:
            raise typer.BadParameter("--format html needs --out DIR")
        review(paths, out=out, payer=payer, workers=workers, lexicons=lexicons, progress=progress)
        return
    try:
        files, failures = collect(paths)
        recoded: list[tuple[str, str]] = []
        claims = _load_claims(claim)
        lex = str(lexicons) if lexicons else None
        with tempfile.TemporaryDirectory(prefix="tpicoder-") as tmp:
            stage = Path(tmp) / "results.jsonl"
            with stage.open("w", encoding="utf-8") as handle:
                for result, _ in _analyze_files(
                    files,
                    payer=payer,
                    claims=claims,
                    workers=workers,
                    lexicons=lex,
                    show_progress=progress,
                    failures=failures,
                    recoded=recoded,
                ):
                    handle.write(result.model_dump_json() + "\n")
            extra = _add_frequency(stage, payer)
            _write(stage, extra, fmt, out)
    except TpiCoderError as exc:
        err.print(f"error: {exc}", style="red", markup=False)
        raise typer.Exit(2) from exc
    _report_recoded(recoded)
    _report_failures(failures)


def _iter_results(stage: Path, extra: dict[str, list[Any]]) -> Iterator[NoteResult]:
    with stage.open(encoding="utf-8") as handle:
        for line in handle:
            result = NoteResult.model_validate_json(line)
            if result.note_id in extra:
                result.warnings.extend(extra[result.note_id])
            yield result


def _write(stage: Path, extra: dict[str, list[Any]], fmt: str, out: Path | None) -> None:
    sink = (
        out.open("w", encoding="utf-8", newline="")
        if out
        else io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
    )
    try:
        if fmt == "jsonl":
            for r in _iter_results(stage, extra):
                sink.write(r.model_dump_json() + "\n")
        elif fmt == "json":
            results = list(_iter_results(stage, extra))
            payload: Any = (
                results[0].model_dump(mode="json")
                if len(results) == 1
                else [r.model_dump(mode="json") for r in results]
            )
            sink.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        else:
            from tpicoder.render.tables import CSV_COLUMNS, flat_row

            writer = csv.DictWriter(sink, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
            writer.writeheader()
            for r in _iter_results(stage, extra):
                writer.writerow(flat_row(r))
    finally:
        if out:
            sink.close()
        else:
            sink.flush()
            sink.detach()


def _report_recoded(recoded: list[tuple[str, str]], shown: int = 20) -> None:
    """Say which files were not UTF-8 and how they were read (their results carry it in meta too)."""
    if not recoded:
        return
    err.print(
        f"note: {len(recoded)} input(s) were not UTF-8 and were decoded as shown "
        "(check accented or curly characters in their results):",
        markup=False,
    )
    for name, encoding in recoded[:shown]:
        err.print(f"  {name}: {encoding}", markup=False)
    if len(recoded) > shown:
        err.print(f"  ... and {len(recoded) - shown} more (see meta.source_encoding)", markup=False)


def _report_failures(failures: list[tuple[str, str]]) -> None:
    if not failures:
        return
    err.print(f"{len(failures)} input(s) failed; the others were written:", style="red", markup=False)
    for name, reason in failures:
        err.print(f"  {name}: {reason}", markup=False)
    raise typer.Exit(1)


@app.command()
def review(
    paths: Annotated[list[Path], typer.Argument(help="Note .txt files or folders of them.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the pages and index.html.")],
    payer: Annotated[str, typer.Option(help="Payer profile.")] = "cms",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    lexicons: Annotated[Path | None, typer.Option(help="Lexicon folder to use.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Write one highlighted HTML page per note plus index.html (and index.csv) for reviewers."""
    from tpicoder.render import write_review

    try:
        files, failures = collect(paths)
        recoded: list[tuple[str, str]] = []
        items = _analyze_files(
            files,
            payer=payer,
            claims=None,
            workers=workers,
            lexicons=str(lexicons) if lexicons else None,
            show_progress=progress,
            failures=failures,
            recoded=recoded,
        )
        report = write_review(items, out)
    except TpiCoderError as exc:
        err.print(f"error: {exc}", style="red", markup=False)
        raise typer.Exit(2) from exc
    err.print(f"wrote {getattr(report, 'pages', '?')} page(s) and index.html to {out}")
    _report_recoded(recoded)
    _report_failures(failures)


@app.command()
def evaluate(
    corpus: Annotated[Path, typer.Argument(help="Folder with gold .jsonl and notes/<id>.txt.")],
    payer: Annotated[str, typer.Option(help="Payer profile.")] = "cms",
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
    diffs: Annotated[bool, typer.Option(help="Print per-note differences.")] = True,
) -> None:
    """Score the analyzer against a gold corpus: per-field precision, recall, F1 and per-note differences."""
    from tpicoder.api import analyze as run
    from tpicoder.evaluate import evaluate as score

    try:
        report = score(corpus, run, payer=payer).as_dict()
    except TpiCoderError as exc:
        err.print(f"error: {exc}", style="red", markup=False)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(f"corpus {corpus}  notes {report['notes']}  upcodes {report['upcodes']}")
    typer.echo(f"{'field':28} {'P':>7} {'R':>7} {'F1':>7} {'tp':>5} {'fp':>5} {'fn':>5}")
    for name, v in report["fields"].items():
        typer.echo(
            f"{name:28} {v['precision']:7.3f} {v['recall']:7.3f} {v['f1']:7.3f} "
            f"{v['tp']:5d} {v['fp']:5d} {v['fn']:5d}"
        )
    for name, v in report["exact"].items():
        typer.echo(f"{name:28} accuracy {v['accuracy']:.3f} ({v['right']}/{v['total']})")
    if diffs and report["diffs"]:
        typer.echo("\nper-note differences:")
        for nid, lines in sorted(report["diffs"].items()):
            for line in lines:
                typer.echo(f"  {nid}: {line}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the result (NoteResult)."""
    typer.echo(json.dumps(NoteResult.model_json_schema(), indent=2))


@app.command("build-model")
def build_model(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the spaCy pipeline to.")] = Path(
        "models/tpicoder_pipeline"
    ),
    lexicons: Annotated[Path | None, typer.Option(help="Lexicon folder to build from.")] = None,
) -> None:
    """Assemble the spaCy pipeline from the lexicons and save it (loads with spacy.load)."""
    from tpicoder.extract.pipeline import save_pipeline

    path = save_pipeline(out, str(lexicons) if lexicons else None)
    typer.echo(f"pipeline written to {path}")
