"""Unit tables for stage 1: muscles with sides, assertion, substances, treatments, sections."""

from __future__ import annotations

import pytest

from tests.helpers import injected
from tpicoder.api import extract

MUSCLE_CASES = [
    # A pipe grid's side boxes before amount cells ("2 / 2"); a muscle the patient "asked about" is no site.
    (
        "Muscle               |  L  |  R  | # pts (L/R) | Vol mL (L/R)\n"
        "---------------------|-----|-----|-------------|-------------\n"
        "Trapezius (upper)    | [x] | [x] |    2 / 2    |  2 / 2\n"
        "Levator scapulae     | [ ] | [x] |    0 / 1    |  0 / 1.5\n"
        "Splenius capitis     | [ ] | [ ] |      -      |    -\n\n"
        "Injectate: [x] Lidocaine 1%  5.5 mL\n"
        "Comment: pt asked about L levator -- tender, but no TrP on exam; not injected today.",
        {("trapezius", "left"), ("trapezius", "right"), ("levator_scapulae", "right")},
    ),
    # "PLAN/TX:" reports today's treatment; "(no injection)" after dry needling says no injectate.
    (
        "OBJ: Hypertonic B upper traps w/ TrPs; L levator scap taut band.\n\nASSESS: muscle spasm M62.83.\n\n"
        "PLAN/TX:\n  * Dry needling (no injection), 0.25 x 30 mm:\n      - upper trapezius, bilat\n"
        "      - levator scapulae, L\n",
        {("trapezius", "left"), ("trapezius", "right"), ("levator_scapulae", "left")},
    ),
    # A named muscle of several words has its plural too: "anterior scalenes" is no scalene group.
    (
        "Procedure: Ultrasound-guided trigger point injections, bilateral anterior scalenes, 0.5% lidocaine 1.5 mL each.",
        {("anterior_scalene", "left"), ("anterior_scalene", "right")},
    ),
    # A group echoed in the procedure ("for the scalenes", "after the scalene injections") after its
    # members of that side were injected is those members again.
    (
        "HPI: PT worked on the left scalenes and upper trapezius.\n"
        "PROCEDURE: trigger point injections.\nNeedle: 27 g (scalenes); 25 g (trapezius).\n"
        "For the scalenes the needle was directed posterolaterally.\nSites:\n"
        "  Anterior scalene                L      1.0 mL\n  Middle scalene                  L      1.0 mL\n"
        "  Upper trapezius                 L      2.0 mL\n"
        "Post-procedure: brief L hand tingling after the scalene injections, resolved.",
        {("anterior_scalene", "left"), ("middle_scalene", "left"), ("trapezius", "left")},
    ),
    # A row whose amount cell is an empty marker, with no number on it, was not injected; a bracketed
    # remark after its cells stands under no header.
    (
        "Product: Dysport 500 U vial\n\n  MUSCLE                SIDE    DOSE (U)    SITES\n"
        "  ------------------    ----    --------    -----\n"
        "  Splenius capitis      L       200         3\n"
        "  Levator scapulae      L       100         2\n"
        "  Trapezius             L       --          --    (held, see above)\n",
        {("splenius_capitis", "left"), ("levator_scapulae", "left")},
    ),
    # A remark after a side grid's cells ("exam only", "L not indicated") leaves the cells to be read.
    (
        "Product: Botox 100 U vial, 5 U / 0.1 mL\n\n                          RIGHT (U)   LEFT (U)\n"
        "  Trapezius                  30          30\n"
        "  Semispinalis capitis       --          --     exam only\n"
        "  Rhomboid major             20           0     L not indicated\n",
        {("trapezius", "left"), ("trapezius", "right"), ("rhomboid_major", "right")},
    ),
    # "TDN" (trigger point dry needling) is today's needling event in a line with no section header.
    (
        "palp: taut bands L vastus lateralis, L TFL TP w/ referral to lat knee.\n"
        "today: TDN L vastis lateralis + L TFL, 0.30x60mm, LTRs x several each, no injectate.",
        {("vastus_lateralis", "left"), ("tensor_fasciae_latae", "left")},
    ),
    # A "Toxin:" line opens the procedure: the units table under it lists the muscles injected.
    (
        "Exam: bilat splenius capitis taut + tender; L upper trapezius ropy band.\n\nToxin: onabotulinumtoxinA "
        "(Botox) 100 U vial, reconstituted to 5 U / 0.1 mL.\n\nSite                        Units\n"
        "R splenius capitis            20\nL trapezius (upper)           30\nTotal injected                50 U\n",
        {("splenius_capitis", "right"), ("trapezius", "left")},
    ),
    # "Inj" is an injection; a toxin's units beside each muscle of a product list name the injection.
    (
        "DOS 9/9/25. Inj L piriformis + L glut med w/ lidocaine, tol well.",
        {("piriformis", "left"), ("gluteus_medius", "left")},
    ),
    (
        "Indication: bilateral masticatory myofascial pain.\nProduct: Botox 100 U vial, 5 U/0.1 mL.\n"
        "  Rt masseter     25 U (3 sites)\n  Lt masseter     25 U (3 sites)\nTotal 50 U injected.",
        {("masseter", "right"), ("masseter", "left")},
    ),
    # Counted needle insertions are the needling event of a list item under a plan.
    (
        "A: Myofascial trigger points L gastrocnemius/soleus.\nP: Dry needling, consent reviewed today.\n"
        "   - L gastrocnemius (medial head): 4 insertions, 3 LTRs\n   - L soleus: 2 insertions, 1 LTR",
        {("gastrocnemius", "left"), ("soleus", "left")},
    ),
    # A bare list of muscles given its amount by the next sentence on the line.
    (
        "Pt here for TPI. 3/4/2026\nR upper trap x2 sites, R levator scap. 1cc 1% lido + 1cc 0.25% bupi per site.",
        {("trapezius", "right"), ("levator_scapulae", "right")},
    ),
    (
        "f/u TPI #3 -- 06/03/2025\nR glute med + R piriformis. 4cc 1% lido + 1cc Kenalog-40 split btwn. TTP w/ "
        "taut bands both.",
        {("gluteus_medius", "right"), ("piriformis", "right")},
    ),
    # A name split by a hard wrap is read whole even when its last word is a name on its own.
    (
        "PROCEDURE: Informed consent obtained for ultrasound-guided trigger point injections, risks\n"
        "time-out performed. Chlorhexidine prep. Linear 15-6 MHz transducer. The left anterior scalene, left middle\n"
        "scalene and left pectoralis minor were identified and each was entered in-plane with a 25G needle.\n"
        "1% lidocaine 1.5 mL into each muscle after negative aspiration, no paresthesias were reported.\n",
        {("anterior_scalene", "left"), ("middle_scalene", "left"), ("pectoralis_minor", "left")},
    ),
    # A Latin list ("et") takes the side written after it.
    (
        "Procedure: US-guided trigger point injection, Mm. pronator teres et flexor carpi radialis, left forearm.",
        {("pronator_teres", "left"), ("flexor_carpi_radialis", "left")},
    ),
    # A side labelling a measurement is no side of the muscles; the side field is.
    (
        "Procedure Note: US-guided TPI\nLaterality: Right\nMuscles injected: infraspinatus; teres major\n\n"
        "Exam: infraspinatus TrP; teres major taut band, ER limited to 40 deg (L 80 deg).\n"
        "Medication: 1% lidocaine 3.5 mL; distributed as infraspinatus 2 mL, teres major 1.5 mL.",
        {("infraspinatus", "right"), ("teres_major", "right")},
    ),
    # SPS and SPI, in capitals, are the posterior serratus muscles.
    (
        "Procedure: US-guided TPI.\n  L rhomboid minor .......... 2 mL\n  L SPS ................... 2 mL",
        {("rhomboid_minor", "left"), ("serratus_posterior_superior", "left")},
    ),
    # Spelled-out dictated amounts after each muscle report its injection.
    (
        "procedure after verbal consent the areas were cleaned with alcohol, one percent lidocaine plain was "
        "injected using a twenty seven gauge needle into the right upper trapezius 2 milliliters the left upper "
        "trapezius two milliliters and the left levator scapulae one and a half milliliters total five point "
        "five milliliters, negative aspiration before each",
        {("trapezius", "right"), ("trapezius", "left"), ("levator_scapulae", "left")},
    ),
    # A common misspelling of the drug still names the injectate the amounts belong to.
    (
        "after discussion he elected to proceed. two percent lydocaine 2 milliliters into the medial "
        "gastrocnemius and 1 milliliter into the soleus, both on the right leg.",
        {("gastrocnemius", "right"), ("soleus", "right")},
    ),
    # "(no US):" before the list denies imaging, not the muscles after it.
    (
        "(b) TPI x2 muscles, by palpation (no US): L TFL and L vastus lateralis, 3 mL 1% lidocaine each.",
        {("tensor_fasciae_latae", "left"), ("vastus_lateralis", "left")},
    ),
    # Side boxes that open a row, with needle and technique cells after them.
    (
        "Needling performed (no injectate):\n  Muscle                 R   L   needle        technique\n"
        "  Upper trapezius        [x] [ ] 0.25x40mm     pincer grip, pistoning x 6\n"
        "  Levator scapulae       [ ] [x] 0.30x50mm     pistoning x 8, 2 LTRs\n",
        {("trapezius", "right"), ("levator_scapulae", "left")},
    ),
    # In a pipe table, pipes are no words and a dash cell ends no scope.
    (
        "Procedure: TPI, 0.5% bupivacaine.\n| Muscle | Side | Sites | Volume (mL) | Notes |\n"
        "| Trapezius | L | 2 | 2.0 | twitch |\n| Infraspinatus | L | 0 | 0 | HELD - pt asked to stop |\n"
        "| Levator scapulae | R | -- | -- | not injected this cycle (asymptomatic) |\n",
        {("trapezius", "left")},
    ),
    # A checkbox row with none ticked, whatever its boxes are labelled with, was not injected.
    (
        "Muscles injected:\n   Trapezius ........... [X] L   [X] R\n   Levator scapulae .... [ ] L   [ ] R\n"
        "   Paraspinals ......... [ ] cerv  [ ] thor  [ ] lumb\nMedication:  [X] Lidocaine 1%\n",
        {("trapezius", "left"), ("trapezius", "right")},
    ),
    # "(not injected)" after the muscle passed through negates that muscle only; the reason line for
    # imaging names anatomy.
    (
        "Procedure: ultrasound-guided trigger point injections - R supraspinatus, R infraspinatus.\n"
        "Reason for US: the supraspinatus lies under a thick trapezius in this muscular patient.\n"
        "25 g 2 in needle; for the supraspinatus the needle passed through the R trapezius (not injected).\n"
        "1% lidocaine 2 mL each.",
        {("supraspinatus", "right"), ("infraspinatus", "right")},
    ),
    # A muscle the image description placed is no site that "each" in the next sentence points back to.
    (
        "Procedure: US-guided TPI, left vastus lateralis and left rectus femoris.\nSonoanatomy, mid-thigh "
        "transverse: sartorius medially over the adductor canal; rectus femoris anteriorly.\nInjections, 25 g "
        "needle, 1% lidocaine, negative aspiration before each.\n",
        {("vastus_lateralis", "left"), ("rectus_femoris", "left")},
    ),
    # A row's amount stands between its muscle and the negation of the muscle the needle passed.
    (
        "Technique: prone, 25 g 2 in needle to bony contact.\n  R iliocostalis thoracis (T8-9): 2 mL\n"
        "  R longissimus thoracis (T7-8): 2 mL - needle traversed the lower trapezius, not injected\n"
        "Injectate: 1% lidocaine 4 mL.",
        {("iliocostalis", "right"), ("longissimus", "right")},
    ),
    # A pipe amount grid: a row of empty markers only was not injected.
    (
        "Procedure: OnabotulinumtoxinA injection, 2.5 units/0.1 mL.\n\n| Muscle | L (units) | R (units) |\n"
        "|---|---|---|\n| Trapezius (upper) | 20 | 20 |\n| SCM | -- | -- |\n\nTotal injected 40 units.",
        {("trapezius", "left"), ("trapezius", "right")},
    ),
    # A table set out with spaces whose "Injected?" column answers per row ("no - defer" is a no).
    (
        "Trigger point survey:\n\n Muscle               Side  Taut band  Twitch  Injected?\n"
        " -------------------  ----  ---------  ------  ---------\n"
        " Infraspinatus        R     yes        yes     YES\n"
        " Posterior deltoid    R     no         no      no\n"
        " Pectoralis minor     R     tender     no      no - defer\n"
        " Infraspinatus        L     no         no      no\n\n"
        "Procedure: TPI R infraspinatus. 2 mL 1% lidocaine.",
        {("infraspinatus", "right")},
    ),
    # "L + R" before a muscle is both sides.
    (
        "TPI L + R QL, 27g, 4 cc 1% lidocaine total, no complications.",
        {("quadratus_lumborum", "left"), ("quadratus_lumborum", "right")},
    ),
    # The exam before the procedure stays exam; a muscle labelling its line under the procedure is the
    # site, whatever image description follows the colon.
    (
        "Ultrasound guidance was used for the trigger point injections because of body habitus.\n\n"
        "PRE-PROCEDURE EXAM (focused)\n- Left upper trapezius: mildly tender, no taut band.\n- Right upper "
        "trapezius: taut band mid-belly.\n\nPROCEDURE 1: TRIGGER POINT INJECTIONS (US-guided)\nInjectate: "
        "bupivacaine 0.25%, 2 mL per muscle.\n- LEFT levator scapulae: transducer in short axis over the "
        "superior angle; 2 mL injected.\n- RIGHT upper trapezius: tip within trapezius; 2 mL injected.\n",
        {("levator_scapulae", "left"), ("trapezius", "right")},
    ),
    # A dated title naming the procedure heads the dictation under it.
    (
        "TPI - 3/3/2026\nbilat traps + L levator scap. TTP w/ twitch + referral to occiput both sides.\n"
        "1% lido 6cc total (2cc/muscle), 27g. No cx.\n",
        {("trapezius", "left"), ("trapezius", "right"), ("levator_scapulae", "left")},
    ),
    # A dash after the injection word introduces its list, as a colon does.
    (
        "tpi note 5/29/25\nttp w/ taut bands L trap, L levator.\np: tpi x3 -- L trap, L levator scap, L "
        "rhomboid min -- 1% lido 1cc each, 27g.  tol well, no cx.\n",
        {("trapezius", "left"), ("levator_scapulae", "left"), ("rhomboid_minor", "left")},
    ),
    # Dictation with no colons: "Procedure" and the procedure's name open it; "aspirated prior" is no
    # earlier event.
    (
        "Procedure Note\nDate 11/05/2025\nExam tender palpable taut band in trapezius and in levator "
        "scapulae\nProcedure trigger point injections trapezius and levator scapulae 3 mL 1% lidocaine "
        "each 27 gauge needle aspirated prior bandaid applied. Tolerated well\nPlan follow up 1 month\n",
        {("trapezius", "unspecified"), ("levator_scapulae", "unspecified")},
    ),
    # A head named by depth is the target; the Latin name in brackets inside the English one.
    (
        "Procedure: dry needling, no injectate.\n  a) R ECRB - in-plane, 6 passes.\n  c) R supinator - "
        "superficial head only, 4 passes, 1 LTR.\n| fibularis (peroneus) longus | R | 0.25 x 40 mm | 2 |\n",
        {("extensor_carpi_radialis_brevis", "right"), ("supinator", "right"), ("fibularis_longus", "right")},
    ),
    # A side at a hard-wrapped line's end goes with the muscle starting the next line.
    (
        "On exam there are tender trigger points with taut bands in the upper traps on both sides and in the\n"
        "sternocleidomastoid; pressing it reproduces pain behind his eye. No radicular findings at all today.\n\n"
        "Procedure: After consent, trigger point injections were performed to the left trapezius, right\n"
        "trapezius and right SCM using Sarapin 2 mL mixed with 1% lidocaine 2 mL per site (12 mL total) via\n"
        "a 27 gauge needle. Patient tolerated the procedure well. Pain 6/10 to 2/10 after the injections.",
        {("trapezius", "left"), ("trapezius", "right"), ("sternocleidomastoid", "right")},
    ),
    # "both rhomboids" after each rhomboid major was injected names those two again.
    (
        "Procedure: 1% lidocaine 9 mL total.\n  R rhomboid major - 3 mL\n  L rhomboid major - 3 mL\n"
        "Negative aspiration each site; needle directed tangentially over rib to avoid pleura. LTRs in both\n"
        "rhomboids. Tolerated well.",
        {("rhomboid_major", "right"), ("rhomboid_major", "left")},
    ),
    # Both sides after the muscle, each with its count in brackets.
    (
        "B) Trigger point injections: 0.25% bupivacaine, 1 mL per site\n   - suboccipitals, R (2 sites) and L "
        "(1 site)\n   - trapezius, R (2 sites)\n",
        {("suboccipitals", "right"), ("suboccipitals", "left"), ("trapezius", "right")},
    ),
    # A printed form whose fields are set off by dot leaders.
    (
        "Visit Type ............. Procedure\nExam ................... Taut bands in the R hamstrings and R "
        "gastrocnemius.\nProcedure .............. Trigger point injection\n  Muscles .............. R "
        "hamstrings (3 sites), R gastrocnemius (2 sites)\n  Agent ................ Lidocaine 1%\n",
        {("hamstrings", "right"), ("gastrocnemius", "right")},
    ),
    # A grid marked with bare X under side columns; empty boxes leave a row out.
    (
        "Muscles injected:\n  Muscle                   L    R\n  Lumbar paraspinals       X    X\n"
        "  Quadratus lumborum       X    -\n  Piriformis               [ ]  [ ]\n",
        {("lumbar_paraspinals", "left"), ("lumbar_paraspinals", "right"), ("quadratus_lumborum", "left")},
    ),
    # A row naming both sides after the muscle, with counts or with a separator only; a side that
    # starts the next muscle stays that muscle's.
    (
        "Procedure - TPI\n0.5% lidocaine, 0.5 mL per site:\n  Suboccipitals: L x2, R x2\n  Temporalis:    L, R\n",
        {
            ("suboccipitals", "left"),
            ("suboccipitals", "right"),
            ("temporalis", "left"),
            ("temporalis", "right"),
        },
    ),
    (
        "Procedure: TPI to trapezius L, R levator scapulae.",
        {("trapezius", "left"), ("levator_scapulae", "right")},
    ),
    (
        "Procedure: TPI to left upper trapezius and right levator scapulae with 1% lidocaine 2 mL.",
        {("trapezius", "left"), ("levator_scapulae", "right")},
    ),
    (
        "Procedure: injected L-trapezius and Rt.levator scap.",
        {("trapezius", "left"), ("levator_scapulae", "right")},
    ),
    (
        "Procedure: Trigger points were injected in the left trapezius, levator scapulae and rhomboid major.",
        {("trapezius", "left"), ("levator_scapulae", "left"), ("rhomboid_major", "left")},
    ),
    ("Procedure: bilateral upper traps injected.", {("trapezius", "left"), ("trapezius", "right")}),
    (
        "Procedure: B/L SCM injected with lidocaine.",
        {("sternocleidomastoid", "left"), ("sternocleidomastoid", "right")},
    ),
    ("Procedure: upper and middle trapezius on the right were injected.", {("trapezius", "right")}),
    (
        "Procedure: Left-sided TPI to trapezius and levator scapulae.",
        {("trapezius", "left"), ("levator_scapulae", "left")},
    ),
    (
        "Procedure: injected the QL and glut med on the right.",
        {("quadratus_lumborum", "right"), ("gluteus_medius", "right")},
    ),
    ("Procedure: peroneus longus, left, injected.", {("fibularis_longus", "left")}),
    ("Procedure: TPI R rhomboids.", {("rhomboids", "right")}),
    ("Procedure: TPI to the left scalene.", {("scalenes", "left")}),
    (
        "Procedure: lumbar paraspinals injected bilaterally.",
        {("lumbar_paraspinals", "left"), ("lumbar_paraspinals", "right")},
    ),
    (
        "Low back pain.\nProcedure: paraspinals on the left injected, lumbar level.",
        {("lumbar_paraspinals", "left")},
    ),
    (
        "Procedure: TPI to left trapezuis and left levator scapule.",
        {("trapezius", "left"), ("levator_scapulae", "left")},
    ),
    ("Procedure: TPI to R rhomboid majr.", {("rhomboid_major", "right")}),
    ("Procedure: TPI to trapezius.", {("trapezius", "unspecified")}),
    (
        "Procedure:\n| Muscle | Side | Volume |\n| Trapezius | L | 2 mL |\n| Levator scapulae | R | 1 mL |",
        {("trapezius", "left"), ("levator_scapulae", "right")},
    ),
    (
        "Procedure:\n[x] Left trapezius\n[ ] Right trapezius\n[x] Right levator scapulae",
        {("trapezius", "left"), ("levator_scapulae", "right")},
    ),
    (
        "Muscles injected:\n[ ] Left quadratus lumborum      [x] Right quadratus lumborum",
        {("quadratus_lumborum", "right")},
    ),
    (
        "Muscles injected       L    R\nTrapezius             [x]  [ ]\nLevator scapulae      [x]  [x]\nSCM                   [ ]  [ ]",
        {("trapezius", "left"), ("levator_scapulae", "left"), ("levator_scapulae", "right")},
    ),
    (
        "HPI: left shoulder pain. Left shoulder tender.\nProcedure: TPI to the ipsilateral infraspinatus (IS) and teres minor.",
        {("infraspinatus", "left"), ("teres_minor", "left")},
    ),
    (
        "Procedure:\nLeft:\n  1. IS - 2 TPs\n  2. teres minor - 1 TP\nRight:\n  1. IS - 1 TP",
        {("infraspinatus", "left"), ("teres_minor", "left"), ("infraspinatus", "right")},
    ),
    (
        "Side:  [ ] Left   [X] Right   [ ] Bilateral\nMuscles:  [X] Trapezius   [ ] Levator scapulae   [X] Rhomboid major",
        {("trapezius", "right"), ("rhomboid_major", "right")},
    ),
    (
        "RIGHT-SIDED TRIGGER POINT INJECTIONS:\n  - upper fibers of trapezius\n  - levator scap.",
        {("trapezius", "right"), ("levator_scapulae", "right")},
    ),
    (
        "Procedure (right forearm): TPI to\n - extensor carpi radialis brevis (ECRB)\n - brachioradialis",
        {("extensor_carpi_radialis_brevis", "right"), ("brachioradialis", "right")},
    ),
    (
        "Exam: tender bands in the right trapezius. Procedure: 2 cc lidocaine into the trapezius.",
        {("trapezius", "right")},
    ),
    (
        "Procedure: US probe. Layers identified: trapezius, rhomboid major, pleura. The needle was directed deep to the "
        "trapezius into the R rhomboid major and 2 mL injected.",
        {("rhomboid_major", "right")},
    ),
    # run-on dictation: a planning phrase more than 8 tokens after the muscle does not reach it
    (
        "we went ahead with injections into the right and left gluteus medius 8 mL total 25 gauge needle tolerated "
        "well no complications he will come back next visit in 3 months",
        {("gluteus_medius", "left"), ("gluteus_medius", "right")},
    ),
    (
        "PROCEDURE: TPI TO LEFT UPPER TRAPEZIUS AND LEFT SCM WITH 1% LIDOCAINE 2 ML EACH.",
        {("trapezius", "left"), ("sternocleidomastoid", "left")},
    ),
    (
        "Procedure: supine, head turned to the R. Scalenes localized by palpation. 2 mL to the L scalenes.",
        {("scalenes", "left")},
    ),
    (
        "pt here for tpi left trap and right levator injected with lido 2cc tolerated well",
        {("trapezius", "left"), ("levator_scapulae", "right")},
    ),
    # Physical-therapy short forms count only right after a side.
    (
        "TPI L trap x2, L LS x1, R rhomb x2.",
        {("trapezius", "left"), ("levator_scapulae", "left"), ("rhomboids", "right")},
    ),
    (
        "P: DN: R UT, L LS, bilat ES. no injectate.",
        {
            ("trapezius", "right"),
            ("levator_scapulae", "left"),
            ("erector_spinae", "left"),
            ("erector_spinae", "right"),
        },
    ),
    ("Procedure: TPI to L trapezius. LS spine films reviewed.", {("trapezius", "left")}),
    # Headers written in other ways.
    (
        "Note dictated later.\nAreas treated: R infraspinatus, R teres minor.",
        {("infraspinatus", "right"), ("teres_minor", "right")},
    ),
    (
        "Inj: L upper trap, L levator scap - lido/marc 50:50 total 4ml.",
        {("trapezius", "left"), ("levator_scapulae", "left")},
    ),
    ("Today's procedure:\n- Site 1: R piriformis, 1% lidocaine 2 mL", {("piriformis", "right")}),
    # "Same on the other side" and addendum corrections.
    (
        "Procedure: R trapezius and R levator scapulae injected, 2cc 1% lidocaine each. Same on the other side.",
        {
            ("trapezius", "left"),
            ("trapezius", "right"),
            ("levator_scapulae", "left"),
            ("levator_scapulae", "right"),
        },
    ),
    (
        "Procedure: TPI left trapezius, 1% lidocaine 2 mL.\n\nAddendum: Correction: right, not left.",
        {("trapezius", "right")},
    ),
    # Names split by dictation software, and one clause injecting "both" muscles of the one before it.
    ("Procedure: 3 cc was injected into the right upper trapeze ius.", {("trapezius", "right")}),
    (
        "taut bands + twitch L infraspinatus, L teres major; TPI performed to both, 1% lido 2 mL each.",
        {("infraspinatus", "left"), ("teres_major", "left")},
    ),
    # A list after a colon carries the injection past the reach of its cue.
    (
        "After consent, trigger point injections were performed with a 27-gauge needle using a mixture of "
        "0.5% bupivacaine 3 mL and dexamethasone 4 mg (1 mL): right levator scapulae 1.3 mL, left levator "
        "scapulae 1.3 mL, left splenius capitis 1.4 mL.",
        {("levator_scapulae", "right"), ("levator_scapulae", "left"), ("splenius_capitis", "left")},
    ),
    # Sides typed in lower case in an all-lowercase note; pipe-delimited exports; space-aligned tables.
    (
        "procedure: trigger point injections r ql + r glute med\n- consent signed, time-out, 1% lidocaine 4 ml",
        {("quadratus_lumborum", "right"), ("gluteus_medius", "right")},
    ),
    ("PROC|Trigger point injection\nPROC_SITE|R upper trapezius|lidocaine 1%|2 mL", {("trapezius", "right")}),
    (
        "Exam: see table.\n\n  MUSCLE              SIDE  FINDINGS          VOLUME (1% lidocaine)\n"
        "  Trapezius (upper)   L     taut band, LTR    1.0 mL\n  Infraspinatus       L     taut band         1.0 mL\n",
        {("trapezius", "left"), ("infraspinatus", "left")},
    ),
    (
        "R forearm extensors + R brachioradialis injected, 1 mL each.",
        {("forearm_extensors", "right"), ("brachioradialis", "right")},
    ),
    (
        "Procedure: supine, head turned to the left. Right anterior scalene injected, 2 mL.",
        {("anterior_scalene", "right")},
    ),
    # Names sharing a word.
    (
        "Procedure: TPI to the left anterior and middle scalene and the right rhomboid major and minor, 1 mL each.",
        {
            ("anterior_scalene", "left"),
            ("middle_scalene", "left"),
            ("rhomboid_major", "right"),
            ("rhomboid_minor", "right"),
        },
    ),
    # Side headings, labelled boxes, combined headers.
    (
        "Muscles injected today:\nRIGHT\n  - gluteus medius (2 sites)\n  - piriformis\nLEFT\n  - gluteus medius\n",
        {("gluteus_medius", "right"), ("piriformis", "right"), ("gluteus_medius", "left")},
    ),
    (
        "Pain score pre: 7/10\n\nMUSCLES INJECTED\n  [X] Trapezius ............ L [X]  R [X]\n  [ ] Rhomboids ............ L [ ]  R [ ]\n"
        "Injectate: 1% lidocaine 4 mL",
        {("trapezius", "left"), ("trapezius", "right")},
    ),
    (
        "ASSESSMENT\nMyofascial pain L QL.\n\nPLAN / PROCEDURE\nRepeat TPI today.\n  L quadratus lumborum - 3 mL",
        {("quadratus_lumborum", "left")},
    ),
    (
        "Under ultrasound guidance, the right anterior scalene was injected with 1 mL.\nImp: Myofascial pain, scalenes, R",
        {("anterior_scalene", "right")},
    ),
    # An amount drawn up beside the muscles reports the injection with no verb.
    (
        "f/u TPI\npt here for repeat TPI, last one 3/2025 gave ~60% relief x 2 mo\n"
        "bilat traps + bilat levator scap, 1% lido 8cc total (2cc/muscle)\ntol well, no cx",
        {
            ("trapezius", "left"),
            ("trapezius", "right"),
            ("levator_scapulae", "left"),
            ("levator_scapulae", "right"),
        },
    ),
    # A group in the title names the members listed below: no site of its own.
    (
        "US-GUIDED TRIGGER POINT INJECTION - LEFT SCALENES\nDate: 07/22/2025\n\n"
        "Technique: linear probe, in-plane.\n - L anterior scalene: 1.5 mL 0.5% lidocaine\n"
        " - L middle scalene: 1.5 mL 0.5% lidocaine",
        {("anterior_scalene", "left"), ("middle_scalene", "left")},
    ),
    (
        "Previous therapy: physiotherapy, ibuprofen.\n\nTherapy today: trigger point infiltration\n"
        " - M. trapezius (pars descendens), left: 2 ml mepivacaine 1 %\n"
        " - M. splenius capitis, right: 1 ml mepivacaine 1 %",
        {("trapezius", "left"), ("splenius_capitis", "right")},
    ),
    # What the needle avoided is named just before "avoided"; the muscle before that was injected.
    (
        "P: TPI\n- L hamstrings: 0.5% lidocaine 4 mL, 3 TPs\n"
        "- L adductor longus: 0.5% lidocaine 2 mL, 1 TP (femoral vessels palpated & avoided, needle directed posteromedially)",
        {("hamstrings", "left"), ("adductor_longus", "left")},
    ),
    # An addendum's correction in the sentence after "dictated in error".
    (
        "Procedure: TPIs were performed to the right sternocleidomastoid and right splenius capitis, 2 mL each.\n"
        "ADDENDUM: Correction to the above: side was dictated in error. Both injections were on the LEFT, not the right.",
        {("sternocleidomastoid", "left"), ("splenius_capitis", "left")},
    ),
    (
        "After alcohol prep I injected a mixture of 1% lidocaine 4 mL and triamcinolone 10 mg, dividing it "
        "between the left trapezius (2 sites) and the left rhomboid minor (1 site).",
        {("trapezius", "left"), ("rhomboid_minor", "left")},
    ),
    (
        "Proc: TPIs L TFL, L vastus lat, L rectus fem. Mixture 1% lidocaine 4 mL.",
        {("tensor_fasciae_latae", "left"), ("vastus_lateralis", "left"), ("rectus_femoris", "left")},
    ),
    # Structures listed with a nerve or vessel while scanning are landmarks; the muscle then entered is
    # the target.
    (
        "Procedure: the interscalene region was scanned and the anterior scalene, middle scalene, brachial "
        "plexus trunks and SCM identified. Under real-time guidance the needle was advanced into the L "
        "anterior scalene and 1.5 mL of 1% lidocaine injected, then redirected into the L middle scalene "
        "for a further 1.5 mL.",
        {("anterior_scalene", "left"), ("middle_scalene", "left")},
    ),
    # "right side-lying" is the patient's position; "for the QL" names the needle's target.
    (
        "Procedure: Trigger point injections were performed in the left quadratus lumborum (2 sites) and the "
        "left iliocostalis (1 site) with the patient in right side-lying, using a 22-gauge needle for the QL "
        "and a 25-gauge needle for the iliocostalis.",
        {("quadratus_lumborum", "left"), ("iliocostalis", "left")},
    ),
    (
        "Procedure: 0.25% bupivacaine 3 mL injected into the L serratus anterior. Same technique for the L "
        "pectoralis minor (deep to pectoralis major); 0.25% bupivacaine 3 mL.",
        {("serratus_anterior", "left"), ("pectoralis_minor", "left")},
    ),
    # A dry-needling record's table with a Needles column.
    (
        "TRIGGER POINT DRY NEEDLING - TREATMENT RECORD\nMuscle             Side   Needles   Technique\n"
        "upper trapezius    R      2         pistoning\nlevator scapulae   R      1         pistoning\n"
        "Nothing injected.",
        {("trapezius", "right"), ("levator_scapulae", "right")},
    ),
    (
        "Procedure: Trigger point injections, R infraspinatus and R teres minor. 1% lidocaine 4 mL.\n---\n"
        'ADDENDUM: Side was entered as "R" in the procedure line above in error. Both injections were '
        "performed on the LEFT infraspinatus and LEFT teres minor.",
        {("infraspinatus", "left"), ("teres_minor", "left")},
    ),
    (
        "Procedure: 2% lidocaine plain.\n- Masseter: R 1.0 mL, L 1.0 mL\n"
        "- Temporalis: R only, 0.5 mL. (L temporalis not injected.)",
        {("masseter", "right"), ("masseter", "left"), ("temporalis", "right")},
    ),
    (
        "Procedure: Trigger point injection, 3 points (TFL x1, VL x2) on the left, 1% lidocaine 3 mL.",
        {("tensor_fasciae_latae", "left"), ("vastus_lateralis", "left")},
    ),
    (
        "Procedure: In-plane approach with a 22G spinal needle.\n  L gluteus medius - 2.5 mL\n"
        "  L piriformis - 2.5 mL, needle tip visualized within the muscle belly",
        {("gluteus_medius", "left"), ("piriformis", "left")},
    ),
    (
        "Proc: mepivacaine 1%, 1 mL per site\n  - levator scapulae, bilat - 2 sites per side\n"
        "  - splenius capitis, R - 2 sites\n  - splenius capitis, L - held (no band)\n  total 6 mL",
        {("levator_scapulae", "left"), ("levator_scapulae", "right"), ("splenius_capitis", "right")},
    ),
    (
        "DN: R upper trapezius, 2 needles, LTR.\nManual 8 min: STM R cervical paraspinals.",
        {("trapezius", "right")},
    ),
    # An earlier visit dated with the month's name; a muscle left out is not the procedure left out.
    (
        "Date of service: January 20, 2026\nI last saw her on November 4, 2025, when I injected her right "
        "levator scapulae and right rhomboid minor.\nImpression: myofascial pain.\nAfter consent I injected "
        "the right levator scapulae (1.5 mL) and the right infraspinatus (1.5 mL) with 0.5% lidocaine. "
        "I did not inject the rhomboid minor.",
        {("levator_scapulae", "right"), ("infraspinatus", "right")},
    ),
    # The nerve visualized is the landmark, not the muscle before it.
    (
        "Procedure: in-plane, 22g spinal needle.\n  - L gluteus minimus: 2.5 mL\n"
        "  - L piriformis: 2.5 mL (sciatic nerve visualized and avoided)\nInjectate: 1% lidocaine 5 mL",
        {("gluteus_minimus", "left"), ("piriformis", "left")},
    ),
    # One box per row under an "Injected" column.
    (
        "Trigger point exam (per muscle):\nMuscle                    Side   Taut band  Twitch  Injected\n"
        "Upper trapezius           L      Y          Y       [x]\n"
        "Upper trapezius           R      N          N       [ ]\n"
        "Levator scapulae          L      Y          N       [ ]  (pt declined this site)\n"
        "Injectate: 1% lidocaine 6 mL",
        {("trapezius", "left")},
    ),
    (
        "- L anterior scalene: in-plane lateral-to-medial, plexus and phrenic nerve identified and avoided, "
        "1 mL 1% lidocaine deposited.",
        {("anterior_scalene", "left")},
    ),
    # A bullet glued to the side ("-R gluteus medius").
    (
        "Injectate: Kenalog 40 mg + 1% lidocaine 6 mL, divided:\n -R gluteus medius 3 mL\n -R piriformis 2 mL",
        {("gluteus_medius", "right"), ("piriformis", "right")},
    ),
    # A group whose side only echoes an earlier mention refers back to its members.
    (
        "EXAM - R anterior & middle scalenes tight, tender w/ taut bands.\n"
        "PROC: TPI R SCM, R anterior scalene, R middle scalene w/ Sarapin + lidocaine. "
        "Scalene injections at interscalene groove, superficial, neg aspiration.",
        {("sternocleidomastoid", "right"), ("anterior_scalene", "right"), ("middle_scalene", "right")},
    ),
    # A row that goes on to the other side after an amount is both sides.
    (
        "Procedure: Trigger point injections\n0.25% bupivacaine, 1.5 mL per muscle:\n"
        "   suboccipitals - right 1.5 mL, left 1.5 mL\n   splenius capitis - right 1.5 mL, left 1.5 mL",
        {
            ("suboccipitals", "right"),
            ("suboccipitals", "left"),
            ("splenius_capitis", "right"),
            ("splenius_capitis", "left"),
        },
    ),
    # A toxin table under "Agent:", with the side in its own column.
    (
        "Agent: onabotulinumtoxinA (Botox) 100-unit vial.\n\n  Muscle            Side   Units   Sites\n"
        "  Trapezius         L      25      3\n  Splenius cap.     L      15      2\n",
        {("trapezius", "left"), ("splenius_capitis", "left")},
    ),
    # A note typed without capitals but for its abbreviations writes its sides in lower case too.
    (
        "lbp r side x3 wks after moving furniture.\nttp w/ palpable taut band r QL, spasm r lumbar paraspinals.\n"
        "tpi r QL x2 sites + r lumbar paraspinals, 1% lido 4cc total. tol ok.",
        {("quadratus_lumborum", "right"), ("lumbar_paraspinals", "right")},
    ),
    # Checkbox rows whose boxes are followed by their side, and side columns beside an Injected Y/N.
    (
        "Muscles injected:\nTrapezius ........... [x] L  [x] R\nLevator scapulae .... [ ] L  [ ] R\n"
        "Rhomboid major ...... [ ] L  [x] R\nMedication: Lidocaine 1%   Amount: 1 mL per site",
        {("trapezius", "left"), ("trapezius", "right"), ("rhomboid_major", "right")},
    ),
    (
        "Procedure: TPI\nMUSCLES\n  Muscle                       Left   Right   Injected   Vol (mL)\n"
        "  Quadratus lumborum           [ ]    [X]     Y          3\n"
        "  Gluteus medius               [X]    [X]     Y          2 + 2\n"
        "  Piriformis                   [X]    [ ]     N          -\n",
        {("quadratus_lumborum", "right"), ("gluteus_medius", "left"), ("gluteus_medius", "right")},
    ),
    (
        "Procedure: Botox 100 units.\n  Muscle                        Side    Units\n"
        "  Splenius capitis              R       20\n  Levator scapulae              L       --  (held today)\n",
        {("splenius_capitis", "right")},
    ),
    # Hard-wrapped dictation: a name split over two lines.
    (
        "Procedure: after informed consent and a prep with chlorhexidine, the trigger points in the\n"
        "patient's left buttock and flank were marked and the trigger points in the left gluteus\n"
        "medius and the left quadratus lumborum were injected with 1% lidocaine 2 mL each, no\n"
        "complications.",
        {("gluteus_medius", "left"), ("quadratus_lumborum", "left")},
    ),
    (
        "Description: patient prone, the field prepped and draped, and a linear probe in a sterile\n"
        "cover used; the needle was advanced in-plane and redirected into the left serratus\n"
        "posterior superior, where 2 mL of 1% lidocaine was injected with spread in the muscle.",
        {("serratus_posterior_superior", "left")},
    ),
    # A line ending in a name is no wrap into the next word: "scalene\nposterior" is not a muscle.
    (
        "Procedure: under ultrasound guidance with a linear probe, in the supine position, the left\n"
        "anterior scalene was identified and the left middle scalene\n"
        "posterior to it. 2 mL of 0.5% lidocaine injected into the anterior and middle scalene and the\n"
        "needle withdrawn, no complications, patient tolerated the procedure well.",
        {("anterior_scalene", "left"), ("middle_scalene", "left")},
    ),
    (
        "PROCEDURE: TPI R forearm\n   ECRB R ............. 1 mL\n   ext digitorum R .... 0.75 mL\n",
        {("extensor_carpi_radialis_brevis", "right"), ("extensor_digitorum", "right")},
    ),
    # "no medication" says what was not injected, not which muscle was not needled; "L & R." is both.
    (
        "Tx today:\n - Dry needling (solid filament, no medication): multifidus L & R; quadratus lumborum L & R. "
        "E-stim not applied.",
        {
            ("multifidus", "left"),
            ("multifidus", "right"),
            ("quadratus_lumborum", "left"),
            ("quadratus_lumborum", "right"),
        },
    ),
    # A group and one of its members joined as a list are two sites; "group - member" is a label.
    (
        "Procedure: Right-sided trigger point injection to the forearm extensors and brachioradialis, 1.5 mL each.",
        {("forearm_extensors", "right"), ("brachioradialis", "right")},
    ),
    # A side read from the sentence never adds the other side of a muscle injected on a named side.
    (
        "PROCEDURE: TPI to L rhomboid major and L serratus posterior superior, 1 mL each.\n"
        "The serratus posterior superior is thin bilaterally, so the needle was kept shallow.",
        {("rhomboid_major", "left"), ("serratus_posterior_superior", "left")},
    ),
    # Needle-path and imaging landmarks are no sites.
    (
        'Procedure: 1) R psoas major: under fluoroscopy, a 22G 5" spinal needle was advanced lateral to the L3 '
        "transverse process, traversing the paraspinal musculature and the quadratus lumborum, into the psoas "
        "major. 3 mL injected.\n2) R gluteus medius: 3 mL.",
        {("psoas_major", "right"), ("gluteus_medius", "right")},
    ),
    (
        "Procedure: US-guided TPI, L piriformis. The gluteus maximus, piriformis and sciatic nerve were "
        "identified between the greater trochanter and sacrum. The needle was advanced through the gluteus "
        "maximus into the piriformis; 3 mL of 1% lidocaine injected.",
        {("piriformis", "left")},
    ),
    (
        "Procedure: L anterior and middle scalene TPI under ultrasound. The SCM was identified superficially, "
        "with the scalenes deep to it. L anterior scalene 1.5 mL; L middle scalene 1.5 mL.",
        {("anterior_scalene", "left"), ("middle_scalene", "left")},
    ),
    # Image description names anatomy; a target there needs an injection cue ...
    (
        "Description: Prone. Using a curvilinear transducer, the gluteus maximus and piriformis were seen "
        "deep to the skin. A 22g spinal needle was advanced into the L piriformis and 3 mL of 1% lidocaine "
        "injected.",
        {("piriformis", "left")},
    ),
    # ... while finding and reaching the target with the probe is no description of other anatomy.
    (
        "Procedure: Right QL identified with a curvilinear probe (transverse view at L3). 22-g needle in-plane "
        "into the muscle. 5 mL 0.25% bupivacaine injected.",
        {("quadratus_lumborum", "right")},
    ),
    # In a guided note's procedure section, a muscle with no injection word of its own, sided only by a
    # side written elsewhere in the section (or not at all), is described anatomy ...
    (
        "Procedure: Left-sided ultrasound-guided trigger point injections. Probe along the lateral scapular "
        "border; teres major "
        "distinguished from teres minor and the long head of triceps. Teres major: 1.5 mL injected.",
        {("teres_major", "left")},
    ),
    # ... unless a back-reference confirms it, and an abbreviated portion keeps its side.
    (
        "Procedure: Trigger point injections\nMuscles: splenius capitis, suboccipitals, upper trapezius. "
        "All injected bilaterally.",
        {
            ("splenius_capitis", "left"),
            ("splenius_capitis", "right"),
            ("suboccipitals", "left"),
            ("suboccipitals", "right"),
            ("trapezius", "left"),
            ("trapezius", "right"),
        },
    ),
    (
        "Procedure: 0.5% bupivacaine\n  R masseter 0.9 mL\n  R ant. temporalis 0.9 mL",
        {("masseter", "right"), ("temporalis", "right")},
    ),
    # Tendons, strength grades, supplied structures and a scan's inventory are no sites.
    (
        "Procedure: R common extensor tendon origin injection, 1 mL. TPI R supinator 1.5 mL.",
        {("supinator", "right")},
    ),
    (
        "Procedure: fluoroscopic medial branch blocks L4-L5 (the medial branch supplying the facet and multifidus "
        "at each level). TPI right QL 3 mL. Quadriceps strength 5/5 after.",
        {("quadratus_lumborum", "right")},
    ),
    (
        "Procedure:\n- Left serratus anterior: probe in the coronal plane over rib 5. Visualized latissimus dorsi "
        "posteriorly, serratus anterior on the rib. Needle in-plane onto the rib; 2 mL injected.",
        {("serratus_anterior", "left")},
    ),
    (
        "Procedure: US-guided TPI. Gluteus medius identified deep to the fascia, above the gluteus minimus; "
        "3 mL injected into the L gluteus medius. Pectoralis major and minor layers identified; 3 mL into the "
        "L pectoralis major.",
        {("gluteus_medius", "left"), ("pectoralis_major", "left")},
    ),
    # A side in a list's header does not make described anatomy a site either, in a guided note.
    (
        "PROCEDURE 1 - Right suprascapular nerve block:\nLinear transducer over the fossa. Trapezius and "
        "supraspinatus muscles seen over the fossa floor; ropivacaine 8 mL around the nerve.\n"
        "PROCEDURE 2 - Right-sided trigger point injections, pectoralis minor: 3 mL.",
        {("pectoralis_minor", "right")},
    ),
    # In a guided note, a muscle under a lead-in that names the targets, but not named by it, is anatomy.
    (
        "PROCEDURE 2 - Right-sided ultrasound-guided trigger point injections, pectoralis minor and serratus "
        "anterior:\nPectoralis minor: needle in-plane into the taut band; 3 mL.\nSerratus anterior: transducer "
        "over the 5th rib; latissimus dorsi posterior, serratus anterior on the rib; needle onto the rib, 3 mL.",
        {("pectoralis_minor", "right"), ("serratus_anterior", "right")},
    ),
    # A line opening with the injection in the past tense reports the procedure, after a wrapped indication.
    (
        "PROCEDURE: trigger point injection\n\nIndication: chronic upper back pain, tender trigger points over the\n"
        "trapezius and the rhomboid major.\nInjected the left trapezius (2 sites) and left rhomboid major (1 site) "
        "with 1% lidocaine 3 mL.",
        {("trapezius", "left"), ("rhomboid_major", "left")},
    ),
    # A line opening with needling done without an injectate reports the procedure.
    (
        "Exam: tender taut bands bilateral lumbar multifidus.\n\nDry needling, no medication injected. Sterile "
        "needles.\n - Multifidus L4-5, left and right: perpendicular insertion, LTR x several",
        {("multifidus", "left"), ("multifidus", "right")},
    ),
    # "both" is a side only right before a muscle.
    (
        "Procedure: TPI to both upper traps with lidocaine 1 mL each.",
        {("trapezius", "left"), ("trapezius", "right")},
    ),
    (
        "PROCEDURE: TPI, L rhomboid major and L serratus posterior superior, under ultrasound guidance.\n"
        "Why ultrasound: both target muscles lie over the ribs; the serratus posterior superior is only a few "
        "mm superficial to the rib.",
        {("rhomboid_major", "left"), ("serratus_posterior_superior", "left")},
    ),
    # Two checkbox cells on a line, each "box muscle ... side"; side-labelled boxes stay the row's own.
    (
        "Muscles injected (check all that apply):\n [X] Trapezius .......... R      [X] Trapezius .......... L\n"
        " [X] Levator scapulae ... R      [ ] Levator scapulae ... L\n [ ] SCM ................ R      [ ] SCM ... L\n"
        "Medication: Lidocaine 1%  Total volume: 4.5 mL",
        {("trapezius", "right"), ("trapezius", "left"), ("levator_scapulae", "right")},
    ),
    (
        "Muscles injected:\n  [X] Trapezius ............ L [X]  R [X]\n  [ ] Levator scapulae ..... L [ ]  R [ ]\n"
        "Medication: lidocaine 1% 4 mL",
        {("trapezius", "right"), ("trapezius", "left")},
    ),
    # A late-entry addendum dated after the visit amends today's procedure.
    (
        "Date of Service: 09/09/2025\nProcedure: TPI, bilateral upper trapezius, lidocaine 2 mL each side.\n"
        "Billing: 20552\n\nAddendum 09/10/2025 (late entry for DOS 09/09/2025): The L levator scapulae was "
        "also injected at the time of the procedure (1.5 mL).",
        {("trapezius", "left"), ("trapezius", "right"), ("levator_scapulae", "left")},
    ),
    # Printed forms with dot leaders: the leader joins a field to its value; "Injection log" and
    # "Drug" head procedure sections.
    (
        "Exam\n  Taut bands: trapezius bilateral, R levator scapulae\n\nInjection log\n"
        "  Muscle ........... Side ..... Units\n  Trapezius (upper) .......... Right ..... 20\n"
        "  Trapezius (upper) .......... Left ...... 15\n  Levator scapulae ........... Left ..... 15\n",
        {("trapezius", "right"), ("trapezius", "left"), ("levator_scapulae", "left")},
    ),
    (
        "PROCEDURE:\nProcedure ........ Trigger point injection\nLaterality ....... Bilateral\n"
        "Site(s) .......... Lumbar paraspinals\n# trigger points ... 3 left / 3 right\n"
        "Medication ....... Lidocaine 2% 3 mL per side",
        {("lumbar_paraspinals", "left"), ("lumbar_paraspinals", "right")},
    ),
    # An injection word ends the reach of a list of structures avoided after it.
    (
        "Procedure: under US the left anterior scalene was injected with 1 mL 0.5% ropivacaine after the "
        "phrenic nerve, the plexus trunks and the vertebral artery were identified and avoided.",
        {("anterior_scalene", "left")},
    ),
    # Two checklists side by side under a "Left  Right" header: a box's column is its side.
    (
        "TRIGGER POINT INJECTION\n\nMUSCLES INJECTED\n Left                                Right\n"
        " [x] Trapezius                       [ ] Trapezius\n"
        " [ ] Levator scapulae                [x] Levator scapulae\n"
        " [x] Rhomboid                        [ ] Rhomboid\n\nINJECTATE\n Lidocaine 1%: 2 mL",
        {("trapezius", "left"), ("levator_scapulae", "right"), ("rhomboids", "left")},
    ),
    # A checklist whose lead's aside says what a tick means.
    (
        "TRIGGER POINT INJECTION\nLaterality / muscle (check all injected):\n [X] Quadratus lumborum - Left\n"
        " [ ] Gluteus medius - Left\n [X] Gluteus medius - Right\nInjectate: [X] Lidocaine 1%  vol: 6 mL",
        {("quadratus_lumborum", "left"), ("gluteus_medius", "right")},
    ),
    # "x3 muscles, R side as above" names the exam's muscles, paragraphs earlier.
    (
        "MSK: TrPs w/ reproduction of HA: R semispinalis capitis, R splenius capitis, R SCM.\n\n"
        "Imp: tension-type headache, M79.12.\n\nProc: TPI x3 muscles, R side as above - 0.5% bupivacaine 1 mL "
        "each (3 mL). Tol well.",
        {("semispinalis_capitis", "right"), ("splenius_capitis", "right"), ("sternocleidomastoid", "right")},
    ),
]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Indication: long-standing buttock pain for eight months despite therapy and home\n"
            "exercise, with a taut band and focal tenderness over the left gluteus\n"
            "medius on palpation that reproduces the pain she has been describing at work.",
            True,
        ),
        # Two long lines of a terse note are no wrapped paragraph.
        ("Indication: long-standing buttock pain, worst over the left gluteus\nmedius on palpation", False),
        # A short line (a typed list) keeps its line break: no name across it.
        ("Muscles:\nleft gluteus\nmedius", False),
    ],
    ids=["wrapped", "unwrapped-note", "short-line"],
)
def test_names_across_a_hard_wrap(text, found):
    from tpicoder.api import analyze

    muscles = [m for m in analyze(text).mentions if m.label == "MUSCLE" and m.normalized == "gluteus_medius"]
    assert bool(muscles) is found
    assert all(m.alias == "gluteus medius" for m in muscles)


