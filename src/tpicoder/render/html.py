"""Reviewer pages: one self-contained HTML page per note, and an index for a batch.

Pages are built from a :class:`~tpicoder.schema.NoteResult` and the note text only, never from a spaCy
``Doc``, so any stored result can be rendered again. Everything is inline (CSS, JS, SVG charts); nothing
is fetched, so a page opens from disk or from an e-mail attachment.

Markup contract (CONTRACT.md, "Review HTML"), which other tools parse:

- every highlighted span is an element inside ``#note`` with ``data-label``, ``data-start``,
  ``data-end`` (character offsets into the note, end exclusive) and ``data-assertion``; its text
  content equals ``text[data-start:data-end]``;
- every warning is an element with ``data-warning="CODE"`` whose ``href="#id"`` points at the element
  of its evidence (``#note`` itself when the warning is about something absent from the note);
- every claim line is an element with ``data-code``.

Mentions nest as elements (a SIDE inside a MUSCLE, a DOSE inside a SUBSTANCE). Two spans that cross
(neither contains the other) cannot both be single elements, so the later one is cut into fragments:
each fragment still carries its own ``data-start``/``data-end`` (and text equal to that slice), plus
``data-full-start``/``data-full-end`` with the whole span and ``data-part``; every fragment of one
span shares ``data-key``. Evidence that is not exactly a mention gets its own anchor element
(class ``ev``, no ``data-label``) so that warnings and tables can link to it.

Note text is always escaped. The Content-Security-Policy allows no network access at all and runs
only the page's own script (pinned by its SHA-256), so markup inside a note is shown, never run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tpicoder._version import __version__
from tpicoder.render.tables import (
    CSV_COLUMNS,
    STATUS_HOLD,
    STATUS_OK,
    STATUS_REVIEW,
    flat_row,
    format_claim_line,
    format_number,
    format_quantity,
    note_status,
    write_csv,
)
from tpicoder.schema import Evidence, Mention, NoteResult, Substance

logger = logging.getLogger("tpicoder")

# ---------------------------------------------------------------------------------------------------
# Presentation settings
# ---------------------------------------------------------------------------------------------------

LABEL_COLOURS: dict[str, tuple[str, str]] = {
    "MUSCLE": ("#dbeafe", "#2563eb"),
    "SIDE": ("#ede9fe", "#7c3aed"),
    "SUBSTANCE": ("#dcfce7", "#16a34a"),
    "DOSE": ("#ccfbf1", "#0d9488"),
    "PRIOR_TX": ("#fef3c7", "#d97706"),
    "DIAGNOSIS": ("#fce7f3", "#db2777"),
    "GUIDANCE": ("#cffafe", "#0891b2"),
    "SECTION": ("#e2e8f0", "#475569"),
    "CUE": ("#ffedd5", "#ea580c"),
    "EXAM": ("#ecfccb", "#65a30d"),
    "PROCEDURE": ("#e0e7ff", "#4f46e5"),
    "EM": ("#fef9c3", "#ca8a04"),
    "INDICATION": ("#fae8ff", "#a21caf"),
    "REGION": ("#f1f5f9", "#64748b"),
}
"""Fill and edge colour of each known span label, in legend order. Other labels get a colour
derived from their name (:func:`label_colours`)."""

SEVERITY_ORDER: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_TITLES: dict[str, tuple[str, str]] = {
    "error": ("Errors", "do not submit the claim as it stands"),
    "warning": ("Warnings", "documentation gaps to query or fix"),
    "info": ("Info", "for the coder's attention"),
}
PROCEDURE_NAMES: dict[str, str] = {
    "trigger_point_injection": "Trigger point injection",
    "dry_needling": "Dry needling",
    "none": "No procedure",
}
STATUS_NAMES: dict[str, str] = {
    STATUS_HOLD: "Hold",
    STATUS_REVIEW: "Review",
    STATUS_OK: "Ready",
}
STATUS_RANK: dict[str, int] = {STATUS_HOLD: 0, STATUS_REVIEW: 1, STATUS_OK: 2}

DASH = "\u2014"
SNIPPET_CHARS = 60
"""Longest evidence quotation shown in the side panel before it is shortened with an ellipsis."""
CHART_MAX_BARS = 15
"""Bars per chart on the index; the remaining categories are summed into one "other" bar."""
CHART_LABEL_CHARS = 28
"""Longest bar label drawn in full; longer ones are cut with an ellipsis (the tooltip has them whole)."""
SAFE_NAME_CHARS = 80
"""Longest file name stem written by :func:`write_review` (the note id is shortened beyond it)."""

_SAFE_LABEL = re.compile(r"[A-Za-z0-9_-]{1,64}")
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows refuses as files whatever the extension.
_RESERVED_STEMS = frozenset(
    ["con", "prn", "aux", "nul", "index"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)


@cache
def _asset(name: str) -> str:
    return resources.files("tpicoder.render").joinpath("assets", name).read_text(encoding="utf-8")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _csp(script: str) -> str:
    """Build a policy that fetches nothing and runs only ``script`` (pinned by hash)."""
    return (
        "default-src 'none'; "
        f"script-src {_csp_hash(script)}; "
        "style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'"
    )


def label_colours(label: str) -> tuple[str, str]:
    """Return the (fill, edge) colours of a span label.

    Args:
        label: A span label such as ``MUSCLE``.

    Returns:
        The colours from :data:`LABEL_COLOURS`, or a stable pastel derived from the label's name.

    """
    if label in LABEL_COLOURS:
        return LABEL_COLOURS[label]
    hue = zlib.crc32(label.encode("utf-8")) % 360
    return (f"hsl({hue} 80% 90%)", f"hsl({hue} 55% 38%)")


def _label_css(labels: Iterable[str]) -> str:
    """CSS giving each label its colour variables, for spans (data-label) and legend chips (data-chip)."""
    rules = []
    for label in dict.fromkeys([*LABEL_COLOURS, *labels]):
        if not _SAFE_LABEL.fullmatch(label):
            continue  # such a label is still rendered, in the default grey
        fill, edge = label_colours(label)
        rules.append(f'[data-label="{label}"],[data-chip="{label}"]{{--hl:{fill};--hd:{edge}}}')
    return "\n".join(rules)


# ---------------------------------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------------------------------


def _e(value: object) -> str:
    """Escape any value for HTML text or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


