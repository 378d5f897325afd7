"""tpicoder: trigger point injection notes to claim lines and documentation warnings.

``analyze`` and ``analyze_many`` are loaded on first use, so that ``import tpicoder.coding`` (stage 2)
never imports spaCy.
"""

from typing import Any

from tpicoder._version import __version__

__all__ = ["__version__", "analyze", "analyze_many"]


def __getattr__(name: str) -> Any:
    if name in ("analyze", "analyze_many"):
        from tpicoder import api

        return getattr(api, name)
    raise AttributeError(f"module 'tpicoder' has no attribute {name!r}")
