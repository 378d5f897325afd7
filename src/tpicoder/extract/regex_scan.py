r"""Run a regex only where a match can start.

Python's ``re`` engine skips ahead quickly only when a pattern begins with a plain literal or
character set; a pattern that begins with ``\b`` or a lookbehind (most of ``patterns.yaml``) is
tried at every position of the note. :class:`AnchoredRegex` reads the parsed pattern once, works
out the literal text every match must begin with (its *anchors*: "myofascial", "myalgia", "e/m",
...), finds those with ``str.find`` over the lower-cased note (every space character made " "),
and calls ``match`` only there.

The result is exactly ``finditer``'s: every match begins at an anchor, ``match`` at a position
tries the alternatives in the same order as a scan reaching it would, and positions inside an
earlier match are skipped as ``finditer`` skips them. Anchors are looked up in the lower-cased
note, so they find a superset of the places a case-sensitive pattern can match. A pattern with
no usable anchor (one that can begin with any letter, say) falls back to ``finditer``. A single
digit or sign is a usable anchor; a single letter is not.

A component that runs many patterns over one note finds the anchors of all of them in a single
Aho-Corasick pass (:class:`AnchorIndex`) rather than one ``str.find`` scan per anchor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

import ahocorasick

# Letter anchors shorter than this would be found almost everywhere ("in", "no"); longer ones
# add little. Anchors are spelled over the lower-cased note with every space character made " ".
MIN_ANCHOR = 3
GOOD_ANCHOR = 3
MAX_ANCHOR = 5
MAX_ANCHORS = 96
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}


class _Unanchorable(Exception):
    pass


def _extend(prefixes: list[str], items: list, final: set[str]) -> list[str]:
    """Extend each open prefix by the literal text ``items`` begin with.

    Prefixes that cannot be extended further move to ``final``; the returned list holds those
    still open (all of ``items`` was literal). Raises :class:`_Unanchorable` when some match could
    begin with less than :data:`MIN_ANCHOR` literal characters.
    """
    open_ = prefixes
    for k, (op, av) in enumerate(items):
        if not open_:
            break
        if op in _ZERO_WIDTH:
            continue
        if op is sre.LITERAL:
            open_ = [p + _anchor_char(av) for p in open_]
        elif op is sre.IN:
            chars = _set_chars(av)
            if chars is None:
                _close(open_, final)
                open_ = []
            else:
                open_ = [p + c for p in open_ for c in chars]
        elif op is sre.SUBPATTERN:
            open_ = _extend(open_, list(av[-1]), final)
        elif op is sre.BRANCH:
            merged: list[str] = []
            for alternative in av[1]:
                merged += _extend(list(open_), list(alternative), final)
            open_ = merged
        elif op in _REPEATS and av[0] == 0:
            # Spelled far enough already: an optional part would only multiply the anchors.
            ready = [p for p in open_ if len(p) >= GOOD_ANCHOR]
            final.update(ready)
            open_ = [p for p in open_ if len(p) < GOOD_ANCHOR]
            if not open_:
                return []
            # X?Y is XY|Y: both readings, each continued with the rest of the pattern.
            rest = items[k + 1 :]
            once = _extend(list(open_), list(av[2]), final)
            if av[1] == 1:
                taken = _extend(once, rest, final)
            else:
                _close(once, final)
                taken = []
            return sorted(set(_extend(list(open_), rest, final) + taken))
        elif op in _REPEATS:
            once = _extend(list(open_), list(av[2]), final)
            if av[0] == av[1] == 1:
                open_ = once
            else:
                _close(once, final)
                open_ = []
        else:
            _close(open_, final)
            open_ = []
        open_ = sorted(set(open_))
        if len(open_) + len(final) > MAX_ANCHORS:
            # Too many spellings to follow further: what is spelled so far must do.
            _close(open_, final)
            return []
        # Long enough: stop extending, so anchors stay short and few.
        done = [p for p in open_ if len(p) >= MAX_ANCHOR]
        if done:
            final.update(done)
            open_ = [p for p in open_ if len(p) < MAX_ANCHOR]
    return open_


def _close(prefixes: list[str], final: set[str]) -> None:
    for p in prefixes:
        # A shorter anchor will do when it holds a digit or sign: those are rare in prose.
        if len(p) < MIN_ANCHOR and all(c.isalpha() or c == " " for c in p):
            raise _Unanchorable
        final.add(p)


# Every character ``\s`` matches, made a plain space in the text anchors are looked up in.
_SPACES = {c: " " for c in range(0x110000) if chr(c).isspace()}


def anchor_text(lowered: str) -> str:
    """Return the text anchors are looked up in: ``lowered`` with every space character made " "."""
    return lowered.translate(_SPACES)


_DIGITS = "0123456789"


def _anchor_char(code: int) -> str:
    char = chr(code)
    return " " if char.isspace() else char.lower()


def _set_chars(members: list) -> list[str] | None:
    r"""Spell out a small character set (``[\s-]`` is not one; ``\d`` and ``[/.-]`` are), or None."""
    chars: set[str] = set()
    for op, av in members:
        if op is sre.LITERAL:
            chars.add(_anchor_char(av))
        elif op is sre.RANGE and av[1] - av[0] < 26:
            chars.update(_anchor_char(c) for c in range(av[0], av[1] + 1))
        elif op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            chars.update(_DIGITS)
        elif op is sre.CATEGORY and av is sre.CATEGORY_SPACE:
            chars.add(" ")
        else:
            return None
    return sorted(chars) if chars and len(chars) <= 26 else None


def anchors_of(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Return the lower-case literals every match of ``pattern`` begins with, or None if there are none."""
    try:
        parsed = _parser.parse(pattern, flags)
        final: set[str] = set()
        _close(_extend([""], list(parsed), final), final)
    except (_Unanchorable, re.error, RecursionError):
        return None
    # Too many spellings ("01/19" ... "12/20"): their shorter beginnings find the same places.
    length = MAX_ANCHOR
    while len(final) > MAX_ANCHORS and length > 1:
        length -= 1
        final = {a[:length] for a in final}
        if any(len(a) < MIN_ANCHOR and all(c.isalpha() or c == " " for c in a) for a in final):
            return None
    if len(final) > MAX_ANCHORS:
        return None
    # An anchor that contains a shorter one adds no position the shorter one misses.
    minimal = [a for a in final if not any(b != a and a.startswith(b) for b in final)]
    return tuple(sorted(minimal)) or None