def escape_note_text(text: str) -> str:
    """Escape note text so that the browser's DOM holds exactly the same characters.

    Besides ``&``, ``<`` and ``>``, a carriage return is written as ``&#13;`` (HTML parsers turn raw
    CR and CRLF into LF, which would shift every later offset) and NUL becomes U+FFFD (parsers drop a
    raw NUL). Each input character stays one character, so offsets are preserved.

    Args:
        text: A slice of the note.

    Returns:
        HTML text content.

    """
    escaped = html.escape(text, quote=False)
    if "\r" in escaped:
        escaped = escaped.replace("\r", "&#13;")
    if "\x00" in escaped:
        escaped = escaped.replace("\x00", "\ufffd")
    return escaped


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > SNIPPET_CHARS:
        return text[: SNIPPET_CHARS - 1] + "\u2026"
    return text


def _pretty(identifier: str) -> str:
    return identifier.replace("_", " ")


def _score(value: float) -> str:
    return format_number(round(value, 1))


# ---------------------------------------------------------------------------------------------------
# Spans: mentions and evidence anchors laid out over the text from boundary events
# ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SpanItem:
    """One span to draw over the note text: a mention or an evidence anchor.

    Attributes:
        start: First character (inclusive).
        end: Last character (exclusive).
        rank: Tie-break between spans with equal offsets: lower ranks become the outer element.
        key: Element id of the span's first fragment, and ``data-key`` of all its fragments.
        attrs: Further attributes, already escaped, each with a leading space.
        parts: Fragments written so far (set by :func:`layout_spans`).

    """

    start: int
    end: int
    rank: int
    key: str
    attrs: str
    parts: int = 0


@dataclass(slots=True)
class _Open:
    item: SpanItem
    frag_start: int
    slot: int
    part: int


def _tag(open_: _Open, frag_end: int) -> str:
    item = open_.item
    whole = open_.frag_start == item.start and frag_end == item.end
    head = f'<span id="{item.key}"' if open_.frag_start == item.start else "<span"
    offsets = f' data-start="{open_.frag_start}" data-end="{frag_end}"'
    if not whole:
        offsets += f' data-full-start="{item.start}" data-full-end="{item.end}" data-part="{open_.part}"'
    return f'{head} data-key="{item.key}"{offsets}{item.attrs}>'


def layout_spans(text: str, items: Sequence[SpanItem]) -> str:
    """Write the escaped note text with one element per span, properly nested.

    The text is cut at every span boundary. At each boundary, spans ending there are closed (spans
    opened after them but ending later are closed too and reopened at once, as fragments), then spans
    starting there are opened, longest first so that the containing span is the outer element.

    Args:
        text: The note text.
        items: Spans with ``0 <= start <= end <= len(text)``.

    Returns:
        HTML for the inside of the ``#note`` element.

    """
    starts: dict[int, list[SpanItem]] = defaultdict(list)
    bounds = {0, len(text)}
    for item in items:
        starts[item.start].append(item)
        bounds.add(item.start)
        bounds.add(item.end)
    for group in starts.values():
        group.sort(key=lambda it: (-it.end, it.rank))
    points = sorted(bounds)
    out: list[str] = []
    stack: list[_Open] = []

    def open_item(item: SpanItem, pos: int) -> None:
        item.parts += 1
        stack.append(_Open(item, pos, len(out), item.parts))
        out.append("")  # the start tag is written when the fragment's end is known

    for i, pos in enumerate(points):
        first = next((k for k, o in enumerate(stack) if o.item.end == pos), None)
        if first is not None:
            tail = stack[first:]
            del stack[first:]
            for o in reversed(tail):
                out[o.slot] = _tag(o, pos)
                out.append("</span>")
            for o in sorted(tail, key=lambda o: (-o.item.end, o.item.rank)):
                if o.item.end != pos:
                    open_item(o.item, pos)
        for item in starts.get(pos, ()):
            if item.start == item.end:  # an empty span still gets an anchor at its position
                item.parts += 1
                out.append(_tag(_Open(item, pos, -1, item.parts), pos) + "</span>")
            else:
                open_item(item, pos)
        if i + 1 < len(points):
            out.append(escape_note_text(text[pos : points[i + 1]]))
    return "".join(out)