@pytest.mark.parametrize(("text", "expected"), MUSCLE_CASES, ids=[c[0][:50] for c in MUSCLE_CASES])
def test_muscles_injected_with_sides(text, expected):
    assert injected(extract(text)) == expected


NOT_INJECTED_CASES = [
    # A muscle "no longer symptomatic" beside the one treated; an injection log's dated entries.
    (
        "DOS 09/16/2025\nInjection log:\n  03/26/2025 - TPI bilateral upper trapezius + R levator scapulae; lidocaine 1% 6 mL.\n"
        "Today: pain confined to the L upper trapezius. R levator no longer symptomatic.\n"
        "P: TPI L upper trapezius, 2 sites, 1% lidocaine 2 mL.",
        ("levator_scapulae", "right"),
    ),
    # A muscle in a list of structures kept away from, with vessels and nerves.
    (
        "TECHNIQUE: Linear transducer at C6. The sternocleidomastoid, the internal jugular vein, the carotid "
        "artery, and the plexus trunks in the interscalene groove were identified and avoided. Injected:\n"
        "   right levator scapulae -- 1.5 mL\nInjectate: ropivacaine 0.5%.",
        ("sternocleidomastoid", "unspecified"),
    ),
    # A muscle injected at a visit dated by a bare month and day, or found non-tender now.
    (
        "Seen 3/31 - TPIs done then to R trapezius and R rhomboid major (1% lido); R side now much better.\n"
        "Injected R levator scapulae: 0.5% lidocaine 3 mL.",
        ("rhomboid_major", "right"),
    ),
    (
        "hx L hip pain, last visit 10/20 injected L QL w ~70% relief x 6wk, QL now non tender. pain now more lat\n"
        "proc: TPI L trap x2 sites, 1% lido 3ml.",
        ("quadratus_lumborum", "left"),
    ),
    # A sentence that says more than the list is not a bare list.
    (
        "Procedure: TPI to the L trapezius, 1% lidocaine 2 mL.\nExam: R levator scapulae tender today. 2 mL "
        "lidocaine drawn up.",
        ("levator_scapulae", "right"),
    ),
    (
        "proc: consent signed.\n  L trapezius - 1 mL\n  solution: 1% lidocaine.\n"
        "no complications. f/u 8 wks -- may need to look at bilat levator scap then.",
        ("levator_scapulae", "left"),
    ),
    # A dash opening a pipe-table cell is its bullet, not a clause boundary.
    (
        "Procedure:\nMuscle | Side | Injectate | Volume\nTrapezius | L | ropivacaine 0.2% | 2.0 mL\n"
        "Piriformis | L | -- not injected (nontender today) | --\n",
        ("piriformis", "left"),
    ),
    # An earlier session dated by a spelled-out day or by the interval since it.
    (
        "Patient returns after trigger point injections to the left supraspinatus with lidocaine on April "
        "twenty first, now the main complaint is the right side.\nProcedure: right levator scapulae injected "
        "with 1% lidocaine 2 mL.",
        ("supraspinatus", "left"),
    ),
    (
        "Patient returns six weeks after trigger point injections to the left supraspinatus, about seventy "
        "percent better, now the main complaint is the right side.\nProcedure: right levator scapulae "
        "injected with 1% lidocaine 2 mL.",
        ("supraspinatus", "left"),
    ),
    (
        "Procedure: L upper trapezius 1 mL, L rhomboid major 1 mL.\nNo injections were given into the cervical "
        "paraspinals, rhomboids or left levator scapulae.\nExam: L levator scapulae tender.",
        ("levator_scapulae", "left"),
    ),
    (
        "L upper trap also somewhat tender today - will consider injecting the L side next visit.\n"
        "R levator scapulae TP injected w/ lidocaine.",
        ("trapezius", "left"),
    ),
    (
        "Exam: taut band in left trapezius with twitch response.\nProcedure: TPI to right levator scapulae.",
        ("trapezius", "left"),
    ),
    (
        "Procedure: TPI to left trapezius. The SCM was tender but not injected.",
        ("sternocleidomastoid", "unspecified"),
    ),
    ("Procedure: TPI to left trapezius. Deferred right rhomboid major today.", ("rhomboid_major", "right")),
    (
        "Procedure: TPI to left trapezius. Plan: consider QL injection next visit.",
        ("quadratus_lumborum", "unspecified"),
    ),
    (
        "Completed 10 PT sessions including 6 sessions of dry needling to the R adductors (spring 2025).\n"
        "Procedure: TPI to left trapezius with 1% lidocaine 2 mL.",
        ("adductors", "right"),
    ),
    (
        "At the last visit, on December 3, I injected a very active trigger point in the right upper trapezius "
        "with 1% lidocaine.\nProcedure: TPI to left trapezius 2 mL.",
        ("trapezius", "right"),
    ),
    (
        "He finished PT for his rotator cuff; MRI showed only mild supraspinatus tendinosis, and he had done "
        "acupuncture.\nProcedure: TPI to left trapezius 2 mL.",
        ("supraspinatus", "unspecified"),
    ),
    (
        "Procedure: TPI to left trapezius 2 mL. Hx of TPI bilateral QL on 1/14/2025 (QL not painful today).",
        ("quadratus_lumborum", "left"),
    ),
    (
        "PROCEDURE: The right paravertebral region was prepped and draped. TPI to left trapezius 2 mL.",
        ("lumbar_paraspinals", "right"),
    ),
    (
        "Procedure: TPI to left trapezius 2 mL.\n- Manual therapy 10 min: STM to R cervical paraspinals.",
        ("cervical_paraspinals", "right"),
    ),
    (
        "tpi today.\ntender taut band in the left trapezius, referred pain to scapula. serratus post sup\n"
        "tender too, not injected.\ninjected left trapezius w/ 1% lido 3 ml total, 25g.",
        ("serratus_posterior_superior", "unspecified"),
    ),
    (
        "Procedure: TPI to left trapezius 2 mL.\nPlan: naproxen 500 mg BID, quad sets/SLR handout.",
        ("quadriceps", "unspecified"),
    ),
    (
        "Procedure: TPI to left trapezius 2 mL.\n- Ther-ex 20 min: chin tucks, doorway pec stretch.",
        ("pectoralis_major", "unspecified"),
    ),
    (
        "Procedure: TPI to left trapezius 2 mL.\nFollowed by ther-ex (rotator cuff progression) 20 min.",
        ("rotator_cuff", "unspecified"),
    ),
    (
        "HPI: left levator scapulae previously injected with 60% relief.\nProcedure: TPI to left trapezius.",
        ("levator_scapulae", "left"),
    ),
    ("Procedure: TPI to left trapezius.\nNot injected today:\n- right trapezius", ("trapezius", "right")),
    (
        "TTP of R levator and L trapezius; only the L trapezius was injected, as the levator tenderness was diffuse.",
        ("levator_scapulae", "right"),
    ),
    (
        "Inj: L upper trap, 2 mL. held off on the R rhomboid major - pt had to leave.",
        ("rhomboid_major", "right"),
    ),
    ("Exam: L infraspinatus TrPs x2 with taut band.\nProcedure: TPI L trapezius.", ("infraspinatus", "left")),
    (
        "---- Previous procedure note 01/2025 (copied forward) ----\n   Procedure: TPI R levator scapulae\n"
        "---- end copied text ----\nProcedure: TPI L trapezius with lidocaine 1 mL.",
        ("levator_scapulae", "right"),
    ),
    (
        "Procedure: TPI of the L trapezius and R levator scapulae.\n\nADDENDUM: the R levator scapulae was NOT "
        "injected; the patient became lightheaded.",
        ("levator_scapulae", "right"),
    ),
    (
        "Procedure: L trapezius injected. Right pectoralis minor then identified deep to pectoralis major.",
        ("pectoralis_major", "unspecified"),
    ),
    (
        "plan was bilateral trapezius TPIs.\nprocedure: L trapezius 1.5 mL. pt became lightheaded; "
        "we agreed NOT to do the right side today.",
        ("trapezius", "right"),
    ),
    (
        "Procedure: trigger point injections were performed bilaterally to the levator scapulae and trapezius, "
        "with the exception of the right levator scapulae, which was not injected.",
        ("levator_scapulae", "right"),
    ),
    # A route named after anatomy; an observation after the procedure.
    (
        "PROCEDURE: Fluoroscopically guided trigger point injection, LEFT TRAPEZIUS, posterior paravertebral "
        "approach.",
        ("paraspinals", "left"),
    ),
    # A needle passing "through" muscles named bare, and "(no injectate in these)".
    (
        "Procedure: US-guided TPI. Left: needle in-plane through trapezius, splenius and semispinalis "
        "(no injectate in these), tip into the left trapezius band; 1 mL.\nRight: through levator scapulae "
        "(no injectate in these), tip into the right levator scapulae; 1 mL.",
        ("splenius_capitis", "left"),
    ),
    # A systemic drug's intramuscular route is no trigger point.
    (
        "Procedure: TPI left trapezius, 1% lidocaine 2 mL. Also Toradol 60 mg IM R deltoid.",
        ("deltoid", "right"),
    ),
    # What a probe's position shows; a muscle placed by a position word; "in the plane of".
    (
        "Procedure: US-guided TPI. Probe moved to R lateral buttock: glut max posteriorly, glut med, glut "
        "min on the ilium. Needle in-plane, tip into the left trapezius band, 2 mL.",
        ("gluteus_maximus", "right"),
    ),
    (
        "Exam: right levator scapulae taut band.\nProcedure: US-guided TPI, left trapezius 1 mL.\n"
        "Trapezius superficial, levator scapulae beneath it, splenius cervicis medially.",
        ("levator_scapulae", "right"),
    ),
    (
        "Exam: left infraspinatus tender.\nProcedure: US-guided TPI, left trapezius 1 mL. Probe over the "
        "posterior joint line in the plane of the infraspinatus.",
        ("infraspinatus", "left"),
    ),
    # Layers listed from superficial to deep are the scan, not the targets.
    (
        "Procedure: US-guided TPI, left trapezius 1 mL.\nImaged superficial to deep: subcutaneous tissue, "
        "latissimus dorsi (posterior edge of the field), serratus anterior, then the rib.",
        ("latissimus_dorsi", "unspecified"),
    ),
    # One muscle named as lying above another; a scan "showing" anatomy.
    (
        "Procedure: US-guided TPI. Probe along the lateral border of the scapula: left trapezius above "
        "teres major, tip into the left trapezius band, 2.5 mL.",
        ("teres_major", "unspecified"),
    ),
    (
        "Trigger point injections: probe moved to the midaxillary line showing the latissimus dorsi "
        "posteriorly and the serratus anterior slips on the ribs. Needle in-plane, tip within the left "
        "trapezius, twitch seen; 2 mL of 0.5% ropivacaine.",
        ("latissimus_dorsi", "unspecified"),
    ),
    (
        "PROCEDURE: trigger point injection, left trapezius, 2 mL 1% lidocaine.\nPOST-PROCEDURE: Observed 30 "
        "minutes. Quadriceps and hip flexor strength 5/5 before discharge.",
        ("quadriceps", "left"),
    ),
    # A systemic drug's intramuscular route, with a comma after IM.
    (
        "Procedure: TPI left trapezius, 2 mL 1% lidocaine.\n- Ketorolac 30 mg IM, R deltoid, by nursing.",
        ("deltoid", "right"),
    ),
    # A muscle passed through on the way "(no injection)".
    (
        "Procedure: 25G needle in-plane lateral to medial through the left pectoralis major (no injection) "
        "into the left trapezius; 2 mL injected.",
        ("pectoralis_major", "left"),
    ),
    # Landmarks named after muscles: a groove between two, a triangle they bound.
    (
        "proc: consent, alcohol. r ant scalene approached from lateral behind scm w/ 2 fingers on ant/mid "
        "scalene groove, shallow.\n - l trapezius 1cc\n - r ant scalene 1cc\nall 0.5% bupi.",
        ("middle_scalene", "unspecified"),
    ),
    (
        "Procedure: US-guided TPI. The semispinalis and splenius capitis at C2 overlie the suboccipital "
        "triangle. Left trapezius 2 mL 1% lidocaine.",
        ("suboccipitals", "unspecified"),
    ),
    # Another procedure's lettered item: its tendon origin is no trigger point.
    (
        "PROCEDURES\nA. Right lateral epicondyle injection (20551). 25g needle at the origin of the extensor "
        "carpi radialis brevis, peppering technique, 1 mL triamcinolone 40 mg.\n\nB. Trigger point "
        "injections (20552). Left trapezius 2 mL 1% lidocaine.",
        ("extensor_carpi_radialis_brevis", "unspecified"),
    ),
    # An exercise named after a muscle group is no site.
    (
        "Procedure: TPI left trapezius 2 mL 1% lidocaine today. Lateral epicondylitis: counterforce strap, "
        "right wrist extensor eccentric program added to PT today.",
        ("forearm_extensors", "right"),
    ),
    # A muscle the needle traversed, before a clause that injects "just above" another's insertion.
    (
        "Procedure: US-guided TPI.\nRight levator scapulae: transducer moved cephalad. The needle again "
        "traversed upper trapezius without injecting; 2 mL 1% lidocaine placed into the right levator "
        "scapulae belly just above its insertion.",
        ("trapezius", "right"),
    ),
    # A layer list that starts at the subcutaneous tissue names anatomy.
    (
        "Procedure: US-guided TPI.\nLeft upper trapezius: transverse scan over the mid-belly - subcutaneous "
        "tissue, trapezius, then supraspinatus in the fossa deep to it; no vessels at the target. 25 g needle "
        "in plane into the left trapezius band, 2 mL 1% lidocaine.",
        ("supraspinatus", "left"),
    ),
    # A muscle said to have been traversed, looking back.
    (
        "Procedure: US-guided TPI, left trapezius 2 mL 1% lidocaine. Left semispinalis capitis was traversed "
        "to reach the plane; no injection into it.",
        ("semispinalis_capitis", "left"),
    ),
    # A paragraph of scan findings lists anatomy.
    (
        "Procedure: US-guided TPI, left trapezius.\nSono findings (linear 18 MHz, prone): skin / subcutaneous "
        "tissue / medial head gastrocnemius / soleus / flexor digitorum longus and tibialis posterior in the "
        "deep compartment.\nLeft trapezius: 1.5 mL 1% lidocaine.",
        ("tibialis_posterior", "unspecified"),
    ),
    # A muscle placed on the image a few words before its position word.
    (
        "Procedure: US-guided TPI.\nScan: hamstring mass laterally. Gracilis seen most medially, not involved.\n"
        "Injections: L trapezius 3 mL 1% lidocaine.",
        ("gracilis", "unspecified"),
    ),
    # A vessel named after a muscle is no muscle.
    (
        "Procedure: TPI left trapezius 2 mL 1% lidocaine. Posterior tibial artery and tibial nerve "
        "identified posterior and avoided.",
        ("tibialis_posterior", "unspecified"),
    ),
    # "Not injected today:" leading a line lists what was left out, past "(no band)" asides.
    (
        "Procedure: TPI left trapezius, 2 mL 1% lidocaine.\nNot injected today: left rhomboid major (no "
        "discrete band), left serratus posterior superior (considered, not symptomatic on exam).",
        ("serratus_posterior_superior", "left"),
    ),
    # A muscle named as a plane on the image is anatomy, not a target.
    (
        "Procedure: US-guided TPI, left trapezius. Layers from superficial to deep: skin, left trapezius "
        "with a hyperechoic focus at the band, then the serratus posterior superior plane and the rib. "
        "2 mL 1% lidocaine into the left trapezius.",
        ("serratus_posterior_superior", "left"),
    ),
    # Another procedure's own section: its muscles are its landmarks or its protocol sites, and an
    # "each of the targets" there points back to none of them.
    (
        "PROCEDURE 1: OnabotulinumtoxinA, chronic migraine protocol (64615)\n  trapezius 15 U each side\n"
        "  temporalis 20 U each side\nPROCEDURE 2: TPI (20552)\n2 mL 0.5% bupivacaine into the left "
        "trapezius.",
        ("temporalis", "left"),
    ),
    (
        "PROCEDURE 1 - MEDIAL BRANCH BLOCKS\nNeedles advanced through the paraspinal musculature, kept off "
        "the multifidus belly. 0.5% bupivacaine 0.5 mL injected at each of the 6 targets.\n"
        "PROCEDURE 2 - TRIGGER POINT INJECTIONS\n- L trapezius: 3 mL 0.25% bupivacaine",
        ("multifidus", "unspecified"),
    ),
]


