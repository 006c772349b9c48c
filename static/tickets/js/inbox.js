// Inbox: "select all" toggles every row's checkbox; keys (with static/support/js/shortcuts.js): j / k move between
// tickets, o or Enter opens the current one, x selects it.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll('input[name="tickets"]').forEach(function (box) { box.checked = all.checked; });
    });
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-testid="inbox-row"]'));
  if (!rows.length || !window.Shortcuts) return;
  var current = -1;
  function move(step) {
    return function () {
      if (current >= 0) rows[current].classList.remove("is-current");
      current = Math.max(0, Math.min(rows.length - 1, current + step));
      var row = rows[current];
      row.classList.add("is-current");
      row.querySelector("a").focus();  // the reference link: Enter opens it, screen readers announce the row
    };
  }
  function open() {
    if (current >= 0) window.location = rows[current].querySelector("a").href;
  }
  window.Shortcuts.register("j", "next_row", move(1));
  window.Shortcuts.register("k", "previous_row", move(-1));
  window.Shortcuts.register("o", "open_row", open);
  window.Shortcuts.register("x", "select_row", function () {
    if (current < 0) return;
    var box = rows[current].querySelector('input[name="tickets"]');
    box.checked = !box.checked;
  });
})();