class _Targets:
    """Maps evidence spans to element ids: an exact mention when there is one, else a new anchor."""

    def __init__(self, text: str, mentions: Sequence[tuple[int, Mention]]) -> None:
        self.text = text
        self.by_span: dict[tuple[int, int], str] = {}
        for index, mention in mentions:
            self.by_span.setdefault((mention.start, mention.end), f"m{index}")
        self.anchors: dict[str, tuple[int, int]] = {}
        self.warnings: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.skipped = 0

    def valid(self, ev: Evidence) -> bool:
        return 0 <= ev.start <= ev.end <= len(self.text)

    def target(self, ev: Evidence, warning: tuple[str, str] | None = None) -> str | None:
        """Return the element id for ``ev`` (None when it lies outside the text)."""
        if not self.valid(ev):
            self.skipped += 1
            return None
        span = (ev.start, ev.end)
        key = self.by_span.get(span)
        if key is None:
            key = f"e{ev.start}-{ev.end}"
            self.by_span[span] = key
            self.anchors[key] = span
        if warning is not None and warning not in self.warnings[key]:
            self.warnings[key].append(warning)
        return key

    def links(self, evidence: Sequence[Evidence]) -> str:
        """Evidence links for a table cell: each quotes its text and points at its element."""
        parts = []
        for ev in evidence:
            key = self.target(ev)
            if key is None:
                continue
            quote = _e(_snippet(self.text[ev.start : ev.end]))
            parts.append(f'<a href="#{key}" data-targets="{key}">\u201c{quote}\u201d</a>')
        return f'<span class="evl">{"".join(parts)}</span>' if parts else ""


def _worst(severities: Iterable[str]) -> str:
    present = set(severities)
    return next((s for s in SEVERITY_ORDER if s in present), "info")


def _mention_attrs(mention: Mention, warnings: list[tuple[str, str]]) -> str:
    attrs = [
        ("data-label", mention.label),
        ("data-assertion", mention.assertion),
        ("data-normalized", mention.normalized),
        ("data-side", mention.side),
        ("data-injected", None if mention.injected is None else str(mention.injected).lower()),
        ("data-match", mention.match),
        ("data-score", _score(mention.score)),
        ("data-section", mention.section),
        ("data-cue", mention.cue),
        ("data-cue-rule", mention.cue_rule),
        ("data-rule", mention.rule_id),
        ("data-alias", mention.alias),
    ]
    if warnings:
        attrs.append(("data-warnings", " ".join(dict.fromkeys(code for code, _ in warnings))))
        attrs.append(("data-warn-severity", _worst(sev for _, sev in warnings)))
    return "".join(f' {name}="{_e(value)}"' for name, value in attrs if value is not None)


def _anchor_attrs(warnings: list[tuple[str, str]]) -> str:
    attrs = ' class="ev"'
    if warnings:
        codes = " ".join(dict.fromkeys(code for code, _ in warnings))
        attrs += f' data-warnings="{_e(codes)}" data-warn-severity="{_worst(s for _, s in warnings)}"'
    return attrs


# ---------------------------------------------------------------------------------------------------
# Note page
# ---------------------------------------------------------------------------------------------------


def _claim_section(result: NoteResult, targets: _Targets) -> str:
    lines = result.claim_lines
    body = []
    for i, line in enumerate(lines):
        mods = "".join(f" -{_e(m)}" for m in line.modifiers)
        units = f"\u00d7 {line.units} unit" + ("s" if line.units != 1 else "")
        body.append(
            f'<div class="claim" id="c{i}" data-code="{_e(line.code)}" data-units="{line.units}"'
            f' data-modifiers="{_e(" ".join(line.modifiers))}">'
            f'<div class="code">{_e(line.code)}</div>'
            f'<div><span class="desc">{_e(line.description)}</span> <span class="mods">{mods}</span>'
            f' <span class="units">{units}</span></div>'
            f'<div class="why">{_e(line.rationale)} {targets.links(line.evidence)}</div></div>'
        )
    if not body:
        body.append('<p class="empty">Nothing to bill for this note.</p>')
    return (
        f'<section class="card" id="claim"><h2>Claim lines <span class="count">{len(lines)}</span></h2>'
        + "".join(body)
        + "</section>"
    )


def _warning_section(result: NoteResult, targets: _Targets) -> str:
    groups: dict[str, list[str]] = {sev: [] for sev in SEVERITY_ORDER}
    for i, warning in enumerate(result.warnings):
        keys = [
            key
            for key in (targets.target(ev, (warning.code, warning.severity)) for ev in warning.evidence)
            if key is not None
        ]
        keys = list(dict.fromkeys(keys))
        quotes = [_snippet(targets.text[ev.start : ev.end]) for ev in warning.evidence if targets.valid(ev)]
        if keys:
            where = '<span class="we">' + ", ".join(f"\u201c{_e(q)}\u201d" for q in quotes) + "</span>"
        else:
            # A missing element (no exam, no conservative care) has no span: the link points at the note.
            keys = ["note"]
            where = '<span class="we none">Not in the note: nothing documents it</span>'
        title = f' title="{_e(warning.source)}"' if warning.source else ""
        groups.setdefault(warning.severity, []).append(
            f'<li id="w{i}"><a class="warn" href="#{keys[0]}" data-targets="{" ".join(keys)}"'
            f' data-warning="{_e(warning.code)}" data-severity="{_e(warning.severity)}"{title}>'
            f'<span class="wc">{_e(warning.code)}</span><span class="wm">{_e(warning.message)}</span>'
            f"{where}</a></li>"
        )
    body = []
    for sev, items in groups.items():
        if not items:
            continue
        name, hint = SEVERITY_TITLES.get(sev, (sev.title(), ""))
        body.append(
            f'<div class="wgroup" data-severity-group="{_e(sev)}"><h3 class="sev-{_e(sev)}">'
            f"{_e(name)} ({len(items)}) <small>{_e(hint)}</small></h3>"
            f'<ul class="wlist">{"".join(items)}</ul></div>'
        )
    if not body:
        body.append('<p class="empty">No warnings.</p>')
    count = len(result.warnings)
    return (
        f'<section class="card" id="warnings"><h2>Warnings <span class="count">{count}</span></h2>'
        + "".join(body)
        + "</section>"
    )


