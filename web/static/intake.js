// Review of a drafted document: pointing at a value shows where it was read, and back; a problem's line number
// selects that line of the draft. Kept in a file of its own: the pages carry no inline script.
(function () {
  "use strict";
  function focusRef(ref) {
    document.querySelectorAll(".focused").forEach(function (el) { el.classList.remove("focused"); });
    document.querySelectorAll('[data-ref="' + ref + '"]').forEach(function (el) { el.classList.add("focused"); });
    var mark = document.getElementById("m" + ref);
    var row = document.querySelector('#values tr[data-ref="' + ref + '"]');
    var line = mark ? mark.closest("li") : null;
    if (!line && row) {
      var link = row.querySelector("a.to-line");
      line = link ? document.querySelector(link.getAttribute("href")) : null;
    }
    if (line) { line.classList.add("focused"); line.scrollIntoView({block: "center"}); }
  }
  document.querySelectorAll("a.to-line").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); focusRef(a.dataset.ref); });
  });
  document.querySelectorAll("mark[data-ref]").forEach(function (m) {
    m.addEventListener("click", function () {
      focusRef(m.dataset.ref);
      var row = document.querySelector('#values tr[data-ref="' + m.dataset.ref + '"]');
      if (row) { row.scrollIntoView({block: "nearest"}); }
    });
  });
  var plan = document.getElementById("plan");
  document.querySelectorAll("a.to-plan-line").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var lines = plan.value.split("\n");
      var n = Math.max(1, Math.min(lines.length, parseInt(a.dataset.line, 10)));
      var start = lines.slice(0, n - 1).join("\n").length + (n > 1 ? 1 : 0);
      plan.focus();
      plan.setSelectionRange(start, start + lines[n - 1].length);
      var lineHeight = plan.scrollHeight / lines.length;
      plan.scrollTop = Math.max(0, (n - 5) * lineHeight);
    });
  });
})();
