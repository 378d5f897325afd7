"""The tokenizer: scispaCy's rule tokenizer plus one prefix rule for glued sides.

scispaCy's ``combined_rule_tokenizer`` keeps clinical tokens whole (``40mg/mL``, ``B/L``, ``M79.18``).
It also keeps ``L-trapezius`` whole, which would hide the muscle from the phrase matcher, so a side
prefix glued with a hyphen or dot ("L-", "Rt.", "bilat-") is split off when letters follow.
"""

from __future__ import annotations

import re
import warnings

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import registry

# scispaCy builds its prefix regex from sets that trigger this FutureWarning on Python 3.11.
warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)

from scispacy.custom_tokenizer import combined_rule_tokenizer  # noqa: E402

GLUED_SIDE_PREFIX = r"^(?i:[LRB]|LT|RT|B/L|BILAT|LEFT|RIGHT)[-.](?=[A-Za-z]{2,})"


def make_tokenizer(nlp: Language) -> Tokenizer:
    """Build scispaCy's tokenizer with the glued-side prefix rule in front."""
    tokenizer = combined_rule_tokenizer(nlp)
    old = tokenizer.prefix_search.__self__.pattern  # type: ignore[attr-defined]
    tokenizer.prefix_search = re.compile(f"{GLUED_SIDE_PREFIX}|{old}").search
    return tokenizer


@registry.tokenizers("tpicoder.tokenizer.v1")
def create_tokenizer():  # noqa: ANN201 - spaCy registry signature
    """Registry entry used by the pipeline config (``[nlp.tokenizer]``)."""

    def create(nlp: Language) -> Tokenizer:
        return make_tokenizer(nlp)

    return create
