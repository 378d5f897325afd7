"""``build_nlp()``: the one ordered list of components, on ``spacy.blank("en")``."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import spacy
from spacy.language import Language

from tpicoder.extract import abbreviations, assertion, attributes, entities, muscles, sections  # noqa: F401 - registers factories
from tpicoder.extract.extensions import register_extensions
from tpicoder.extract.tokenizer import make_tokenizer

COMPONENTS = (
    "tpi_sections",
    "tpi_entities",
    "tpi_abbreviations",
    "tpi_fuzzy_muscles",
    "tpi_context",
    "tpi_attributes",
)
PIPELINE_NAME = "tpicoder_pipeline"


def build_nlp(lexicons_dir: str | os.PathLike[str] | None = None) -> Language:
    """Assemble and initialize the pipeline from the lexicons.

    Args:
        lexicons_dir: lexicon folder to read instead of the packaged one.

    """
    register_extensions()
    nlp = spacy.blank("en")
    nlp.tokenizer = make_tokenizer(nlp)
    config = {"lexicons_dir": str(lexicons_dir) if lexicons_dir else ""}
    for name in COMPONENTS:
        nlp.add_pipe(name, config=config)
    for _, component in nlp.pipeline:
        component.initialize(lexicons_dir=str(lexicons_dir) if lexicons_dir else None)
    nlp.meta["name"] = PIPELINE_NAME
    return nlp


@functools.lru_cache(maxsize=4)
def shared_nlp(lexicons_dir: str | None = None) -> Language:
    """Return the process-wide pipeline (built once per process and lexicon folder)."""
    return build_nlp(lexicons_dir)


def save_pipeline(path: str | os.PathLike[str], lexicons_dir: str | None = None) -> Path:
    """Write the assembled pipeline to ``path`` (loadable with ``spacy.load``)."""
    nlp = build_nlp(lexicons_dir)
    out = Path(path)
    nlp.to_disk(out)
    return out
