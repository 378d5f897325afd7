"""render_note: the page contract (CONTRACT.md "Review HTML"), nesting, escaping and links."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpicoder.render import render_note
from tpicoder.render.html import SpanItem, escape_note_text, label_colours, layout_spans
from tpicoder.schema import Evidence, Mention, NoteResult, Warning


def spans_of(page):
    """Elements inside #note that carry offsets."""
    return [e for e in page.elements if e.in_note and "data-start" in e.attrs]


def test_render_note_text_round_trips_exactly(any_note, parse):
    result, text = any_note
    page = parse(render_note(result, text))
    assert page.note == text


def test_render_note_every_mention_has_an_element_with_its_offsets(any_note, parse):
    result, text = any_note
    page = parse(render_note(result, text))
    for index, mention in enumerate(result.mentions):
        el = page.by_id()[f"m{index}"]
        assert el.attrs["data-label"] == mention.label
        assert el.attrs["data-assertion"] == mention.assertion
        assert el.in_note
        if "data-part" not in el.attrs:
            assert (int(el.attrs["data-start"]), int(el.attrs["data-end"])) == (mention.start, mention.end)
            assert el.content == text[mention.start : mention.end] == mention.text
        # Whole or fragmented, the parts of a mention rebuild its text.
        parts = page.find(data_key=f"m{index}")
        assert "".join(p.content for p in parts) == mention.text


def test_render_note_every_offset_element_holds_its_slice(any_note, parse):
    result, text = any_note
    page = parse(render_note(result, text))
    found = spans_of(page)
    assert found
    for el in found:
        start, end = int(el.attrs["data-start"]), int(el.attrs["data-end"])
        assert el.content == text[start:end]
        if "data-label" in el.attrs:
            assert "data-assertion" in el.attrs


def test_render_note_side_nests_inside_muscle_and_dose_inside_substance(tpi_note, parse):
    result, text = tpi_note
    page = parse(render_note(result, text))
    for inner_label, outer_label in (("SIDE", "MUSCLE"), ("DOSE", "SUBSTANCE")):
        inner = [e for e in spans_of(page) if e.attrs.get("data-label") == inner_label]
        nested = [e for e in inner if any(a.attrs.get("data-label") == outer_label for a in e.ancestors())]
        assert nested, f"no {inner_label} inside a {outer_label}"
        for el in nested:
            outer = next(a for a in el.ancestors() if a.attrs.get("data-label") == outer_label)
            assert int(outer.attrs["data-start"]) <= int(el.attrs["data-start"])
            assert int(el.attrs["data-end"]) <= int(outer.attrs["data-end"])


def test_render_note_crossing_spans_are_split_into_fragments(hold_note, parse):
    result, text = hold_note
    page = parse(render_note(result, text))
    muscle_index = next(i for i, m in enumerate(result.mentions) if m.text == "lumbar paraspinals")
    parts = page.find(data_key=f"m{muscle_index}")
    assert len(parts) == 2
    assert [p.attrs["data-part"] for p in parts] == ["1", "2"]
    assert all(p.attrs["data-full-start"] == str(result.mentions[muscle_index].start) for p in parts)
    assert "".join(p.content for p in parts) == "lumbar paraspinals"


def test_render_note_assertion_and_injected_attributes(tpi_note, parse):
    result, text = tpi_note
    page = parse(render_note(result, text))
    muscles = {e.content: e.attrs for e in spans_of(page) if e.attrs.get("data-label") == "MUSCLE"}
    assert muscles["rhomboids"]["data-assertion"] == "negated"
    assert muscles["rhomboids"]["data-cue"] == "No"
    assert muscles["rhomboids"]["data-cue-rule"] == "neg_no"
    assert muscles["gluteus medius"]["data-assertion"] == "hypothetical"
    assert muscles["Right sternocleidomastoid"]["data-assertion"] == "historical"
    fuzzy = muscles["R infraspinatous"]
    assert (fuzzy["data-injected"], fuzzy["data-match"], fuzzy["data-score"]) == ("true", "fuzzy", "93.3")
    assert fuzzy["data-normalized"] == "infraspinatus"
    assert fuzzy["data-side"] == "right"


