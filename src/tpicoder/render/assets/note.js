/* Note page behaviour: hover tooltip, click to pin details, warnings that scroll to and flash their
   evidence, legend toggles. Reads only data-* attributes; writes text with textContent, never HTML. */
(function () {
  "use strict";
  var note = document.getElementById("note");
  if (!note) { return; }
  var tip = document.getElementById("tip");
  var pinned = document.getElementById("details");
  var FLASH_MS = 2600;
  var current = null;

  function parts(el) {
    var key = el.getAttribute("data-key");
    if (!key) { return [el]; }
    return Array.prototype.slice.call(note.querySelectorAll('[data-key="' + CSS.escape(key) + '"]'));
  }
  function fullText(el) {
    return parts(el).map(function (p) { return p.textContent; }).join("");
  }
  function add(dl, name, value) {
    if (value === undefined || value === null || value === "") { return; }
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = name;
    dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
  }
  function describe(el) {
    var d = el.dataset;
    var box = document.createElement("div");
    var head = document.createElement("div");
    var chip = document.createElement("span");
    var quote = document.createElement("q");
    var dl = document.createElement("dl");
    head.className = "d-head";
    chip.className = "chip";
    if (d.label) { chip.setAttribute("data-label", d.label); }
    chip.textContent = d.label || "EVIDENCE";
    quote.textContent = fullText(el);
    head.appendChild(chip);
    head.appendChild(quote);
    box.appendChild(head);
    if (d.label) {
      add(dl, "Normalized", d.normalized || "\u2014");
      add(dl, "Side", d.side);
      add(dl, "Match", d.match ? d.match + (d.score ? " \u00b7 score " + d.score : "") : "");
      add(dl, "Alias", d.alias);
      var why = d.assertion || "present";
      if (d.cue) { why += " \u2014 cue \u201c" + d.cue + "\u201d"; }
      if (d.cueRule) { why += " [" + d.cueRule + "]"; }
      add(dl, "Assertion", why);
      if (d.injected === "true") { add(dl, "Injected", "yes \u2014 counted this session"); }
      if (d.injected === "false") { add(dl, "Injected", "no \u2014 not counted"); }
      add(dl, "Section", d.section);
      add(dl, "Rule", d.rule);
    }
    add(dl, "Offsets", (d.fullStart || d.start) + "\u2013" + (d.fullEnd || d.end));
    add(dl, "Warnings", d.warnings ? d.warnings.split(" ").join(", ") : "");
    var outer = [];
    for (var p = el.parentElement; p && p !== note; p = p.parentElement) {
      if (p.dataset.label) { outer.push(p.dataset.label + " \u201c" + fullText(p) + "\u201d"); }
    }
    add(dl, "Inside", outer.join(" \u203a "));
    box.appendChild(dl);
    return box;
  }
  function spanAt(target) {
    var el = target && target.closest ? target.closest("[data-key]") : null;
    return el && note.contains(el) && el !== note ? el : null;
  }
  function showTip(el) {
    if (!tip) { return; }
    if (!el) { tip.hidden = true; current = null; return; }
    if (el !== current) {
      current = el;
      tip.replaceChildren(describe(el));
    }
    tip.hidden = false;
    var r = el.getBoundingClientRect();
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var x = Math.min(Math.max(8, r.left), window.innerWidth - w - 8);
    var y = r.bottom + 6;
    if (y + h > window.innerHeight - 8) { y = Math.max(8, r.top - h - 6); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function select(el) {
    note.querySelectorAll(".sel").forEach(function (s) { s.classList.remove("sel"); });
    parts(el).forEach(function (p) { p.classList.add("sel"); });
    if (pinned) { pinned.replaceChildren(describe(el)); }
  }
  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth; /* restart the animation */
    el.classList.add("flash");
    clearTimeout(el.__flashTimer);
    el.__flashTimer = setTimeout(function () { el.classList.remove("flash"); }, FLASH_MS);
  }
  function reveal(ids) {
    var els = [];
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { els = els.concat(parts(el)); }
    });
    if (!els.length) { return false; }
    els[0].scrollIntoView({ block: "center", inline: "nearest" });
    els.forEach(flash);
    if (els[0] !== note) { select(els[0]); }
    return true;
  }

  note.addEventListener("mouseover", function (ev) { showTip(spanAt(ev.target)); });
  note.addEventListener("mouseleave", function () { showTip(null); });
  window.addEventListener("scroll", function () { showTip(null); }, { passive: true });
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("a[data-targets]") : null;
    if (link) {
      if (reveal(link.getAttribute("data-targets").split(" "))) {
        ev.preventDefault();
        history.replaceState(null, "", link.getAttribute("href"));
      }
      return;
    }
    var toggle = ev.target.closest ? ev.target.closest("button[data-toggle]") : null;
    if (toggle) {
      var on = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      var sel = '[data-label="' + CSS.escape(toggle.getAttribute("data-toggle")) + '"]';
      note.querySelectorAll(sel).forEach(function (s) { s.classList.toggle("off", !on); });
      return;
    }
    var el = spanAt(ev.target);
    if (el) { select(el); }
  });
  if (location.hash.length > 1) {
    try { reveal([decodeURIComponent(location.hash.slice(1))]); } catch (e) { /* bad hash: ignore */ }
  }
})();
