"""Drug names written by speech recognition as sound-alike words ("lie Dokaine", "toe Radol")."""

from __future__ import annotations

import pytest

from tpicoder.api import extract
from tpicoder.extract.sound_alike import sound_key, sounds_like


@pytest.mark.parametrize(
    ("heard", "name"),
    [
        ("lie Dokaine", "lidocaine"),
        ("mark Kane", "marcaine"),
        ("can a log", "kenalog"),
        ("toe Radol", "toradol"),
        ("pro Kane", "procaine"),
        ("sara pin", "sarapin"),
        ("tri am sin o lone", "triamcinolone"),
        ("keto role ack", "ketorolac"),
        ("zylocaine", "xylocaine"),
        ("lie to Cain", "lidocaine"),
        ("lie dough Kane", "lidocaine"),
        ("decks a meth a zone", "dexamethasone"),
        ("rope a vacaine", "ropivacaine"),
    ],
)
def test_sound_alike_words_share_the_drug_key(heard, name):
    assert sound_key(heard) == sound_key(name)


@pytest.mark.parametrize(
    ("heard", "name", "min_score"),
    # The thresholds of settings.yaml: 70 for several words, 88 for one word (a misspelling).
    [("buttocks", "botox", 88), ("theradial", "toradol", 70)],
)
def test_a_shared_key_is_not_enough_without_a_like_spelling(heard, name, min_score):
    assert sound_key(heard) == sound_key(name)
    assert sounds_like(heard, [name], min_score) is None


def _drugs(text: str) -> dict[str, str]:
    found = extract(text)
    return {
        s.substance: next(
            m.match for m in found.mentions if m.label == "SUBSTANCE" and m.normalized == s.substance
        )
        for s in found.substances
    }


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        (
            "Procedure: A total of 3 cc of 1% lie Dokaine was used, 2 cc L trapezius and 1 cc L levator.",
            "lidocaine",
        ),
        ("Procedure: 5 cc of 0.25 percent mark Kane was prepared; 3 cc into the R QL.", "bupivacaine"),
        (
            "Procedure: the R SCM was injected with lidocaine and can a log, negative aspiration.",
            "triamcinolone",
        ),
        ("Procedure: Drew up toe Radol 30 mg (1 mL) and injected the L erector spinae.", "ketorolac"),
        ("Procedure: Used one percent pro Kane, 2 mL into the R TFL.", "procaine"),
        ("Procedure: L rhomboid major injected with sara pin 3 mL.", "sarapin"),
        # Spoken amounts: the numbers are the amount's, not part of the name or words between.
        ("Procedure: a mixture of lie to Cain one percent was injected into the L trapezius.", "lidocaine"),
        (
            "Procedure: rope a vacaine zero point two percent two milliliters into the R scalene.",
            "ropivacaine",
        ),
        ("Procedure: and decks a meth a zone four milligrams total, L trapezius.", "dexamethasone"),
        ("Procedure: injected with Sarah pin one cc per site, L SCM.", "sarapin"),
    ],
)
def test_sound_alike_drug_beside_an_amount_is_read(text, drug):
    assert _drugs(text).get(drug) == "fuzzy"


@pytest.mark.parametrize(
    "text",
    [
        # The words sound like a drug but no amount or drug stands beside them.
        "Exam: taut bands with referral into the buttocks. Procedure: L piriformis, 1% lidocaine 3 mL.",
        "Procedure: 1% lidocaine 1 mL to the sheath at the radial styloid, L brachioradialis.",
        "HPI: toe Radol helped her once in the ER.\nProcedure: L trapezius, 1% lidocaine 2 mL.",
        # One word sharing a drug's key is a misspelling only when spelled almost like it.
        "Procedure: 1% lidocaine, 3 mL into the L gluteus medius, 2 mL toward the buttocks 2 mL.",
    ],
)
def test_sound_alike_words_without_an_amount_beside_them_are_no_drug(text):
    assert set(_drugs(text)) == {"lidocaine"}