def test_trigger_point_item_after_another_procedures_block_is_the_procedure():
    found = extract(
        "Exam R: taut bands in the R teres major and R latissimus dorsi.\n\n1. ULTRASOUND-GUIDED R "
        "SUPRASCAPULAR NERVE BLOCK (64418 + 76942)\nLinear probe in the suprascapular fossa; trapezius and "
        "supraspinatus visualized. 5 mL 0.5% ropivacaine + 40 mg methylprednisolone injected.\n\n2. TRIGGER "
        "POINT INJECTIONS (20552), landmark-based, no US\nR teres major and R latissimus dorsi at the posterior "
        "axillary fold, 25 g 1.5 in. 2 mL 1% lidocaine per muscle."
    )
    assert injected(found) == {("teres_major", "right"), ("latissimus_dorsi", "right")}
    assert found.guidance is None
    # The nerve block's drugs were injected today too.
    assert {s.substance for s in found.substances} == {"ropivacaine", "methylprednisolone", "lidocaine"}


def test_group_named_as_the_injection_already_told_is_its_member():
    # "the scalene injection" after the right anterior scalene was injected is that muscle again.
    found = extract(
        "Procedure: TPI right anterior scalene, 1 mL 1% lidocaine; left trapezius 2 mL.\nTransient R hand "
        "heaviness for 10 min after the scalene injection, resolved."
    )
    assert injected(found) == {("anterior_scalene", "right"), ("trapezius", "left")}