def _muscle_section(result: NoteResult, targets: _Targets, mentions: Sequence[tuple[int, Mention]]) -> str:
    rows = []
    for i, muscle in enumerate(result.injected_muscles, 1):
        group = ' <span class="grp" title="group or region, not one named muscle">GROUP</span>'
        rows.append(
            f"<tr><td>{i}</td><td><b>{_e(_pretty(muscle.muscle))}</b>{group if muscle.is_group else ''}"
            f'<br><span class="muted">{_e(_pretty(muscle.region))}</span></td><td>{_e(muscle.side)}</td>'
            f"<td>{targets.links(muscle.evidence)}</td></tr>"
        )
    count = len(result.injected_muscles)
    if rows:
        table = (
            '<table class="tbl"><thead><tr><th>#</th><th>Muscle</th><th>Side</th>'
            f"<th>Evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    else:
        table = '<p class="empty">No muscle counted as injected this session.</p>'
    counted = {(m.muscle, m.side) for m in result.injected_muscles}
    skipped = []
    for index, mention in mentions:
        if mention.label != "MUSCLE" or mention.injected is True:
            continue
        if mention.assertion == "present":
            if mention.injected is None:
                continue
            sides = ("left", "right", "unspecified") if mention.side is None else (mention.side,)
            if any((mention.normalized, side) in counted for side in sides):
                continue  # the same muscle examined and injected: already in the table above
            why = f"not injected ({mention.section} section)"
        else:
            why = mention.assertion
        if mention.cue:
            why += f" \u2014 cue \u201c{mention.cue}\u201d"
        name = _pretty(mention.normalized) if mention.normalized else "unresolved"
        skipped.append(
            f'<li><a href="#m{index}" data-targets="m{index}">'
            f"\u201c{_e(_snippet(mention.text))}\u201d</a> {_e(name)}"
            f' <span class="muted">({_e(why)})</span></li>'
        )
    extra = ""
    if skipped:
        extra = (
            f'<div class="sub">Mentioned but not counted</div><ul class="notcounted">{"".join(skipped)}</ul>'
        )
    return (
        f'<section class="card" id="muscles"><h2>Injected muscles <span class="count" id="muscle-count">'
        f"{count}</span></h2>{table}{extra}</section>"
    )


def _amount(substance: Substance) -> str:
    """Concentration, dose and volume as escaped HTML, or a muted note that none is documented."""
    parts = [substance.concentration or "", format_quantity(substance.dose)]
    parts.append(format_quantity(substance.volume))
    text = " \u00b7 ".join(p for p in parts if p)
    return _e(text) if text else '<span class="muted">not documented</span>'


def _details_sections(result: NoteResult, targets: _Targets) -> str:
    out = []
    if result.substances:
        rows = "".join(
            f"<tr><td><b>{_e(_pretty(s.substance))}</b><br><span class='muted'>{_e(_pretty(s.role))}</span>"
            f"</td><td>{_amount(s)}</td>"
            f"<td>{targets.links(s.evidence)}</td></tr>"
            for s in result.substances
        )
        out.append(
            '<section class="card" id="substances"><h2>Substances '
            f'<span class="count">{len(result.substances)}</span></h2><table><thead><tr>'
            "<th>Substance</th><th>Amount</th><th>Evidence</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>"
        )
    if result.prior_treatments:
        rows = "".join(
            f"<tr><td><b>{_e(t.name or _pretty(t.treatment))}</b><br><span class='muted'>{_e(t.treatment)}"
            f"</span></td><td>{_e(t.duration or '')}</td><td>{_e(_pretty(t.outcome))}</td>"
            f"<td>{targets.links(t.evidence)}</td></tr>"
            for t in result.prior_treatments
        )
        out.append(
            '<section class="card" id="prior"><h2>Prior treatment '
            f'<span class="count">{len(result.prior_treatments)}</span></h2><table><thead><tr>'
            "<th>Treatment</th><th>Duration</th><th>Outcome</th><th>Evidence</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>"
        )
    if result.diagnoses:
        rows = []
        for d in result.diagnoses:
            if d.valid is False:
                flag = ' <span class="badge st-hold">not billable</span>'
            elif d.inferred:
                flag = ' <span class="badge proc">inferred</span>'
            else:
                flag = ""
            desc = f"<br><span class='muted'>{_e(d.description)}</span>" if d.description else ""
            rows.append(
                f"<tr><td><code>{_e(d.code or DASH)}</code>{flag}</td><td>{_e(d.text)}{desc}</td>"
                f"<td>{targets.links(d.evidence)}</td></tr>"
            )
        out.append(
            '<section class="card" id="diagnoses"><h2>Diagnoses '
            f'<span class="count">{len(result.diagnoses)}</span></h2><table><thead><tr><th>Code</th>'
            f"<th>Text</th><th>Evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
        )
    visit = [f"<dt>Guidance</dt><dd>{_e(result.guidance or 'none documented')}</dd>"]
    em = result.em_service
    if em is not None and em.documented:
        separate = "yes (modifier 25)" if em.separately_identifiable else "no"
        visit.append(f"<dt>E/M code</dt><dd><code>{_e(em.code or DASH)}</code></dd>")
        visit.append(f"<dt>Separately identifiable</dt><dd>{_e(separate)}</dd>")
        if em.rationale:
            visit.append(f"<dt>Why</dt><dd>{_e(em.rationale)}</dd>")
        if em.evidence:
            visit.append(f"<dt>Evidence</dt><dd>{targets.links(em.evidence)}</dd>")
    else:
        visit.append("<dt>E/M</dt><dd>none documented</dd>")
    if result.meta is not None:
        visit.append(f"<dt>Tool</dt><dd>tpicoder {_e(result.meta.tool_version)}</dd>")
        if result.meta.lexicon_versions:
            versions = ", ".join(f"{k} {v}" for k, v in sorted(result.meta.lexicon_versions.items()))
            visit.append(f"<dt>Lexicons</dt><dd class='muted'>{_e(versions)}</dd>")
        encoding = result.meta.source_encoding
        if encoding and encoding != "utf-8":
            visit.append(
                f"<dt>File encoding</dt><dd class='enc'>{_e(encoding)} (not UTF-8: "
                "check accented and curly characters)</dd>"
            )
    out.append(
        f'<section class="card" id="visit"><h2>Visit</h2><dl class="kv">{"".join(visit)}</dl></section>'
    )
    return "".join(out)


def _legend(mentions: Sequence[tuple[int, Mention]]) -> str:
    counts = Counter(m.label for _, m in mentions)
    order = [label for label in LABEL_COLOURS if label in counts]
    order += sorted(label for label in counts if label not in LABEL_COLOURS)
    chips = "".join(
        f'<button type="button" class="chip" data-chip="{_e(label)}" data-toggle="{_e(label)}"'
        f' aria-pressed="true" title="Show or hide {_e(label)} highlights">{_e(label)}'
        f"<b>{counts[label]}</b></button>"
        for label in order
    )
    if not chips:
        chips = '<span class="muted">no spans found</span>'
    keys = (
        '<span class="key"><span class="sample" data-chip="MUSCLE">present</span></span>'
        '<span class="key"><span class="sample s-inj" data-chip="MUSCLE">injected</span></span>'
        '<span class="key"><span class="sample s-neg s-badge" data-chip="MUSCLE">negated</span></span>'
        '<span class="key"><span class="sample s-hyp s-badge" data-chip="MUSCLE">planned</span></span>'
        '<span class="key"><span class="sample s-hist s-badge" data-chip="MUSCLE">historical</span></span>'
    )
    return (
        f'<div class="legend"><span class="lt">Labels</span>{chips}<span class="sep"></span>'
        f'<span class="lt">Assertion</span>{keys}</div>'
    )


def _head(title: str, css: str, script: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_csp(script))}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="tpicoder {_e(__version__)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
    )


