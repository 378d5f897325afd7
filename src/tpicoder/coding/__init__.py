"""Stage 2: coding. Plain Python over :class:`tpicoder.findings.Findings` and payer data.

This package never imports spaCy or ``tpicoder.extract``; a test enforces it.
"""

from tpicoder.coding.bundle import clear_cache, load_bundle
from tpicoder.coding.coder import CodingResult, code_findings
from tpicoder.coding.frequency import check_frequency
from tpicoder.coding.payer import available_payers
from tpicoder.coding.predicates import predicate_catalog, predicate_names

__all__ = [
    "CodingResult",
    "available_payers",
    "check_frequency",
    "clear_cache",
    "code_findings",
    "load_bundle",
    "predicate_catalog",
    "predicate_names",
]