@pytest.mark.parametrize(("text", "absent"), NOT_INJECTED_CASES, ids=[c[0][:50] for c in NOT_INJECTED_CASES])
def test_examined_negated_planned_earlier_muscles_not_injected(text, absent):
    found = extract(text)
    assert absent not in injected(found)
    assert ("trapezius", "left") in injected(found) or ("levator_scapulae", "right") in injected(found)
    assert any(m.label == "MUSCLE" and not m.injected for m in found.mentions)


SUBSTANCE_CASES = [
    # A class name in the title is the one product the note names.
    (
        "BOTULINUM TOXIN INJECTION - PROCEDURE RECORD\nDrug: incobotulinumtoxinA (Xeomin) 100-unit vial\n\n"
        "| Muscle | Side | Units |\n| Piriformis | L | 40 |\n| Gluteus medius | L | 20 |\n",
        "incobotulinumtoxina",
        None,
        (60.0, "units"),
        None,
    ),
    # A table's "Units" or "mL" column holds each row's amount as a bare number; the rows add up.
    (
        "Procedure: Botox 100 unit vial, diluted to 5 units/0.1 mL.\n\n  Muscle            Side    Units\n"
        "  Upper trapezius   R       25\n  Upper trapezius   L       25\n  Levator scapulae  L       20\n"
        "  ---------------------------------\n  Total injected            70\n",
        "onabotulinumtoxina",
        None,
        (70.0, "units"),
        None,
    ),
    # ... and a form field giving the same total is not added to them.
    (
        "Units injected ........ 60\nProduct ....... Xeomin\n\nPROCEDURE\n| Muscle | Side | Units |\n"
        "| Splenius capitis | R | 30 |\n| Splenius capitis | L | 30 |\n",
        "incobotulinumtoxina",
        None,
        (60.0, "units"),
        None,
    ),
    (
        "Medication: bupivacaine 0.5%\n\n| Muscle | Side | Volume (mL) |\n| Trapezius - upper | L | 1.0 |\n"
        "| Levator scapulae | L | 1.5 |\n| Infraspinatus | L | 0 |\n",
        "bupivacaine",
        "0.5%",
        None,
        (2.5, "mL"),
    ),
    # A toxin's strength names a volume that was not given ("5 units/0.1 mL", "per 0.1 cc").
    (
        "Procedure: Botox diluted to 5 units/0.1 mL; 25 units into the L upper trapezius.",
        "onabotulinumtoxina",
        None,
        (25.0, "units"),
        None,
    ),
    (
        "Procedure: Xeomin reconstituted 10 U per 0.1 cc, 30 U given into R levator scapulae.",
        "incobotulinumtoxina",
        None,
        (30.0, "units"),
        None,
    ),
    ("Procedure: L trapezius injected with 1% lidocaine 5 cc.", "lidocaine", "1%", None, (5.0, "mL")),
    # A template's blank holds the number.
    (
        "Medication:\n[x] Lidocaine 1%  ___6___ mL\nL piriformis injected.",
        "lidocaine",
        "1%",
        None,
        (6.0, "mL"),
    ),
    # Amounts per site under a mixture named without one are the mixture's.
    (
        "Procedure: Consent. 1:1 mix lidocaine 1% / bupivacaine 0.5%.\n  R) hamstrings - 3 mL\n"
        "  R gastrocnemius - 2 mL\n",
        "bupivacaine",
        "0.5%",
        None,
        (5.0, "mL"),
    ),
    # A toxin's vial size and strength are no dose; its units per muscle add up, the wasted left out.
    (
        "Procedure: Botox 100u vial reconstituted. Injected: trapezius L 30u, trapezius R 30u, "
        "L splenius capitis 20u. 20u wasted (JW).",
        "onabotulinumtoxina",
        None,
        (80.0, "units"),
        None,
    ),
    (
        "Procedure: OnabotulinumtoxinA (Botox) 100 U vial, reconstituted to 5 U per 0.1 mL.\n"
        "   Splenius capitis, L ....... 25 U (2 sites)\n   Sternocleidomastoid, L .... 20 U (2 sites)\n"
        "   Total injected 45 U; 55 U discarded.",
        "onabotulinumtoxina",
        None,
        (45.0, "units"),
        None,
    ),
    # A form's fields: units after their label, a date's year on the line above no dose.
    (
        "Product ............... onabotulinumtoxinA (BOTOX) 100-unit vial\nLot / Exp ............. C7741B4 / "
        "11-2027\nUnits injected ........ 80\nUnits wasted .......... 20\nPROCEDURE\nL trapezius injected.",
        "onabotulinumtoxina",
        None,
        (80.0, "units"),
        None,
    ),
    # A grid's sum after '=' is the session's total; an aside's amount is another.
    (
        "Procedure: Botox 200 unit vial.\n Upper trapezius  25 U  30 U\n Splenius capitis 20 U  25 U\n"
        " TOTAL            45 U  55 U   = 100 units",
        "onabotulinumtoxina",
        None,
        (100.0, "units"),
        None,
    ),
    (
        "Procedure: Botox 200-unit vial, injected into the L trapezius.\n"
        "  Total                                  100 units   (wastage 0 units)",
        "onabotulinumtoxina",
        None,
        (100.0, "units"),
        None,
    ),
    # A long line wrapped between an amount and its unit.
    (
        "Procedure: trigger point injections of the left upper trapezius were done with Kenalog 40\n"
        "mg mixed with lidocaine.",
        "triamcinolone",
        None,
        (40.0, "mg"),
        None,
    ),
    # Accented spellings read as plain ones; evidence keeps the note's own letters.
    ("Procédure: L trapezius injected with 1% lidocaïne 2 mL.", "lidocaine", "1%", None, (2.0, "mL")),
    ("Procedure: L trapezius injected with Kenalog 40 mg.", "triamcinolone", None, (40.0, "mg"), None),
    (
        "Procedure: L trapezius injected with 40mg/ml triamcinolone 1 mL.",
        "triamcinolone",
        "40mg/ml",
        None,
        (1.0, "mL"),
    ),
    (
        "Procedure: 1% lidocaine 2 mL at each of 4 sites in the L trapezius.",
        "lidocaine",
        "1%",
        None,
        (8.0, "mL"),
    ),
    ("Procedure: L trapezius injected with 0.25% Marcaine 3 mL.", "bupivacaine", "0.25%", None, (3.0, "mL")),
    # Marcain is the UK and Australian trade name; NaCl is saline.
    ("Procedure: L trapezius injected with 0.5% Marcain 2 mL.", "bupivacaine", "0.5%", None, (2.0, "mL")),
    (
        "Procedure: L trapezius: 1% lidocaine 8 mL + 0.9% NaCl 2 mL.",
        "sodium_chloride",
        None,
        None,
        (2.0, "mL"),
    ),
    ("Procedure: Botox 50 units into the L trapezius.", "onabotulinumtoxina", None, (50.0, "units"), None),
    (
        "Procedure: Botox reconstituted, injected into the L trapezius.\nTotal administered: 100 units.",
        "onabotulinumtoxina",
        None,
        (100.0, "units"),
        None,
    ),
    (
        "Procedure: Sensorcaine 0.25% 4 mL + Celestone Soluspan 6 mg (1 mL), total 5 mL, into L QL.",
        "bupivacaine",
        "0.25%",
        None,
        (4.0, "mL"),
    ),
    (
        "Procedure: Naropin (ropivacaine) 0.5% 4 mL mixed with Decadron 4 mg (1 mL), total 5 mL, into R pec minor.",
        "ropivacaine",
        "0.5%",
        None,
        (4.0, "mL"),
    ),
    (
        "Procedure: L trapezius.\nMEDICATION: 0.5% BUPIVACAINE 3 ML + 1% LIDOCAINE 3 ML (TOTAL 6 ML)",
        "lidocaine",
        "1%",
        None,
        (3.0, "mL"),
    ),
    (
        "Procedure: 1:1 mixture of 1% lidocaine and 0.5% bupivacaine, 2.5 mL total, into R brachioradialis.",
        "lidocaine",
        "1%",
        None,
        (2.5, "mL"),
    ),
    # An amount "of a mixture of" is each part's.
    (
        "Procedure: L piriformis injected with 3 mL of a 1:1 mixture of 1% lidocaine and 0.25% bupivacaine.",
        "bupivacaine",
        "0.25%",
        None,
        (3.0, "mL"),
    ),
    # "X mg of Y" is Y's, not the injectate before it.
    (
        "Procedure: L piriformis: 4 mL of 0.25% bupivacaine with 40 mg of triamcinolone was injected.",
        "triamcinolone",
        None,
        (40.0, "mg"),
        None,
    ),
    (
        "Procedure: mixture of 4 mL of 0.5% bupivacaine and 40 mg (1 mL) of triamcinolone into the L QL.",
        "triamcinolone",
        None,
        (40.0, "mg"),
        (1.0, "mL"),
    ),
    (
        "Procedure: R QL. Injectate: 9 mL 0.5% ropivacaine + 1 mL (40 mg) methylprednisolone acetate.",
        "methylprednisolone",
        None,
        (40.0, "mg"),
        (1.0, "mL"),
    ),
    # A dose in its volume, and a mixture's sum that no part takes.
    (
        "Procedure: L trap. Solution: 1% lidocaine 6 mL + Depo-Medrol 40 mg/1 mL = 7 mL",
        "methylprednisolone",
        None,
        (40.0, "mg"),
        (1.0, "mL"),
    ),
    (
        "Procedure: L trap. Solution: 1% lidocaine 6 mL + Depo-Medrol 40 mg/1 mL = 7 mL",
        "lidocaine",
        "1%",
        None,
        (6.0, "mL"),
    ),
    # One injectate's "= total" is its whole amount.
    (
        "Procedure: L QL, R QL, L glut med. ROPIVACAINE 0.2% 2 ML PER SITE = 8 ML",
        "ropivacaine",
        "0.2%",
        None,
        (8.0, "mL"),
    ),
    # A form's total amount under a medication field with no injection verb.
    (
        "Site(s) injected........ posterior neck, bilateral\nMedication.............. lidocaine 1% plain\n"
        "Amount.................. 4 mL total (1 mL per point)\n",
        "lidocaine",
        "1%",
        None,
        (4.0, "mL"),
    ),
    # Spelled-out amounts; a trade name's strength written with a space; a strength on a wrapped line.
    (
        "Procedure: I injected a total of four milliliters of bupivacaine into the L trapezius.",
        "bupivacaine",
        None,
        None,
        (4.0, "mL"),
    ),
    (
        "Procedure: injected R TFL w/ 3 mL 1% lido + 1 mL Kenalog 40.",
        "triamcinolone",
        "40 mg/mL",
        None,
        (1.0, "mL"),
    ),
    (
        "Procedure: trigger point injection of the right abductor hallucis after alcohol\n"
        "prep, with 1 cc of 1% Carbocaine plain mixed with 0.5 cc of dexamethasone phosphate\n"
        "4 mg/mL (2 mg) through a 25 ga needle by a medial approach. Tolerated it well and\n"
        "walked out of the clinic.",
        "dexamethasone",
        "4 mg/mL",
        (2.0, "mg"),
        (0.5, "mL"),
    ),
    # Dictated numbers: a decimal read digit by digit, "one hundred units", "ten milligrams per cc".
    (
        "Procedure: right trapezius injected with a mixture of Sensorcaine zero point two five percent "
        "three mL and lidocaine one percent three mL.",
        "bupivacaine",
        "0.25%",
        None,
        (3.0, "mL"),
    ),
    (
        "Procedure. Botox, one hundred units reconstituted, injected into the right trapezius.",
        "onabotulinumtoxina",
        None,
        (100.0, "units"),
        None,
    ),
    (
        "Procedure: TPI L trap with one cc of dexamethasone ten milligrams per cc.",
        "dexamethasone",
        "10 mg/mL",
        None,
        (1.0, "mL"),
    ),
    # A stated total dose right after a drug is that drug's alone, not the local anaesthetic's too.
    (
        "Procedure: each muscle received two milliliters of one percent lidocaine, and dexamethasone four "
        "milligrams total was divided among the three sites.",
        "lidocaine",
        "1%",
        None,
        (2.0, "mL"),
    ),
    (
        "Procedure: each muscle received two milliliters of one percent lidocaine, and dexamethasone four "
        "milligrams total was divided among the three sites.",
        "dexamethasone",
        None,
        (4.0, "mg"),
        None,
    ),
    # An amount of "the mixture" or per site after "mixed with" is the mix's, not its last part's.
    (
        "Procedure: injected the R upper trapezius and R levator with a mixture of 4 cc of 1 percent lidocaine "
        "and 0.5 cc of Kenalog 40 mg per cc, approximately 2 cc of the mixture into each muscle.",
        "triamcinolone",
        "40 mg per cc",
        None,
        (0.5, "mL"),
    ),
    (
        "Procedure: TPI to the L QL and L glut med using ten cc of one percent lido mixed with one cc of "
        "dexamethasone ten milligrams per cc, approximately two cc per site.",
        "dexamethasone",
        "10 mg/mL",
        None,
        (1.0, "mL"),
    ),
]