def render_note(result: NoteResult, text: str, *, index_href: str | None = None) -> str:
    """Render one note as a self-contained review page.

    Args:
        result: What tpicoder found in the note; its offsets must index ``text``.
        text: The note text exactly as analysed.
        index_href: Relative link back to the batch index, if there is one.

    Returns:
        A complete HTML document (UTF-8 text). Spans whose offsets fall outside ``text`` are not
        drawn; the page then says how many were left out.

    """
    valid: list[tuple[int, Mention]] = []
    bad = 0
    for index, mention in enumerate(result.mentions):
        if 0 <= mention.start <= mention.end <= len(text):
            valid.append((index, mention))
        else:
            bad += 1
    targets = _Targets(text, valid)
    # Panels first: they register the evidence anchors that the text then needs.
    claim = _claim_section(result, targets)
    warnings = _warning_section(result, targets)
    muscles = _muscle_section(result, targets, valid)
    details = _details_sections(result, targets)

    items = [
        SpanItem(m.start, m.end, rank, f"m{index}", _mention_attrs(m, targets.warnings.get(f"m{index}", [])))
        for rank, (index, m) in enumerate(valid)
    ]
    offset = len(items)
    for rank, (key, (start, end)) in enumerate(targets.anchors.items()):
        items.append(SpanItem(start, end, offset + rank, key, _anchor_attrs(targets.warnings.get(key, []))))
    body_text = layout_spans(text, items)

    skipped = bad + targets.skipped
    if skipped:
        logger.warning("note %s: %d spans lie outside the text and were not drawn", result.note_id, skipped)
    notice = (
        f'<section class="card notice">{skipped} span(s) lie outside the note text and are not shown.'
        "</section>"
        if skipped
        else ""
    )
    note_id = result.note_id or "note"
    status = note_status(result)
    n_errors = sum(1 for w in result.warnings if w.severity == "error")
    status_text = STATUS_NAMES[status] + (
        f" \u2014 {n_errors} error" + ("s" if n_errors != 1 else "") if n_errors else ""
    )
    meta = []
    if result.meta is not None:
        for name, value in (
            ("Payer", result.meta.payer),
            ("Date of service", result.meta.date_of_service),
            ("Patient", result.meta.patient_id),
        ):
            if value:
                meta.append(f"<dt>{name}</dt><dd>{_e(value)}</dd>")
    back = f'<a class="back" href="{_e(index_href)}">\u2190 All notes</a>' if index_href else ""
    script = _asset("note.js")
    css = _asset("common.css") + _asset("note.css") + _label_css(m.label for _, m in valid)
    return (
        _head(f"{note_id} \u2014 tpicoder review", css, script)
        + f'<body class="page-note" data-note-id="{_e(note_id)}">\n'
        f'<header class="top">{back}<h1>Note <span class="nid">{_e(note_id)}</span></h1>'
        f'<span class="badge st-{status}" id="status">{_e(status_text)}</span>'
        f'<span class="badge proc">{_e(PROCEDURE_NAMES.get(result.procedure, result.procedure))}</span>'
        f'<dl class="meta">{"".join(meta)}</dl></header>\n'
        '<main class="layout">\n<section class="note-col" aria-label="Note text">'
        f'<div class="card note-card">{_legend(valid)}'
        f'<div id="note" class="note-text" data-length="{len(text)}">{body_text}</div></div>'
        '<p class="hint">Hover a highlight for its details; click it to pin them in the panel. '
        "Click a warning to jump to its evidence.</p></section>\n"
        '<aside class="panel" aria-label="Coding summary">'
        f"{notice}"
        '<section class="card sel-card"><h2>Selected span</h2><div id="details" class="details">'
        '<p class="empty">Click a highlighted span to see its id, side, match, assertion and cue.</p>'
        f"</div></section>{claim}{warnings}{muscles}{details}</aside>\n</main>\n"
        '<div id="tip" class="tip" role="tooltip" hidden></div>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------------------------------
# Index page
# ---------------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoteSummary(_Model):
    """What the index shows about one note: small enough to keep thousands in memory."""

    procedure: str
    status: str
    claim: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)
    muscle_count: int = 0
    muscles: list[str] = Field(default_factory=list)
    severity_counts: dict[str, int] = Field(default_factory=dict)
    warning_codes: dict[str, int] = Field(default_factory=dict)
    warning_severity: dict[str, str] = Field(default_factory=dict)
    match_counts: dict[str, int] = Field(default_factory=dict)
    date_of_service: str | None = None
    patient_id: str | None = None

    @classmethod
    def from_result(cls, result: NoteResult) -> NoteSummary:
        """Summarise one result.

        Args:
            result: The analysed note.

        Returns:
            Its summary (codes, muscle count, warnings by severity and code, match kinds).

        """
        severities = Counter(w.severity for w in result.warnings)
        meta = result.meta
        return cls(
            procedure=result.procedure,
            status=note_status(result),
            claim=[format_claim_line(line).removesuffix(" x1") for line in result.claim_lines],
            codes=list(dict.fromkeys(line.code for line in result.claim_lines)),
            muscle_count=len(result.injected_muscles),
            muscles=[f"{m.muscle} {m.side}" for m in result.injected_muscles],
            severity_counts={sev: severities.get(sev, 0) for sev in SEVERITY_ORDER},
            warning_codes=dict(Counter(w.code for w in result.warnings)),
            warning_severity={w.code: w.severity for w in result.warnings},
            match_counts=dict(Counter(m.match for m in result.mentions)),
            date_of_service=meta.date_of_service if meta else None,
            patient_id=meta.patient_id if meta else None,
        )


