"""Hand-built results for the render tests, and an HTML reader that checks the page contract.

Each fixture note is a realistic text with a NoteResult whose offsets are found in the text by the
builder, which asserts ``text[start:end] == evidence.text`` for every span it hands out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from tpicoder.schema import (
    ClaimLine,
    Diagnosis,
    EMService,
    Evidence,
    InjectedMuscle,
    Mention,
    NoteMeta,
    NoteResult,
    PriorTreatment,
    Quantity,
    Substance,
    Warning,
)


class Note:
    """Builds spans of one note text by phrase, checking every offset against the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.mentions: list[Mention] = []

    def ev(self, phrase: str, nth: int = 1, *, after: str | None = None) -> Evidence:
        start = self.text.index(after) if after else 0
        for _ in range(nth):
            start = self.text.index(phrase, start)
            found = start
            start += 1
        end = found + len(phrase)
        evidence = Evidence(start=found, end=end, text=self.text[found:end])
        assert self.text[evidence.start : evidence.end] == evidence.text == phrase
        return evidence

    def m(self, label: str, phrase: str, nth: int = 1, *, after: str | None = None, **fields) -> Evidence:
        evidence = self.ev(phrase, nth, after=after)
        self.mentions.append(
            Mention(label=label, text=evidence.text, start=evidence.start, end=evidence.end, **fields)
        )
        return evidence


def _meta(dos: str | None = None, patient: str | None = None) -> NoteMeta:
    return NoteMeta(
        tool_version="0.1.0",
        payer="cms",
        lexicon_versions={"muscles": "2026.11.1"},
        date_of_service=dos,
        patient_id=patient,
    )


