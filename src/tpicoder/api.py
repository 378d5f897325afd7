"""The library entry points: text -> Doc -> Findings -> coding -> NoteResult."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from tpicoder._version import __version__
from tpicoder.extract.pipeline import shared_nlp
from tpicoder.extract.textio import tokenizer_view
from tpicoder.extract.to_findings import doc_to_findings, findings_config
from tpicoder.findings import Findings
from tpicoder.lexicon import load_extraction_lexicon
from tpicoder.schema import Claim, NoteMeta, NoteResult

DEFAULT_BATCH_SIZE = 64
# First-generation threshold of the cyclic garbage collector while a batch runs (see _fewer_collections).
BATCH_GC_GEN0 = 20_000


def _nlp(lexicons_dir: str | None):  # noqa: ANN202 - spaCy Language
    nlp = shared_nlp(lexicons_dir)
    limit = load_extraction_lexicon(lexicons_dir).settings.input["max_chars"]
    if nlp.max_length < limit:
        nlp.max_length = limit
    return nlp


def extract(text: str, *, lexicons_dir: str | None = None) -> Findings:
    """Run stage 1 only: the Findings of one note."""
    if not isinstance(text, str):
        raise TypeError(
            f"text must be str, not {type(text).__name__}; decode bytes first (tpicoder.extract.textio)"
        )
    doc = _nlp(lexicons_dir)(tokenizer_view(text))
    return doc_to_findings(doc, findings_config(lexicons_dir), text)


def _result(
    text: str,
    findings: Findings,
    *,
    note_id: str | None,
    payer: str,
    claim: Claim | None,
    lexicons_dir: str | None,
) -> NoteResult:
    from tpicoder.coding import code_findings  # stage 2 needs no spaCy; imported here to keep stages apart

    coded = code_findings(findings, payer=payer, claim=claim, lexicons_dir=lexicons_dir)
    versions = load_extraction_lexicon(lexicons_dir).versions()
    return NoteResult(
        note_id=note_id,
        procedure=coded.procedure,
        injected_muscles=findings.injected_muscles,
        substances=findings.substances,
        prior_treatments=findings.prior_treatments,
        diagnoses=coded.diagnoses,
        guidance=findings.guidance.modality if findings.guidance else None,
        em_service=coded.em_service,
        claim_lines=coded.claim_lines,
        warnings=coded.warnings,
        mentions=findings.mentions,
        meta=NoteMeta(
            tool_version=__version__,
            payer=payer,
            lexicon_versions=versions,
            date_of_service=findings.date_of_service,
            patient_id=findings.patient_id,
        ),
    )


def analyze(
    text: str,
    *,
    note_id: str | None = None,
    payer: str = "cms",
    claim: Claim | None = None,
    lexicons_dir: str | os.PathLike[str] | None = None,
) -> NoteResult:
    """Analyze one note.

    Args:
        text: the note as text (offsets in the result index into it).
        note_id: identifier copied to the result.
        payer: payer profile name (``lexicons/coding/payers/<name>.yaml``).
        claim: a proposed claim to review; problems come back as CLAIM_* warnings.
        lexicons_dir: lexicon folder to use instead of the packaged one.

    Returns:
        The :class:`~tpicoder.schema.NoteResult` of the contract.

    """
    lex = str(lexicons_dir) if lexicons_dir else None
    findings = extract(text, lexicons_dir=lex)
    return _result(text, findings, note_id=note_id, payer=payer, claim=claim, lexicons_dir=lex)


def _records(items: Iterable[Any]) -> Iterator[tuple[str, str | None, Claim | None]]:
    for i, item in enumerate(items):
        if isinstance(item, str):
            yield item, None, None
        elif isinstance(item, dict):
            claim = item.get("claim")
            yield (
                item["text"],
                item.get("note_id"),
                Claim.model_validate(claim) if isinstance(claim, dict) else claim,
            )
        elif isinstance(item, tuple):
            yield item[0], item[1] if len(item) > 1 else None, item[2] if len(item) > 2 else None
        else:
            raise TypeError(
                f"item {i}: expected str, dict or (text, note_id) tuple, got {type(item).__name__}"
            )


_notes_seen = 0  # notes this process has analysed, for the memory-zone warm-up


@contextlib.contextmanager
def _fewer_collections(gen0: int = BATCH_GC_GEN0) -> Iterator[None]:
    """Run a batch with the cyclic collector's first threshold raised, then restore it.

    A note allocates tens of thousands of short-lived objects (tokens, hits, models), almost none
    in cycles; at Python's default of 700 allocations the collector runs hundreds of times a batch
    for nothing. Memory stays flat: the collector still runs, every ``gen0`` allocations. The old
    thresholds are back before any result reaches the caller.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(gen0, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _worker_pipe(texts: list[str], lexicons_dir: str | None, isolate: bool = False) -> list[Findings | str]:
    """Return the findings of a batch of texts (in this process or in a worker).

    With ``isolate``, a batch that raises is run again one note at a time, and a note that still
    raises gives the error as ``"ExceptionType: message"`` in its place (a string pickles across
    processes where some exceptions do not).
    """
    with _fewer_collections():
        try:
            return list(_pipe_batch(texts, lexicons_dir))
        except Exception:  # noqa: BLE001 - re-run note by note to find the one that fails
            if not isolate:
                raise
            out: list[Findings | str] = []
            for text in texts:
                try:
                    out.extend(_pipe_batch([text], lexicons_dir))
                except Exception as exc:  # noqa: BLE001 - reported to on_error by the caller
                    out.append(_describe(exc))
            return out


def _describe(exc: BaseException) -> str:
    return f"internal error, please report it: {type(exc).__name__}: {exc}"


def _pipe_batch(texts: list[str], lexicons_dir: str | None) -> list[Findings]:
    global _notes_seen
    nlp = _nlp(lexicons_dir)
    config = findings_config(lexicons_dir)
    views = [tokenizer_view(t) for t in texts]
    warm = _notes_seen < load_extraction_lexicon(lexicons_dir).settings.input["memory_zone_after_notes"]
    _notes_seen += len(texts)
    # Findings hold plain Python values only, so every Doc can be dropped when its zone closes.
    with contextlib.nullcontext() if warm else nlp.memory_zone():
        return [doc_to_findings(d, config, t) for d, t in zip(nlp.pipe(views), texts, strict=True)]


def analyze_many(
    texts_or_records: Iterable[Any],
    *,
    n_process: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    payer: str = "cms",
    lexicons_dir: str | os.PathLike[str] | None = None,
    on_error: Callable[[str | None, str], None] | None = None,
) -> Iterator[NoteResult]:
    """Analyze a stream of notes, yielding results in input order.

    Args:
        texts_or_records: strings, ``{"text", "note_id", "claim"}`` dicts or ``(text, note_id)`` tuples.
        n_process: worker processes (1 = in this process).
        batch_size: notes per batch.
        payer: payer profile name.
        lexicons_dir: lexicon folder to use instead of the packaged one.
        on_error: when given, a note whose analysis raises is skipped and reported as
            ``on_error(note_id, reason)`` at its place in the order, and the rest go on;
            without it the exception propagates and the stream stops.

    """
    lex = str(lexicons_dir) if lexicons_dir else None
    isolate = on_error is not None

    def batches() -> Iterator[list[tuple[str, str | None, Claim | None]]]:
        batch: list[tuple[str, str | None, Claim | None]] = []
        for rec in _records(texts_or_records):
            batch.append(rec)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def deliver(items: Iterable[NoteResult | _Failed]) -> Iterator[NoteResult]:
        # Errors reach on_error at their place in the order, between the results around them.
        for item in items:
            if isinstance(item, _Failed):
                if on_error is None:
                    raise RuntimeError(item.reason)  # only isolated runs (on_error given) fail softly
                on_error(item.note_id, item.reason)
            else:
                yield item

    if n_process <= 1:
        for batch in batches():
            findings = _worker_pipe([b[0] for b in batch], lex, isolate)
            with _fewer_collections():
                items = list(_emit(batch, findings, payer, lex, isolate))
            yield from deliver(items)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=n_process) as pool:
        pending = []
        for batch in batches():
            pending.append((batch, pool.submit(_worker_pipe, [b[0] for b in batch], lex, isolate)))
            if len(pending) > n_process * 2:
                b, fut = pending.pop(0)
                yield from deliver(_emit(b, fut.result(), payer, lex, isolate))
        for b, fut in pending:
            yield from deliver(_emit(b, fut.result(), payer, lex, isolate))


class _Failed(NamedTuple):
    note_id: str | None
    reason: str


def _emit(
    batch: list[tuple[str, str | None, Claim | None]],
    findings: list[Findings | str],
    payer: str,
    lex: str | None,
    isolate: bool,
) -> Iterator[NoteResult | _Failed]:
    for (text, note_id, claim), f in zip(batch, findings, strict=True):
        if isinstance(f, str):
            yield _Failed(note_id, f)
            continue
        try:
            result = _result(text, f, note_id=note_id, payer=payer, claim=claim, lexicons_dir=lex)
        except Exception as exc:  # noqa: BLE001 - reported to on_error, the stream goes on
            if not isolate:
                raise
            yield _Failed(note_id, _describe(exc))
            continue
        yield result