class IndexEntry(_Model):
    """One row of the index: the note id, its summary and the relative link to its page."""

    note_id: str
    href: str
    summary: NoteSummary

    @classmethod
    def from_result(cls, result: NoteResult, href: str, *, note_id: str | None = None) -> IndexEntry:
        """Build an entry from a result.

        Args:
            result: The analysed note.
            href: Link to the note's page, relative to the index.
            note_id: Id to show; defaults to ``result.note_id`` (or the link when that is None).

        Returns:
            The entry.

        """
        return cls(
            note_id=note_id or result.note_id or href,
            href=href,
            summary=NoteSummary.from_result(result),
        )


def bar_chart(title: str, bars: Sequence[tuple[str, int, str]], *, unit: str = "") -> str:
    """Draw a horizontal bar chart as inline SVG.

    Args:
        title: Accessible name of the chart.
        bars: ``(label, value, css class)`` rows, drawn in the given order; at most
            :data:`CHART_MAX_BARS` are drawn and the rest are summed into one "other" bar.
        unit: Word shown in each bar's tooltip after the value (e.g. "notes").

    Returns:
        An ``<svg>`` element.

    """
    bars = list(bars)
    if len(bars) > CHART_MAX_BARS:
        rest = bars[CHART_MAX_BARS - 1 :]
        bars = bars[: CHART_MAX_BARS - 1] + [(f"other ({len(rest)})", sum(v for _, v, _ in rest), "b-other")]
    # Label column as wide as the longest label (12px monospace is about 7.3 px per character).
    longest = max((min(len(label), CHART_LABEL_CHARS) for label, _, _ in bars), default=4)
    width, label_w, row_h, pad = 460, round(7.3 * longest) + 16, 22, 6
    bar_max = width - label_w - 50
    height = pad * 2 + row_h * max(len(bars), 1)
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">'
    ]
    if not bars:
        out.append(
            f'<text x="{width // 2}" y="{height // 2 + 4}" text-anchor="middle" class="none">none</text>'
        )
    top = max((v for _, v, _ in bars), default=0) or 1
    for i, (label, value, cls) in enumerate(bars):
        y = pad + i * row_h
        w = max(2, round(bar_max * value / top)) if value else 0
        name = label if len(label) <= CHART_LABEL_CHARS else label[: CHART_LABEL_CHARS - 1] + "\u2026"
        out.append(
            f"<g><title>{_e(label)}: {value} {_e(unit)}</title>"
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="lbl">{_e(name)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 8}" rx="3" class="{_e(cls)}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}" class="val">{value}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def _index_row(entry: IndexEntry) -> str:
    s = entry.summary
    sev = [k for k in SEVERITY_ORDER if s.severity_counts.get(k)]
    search = " ".join(
        [entry.note_id, s.procedure, s.status, *s.claim, *s.muscles, *s.warning_codes]
        + [s.date_of_service or "", s.patient_id or ""]
    ).lower()
    codes = "".join(f"<code>{_e(c)}</code>" for c in s.claim) or '<span class="muted">\u2014</span>'
    counts = []
    for key, cls in (("error", "e"), ("warning", "w"), ("info", "i")):
        n = s.severity_counts.get(key, 0)
        counts.append(f'<td class="num {cls}{" z" if not n else ""}">{n}</td>')
    wcodes = ", ".join(
        sorted(s.warning_codes, key=lambda c: (SEVERITY_ORDER.index(s.warning_severity.get(c, "info")), c))
    )
    return (
        f'<tr data-codes="{_e(" ".join(s.codes))}" data-sev="{" ".join(sev)}" data-text="{_e(search)}">'
        f'<td class="id"><a href="{_e(entry.href)}">{_e(entry.note_id)}</a></td>'
        f'<td data-v="{STATUS_RANK.get(s.status, 9)}"><span class="badge st-{_e(s.status)}">'
        f"{_e(STATUS_NAMES.get(s.status, s.status))}</span></td>"
        f'<td class="nw">{_e(PROCEDURE_NAMES.get(s.procedure, s.procedure))}</td>'
        f'<td class="codes" data-v="{_e(" ".join(s.claim))}">{codes}</td>'
        f'<td class="num">{s.muscle_count}</td>{"".join(counts)}'
        f'<td class="wcodes">{_e(wcodes)}</td>'
        f'<td class="nw">{_e(s.date_of_service or "")}</td></tr>'
    )


