"""tpicoder: trigger point injection notes to claim lines and documentation warnings."""

from tpicoder._version import __version__

__all__ = ["__version__"]