class AnchoredRegex:
    """A compiled pattern with the anchors its matches begin with."""

    __slots__ = ("regex", "anchors")

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self.anchors = anchors_of(regex.pattern, regex.flags & ~re.UNICODE)

    def finditer(
        self,
        text: str,
        anchors_in: str,
        seen: dict[str, list[int]] | None = None,
        complete: bool = False,
    ) -> Iterator[re.Match[str]]:
        """Yield what ``self.regex.finditer(text)`` yields.

        ``anchors_in`` is :func:`anchor_text` of ``text`` lower-cased to the same length; ``seen``
        (one dict per note) keeps the places of each anchor for the other rules that share it.
        ``complete`` says ``seen`` already holds every anchor that occurs (from
        :meth:`AnchorIndex.places`), so an anchor missing from it occurs nowhere.
        """
        if self.anchors is None:
            yield from self.regex.finditer(text)
            return
        if seen is None:
            seen = {}
        found: set[int] = set()
        find = anchors_in.find
        for anchor in self.anchors:
            places = seen.get(anchor)
            if places is None and complete:
                continue
            if places is None:
                places = []
                i = find(anchor)
                while i >= 0:
                    places.append(i)
                    i = find(anchor, i + 1)
                seen[anchor] = places
            found.update(places)
        match = self.regex.match
        end = 0
        for i in sorted(found):
            if i < end:
                continue
            m = match(text, i)
            if m is not None:
                # finditer resumes at the end of a match (one further after an empty one).
                end = m.end() if m.end() > i else i + 1
                yield m


class AnchorIndex:
    """Every anchor of a set of patterns, found in one pass over a note.

    :meth:`places` returns the ``seen`` dict :meth:`AnchoredRegex.finditer` takes, filled for
    every anchor of the set (an anchor absent from the note gets no entry and so reads as none).
    """

    __slots__ = ("_automaton",)

    def __init__(self, regexes: list[AnchoredRegex]) -> None:
        anchors = sorted({a for r in regexes if r.anchors for a in r.anchors})
        self._automaton = ahocorasick.Automaton()
        for anchor in anchors:
            self._automaton.add_word(anchor, anchor)
        if anchors:
            self._automaton.make_automaton()

    def places(self, anchors_in: str) -> dict[str, list[int]]:
        """Return where each anchor begins in ``anchors_in`` (see :func:`anchor_text`)."""
        seen: dict[str, list[int]] = {}
        if not len(self._automaton):
            return seen
        for end, anchor in self._automaton.iter(anchors_in):
            start = end - len(anchor) + 1
            places = seen.get(anchor)
            if places is None:
                seen[anchor] = [start]
            else:
                places.append(start)
        return seen