def render_index(
    entries: Sequence[IndexEntry], *, title: str = "tpicoder review", csv_href: str | None = None
) -> str:
    """Render the batch index: a sortable, filterable table of notes and summary charts.

    Args:
        entries: One entry per note, in the order to list them.
        title: Page title.
        csv_href: Relative link to the flat CSV table, when one was written beside the index.

    Returns:
        A complete, self-contained HTML document.

    """
    statuses = Counter(e.summary.status for e in entries)
    procedures = Counter(e.summary.procedure for e in entries)
    code_notes: Counter[str] = Counter()
    warn_notes: Counter[str] = Counter()
    warn_sev: dict[str, str] = {}
    matches: Counter[str] = Counter()
    muscles = 0
    for entry in entries:
        s = entry.summary
        code_notes.update(s.codes)
        warn_notes.update(s.warning_codes.keys())
        warn_sev.update(s.warning_severity)
        matches.update(s.match_counts)
        muscles += s.muscle_count
    charts = [
        (
            "Codes billed",
            "notes billed with each code",
            bar_chart(
                "Codes billed",
                [(c, n, "b-code") for c, n in sorted(code_notes.items(), key=lambda kv: (-kv[1], kv[0]))],
                unit="notes",
            ),
        ),
        (
            "Warnings by type",
            "notes raising each warning, coloured by severity",
            bar_chart(
                "Warnings by type",
                [
                    (c, n, f"b-{warn_sev.get(c, 'info')}")
                    for c, n in sorted(
                        warn_notes.items(),
                        key=lambda kv: (SEVERITY_ORDER.index(warn_sev.get(kv[0], "info")), -kv[1], kv[0]),
                    )
                ],
                unit="notes",
            ),
        ),
        (
            "Match kinds",
            "spans found, by how they matched the lexicon",
            bar_chart(
                "Match kinds",
                [(k, n, f"b-{k}") for k, n in sorted(matches.items(), key=lambda kv: (-kv[1], kv[0]))],
                unit="spans",
            ),
        ),
    ]
    chart_html = "".join(
        f'<section class="card"><h2>{_e(name)}</h2>{svg}<p class="foot">{_e(sub)}</p></section>'
        for name, sub, svg in charts
    )
    proc_text = " \u00b7 ".join(
        f"{PROCEDURE_NAMES.get(p, p)} {n}" for p, n in sorted(procedures.items(), key=lambda kv: -kv[1])
    )
    cards = (
        f'<div class="card stat"><span class="v">{len(entries)}</span><span class="k">Notes</span></div>'
        f'<div class="card stat hold"><span class="v" id="n-hold">{statuses.get(STATUS_HOLD, 0)}</span>'
        '<span class="k">Hold: errors</span></div>'
        f'<div class="card stat review"><span class="v">{statuses.get(STATUS_REVIEW, 0)}</span>'
        '<span class="k">Review: warnings</span></div>'
        f'<div class="card stat ok"><span class="v">{statuses.get(STATUS_OK, 0)}</span>'
        '<span class="k">Ready</span></div>'
        f'<div class="card stat"><span class="v">{muscles}</span>'
        '<span class="k">Muscles injected</span></div>'
    )
    code_options = "".join(f'<option value="{_e(c)}">{_e(c)}</option>' for c in sorted(code_notes))
    headers = [
        ("Note", "str"),
        ("Status", "num"),
        ("Procedure", "str"),
        ("Claim", "str"),
        ("Muscles", "num"),
        ("Errors", "num"),
        ("Warnings", "num"),
        ("Info", "num"),
        ("Warning codes", "str"),
        ("Date", "str"),
    ]
    num_class = ' class="num"'
    head = "".join(
        f'<th scope="col"{num_class if t == "num" and name != "Status" else ""}>'
        f'<button type="button" data-type="{t}">{_e(name)}</button></th>'
        for name, t in headers
    )
    rows = "".join(_index_row(entry) for entry in entries)
    csv_link = f' \u00b7 <a href="{_e(csv_href)}">{_e(csv_href)}</a>' if csv_href else ""
    script = _asset("index.js")
    css = _asset("common.css") + _asset("index.css")
    return (
        _head(title, css, script) + '<body class="page-index">\n'
        f'<header class="top"><h1>{_e(title)}</h1><span class="badge proc">{len(entries)} notes</span>'
        f'<dl class="meta"><dt>Procedures</dt><dd>{_e(proc_text or "none")}</dd></dl></header>\n'
        f'<main class="wrap"><div class="cards">{cards}</div><div class="charts">{chart_html}</div>'
        '<div class="card filters" role="search">'
        '<input id="q" type="search" placeholder="Filter: note id, code, muscle, warning\u2026"'
        ' aria-label="Filter notes" autocomplete="off">'
        f'<select id="f-code" aria-label="Code"><option value="">All codes</option>{code_options}'
        '<option value="-">No claim line</option></select>'
        '<select id="f-sev" aria-label="Severity"><option value="">Any severity</option>'
        '<option value="error">Has errors</option><option value="warning">Has warnings</option>'
        '<option value="info">Has info</option><option value="-">No warnings at all</option></select>'
        f'<span class="shown"><b id="shown">{len(entries)}</b> of {len(entries)} shown{csv_link}</span></div>'
        f'<div class="card tablecard"><table id="notes"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        f'<p class="foot">Made by tpicoder {_e(__version__)}. Click a column title to sort; a note id'
        " opens its page.</p></main>\n"
        f"<script>{script}</script>\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------------------------------
# Batch writer
# ---------------------------------------------------------------------------------------------------


class ReviewReport(_Model):
    """What :func:`write_review` wrote."""

    out_dir: Path
    index_html: Path
    index_csv: Path
    pages: list[str] = Field(default_factory=list)
    notes: int = 0
    statuses: dict[str, int] = Field(default_factory=dict)
    warnings_by_severity: dict[str, int] = Field(default_factory=dict)
    bytes_written: int = 0
    seconds: float = 0.0


def safe_filename(note_id: str) -> str:
    """Turn a note id into a file name stem that is safe on every platform.

    Keeps ASCII letters, digits, ``.``, ``_`` and ``-``; runs of other characters become ``_``;
    leading dots are dropped (no hidden files, no ``..``); names Windows reserves (``CON``, ``NUL``...)
    and ``index`` (the batch index) are prefixed with ``note_``.

    Args:
        note_id: Any note id.

    Returns:
        A non-empty stem of at most :data:`SAFE_NAME_CHARS` characters.

    """
    stem = _UNSAFE_FILE_CHARS.sub("_", note_id).lstrip(".")[:SAFE_NAME_CHARS].rstrip(". ")
    if not stem.strip("_-"):
        stem = "note"
    if stem.split(".")[0].lower() in _RESERVED_STEMS:
        stem = "note_" + stem
    return stem


def _unique_stem(stem: str, used: set[str]) -> str:
    """Disambiguate stems that collide (also case-insensitively, for macOS and Windows disks)."""
    candidate, n = stem, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem}-{n}"
    used.add(candidate.casefold())
    return candidate