def build_tpi_note() -> tuple[NoteResult, str]:
    """Four muscles injected (20553), nested SIDE/DOSE spans, negated/historical/planned muscles."""
    text = (
        "PROCEDURE NOTE: TRIGGER POINT INJECTIONS\n"
        "Date of service: 2026-03-02\n\n"
        "HPI: 52-year-old with myofascial pain of the neck and upper back for 4 months. Failed 6 weeks of "
        "physical therapy and NSAIDs with partial relief only.\n\n"
        "Exam: taut bands with local twitch response in the L upper trapezius and bilateral levator "
        "scapulae; referred pain to the occiput. No trigger points in the rhomboids.\n\n"
        "Diagnosis: myofascial pain syndrome (M79.18).\n\n"
        "Procedure: After consent, trigger point injections were performed with lidocaine 1% 4 mL total "
        "and triamcinolone into the L upper trapezius, bilateral levator scapulae and R infraspinatous. "
        "Right sternocleidomastoid was injected in 2023 and is not treated today. Will consider gluteus "
        "medius at the next visit.\n\n"
        "Plan: home stretching program; follow up in 4 weeks.\n"
    )
    n = Note(text)
    for head in ("HPI:", "Exam:", "Diagnosis:", "Procedure:", "Plan:"):
        n.m("SECTION", head, normalized=head[:-1].lower(), match="pattern")
    pt = n.m("PRIOR_TX", "physical therapy", normalized="physical_therapy", section="hpi")
    nsaid = n.m("PRIOR_TX", "NSAIDs", normalized="nsaid", match="abbreviation", section="hpi")
    n.m("DURATION", "6 weeks", normalized="6 weeks", match="pattern", section="hpi")
    for finding in ("taut bands", "local twitch response", "referred pain"):
        n.m("EXAM", finding, normalized=finding.replace(" ", "_"), section="exam")
    n.m(
        "MUSCLE",
        "L upper trapezius",
        normalized="trapezius",
        side="left",
        injected=False,
        section="exam",
        alias="upper trapezius",
        rule_id="muscle.trapezius",
    )
    n.m("SIDE", "L", after="in the L upper", normalized="left", section="exam")
    n.m("MUSCLE", "levator scapulae", normalized="levator_scapulae", injected=False, section="exam")
    n.m("CUE", "No", after="occiput.", normalized="negated", section="exam", rule_id="neg_no")
    n.m(
        "MUSCLE",
        "rhomboids",
        normalized="rhomboids",
        assertion="negated",
        injected=False,
        cue="No",
        cue_rule="neg_no",
        section="exam",
    )
    dx = n.m("DIAGNOSIS", "myofascial pain syndrome", normalized="M79.18", section="diagnosis")
    code = n.m("DIAGNOSIS", "M79.18", normalized="M79.18", match="pattern", section="diagnosis")
    proc = n.m(
        "PROCEDURE", "trigger point injections were performed", normalized="injection", section="procedure"
    )
    lido = n.m("SUBSTANCE", "lidocaine 1% 4 mL", normalized="lidocaine", section="procedure")
    n.m("DOSE", "4 mL", after="lidocaine", normalized="4 mL", match="pattern", section="procedure")
    triam = n.m("SUBSTANCE", "triamcinolone", normalized="triamcinolone", section="procedure")
    trap = n.m(
        "MUSCLE",
        "L upper trapezius",
        2,
        normalized="trapezius",
        side="left",
        injected=True,
        section="procedure",
        alias="upper trapezius",
        rule_id="muscle.trapezius",
    )
    n.m("SIDE", "L", after="triamcinolone into the", normalized="left", section="procedure")
    lev = n.m(
        "MUSCLE",
        "bilateral levator scapulae",
        2,
        normalized="levator_scapulae",
        injected=True,
        section="procedure",
    )
    n.m("SIDE", "bilateral", 2, normalized="bilateral", section="procedure")
    infra = n.m(
        "MUSCLE",
        "R infraspinatous",
        normalized="infraspinatus",
        side="right",
        injected=True,
        match="fuzzy",
        score=93.3,
        alias="infraspinatus",
        section="procedure",
    )
    n.m("SIDE", "R", after="scapulae and", normalized="right", section="procedure")
    n.m(
        "MUSCLE",
        "Right sternocleidomastoid",
        normalized="sternocleidomastoid",
        side="right",
        assertion="historical",
        injected=False,
        cue="in 2023",
        cue_rule="hist_year",
        section="procedure",
    )
    n.m("SIDE", "Right", normalized="right", section="procedure")
    n.m("CUE", "in 2023", normalized="historical", section="procedure", rule_id="hist_year")
    n.m("CUE", "Will consider", normalized="hypothetical", section="procedure", rule_id="hyp_consider")
    n.m(
        "MUSCLE",
        "gluteus medius",
        normalized="gluteus_medius",
        assertion="hypothetical",
        injected=False,
        cue="Will consider",
        cue_rule="hyp_consider",
        section="procedure",
    )
    n.m(
        "PRIOR_TX",
        "home stretching program",
        normalized="home_exercise",
        assertion="hypothetical",
        section="plan",
    )
    result = NoteResult(
        note_id="h001",
        procedure="trigger_point_injection",
        injected_muscles=[
            InjectedMuscle(muscle="trapezius", side="left", is_group=False, region="neck", evidence=[trap]),
            InjectedMuscle(
                muscle="levator_scapulae", side="left", is_group=False, region="neck", evidence=[lev]
            ),
            InjectedMuscle(
                muscle="levator_scapulae", side="right", is_group=False, region="neck", evidence=[lev]
            ),
            InjectedMuscle(
                muscle="infraspinatus", side="right", is_group=False, region="shoulder", evidence=[infra]
            ),
        ],
        substances=[
            Substance(
                substance="lidocaine",
                role="anesthetic",
                concentration="1%",
                volume=Quantity(value=4, unit="mL"),
                evidence=[lido],
            ),
            Substance(substance="triamcinolone", role="corticosteroid", evidence=[triam]),
        ],
        prior_treatments=[
            PriorTreatment(
                treatment="physical_therapy",
                name="physical therapy",
                duration="6 weeks",
                outcome="failed",
                evidence=[pt],
            ),
            PriorTreatment(treatment="nsaid", name="NSAIDs", outcome="partial_relief", evidence=[nsaid]),
        ],
        diagnoses=[
            Diagnosis(
                code="M79.18",
                text="myofascial pain syndrome",
                valid=True,
                evidence=[dx, code],
                description="Myalgia, other site",
            )
        ],
        claim_lines=[
            ClaimLine(
                code="20553",
                units=1,
                description="Injection(s); single or multiple trigger point(s), 3 or more muscles",
                rationale="4 muscles injected: trapezius L, levator scapulae L "
                "and R, infraspinatus R (3 or more).",
                rule_id="cpt.tpi_3plus",
                evidence=[trap, lev, infra, proc],
            ),
        ],
        warnings=[
            Warning(
                code="DOSE_MISSING",
                severity="warning",
                message="Triamcinolone is named without a dose or volume.",
                evidence=[triam],
                rule_id="dose.missing",
            ),
        ],
        mentions=n.mentions,
        meta=_meta("2026-03-02", "P-1001"),
    )
    return result, text


