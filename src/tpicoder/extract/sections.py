"""Section detection: headers at line starts or after a sentence, in any case, with or without colon.

The core (:func:`compile_header_regex`, :func:`find_sections`) is plain Python on strings; the
component only stores the result on the Doc.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from tpicoder.extract.component import LexiconComponent
from tpicoder.extract.extensions import Hit, Section, doc_text, hits, register_extensions
from tpicoder.lexicon import ExtractionLexicon

_BULLET = r"(?:[-*•#>]+\s*|\d{1,2}[.)]\s+|[A-Z][.)]\s+)?"
_START = r"(?:^|(?<=[.!?]\s)|(?<=[.!?]\s\s)|(?<=\|))"
_HEADER_MARK = re.compile(r"[:#|\-–—]")
# A header in the title block is a field: a colon or a dot leader ("Visit Type ....... Procedure").
_FIELD_MARK = re.compile(r":|\.{3}")
# ... or a name dated and nothing else on its line ("TPI - 3/3/2026" over the dictation).
_DATE_ONLY = re.compile(r"[ \t]*\d{1,2}/\d{1,2}/\d{2,4}[ \t]*(?:\n|$)")


# Where a header may start (the ``_START`` anchor): a line's start, one or two spaces after a
# sentence's end, or after a pipe.
_STARTS = re.compile(r"\n|[.!?]\s|\|")


def header_matches(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Yield what ``regex.finditer(text)`` yields, for a regex whose matches begin at ``_START``.

    The long header regex is an alternation of every section name; scanning it at every position of
    a note took half a millisecond. Only the few places ``_START`` allows are tried here (the letter
    headers' ``^`` allows a subset of them).
    """
    last_end = 0
    previous = -1

    def starts() -> Iterator[int]:
        yield 0
        for m in _STARTS.finditer(text):
            end = m.end()
            yield end
            if m.group()[0] in ".!?" and end < len(text) and text[end].isspace():
                yield end + 1

    for start in starts():
        if start <= previous or start < last_end:
            continue
        previous = start
        m = regex.match(text, start)
        if m is not None:
            yield m
            last_end = m.end()


