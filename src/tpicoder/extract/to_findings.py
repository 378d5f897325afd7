"""Doc -> :class:`tpicoder.findings.Findings`: the only code that reads ``doc._`` attributes."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc

from tpicoder.extract.dates import dates_in, parse_date
from tpicoder.extract.extensions import Hit
from tpicoder.findings import EMFinding, Findings, GuidanceFinding
from tpicoder.lexicon import load_extraction_lexicon
from tpicoder.schema import Diagnosis, Evidence, InjectedMuscle, Mention, PriorTreatment, Quantity, Substance

# Tokens between a group and its member for the group to be a label ("hamstrings - biceps femoris").
GROUP_LABEL_GAP = 3
# Tokens between "did not inject" and a muscle it names (one muscle left out, not the procedure).
NO_PROCEDURE_OBJECT_GAP = 4
# Tokens between a muscle and the "injection deferred" after it.
NO_PROCEDURE_SUBJECT_GAP = 1
# A note's title is at most its first this many non-blank lines.
TITLE_LINES = 2
# Side rules (laterality.assign_sides) that read a side from around a muscle rather than beside it.
WEAK_SIDE_RULES = frozenset({"sentence", "section", "side_field", "list_lead", "same_muscle"})
_OTHER_SIDE = {"left": "right", "right": "left"}
_SIDES = ("left", "right", "unspecified")
# "the scalene injection": a group named as the injection already told.
_BACK_REFERENCE = re.compile(r"\s+injections?\b", re.IGNORECASE)
# "in both rhomboids": the two sides named by "both" right before a group.
_BOTH_BEFORE = re.compile(r"\bboth\s+(?:the\s+)?$", re.IGNORECASE)
# In a guided note, sides that do not make a default-injected muscle a site: a side written once in
# the section, or in the header of a list ("PROCEDURE 1 - Right suprascapular nerve block:").
GUIDED_WEAK_SIDE_RULES = frozenset({"section", "list_lead"})
_OUTCOME_RANK = {"failed": 0, "partial_relief": 1, "relief": 2, "unknown": 3}
_MENTION_LABEL = {
    "REGIONAL": "MUSCLE",
    "ICD10": "DIAGNOSIS",
    "DX_PHRASE": "DIAGNOSIS",
    "TP_EXAM": "EXAM",
    "VOLUME": "DOSE",
    "CONCENTRATION": "DOSE",
    "EM_CODE": "EM",
}
_MENTIONED = frozenset(
    {
        "MUSCLE",
        "REGIONAL",
        "SUBSTANCE",
        "PRIOR_TX",
        "SIDE",
        "DOSE",
        "VOLUME",
        "CONCENTRATION",
        "ICD10",
        "DX_PHRASE",
        "GUIDANCE",
        "TP_EXAM",
        "SECTION",
        "EM_CODE",
    }
)
_LIVE = ("present",)
# Sections that tell what is planned or what was done before, not what is done now.
PLAN_OR_HISTORY_SECTIONS = frozenset({"plan", "history", "medications"})
# Sides written short in a correction ("entered as "R" in error").
_SIDE_WORD = {"l": "left", "lt": "left", "r": "right", "rt": "right"}
# Sections that recount the visit's reason and history (not its plan or procedure).
_HISTORY_SECTIONS = frozenset({"history", "indication", "unknown", "exam"})


_JOINER = re.compile(r"[+&,;]|\band\b|\bplus\b")
# Words of a line, and the ampersand of a practice's name ("Chiropractic & Rehab").
_WORD = re.compile(r"[a-z]+|&")
# A heading over the reason for guidance ("Why ultrasound:", "Guidance rationale:").
_REASON_HEADING = re.compile(
    r"(?i)(?:(?:guidance|ultrasound|imaging)\s+)?(?:why|reason|rationale|indication)\b"
)
_TRIGGER_POINT = re.compile(r"(?i)trigger\s*points?|\btpis?\b|\btp\b")
# A line labelled as the guidance's own field ("Guidance: Ultrasound was needed because of the plexus").
_GUIDANCE_FIELD = re.compile(
    r"(?i)[ \t]*(?:(?:imaging|image|ultrasound|us|fluoroscopic|fluoro)\s+)?"
    r"(?:guidance|imaging|ultrasound|fluoroscopy)(?:\s+(?:used|note|details))?\s*[:\-]"
)


class FindingsBuilder:
    """Turns the hits of one Doc into Findings. Regional ids are resolved here."""

    def __init__(self, doc: Doc, config: FindingsConfig, text: str | None = None) -> None:
        self.doc = doc
        self.config = config
        self.regional_map = config.regional
        self.members = config.members
        self.history_only_cues = config.history_only_cues
        self.text = doc.text if text is None else text
        self.hits: list[Hit] = list(doc._.tpi_hits or [])
        self._by_label: dict[str, list[Hit]] = {}
        # Historical cues by sentence, built on first use (see _dated_beside).
        self._history_cues: dict[int, list[Hit]] | None = None
        for h in sorted(self.hits, key=lambda h: h.start):
            self._by_label.setdefault(h.label, []).append(h)

    def ev(self, start: int, end: int) -> Evidence:
        """Evidence for a character span of the text."""
        # Validated construction: in pydantic 2 it is faster than model_construct (1.5 vs 2.3 us).
        return Evidence(start=start, end=end, text=self.text[start:end])

    def hev(self, h: Hit) -> Evidence:
        """Evidence for a hit."""
        return self.ev(h.start, h.end)

    def of(self, *labels: str) -> list[Hit]:
        """Hits with one of ``labels``, in text order."""
        if len(labels) == 1:
            return list(self._by_label.get(labels[0], ()))
        return sorted((h for label in labels for h in self._by_label.get(label, ())), key=lambda h: h.start)

    # -- muscles -----------------------------------------------------------------------------------
    def _resolve_regional(self, h: Hit, region_hits: list[Hit]) -> None:
        spec = self.regional_map.get(h.norm or "")
        if not spec:
            return
        same = [r for r in region_hits if r.sent == h.sent]
        pool = same or region_hits
        region = None
        if same:
            region = min(same, key=lambda r: abs(r.tok_start - h.tok_start)).norm
        elif pool:
            region = Counter(r.norm for r in pool).most_common(1)[0][0]
        target = spec["by_region"].get(region or "", spec["default"])
        h.attrs = {**h.attrs, "resolved": target, "group": True, "region": spec["regions"].get(target)}

    def build(self) -> Findings:
        """Assemble the Findings of the doc."""
        region_hits = self.of("REGION_CUE")
        for h in self.of("REGIONAL"):
            self._resolve_regional(h, region_hits)
        muscle_hits = self.of("MUSCLE", "REGIONAL")
        injected = [h for h in muscle_hits if h.injected and h.assertion == "present"]
        if any(g.assertion == "present" for g in self.of("GUIDANCE")):
            injected = [h for h in injected if not self._weakly_injected(h, muscle_hits)]
        injected = self._drop_group_labels(injected)
        self.retracted = self._retracted(injected, muscle_hits)
        # In a note where muscles were injected, an injectate written with its concentration or amount
        # ("MEDICATION: 0.5% bupivacaine 3 mL") is what was injected, even in a sentence without an
        # injection word; lists of current medications and the history are left out.
        # A "Medications:" list of a procedure note holds the injectate when it is written as one
        # ("1% lidocaine 3 mL + 0.5% bupivacaine 3 mL"): strength and volume, never a patch or a pill.
        sites = injected or [h for h in self.of("NONSPECIFIC") if h.injected and h.assertion == "present"]
        substances = [
            h
            for h in self.of("SUBSTANCE")
            if h.assertion == "present"
            and (
                h.injected
                or (
                    sites
                    and (
                        h.section not in ("history", "medications")
                        or (
                            h.section == "medications"
                            and h.attrs.get("concentration")
                            and h.attrs.get("volume")
                        )
                    )
                    and not (h.cue is not None and h.cue.norm == "LANDMARK")  # a skin wheal
                    and any(h.attrs.get(k) for k in ("concentration", "dose", "volume"))
                )
            )
        ]
        # A region named in an injection statement ("trigger points in the upper back were injected")
        # stands for muscles only when the note names no injected muscle at all; beside named
        # muscles, "low back" or "shoulder" is the site of the pain, not an injection target.
        nonspecific = (
            [] if injected else [h for h in self.of("NONSPECIFIC") if h.injected and h.assertion == "present"]
        )
        dry = [h for h in self.of("DRY_NEEDLING") if h.assertion == "present"]
        # "Procedure deferred - not performed" negates itself; only a conditional one is discounted.
        # "I did not inject the rhomboid minor" leaves one muscle out, not the procedure, and so
        # does "we did not inject the left side today" (one side; "either side" is not one).
        one_side = [s for s in self.of("SIDE") if s.norm in ("left", "right")]
        no_proc = [
            h
            for h in self.of("NO_PROCEDURE")
            if self._stated(h)
            and not any(
                m.sent == h.sent
                and (
                    0 <= m.tok_start - h.tok_end <= NO_PROCEDURE_OBJECT_GAP
                    # "Lateral pterygoid injection deferred": the muscle names what was put off.
                    or 0 <= h.tok_start - m.tok_end <= NO_PROCEDURE_SUBJECT_GAP
                )
                for m in (*muscle_hits, *one_side)
            )
        ]
        # "No injections were given into the cervical paraspinals, rhomboids or pectoralis minor":
        # the muscles after a no-procedure phrase in its sentence were left out.
        left_out = [h for h in self.of("NO_PROCEDURE") if self._stated(h) and h not in no_proc]
        if left_out:
            injected = [
                m for m in injected if not any(m.sent == h.sent and m.start >= h.end for h in left_out)
            ]
        # A procedure section that itself says "** NOT PERFORMED **" documents no injection.
        refused = {self._section_start(h) for h in no_proc}
        if no_proc and not any(
            h.section == "procedure" and self._section_start(h) not in refused
            for h in (*injected, *substances)
        ):
            # A note that says the procedure was not done, and documents no injection in a
            # procedure section, reports none: "presents today for TPI of L trap" is the plan.
            injected, substances, nonspecific = [], [], []
        events = [
            h for h in self.of("CUE") if h.norm == "INJECTION" and h.section in ("procedure", "unknown")
        ]
        kind = "none"
        # Another procedure's drugs ("Procedure: L knee intra-articular injection ... 40 mg
        # methylprednisolone") are listed beside trigger points, but inject none.
        own = [h for h in substances if h.section != "other_procedure"]
        if dry and not own:
            # With no muscle needled, only a needling told outside the plan and history is one
            # ("could reconsider TPI or dry needling then" in a plan is no session).
            told = any(d.section not in PLAN_OR_HISTORY_SECTIONS for d in dry)
            kind = "needling" if (injected or nonspecific or (told and not no_proc)) else "none"
        elif injected or own or nonspecific:
            kind = "injection"
        elif events and not no_proc and any(h.section == "procedure" for h in events):
            kind = "injection"
        if kind == "injection":
            # The local anaesthetic of a skin wheal was injected this session too, so it is listed with
            # the injectates; it never makes a needling session an injection (see above).
            listed = {id(h) for h in substances}
            substances += [
                h
                for h in self.of("SUBSTANCE")
                if h.assertion == "present"
                and h.cue is not None
                and h.cue.rule_id == "skin_wheal"
                and h.section in ("procedure", "unknown")
                and id(h) not in listed
            ]
        self.kind = kind
        f = Findings(text_length=len(self.text), procedure_kind=kind)
        if kind != "none":
            f.procedure_evidence = [self.hev(h) for h in (dry if kind == "needling" else events)[:5]]
            f.injected_muscles = self._muscles(injected)
            f.nonspecific_sites = [self.hev(h) for h in nonspecific]
            if kind == "injection":
                f.substances = self._substances(substances)
            f.guidance = self._guidance()
        f.prior_treatments = self._treatments()
        f.diagnoses = self._diagnoses()
        f.exam_findings = [
            self.hev(h) for h in self.of("TP_EXAM") if h.assertion in ("present", "historical")
        ]
        f.indication = [self.hev(h) for h in self.of("INDICATION") if h.assertion != "negated"]
        f.indication += [self.hev(h) for h in self.of("SECTION") if h.norm == "indication"]
        f.em = self._em()
        f.repeat_relief = [self.hev(h) for h in self.of("REPEAT_RELIEF")]
        dos = [parse_date(str(h.value)) for h in self.of("DOS")]
        f.date_of_service = next((d for d in dos if d), None) or self._procedure_header_date()
        pid = self.of("PATIENT_ID")
        f.patient_id = str(pid[0].value) if pid else None
        f.mentions = self._mentions()
        return f

    def _skipped_sides(self) -> set[str]:
        """Sides a sentence says were left out today ("NOT to do the left side today")."""
        out = set()
        for h in self.of("SIDE_SKIPPED"):
            if h.assertion in ("hypothetical", "historical"):
                continue
            word = next((g for g in h.groups if g), "").lower()
            out.add("left" if word.startswith("l") else "right")
        return out

    def _weakly_injected(self, h: Hit, muscle_hits: list[Hit]) -> bool:
        """Tell whether a muscle of an image-guided note counts as injected on too little to bill it.

        A muscle injected only because it stands in a procedure section (no injection word, no list
        under one, no back-reference), and sided only by a side written elsewhere in the section or
        a list's header, or not at all, is anatomy described around the targets ("teres major
        distinguished from teres minor and the long head of triceps"). So is one injected only as an
        item under a lead-in that names the targets but not it.
        """
        # "... trigger point injections, pectoralis minor and serratus anterior:" over a paragraph
        # that also names the latissimus dorsi seen beside the serratus.
        if h.attrs.get("by_lead") and h.attrs.get("side_rule") == "list_lead":
            lead = (self.doc._.tpi_list_lead or {}).get(h.sent)
            norm = h.attrs.get("resolved", h.norm)
            return lead is not None and not any(
                m.sent == lead and m.attrs.get("resolved", m.norm) == norm for m in muscle_hits
            )
        return bool(h.attrs.get("by_default")) and (
            h.side is None or h.attrs.get("side_rule") in GUIDED_WEAK_SIDE_RULES
        )

    def _stated(self, no_procedure: Hit) -> bool:
        """Tell whether a no-procedure phrase states a fact: not a condition, maybe a discussion."""
        cue = no_procedure.cue
        return no_procedure.assertion != "hypothetical" or (
            cue is not None and cue.rule_id in self.config.reporting_cues
        )

    def _retracted(self, injected: list[Hit], muscle_hits: list[Hit]) -> set[tuple[str, str]]:
        """(muscle, side) pairs a later sentence says were not injected.

        "ADDENDUM: The R levator scapulae was NOT injected"; "bilaterally to the SCM ..., with the
        exception of the left SCM, which was not injected": a later line that takes back an injection
        wins over the earlier statement, on its side or (with no side) on every side.
        """
        out: set[tuple[str, str]] = set()
        for r in muscle_hits:
            if not (
                r.assertion == "negated"
                and r.cue is not None
                and r.cue.rule_id in self.config.retracting_cues
            ):
                continue
            muscle = r.attrs.get("resolved", r.norm)
            if not any(h.attrs.get("resolved", h.norm) == muscle and h.end <= r.start for h in injected):
                continue
            if r.side in ("left", "right"):
                out.add((muscle, r.side))
            else:
                out.update((muscle, side) for side in ("left", "right", "unspecified"))
        return out

    def _section_start(self, h: Hit) -> int:
        """Start offset of the section ``h`` stands in (-1 before the first header)."""
        starts = [sec.start for sec in self.doc._.tpi_sections or [] if sec.start <= h.start]
        return max(starts) if starts else -1

    def _drop_group_labels(self, injected: list[Hit]) -> list[Hit]:
        """Drop a group written as a label for its member ("right hamstrings - biceps femoris: 2 mL")."""
        out = []
        for i, h in enumerate(injected):
            group = h.attrs.get("resolved", h.norm)
            nxt = injected[i + 1] if i + 1 < len(injected) else None
            if (
                nxt is not None
                and nxt.norm in self.members.get(group, ())
                and nxt.sent == h.sent
                and 0 <= nxt.tok_start - h.tok_end <= GROUP_LABEL_GAP
                # "R forearm extensors + R brachioradialis", "to the forearm extensors and
                # brachioradialis": two sites joined as a list.
                and _JOINER.search(self.text, h.end, nxt.start) is None
            ):
                continue
            out.append(h)
        return out

    def _title_end(self, title_lines: int = TITLE_LINES) -> int:
        """End of the note's title: its first ``title_lines`` non-blank lines, up to the first section."""
        first_section = min((sec.start for sec in self.doc._.tpi_sections or []), default=len(self.text))
        end, lines = 0, 0
        while lines < title_lines and end < len(self.text):
            nl = self.text.find("\n", end)
            line_end = len(self.text) if nl < 0 else nl
            if self.text[end:line_end].strip():
                lines += 1
            end = line_end + 1
        return min(end, first_section)

    def _summary_lines(self) -> list[tuple[int, int]]:
        """Spans that name a procedure rather than its sites: the title, procedure headers' lines."""
        spans = [(0, self._title_end())]
        for sec in self.doc._.tpi_sections or []:
            if sec.kind == "procedure":
                nl = self.text.find("\n", sec.header_end)
                spans.append((sec.header_start, len(self.text) if nl < 0 else nl))
        return spans

    def _procedure_header_date(self) -> str | None:
        """Return the date written in a procedure section's header ("proc (03/10/2026):"), if any."""
        for sec in self.doc._.tpi_sections or []:
            if sec.kind == "procedure":
                found = sorted(dates_in(self.text[sec.header_start : sec.header_end]))
                if found:
                    return found[0]
        return None

    def _other_side(self, injected: list[Hit]) -> list[tuple[Hit, str, Hit]]:
        """(muscle hit, opposite side, phrase) for "same on the other side" after sided injections."""
        out = []
        for phrase in self.of("OTHER_SIDE"):
            if phrase.assertion not in (None, "present"):
                continue
            for h in injected:
                if (
                    h.side in ("left", "right")
                    and h.end <= phrase.start
                    and phrase.start - h.end <= self.config.other_side_reach
                    and h.section == phrase.section
                ):
                    out.append((h, "right" if h.side == "left" else "left", phrase))
        return out

    def _corrected_side(self) -> tuple[dict[str, str], Hit | None]:
        """Side corrections an addendum makes for the whole note ("Correction: right, not left")."""
        fixes = [h for h in self.of("SIDE_CORRECTION") if h.groups and all(h.groups[:2])]
        if not fixes:
            return {}, None
        last = fixes[-1]
        meant, wrong = (_SIDE_WORD.get(str(g).lower(), str(g).lower()) for g in last.groups[:2])
        return ({wrong: meant} if meant != wrong else {}), last

    def _muscles(self, injected: list[Hit]) -> list[InjectedMuscle]:
        found: dict[tuple[str, str], InjectedMuscle] = {}
        sited = [
            (h, ["left", "right"] if h.side == "bilateral" else [h.side or "unspecified"], None)
            for h in injected
        ]
        sited += [(h, [side], phrase) for h, side, phrase in self._other_side(injected)]
        swap, correction = self._corrected_side()
        if swap:
            # The addendum's side replaces the one written in error, everywhere in the note.
            sited = [
                (h, [swap.get(s, s) for s in sides], correction if set(sides) & set(swap) else phrase)
                for h, sides, phrase in sited
            ]
        # How each pair got its side: a group whose side only echoes another mention is checked below.
        side_rules: dict[tuple[str, str], set[str]] = {}
        named_at: dict[tuple[str, str], list[tuple[int, int]]] = {}
        both: set[tuple[str, str]] = set()  # pairs whose side is the word "both"
        for h, sides, phrase in sited:
            muscle = h.attrs.get("resolved", h.norm)
            evidence = [self.hev(h)] + ([self.hev(phrase)] if phrase is not None else [])
            for side in sides:
                key = (muscle, side)
                side_rules.setdefault(key, set()).add(h.attrs.get("side_rule") or "")
                named_at.setdefault(key, []).append((h.start, h.end))
                if h.side == "bilateral" and _BOTH_BEFORE.search(self.text, max(0, h.start - 12), h.start):
                    both.add(key)
                if key in found:
                    found[key].evidence.extend(evidence)
                    continue
                found[key] = InjectedMuscle(
                    muscle=muscle,
                    side=side,
                    is_group=bool(h.attrs.get("group")),
                    region=h.attrs.get("region") or "unknown",
                    evidence=evidence,
                )
        # A side read only from the sentence or section ("both target muscles lie over the ribs")
        # never adds the other side of a muscle whose injected mentions name one side themselves.
        for (muscle, side), rules in side_rules.items():
            other = _OTHER_SIDE.get(side)
            if (
                other is not None
                and rules <= WEAK_SIDE_RULES
                and (muscle, other) in found
                and not side_rules.get((muscle, other), set()) <= WEAK_SIDE_RULES
            ):
                found.pop((muscle, side), None)
        for pair in self.retracted & set(found):
            del found[pair]
        # "we agreed NOT to do the left side today": no muscle on that side was injected.
        for skipped in self._skipped_sides():
            for pair in [p for p in found if p[1] == skipped]:
                del found[pair]
        sided = {m for (m, s) in found if s != "unspecified"}
        kept = {k: v for k, v in found.items() if not (k[1] == "unspecified" and k[0] in sided)}
        # A group named with no side after one of its members ("L rhomboid minor ... a shallow angle
        # for the rhomboid") refers back to that member; a group with its own side is a site of its own
        # ("R forearm extensors" beside "R ECRL", "bilateral lumbar paraspinals" beside "R QL").
        # A group in the note's title ("US-GUIDED TPI - LEFT SCALENES") names what the procedure
        # below lists by member ("L anterior scalene", "L middle scalene"): it is no site of its own.
        # So does one on a procedure header's line ("Procedure: US-guided TPI, right scalene muscles").
        summaries = self._summary_lines()

        def summary(e: Evidence) -> tuple[int, int] | None:
            return next(((a, b) for a, b in summaries if a <= e.start < b), None)

        for muscle, side in list(kept):
            if muscle not in self.members:
                continue
            spans = {summary(e) for e in kept[(muscle, side)].evidence}
            # A member named on the same line is a site of its own beside the group ("Right-sided
            # trigger point injection to the forearm extensors and brachioradialis").
            beside = any(
                summary(e) in spans
                for mem in self.members[muscle]
                if (mem, side) in kept
                for e in kept[(mem, side)].evidence
            )
            if (
                None not in spans
                and not beside
                and any(
                    summary(e) is None
                    for mem in self.members[muscle]
                    if (mem, side) in kept
                    for e in kept[(mem, side)].evidence
                )
            ):
                del kept[(muscle, side)]
        # "TPI R anterior scalene, R middle scalene ... Scalene injections at the interscalene
        # groove": a group whose side only echoes its earlier mention refers back to the members,
        # whichever side that mention had ("Scalene Trigger Point Injection" titled, "L scalenes
        # nontender" on exam, "Right middle scalene: 1 mL" injected).
        for muscle, side in list(kept):
            rules = side_rules.get((muscle, side), set())
            if muscle in self.members and (
                (
                    rules == {"same_muscle"}
                    and any((mem, s) in kept for mem in self.members[muscle] for s in _SIDES)
                )
                # "For the scalenes the needle was directed ... tingling after the scalene injections"
                # beside "Anterior scalene  L  1.0 mL": echoes and a sentence's side, members of that side.
                or (
                    "same_muscle" in rules
                    and rules <= WEAK_SIDE_RULES
                    and any((mem, side) in kept for mem in self.members[muscle])
                )
            ):
                del kept[(muscle, side)]
        # "R rhomboid major - 3 mL, L rhomboid major - 3 mL ... LTRs in both rhomboids": "both" and a
        # group after its members injected on each side are those members again.
        for muscle, side in list(kept):
            if (
                muscle in self.members
                and (muscle, side) in both
                and any((mem, side) in kept and (mem, side) not in both for mem in self.members[muscle])
            ):
                del kept[(muscle, side)]
        # "right anterior scalene ... 1 mL. Transient R hand heaviness after the scalene injection":
        # a group whose side is only the sentence's, named as "the <group> injection" after a member
        # of that side was injected, is that member again.
        for muscle, side in list(kept):
            rules = side_rules.get((muscle, side), set())
            if muscle not in self.members or not rules or not rules <= WEAK_SIDE_RULES:
                continue
            spans = named_at.get((muscle, side), [])
            if not spans or not all(
                _BACK_REFERENCE.match(self.text, b) and self.text[max(0, a - 4) : a].lower() == "the "
                for a, b in spans
            ):
                continue
            first = min(a for a, _ in spans)
            if any(
                (mem, side) in kept and min(e.start for e in kept[(mem, side)].evidence) < first
                for mem in self.members[muscle]
            ):
                del kept[(muscle, side)]
        for muscle, side in list(kept):
            if side == "unspecified" and any(
                (mem, s) in kept
                for mem in self.members.get(muscle, ())
                for s in ("left", "right", "unspecified")
            ):
                del kept[(muscle, side)]
        return list(kept.values())

    def _substances(self, hits: list[Hit]) -> list[Substance]:
        out: dict[str, Substance] = {}
        implied = self.config.implied_concentration
        for h in hits:
            dose, vol = h.attrs.get("dose"), h.attrs.get("volume")
            if not h.attrs.get("concentration") and (h.alias or "") in implied:
                h.attrs = {**h.attrs, "concentration": implied[h.alias or ""]}
            sub = out.get(h.norm)
            # Each span once: the mentions of one drug share their amounts ("Botox ... 25 U").
            seen = {(e.start, e.end) for e in sub.evidence} if sub is not None else set()
            evidence = []
            for x in (h, *h.attrs.get("quantity_hits", [])):
                if (x.start, x.end) not in seen:
                    seen.add((x.start, x.end))
                    evidence.append(self.hev(x))
            if sub is None:
                out[h.norm] = Substance(
                    substance=h.norm,
                    role=h.attrs.get("role", "other"),
                    concentration=h.attrs.get("concentration"),
                    dose=Quantity(**dose) if dose else None,
                    volume=Quantity(**vol) if vol else None,
                    evidence=evidence,
                )
                continue
            sub.concentration = sub.concentration or h.attrs.get("concentration")
            if dose and (sub.dose is None or dose["value"] > sub.dose.value):
                sub.dose = Quantity(**dose)
            if vol and (sub.volume is None or vol["value"] > sub.volume.value):
                sub.volume = Quantity(**vol)
            sub.evidence.extend(evidence)
        return list(out.values())

    def _practice_name(self, h: Hit) -> bool:
        """Whether ``h`` stands on one of the note's first lines, in a practice's name.

        The first ``title_lines`` non-blank lines, each short (``title_line_max_chars``) and holding a
        word of ``practice_name_words`` ("Chiropractic & Rehab", "Westside Physical Therapy Associates").
        """
        config = self.config
        if not config.title_lines or not config.practice_name_words:
            return False
        line_start = self.text.rfind("\n", 0, h.start) + 1
        if line_start >= self._title_end(config.title_lines):
            return False
        line_end = self.text.find("\n", h.end)
        line = self.text[line_start : len(self.text) if line_end < 0 else line_end]
        if len(line.strip()) > config.title_line_max_chars:
            return False
        return not config.practice_name_words.isdisjoint(_WORD.findall(line.lower()))

    def _in_credentials(self, h: Hit) -> bool:
        """Whether ``h`` stands in the credentials after a clinician's name (``credential_pattern``)."""
        regex = self.config.credential_regex
        line_start = self.text.rfind("\n", 0, h.start) + 1
        # Credentials follow a name and a comma on the same line.
        if regex is None or "," not in self.text[line_start : h.start]:
            return False
        line_end = self.text.find("\n", h.end)
        line = self.text[line_start : len(self.text) if line_end < 0 else line_end]
        for m in regex.finditer(line):
            a, b = m.span("credentials")
            if line_start + a <= h.start and h.end <= line_start + b:
                return True
        return False

    def _treatments(self) -> list[PriorTreatment]:
        def cued_of(h: Hit) -> bool:
            return h.assertion == "historical" and h.cue is not None

        out: dict[str, PriorTreatment] = {}
        events = [(e.start, e.end) for e in self.of("DRY_NEEDLING") if e.assertion == "present"]
        for h in self.of("PRIOR_TX"):
            if h.attrs.get("detail_of"):
                continue
            # "Requests injections again (last ones 2023, elsewhere)": the visit's reason, dated beside.
            reason_dated = (
                h.assertion == "hypothetical"
                and h.attrs.get("history_only")
                and h.section in _HISTORY_SECTIONS
                and self._dated_beside(h)
                and self._dated_beside(h, self.config.repeat_cues)
            )
            if h.assertion not in ("present", "historical") and not reason_dated:
                continue
            # Today's needling ("DRY NEEDLING - PROCEDURE NOTE", "tolerated DN well") is the procedure,
            # not earlier care: in a needling note, dry needling counts as earlier care only with a
            # historical cue.
            if h.assertion == "present" and any(s <= h.start < e or h.start <= s < h.end for s, e in events):
                continue
            # "Continue DN 1x/wk" and "DN again if helpful" in a needling note continue or repeat
            # today's treatment.
            if (
                h.norm == "dry_needling"
                and self.kind == "needling"
                and (
                    not cued_of(h)
                    or h.cue.rule_id in self.config.ongoing_cues
                    or h.cue.rule_id in self.config.repeat_cues
                )
            ):
                continue
            cued = cued_of(h)
            # "Peak Performance Chiropractic & Rehab" on the note's title lines names the clinic.
            if not cued and h.section == "unknown" and self._practice_name(h):
                continue
            # "Provider: Dana Kowalski, PT (dry needling certified)" names the clinician.
            if self._in_credentials(h):
                continue
            if (
                h.attrs.get("history_only")
                and not reason_dated
                and not (
                    cued
                    and (
                        h.cue.rule_id in self.history_only_cues
                        or self._dated_beside(h)
                        # "Had TPI here 4 months ago": the nearest cue is "Had", "ago" stands beside.
                        or self._dated_beside(h, self.history_only_cues)
                    )
                )
            ):
                continue
            # "Myofascial pain R calf, s/p TPI" in the assessment of today's TPI is today's procedure.
            if (
                h.attrs.get("history_only")
                and self.kind != "none"
                and h.section in ("assessment", "plan", "procedure", "other_procedure")
                and self.text[h.cue.start : h.cue.end].lower() in self.config.same_visit_phrases
                and not self._dated_beside(h)
            ):
                continue
            # In a plan or procedure, a treatment named without a historical cue is a recommendation
            # or today's care ("Plan: home stretching"); an indication or assessment often recounts
            # the failed care, so it counts there.
            if h.section in ("procedure", "other_procedure", "plan") and not cued:
                continue
            outcome = h.attrs.get("outcome", "unknown")
            tr = out.get(h.norm)
            if tr is None:
                out[h.norm] = PriorTreatment(
                    treatment=h.norm,
                    name=self.text[h.start : h.end],
                    duration=h.attrs.get("duration"),
                    outcome=outcome,
                    evidence=[self.hev(h)],
                )
                continue
            tr.evidence.append(self.hev(h))
            if _OUTCOME_RANK[outcome] < _OUTCOME_RANK[tr.outcome]:
                tr.outcome = outcome
            tr.duration = tr.duration or h.attrs.get("duration")
        if "prior_injection" not in out:
            earlier = self._earlier_injection()
            if earlier is not None:
                out["prior_injection"] = PriorTreatment(
                    treatment="prior_injection",
                    name=self.text[earlier.start : earlier.end],
                    duration=None,
                    outcome="unknown",
                    evidence=[self.hev(earlier)],
                )
        return list(out.values())

    def _earlier_injection(self) -> Hit | None:
        """Return the injection word of an earlier session that names its muscles, or None.

        "On 09/16/2025 we injected the L levator", "L trap injected 6 weeks ago": the muscle is dated
        to an earlier visit by an explicit cue ("ago", a date, "last visit"), and an injection word
        stands in its sentence. A sentence that also speaks of today, a plan or a negation ("s/p TPI
        today", "scheduled today ... (planned at last visit)") is not taken (how a muscle is "now" is
        no session word), and earlier needling is dry needling.
        """
        dated = {
            m.sent
            for m in self.of("MUSCLE", "REGIONAL")
            if m.assertion == "historical" and m.cue is not None and m.cue.rule_id in self.history_only_cues
        }
        state = self.config.state_phrases
        dated -= {
            c.sent
            for c in self.of("CUE")
            if c.norm in ("CURRENT", "HYPOTHETICAL", "NEGATED")
            and not (c.norm == "CURRENT" and self.text[c.start : c.end].lower() in state)
        }
        if not dated:
            return None
        needling = [(d.start, d.end) for d in self.of("DRY_NEEDLING")]
        return next(
            (
                c
                for c in self.of("CUE")
                if c.norm == "INJECTION"
                and c.sent in dated
                and not any(a < c.end and c.start < b for a, b in needling)
                and "needl" not in self.text[c.start : c.end].lower()
            ),
            None,
        )

    def _dated_beside(self, h: Hit, rules: frozenset[str] | None = None) -> bool:
        """Tell whether an earlier date stands beside ``h`` in its sentence ("Had TPI 06/2025").

        With ``rules``, whether a historical cue of one of those rules does ("repeat", "last one").
        The phrase that already decided ``h`` is not looked at again: which of its rules stands for it
        is the assertion step's choice (the rule written first in the lexicon).
        """
        reach = self.config.dated_reach
        rules = self.config.dated_cues if rules is None else rules
        decided = (h.cue.start, h.cue.end) if h.cue is not None else None
        if self._history_cues is None:
            self._history_cues = {}
            for c in self.of("CUE"):
                if c.norm == "HISTORICAL":
                    self._history_cues.setdefault(c.sent, []).append(c)
        return any(
            c.rule_id in rules
            and (c.start, c.end) != decided
            and (0 <= c.start - h.end <= reach or 0 <= h.start - c.end <= reach)
            for c in self._history_cues.get(h.sent, ())
        )

    def _diagnoses(self) -> list[Diagnosis]:
        out: dict[str, Diagnosis] = {}
        for h in self.of("ICD10"):
            code = str(h.value).upper()
            if code in out:
                out[code].evidence.append(self.hev(h))
            else:
                out[code] = Diagnosis(code=code, text=self.text[h.start : h.end], evidence=[self.hev(h)])
        cfg = self.config
        lower = self.text.lower()
        for h in self.of("DX_PHRASE"):
            if h.assertion == "negated":
                continue
            if h.section not in cfg.diagnosis_sections:
                before = lower[max(0, h.start - cfg.diagnosis_lead_reach) : h.start]
                if not any(w in before for w in cfg.diagnosis_lead_words):
                    continue
            key = " ".join(self.text[h.start : h.end].lower().split())
            if key not in out:
                out[key] = Diagnosis(code=None, text=self.text[h.start : h.end], evidence=[self.hev(h)])
        return list(out.values())

    def _guidance(self) -> GuidanceFinding | None:
        blocked = [(h.start, h.end) for h in self.of("NO_GUIDANCE")]
        # Imaging named in another procedure's own section ("PROCEDURE 2 - R ilioinguinal nerve
        # block, ultrasound-guided (64425, 76942)") guided that procedure.
        live = [
            h
            for h in self.of("GUIDANCE")
            if h.assertion == "present"
            and h.section != "other_procedure"
            and not any(s <= h.start < e or h.start <= s < h.end for s, e in blocked)
        ]
        if not live:
            return None
        tpi = self._tpi_sentences()
        # Imaging named beside the trigger points belongs to them, unless the sentence also names
        # another procedure ("intra-articular hip injection under fluoroscopy and trigger points").
        other = {h.sent for h in self.of("OTHER_PROCEDURE")}
        own = [h for h in live if h.sent in tpi and h.sent not in other]
        if self._tpi_without_imaging(own, tpi):
            return None
        # "(1) SI joint injection under fluoroscopy. (2) Ultrasound-guided trigger point injections":
        # the trigger points' own imaging is the one coded (a stable sort puts it first).
        live.sort(key=lambda h: not (h.sent in tpi and h.sent not in other))
        sents = {h.sent for h in live} | {h.sent + 1 for h in live}
        # A reason stands beside the guidance, or under its own heading anywhere ("Why ultrasound: ...").
        headed = {
            r.sent
            for r in self.of("GUIDANCE_REASON")
            if r.rule_id == "guidance_reason"
            and (
                _REASON_HEADING.match(self.text, r.start)
                or _GUIDANCE_FIELD.match(self.text, self.text.rfind("\n", 0, r.start) + 1)
            )
        }
        sents |= headed | {s + 1 for s in headed}
        reasons = [
            self.hev(r) for r in self.of("GUIDANCE_REASON") if r.sent in sents and r.assertion != "negated"
        ]
        return GuidanceFinding(modality=live[0].norm, evidence=[self.hev(h) for h in live], reason=reasons)

    def _tpi_sentences(self) -> set[int]:
        """Sentences that name the trigger points or an injected muscle."""
        tpi = {h.sent for h in self.of("MUSCLE", "REGIONAL") if h.injected}
        tpi |= {
            h.sent
            for h in self.of("CUE")
            if h.norm == "INJECTION" and _TRIGGER_POINT.search(self.text, h.start, h.end)
        }
        return tpi

    def _tpi_without_imaging(self, own: list[Hit], tpi: set[int]) -> bool:
        """Tell whether the trigger points were done without the imaging another procedure used.

        "(2) Trigger point injections, right QL (palpation guided, no imaging)" beside "(1) medial
        branch blocks, fluoroscopic guidance": a no-guidance statement in a sentence naming the
        trigger points or an injected muscle, or right after one ("PROCEDURE 2 - Trigger point
        injection, right TFL" over "Landmark technique, 25g needle"), while no guidance phrase
        stands in such a sentence (``own``) without another procedure.
        """
        stated = any(
            (h.sent in tpi or h.sent - 1 in tpi) and h.assertion == "present" for h in self.of("NO_GUIDANCE")
        )
        return stated and not own

    def _em(self) -> EMFinding | None:
        codes = [h for h in self.of("EM_CODE") if h.assertion in ("present", "historical")]
        mentions = [h for h in self.of("EM_MENTION") if h.assertion == "present"]
        if not codes and not mentions:
            return None
        code = str(codes[0].value) if codes else None
        mods = sorted({"25" for h in codes if any(g == "25" for g in h.groups[1:])})
        # "twisted her ankle three days ago so we evaluated that as well": a past injury evaluated today.
        # A code is evidence as written ("migraine without aura (G43.709)" negates nothing).
        # "99213 (pre-procedure evaluation)": the note says what the visit code was for, so codes
        # listed elsewhere (a comorbidity, the guidance's reason) are no separate problem.
        own_evaluation = bool(self.of("EM_CODE_PREPROCEDURE"))
        separate = [
            self.hev(h)
            for h in self.of("EM_SEPARATE")
            if (
                not own_evaluation
                if h.rule_id == "em_separate_code"
                else h.assertion in ("present", "historical")
            )
        ]
        return EMFinding(
            code=code,
            modifiers=mods,
            evidence=[self.hev(h) for h in (codes + mentions)[:5]],
            separate_problem=separate,
        )

    def _mentions(self) -> list[Mention]:
        out = []
        for h in sorted(self.hits, key=lambda h: (h.start, -h.end)):
            if h.label not in _MENTIONED and not (h.label == "NONSPECIFIC" and h.injected):
                continue
            if h.end <= h.start:
                continue
            cue = h.cue
            norm = h.attrs.get("resolved", h.norm) if h.label == "REGIONAL" else h.norm
            if h.label in ("ICD10",):
                norm = str(h.value).upper()
            out.append(
                Mention(
                    label=_MENTION_LABEL.get(h.label, h.label),
                    text=self.text[h.start : h.end],
                    start=h.start,
                    end=h.end,
                    normalized=norm,
                    assertion=h.assertion,
                    section=h.section,
                    match=h.match if h.match in ("exact", "abbreviation", "fuzzy", "pattern") else "exact",
                    score=float(h.score),
                    side=h.side or ("unspecified" if h.label in ("MUSCLE", "REGIONAL") else None),
                    injected=h.injected
                    if h.label in ("MUSCLE", "REGIONAL", "SUBSTANCE", "NONSPECIFIC")
                    else None,
                    cue=self.text[cue.start : cue.end] if cue is not None else None,
                    cue_rule=cue.rule_id if cue is not None else None,
                    rule_id=h.rule_id,
                    alias=h.alias,
                )
            )
        return out