@pytest.mark.parametrize(
    ("text", "sid", "conc", "dose", "volume"), SUBSTANCE_CASES, ids=[c[0][:50] for c in SUBSTANCE_CASES]
)
def test_substances_with_quantities(text, sid, conc, dose, volume):
    subs = {s.substance: s for s in extract(text).substances}
    assert sid in subs
    s = subs[sid]
    assert (s.concentration or None) == conc
    assert ((s.dose.value, s.dose.unit) if s.dose else None) == dose
    assert ((s.volume.value, s.volume.unit) if s.volume else None) == volume


def test_drugs_of_a_dated_log_entry_are_not_todays():
    f = extract(
        "DOS 09/16/2025\nInjection log:\n  01/08/2025 - TPI bilateral upper trapezius; lidocaine 1% 8 mL + methylprednisolone "
        "40 mg. Relief 50%.\n\nP: TPI L upper trapezius. Sarapin 2 mL + 1% lidocaine 2 mL."
    )
    assert {s.substance for s in f.substances} == {"sarapin", "lidocaine"}
    assert "prior_injection" in {p.treatment for p in f.prior_treatments}


def test_drug_naming_an_earlier_injection_is_not_todays():
    f = extract(
        "Ms. R, 39, chronic neck pain. Over the past 2 years she has had three rounds of lidocaine trigger point "
        "injections in this clinic, each with 2-4 weeks of relief.\n\nProcedure: onabotulinumtoxinA 25 units "
        "into the R upper trapezius."
    )
    assert {s.substance for s in f.substances} == {"onabotulinumtoxina"}


