"""Exception classes. Each carries a short stable code so callers can branch without parsing text."""

from __future__ import annotations


class TpiCoderError(Exception):
    """Base class of every error tpicoder raises on purpose."""

    code = "TPI000"


class LexiconError(TpiCoderError):
    """A lexicon or rule file is missing, unreadable or invalid.

    The message always names the file and, where known, the record and field at fault.
    """

    code = "TPI100"

    def __init__(self, file: str, detail: str) -> None:
        self.file = file
        self.detail = detail
        super().__init__(f"{file}: {detail}")


class InputError(TpiCoderError):
    """A note cannot be read as text (binary, undecodable, too large)."""

    code = "TPI200"


class ClaimError(TpiCoderError):
    """A proposed claim file cannot be parsed."""

    code = "TPI300"


class UnknownPayerError(TpiCoderError):
    """No payer profile has the requested name."""

    code = "TPI400"
