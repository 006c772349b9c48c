// Inbox: "select all" toggles every row's checkbox.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll('input[name="tickets"]').forEach(function (box) { box.checked = all.checked; });
  });
})();
