"""Component ``tpi_abbreviations``: abbreviations a note defines for itself, read everywhere in it.

"infraspinatus (IS)", "upper trapezius (UT)", "extensor carpi radialis brevis (ECRB)", or a glossary
line "UT = upper trapezius": when a lexicon term stands right before a parenthesised short form or right
after "SF =", and scispaCy's Schwartz-Hearst check
(:func:`scispacy.abbreviation.find_abbreviation`) accepts the pair, every other use of that short
form in the note (same case) becomes a hit of the same id with ``match="abbreviation"``.
"""

from __future__ import annotations

import warnings
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from tpicoder.extract.component import LexiconComponent
from tpicoder.extract.extensions import Hit, hits, register_extensions, token_table
from tpicoder.lexicon import ExtractionLexicon

warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)

from scispacy.abbreviation import find_abbreviation  # noqa: E402

DEFINABLE = frozenset({"MUSCLE", "SUBSTANCE", "PRIOR_TX"})


class AbbreviationResolver(LexiconComponent):
    """Adds hits for short forms the note defined after a lexicon term."""

    def data_from_lexicon(self, lex: ExtractionLexicon) -> dict[str, Any]:
        """Short-form length limits."""
        return {
            "min_length": lex.settings.abbreviations["min_length"],
            "max_length": lex.settings.abbreviations["max_length"],
        }

    def compile(self) -> None:
        """Read the limits."""
        self.min_length = self.data["min_length"]
        self.max_length = self.data["max_length"]

    def __call__(self, doc: Doc) -> Doc:
        """Find definitions "term (SF)" and add hits for the short form's other uses."""
        self.ensure_ready()
        out = hits(doc)
        table = token_table(doc)
        texts = table.text
        n = len(texts)
        covered = set()
        for h in out:
            if h.label in DEFINABLE or h.label in ("SIDE", "CUE", "REGIONAL", "NONSPECIFIC"):
                covered.update(range(h.tok_start, h.tok_end))
        defined: dict[str, Hit] = {}
        for h in out:
            if h.label not in DEFINABLE:
                continue
            i = h.tok_end
            if i + 2 < n and texts[i] == "(" and texts[i + 2] == ")":
                short = texts[i + 1]
                if (
                    self.min_length <= len(short) <= self.max_length
                    and short[:1].isalpha()
                    and short.lower() != (h.alias or "")
                    and short not in defined
                ):
                    _, long_form = find_abbreviation(doc[h.tok_start : h.tok_end], doc[i + 1 : i + 2])
                    if long_form is not None:
                        defined[short] = h
            # A glossary line: "UT = upper trapezius; LS = levator scapulae".
            j = h.tok_start
            if j >= 2 and texts[j - 1] == "=":
                short = texts[j - 2]
                if (
                    self.min_length <= len(short) <= self.max_length
                    and short[:1].isalpha()
                    and short not in defined
                    and short.lower() != (h.alias or "")
                ):
                    _, long_form = find_abbreviation(doc[h.tok_start : h.tok_end], doc[j - 2 : j - 1])
                    if long_form is not None:
                        defined[short] = h
        if not defined:
            return doc
        idx = table.idx
        for k, text in enumerate(texts):
            src = defined.get(text)
            # Skip the definition itself ("infraspinatus (IS)", "UT = upper trapezius") and text
            # another hit already covers.
            if src is None or k in covered or k in (src.tok_end + 1, src.tok_start - 2):
                continue
            out.append(
                Hit(
                    src.label,
                    idx[k],
                    idx[k] + len(text),
                    k,
                    k + 1,
                    norm=src.norm,
                    match="abbreviation",
                    alias=text.lower(),
                    rule_id="abbreviation_defined",
                    attrs={**src.attrs, "defined_by": (src.start, src.end)},
                )
            )
        return doc


@Language.factory(
    "tpi_abbreviations",
    assigns=["doc._.tpi_hits"],
    requires=["doc._.tpi_hits"],
    default_config={"lexicons_dir": ""},
)
def make_abbreviations(nlp: Language, name: str, lexicons_dir: str) -> AbbreviationResolver:
    """Build the abbreviation resolver."""
    register_extensions()
    return AbbreviationResolver(nlp, name, lexicons_dir)