def test_skin_wheal_anaesthetic_is_listed_only_with_an_injection():
    tpi = extract(
        "Procedure: Skin wheal with 1% lidocaine 2 mL. A 22g spinal needle was advanced into the R psoas major. "
        "Injected 0.5% bupivacaine 5 mL + dexamethasone 4 mg (1 mL)."
    )
    assert tpi.procedure_kind == "injection"
    assert {s.substance for s in tpi.substances} == {"lidocaine", "bupivacaine", "dexamethasone"}
    needling = extract(
        "Procedure: Dry needling, right upper trapezius. A small intradermal skin wheal of 1% lidocaine (0.2 mL) "
        "was raised at the entry point for comfort. No injectate."
    )
    assert needling.procedure_kind == "needling"
    assert needling.substances == []


def test_history_patch_and_dosepak_are_treatments_not_injectates():
    f = extract(
        "HPI: tried Lidoderm patch and a Medrol Dosepak without relief.\nProcedure: TPI L trapezius with 1% lidocaine 2 mL."
    )
    assert {s.substance for s in f.substances} == {"lidocaine"}
    assert {"topical_analgesic", "oral_steroid"} <= {p.treatment for p in f.prior_treatments}


@pytest.mark.parametrize(
    ("meds", "expected"),
    [
        (
            "Medications: 1% lidocaine 3 mL + 0.5% bupivacaine 3 mL (6 mL total).",
            {"lidocaine", "bupivacaine"},
        ),
        # A current medication list: strengths without volumes are what she takes.
        ("Medications: lidocaine 5% patch daily, bupivacaine none.", set()),
    ],
    ids=["injectate-written-as-one", "current-medication-list"],
)
def test_medications_list_of_a_procedure_note(meds, expected):
    f = extract(
        f"Procedure: Left-sided trigger point injections to the trapezius and levator scapulae.\n{meds}"
    )
    assert {s.substance for s in f.substances} == expected


def test_blank_template_amounts_mean_the_drug_was_not_used():
    f = extract(
        "Procedure: TPI L rhomboids.\nMedication:  Lidocaine 1% __6__ mL    Bupivacaine 0.25% ____ mL    "
        "Triamcinolone ____ mg"
    )
    assert {s.substance for s in f.substances} == {"lidocaine"}


def test_toxin_awaiting_approval_is_not_injected_today():
    f = extract(
        "Procedure: suboccipitals bilateral 1 mL each side. Agent: bupivacaine 0.25%, 4 mL total.\n"
        "RTC 8 wks or after Botox approval."
    )
    assert {s.substance for s in f.substances} == {"bupivacaine"}


TREATMENT_CASES = [
    # A clinician's credentials name who wrote the note, not care the patient tried.
    (
        "Provider: Dana Kowalski, PT (dry needling certified)\nS: had chiropractic adjustments for a month.\n"
        "Procedure: TPI L trapezius with 1% lidocaine 2 mL.",
        {"chiropractic": ("unknown", None)},
    ),
    ("Therapist: J. Park, LMT, CMT\nHPI: failed 6 weeks of PT.", {"physical_therapy": ("failed", "6 weeks")}),
    ("HPI: neck pain.\nTPI L trapezius, lidocaine 1% 2 mL.\nKaren Whitfield, PT, DPT", {}),
    # A combination product is one opioid; OTC lidocaine patches are topical; "shots" of trigger points
    # dated "last yr" are earlier injections; a certification after a name is no acupuncture tried.
    (
        "HPI: Hydrocodone/APAP 5/325 for 5 days after the injury, then stopped.",
        {"opioid": ("unknown", "for 5 days")},
    ),
    (
        "HPI: Lidocaine 4% OTC patches over the chest wall without benefit.",
        {"topical_analgesic": ("failed", None)},
    ),
    (
        "s/ neck pain. had trigger pt shots here last yr, good relief for months.",
        {"prior_injection": ("relief", None)},
    ),
    (
        "Provider: Beth Sorensen, MD (PM&R, certified in medical acupuncture / dry needling)\nHPI: failed PT.",
        {"physical_therapy": ("failed", None)},
    ),
    # Aftercare for today's injection is no earlier care, even after "Continue".
    (
        "HPI: did 6 weeks of PT with partial benefit.\nProcedure: TPI L trapezius, 1% lidocaine 2 mL.\n"
        "Continue HEP, heat after 24h, RTC 6 wk.",
        {"physical_therapy": ("partial_relief", "6 weeks"), "home_exercise": ("unknown", None)},
    ),
    (
        "HPI: used heat and ice for 2 months.\nPlan: ice x 24 h then resume stretches.",
        {"heat_ice": ("unknown", "for 2 months")},
    ),
    # ... but a drug and a therapy listed after a comma are both tried.
    (
        "HPI: neck pain x 1 yr. Failed Mobic, PT x 2 rounds.",
        {"nsaid": ("failed", None), "physical_therapy": ("failed", None)},
    ),
    # The date a consent was signed dates no treatment.
    (
        "DOS: 06/02/2025\nIntervention:\nInformed consent on file for dry needling (signed 05/19/2025).\nDry needling (no "
        "injectate) with 0.30x50mm needles: L piriformis x3.",
        {},
    ),
    (
        "HPI: failed 8 weeks of PT and ibuprofen.",
        {"physical_therapy": ("failed", "8 weeks"), "nsaid": ("failed", None)},
    ),
    ("HPI: chiro x 10 visits with partial relief.", {"chiropractic": ("partial_relief", "x 10 visits")}),
    ("HPI: has not tried PT. Plan: start PT.", {}),
    ("HPI: HAS NOT TRIED ANY MEDICATION, PT, OR STRETCHING.", {}),
    (
        "HPI: Tried cyclobenzaprine and gabapentin, no relief.",
        {"muscle_relaxant": ("failed", None), "neuropathic_agent": ("failed", None)},
    ),
    ("HPI: Had TPI 06/2025 with 60% relief.", {"prior_injection": ("relief", None)}),
    # A summary header opens the history, also after the procedure's title line.
    (
        "PROCEDURE: Fluoroscopically guided trigger point injection, LEFT PSOAS MAJOR.\n\nCLINICAL SUMMARY: "
        "Ten weeks of physical therapy have not resolved the pain.",
        {"physical_therapy": ("failed", "Ten weeks")},
    ),
    ("HPI: Had TPI here 4 months ago with ~60% relief.", {"prior_injection": ("relief", None)}),
    (
        "HPI: twisted her right ankle on the ice three days ago. Tried PT.",
        {"physical_therapy": ("unknown", None)},
    ),
    ("Plan: continue HEP, ice today, resume normal activity tomorrow.", {"home_exercise": ("unknown", None)}),
    (
        "HPI: pain after sleeping awkwardly 10 days ago, not improving with ibuprofen 600 mg tid.",
        {"nsaid": ("failed", None)},
    ),
    (
        "HPI: has used the jaw stretching exercises from our handout for 10 weeks.",
        {"home_exercise": ("unknown", "for 10 weeks")},
    ),
    (
        "HPI: tried naproxen and a month of home neck exercises without much change.",
        {"nsaid": ("failed", None), "home_exercise": ("failed", None)},
    ),
    (
        "Prior tx: PT in 2024, HEP - limited relief.\nProcedure: TPI L trap 2 mL.",
        {"physical_therapy": ("partial_relief", None), "home_exercise": ("partial_relief", None)},
    ),
    (
        "DOS: 03/03/2026\nHPI: TPI to the left SCM on 2026-01-22 with 70% relief.",
        {"prior_injection": ("relief", None)},
    ),
    (
        "HPI: pt here for repeat TPI, last one 3/2025 gave ~60% relief x 2 mo",
        {"prior_injection": ("relief", "x 2 mo")},
    ),
    ("HPI: returns for the injections planned at her 08/05/2025 visit.", {}),
    (
        "Plan: Continue HEP daily, heat after work. May use ice before golf.",
        {"home_exercise": ("unknown", None)},
    ),
    (
        "HPI: light duty since March, adjusted her workstation.",
        {"activity_modification": ("unknown", None)},
    ),
    # Orders written today, and a list led by "Instead:", are no earlier care.
    (
        "HPI: PT x 6 weeks, no help.\nShe declined the injections today.\nInstead:\n- Lidoderm 5% patch, rx sent\n"
        "- Medrol Dosepak x 1",
        {"physical_therapy": ("failed", "x 6 weeks")},
    ),
    ("Plan: continue home stretching; RTC 6 wk.", {"home_exercise": ("unknown", None)}),
    (
        "MUSCLES INJECTED\n  L trapezius 2 mL\n\nPRIOR CONSERVATIVE TREATMENT\n  [X] Physical therapy   [ ] Chiropractic",
        {"physical_therapy": ("unknown", None)},
    ),
    ("HPI: Never had massage, PT or chiropractic care.", {}),
    # A past-tense verb recounts history even under an "Assessment and plan:" lead-in; a plan there
    # ("Trial of tizanidine") stays a plan.
    (
        "Assessment and plan:\n1. Myofascial pain, M79.12. Failed PT, muscle relaxant and NSAID.",
        {
            "physical_therapy": ("failed", None),
            "muscle_relaxant": ("failed", None),
            "nsaid": ("failed", None),
        },
    ),
    ("Plan:\n1. Trial of tizanidine at night.\n2. Heat as needed.", {}),
    # An earlier session told through its muscles ("we injected the L levator on 09/16/2025").
    (
        "DOS: 12/09/2025\nInterval: On 09/16/2025 we injected the L levator and L trap with 1% lidocaine.\n"
        "Procedure: TPI L upper trapezius, 1% lidocaine 2 mL.",
        {"prior_injection": ("unknown", None)},
    ),
    (
        "Scheduled today for left trapezius + left rhomboid trigger point injections (planned at last visit 9/2).",
        {},
    ),
    # Activity changes told as verbs; advice in a plan is no earlier care.
    (
        "HPI: Cut weekly mileage from 45 to 25 mi without resolution.",
        {"activity_modification": ("failed", None)},
    ),
    ("HPI: Has stopped bench pressing since March.", {"activity_modification": ("unknown", None)}),
    (
        "HPI: She has been avoiding sit-ups and heavy lifting at the gym.",
        {"activity_modification": ("unknown", None)},
    ),
    ("Plan: avoid overhead lifting x 48 h.", {}),
    # Referrals written today order care; a therapist's credentials name none.
    ("HPI: Ibuprofen x 3 wks, no help.\nPlan: Referral to PT, 6-8 wks.", {"nsaid": ("failed", "x 3 wks")}),
    ("Therapist: J. Lindqvist, PT, DPT\nS: pt reports pain 5/10.", {}),
    (
        "HPI: Lidocaine 4% patches at night provide partial relief.",
        {"topical_analgesic": ("partial_relief", None)},
    ),
    # Outside the history, "continue" is not shared along a list: the heat is today's advice.
    ("Plan: continue exercises and meloxicam, heat after work, f/u 6 weeks.", {"nsaid": ("unknown", None)}),
    # Named home programs; "continue" reaches forward only.
    (
        "HPI: Completed 8 PT visits and still does her band program 4x/week.",
        {"physical_therapy": ("unknown", None), "home_exercise": ("unknown", None)},
    ),
    (
        "Plan: Eccentric wrist extensor program, continue ergonomic setup.",
        {"activity_modification": ("unknown", None)},
    ),
    # An earlier session dated by a visit word and a bare month and day; its muscle found "now"
    # non-tender still tells of that session. Injections "planned" at an earlier visit were not given.
    (
        "hx: last visit 10/20 injected L QL w ~70% relief x 6wk, QL now non tender.",
        {"prior_injection": ("unknown", None)},
    ),
    ("HPI: Seen 3/31 - TPIs done then to R trapezius (1% lido).", {"prior_injection": ("unknown", None)}),
    ("HPI: returns as scheduled; last seen 3/18 when TPIs were planned.", {}),
    # A practice's name on the title lines names the clinic; CMT is chiropractic care.
    (
        "Peak Performance Chiropractic & Rehab\nS: calf pain x 10 wks. Sports massage x3.",
        {"massage": ("unknown", None)},
    ),
    ("HARBOR SPINE\nS: RECEIVED CMT HERE 2X/WK SINCE JAN.", {"chiropractic": ("unknown", None)}),
    ("Westside Physical Therapy\nHPI: failed 8 weeks of PT.", {"physical_therapy": ("failed", "8 weeks")}),
    # In a needling note, "DN again" repeats today's needling.
    (
        "S: calf pain. Massage x3 helped briefly.\nP: Dry needling L soleus, 2 insertions, no injectate. "
        "DN again if helpful.",
        {"massage": ("relief", None)},
    ),
    # A hard-wrapped line goes on with an aside: its date belongs to the sentence above it.
    (
        "HPI: 39 yo F with chronic posterior neck and shoulder pain and cervicogenic headaches.\n"
        "Over the past 2 years she has had three rounds of trigger point injections in this clinic\n"
        "(last 07/2025), each with good relief, and she has no other joint pain at all.",
        {"prior_injection": ("relief", None)},
    ),
]


