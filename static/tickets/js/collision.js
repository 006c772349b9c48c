// Collision detection on the agent's ticket page (issue #24), over /ws/agent/tickets/<ref>/ (docs/api.md): the line
// near the composer says who else has the ticket open and who is typing a reply or a note (static/support/js/
// presence.js), the others hear the same of this page's agent, and when someone else's public message lands
// meanwhile, a warning quoting it with "Send anyway" appears at once. Without JavaScript the server does the same on
// sending (the hidden "seen" field; tickets.services.collision). Texts come from the page (json_script).
(function () {
  "use strict";
  var line = document.getElementById("collision-presence");
  var strings = document.getElementById("collision-strings");
  var body = document.getElementById("id_body");
  var seen = document.getElementById("collision-seen");
  if (!line || !strings || !body || !seen || !window.WebSocket || !window.Presence) return;
  var S = JSON.parse(strings.textContent);
  var internal = document.getElementById("id_internal");
  var newer = [];  // public messages by others after the newest one this page shows: {name, excerpt}

  function warn() {
    var box = document.getElementById("collision-live");
    if (!box) {
      box = document.createElement("div");
      box.id = "collision-live";
      box.className = "collision-warning";
      box.setAttribute("role", "alert");
      box.dataset.testid = "replied-live";
      seen.insertAdjacentElement("afterend", box);
    }
    box.textContent = "";
    var names = [];
    newer.forEach(function (message) { if (names.indexOf(message.name) < 0) names.push(message.name); });
    var title = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = presence.fill(S.replied, { names: names.join(S.separator) });
    title.appendChild(strong);
    box.appendChild(title);
    newer.forEach(function (message) {
      var quote = document.createElement("blockquote");
      quote.className = "collision-quote";
      var head = document.createElement("p");
      head.className = "collision-quote-head";
      head.textContent = message.name;
      var text = document.createElement("p");
      text.className = "collision-quote-text";
      text.textContent = message.excerpt;
      quote.appendChild(head);
      quote.appendChild(text);
      box.appendChild(quote);
    });
    // A plain send would be held by the server (this page's "seen" is older); this one says "I have read it".
    var anyway = document.createElement("button");
    anyway.type = "submit";
    anyway.name = "confirm";
    anyway.value = "1";
    anyway.className = "button-secondary";
    anyway.dataset.testid = "send-anyway-live";
    anyway.textContent = S.send_anyway;
    box.appendChild(anyway);
  }

  var presence = window.Presence({
    url: line.dataset.socket, line: line, strings: S,
    handlers: {
      message: function (frame, api) {
        if (frame.internal || frame.id <= +seen.value) return;
        api.seeViewing(frame);  // they sent it: no longer typing
        newer.push({ name: frame.name || S.system, excerpt: frame.excerpt });
        warn();
      },
    },
  });
  function mode() { return internal && internal.checked ? "note" : "reply"; }
  function typed() { presence.typing(mode(), !body.value.trim()); }
  body.addEventListener("input", typed);
  if (internal) internal.addEventListener("change", function () { if (body.value.trim()) typed(); });
  body.form.addEventListener("submit", function () { presence.stop(); });
})();
