"""Single version source."""

__version__ = "0.1.0"