@pytest.mark.parametrize(("text", "expected"), TREATMENT_CASES, ids=[c[0][:40] for c in TREATMENT_CASES])
def test_prior_treatments_outcome_and_duration(text, expected):
    got = {p.treatment: (p.outcome, p.duration) for p in extract(text).prior_treatments}
    assert got == expected


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        ("Procedure: dry needling of the left trapezius, no injectate.", "needling"),
        ("Plan: patient declined injections today. Exam: tender L trapezius.", "none"),
        (
            "Referred for ?trigger point injections, lower back. Exam: tender taut bands. Plan: start PT.",
            "none",
        ),
        (
            "Question: upper back pain - candidate for trigger point injections?\nExam: tender L trapezius.",
            "none",
        ),
        ("Procedure: TPI to L trapezius with lidocaine.", "injection"),
        ("Procedure: trigger points in the upper back were injected with 1% lidocaine.", "injection"),
        (
            "Procedure: Dry needling, right upper trapezius. A small intradermal skin wheal of 1% lidocaine (0.2 mL) "
            "was raised at each entry point for comfort only; nothing was injected into muscle.",
            "needling",
        ),
        (
            "She was offered trigger point injections with lidocaine and declines; prefers needling without "
            "medication.\nProcedure: dry needling, no injectate. R gluteus medius: 4 passes, LTR.",
            "needling",
        ),
        (
            "Reason for consult: R posterior shoulder pain, ? trigger point injections\n\nPLAN\n"
            "- Discussed trigger point injections to the R infraspinatus; he would like to think about it. "
            "No procedure today.\n- Return in 3-4 weeks; if agreeable, TPI at that visit.",
            "none",
        ),
        (
            "PROCEDURE: Trigger point injection\nThe right upper trapezius was injected with 2 mL of 1% "
            "lidocaine. We did not inject the left side today.",
            "injection",
        ),
        (
            "Discussion and plan\n- Trigger point injections of the bilateral SCM and suboccipital muscles are "
            "reasonable and she is interested. Scheduled for 17 March. No injections were given today.",
            "none",
        ),
        (
            "Procedure: trigger point injections, 0.5% procaine:\n   R masseter  1.0 mL\n   L masseter  1.0 mL\n"
            "Lateral pterygoid injection deferred - will reassess after splint adjustment.",
            "injection",
        ),
        (
            "Here today for TPI L QL and L iliocostalis lumborum.\nPre-procedure check: INR this AM 3.8. "
            "Discussed with pt, procedure NOT performed today.\nExam: taut band L QL.",
            "none",
        ),
        (
            "A: Myofascial pain, neck - M79.12, improving after TPI.\n\nP: No injection indicated today given "
            "sustained improvement. Continue HEP.",
            "none",
        ),
        (
            "ASSESSMENT: R-sided myofascial low back pain with QL trigger point.\nDry needling to the R QL was "
            "considered. Deferred today: patient is on apixaban.\nPLAN: manual therapy, HEP. No needling "
            "performed.",
            "none",
        ),
        # Only another procedure was done: its injectates and injection words make no trigger points.
        (
            "Exam: taut band L gluteus medius.\n\nProcedure: L knee intra-articular injection, 20610. 22g "
            "needle into joint. 40 mg methylprednisolone + 3 mL 1% lidocaine injected.\n\nTPI to L gluteus "
            "medius DEFERRED today because of the skin infection overlying the site.",
            "none",
        ),
        # Needling named only in the plan, with no muscle needled, is a plan.
        (
            "Exam: taut band R infraspinatus.\nAssessment: myofascial pain R infraspinatus (M79.18).\nPlan: PT "
            "2x/wk x 6 wks. F/u 6 wks; could reconsider TPI or dry needling then if no better.",
            "none",
        ),
        (
            "Exam: taut band R infraspinatus.\nPlan: home stretching; dry needling at next visit.",
            "none",
        ),
        # A second opinion: injections at another practice, asked whether more would help, none done.
        (
            "Asked by her rheumatologist whether more trigger point injections would help. She has had 6 rounds "
            "of trigger point injections at another practice (neck, upper back and gluteal muscles).\n"
            "Impression: Fibromyalgia. I do not think further TPIs are indicated and I did not perform any today."
            "\n\nRecommendations to rheumatology:\n- No further trigger point injections.",
            "none",
        ),
    ],
    ids=[
        "dry-needling",
        "declined",
        "query-referral",
        "question",
        "tpi",
        "muscle-not-named",
        "dry-needling-with-skin-wheal",
        "offered-not-given",
        "no-procedure-today",
        "one-side-left-out",
        "consult-plans-injections",
        "one-muscle-deferred",
        "discussed-not-performed",
        "no-injection-indicated",
        "needling-considered-not-performed",
        "only-another-procedure",
        "needling-reconsidered-if-no-better",
        "needling-in-plan-only",
        "second-opinion-none-done",
    ],
)
def test_procedure_kind(text, procedure):
    assert extract(text).procedure_kind == procedure


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Procedure: Ultrasound-guided TPI to L trapezius with lidocaine 1 mL.", "ultrasound"),
        ("Procedure: TPI to L trapezius under US guidance with lidocaine 1 mL.", "ultrasound"),
        ("Procedure: TPI L trapezius 1 mL lidocaine.\nGuidance: [x] ultrasound  [ ] none", "ultrasound"),
        ("Procedure: TPI L trapezius 1 mL lidocaine.\nGuidance: [ ] ultrasound  [x] none", None),
        ("Procedure: TPI (no US guidance) to L trapezius with lidocaine 1 mL.", None),
        (
            "Procedure: real-time ultrasound is required given the pleura. High-frequency linear probe in "
            "sterile sheath. L serratus anterior 3 mL 1% lidocaine.",
            "ultrasound",
        ),
        ("procedures:\n2. us-guided trigger point injections: l trapezius 1 mL lidocaine", "ultrasound"),
        (
            "Procedure: Ultrasound is used to confirm placement; L trapezius injected with lidocaine 1 mL.",
            "ultrasound",
        ),
        ("Procedure: fluoroscopically guided TPI, L piriformis, lidocaine 1 mL.", "fluoroscopy"),
        ("Procedure: landmark-based TPI to L trapezius, lidocaine 1 mL. No ultrasound guidance.", None),
        ("Procedure: TPI to L trapezius with lidocaine 1 mL. Thank us for the visit.", None),
        ("Procedure: TPI L trapezius, lidocaine 1 mL.\n   Ultrasound guidance:   [ ] Yes   [X] No", None),
        (
            "Procedure: Sterile prep and probe cover. Linear probe, in-plane approach. L subscapularis 3 mL.",
            "ultrasound",
        ),
        (
            "Procedure: TPI L trapezius, lidocaine 1 mL.\nPlan:\n- If EMG confirms CTS: discuss US-guided "
            "carpal tunnel injection vs hand surgery referral",
            None,
        ),
        # Imaging used for another procedure the same day, the trigger points done without it.
        (
            "Procedures:\n (1) Right L4 medial branch block, fluoroscopic guidance\n (2) Trigger point "
            "injections, right quadratus lumborum (palpation guided, no imaging)\n",
            None,
        ),
        (
            "Procedure 1: L4-5 medial branch blocks under fluoroscopy.\nProcedure 2: 2 mL into the right "
            "gluteus medius. These trigger point injections were done by palpation only; fluoroscopy was not "
            "used for them.",
            None,
        ),
        # ... and a note whose trigger points were done under the imaging.
        (
            "Procedure 1: L4-5 medial branch blocks under fluoroscopy.\nProcedure 2: Trigger points located "
            "by palpation, then the right QL was injected under fluoroscopy, 2 mL.",
            "fluoroscopy",
        ),
        (
            "PROCEDURE 1 - US-guided right greater trochanteric bursa injection\nPROCEDURE 2 - Trigger point "
            "injection, right TFL\nLandmark technique, 25g needle, 2 mL 1% lidocaine into the trigger point.",
            None,
        ),
        (
            "She presents for a right hip intra-articular injection under fluoroscopy and trigger point "
            "injections.\nShe was then turned prone and trigger point injections were performed without "
            "imaging into the right gluteus maximus, 2 mL.",
            None,
        ),
        (
            "Procedures: (1) Right sacroiliac joint injection under fluoroscopy. (2) Ultrasound-guided trigger "
            "point injections, right quadratus lumborum, 3 mL.",
            "ultrasound",
        ),
        # The imaging named in another procedure's own numbered section guided that procedure.
        (
            "PROCEDURE 1 - Trigger point injections, L abdominal wall (20552)\n  L rectus abdominis: 0.25% "
            "bupivacaine 3 mL\n\nPROCEDURE 2 - R ilioinguinal nerve block, ultrasound-guided (64425, 76942)\n"
            "Linear probe medial to the R ASIS; external oblique and internal oblique layers identified.",
            None,
        ),
        (
            "Procedure A: Fluoroscopically guided R sacroiliac joint injection (27096)\nx\n\nProcedure B: "
            "Botulinum toxin injection of myofascial trigger points - landmark (no fluoroscopy; C-arm moved "
            "away)\nL quadratus lumborum 30 U (1.2 mL)",
            None,
        ),
        (
            "Dx: M79.18\n\n1) L4-5 ILESI, fluoroscopic guidance (62323)\nTuohy needle under AP and lateral fluoro. "
            "Injected triamcinolone 80 mg.\n\n2) TPI bilateral lumbar paraspinals (20552)\nAfter the ESI, "
            "paraspinal trigger points marked by palpation. 1% lidocaine 3 mL R side, 3 mL L side.",
            None,
        ),
        (
            "DESCRIPTION OF PROCEDURE:\nEpidural: The C7-T1 interspace was identified under AP fluoroscopy and "
            "the epidural space entered; 80 mg triamcinolone injected.\n\nTrigger points: palpated and "
            "injected, left upper trapezius 2 mL 1% lidocaine.",
            None,
        ),
        (
            "RADIOLOGY - INTERVENTIONAL MR SUITE\nEXAM: MR-guided injection, right piriformis muscle\n"
            "TECHNIQUE: A 20-gauge MR-compatible needle was advanced into the right piriformis; 4 mL of 0.5% "
            "bupivacaine injected.",
            "mri",
        ),
        # "as planned" reports the plan carried out.
        (
            "A: Myofascial pain R hip girdle.\n\nP: TPI under ultrasound guidance as planned.\nConsent signed.\n"
            "  R glute med - 1% lidocaine 2 mL",
            "ultrasound",
        ),
    ],
    ids=[
        "capital-ultrasound",
        "US",
        "guidance-field-answered",
        "guidance-field-box-unticked",
        "no-US-guidance-aside",
        "real-time-probe-in-sheath",
        "us-guided-lower-case",
        "is-used",
        "fluoro",
        "negated",
        "us-word",
        "no-box-ticked",
        "in-plane",
        "to-discuss",
        "other-procedure-imaging",
        "not-used-for-them",
        "tpi-under-same-imaging",
        "landmark-line-under-tpi-header",
        "intro-names-both-procedures",
        "two-modalities-tpi-own",
        "other-procedure-section-imaging",
        "c-arm-moved-away",
        "numbered-item-block-imaging",
        "label-block-imaging",
        "mr-guided",
        "as-planned",
    ],
)
def test_guidance_modality(text, modality):
    g = extract(text).guidance
    assert (g.modality if g else None) == modality


def test_em_code_called_the_procedures_own_evaluation_is_not_separate():
    f = extract(
        "Why ultrasound: severe COPD with hyperinflation.\nProcedure: US-guided TPI L serratus anterior, "
        "lidocaine 1 mL.\nDiagnoses:\n  M79.18 myalgia\n  J44.9 COPD, unspecified\n"
        "CHARGES: 20552 / 76942 / 99213 (pre-procedure evaluation)"
    )
    assert f.em is not None and f.em.code == "99213" and not f.em.separate_problem


@pytest.mark.parametrize(
    ("text", "has_reason"),
    [
        # The reason on the guidance's own field line, however far from the guidance phrase.
        (
            "Procedure: Ultrasound-guided trigger point injections.\nConsent obtained. Prep.\nPositioned supine.\n"
            "Guidance: Ultrasound was needed because of the brachial plexus between the scalenes.\n"
            "L anterior scalene 1 mL.",
            True,
        ),
        (
            "PROCEDURE: Ultrasound-guided TPI of the RIGHT PIRIFORMIS.\nHistory: pain for a year.\nExam: tender.\n"
            "GUIDANCE: ultrasound used so the drug is deposited in the belly and away from the sciatic nerve.",
            True,
        ),
        (
            "Procedure: US-guided TPI, RIGHT infraspinatus.\nHistory: pain.\nExam: tender.\nReason for guidance: "
            "to stay clear of the suprascapular neurovascular bundle.",
            True,
        ),
        (
            "Procedure: Ultrasound-guided TPI of the LEFT SUBSCAPULARIS.\nHistory: pain.\nExam: tender.\n"
            "Ultrasound guidance is necessary: the subscapularis lies on the costal surface of the scapula.",
            True,
        ),
        # No reason anywhere: only the guidance itself.
        (
            "Procedure: Ultrasound-guided TPI of the R piriformis, 2 mL.\nGuidance: ultrasound, in-plane.",
            False,
        ),
    ],
    ids=["field-line", "away-from-named-nerve", "reason-for-guidance", "guidance-is-necessary", "no-reason"],
)
def test_guidance_reason(text, has_reason):
    g = extract(text).guidance
    assert g is not None and g.modality == "ultrasound"
    assert bool(g.reason) is has_reason


