"""Payer profiles: ``lexicons/coding/payers/<id>.yaml``, one file per payer.

A payer's conventions (modifiers, guidance coverage, JW/JZ, frequency limit, covered diagnoses) are
data; code reads the profile's fields and never branches on the payer's name.
"""

from __future__ import annotations

import os

from tpicoder import resources
from tpicoder.coding.data import PayerProfile
from tpicoder.errors import LexiconError, UnknownPayerError

PAYER_FOLDER = "coding/payers"
_SUFFIX = ".yaml"


def available_payers(lexicons_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Return the ids of the payer profiles found, sorted."""
    return [
        path.rsplit("/", 1)[-1][: -len(_SUFFIX)]
        for path in resources.list_files(PAYER_FOLDER, _SUFFIX, lexicons_dir)
    ]


def payer_path(name: str) -> str:
    """Return the lexicon-relative path of a payer profile."""
    return f"{PAYER_FOLDER}/{name}{_SUFFIX}"


def load_payer(name: str, lexicons_dir: str | os.PathLike[str] | None = None) -> PayerProfile:
    """Load and validate one payer profile.

    Args:
        name: the profile id (the file name without ``.yaml``).
        lexicons_dir: lexicon folder override.

    Raises:
        UnknownPayerError: no profile has that name (the message lists the available ones).
        LexiconError: the profile is invalid, or its ``id`` differs from its file name.

    """
    available = available_payers(lexicons_dir)
    if name not in available:
        listed = ", ".join(available) or "none"
        raise UnknownPayerError(f"unknown payer {name!r}; available payer profiles: {listed}")
    relpath = payer_path(name)
    profile = resources.load(relpath, PayerProfile, lexicons_dir)
    if profile.id != name:
        path = resources.lexicon_dir(lexicons_dir) / relpath
        raise LexiconError(str(path), f"id: {profile.id!r} must equal the file name {name!r}")
    return profile
