"""Benchmark: write_review over synthetic notes (no spaCy needed; results are built directly).

    python benchmarks/bench_review.py            # 1,000 notes into a temporary folder
    python benchmarks/bench_review.py --notes 5000 --out benchmarks/out --keep
    python benchmarks/bench_review.py --browser   # also time index.html in headless chromium

Prints pages per second, total seconds and the size of index.html. Target: 1,000 pages in under 60 s
on one core. Runs pinned to one CPU where the OS allows it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tpicoder.render import write_review
from tpicoder.schema import (
    ClaimLine,
    Diagnosis,
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

MUSCLES = [
    ("trapezius", "upper trapezius", "neck"),
    ("levator_scapulae", "levator scapulae", "neck"),
    ("rhomboid_major", "rhomboid major", "upper_back"),
    ("infraspinatus", "infraspinatus", "shoulder"),
    ("splenius_capitis", "splenius capitis", "neck"),
    ("quadratus_lumborum", "quadratus lumborum", "low_back"),
    ("gluteus_medius", "gluteus medius", "hip_buttock"),
    ("piriformis", "piriformis", "hip_buttock"),
    ("sternocleidomastoid", "SCM", "neck"),
    ("cervical_paraspinals", "cervical paraspinals", "neck"),
]
SIDES = [("left", "L"), ("right", "R"), ("left", "left"), ("right", "right")]
WARNINGS = [
    ("CONSERVATIVE_CARE_MISSING", "warning"),
    ("EXAM_FINDINGS_MISSING", "warning"),
    ("DOSE_MISSING", "warning"),
    ("LATERALITY_MISSING", "warning"),
    ("NONSPECIFIC_MUSCLE", "warning"),
    ("DIAGNOSIS_CODE_INVALID", "error"),
    ("MUSCLES_NOT_NAMED", "error"),
    ("GUIDANCE_NECESSITY", "info"),
]
FILLER = (
    "Patient reports pain is worse with prolonged sitting and computer work, rated 7/10, with poor sleep. "
    "Denies numbness, weakness, bowel or bladder change. Medications reviewed and reconciled. "
)


class _Writer:
    """Appends text and records mentions with offsets that match it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.mentions: list[Mention] = []

    def add(self, chunk: str, label: str | None = None, **fields) -> Evidence:
        start = self.length
        self.parts.append(chunk)
        self.length += len(chunk)
        if label:
            self.mentions.append(Mention(label=label, text=chunk, start=start, end=self.length, **fields))
        return Evidence(start=start, end=self.length, text=chunk)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def synthetic_note(i: int, rng: random.Random) -> tuple[NoteResult, str]:
    """One realistic-sized note (about 2-4 KB, 30-60 spans) with nested spans and warnings."""
    w = _Writer()
    w.add("HPI:", "SECTION", normalized="hpi", match="pattern")
    w.add(" " + FILLER * rng.randint(4, 10))
    w.add("Tried ")
    pt = w.add("physical therapy", "PRIOR_TX", normalized="physical_therapy", section="hpi")
    w.add(" for 6 weeks without relief.\n\n")
    w.add("Exam:", "SECTION", normalized="exam", match="pattern")
    w.add(" ")
    w.add("taut bands", "EXAM", normalized="taut_band", section="exam")
    w.add(" and ")
    w.add("twitch response", "EXAM", normalized="twitch_response", section="exam")
    w.add(". " + FILLER + "\n\n")
    w.add("Procedure:", "SECTION", normalized="procedure", match="pattern")
    w.add(" After consent, ")
    proc = w.add("trigger point injections", "PROCEDURE", normalized="injection", section="procedure")
    w.add(" with ")
    sub_start = w.length
    w.add("lidocaine 1% ")
    dose_start = w.length
    w.add("2 mL")
    w.mentions.append(Mention(label="DOSE", text="2 mL", start=dose_start, end=w.length, normalized="2 mL"))
    substance = Evidence(start=sub_start, end=w.length, text=w.text[sub_start:])
    w.mentions.append(
        Mention(label="SUBSTANCE", text=substance.text, start=sub_start, end=w.length, normalized="lidocaine")
    )
    w.add(" per site into ")
    injected: list[InjectedMuscle] = []
    chosen = rng.sample(MUSCLES, rng.randint(1, 6))
    for k, (mid, name, region) in enumerate(chosen):
        side, side_text = rng.choice(SIDES)
        start = w.length
        w.add(side_text, "SIDE", normalized=side, section="procedure")
        w.add(" " + name)
        fuzzy = rng.random() < 0.1
        w.mentions.append(
            Mention(
                label="MUSCLE",
                text=w.text[start:],
                start=start,
                end=w.length,
                normalized=mid,
                side=side,
                injected=True,
                match="fuzzy" if fuzzy else "exact",
                score=88.0 if fuzzy else 100.0,
                section="procedure",
            )
        )
        ev = Evidence(start=start, end=w.length, text=w.text[start:])
        injected.append(
            InjectedMuscle(
                muscle=mid, side=side, is_group=mid.endswith("paraspinals"), region=region, evidence=[ev]
            )
        )
        w.add(", " if k < len(chosen) - 1 else ". ")
    w.add("No injection into the ")
    w.add(
        "rhomboid minor",
        "MUSCLE",
        normalized="rhomboid_minor",
        assertion="negated",
        injected=False,
        cue="No injection",
        cue_rule="neg_no",
    )
    w.add(" today. " + FILLER + "\n\n")
    w.add("Assessment:", "SECTION", normalized="assessment", match="pattern")
    w.add(" ")
    dx = w.add("myofascial pain syndrome", "DIAGNOSIS", normalized="M79.18")
    w.add(" (")
    code = w.add("M79.18", "DIAGNOSIS", normalized="M79.18", match="pattern")
    w.add("). " + FILLER * rng.randint(1, 4))
    text = w.text
    count = len({(m.muscle, m.side) for m in injected})
    warnings = []
    for wcode, severity in rng.sample(WARNINGS, rng.randint(0, 3)):
        evidence = [rng.choice([proc, substance, dx, pt])] if rng.random() < 0.7 else []
        warnings.append(
            Warning(code=wcode, severity=severity, message=f"{wcode.lower()} message", evidence=evidence)
        )
    result = NoteResult(
        note_id=f"bench-{i:05d}",
        procedure="trigger_point_injection",
        injected_muscles=injected,
        substances=[
            Substance(
                substance="lidocaine",
                role="anesthetic",
                concentration="1%",
                volume=Quantity(value=2, unit="mL"),
                evidence=[substance],
            )
        ],
        prior_treatments=[
            PriorTreatment(
                treatment="physical_therapy",
                name="physical therapy",
                duration="6 weeks",
                outcome="failed",
                evidence=[pt],
            )
        ],
        diagnoses=[
            Diagnosis(code="M79.18", text="myofascial pain syndrome", valid=True, evidence=[dx, code])
        ],
        claim_lines=[
            ClaimLine(
                code="20553" if count >= 3 else "20552",
                units=1,
                description="TPI",
                rationale=f"{count} muscles injected",
                evidence=[proc],
            )
        ],
        warnings=warnings,
        mentions=w.mentions,
        meta=NoteMeta(tool_version="bench", payer="cms"),
    )
    return result, text


