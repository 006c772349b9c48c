// Which staff have a chat open, live (collision detection, issue #24), over /ws/agent/chats/<id>/ (docs/api.md) with
// static/support/js/presence.js. In the console (console.js tells of each chat it shows with "console:chat-open"
// and of each it drops with "console:chat-closed"): a line in the chat's extras box ("Sue is viewing"), and this
// agent's typing in the chat's box told to the others. On a chat's page (/agent/chats/<id>/): the same line ("Ana
// is replying"), and a notice when a new message arrives, to reload and read it. Texts come from the page.
(function () {
  "use strict";
  var strings = document.getElementById("presence-strings");
  if (!strings || !window.WebSocket || !window.Presence) return;
  var S = JSON.parse(strings.textContent);
  var open = {};  // chat id -> presence

  function socketUrl(id) { return "/ws/agent/chats/" + encodeURIComponent(id) + "/"; }

  // --- the console ---------------------------------------------------------------------------------------------
  document.addEventListener("console:chat-open", function (event) {
    var id = event.detail.conversation, node = event.detail.node;
    var extras = node && node.querySelector(".js-extras");
    if (!extras || open[id]) return;
    var line = document.createElement("p");
    line.className = "collision-presence";
    line.dataset.testid = "chat-presence";
    line.setAttribute("aria-live", "polite");
    extras.appendChild(line);
    var presence = open[id] = window.Presence({ url: socketUrl(id), line: line, strings: S });
    var input = node.querySelector(".js-input"), form = node.querySelector(".js-form");
    if (input) input.addEventListener("input", function () { presence.typing("reply", !input.value.trim()); });
    // console.js empties the box when it sends; this listener runs after its own.
    if (input && form) form.addEventListener("submit", function () { presence.typing("reply", !input.value.trim()); });
  });
  document.addEventListener("console:chat-closed", function (event) {
    var presence = open[event.detail.conversation];
    if (presence) { presence.stop(); delete open[event.detail.conversation]; }
  });

  // --- a chat's page -------------------------------------------------------------------------------------------
  var line = document.querySelector("[data-chat-presence]");
  if (!line) return;
  window.Presence({
    url: socketUrl(line.dataset.chatPresence), line: line, strings: S, query: "follow=1",
    handlers: {
      chat_message: function () {
        var notice = document.getElementById("chat-presence-news");
        if (notice) return;
        notice = document.createElement("p");
        notice.id = "chat-presence-news";
        notice.className = "notice";
        notice.setAttribute("role", "status");
        notice.dataset.testid = "chat-news";
        var link = document.createElement("a");
        link.href = location.pathname;
        link.textContent = S.new_messages;
        notice.appendChild(link);
        line.insertAdjacentElement("afterend", notice);
      },
    },
  });
})();