def build_hold_note() -> tuple[NoteResult, str]:
    """No muscle named (MUSCLES_NOT_NAMED), an invalid code, and two spans that cross."""
    text = (
        "Chief complaint: low back pain.\n"
        "Assessment: Low back pain, M54.5. Patient has tried chiropractic care without benefit.\n"
        "Exam: tender points lumbar paraspinals bilaterally.\n"
        "Procedure: Trigger point injections were performed in the low back muscles using 0.25% "
        "bupivacaine 6 mL. Patient tolerated well.\n"
    )
    n = Note(text)
    for head in ("Chief complaint:", "Assessment:", "Exam:", "Procedure:"):
        n.m("SECTION", head, normalized=head[:-1].lower(), match="pattern")
    dx = n.m("DIAGNOSIS", "Low back pain", normalized="low_back_pain", section="assessment")
    code = n.m("DIAGNOSIS", "M54.5", normalized="M54.5", match="pattern", section="assessment")
    chiro = n.m("PRIOR_TX", "chiropractic care", normalized="chiropractic", section="assessment")
    n.m("CUE", "without benefit", normalized="failed", section="assessment")
    # EXAM and MUSCLE cross: "tender points lumbar" / "lumbar paraspinals" share "lumbar".
    n.m("EXAM", "tender points lumbar", normalized="focal_tenderness", section="exam")
    n.m("MUSCLE", "lumbar paraspinals", normalized="lumbar_paraspinals", injected=False, section="exam")
    proc = n.m(
        "PROCEDURE", "Trigger point injections were performed", normalized="injection", section="procedure"
    )
    region = n.m("REGION", "low back muscles", normalized="low_back", section="procedure")
    bupi = n.m("SUBSTANCE", "0.25% bupivacaine 6 mL", normalized="bupivacaine", section="procedure")
    n.m("DOSE", "6 mL", normalized="6 mL", match="pattern", section="procedure")
    clause = n.ev("Trigger point injections were performed in the low back muscles")
    result = NoteResult(
        note_id="h002",
        procedure="trigger_point_injection",
        substances=[
            Substance(
                substance="bupivacaine",
                role="anesthetic",
                concentration="0.25%",
                volume=Quantity(value=6, unit="mL"),
                evidence=[bupi],
            )
        ],
        prior_treatments=[
            PriorTreatment(
                treatment="chiropractic", name="chiropractic care", outcome="failed", evidence=[chiro]
            )
        ],
        diagnoses=[Diagnosis(code="M54.5", text="Low back pain", valid=False, evidence=[dx, code])],
        claim_lines=[
            ClaimLine(
                code="20552",
                units=1,
                description="Injection(s); single or multiple trigger point(s), 1 or 2 muscles",
                rationale="No muscle is named: lowest supported code, pending a provider query.",
                evidence=[proc],
            )
        ],
        warnings=[
            Warning(
                code="MUSCLES_NOT_NAMED",
                severity="error",
                message="Injections are documented but no muscle is named.",
                evidence=[clause],
            ),
            Warning(
                code="DIAGNOSIS_CODE_INVALID",
                severity="error",
                message="M54.5 is not billable since 2021-10-01 (use M54.50, M54.51 or M54.59).",
                evidence=[code],
            ),
            Warning(
                code="NONSPECIFIC_MUSCLE",
                severity="warning",
                message="A region stands where a muscle should be named.",
                evidence=[region],
            ),
            Warning(
                code="MEDICAL_NECESSITY_MISSING",
                severity="warning",
                message="No reason for choosing injections is documented.",
            ),
        ],
        mentions=n.mentions,
        meta=_meta(),
    )
    return result, text


