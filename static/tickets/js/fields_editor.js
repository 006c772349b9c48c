// The ticket field editor (templates/tickets/fields_editor.html). The page works without this: every section
// shows, options are ordered by their number and removed by a tick, and empty rows wait to be filled in. With it,
// only the sections of the chosen type show (options for dropdowns and multi-selects, the pattern for "text checked
// by a pattern"), only the per-option patterns of the chosen dropdown, and option rows move, go and come with
// buttons. Row headings come from the server (#field-editor-config), in the page's language.
(function () {
  "use strict";
  var form = document.querySelector("[data-field-editor]");
  var blob = document.getElementById("field-editor-config");
  var template = document.getElementById("option-template");
  if (!form || !blob || !template) return;
  var words = JSON.parse(blob.textContent);
  var rows = form.querySelector("[data-option-rows]");
  var type = form.querySelector('[data-role="type"]');
  var patternBy = form.querySelector('[data-role="pattern-by"]');
  var next = rows.querySelectorAll("[data-option-row]").length + 100;  // above the server's row numbers
  form.classList.add("js-on");

  function showSections() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-types]"), function (section) {
      section.hidden = section.getAttribute("data-types").split(" ").indexOf(type.value) === -1;
    });
  }

  function showSources() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-source]"), function (source) {
      source.hidden = source.getAttribute("data-source") !== patternBy.value;
    });
  }

  // The order inputs (hidden with JavaScript on) still tell the server the order: they follow the rows.
  function renumber() {
    Array.prototype.forEach.call(rows.querySelectorAll("[data-option-row]"), function (row, i) {
      row.querySelector("legend").textContent = words.option.replace("%(number)s", String(i + 1));
      var order = row.querySelector('input[name$="-order"]');
      if (order) order.value = String(i + 1);
      var buttons = row.querySelectorAll("[data-move]");
      buttons[0].disabled = i === 0;
      buttons[1].disabled = !row.nextElementSibling;
    });
  }

  function addRow() {
    var html = template.innerHTML.replace(/__n__/g, String(next++));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    rows.appendChild(row);
    renumber();
    row.querySelector('input[name$="-value"]').focus();
  }

  rows.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var row = button.closest("[data-option-row]");
    if (button.hasAttribute("data-remove")) {
      var after = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      var focus = after ? after.querySelector('input[name$="-value"]') : form.querySelector("[data-add-option]");
      if (focus) focus.focus();
    } else if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
      rows.insertBefore(row, row.previousElementSibling);
      renumber();
      button.disabled ? row.querySelector('[data-move="down"]').focus() : button.focus();
    } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
      rows.insertBefore(row.nextElementSibling, row);
      renumber();
      button.disabled ? row.querySelector('[data-move="up"]').focus() : button.focus();
    }
  });
  form.querySelector("[data-add-option]").addEventListener("click", addRow);
  type.addEventListener("change", showSections);
  if (patternBy) patternBy.addEventListener("change", showSources);
  // The empty rows are there for adding options without JavaScript; with it, "Add an option" does that.
  if (rows.querySelector("[data-option-row]:not([data-blank])")) {
    Array.prototype.forEach.call(rows.querySelectorAll("[data-blank]"), function (row) { row.remove(); });
  }
  showSections();
  if (patternBy) showSources();
  renumber();
})();