def test_icd_codes_as_written_and_guidance_and_em():
    f = extract(
        "DOS: 03/14/2026 MRN: 448812\nAssessment: M79.18, M54.5.\nProcedure: ultrasound-guided TPI L trapezius "
        "with lidocaine 2 mL due to body habitus. Also evaluated her new knee pain. 99213-25."
    )
    assert [d.code for d in f.diagnoses if d.code] == ["M79.18", "M54.5"]
    assert f.guidance is not None and f.guidance.modality == "ultrasound" and f.guidance.reason
    assert f.em is not None and f.em.code == "99213" and f.em.separate_problem
    assert f.date_of_service == "2026-03-14" and f.patient_id == "448812"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("HPI: neck pain.\nPHYSICAL EXAM: tender\nProcedure: x", ["history", "exam", "procedure"]),
        ("S: pain\nO: tender\nA: myalgia\nP: TPI", ["history", "exam", "assessment", "plan"]),
        ("Exam: tender. Assessment: myalgia.", ["exam", "assessment"]),
        ("Indication: pain\n\nDescription: prepped, injected", ["indication", "procedure"]),
        # A name ending a question mid-line is no header; after a sentence with a colon it is.
        ("HPI: shoulder pain, ? trigger point injections\nExam: tender", ["history", "exam"]),
        ("HPI: shoulder pain. Procedure: TPI L trap", ["history", "procedure"]),
        ("Dx: myalgia M79.12\n\nProcedure detail:\nBotox 100 units.", ["assessment", "procedure"]),
        (
            "PROCEDURE 1: L greater trochanteric bursa injection (20610)\nx\nTechnique: y\n"
            "PROCEDURE 2: US-guided trigger point injections, L gluteus medius\nz",
            ["other_procedure", "other_procedure", "procedure"],
        ),
        (
            "Dx: M79.18\n\nProcedure 1 - Bilateral greater occipital nerve block\nx\nProcedure 2 - TPI\ny",
            ["assessment", "other_procedure", "procedure"],
        ),
        (
            "Dx: M79.12\n\nTreatment history:\n - Physical therapy: two courses.\n - Medications: tramadol.\n"
            " - Trigger point injections: last session 01/28/2026 with 60% relief.\n\nExam: taut bands",
            ["assessment", "history", "medications", "exam"],
        ),
        (
            "Dx: M79.12\n\nPROCEDURE: Trigger point injections\nPrep: alcohol x 3.\nMeds: 1% lidocaine 2 mL "
            "per side\n  - LEFT trapezius\nComplications: none.",
            ["assessment", "procedure", "procedure", "procedure", "procedure"],
        ),
        (
            "Dx: M79.12\n\nPROCEDURE: TPI L trapezius 2 mL 1% lidocaine.\nMedications: gabapentin, ibuprofen",
            ["assessment", "procedure", "medications"],
        ),
        (
            "Dx: M79.12\n\nHx / interval:  Sessions 1-3 needled L upper trapezius.\nExam: R upper trapezius taut",
            ["assessment", "history", "exam"],
        ),
        (
            "Dx: M62.830\n\nProcedure the right thoracic para spinal muscles were cleaned with chlorhexidine.",
            ["assessment", "procedure"],
        ),
        (
            "Chief Complaint ........ neck pain\nExam ................... taut band\nProcedure .............. "
            "Trigger point injection\nPlan ................... f/u",
            ["history", "exam", "procedure", "plan"],
        ),
        (
            "Dx: M79.18\n\nPRE-PROCEDURE\n  Pain score 8\n  Conservative care tried: [X] PT\nEXAM\n  Taut band [X]",
            ["assessment", "indication", "exam"],
        ),
        (
            "Dx: M79.18\n\nProcedure: L knee intra-articular injection, 20610. Consent.\nTPI to L gluteus "
            "medius: deferred today.",
            ["assessment", "other_procedure", "procedure"],
        ),
        (
            "Dx: M79.18\n\nProcedure: Risks reviewed including phrenic nerve block/dyspnea. Needle "
            "into the right anterior scalene.",
            ["assessment", "procedure"],
        ),
        (
            "PROCEDURES:\n  1) Bilateral L4-L5 facet joint medial branch blocks, fluoroscopically guided\n  2) "
            "Trigger point injections: bilateral QL\n\nDIAGNOSES: M79.18",
            ["procedure", "other_procedure", "procedure", "procedure", "assessment"],
        ),
        # A plan's numbered line is a plan, and a line that plans the procedure opens nothing.
        ("Plan:\n1) L4-5 ILESI (62323) if no better\n2) PT", ["plan"]),
        ("Procedure:\n1) Consider L4-5 ILESI (62323) next visit\nx", ["procedure"]),
        # A numbered header naming the trigger points stays theirs even beside another procedure's name.
        (
            "Dx: M79.18\n\nProcedure B: Botulinum toxin injection of myofascial trigger points (no fluoroscopy)\nx",
            ["assessment", "procedure"],
        ),
        (
            "Indication: neck pain\n\nPt consented. Prepped w/ alcohol. Injected R trap.",
            ["indication", "procedure"],
        ),
        # The procedure's name and its consent opening a line inside an "O:" paragraph.
        (
            "O: Palpation: taut bands R glute med.\n\nTrigger point dry needling (TDN), R side, with informed "
            "consent on file. Solid filament needles, no injectate.\n   R gluteus medius 0.30 x 60 mm",
            ["exam", "procedure"],
        ),
        # A dictated header with a full stop; "Procedure note." is a title.
        (
            "Procedure note  DOS: 05/20/2025\n\nExam: tender.\n\nProcedure. Consent reviewed. Injected as follows",
            ["exam", "procedure"],
        ),
        # A template's history field inside the procedure block.
        (
            "Injectate: [X] Lidocaine 1%  vol: 6 mL\nPrior conservative tx: [X] PT  [ ] chiropractic",
            ["procedure", "history"],
        ),
        # A procedure's own fields after its rationale take the procedure back.
        (
            "PROCEDURE: Trigger point injections (repeat)\nRationale: prior TPI gave 50% relief.\n"
            "Solution: 1% lidocaine 8 mL.\nSites and volumes:\n  right upper trapezius .... 2 mL",
            ["procedure", "indication", "procedure", "procedure"],
        ),
        # A needling header with its aside.
        (
            "OBJECTIVE\nPalpation: taut bands L gluteus medius.\n\nTRIGGER POINT DRY NEEDLING (no injectate)\n"
            "  - L gluteus medius ........ 0.30 x 60 mm, 3 insertions",
            ["exam", "procedure"],
        ),
        # Headers closed by a slash and a space ("a/ neck pain"); "s/p" stays status post.
        (
            "pt: 53 yo M   seen: 01/08/2026\nprovider: D. Okonkwo, MD\n\n"
            "s/ R neck pain x 3 mo.\no/ R upper trapezius tender.\nprocedure/ trigger pt inj R upper trapezius."
            "\na/ neck pain\np/ heat, stretch\ns/p TPI last yr.",
            ["history", "exam", "procedure", "assessment", "plan"],
        ),
        # Two names of one kind joined by a slash are one header; two kinds joined are none.
        (
            "HPI: neck pain.\nPROCEDURE: TPI R trapezius 2 mL.\n\nDISPOSITION / FOLLOW-UP\nReassess trigger points.",
            ["history", "procedure", "plan"],
        ),
        (
            "HPI: neck pain.\nPROCEDURE: TPI R trapezius 2 mL.\n\nExam / Plan\nReassess trigger points.",
            ["history", "procedure"],
        ),
        (
            "HPI: neck pain.\nTRIGGER POINT EXAM / INJECTION\nTrapezius  [X]\n\nPLAN/TX:\n* Dry needling L trapezius",
            ["history", "procedure"],
        ),
    ],
    ids=[
        "headers",
        "soap",
        "inline",
        "description",
        "question-mid-line",
        "inline-after-sentence",
        "detail",
        "other-procedure-numbered",
        "nerve-block-dash",
        "history-list-items",
        "meds-field-of-procedure",
        "meds-list-after-procedure",
        "hx-slash-interval",
        "procedure-without-colon",
        "dot-leader-fields",
        "pre-procedure",
        "plain-header-other-title",
        "plain-header-narrative",
        "numbered-items",
        "plan-item",
        "planned-item",
        "trigger-points-named",
        "pt-consented-opens-procedure",
        "name-and-consent-opens-procedure",
        "dictated-header-full-stop",
        "prior-conservative-tx-field",
        "procedure-fields-after-rationale",
        "needling-header-with-aside",
        "slash-headers",
        "joined-names-one-kind",
        "joined-names-two-kinds",
        "joined-plan-and-procedure",
    ],
)
def test_sections_detected(nlp, text, kind):
    from tpicoder.extract.textio import tokenizer_view

    doc = nlp(tokenizer_view(text))
    assert [s.kind for s in doc._.tpi_sections] == kind


def test_codes_with_a_letter_third_are_read():
    f = extract("Assessment: 1. Myalgia M79.18. 2. Pregnancy, 24 weeks Z3A.24. 3. Gout M1A.071.")
    assert [d.code for d in f.diagnoses if d.code] == ["M79.18", "Z3A.24", "M1A.071"]


def test_date_is_not_modifier_25_and_three_character_codes_are_read():
    f = extract(
        "Date: 2025-11-25\nAssessment: myalgia M79.18; hypertension I10.\nProcedure: TPI L trapezius, lidocaine 1 mL."
    )
    assert f.em is None
    assert [d.code for d in f.diagnoses if d.code] == ["M79.18", "I10"]


def test_second_problem_mentioned_makes_em_separate():
    f = extract(
        "Billing: 99213-25; 20552\nProcedure: TPI L trapezius, lidocaine 1 mL.\nHe also mentions 3 days of sore "
        "throat. Rapid strep positive. Assessment: strep pharyngitis, amoxicillin."
    )
    assert f.em is not None and f.em.separate_problem


def test_trade_name_strength_gives_concentration_and_drug_units():
    import tpicoder

    r = tpicoder.analyze(
        "DOS: 03/14/2026\nProcedure: TPI to L trapezius with Kenalog-40 1 mL and 1% lidocaine 2 mL."
    )
    assert {s.substance: s.concentration for s in r.substances} == {
        "triamcinolone": "40 mg/mL",
        "lidocaine": "1%",
    }
    assert ("J3301", 4) in [(line.code, line.units) for line in r.claim_lines]


def test_note_defined_abbreviations_are_read_later_in_the_note():
    f = extract(
        "Exam: taut band in the left upper trapezius (UT) and levator scapulae (LS).\nProcedure: UT and LS injected, L side."
    )
    assert injected(f) == {("trapezius", "left"), ("levator_scapulae", "left")}
    assert {m.match for m in f.mentions if m.text in ("UT", "LS")} == {"abbreviation"}


def test_amount_grid_gives_sides_per_column():
    f = extract(
        "PROCEDURE: OnabotulinumtoxinA 10 units per 0.1 mL.\n\n  Site                 R        L\n"
        "  Frontalis            5 U      5 U\n  Temporalis          15 U      -\n"
    )
    assert injected(f) == {("frontalis", "left"), ("frontalis", "right"), ("temporalis", "right")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Procedure: 1:1 mix of 1% lidocaine and 0.25% bupivacaine, 5 mL total:\n  - right hamstrings - biceps femoris: 2 mL",
            {("biceps_femoris", "right")},
        ),
        (
            "Procedure: TPI to L glute med (hip abductors) with 1% lidocaine 2 mL.",
            {("gluteus_medius", "left")},
        ),
        (
            "Procedure: R anterior scalene, palpated between SCM and the middle scalene, 1 mL lidocaine.",
            {("anterior_scalene", "right")},
        ),
        (
            "Plan: Trigger point injections to the bilateral upper trapezius discussed; she would like to defer today.",
            set(),
        ),
    ],
    ids=["group-label-of-member", "abductors-not-adductors", "between-landmarks", "discussed-not-done"],
)
def test_labels_landmarks_and_discussions(text, expected):
    assert injected(extract(text)) == expected


def test_injury_follow_up_code_is_not_a_separate_problem():
    f = extract(
        "Assessment: Strain of muscles at shoulder level, right arm, subsequent encounter S46.811D; myalgia M79.18.\n"
        "Procedure: TPIs R upper trapezius and R rhomboid minor, 1% lidocaine 2 mL per muscle.\nBilling: 99213, 20552"
    )
    assert f.em is not None and not f.em.separate_problem


def test_code_called_incidental_is_no_separate_problem():
    f = extract(
        "A: Myofascial pain R hip girdle (M79.18); primary OA R hip (M16.11) - incidental, no treatment change.\n"
        "Procedure: TPI R gluteus medius, lidocaine 2 mL.\nBilling: 99213-25, 20552."
    )
    assert f.em is not None and not f.em.separate_problem


def test_other_system_code_beside_em_is_a_separate_problem():
    f = extract(
        "Assessment: 1. Chronic migraine without aura (G43.709), increase topiramate. 2. Myalgia M79.12.\n"
        "Procedure: TPI L trapezius, lidocaine 1 mL.\nBilling: 99214-25; 20552."
    )
    assert f.em is not None and f.em.separate_problem


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("lido 1%/Celestone mixture", ["lido", "1%", "/", "Celestone", "mixture"]),
        ("lido/marc 50:50", ["lido", "/", "marc", "50:50"]),
        ("Kenalog 40mg/mL", ["Kenalog", "40mg/mL"]),
        ("B/L L-trapezius", ["B/L", "L-", "trapezius"]),
    ],
    ids=["percent-slash", "word-slash", "strength-kept", "sides"],
)
def test_tokenizer_splits_glued_drugs_and_sides_only(nlp, text, tokens):
    from tpicoder.extract.textio import tokenizer_view

    assert [t.text for t in nlp(tokenizer_view(text))] == tokens


@pytest.mark.parametrize(
    ("spoken", "value"),
    [
        ("four", 4.0),
        ("fifteen", 15.0),
        ("twenty five", 25.0),
        ("twenty-five", 25.0),
        ("one hundred", 100.0),
        ("a hundred and twenty", 120.0),
        ("one and a half", 1.5),
        ("half", 0.5),
        ("point five", 0.5),
        ("zero point two five", 0.25),
        ("oh point five", 0.5),
        ("__1__", 1.0),
        ("3.5", 3.5),
        ("lido", None),
        ("point", None),
        ("", None),
    ],
)
def test_dictated_numbers_are_read(spoken, value):
    from tpicoder.extract.substances import parse_number

    assert parse_number(spoken) == value


@pytest.mark.parametrize(
    "problem",
    [
        "CC: 1) scheduled TPIs  2) NEW right knee pain x 3 weeks. XR R knee 3 views ordered.",
        "Billing: 99213-25 (knee problem evaluated and managed separately), 20552",
        "Radiculopathy: PDMP reviewed, UDS collected, opioid agreement renewed. Refill tramadol #90.",
    ],
    ids=["new-knee-pain-xr-ordered", "managed-separately", "opioid-management"],
)
def test_another_problem_managed_makes_em_separate(problem):
    f = extract(f"Office visit, 99213.\n{problem}\nProcedure: TPI L trapezius, lidocaine 1% 1 mL.")
    assert f.em is not None and f.em.separate_problem


def test_a_class_name_beside_one_product_is_that_product():
    f = extract("BOTULINUM TOXIN PROCEDURE\nProcedure: Dysport 300 units into the L gastrocnemius.")
    assert [s.substance for s in f.substances] == ["abobotulinumtoxina"]
    f = extract("Procedure: botulinum toxin 100 units into the L upper trapezius.")
    assert [s.substance for s in f.substances] == ["onabotulinumtoxina"]


def test_substance_evidence_names_each_span_once():
    f = extract(
        "Drug: incobotulinumtoxinA (Xeomin) 100-unit vial\n\n| Muscle | Side | Units |\n| Piriformis | L | 40 |\n"
        "| Gluteus medius | L | 20 |\n"
    )
    (sub,) = f.substances
    spans = [(e.start, e.end) for e in sub.evidence]
    assert len(spans) == len(set(spans)) and [e.text for e in sub.evidence].count("40") == 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[x] Lidocaine 1%   ____ mL\n[ ] Bupivacaine 0.25%   ____ mL", {"lidocaine"}),
        (
            "Medication:  Lidocaine 1% __6__ mL    Bupivacaine 0.25% ____ mL    Triamcinolone ____ mg",
            {"lidocaine"},
        ),
    ],
    ids=["ticked-with-blank-amount", "blanks-on-one-line"],
)
def test_a_blank_amount_negates_a_drug_unless_its_box_is_ticked(line, expected):
    f = extract(f"Muscles injected:\n Trapezius ...... [x] L  [ ] R\n\nInjectate:\n{line}\n")
    assert {s.substance for s in f.substances} == expected


@pytest.mark.parametrize(
    "exam",
    [
        "On palpation there is a tender, ropey spot in the L rhomboid major.",
        "Pressing the L middle trapezius recreates her pain.",
        "Firm knot in the R levator scapulae.",
    ],
)
def test_trigger_point_exam_findings_in_plain_words(exam):
    f = extract(f"{exam}\nLidocaine injected into the L rhomboid major trigger point.")
    assert f.exam_findings


def test_a_drug_name_inside_another_use_is_no_injectate():
    f = extract(
        "Assessment/Plan:\n1) Myofascial pain, bilateral trapezius (M79.12) -- TPI performed:\n   Consent. 1% "
        "lidocaine 3 mL + triamcinolone 10 mg into each upper trapezius (R and L). Tolerated well.\n2) Acute "
        "maxillary sinusitis (J01.00) -- amoxicillin-clavulanate 875 mg bid x 7 d, continue Flonase and saline "
        "irrigation."
    )
    assert {s.substance for s in f.substances} == {"lidocaine", "triamcinolone"}
    f = extract("Procedure: TPI L trapezius, 1% lidocaine 2 mL; saline rinses for her sinuses.")
    assert {s.substance for s in f.substances} == {"lidocaine"}