def build_dry_needling_note() -> tuple[NoteResult, str]:
    """Dry needling with a separate E/M; CRLF line ends and a character outside the BMP."""
    text = (
        "Subjective:\r\n"
        "Established patient for follow-up of chronic migraine and new right shoulder pain \U0001f44d since "
        "lifting boxes.\r\n"
        "Procedure:\r\n"
        "Dry needling without injectate performed to R supraspinatus and R deltoid under ultrasound "
        "guidance.\r\n"
        "Assessment/Plan:\r\n"
        "99214-25: new shoulder problem evaluated separately; MRI ordered. Migraine regimen adjusted.\r\n"
    )
    n = Note(text)
    for head in ("Subjective:", "Procedure:", "Assessment/Plan:"):
        n.m("SECTION", head, normalized=head[:-1].lower(), match="pattern")
    dn = n.m("PROCEDURE", "Dry needling without injectate", normalized="dry_needling", section="procedure")
    supra = n.m(
        "MUSCLE",
        "R supraspinatus",
        normalized="supraspinatus",
        side="right",
        injected=True,
        section="procedure",
    )
    n.m("SIDE", "R", after="performed to", normalized="right", section="procedure")
    delt = n.m("MUSCLE", "R deltoid", normalized="deltoid", side="right", injected=True, section="procedure")
    n.m("SIDE", "R", after="supraspinatus and", normalized="right", section="procedure")
    n.m("GUIDANCE", "ultrasound guidance", normalized="ultrasound", section="procedure")
    em = n.m("EM", "99214-25", normalized="99214", match="pattern", section="assessment")
    sep = n.ev("new shoulder problem evaluated separately")
    guided = n.ev("under ultrasound guidance")
    result = NoteResult(
        note_id="h003",
        procedure="dry_needling",
        injected_muscles=[
            InjectedMuscle(
                muscle="supraspinatus", side="right", is_group=False, region="shoulder", evidence=[supra]
            ),
            InjectedMuscle(
                muscle="deltoid", side="right", is_group=False, region="shoulder", evidence=[delt]
            ),
        ],
        guidance="ultrasound",
        em_service=EMService(
            documented=True,
            separately_identifiable=True,
            code="99214",
            evidence=[em, sep],
            rationale="A new shoulder problem was evaluated apart from the procedure.",
        ),
        claim_lines=[
            ClaimLine(
                code="20560",
                units=1,
                description="Needle insertion(s) without injection(s); 1 or 2 muscle(s)",
                rationale="Needling with no injectate in 2 muscles.",
                evidence=[dn],
            ),
            ClaimLine(
                code="76942",
                units=1,
                description="Ultrasonic guidance for needle placement",
                rationale="Ultrasound guidance documented.",
                evidence=[guided],
            ),
            ClaimLine(
                code="99214",
                units=1,
                modifiers=["25"],
                description="Office visit, established patient",
                rationale="Separately identifiable E/M documented.",
                evidence=[em],
            ),
        ],
        warnings=[
            Warning(
                code="DRY_NEEDLING",
                severity="info",
                message="Needling with no injectate: coded as dry needling.",
                evidence=[dn],
            ),
            Warning(
                code="GUIDANCE_NECESSITY",
                severity="info",
                message="Document why imaging guidance was needed.",
                evidence=[guided],
            ),
        ],
        mentions=n.mentions,
        meta=_meta("2026-04-11"),
    )
    return result, text


XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = '<img src=x onerror="window.__pwned=2">'


