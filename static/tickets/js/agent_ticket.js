// Agent ticket page: choosing a macro fills the reply with its text (in the ticket's language).
(function () {
  "use strict";
  var data = document.getElementById("macros-data");
  var select = document.getElementById("id_macro");
  var body = document.getElementById("id_body");
  if (!data || !select || !body) return;
  var macros = {};
  JSON.parse(data.textContent).forEach(function (m) { macros[String(m.id)] = m; });
  select.addEventListener("change", function () {
    var macro = macros[select.value];
    if (!macro) return;
    var current = body.value.trim();
    body.value = current ? current + "\n\n" + macro.body : macro.body;
    body.focus();
  });
})();
