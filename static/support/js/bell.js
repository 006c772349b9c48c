// The bell in the header follows the signed-in customer's unread count live, over /ws/notifications/ (contract in
// docs/api.md; why a socket in docs/architecture.md, "The bell"). The server sends the count with its label, the
// plural form in the page's language, so nothing here builds text. The page works without it (the count is
// rendered with the page). A hidden tab lets its socket go after a while and asks again when it is shown.
(function () {
  "use strict";
  var link = document.querySelector(".notif-link");
  if (!link || !window.WebSocket) return;
  var HIDDEN_GRACE = 120000;  // ms a hidden tab keeps its socket (switching tabs briefly does not reconnect)
  var REPLY_WITHIN = 10000;   // ms for an answer to "count" before the socket is taken for dead (a phone's network)
  var state = { socket: null, retry: 0, stopped: false, hiddenTimer: null, replyTimer: null, reconnectTimer: null };

  function show(frame) {
    var badge = link.querySelector(".badge");
    link.setAttribute("aria-label", frame.label);
    if (!frame.count) {  // as the server renders it: no badge at all
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      badge.dataset.testid = "unread-count";
      link.appendChild(badge);
    }
    badge.textContent = String(frame.count);
  }
  function connect() {
    clearTimeout(state.reconnectTimer);
    if (state.stopped || state.socket) return;
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host +
                               "/ws/notifications/?lang=" + encodeURIComponent(document.documentElement.lang));
    state.socket = socket;
    socket.onopen = function () { state.retry = 0; };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type !== "unread") return;
      clearTimeout(state.replyTimer);
      show(frame);
    };
    socket.onclose = function (event) {
      if (state.socket !== socket) return;  // one given up on and already replaced
      clearTimeout(state.replyTimer);
      state.socket = null;
      // 4401: not signed in any more; 4403: a staff session without its second factor. Retrying cannot help.
      if (event.code === 4401 || event.code === 4403) { state.stopped = true; return; }
      if (document.visibilityState === "hidden") return;  // reconnects when shown again
      state.retry += 1;
      // Growing pauses with jitter: after a server restart thousands of pages must not come back in one instant.
      var pause = Math.min(60000, 1000 * Math.pow(2, state.retry)) * (0.5 + Math.random() / 2);
      state.reconnectTimer = setTimeout(connect, pause);
    };
  }
  document.addEventListener("visibilitychange", function () {
    clearTimeout(state.hiddenTimer);
    if (document.visibilityState === "hidden") {
      state.hiddenTimer = setTimeout(function () { if (state.socket) state.socket.close(1000); }, HIDDEN_GRACE);
      return;
    }
    if (!state.socket) { state.retry = 0; connect(); return; }  // a new socket sends the count on connect
    if (state.socket.readyState !== WebSocket.OPEN) return;
    // Shown again with the socket still open: is it alive, and is the count still right (read in another tab)?
    state.socket.send(JSON.stringify({ type: "count" }));
    var socket = state.socket;
    state.replyTimer = setTimeout(function () { state.socket = null; socket.close(); connect(); }, REPLY_WITHIN);
  });
  connect();
})();
