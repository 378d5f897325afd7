"""Every custom ``Doc._`` attribute of the pipeline, registered idempotently, and the hit record.

Components write plain :class:`Hit` records (character and token offsets, ids, decisions) into
``doc._.tpi_hits`` rather than spaCy ``Span`` extensions: the records are cheap to create, carry their
provenance (rule id, match kind, alias, score, deciding cue) and are read only by ``to_findings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.attrs import IDX, IS_ALPHA, IS_SPACE, LENGTH, SPACY
from spacy.tokens import Doc

# Labels of entity hits (targets of assertion), side hits and cue hits.
TARGET_LABELS = frozenset(
    {
        "MUSCLE",
        "REGIONAL",
        "NONSPECIFIC",
        "SUBSTANCE",
        "PRIOR_TX",
        "GUIDANCE",
        "TP_EXAM",
        "DRY_NEEDLING",
        "EM_SEPARATE",
        "EM_CODE",
        "EM_MENTION",
        "INDICATION",
        "NO_PROCEDURE",
        "GUIDANCE_REASON",
        "NO_GUIDANCE",
        "SIDE",  # a side in an unchecked box ("[ ] Left") is negated and never a free side
    }
)


@dataclass(slots=True)
class Section:
    """A note section: its kind, header span and body extent (character offsets)."""

    kind: str
    start: int
    end: int
    header_start: int
    header_end: int
    tok_start: int = 0
    tok_end: int = 0


@dataclass(slots=True, eq=False)
class Hit:
    """One span found by a component, with the decisions later components add."""

    label: str
    start: int
    end: int
    tok_start: int
    tok_end: int
    norm: str | None = None
    match: str = "exact"
    score: float = 100.0
    alias: str | None = None
    rule_id: str | None = None
    value: Any = None
    groups: tuple[Any, ...] = ()
    # decisions
    section: str = "unknown"
    sent: int = 0
    assertion: str = "present"
    injected: bool | None = None
    side: str | None = None
    cue: Hit | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


_ATTRS: dict[str, Any] = {
    "tpi_sections": None,
    "tpi_hits": None,
    "tpi_sents": None,
    "tpi_lines": None,
    "tpi_tokens": None,
    "tpi_text": None,
    "tpi_list_lead": None,
}


def doc_text(doc: Doc) -> str:
    """Return ``doc.text``, built once per Doc (spaCy rebuilds it from Token objects on every access)."""
    text = doc._.tpi_text
    if text is None:
        token_table(doc)
        text = doc._.tpi_text
    return text


@dataclass(slots=True)
class TokenTable:
    """Per-token facts read once per Doc (creating spaCy Token objects is the hot path)."""

    text: list[str]
    lower: list[str]
    idx: list[int]
    is_space: list[bool]
    is_alpha: list[bool]
    whitespace: list[str]


def token_table(doc: Doc) -> TokenTable:
    """Return the doc's token table, built on first use."""
    table = doc._.tpi_tokens
    if table is None:
        # One array read instead of a Token object per token (the costliest step of the pipeline).
        text = doc._.tpi_text
        if text is None:
            text = doc._.tpi_text = doc.text
        if len(doc):
            idx, length, spacy_, is_space, is_alpha = doc.to_array(
                [IDX, LENGTH, SPACY, IS_SPACE, IS_ALPHA]
            ).T.tolist()
        else:
            idx, length, spacy_, is_space, is_alpha = [], [], [], [], []
        texts = [text[i : i + n] for i, n in zip(idx, length, strict=True)]
        low = text.lower()
        if len(low) == len(text):
            lower = [low[i : i + n] for i, n in zip(idx, length, strict=True)]
        else:
            lower = [t.lower() for t in texts]
        table = TokenTable(
            texts,
            lower,
            idx,
            [x == 1 for x in is_space],
            [x == 1 for x in is_alpha],
            [" " if x else "" for x in spacy_],
        )
        doc._.tpi_tokens = table
    return table


def register_extensions() -> None:
    """Register the ``Doc._`` attributes once; a second call is a no-op."""
    for name, default in _ATTRS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


def hits(doc: Doc) -> list[Hit]:
    """Return the doc's hit list, created on first use."""
    if doc._.tpi_hits is None:
        doc._.tpi_hits = []
    return doc._.tpi_hits