def test_render_note_warnings_link_to_existing_evidence_elements(any_note, parse):
    result, text = any_note
    page = parse(render_note(result, text))
    ids = page.by_id()
    links = page.with_attr("data-warning")
    assert [e.attrs["data-warning"] for e in links] == [w.code for w in result.warnings]
    for warning, link in zip(result.warnings, links, strict=True):
        href = link.attrs["href"]
        assert href.startswith("#") and href[1:] in ids
        target = ids[href[1:]]
        if warning.evidence:
            ev = warning.evidence[0]
            assert (int(target.attrs["data-start"]), int(target.attrs["data-end"])) == (ev.start, ev.end)
            assert target.content == ev.text
            for key in link.attrs["data-targets"].split():
                assert key in ids
        else:
            assert href == "#note"


def test_render_note_evidence_without_a_mention_gets_an_anchor(hold_note, parse):
    result, text = hold_note
    page = parse(render_note(result, text))
    clause = result.warnings[0].evidence[0]
    anchor = page.by_id()[f"e{clause.start}-{clause.end}"]
    assert "data-label" not in anchor.attrs
    assert anchor.attrs["data-warnings"] == "MUSCLES_NOT_NAMED"
    assert anchor.attrs["data-warn-severity"] == "error"
    assert anchor.content == clause.text
    # The PROCEDURE mention sharing its start nests inside the longer anchor.
    inner = [e for e in spans_of(page) if e.attrs.get("data-label") == "PROCEDURE"]
    assert inner and anchor in list(inner[0].ancestors())


def test_render_note_claim_lines_carry_data_code(dn_note, parse):
    result, text = dn_note
    page = parse(render_note(result, text))
    claims = page.with_attr("data-code")
    assert [c.attrs["data-code"] for c in claims] == ["20560", "76942", "99214"]
    assert claims[2].attrs["data-modifiers"] == "25"
    assert "Separately identifiable E/M documented." in claims[2].content


def test_render_note_panel_shows_muscles_and_not_counted(tpi_note, parse):
    result, text = tpi_note
    page = parse(render_note(result, text))
    ids = page.by_id()
    assert ids["muscle-count"].content == "4"
    panel = ids["muscles"].content
    for skipped in ("rhomboids", "gluteus medius", "Right sternocleidomastoid"):
        assert skipped in panel
    assert "negated" in panel and "cue \u201cNo\u201d" in panel


def test_render_note_groups_warnings_by_severity(hold_note, parse):
    result, text = hold_note
    page = parse(render_note(result, text))
    groups = page.with_attr("data-severity-group")
    assert [g.attrs["data-severity-group"] for g in groups] == ["error", "warning"]
    assert "Errors (2)" in groups[0].content
    assert page.by_id()["status"].content.startswith("Hold")


def test_render_note_escapes_markup_from_every_field(hostile_note, parse):
    result, text = hostile_note
    source = render_note(result, text)
    page = parse(source)
    # Only the page's own script element, and no element the note or the result could have injected.
    assert len([e for e in page.elements if e.tag == "script"]) == 1
    assert not [e for e in page.elements if e.tag in {"img", "i", "b", "div"} and e.in_note]
    assert not [e for e in page.elements if e.tag == "img"]
    assert page.note == text
    assert "window.__pwned=1" in page.note
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in source
    assert "<img" not in source and "<script>window" not in source and "<script>alert" not in source
    assert "<i>p</i>" not in source and "&lt;i&gt;p&lt;/i&gt;" in source
    assert "<b>1 or 2" not in source and "<b>x</b>" not in source
    title = next(e for e in page.elements if e.tag == "title")
    assert title.content.startswith('x"ss<1>/../evil')
    muscle = next(e for e in spans_of(page) if e.attrs.get("data-label") == "MUSCLE")
    assert muscle.attrs["data-cue"] == '"><script>window.__pwned=3</script>'