def build_hostile_note() -> tuple[NoteResult, str]:
    """Markup everywhere a note can carry it: text, ids, messages, cues, meta."""
    text = (
        f"Procedure: TPI to L trapezius {XSS_SCRIPT} and 2 mL lidocaine.\n"
        f"Comment: {XSS_IMG} & \"quoted\" 'text' </div></span> &amp; <!-- c -->\n"
    )
    n = Note(text)
    n.m("SECTION", "Procedure:", normalized="procedure", match="pattern")
    trap = n.m(
        "MUSCLE",
        "L trapezius",
        normalized="trapezius",
        side="left",
        injected=True,
        cue='"><script>window.__pwned=3</script>',
        section="procedure",
    )
    n.m("SIDE", "L", after="TPI to", normalized="left", section="procedure")
    n.m("MARKUP", XSS_SCRIPT, normalized="<b>x</b>", section="procedure")
    lido = n.m("SUBSTANCE", "2 mL lidocaine", normalized="lidocaine", section="procedure")
    img = n.ev(XSS_IMG)
    result = NoteResult(
        note_id='x"ss<1>/../evil',
        procedure="trigger_point_injection",
        injected_muscles=[
            InjectedMuscle(muscle="trapezius", side="left", is_group=False, region="neck", evidence=[trap])
        ],
        substances=[
            Substance(
                substance="lidocaine", role="anesthetic", volume=Quantity(value=2, unit="mL"), evidence=[lido]
            )
        ],
        claim_lines=[
            ClaimLine(
                code="20552",
                units=1,
                description="<b>1 or 2 muscles</b>",
                rationale="<script>alert(1)</script>",
            )
        ],
        warnings=[
            Warning(
                code="EXAM_FINDINGS_MISSING",
                severity="warning",
                message='<img src=y onerror="window.__pwned=4">',
                evidence=[img],
            )
        ],
        mentions=n.mentions,
        meta=_meta(patient="<i>p</i>"),
    )
    return result, text


BUILDERS = {
    "tpi": build_tpi_note,
    "hold": build_hold_note,
    "dry_needling": build_dry_needling_note,
    "hostile": build_hostile_note,
}


@pytest.fixture(params=sorted(BUILDERS))
def any_note(request) -> tuple[NoteResult, str]:
    return BUILDERS[request.param]()


@pytest.fixture
def tpi_note() -> tuple[NoteResult, str]:
    return build_tpi_note()


@pytest.fixture
def hold_note() -> tuple[NoteResult, str]:
    return build_hold_note()


@pytest.fixture
def dn_note() -> tuple[NoteResult, str]:
    return build_dry_needling_note()


@pytest.fixture
def hostile_note() -> tuple[NoteResult, str]:
    return build_hostile_note()


@pytest.fixture
def all_notes() -> list[tuple[NoteResult, str]]:
    return [build() for build in BUILDERS.values()]


@pytest.fixture(scope="module")
def note_builders() -> dict:
    """The builders by name, for module-scoped fixtures (the browser tests)."""
    return dict(BUILDERS)


# ---------------------------------------------------------------------------------------------------
# Reading pages back with html.parser
# ---------------------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None
    text: list[str] = field(default_factory=list)
    in_note: bool = False

    @property
    def content(self) -> str:
        return "".join(self.text)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class Page(HTMLParser):
    """Parses a page into elements with their full text content; checks tags are balanced."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.note_text: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.feed(source)
        self.close()
        assert not self.stack, f"unclosed: {[e.tag for e in self.stack]}"

    def handle_starttag(self, tag, attrs):
        parent = self.stack[-1] if self.stack else None
        el = Element(tag, dict(attrs), parent)
        el.in_note = bool(parent and (parent.in_note or parent.attrs.get("id") == "note"))
        self.elements.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1].tag == tag, (
            f"</{tag}> closes {self.stack[-1].tag if self.stack else None}"
        )
        self.stack.pop()

    def handle_data(self, data):
        for el in self.stack:
            el.text.append(data)
        if self.stack and self.stack[-1].tag == "script":
            self.scripts.append(data)
        if self.stack and self.stack[-1].tag == "style":
            self.styles.append(data)
        if self.stack and (self.stack[-1].in_note or self.stack[-1].attrs.get("id") == "note"):
            self.note_text.append(data)

    # Views -------------------------------------------------------------------------------------------

    def by_id(self) -> dict[str, Element]:
        ids = [e.attrs["id"] for e in self.elements if e.attrs.get("id")]
        assert len(ids) == len(set(ids)), "duplicate ids"
        return {e.attrs["id"]: e for e in self.elements if e.attrs.get("id")}

    def find(self, **attrs) -> list[Element]:
        return [
            e for e in self.elements if all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def with_attr(self, name: str) -> list[Element]:
        return [e for e in self.elements if name in e.attrs]

    @property
    def note(self) -> str:
        return "".join(self.note_text)


@pytest.fixture
def parse():
    return Page
