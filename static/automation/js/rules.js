// The rules editor (templates/automation/editor.html). The page works without this: every row is a set of plain
// form fields the server reads, and each row shows all of its controls. With it, a row shows only the controls that
// fit its field or action, its operator menu lists the field's operators, "is one of" turns a menu into a list of
// several, and rows are added (from a <template>) and removed. Operator labels and headings come from the server
// (#rules-config), in the page's language.
(function () {
  "use strict";
  var form = document.querySelector("[data-rules-editor]");
  var blob = document.getElementById("rules-config");
  if (!form || !blob) return;
  var config = JSON.parse(blob.textContent);
  var next = {condition: 0, action: 0};
  form.classList.add("js-on");

  function rowsOf(kind) {
    return form.querySelector('[data-rows="' + kind + '"]');
  }

  function control(row, suffix) {
    var found = null;
    Array.prototype.forEach.call(row.querySelectorAll("select, input"), function (element) {
      var name = element.getAttribute("name") || "";
      if (name.slice(-suffix.length - 1) === "-" + suffix) found = element;
    });
    return found;
  }

  function selected(select) {
    return select ? select.value : "";
  }

  function setOptions(select, pairs, current) {
    while (select.options.length) select.remove(0);
    pairs.forEach(function (pair) {
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      if (pair[0] === current) option.selected = true;
      select.appendChild(option);
    });
  }

  // Show the parts of a row that belong to its kind (data-group), when their other control says so (data-when
  // "assignee=least_busy"), and unless the operator needs no value (data-unless-op).
  function refresh(row) {
    var isCondition = row.getAttribute("data-row") === "condition";
    var choice = selected(row.querySelector(isCondition ? '[data-role="field"]' : '[data-role="type"]'));
    var kind = isCondition ? (config.kinds[choice] || "") : (config.actionKinds[choice] || "");
    var op = isCondition ? selected(row.querySelector('[data-role="op"]')) : "";
    Array.prototype.forEach.call(row.querySelectorAll(".rule-value"), function (part) {
      var show = part.getAttribute("data-group") === kind;
      var when = part.getAttribute("data-when");
      if (show && when) {
        var pair = when.split("=");
        show = selected(control(row, pair[0])) === pair[1];
      }
      var unless = part.getAttribute("data-unless-op");
      if (show && unless) show = unless.split(" ").indexOf(op) === -1;
      part.hidden = !show;
    });
    Array.prototype.forEach.call(row.querySelectorAll("select[data-multi]"), function (select) {
      var several = op === "in";
      if (select.multiple !== several) {
        select.multiple = several;
        if (several) select.size = 5; else select.removeAttribute("size");
      }
    });
  }

  function fieldChanged(row) {
    var field = selected(row.querySelector('[data-role="field"]'));
    var ops = row.querySelector('[data-role="op"]');
    setOptions(ops, config.ops[field] || config.ops[""], selected(ops));
    refresh(row);
  }

  function renumber(kind) {
    var words = config[kind];
    Array.prototype.forEach.call(rowsOf(kind).querySelectorAll('[data-row="' + kind + '"]'), function (row, i) {
      row.querySelector("legend").textContent = words.replace("%(number)s", String(i + 1));
    });
  }

  function add(kind) {
    var template = document.getElementById(kind + "-template");
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__i__/g, String(next[kind]));
    next[kind] += 1;
    var row = holder.querySelector('[data-row="' + kind + '"]');
    rowsOf(kind).appendChild(row);
    if (kind === "condition") fieldChanged(row); else refresh(row);
    renumber(kind);
    row.querySelector("select").focus();
  }

  function remove(row) {
    var kind = row.getAttribute("data-row");
    var rows = rowsOf(kind);
    var others = rows.querySelectorAll('[data-row="' + kind + '"]');
    var index = Array.prototype.indexOf.call(others, row);
    row.parentNode.removeChild(row);
    renumber(kind);
    var left = rows.querySelectorAll('[data-row="' + kind + '"]');
    var focus = left.length ? left[Math.max(0, Math.min(index, left.length - 1))].querySelector("select")
      : form.querySelector('[data-add="' + kind + '"]');
    focus.focus();
  }

  form.addEventListener("change", function (event) {
    var row = event.target.closest("[data-row]");
    if (!row) return;
    if (event.target.getAttribute("data-role") === "field") fieldChanged(row); else refresh(row);
  });
  form.addEventListener("click", function (event) {
    var adder = event.target.closest("[data-add]");
    if (adder) {
      event.preventDefault();
      add(adder.getAttribute("data-add"));
      return;
    }
    var remover = event.target.closest("[data-remove]");
    if (remover) {
      event.preventDefault();
      remove(remover.closest("[data-row]"));
    }
  });
  // Added rows are numbered after the rows the server rendered (the numbers only keep a row's fields together).
  Array.prototype.forEach.call(form.querySelectorAll("[data-row]"), function (row) {
    var kind = row.getAttribute("data-row");
    var first = row.querySelector("select");
    var number = parseInt((first.getAttribute("name") || "").split("-")[1], 10);
    if (number >= next[kind]) next[kind] = number + 1;
    // A field chosen before this script ran (a slow page) gets its operators now, as on a change.
    if (kind === "condition") fieldChanged(row); else refresh(row);
  });
  // After a refusal, start where the problem is: the control it names, or the first control of its part.
  var problem = form.querySelector(".has-error");
  if (problem) {
    var target = problem.querySelector('[aria-invalid="true"]') || problem.querySelector("input, select, textarea");
    if (target) target.focus();
  }
})();