def _alternation(names: list[str]) -> str:
    """Return one regex for ``names`` as a prefix tree ("p(?:lan|rocedure)" for plan and procedure).

    Longer names are tried before their prefixes, as in an alternation sorted by length, but a
    position that starts no name fails at its first letter instead of trying every name (the names
    are matched case-insensitively, so they are folded to lower case here). Spaces match any run of
    white space.
    """
    trie: dict[str, Any] = {}
    for name in names:
        words = name.strip().lower().split()
        if not words:
            continue
        node = trie
        for ch in " ".join(words):
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [
        (r"\s+" if ch == " " else re.escape(ch)) + _trie_regex(child)
        for ch, child in sorted(node.items())
        if ch != ""
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return "(?:" + body + ")?"
    return body


def compile_header_regex(
    sections: list[dict[str, Any]],
) -> tuple[re.Pattern[str], re.Pattern[str] | None, dict[str, str]]:
    """Build the header regexes and the lower-cased name -> kind map.

    Multi-letter names match in any case when followed by ':' / ' - ' / end of line; single letters
    (SOAP "S:") need a colon and a capital.
    """
    kinds: dict[str, str] = {}
    long_names, letters = [], []
    for sec in sections:
        for name in sec["names"]:
            key = re.sub(r"\s+", " ", name.lower().strip())
            kinds.setdefault(key, sec["kind"])
            (letters if len(key) == 1 else long_names).append(name)
    long_re = re.compile(
        # An optional parenthetical may stand before the colon: "Procedure (right forearm):".
        # "Today's procedure:", "Exam today:", "PROCEDURE 2:" and "Procedure B -" are headers too.
        rf"{_START}[ \t]*{_BULLET}(?:today['’]?s[ \t]+)?"
        rf"(?P<name>{_alternation(long_names)})"
        # "DISPOSITION / FOLLOW-UP": two names joined, kept when their kinds agree ("PLAN/TX": see below).
        rf"(?:[ \t]*(?:/|&|\band\b)[ \t]*(?P<name2>{_alternation(long_names)}))?(?:[ \t]+today)?"
        rf"(?:[ \t]*#?\d{{1,2}}|[ \t]+[A-D](?=[ \t]*(?::|\s[-–—])))?"
        rf"(?:[ \t]*\([^)\n]{{0,60}}\))?"
        # "Procedure .............. Trigger point injection": a dot leader marks a field too.
        # "procedure/ trigger pt inj R upper trapezius": a slash right after the name and a space.
        rf"(?:[ \t]*(?:[:#]|\s[-–—]{{1,2}}\s|\s*$|\.{{3,}}[ \t]*)|/(?=[ \t]))"
        # "PROC_SITE|R upper trapezius|..." in a pipe-delimited export: a key at the line's start.
        rf"|^(?P<key>{_alternation(long_names)})(?:_[A-Za-z]+)?\|",
        re.IGNORECASE | re.MULTILINE,
    )
    letter_re = None
    if letters:
        either_case = sorted({c for x in letters for c in (x.upper(), x.lower())})
        letter_re = re.compile(
            rf"^[ \t]*(?:(?P<name>{'|'.join(re.escape(x.upper()) for x in letters)})[ \t]*:"
            # "s/ R sided neck pain", "a/ neck pain" (never "s/p": a space follows the slash).
            rf"|(?P<slash>{'|'.join(re.escape(c) for c in either_case)})/(?=[ \t]))",
            re.MULTILINE,
        )
    return long_re, letter_re, kinds


_GAPS = re.compile(r"\S(?: {2,}|\t)(?=\S)")


def _table_lines(text: str, spaced: bool = False) -> list[tuple[int, int]]:
    """Extents of table rows.

    A row holds two or more "|" or tabs, or (``spaced``) three or more columns set apart by runs of
    spaces.
    """
    if not spaced and "|" not in text and "\t" not in text:
        return []
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.count("|") >= 2 or line.count("\t") >= 2 or (spaced and len(_GAPS.findall(line)) >= 2):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _cells(row: str, spaced: bool) -> set[str]:
    return {c.strip().lower() for c in re.split(r"[|\t]| {2,}" if spaced else r"[|\t]", row) if c.strip()}


def find_procedure_tables(
    text: str, columns: frozenset[str], spaced_columns: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """Character extents of tables whose header row names an injectate/volume column.

    Columns set apart by spaces only ("MUSCLE   SIDE   VOLUME (1% lidocaine)") count when the header
    names one of ``spaced_columns``: a stricter list, since medication lists are laid out that way too.
    """
    out = []
    spaced = bool(spaced_columns)
    block_start = block_end = None
    header_ok = False
    for start, end in _table_lines(text, spaced):
        if block_end is not None and start <= block_end + 1:
            block_end = end
            continue
        if block_start is not None and header_ok:
            out.append((block_start, block_end))
        row = text[start:end]
        piped = row.count("|") >= 2 or row.count("\t") >= 2
        wanted = columns if piped else spaced_columns
        cells = _cells(row, not piped)
        header_ok = bool(cells & wanted) or any(w in wanted for c in cells for w in re.findall(r"[a-z]+", c))
        block_start, block_end = start, end
    if block_start is not None and header_ok:
        out.append((block_start, block_end))
    return out


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Words of a procedure record beside a "Muscles:" field ("Needle: 25G", "Injectate: ... 2 mL").
_PROCEDURE_FIELD = re.compile(
    r"(?i)\b(?:needle|injectate|injected|gauge|\d+\s*(?:ml|cc)\b|lidocaine|bupivacaine)"
)
_CHECKBOX = re.compile(r"\[\s*[xX✓✔ ]?\s*\]|\(\s*[xX]\s*\)|[☒☑☐□]")

TITLE_MAX_LINES = 3


def _title_end(text: str) -> int:
    """End of the note's title block: its first lines up to a blank line, at most ``TITLE_MAX_LINES``.

    ("Department of PM&R" / "Procedure note - trigger point injections, left shoulder").
    """
    pos = len(text) - len(text.lstrip())
    for _ in range(TITLE_MAX_LINES):
        end = text.find("\n", pos)
        if end < 0:
            return len(text)
        pos = end + 1
        if (
            pos >= len(text)
            or not text[pos : text.find("\n", pos) if "\n" in text[pos:] else len(text)].strip()
        ):
            return end
    return pos - 1


def find_copied_blocks(
    text: str, start_re: re.Pattern[str] | None, end_re: re.Pattern[str] | None
) -> list[tuple[int, int]]:
    """Character extents of text copied forward from an earlier note.

    A block opens at the line holding a match of ``start_re`` ("---- Previous procedure note
    01/2025 (copied forward) ----") and closes after the first later line matching ``end_re``
    ("---- end copied text ----"), or at the first blank line when none does.
    """
    if start_re is None:
        return []
    out: list[tuple[int, int]] = []
    pos = 0
    while (m := start_re.search(text, pos)) is not None:
        # The block opens at the start of the line the marker stands on.
        line_start = _line_start(text, m.start())
        body = text.find("\n", m.end())
        if body < 0:
            break
        closing = end_re.search(text, body) if end_re is not None else None
        blank = _BLANK_LINE.search(text, body)
        if closing is not None and (
            blank is None or closing.start() <= blank.start() or _only_block(text, body, closing.start())
        ):
            end = closing.end()
        else:
            end = blank.start() if blank is not None else len(text)
        out.append((line_start, end))
        pos = max(end, m.end() + 1)
    return out


def _only_block(text: str, start: int, end: int) -> bool:
    # A closing marker counts past blank lines when every line between is indented or blank.
    return all(not line.strip() or line[:1] in " \t" for line in text[start:end].split("\n")[1:])


def _history_item(text: str, merged: list[tuple[int, int, str]], pos: int) -> bool:
    """Tell whether the indented header at ``pos`` is an item of a history list above it.

    The list runs unbroken by blank lines (" - Medications: ...", " - Trigger point injections: last
    session 01/2026").
    """
    if not _indented(text, pos):
        return False
    end = pos
    for start, _, kind in reversed(merged):
        if _BLANK_LINE.search(text, start, end):
            return False
        if not _indented(text, start):
            return kind == "history"
        end = start
    return False


_AMOUNT_ON_LINE = re.compile(r"[^\n]*?\b\d+(?:\.\d+)?\s*(?:ml|cc|mg|units?|u)\b", re.IGNORECASE)


def _amount_on_line(text: str, pos: int) -> bool:
    """Tell whether the rest of the line from ``pos`` holds an amount ("1% lidocaine 2 mL")."""
    return _AMOUNT_ON_LINE.match(text, pos) is not None


def _line_start(text: str, pos: int) -> int:
    """Return the offset where the line of ``pos`` starts."""
    return text.rfind("\n", 0, pos) + 1


def _line_lead(text: str, pos: int) -> str:
    """Return what stands on the line of ``pos`` before it."""
    return text[_line_start(text, pos) : pos]


def _indented(text: str, pos: int) -> bool:
    """Tell whether the header at ``pos`` is indented or bulleted (a sub-header)."""
    lead = _line_lead(text, pos)
    return bool(lead) and not lead.strip(" \t-*•>")


def find_sections(
    text: str,
    long_re: re.Pattern[str],
    letter_re: re.Pattern[str] | None,
    kinds: dict[str, str],
    header_patterns: list[tuple[str, re.Pattern[str]]] = (),
    table_columns: frozenset[str] = frozenset(),
    copied: list[tuple[int, int]] = (),
    spaced_columns: frozenset[str] = frozenset(),
    exam_subheaders: frozenset[str] = frozenset(),
    other: OtherProcedureRules | None = None,
) -> list[Section]:
    """Return the sections of ``text`` in order; text before the first header is not a section.

    A procedure table becomes a procedure section of its own; the section it interrupted resumes
    after it. Text copied forward from an earlier note (``copied``) is one history section whatever
    headers it holds, and the section it interrupted resumes after it. Headers named in
    ``exam_subheaders`` ("Muscles:") continue an exam they stand in, and open a procedure elsewhere.
    ``other`` marks the sections and blocks of another procedure.
    """
    found: list[tuple[int, int, str]] = []
    title_end = _title_end(text)
    for regex in (long_re, letter_re):
        if regex is None:
            continue
        for m in header_matches(regex, text):
            # The first lines are usually a title ("Procedure note", "TRIGGER POINT INJECTION -
            # PROCEDURE TEMPLATE"): there only a header with a colon opens a section.
            if m.start() < title_end and not (
                _FIELD_MARK.search(m.group(0)) or _DATE_ONLY.match(text, m.end())
            ):
                continue
            # Mid-line, after a sentence, only a name with a colon or dash is a header: "Reason for
            # consult: shoulder pain, ? trigger point injections" ends in a question, not a header.
            if _line_lead(text, m.start()).strip() and not _HEADER_MARK.search(m.group(0)):
                continue
            group = next(
                g for g in ("name", "key", "slash") if g in m.re.groupindex and m.group(g) is not None
            )
            name = re.sub(r"\s+", " ", m.group(group).lower())
            kind = "exam_or_procedure" if name in exam_subheaders else kinds[name]
            if "name2" in m.re.groupindex and m.group("name2") is not None:
                other_kind = kinds[re.sub(r"\s+", " ", m.group("name2").lower())]
                # "PLAN/TX:" reports the treatment given as well ("plan / procedure" is listed so); an
                # "EXAM / INJECTION" grid is left to its own columns.
                if {kind, other_kind} == {"plan", "procedure"}:
                    kind = "procedure"
                elif other_kind != kind:
                    continue
            found.append((m.start(group), m.end(), kind))
    for kind, regex in header_patterns:
        for m in regex.finditer(text):
            start = m.start("open") if "open" in regex.groupindex else m.start()
            found.append((start, m.end(), kind))
    if table_columns:
        for start, end in find_procedure_tables(text, table_columns, spaced_columns):
            before = [f for f in found if f[0] < start]
            resume = max(before)[2] if before else "unknown"
            found.append((start, start, "procedure"))
            if end < len(text):
                found.append((end, end, resume))
    for start, end in copied:
        found = [f for f in found if not start <= f[0] < end]
        before = [f for f in found if f[0] < start]
        resume = max(before)[2] if before else "unknown"
        found.append((start, start, "history"))
        if end < len(text):
            found.append((end, end, resume))
    if other is not None and other.openers:
        # "1) L4-5 ILESI, fluoroscopic guidance (62323)": another procedure's block inside a section;
        # the section (or a header the block swallowed) goes on after it.
        for start, end in _other_blocks(text, other):
            before = [f for f in found if f[0] < start]
            host = max(before)[2] if before else "unknown"
            if end == _TPI_ITEM and host == "other_procedure":
                host = "procedure"
            if host not in _BLOCK_HOSTS:
                continue
            if end == _TPI_ITEM:
                if not any(f[0] == start for f in found):
                    found.append((start, start, "procedure"))
                continue
            inside = sorted(f for f in found if start <= f[0] < end)
            resume = inside[-1][2] if inside else host
            found = [f for f in found if not start <= f[0] < end]
            found.append((start, start, "other_procedure"))
            if end < len(text):
                found.append((end, end, resume))
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for item in found:
        if merged and item[0] < merged[-1][1]:
            continue
        if item[2] == "exam_or_procedure":
            # "Exam: ... bilaterally. Muscles: L masseter taut band": inside an exam paragraph, a
            # sub-heading of the exam; at the start of a line it opens the procedure list.
            if merged and merged[-1][2] == "exam":
                if _line_lead(text, item[0]).strip():
                    continue
                # At a line's start it opens the procedure list only when its block ticks boxes
                # ("Muscles:  [X] Trapezius  [ ] Levator") or records the injection (needle,
                # injectate, mL); "Muscles (palpation, 1 kg):" over findings is the exam's own list.
                blank = _BLANK_LINE.search(text, item[1])
                block = text[item[1] : blank.start() if blank else len(text)]
                if not (_CHECKBOX.search(block) or _PROCEDURE_FIELD.search(block)):
                    continue
            item = (item[0], item[1], "procedure")
        if item[2] == "procedure" and _history_item(text, merged, item[0]):
            # " - Trigger point injections: last session 01/28/2026 ..." is an item of the treatment
            # history it stands in, not the procedure.
            continue
        if (
            item[2] == "medications"
            and merged
            and merged[-1][2] == "procedure"
            and (
                _indented(text, item[0])
                or (not _BLANK_LINE.search(text, merged[-1][0], item[0]) and _amount_on_line(text, item[1]))
            )
        ):
            # "  - Meds: Kenalog 10 mg + lidocaine 1% 3 mL" under a procedure header is what it injected,
            # and so is "Meds: 1% lidocaine 2 mL + ..." among the procedure's fields ("Prep:", "Needle:").
            item = (item[0], item[1], "procedure")
        merged.append(item)
    out = []
    for i, (hstart, hend, kind) in enumerate(merged):
        if kind == "unknown":
            continue
        end = merged[i + 1][0] if i + 1 < len(merged) else len(text)
        out.append(Section(kind=kind, start=hstart, end=end, header_start=hstart, header_end=hend))
    if other is not None:
        _mark_other_procedures(text, out, other)
    return out


# The end given to a trigger point item line after another procedure's block ("2. TRIGGER POINT
# INJECTIONS (20552)"): it opens a procedure section rather than closing a block.
_TPI_ITEM = -1
# Sections in which a line may open another procedure's block ("1) L4-5 ILESI (62323)"); a plan's or
# a history's numbered lines are plans and history.
_BLOCK_HOSTS = frozenset({"procedure", "assessment", "exam", "indication", "unknown"})


class OtherProcedureRules(NamedTuple):
    """How another procedure's sections and blocks are told (sections.yaml ``other_procedure_*``)."""

    header: re.Pattern[str]
    title: re.Pattern[str]
    names: re.Pattern[str]
    unless: re.Pattern[str]
    openers: tuple[re.Pattern[str], ...]  # empty when block rules are not given
    needs: re.Pattern[str] | None
    excluded: re.Pattern[str] | None

    @classmethod
    def compile(cls, data: dict[str, Any]) -> OtherProcedureRules | None:
        """Compile each rule once; None when the section rules are not all given."""
        if not all(data.get(k) for k in ("header", "title", "names", "unless")):
            return None

        def rx(key: str) -> re.Pattern[str] | None:
            return re.compile(data[key], re.IGNORECASE) if data.get(key) else None

        blocks = bool(data.get("openers") and data.get("needs") and data.get("excluded"))
        return cls(
            rx("header"),
            rx("title"),
            rx("names"),
            rx("unless"),
            tuple(re.compile(p, re.IGNORECASE) for p in data["openers"]) if blocks else (),
            rx("needs") if blocks else None,
            rx("excluded") if blocks else None,
        )


def _other_blocks(text: str, rules: OtherProcedureRules) -> list[tuple[int, int]]:
    """Another procedure's blocks, and the trigger points' own item lines after one (end ``_TPI_ITEM``).

    A block runs from the line that opens it to the next blank line, item line or line naming the
    trigger points ("Fluoroscopy: AP view ..." under "A. CERVICAL ILESI" is inside it).
    """
    # (line start, opens another procedure's block, ends one: an item mark or the trigger points named,
    # is an item naming the trigger points)
    starts: list[tuple[int, bool, bool, bool]] = []
    names, unless, needs, excluded = rules.names, rules.unless, rules.needs, rules.excluded
    p = 0
    n = len(text)
    while p < n:
        nl = text.find("\n", p)
        e = nl if nl >= 0 else n
        line = text[p:e]
        for k, opener in enumerate(rules.openers):
            m = opener.match(line)
            if m is None:
                continue
            title = m.group("title")
            tpi = bool(unless.search(line))
            other = (
                bool(names.search(title))
                and not tpi
                and not excluded.search(title)
                and bool(needs.search(line))
            )
            starts.append((p, other, k == 0 or tpi, k == 0 and tpi))
            break
        p = e + 1
    blocks = []
    for i, (start, other, _, tpi_item) in enumerate(starts):
        if not other:
            # "2. TRIGGER POINT INJECTIONS (20552), landmark-based" after another procedure's block
            # opens the trigger points' own part: an empty block of kind procedure.
            if tpi_item and blocks:
                blocks.append((start, _TPI_ITEM))
            continue
        end = next((s for s, _, ends, _ in starts[i + 1 :] if ends), n)
        blank = _BLANK_LINE.search(text, start, end)
        if blank is not None:
            end = blank.start() + 1
        blocks.append((start, end))
    return blocks


def _mark_other_procedures(text: str, sections: list[Section], rules: OtherProcedureRules) -> None:
    """Give another procedure's section ("PROCEDURE 1: R knee intra-articular injection") its kind.

    The procedure sections after it, up to the next procedure header or one naming the trigger points,
    are its own ("Technique:").
    """
    inside = False
    for sec in sections:
        if sec.kind != "procedure":
            inside = False
            continue
        line_end = text.find("\n", sec.header_start)
        line = text[sec.header_start : line_end if line_end >= 0 else len(text)]
        if rules.unless.search(line):
            inside = False  # "TPI to L gluteus medius DEFERRED today" after the knee injection
        elif rules.header.match(text, sec.header_start):
            inside = bool(rules.names.search(line))
        elif (t := rules.title.match(line)) is not None:
            inside = bool(rules.names.search(t.group("title")))
        if inside:
            sec.kind = "other_procedure"


class SectionDetector(LexiconComponent):
    """Component ``tpi_sections``: writes ``doc._.tpi_sections`` and SECTION hits."""

    def data_from_lexicon(self, lex: ExtractionLexicon) -> dict[str, Any]:
        """Section names by kind."""
        return {
            "sections": [s.model_dump() for s in lex.sections.sections],
            "header_patterns": [p.model_dump() for p in lex.sections.header_patterns],
            "table_columns": sorted({c.lower() for c in lex.sections.procedure_table_columns}),
            "spaced_columns": sorted({c.lower() for c in lex.sections.procedure_table_columns_spaced}),
            "copied_block": [lex.sections.copied_block_start, lex.sections.copied_block_end],
            "exam_subheaders": sorted(w.lower() for w in lex.sections.exam_subheaders),
            "other_procedure": {
                "header": lex.sections.other_procedure_header,
                "title": lex.sections.other_procedure_title,
                "names": lex.sections.other_procedure_names,
                "unless": lex.sections.other_procedure_unless,
                "openers": lex.sections.other_procedure_blocks,
                "needs": lex.sections.other_procedure_block_needs,
                "excluded": lex.sections.other_procedure_block_not,
            },
        }

    def compile(self) -> None:
        """Compile the header regexes."""
        self._long, self._letter, self._kinds = compile_header_regex(self.data["sections"])
        self._patterns = [
            # At a line's start, or right after a short header on it ("P: DN: R UT, L LS").
            (
                p["kind"],
                re.compile(
                    rf"^[ \t]*(?:[A-Za-z/&]{{1,12}}[ \t]*:[ \t]*)?(?P<open>{p['pattern']})",
                    re.MULTILINE | re.IGNORECASE,
                ),
            )
            for p in self.data.get("header_patterns", [])
        ]
        self._table_columns = frozenset(self.data.get("table_columns", []))
        self._spaced_columns = frozenset(self.data.get("spaced_columns", []))
        self._exam_subheaders = frozenset(self.data.get("exam_subheaders", []))
        start, end = self.data.get("copied_block") or (None, None)
        flags = re.MULTILINE | re.IGNORECASE
        self._copied_start = re.compile(start, flags) if start else None
        self._copied_end = re.compile(end, flags) if end else None
        self._other = OtherProcedureRules.compile(self.data.get("other_procedure") or {})

    def __call__(self, doc: Doc) -> Doc:
        """Find the sections of ``doc``."""
        self.ensure_ready()
        text = doc_text(doc)
        sections = find_sections(
            text,
            self._long,
            self._letter,
            self._kinds,
            self._patterns,
            self._table_columns,
            find_copied_blocks(text, self._copied_start, self._copied_end),
            self._spaced_columns,
            self._exam_subheaders,
            self._other,
        )
        out = hits(doc)
        for sec in sections:
            span = doc.char_span(sec.header_start, sec.header_end, alignment_mode="expand")
            sec.tok_start = span.start if span is not None else 0
            end_span = doc.char_span(sec.start, sec.end, alignment_mode="expand")
            sec.tok_end = end_span.end if end_span is not None else len(doc)
            header_text = text[sec.header_start : sec.header_end].rstrip(" \t:#-\r\n")
            if not header_text:
                continue
            out.append(
                Hit(
                    "SECTION",
                    sec.header_start,
                    sec.header_start + len(header_text),
                    sec.tok_start,
                    span.end if span is not None else sec.tok_start,
                    norm=sec.kind,
                    rule_id=f"section_{sec.kind}",
                    section=sec.kind,
                )
            )
        doc._.tpi_sections = sections
        return doc


@Language.factory(
    "tpi_sections",
    assigns=["doc._.tpi_sections", "doc._.tpi_hits"],
    default_config={"lexicons_dir": ""},
)
def make_sections(nlp: Language, name: str, lexicons_dir: str) -> SectionDetector:
    """Build the section detector."""
    register_extensions()
    return SectionDetector(nlp, name, lexicons_dir)
