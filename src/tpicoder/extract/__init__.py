"""Stage 1: text -> spaCy Doc -> :class:`tpicoder.findings.Findings`. Never imports ``tpicoder.coding``."""