INDEX_CSV_COLUMNS: tuple[str, ...] = (*CSV_COLUMNS, "page")
"""Columns of ``index.csv``: the flat table plus the note's page."""


def write_review(
    items: Iterable[tuple[NoteResult, str]],
    out_dir: Path,
    *,
    title: str = "tpicoder review",
) -> ReviewReport:
    """Write one page per note, ``index.html`` and ``index.csv`` into ``out_dir``.

    Streams: each note's text is rendered, written and released before the next is read; only a small
    :class:`IndexEntry` per note is kept for the index.

    Args:
        items: ``(result, text)`` pairs; a generator is fine.
        out_dir: Output folder, created if missing. Existing files of the same names are replaced.
        title: Title of the index page.

    Returns:
        A report of what was written.

    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    used: set[str] = {"index"}
    entries: list[IndexEntry] = []
    pages: list[str] = []
    statuses: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    written = 0
    csv_path = out / "index.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        write_csv([], handle, columns=INDEX_CSV_COLUMNS)
        for n, (result, text) in enumerate(items, 1):
            note_id = result.note_id or f"note-{n:05d}"
            name = _unique_stem(safe_filename(note_id), used) + ".html"
            page = render_note(result, text, index_href="index.html").encode("utf-8", "replace")
            (out / name).write_bytes(page)
            written += len(page)
            row = flat_row(result)
            row["note_id"] = note_id
            write_csv([{**row, "page": name}], handle, columns=INDEX_CSV_COLUMNS, header=False)
            entry = IndexEntry.from_result(result, name, note_id=note_id)
            entries.append(entry)
            pages.append(name)
            statuses[entry.summary.status] += 1
            severities.update(w.severity for w in result.warnings)
    index = render_index(entries, title=title, csv_href="index.csv").encode("utf-8", "replace")
    index_path = out / "index.html"
    index_path.write_bytes(index)
    written += len(index) + csv_path.stat().st_size
    return ReviewReport(
        out_dir=out,
        index_html=index_path,
        index_csv=csv_path,
        pages=pages,
        notes=len(pages),
        statuses=dict(statuses),
        warnings_by_severity={sev: severities.get(sev, 0) for sev in SEVERITY_ORDER},
        bytes_written=written,
        seconds=time.perf_counter() - started,
    )


__all__ = [
    "CHART_MAX_BARS",
    "INDEX_CSV_COLUMNS",
    "LABEL_COLOURS",
    "IndexEntry",
    "SpanItem",
    "NoteSummary",
    "ReviewReport",
    "bar_chart",
    "escape_note_text",
    "label_colours",
    "layout_spans",
    "render_index",
    "render_note",
    "safe_filename",
    "write_review",
]
