"""The tokenizer: scispaCy's rule tokenizer plus one prefix rule for glued sides.

scispaCy's ``combined_rule_tokenizer`` keeps clinical tokens whole (``40mg/mL``, ``B/L``, ``M79.18``).
It also keeps ``L-trapezius`` whole, which would hide the muscle from the phrase matcher, so a side
prefix glued with a hyphen or dot ("L-", "Rt.", "bilat-") is split off when letters follow, so is
a list bullet glued to a word ("-R gluteus medius"), and a slash between two longer words
("lido/marc") or after a strength ("1%/Celestone"), or any pipe separates them.
"""

from __future__ import annotations

import re
import warnings

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import registry

# scispaCy builds its prefix regex from sets that trigger this FutureWarning on Python 3.11.
warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)

from scispacy.custom_tokenizer import combined_rule_tokenizer  # noqa: E402

from tpicoder.extract.extensions import register_extensions  # noqa: E402

GLUED_SIDE_PREFIX = r"^(?i:[LRB]|LT|RT|B/L|BILAT|LEFT|RIGHT)[-.](?=[A-Za-z]{2,})"
# A list bullet glued to a word ("-R gluteus medius 3 mL", "-Rhomboid") is split off it.
BULLET_SIDE_PREFIX = r"^[-*\u2022](?=[A-Za-z])"
# A slash between two words of three letters or more separates them ("lido/marc", "neck/shoulder");
# short forms keep theirs ("B/L", "u/s", "mg/mL", "w/o").
WORD_SLASH_INFIX = r"(?<=[A-Za-z]{3})/(?=[A-Za-z]{3})"
# So does a slash after a strength ("lido 1%/Celestone mixture", "1%/Kenalog").
PERCENT_SLASH_INFIX = r"(?<=%)/(?=[A-Za-z]{3})"
# A pipe always separates cells ("PROC_SITE|R upper trapezius|lidocaine 1%|2 mL").
PIPE_INFIX = r"\|"


class TextKeepingTokenizer(Tokenizer):
    """spaCy's tokenizer, keeping the input string on the Doc (``doc._.tpi_text``).

    ``doc.text`` is rebuilt from Token objects on every access; the components read the string
    kept here instead.
    """

    def __call__(self, text: str) -> Doc:
        """Tokenize ``text``."""
        doc = super().__call__(text)
        doc._.tpi_text = text
        return doc


def make_tokenizer(nlp: Language) -> Tokenizer:
    """Build scispaCy's tokenizer with the glued-side prefix rule in front."""
    register_extensions()
    sci = combined_rule_tokenizer(nlp)
    old = sci.prefix_search.__self__.pattern  # type: ignore[attr-defined]
    return TextKeepingTokenizer(
        nlp.vocab,
        rules=sci.rules,
        prefix_search=re.compile(f"{GLUED_SIDE_PREFIX}|{BULLET_SIDE_PREFIX}|{old}").search,
        suffix_search=sci.suffix_search,
        infix_finditer=re.compile(
            f"{PIPE_INFIX}|{WORD_SLASH_INFIX}|{PERCENT_SLASH_INFIX}|{sci.infix_finditer.__self__.pattern}"
        ).finditer,  # type: ignore[attr-defined]
        token_match=sci.token_match,
        url_match=sci.url_match,
    )


@registry.tokenizers("tpicoder.tokenizer.v1")
def create_tokenizer():  # noqa: ANN201 - spaCy registry signature
    """Registry entry used by the pipeline config (``[nlp.tokenizer]``)."""

    def create(nlp: Language) -> Tokenizer:
        return make_tokenizer(nlp)

    return create