def test_render_note_csp_fetches_nothing_and_pins_the_script(any_note, parse):
    result, text = any_note
    source = render_note(result, text)
    page = parse(source)
    csp = next(
        e.attrs["content"] for e in page.elements if e.attrs.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in csp
    digest = base64.b64encode(hashlib.sha256(page.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    # Nothing is fetched: no external resources.
    assert not re.search(r'(src|href)="(https?:)?//', source)
    assert "@import" not in "".join(page.styles)


def test_render_note_labels_unknown_to_the_palette_still_render(tpi_note, parse):
    result, text = tpi_note
    page = parse(render_note(result, text))
    durations = [e for e in spans_of(page) if e.attrs.get("data-label") == "DURATION"]
    assert [d.content for d in durations] == ["6 weeks"]
    assert '[data-label="DURATION"]' in "".join(page.styles)
    assert label_colours("DURATION") == label_colours("DURATION")
    assert label_colours("MUSCLE") != label_colours("SIDE")


def test_render_note_out_of_range_spans_are_skipped_with_a_notice(parse):
    text = "L trapezius injected."
    result = NoteResult(
        note_id="bad",
        mentions=[
            Mention(label="MUSCLE", text="L trapezius", start=0, end=11),
            Mention(label="MUSCLE", text="ghost", start=15, end=99),
        ],
        warnings=[
            Warning(
                code="X", severity="warning", message="m", evidence=[Evidence(start=50, end=60, text="?")]
            )
        ],
    )
    page = parse(render_note(result, text))
    assert page.note == text
    assert "m0" in page.by_id() and "m1" not in page.by_id()
    assert "2 span(s) lie outside" in "".join(e.content for e in page.elements if e.tag == "section")
    assert page.with_attr("data-warning")[0].attrs["href"] == "#note"


def test_render_note_zero_length_evidence_gets_an_empty_anchor(parse):
    text = "Injected x3."
    result = NoteResult(
        warnings=[
            Warning(code="X", severity="info", message="m", evidence=[Evidence(start=4, end=4, text="")])
        ]
    )
    page = parse(render_note(result, text))
    assert page.note == text
    assert page.by_id()["e4-4"].content == ""
    assert page.with_attr("data-warning")[0].attrs["href"] == "#e4-4"


def test_render_note_empty_result_and_empty_text(parse):
    page = parse(render_note(NoteResult(), ""))
    assert page.note == ""
    assert page.by_id()["note"].attrs["data-length"] == "0"


def test_render_note_has_a_link_back_to_the_index_when_given(tpi_note, parse):
    result, text = tpi_note
    page = parse(render_note(result, text, index_href="index.html"))
    assert any(e.tag == "a" and e.attrs.get("href") == "index.html" for e in page.elements)
    assert not any(e.attrs.get("href") == "index.html" for e in parse(render_note(result, text)).elements)


# ---------------------------------------------------------------------------------------------------
# layout_spans on random spans: well-formed, faithful, every span covered exactly by its fragments
# ---------------------------------------------------------------------------------------------------


@st.composite
def texts_and_spans(draw):
    text = draw(st.text(alphabet="ab <&>\r\n\"'\u00e9\U0001f44d", min_size=0, max_size=40))
    n = len(text)
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted),
            max_size=12,
        )
    )
    return text, spans


@given(texts_and_spans())
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_layout_spans_random_overlaps_stay_well_formed(parse, case):
    text, spans = case
    items = [
        SpanItem(s, e, i, f"k{i}", f' data-label="L{i % 3}" data-assertion="present"')
        for i, (s, e) in enumerate(spans)
    ]
    body = layout_spans(text, items)
    page = parse(f'<div id="note">{body}</div>')
    assert page.note == text
    for i, (s, e) in enumerate(spans):
        parts = page.find(data_key=f"k{i}")
        assert parts, "every span has at least one element"
        assert parts[0].attrs.get("id") == f"k{i}"
        covered = [(int(p.attrs["data-start"]), int(p.attrs["data-end"])) for p in parts]
        if len(parts) == 1:
            assert covered == [(s, e)]
        else:
            assert covered[0][0] == s and covered[-1][1] == e
            assert all(a[1] == b[0] for a, b in zip(covered, covered[1:], strict=False))
        for p, (ps, pe) in zip(parts, covered, strict=True):
            assert p.content == text[ps:pe]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a<b", "a&lt;b"), ("x\r\ny", "x&#13;\ny"), ("nul\x00", "nul\ufffd"), ("&amp;", "&amp;amp;")],
    ids=["lt", "crlf", "nul", "entity"],
)
def test_escape_note_text_keeps_one_character_per_character(raw, escaped):
    assert escape_note_text(raw) == escaped
