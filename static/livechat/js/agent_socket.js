// The agent socket (/ws/agent/, contract in docs/api.md), shared by the chat console and the workspace: connects,
// reconnects with a growing pause, keeps the presence menu in step (a choice made while disconnected is sent on
// connect), sends the heartbeat, and hands every frame to the page's handler for its type.
window.AgentSocket = function (options) {
  "use strict";
  var state = { socket: null, retry: 0, wantedPresence: null };
  var presence = options.presence;  // the <select> of online / away / offline

  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) { state.socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/agent/" +
                               "?lang=" + encodeURIComponent(document.documentElement.lang));
    state.socket = socket;
    socket.onopen = function () {
      state.retry = 0;
      if (state.wantedPresence) { send({ type: "presence", presence: state.wantedPresence }); state.wantedPresence = null; }
      if (options.onopen) options.onopen();
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (presence && (frame.type === "presence" || frame.type === "snapshot") && !state.wantedPresence) {
        presence.value = frame.presence;
      }
      var handler = options.handlers[frame.type];
      if (handler) handler(frame);
    };
    socket.onclose = function () {
      if (options.onclose) options.onclose();
      state.retry += 1;
      setTimeout(connect, Math.min(10000, 500 * Math.pow(2, state.retry)));
    };
  }
  if (presence) {
    presence.addEventListener("change", function () {
      // Not connected yet (or reconnecting): the choice is sent as soon as the socket is open.
      state.wantedPresence = presence.value;
      if (send({ type: "presence", presence: state.wantedPresence })) state.wantedPresence = null;
    });
  }
  // A heartbeat: an agent whose page is gone stops being "seen" and their chats return to the queue.
  setInterval(function () { send({ type: "ping" }); }, 25000);
  connect();
  return { send: send };
};
