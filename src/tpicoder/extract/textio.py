r"""Reading note files and preparing text for the tokenizer, without moving any offset.

Offsets are always into the text as given. The tokenizer instead sees a same-length copy in which
exotic spaces (no-break, thin, ideographic), carriage returns, unicode dashes and accented Latin
letters are replaced by their ASCII forms, character for character, so "left\u00a0trapezius" tokenizes like
"left trapezius" and every offset still points into the original.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tpicoder.errors import InputError

_SPACES_AND_DASHES = {
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u3000": " ",
    "\r": " ",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00ad": " ",
    "\ufeff": " ",
    "\u200b": " ",
    "\x0b": " ",
    "\x0c": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
    "\x85": "\n",
}


def _accent_free() -> dict[str, str]:
    """Latin letters with accents, each to its plain letter ("lidocaïne" reads as "lidocaine")."""
    out = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[:1]
        if base != char and base.isascii() and base.isalpha() and len(base.lower()) == 1:
            out[char] = base
    return out


_TRANSLATE = str.maketrans({**_SPACES_AND_DASHES, **_accent_free()})
BINARY_SNIFF = 8192
# A hard-wrapped note has at least this many lines filled to WRAP_FILL of its longest (a word that
# does not fit goes to the next line, so wrapped lines fall short of the width by up to a word).
WRAP_FULL_LINES = 3
WRAP_FILL = 0.8


_UPPER = re.compile(r"[^A-Z]+")
_LETTER = re.compile(r"[^A-Za-z]+")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")


# A note typed in ALL CAPS has at least this share of capitals. One typed without capitals has at
# most this share of Capitalised words (of at least NO_CAPS_MIN_WORDS words): its abbreviations may
# still be written in capitals ("tpi r QL x2 sites"), its sentences and names are not.
ALL_CAPS_SHARE = 0.8
# A run of at least this many dots is a dot leader of a printed form or table ("Side ..... Right",
# "Levator ... R"); clinical notes rarely use an ellipsis, templates often use three dots.
DOT_LEADER = 3


def is_dot_leader(token: str) -> bool:
    """Tell whether ``token`` is a dot leader ("........")."""
    return len(token) >= DOT_LEADER and not token.strip(".")


NO_CAPS_SHARE = 0.01
NO_CAPS_MIN_WORDS = 10


@functools.lru_cache(maxsize=4)
def letter_case(text: str) -> tuple[bool, bool]:
    """Tell whether a note is typed mostly in capitals, and whether (almost) without them.

    Read from the first 4,000 characters; cached, as several components ask of the same note.
    """
    sample = text[:4000]
    letters = len(_LETTER.sub("", sample))
    if not letters:
        return False, False
    share = len(_UPPER.sub("", sample)) / letters
    words = len(_WORD.findall(sample))
    no_caps = words >= NO_CAPS_MIN_WORDS and len(_CAPITALISED.findall(sample)) <= NO_CAPS_SHARE * words
    return share >= ALL_CAPS_SHARE, no_caps


@functools.lru_cache(maxsize=4)
def hard_wrapped(text: str) -> bool:
    """Tell whether a note looks hard-wrapped: several lines filled to about the same width.

    A tool that wraps text fills line after line to its width. A terse note whose one or two
    long lines happen to end without punctuation (one line ending "...gave ~60% relief x 2 mo",
    the next starting "bilat traps") is not wrapped, and its line breaks end sentences.
    """
    lengths = [len(line.rstrip()) for line in text.split("\n")]
    width = max(lengths, default=0)
    return sum(1 for n in lengths if n >= width * WRAP_FILL) >= WRAP_FULL_LINES


def tokenizer_view(text: str) -> str:
    """Return a same-length copy of ``text``: spaces, dashes, quotes and accented letters in ASCII form."""
    return text.translate(_TRANSLATE)


@dataclass(frozen=True)
class DecodedNote:
    """A note file's text and how it was decoded."""

    text: str
    encoding: str


def decode_bytes(data: bytes, *, max_chars: int, name: str = "<bytes>") -> DecodedNote:
    """Decode note bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 / Latin-1.

    Raises:
        InputError: for binary content (NUL bytes in a file without a UTF-16 BOM) or oversize text.

    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, enc = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not decodable as UTF-16 ({exc.reason})") from exc
    else:
        if b"\x00" in data[:BINARY_SNIFF]:
            raise InputError(f"{name}: binary file (NUL bytes), not a text note")
        try:
            text, enc = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, enc = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, enc = data.decode("latin-1"), "latin-1"
    control = sum(1 for c in text[:BINARY_SNIFF] if ord(c) < 32 and c not in "\r\n\t\x0b\x0c")
    if text and control > max(8, len(text[:BINARY_SNIFF]) // 20):
        raise InputError(f"{name}: looks binary ({control} control characters), not a text note")
    if len(text) > max_chars:
        raise InputError(f"{name}: {len(text):,} characters is over the {max_chars:,} limit")
    return DecodedNote(text=text, encoding=enc)


def read_note(path: str | Path, *, max_chars: int) -> DecodedNote:
    """Read and decode one note file.

    Raises:
        InputError: unreadable, binary or oversize files, with the reason.

    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    return decode_bytes(data, max_chars=max_chars, name=str(p))
