// Who else has this ticket or chat open, live (support/presence.py; frames in docs/api.md, "Presence"): one socket per
// ticket or chat, a heartbeat every ten seconds (so a page that vanished is dropped within half a minute), a
// "replying" frame every two seconds while the person types, and a line of who is here ("Mei is viewing", "Mei is
// replying", "Mei is writing an internal note") rendered into `options.line` from the page's texts. Used by the
// ticket page (static/tickets/js/collision.js) and the chat pages (static/livechat/js/chat_presence.js).
window.Presence = function (options) {
  "use strict";
  var S = options.strings, line = options.line, extra = options.handlers || {};
  var people = {};  // user id -> {name, state: viewing | replying, mode, until}
  var state = { socket: null, retry: 0, stopped: false, typedAt: 0, sentMode: "" };
  var REPLYING_MS = 6000, TYPING_EVERY_MS = 2000, HEARTBEAT_MS = 10000;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return values[key] != null ? values[key] : all; });
  }
  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(frame));
  }
  function render() {
    var now = Date.now();
    var ids = Object.keys(people).sort(function (a, b) { return people[a].name.localeCompare(people[b].name); });
    line.textContent = "";
    ids.forEach(function (id, i) {
      var person = people[id];
      var replying = person.state === "replying" && person.until > now;
      var item = document.createElement("span");
      item.className = "collision-person" + (replying ? " is-replying" : "");
      item.dataset.testid = "presence-person";
      item.textContent = fill(replying ? (person.mode === "note" ? S.note : S.replying) : S.viewing, { name: person.name });
      line.appendChild(item);
      if (i < ids.length - 1) line.appendChild(document.createTextNode(S.separator));
    });
  }
  function see(frame, stateName) {
    people[frame.user] = { name: frame.name, state: stateName, mode: frame.mode || "",
                           until: stateName === "replying" ? Date.now() + REPLYING_MS : 0 };
    render();
  }
  var handlers = {
    present: function (frame) {
      people = {};
      frame.people.forEach(function (person) {
        see({ user: person.user, name: person.name, mode: person.mode }, person.state);
      });
      render();
    },
    viewing: function (frame) { see(frame, "viewing"); },
    replying: function (frame) { see(frame, "replying"); },
    left: function (frame) { delete people[frame.user]; render(); },
  };

  function connect() {
    if (state.stopped) return;
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + options.url +
                               "?lang=" + encodeURIComponent(document.documentElement.lang) +
                               (options.query ? "&" + options.query : ""));
    state.socket = socket;
    socket.onopen = function () { state.retry = 0; state.sentMode = ""; };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (handlers[frame.type]) handlers[frame.type](frame);
      if (extra[frame.type]) extra[frame.type](frame, api);
    };
    socket.onclose = function (event) {
      people = {};
      render();
      // 4403 and 4404: this page may not follow the ticket or chat; anything else is worth another try.
      if (state.stopped || event.code === 4403 || event.code === 4404) return;
      state.retry += 1;
      setTimeout(connect, Math.min(15000, 500 * Math.pow(2, state.retry)));
    };
  }
  function ping() { send({ type: "ping" }); }
  function visible() { if (!document.hidden) ping(); }
  var timers = [setInterval(ping, HEARTBEAT_MS), setInterval(render, 1000)];  // "replying" fades to "viewing"
  document.addEventListener("visibilitychange", visible);

  var api = {
    // Call on every input in the reply box: `mode` is "reply" or "note", `empty` whether the box is empty now.
    typing: function (mode, empty) {
      if (empty) {
        if (state.sentMode) { state.sentMode = ""; send({ type: "viewing" }); }
        return;
      }
      var now = Date.now();
      if (now - state.typedAt < TYPING_EVERY_MS && state.sentMode === mode) return;
      state.typedAt = now;
      state.sentMode = mode;
      send({ type: "replying", mode: mode });
    },
    person: function (userId) { return people[userId]; },
    seeViewing: function (frame) { if (people[frame.user]) see(frame, "viewing"); },
    // The page is going away (a form is being sent) or the chat left the console: no reconnecting.
    stop: function () {
      state.stopped = true;
      timers.forEach(clearInterval);
      document.removeEventListener("visibilitychange", visible);
      if (state.socket) state.socket.close();
    },
    fill: fill,
  };
  connect();
  return api;
};
