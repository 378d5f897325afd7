/* Index behaviour: sort by clicking a column header, filter by text, code and severity. Works on
   thousands of rows: keys are read once per sort and rows are moved in one DocumentFragment. */
(function () {
  "use strict";
  var table = document.getElementById("notes");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var box = document.getElementById("q");
  var code = document.getElementById("f-code");
  var sev = document.getElementById("f-sev");
  var shown = document.getElementById("shown");
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var state = { col: -1, dir: 1 };
  var timer = null;

  function has(list, value) { return (" " + list + " ").indexOf(" " + value + " ") >= 0; }
  function filter() {
    var terms = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var c = code.value, s = sev.value, n = 0;
    rows.forEach(function (row) {
      var d = row.dataset, ok = true;
      if (c) { ok = c === "-" ? d.codes === "" : has(d.codes, c); }
      if (ok && s) { ok = s === "-" ? d.sev === "" : has(d.sev, s); }
      for (var i = 0; ok && i < terms.length; i++) { ok = d.text.indexOf(terms[i]) >= 0; }
      row.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = String(n);
  }
  function sortBy(th) {
    var btn = th.querySelector("button");
    var col = th.cellIndex, numeric = btn.getAttribute("data-type") === "num";
    state.dir = state.col === col ? -state.dir : 1;
    state.col = col;
    var keyed = rows.map(function (row, i) {
      var cell = row.cells[col];
      var raw = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
      return { row: row, key: numeric ? parseFloat(raw) || 0 : raw, i: i };
    });
    keyed.sort(function (a, b) {
      var k = numeric ? a.key - b.key : collator.compare(a.key, b.key);
      return k !== 0 ? k * state.dir : a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    rows = keyed.map(function (k) { frag.appendChild(k.row); return k.row; });
    tbody.appendChild(frag);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", state.dir === 1 ? "ascending" : "descending");
  }
  table.tHead.addEventListener("click", function (ev) {
    var th = ev.target.closest ? ev.target.closest("th") : null;
    if (th && th.querySelector("button")) { sortBy(th); }
  });
  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(filter, 60); });
  code.addEventListener("change", filter);
  sev.addEventListener("change", filter);
  filter();
})();
