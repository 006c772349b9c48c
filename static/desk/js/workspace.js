// The agent workspace (/<lang>/agent/) over the agent socket (contract in docs/api.md): presence, one's active chats
// with unread counts (last seq - read mark), the queues of one's languages, the tickets needing one (the server
// sends a fresh list when a notification arrives and with each heartbeat), and notifications as they are created:
// a toast, the unread badge and, only after the agent asks for them, desktop notifications.
(function () {
  "use strict";
  var app = document.getElementById("workspace-app");
  if (!app) return;
  var S = JSON.parse(document.getElementById("workspace-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var chats = {}, order = [], queues = [], picking = false;
  var DESKTOP_KEY = "support.desktopNotifications";

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return values[key] != null ? values[key] : all; });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function consoleUrl(id) { return app.dataset.console + "#chat=" + encodeURIComponent(id); }
  function ticketUrl(ref) { return app.dataset.ticketUrl.replace("T-0", encodeURIComponent(ref)); }

  // --- my chats ------------------------------------------------------------------------------------------------
  function renderChats() {
    var list = $("my-chats");
    list.textContent = "";
    order.forEach(function (id) {
      var chat = chats[id];
      var unread = Math.max(0, chat.last_seq - chat.read_seq);
      var item = el("li", unread ? "workspace-item has-unread" : "workspace-item");
      item.dataset.conversation = id;
      var link = el("a", null, chat.customer || S.customer);
      link.href = consoleUrl(id);
      item.appendChild(link);
      item.appendChild(el("span", "pill", chat.language));
      if (chat.topic) item.appendChild(el("span", "muted small", chat.topic));
      if (unread) {
        var badge = el("span", "badge", String(unread));
        badge.setAttribute("aria-label", fmt(S.unread, { count: unread }));
        badge.dataset.testid = "chat-unread";
        item.appendChild(badge);
      }
      list.appendChild(item);
    });
    $("chat-count").textContent = String(order.length);
    $("no-chats").textContent = S.no_chats;
    $("no-chats").hidden = order.length > 0;
  }
  function addChat(info) {
    if (!chats[info.conversation]) order.push(info.conversation);
    chats[info.conversation] = { customer: info.customer, language: info.language, topic: info.topic,
                                 last_seq: info.last_seq || 0, read_seq: info.read_seq || 0 };
  }
  function dropChat(id) {
    delete chats[id];
    order = order.filter(function (other) { return other !== id; });
    renderChats();
  }
  // The chat to work on next: the one with most unread messages, else the first.
  function nextChat() {
    var best = null, most = -1;
    order.forEach(function (id) {
      var unread = chats[id].last_seq - chats[id].read_seq;
      if (unread > most) { best = id; most = unread; }
    });
    return best;
  }

  // --- queues --------------------------------------------------------------------------------------------------
  function renderQueues() {
    var list = $("queues");
    list.textContent = "";
    queues.forEach(function (queue) {
      var item = el("li");
      item.appendChild(el("strong", null, queue.language));
      item.appendChild(document.createTextNode(" · " + queue.waiting + " " + S.waiting +
        (queue.waiting ? " · " + fmt(S.longest, { minutes: Math.floor(queue.longest_wait_seconds / 60) }) : "")));
      list.appendChild(item);
    });
  }
  function oldestWaiting() {
    var oldest = null;
    queues.forEach(function (queue) {
      (queue.chats || []).forEach(function (chat) {
        if (!oldest || chat.waited_seconds > oldest.waited_seconds) oldest = chat;
      });
    });
    return oldest;
  }

  // --- tickets -------------------------------------------------------------------------------------------------
  function dueText(iso) {
    if (!iso) return S.no_due;
    var minutes = Math.round((new Date(iso).getTime() - Date.now()) / 60000);
    return minutes >= 0 ? fmt(S.due_in, { minutes: minutes }) : fmt(S.overdue, { minutes: -minutes });
  }
  function renderTickets(frame) {
    ["breaching", "replied", "assigned"].forEach(function (name) {
      app.querySelector('[data-count="' + name + '"]').textContent = String(frame.counts[name]);
      var list = app.querySelector('[data-list="' + name + '"]');
      list.textContent = "";
      frame[name].forEach(function (ticket) {
        var item = el("li", "workspace-item");
        var link = el("a", null, ticket.ref + " " + ticket.subject);
        link.href = ticketUrl(ticket.ref);
        item.appendChild(link);
        item.appendChild(el("span", "muted small", ticket.requester + " · " + ticket.status + " · " + ticket.priority));
        var due = el("span", "small " + (ticket.next_due && new Date(ticket.next_due) < new Date() ? "sla sla-breached" : "muted"),
                     dueText(ticket.next_due));
        item.appendChild(due);
        list.appendChild(item);
      });
      if (!frame[name].length) list.appendChild(el("li", "muted small", S.no_tickets));
    });
  }

  // --- notifications -------------------------------------------------------------------------------------------
  function setUnread(count) {
    $("workspace-unread").textContent = String(count);
    var header = document.querySelector(".notif-link");
    if (!header) return;
    var badge = header.querySelector(".badge");
    if (!badge) { badge = el("span", "badge"); badge.dataset.testid = "unread-count"; header.appendChild(badge); }
    badge.textContent = String(count);
    badge.hidden = !count;
    header.setAttribute("aria-label", S.notifications + ": " + count);
  }
  function showNotification(frame) {
    setUnread(frame.unread);
    var item = el("li", "workspace-item");
    var link = el("a", null, frame.title);
    link.href = frame.url || "#";
    item.appendChild(link);
    if (frame.body) item.appendChild(el("span", "muted small", frame.body));
    $("recent-notifications").insertBefore(item, $("recent-notifications").firstChild);

    var toast = el("div", "toast");
    toast.dataset.testid = "toast";
    toast.appendChild(el("strong", null, frame.title));
    if (frame.body) toast.appendChild(el("p", null, frame.body));
    if (frame.url) { var open = el("a", null, S.open); open.href = frame.url; toast.appendChild(open); }
    $("toasts").appendChild(toast);
    setTimeout(function () { toast.remove(); }, 8000);

    if (desktopWanted() && document.hidden) {
      var shown = new Notification(frame.title, { body: frame.body, tag: "notification-" + frame.id });
      shown.onclick = function () { window.focus(); if (frame.url) window.location.href = frame.url; };
    }
  }
  function desktopWanted() {
    return "Notification" in window && Notification.permission === "granted" &&
      window.localStorage.getItem(DESKTOP_KEY) === "on";
  }
  function renderDesktopButton() {
    var button = $("desktop-notifications");
    if (!("Notification" in window)) return;  // the browser has none: no button
    button.hidden = false;
    if (Notification.permission === "denied") {
      button.textContent = S.desktop_denied;
      button.disabled = true;
    } else {
      button.textContent = desktopWanted() ? S.desktop_on : S.desktop_enable;
      button.setAttribute("aria-pressed", desktopWanted() ? "true" : "false");
    }
  }
  // Asked only when the agent presses the button, never on page load.
  $("desktop-notifications").addEventListener("click", function () {
    if (desktopWanted()) {
      window.localStorage.setItem(DESKTOP_KEY, "off");
      renderDesktopButton();
      return;
    }
    Notification.requestPermission().then(function (permission) {
      if (permission === "granted") window.localStorage.setItem(DESKTOP_KEY, "on");
      renderDesktopButton();
    });
  });

  // --- the socket ----------------------------------------------------------------------------------------------
  var socket = window.AgentSocket({
    presence: $("presence"),
    onopen: function () { $("console-status").textContent = S.connected; socket.send({ type: "tickets" }); },
    onclose: function () { $("console-status").textContent = S.reconnecting; },
    handlers: {
      snapshot: function (frame) {
        chats = {};
        order = [];
        frame.chats.forEach(addChat);
        renderChats();
        queues = frame.queues;
        renderQueues();
      },
      queues: function (frame) { queues = frame.queues; renderQueues(); },
      chat_assigned: function (frame) {
        addChat(frame);
        renderChats();
        if (picking) { picking = false; window.location.href = consoleUrl(frame.conversation); }
      },
      chat_released: function (frame) { dropChat(frame.conversation); },
      closed: function (frame) { dropChat(frame.conversation); },
      message: function (frame) {
        var chat = chats[frame.conversation];
        if (!chat) return;
        chat.last_seq = Math.max(chat.last_seq, frame.seq);
        if (frame.sender === "agent") chat.read_seq = Math.max(chat.read_seq, frame.seq);  // one's own reply
        renderChats();
      },
      read: function (frame) {
        var chat = chats[frame.conversation];
        if (chat) { chat.read_seq = Math.max(chat.read_seq, frame.seq); renderChats(); }
      },
      tickets: renderTickets,
      notification: showNotification,
      error: function (frame) { picking = false; $("console-status").textContent = fmt(S.error, { detail: frame.detail }); },
    },
  });

  // --- shortcuts -----------------------------------------------------------------------------------------------
  if (window.Shortcuts) {
    window.Shortcuts.register("n", "next_chat", function () {
      var id = nextChat();
      if (id) { window.location.href = consoleUrl(id); return; }
      var waiting = oldestWaiting();
      if (!waiting) { $("console-status").textContent = S.nothing_waiting; return; }
      picking = true;
      $("console-status").textContent = S.picking;
      socket.send({ type: "pick", conversation: waiting.conversation });
    });
    window.Shortcuts.register("/", "search", function () { $("workspace-q").focus(); });
  }
  renderDesktopButton();
  renderChats();
})();
