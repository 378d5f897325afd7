"""Review pages in a real browser (Debian chromium + chromedriver, headless, no network).

Skipped when /usr/bin/chromium or /usr/bin/chromedriver is missing. Screenshots go to
``$TPICODER_ARTIFACTS`` (default: ``test-artifacts/`` at the repository root, which git ignores).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tpicoder.render import write_review
from tpicoder.schema import ClaimLine, InjectedMuscle, Mention, NoteResult, Warning

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,900",
)
REPO = Path(__file__).resolve().parents[2]

# Offsets from the page, checked in JS: every element with data-start/data-end holds exactly that slice
# of the note's text. Offsets are Python str indices (code points), so the JS compares code points.
CHECK_OFFSETS = """
const note = document.getElementById('note');
const cps = Array.from(note.textContent);
const bad = [];
let labelled = 0;
for (const el of note.querySelectorAll('[data-start]')) {
  const s = Number(el.dataset.start), e = Number(el.dataset.end);
  if (cps.slice(s, e).join('') !== el.textContent) bad.push([el.id, s, e, el.textContent]);
  if (el.dataset.label) labelled++;
}
return {text: note.textContent, bad: bad, labelled: labelled};
"""


def _artifacts() -> Path:
    folder = Path(os.environ.get("TPICODER_ARTIFACTS") or REPO / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(
            f"browser tests need Debian's chromium and chromium-driver; missing: {', '.join(missing)}"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _shift(result: NoteResult, by: int) -> NoteResult:
    """Move every offset of a result right by ``by`` characters (after prepending text)."""

    def walk(node):
        if isinstance(node, dict):
            return {
                k: (v + by if k in ("start", "end") and isinstance(v, int) else walk(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return NoteResult.model_validate(walk(result.model_dump()))


def _synthetic(i: int) -> tuple[NoteResult, str]:
    muscles = ["trapezius", "levator_scapulae", "rhomboid_major", "infraspinatus", "gluteus_medius"][
        : i % 5 + 1
    ]
    text = "Injected " + ", ".join(m.replace("_", " ") for m in muscles) + "."
    mentions, pos = [], len("Injected ")
    for m in muscles:
        name = m.replace("_", " ")
        mentions.append(
            Mention(label="MUSCLE", text=name, start=pos, end=pos + len(name), normalized=m, injected=True)
        )
        pos += len(name) + 2
    code = "20553" if len(muscles) >= 3 else "20552"
    warnings = [Warning(code="LATERALITY_MISSING", severity="warning", message="no side")] if i % 2 else []
    if i % 7 == 0:
        warnings.append(Warning(code="CLAIM_UNITS", severity="error", message="units"))
    result = NoteResult(
        note_id=f"s{i:03d}",
        procedure="trigger_point_injection",
        injected_muscles=[
            InjectedMuscle(
                muscle=m.normalized,
                side="unspecified",
                is_group=False,
                region="neck",
                evidence=[{"start": m.start, "end": m.end, "text": m.text}],
            )
            for m in mentions
        ],
        claim_lines=[ClaimLine(code=code, units=1, description="TPI", rationale=f"{len(muscles)} muscles")],
        warnings=warnings,
        mentions=mentions,
    )
    return result, text


@pytest.fixture(scope="module")
def site(tmp_path_factory, note_builders):
    notes = [build() for build in note_builders.values()]
    result, text = note_builders["hold"]()
    padding = "".join(f"Line {n:02d} of an earlier, unrelated part of the chart.\n" for n in range(80))
    long_note = (_shift(result, len(padding)).model_copy(update={"note_id": "long"}), padding + text)
    notes.append(long_note)
    notes += [_synthetic(i) for i in range(1, 31)]
    out = tmp_path_factory.mktemp("review")
    report = write_review(notes, out)
    return out, report, {r.note_id: (r, t) for r, t in notes}


def _open(browser, path: Path):
    browser.get(path.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"


def _csp_errors(browser) -> list[str]:
    try:
        logs = browser.get_log("browser")
    except Exception:  # some driver builds do not expose logs
        return []
    return [e["message"] for e in logs if "Content Security Policy" in e["message"]]


@pytest.mark.parametrize("note_id", ["h001", "h002", "h003", "long"])
def test_browser_highlights_sit_at_their_offsets(browser, site, note_id):
    out, report, notes = site
    result, text = notes[note_id]
    _open(browser, out / f"{note_id}.html")
    found = browser.execute_script(CHECK_OFFSETS)
    assert found["text"] == text
    assert found["bad"] == []
    assert found["labelled"] >= len(result.mentions)
    assert _csp_errors(browser) == []


def test_browser_hover_shows_tooltip_and_click_pins_details(browser, site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    out, _, notes = site
    _open(browser, out / "h001.html")
    result, _ = notes["h001"]
    index = next(i for i, m in enumerate(result.mentions) if m.text == "R infraspinatous")
    span = browser.find_element(By.ID, f"m{index}")
    ActionChains(browser).move_to_element(span).perform()
    tip = browser.find_element(By.ID, "tip")
    assert tip.is_displayed()
    assert "infraspinatus" in tip.text and "fuzzy" in tip.text and "93.3" in tip.text
    browser.execute_script("arguments[0].click()", span)
    details = browser.find_element(By.ID, "details").text
    assert "yes \u2014 counted this session" in details
    negated = next(i for i, m in enumerate(result.mentions) if m.text == "rhomboids")
    browser.execute_script("arguments[0].click()", browser.find_element(By.ID, f"m{negated}"))
    details = browser.find_element(By.ID, "details").text
    assert "negated" in details and "\u201cNo\u201d" in details and "neg_no" in details
    browser.save_screenshot(str(_artifacts() / "note-h001.png"))


def test_browser_clicking_a_warning_scrolls_to_and_flashes_its_evidence(browser, site):
    from selenium.webdriver.common.by import By

    out, _, _ = site
    _open(browser, out / "long.html")
    browser.execute_script("window.scrollTo(0, 0)")
    link = browser.find_element(By.CSS_SELECTOR, '[data-warning="MUSCLES_NOT_NAMED"]')
    target_id = link.get_attribute("href").rsplit("#", 1)[1]
    before = browser.execute_script(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect(); return r.top;", target_id
    )
    assert before > browser.execute_script("return window.innerHeight"), "evidence should start off screen"
    link.click()
    state = browser.execute_script(
        """const el = document.getElementById(arguments[0]);
        const r = el.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, h: window.innerHeight, y: window.scrollY,
                flash: el.classList.contains('flash'), hash: location.hash};""",
        target_id,
    )
    assert state["y"] > 0
    assert 0 <= state["top"] and state["bottom"] <= state["h"]
    assert state["flash"]
    assert state["hash"] == f"#{target_id}"
    browser.save_screenshot(str(_artifacts() / "note-long-warning-clicked.png"))


def test_browser_legend_chip_toggles_a_label(browser, site):
    from selenium.webdriver.common.by import By

    out, _, _ = site
    _open(browser, out / "h001.html")
    chip = browser.find_element(By.CSS_SELECTOR, 'button[data-toggle="SECTION"]')
    chip.click()
    off = browser.execute_script(
        "return document.querySelectorAll('#note [data-label=\"SECTION\"].off').length"
    )
    assert off == 5 and chip.get_attribute("aria-pressed") == "false"
    chip.click()
    assert browser.execute_script("return document.querySelectorAll('#note .off').length") == 0


def _column(browser, index: int) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('#notes tbody tr')).filter(r => !r.hidden)"
        ".map(r => r.cells[arguments[0]].textContent.trim());",
        index,
    )


def test_browser_index_sorts_by_clicking_headers(browser, site):
    from selenium.webdriver.common.by import By

    out, report, _ = site
    _open(browser, report.index_html)
    headers = browser.find_elements(By.CSS_SELECTOR, "#notes thead th button")
    names = [h.text for h in headers]
    muscles = names.index("Muscles")
    headers[muscles].click()
    values = [int(v) for v in _column(browser, muscles)]
    assert values == sorted(values) and values[0] < values[-1]
    headers[muscles].click()
    values = [int(v) for v in _column(browser, muscles)]
    assert values == sorted(values, reverse=True)
    note = names.index("Note")
    headers[note].click()
    ids = _column(browser, note)
    assert ids[:3] == ["h001", "h002", "h003"] and ids[-1] == 'x"ss<1>/../evil'
    status = browser.find_elements(By.CSS_SELECTOR, "#notes thead th")[names.index("Status")]
    status.find_element(By.TAG_NAME, "button").click()
    assert status.get_attribute("aria-sort") == "ascending"
    assert _column(browser, names.index("Status"))[0] == "Hold"


def test_browser_index_filters_by_text_code_and_severity(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    out, report, notes = site
    _open(browser, report.index_html)
    total = len(notes)
    shown = browser.find_element(By.ID, "shown")
    assert shown.text == str(total)
    box = browser.find_element(By.ID, "q")
    box.send_keys("h00")
    WebDriverWait(browser, 5).until(lambda d: shown.text == "3")
    assert len(_column(browser, 0)) == 3
    box.clear()
    box.send_keys("levator_scapulae")
    expected = sum(
        1 for r, _ in notes.values() if any(m.muscle == "levator_scapulae" for m in r.injected_muscles)
    )
    WebDriverWait(browser, 5).until(lambda d: shown.text == str(expected))
    box.clear()
    box.send_keys(" ")  # clear() fires no input event; a blank term matches everything
    WebDriverWait(browser, 5).until(lambda d: shown.text == str(total))
    Select(browser.find_element(By.ID, "f-code")).select_by_value("20553")
    with_code = sum(1 for r, _ in notes.values() if any(c.code == "20553" for c in r.claim_lines))
    assert shown.text == str(with_code) == str(len(_column(browser, 0)))
    Select(browser.find_element(By.ID, "f-sev")).select_by_value("error")
    both = sum(
        1
        for r, _ in notes.values()
        if any(c.code == "20553" for c in r.claim_lines) and any(w.severity == "error" for w in r.warnings)
    )
    assert shown.text == str(both) and both > 0
    browser.save_screenshot(str(_artifacts() / "index-filtered.png"))
    Select(browser.find_element(By.ID, "f-code")).select_by_value("")
    Select(browser.find_element(By.ID, "f-sev")).select_by_value("")
    assert shown.text == str(total)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(_artifacts() / "index.png"))


def test_browser_hostile_note_runs_nothing_and_shows_markup_as_text(browser, site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    out, report, notes = site
    name = report.pages[3]
    result, text = notes[result_id := 'x"ss<1>/../evil']
    assert result.note_id == result_id
    _open(browser, out / name)
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    note = browser.find_element(By.ID, "note")
    assert "<script>window.__pwned=1</script>" in note.text
    assert '<img src=x onerror="window.__pwned=2">' in note.text
    assert browser.execute_script("return document.images.length") == 0
    assert browser.execute_script("return document.scripts.length") == 1
    # Hovering and clicking spans whose attributes hold markup renders them as text, too.
    for mention in browser.find_elements(By.CSS_SELECTOR, "#note [data-label]"):
        ActionChains(browser).move_to_element(mention).perform()
        browser.execute_script("arguments[0].click()", mention)
    details = browser.find_element(By.ID, "details")
    assert (
        browser.execute_script("return document.querySelectorAll('#details *:is(script, img, b)').length")
        == 0
    )
    assert details.text  # the page's own script did run
    link = browser.find_element(By.CSS_SELECTOR, "[data-warning]")
    link.click()
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    browser.save_screenshot(str(_artifacts() / "note-hostile.png"))


def test_browser_pages_render_offline_from_disk(browser, site, tmp_path):
    # Copy one page alone to a new folder: it still renders and works with no neighbours.
    out, _, _ = site
    lone = tmp_path / "lone.html"
    shutil.copy(out / "h003.html", lone)
    _open(browser, lone)
    assert (
        browser.execute_script("return getComputedStyle(document.querySelector('.panel')).position")
        == "sticky"
    )
    assert browser.execute_script("return document.querySelectorAll('[data-code]').length") == 3