@dataclass(frozen=True)
class FindingsConfig:
    """Lexicon facts the Doc -> Findings step needs, read once per lexicon folder."""

    regional: dict[str, dict]
    members: dict[str, list[str]]
    history_only_cues: frozenset[str]
    diagnosis_sections: frozenset[str]
    diagnosis_lead_words: tuple[str, ...]
    diagnosis_lead_reach: int
    implied_concentration: dict[str, str]
    other_side_reach: int = 300
    retracting_cues: frozenset[str] = frozenset()
    reporting_cues: frozenset[str] = frozenset()
    same_visit_phrases: frozenset[str] = frozenset()
    state_phrases: frozenset[str] = frozenset()
    dated_cues: frozenset[str] = frozenset()
    dated_reach: int = 40
    repeat_cues: frozenset[str] = frozenset()
    ongoing_cues: frozenset[str] = frozenset()
    practice_name_words: frozenset[str] = frozenset()
    title_lines: int = 0
    title_line_max_chars: int = 100
    credential_regex: re.Pattern[str] | None = None


@functools.lru_cache(maxsize=4)
def findings_config(lexicons_dir: str | None = None) -> FindingsConfig:
    """Return the :class:`FindingsConfig` of a lexicon folder (cached)."""
    lex = load_extraction_lexicon(lexicons_dir)
    regions = {m.id: m.region for m in lex.muscles.entries}
    return FindingsConfig(
        regional={
            r.id: {"by_region": dict(r.by_region), "default": r.default, "regions": regions}
            for r in lex.muscles.regional
        },
        members={m.id: list(m.members) for m in lex.muscles.entries if m.members},
        history_only_cues=frozenset(lex.treatments.history_only_cues),
        same_visit_phrases=frozenset(w.lower() for w in lex.treatments.same_visit_phrases),
        state_phrases=frozenset(w.lower() for w in lex.treatments.state_phrases),
        dated_cues=frozenset(lex.treatments.dated_cues),
        dated_reach=lex.treatments.dated_reach,
        repeat_cues=frozenset(lex.treatments.repeat_cues),
        ongoing_cues=frozenset(lex.treatments.ongoing_cues),
        practice_name_words=frozenset(w.lower() for w in lex.treatments.practice_name_words),
        title_lines=lex.treatments.title_lines,
        title_line_max_chars=lex.treatments.title_line_max_chars,
        credential_regex=re.compile(lex.treatments.credential_pattern)
        if lex.treatments.credential_pattern
        else None,
        diagnosis_sections=frozenset(lex.sections.diagnosis_sections),
        diagnosis_lead_words=tuple(w.lower() for w in lex.sections.diagnosis_lead_words),
        diagnosis_lead_reach=lex.sections.diagnosis_lead_reach,
        implied_concentration={k.lower(): v for k, v in lex.substances.implied_concentration.items()},
        other_side_reach=lex.laterality.other_side_reach,
        retracting_cues=frozenset(lex.cues.retracting_rules),
        reporting_cues=frozenset(lex.cues.reporting_rules),
    )


def doc_to_findings(doc: Doc, config: FindingsConfig, text: str | None = None) -> Findings:
    """Build the Findings of a processed Doc.

    Args:
        doc: a Doc that went through the whole pipeline.
        config: lexicon facts from :func:`findings_config`.
        text: the original text when the Doc was built from a same-length normalised copy.

    """
    return FindingsBuilder(doc, config, text).build()
