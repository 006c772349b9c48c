// Agent ticket page: choosing a macro fills the reply with its text (in the ticket's language). Keyboard (with
// static/support/js/shortcuts.js): r reply, i internal note, m macro, e solve (sending the reply typed, if any).
(function () {
  "use strict";
  var data = document.getElementById("macros-data");
  var select = document.getElementById("id_macro");
  var body = document.getElementById("id_body");
  if (!data || !select || !body) return;
  var internal = document.getElementById("id_internal");
  // Note mode looks unlike a reply: another colour, a banner, and the button says what will happen. Notes on a
  // crypto desk carry AML and risk remarks; sending one to the customer by mistake is the error to design out.
  var form = body.form, banner = document.getElementById("note-banner"), submit = document.getElementById("reply-submit");
  function showMode() {
    var note = internal && internal.checked;
    form.classList.toggle("is-note", !!note);
    if (banner) banner.hidden = !note;
    if (submit) submit.textContent = note ? form.dataset.noteLabel : form.dataset.replyLabel;
  }
  if (internal) internal.addEventListener("change", showMode);
  if (window.Shortcuts) {
    var write = function (asNote) {
      return function () {
        if (internal) { internal.checked = asNote; showMode(); }
        body.focus();
      };
    };
    window.Shortcuts.register("r", "reply", write(false));
    window.Shortcuts.register("i", "note", write(true));
    window.Shortcuts.register("m", "macro", function () { select.focus(); });
    window.Shortcuts.register("e", "solve", function () {
      if (body.value.trim()) {  // the reply goes out with the ticket solved ("submit as solved")
        document.getElementById("id_status").value = "solved";
        body.form.requestSubmit();
        return;
      }
      var properties = document.querySelector(".properties-form");
      if (!properties) return;
      properties.querySelector("select[name=status]").value = "solved";
      properties.requestSubmit();
    });
  }
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
