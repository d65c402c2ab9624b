(function () {
  "use strict";
  var sel = {
    severity: document.getElementById("f-severity"),
    rule: document.getElementById("f-rule"),
    unit: document.getElementById("f-unit"),
    text: document.getElementById("f-text")
  };
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings-table tr.finding-row"));
  var shown = document.getElementById("f-shown");
  function apply() {
    var q = sel.text.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (tr) {
      var ok = (!sel.severity.value || tr.dataset.severity === sel.severity.value) &&
               (!sel.rule.value || tr.dataset.rule === sel.rule.value) &&
               (!sel.unit.value || tr.dataset.unit === sel.unit.value) &&
               (!q || tr.textContent.toLowerCase().indexOf(q) >= 0);
      tr.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = String(n);
  }
  ["severity", "rule", "unit"].forEach(function (k) { sel[k].addEventListener("change", apply); });
  sel.text.addEventListener("input", apply);
  apply();
})();