def notes(n: int, seed: int = 7) -> Iterator[tuple[NoteResult, str]]:
    """Yield ``n`` synthetic notes lazily (write_review streams them)."""
    rng = random.Random(seed)
    for i in range(n):
        yield synthetic_note(i, rng)


BROWSER_TIMING = """
const out = {};
const heads = document.querySelectorAll('#notes thead th');
const names = Array.from(heads, h => h.textContent.trim());
let t = performance.now();
heads[names.indexOf('Muscles')].click();
out.sort_muscles_ms = performance.now() - t;
t = performance.now();
heads[names.indexOf('Note')].click();
out.sort_note_ms = performance.now() - t;
const sev = document.getElementById('f-sev');
t = performance.now(); sev.value = 'error'; sev.dispatchEvent(new Event('change'));
out.filter_ms = performance.now() - t;
out.shown = Number(document.getElementById('shown').textContent);
return out;
"""


def time_in_browser(index: Path) -> None:
    """Open index.html in headless Debian chromium and time loading, sorting and filtering."""
    chromium, driver_path = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
    if not (chromium.exists() and driver_path.exists()):
        print("browser               skipped: /usr/bin/chromium or /usr/bin/chromedriver missing")
        return
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(chromium)
    profile = tempfile.mkdtemp(prefix="tpicoder-bench-profile-")
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--window-size=1400,900", f"--user-data-dir={profile}",
    ):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(driver_path)), options=options)
    try:
        driver.get("about:blank")
        start = time.perf_counter()
        driver.get(index.as_uri())
        load = time.perf_counter() - start
        timing = driver.execute_script(BROWSER_TIMING)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"index load (browser)  {load * 1000:.0f} ms")
    number, text = timing["sort_muscles_ms"], timing["sort_note_ms"]
    print(f"index sort            {number:.0f} ms (number column), {text:.0f} ms (text column)")
    print(f"index filter          {timing['filter_ms']:.0f} ms ({timing['shown']} rows with errors)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the output folder")
    parser.add_argument("--browser", action="store_true", help="time index.html in headless chromium")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    # Build the inputs first so the timing covers rendering and writing only.
    t0 = time.perf_counter()
    items = list(notes(args.notes))
    build = time.perf_counter() - t0
    chars = [len(t) for _, t in items]
    spans = [len(r.mentions) for r, _ in items]

    out = args.out or Path(tempfile.mkdtemp(prefix="tpicoder-bench-"))
    start = time.perf_counter()
    report = write_review(items, out)
    total = time.perf_counter() - start
    index_kb = report.index_html.stat().st_size / 1024
    page_kb = statistics.mean((out / p).stat().st_size for p in report.pages) / 1024

    print(f"notes                 {report.notes}")
    print(
        f"note size             {statistics.mean(chars):.0f} chars, {statistics.mean(spans):.0f} spans (mean)"
    )
    print(f"build inputs          {build:.2f} s (not timed below)")
    print(f"write_review total    {total:.2f} s on one core")
    print(f"pages per second      {report.notes / total:.0f}")
    print(f"index.html            {index_kb:.0f} KiB")
    print(f"note page             {page_kb:.1f} KiB (mean)")
    print(f"all output            {report.bytes_written / 1024 / 1024:.1f} MiB in {out}")
    target = 60.0 * report.notes / 1000
    print(f"target                {'OK' if total < target else 'MISSED'} (< {target:.0f} s)")
    if args.browser:
        time_in_browser(report.index_html)
    if not args.keep and args.out is None:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
