// The agent console over /ws/agent/ (contract in docs/api.md): presence, queues per language with the waiting
// chats to pick by hand, and every active chat side by side with the customer's details, recent requests, canned
// replies, transfer, convert-to-ticket and close. A reconnect asks each chat for what it missed (resume). The chat
// the agent is in (focus inside it, page visible) is marked read up to its last message (read frames); the others
// show their unread count. Keyboard: n next chat, r reply, e end the chat (static/support/js/shortcuts.js).
(function () {
  "use strict";
  var app = document.getElementById("console-app");
  if (!app) return;
  var S = JSON.parse(document.getElementById("chat-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var state = { chats: {}, current: null, picking: false, focusOnOpen: null };
  var socket = null;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return values[key] != null ? values[key] : all; });
  }
  function send(frame) { return socket ? socket.send(frame) : false; }
  function newId() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // --- queues --------------------------------------------------------------------------------------------------
  function renderQueues(queues) {
    var list = $("queues");
    list.textContent = "";
    queues.forEach(function (queue) {
      var item = document.createElement("li");
      var head = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = queue.language;
      head.appendChild(name);
      head.appendChild(document.createTextNode(" · " + queue.waiting + " " + S.waiting +
        (queue.waiting ? " · " + fmt(S.longest, { minutes: Math.floor(queue.longest_wait_seconds / 60) }) : "")));
      item.appendChild(head);
      var chats = document.createElement("ul");
      chats.className = "queue-chats";
      (queue.chats || []).forEach(function (chat) {
        var row = document.createElement("li");
        var text = document.createElement("span");
        text.textContent = (chat.customer || S.customer) + (chat.topic ? " — " + chat.topic : "");
        var take = document.createElement("button");
        take.type = "button";
        take.className = "button-small";
        take.textContent = S.take;
        take.addEventListener("click", function () { send({ type: "pick", conversation: chat.conversation }); });
        row.appendChild(text);
        row.appendChild(take);
        chats.appendChild(row);
      });
      item.appendChild(chats);
      list.appendChild(item);
    });
  }

  // --- chats ---------------------------------------------------------------------------------------------------
  function messageNode(frame, pending) {
    var item = document.createElement("li");
    item.className = "chat-msg " + (frame.sender === "agent" ? "chat-mine" : "chat-theirs") +  // mine on the right
      (pending ? " chat-pending" : "");
    if (frame.client_msg_id) item.dataset.clientId = frame.client_msg_id;
    if (frame.sender === "system") {
      item.className = "chat-msg chat-system" + (frame.body === "secret_hidden" ? " chat-warning" : "");
      item.textContent = S[frame.body] || frame.body;
      return item;
    }
    var who = document.createElement("span");
    who.className = "chat-who";
    who.textContent = frame.sender === "agent" ? S.you : frame.sender === "bot" ? S.bot : S.customer;
    var body = document.createElement("span");
    body.textContent = frame.body;
    item.appendChild(who);
    item.appendChild(body);
    if (frame.meta && frame.meta.secrets && frame.meta.secrets.length) {
      // What was hidden, so the agent can tell the customer to move their funds.
      var flag = document.createElement("span");
      flag.className = "chat-secret-flag";
      flag.dataset.testid = "secret-flag";
      flag.textContent = fmt(S.secret_flag, { kinds: frame.meta.secrets.map(function (kind) {
        return S.secret_kinds[kind] || kind;
      }).join(", ") });
      item.appendChild(flag);
    }
    (frame.attachments || []).forEach(function (file) { item.appendChild(fileNode(file)); });
    return item;
  }
  function fileNode(file) {
    // A file is read for secrets before agents see it (scan_state); where one was found, the file is a blurred or
    // masked copy, or (a PDF or ZIP) withheld, and the kinds are flagged like a secret in a message. An
    // "attachment" frame replaces this node.
    var box = document.createElement("span");
    box.className = "chat-file-box";
    box.dataset.attachment = file.id;
    box.dataset.scan = file.scan_state || "";
    if (file.scan_state === "pending") {
      var waiting = document.createElement("span");
      waiting.className = "chat-file muted small";
      waiting.textContent = file.filename + " — " +
        (/^image\//.test(file.content_type) ? S.scan_pending : S.scan_pending_file);
      box.appendChild(waiting);
      return box;
    }
    if (file.scan_state === "withheld") {
      var withheld = document.createElement("span");
      withheld.className = "chat-file muted small";
      withheld.dataset.testid = "attachment-withheld";
      withheld.textContent = file.filename + " — " + S.withheld;
      box.appendChild(withheld);
    } else {
      var link = document.createElement("a");
      link.href = file.url + "?v=" + encodeURIComponent(file.scan_state || "");
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "chat-file";
      link.textContent = file.filename;
      box.appendChild(link);
    }
    if (file.secret_kinds && file.secret_kinds.length) {
      var flag = document.createElement("span");
      flag.className = "chat-secret-flag";
      flag.dataset.testid = "attachment-secret-flag";
      flag.textContent = fmt(S.secret_flag, { kinds: file.secret_kinds.map(function (kind) {
        return S.secret_kinds[kind] || kind;
      }).join(", ") });
      box.appendChild(flag);
    }
    if (file.scan_problem || file.scan_state === "failed") {
      var failed = document.createElement("span");
      failed.className = "muted small";
      failed.textContent = (file.scan_problem && S.scan_problems[file.scan_problem]) || S.scan_failed;
      box.appendChild(failed);
    }
    if ((file.scan_state === "secret" || file.scan_state === "withheld") && app.dataset.admin) {
      var original = document.createElement("a");
      original.href = file.url + "original/";
      original.target = "_blank";
      original.rel = "noopener";
      original.className = "small";
      original.textContent = S.original;
      box.appendChild(original);
    }
    return box;
  }
  function place(chat, item, seq) {
    // In sequence order whatever the arrival order; unsent messages stay at the end.
    var next = null;
    if (seq) {
      item.dataset.seq = seq;
      for (var i = 0; i < chat.log.children.length; i++) {
        var other = chat.log.children[i];
        if (other !== item && (!other.dataset.seq || +other.dataset.seq > seq)) { next = other; break; }
      }
    }
    chat.log.insertBefore(item, next);
    item.scrollIntoView({ block: "end" });
  }
  // --- read marks ----------------------------------------------------------------------------------------------
  function viewing(chat) {
    return state.current === chat.id && !document.hidden && chat.node.contains(document.activeElement);
  }
  function renderUnread(chat) {
    var unread = Math.max(0, chat.lastSeq - chat.readSeq);
    var badge = chat.node.querySelector(".js-unread");
    badge.textContent = String(unread);
    badge.hidden = !unread;
  }
  function markRead(chat) {
    if (chat.lastSeq > chat.readSeq) {
      chat.readSeq = chat.lastSeq;
      send({ type: "read", conversation: chat.id, seq: chat.lastSeq });
    }
    renderUnread(chat);
  }
  function focusChat(chat) {
    state.current = chat.id;
    chat.node.querySelector(".js-input").focus();  // focusin marks it read
    chat.node.scrollIntoView({ block: "nearest" });
  }

  function addMessage(chat, frame) {
    if (chat.seen[frame.seq]) return;
    chat.seen[frame.seq] = true;
    while (chat.seen[chat.lastSeq + 1]) chat.lastSeq += 1;
    if (frame.sender === "agent") chat.readSeq = Math.max(chat.readSeq, frame.seq);  // one's own reply
    if (viewing(chat)) markRead(chat); else renderUnread(chat);
    if (frame.seq > chat.lastSeq) {  // an earlier message has not arrived yet: ask for it
      clearTimeout(chat.gapTimer);
      chat.gapTimer = setTimeout(function () { send({ type: "resume", conversation: chat.id, after_seq: chat.lastSeq }); }, 400);
    }
    if (frame.client_msg_id && chat.pending[frame.client_msg_id]) {
      delete chat.pending[frame.client_msg_id];
      var waiting = chat.log.querySelector('.chat-pending[data-client-id="' + CSS.escape(frame.client_msg_id) + '"]');
      if (waiting) {
        // The stored message replaces what was typed (the server may have hidden a secret in it).
        var stored = messageNode(frame, false);
        waiting.replaceWith(stored);
        place(chat, stored, frame.seq);
        return;
      }
    }
    place(chat, messageNode(frame, false), frame.seq);
  }
  function loadContext(chat) {
    fetch(window.inPageLanguage(app.dataset.context + chat.id + "/context/"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (context) {
        if (!context) return;
        var node = chat.node;
        var name = node.querySelector(".js-customer");
        name.textContent = "";
        if (context.customer_url) {  // registered customers: their page with every ticket, chat and rating
          var link = document.createElement("a");
          link.href = context.customer_url;
          link.target = "_blank";
          link.textContent = context.customer_name || S.customer;
          name.appendChild(link);
        } else {
          name.textContent = context.customer_name || S.customer;
        }
        node.querySelector(".js-email").textContent = context.customer_email + (context.exchange_uid
          ? " · " + fmt(S.exchange_uid, { uid: context.exchange_uid })
          : (context.email_proven ? "" : " · " + S.unproven_email));
        node.querySelector(".js-topic").textContent = context.topic;
        if (context.your_code) node.querySelector(".js-code").textContent = fmt(S.your_code, { code: context.your_code });
        node.querySelector(".js-language").textContent = context.language +
          (context.overflowed ? " · " + S.overflowed : "");
        var incident = node.querySelector(".js-incident");
        if (context.incident) {  // the chat is about a known incident: the agent can answer with its notice
          incident.hidden = false;
          incident.href = context.incident.url;
          incident.textContent = fmt(S.incident, { title: context.incident.title });
        }
        renderCard(node.querySelector(".js-card"), context.handover);
        var tickets = node.querySelector(".js-tickets");
        node.querySelector(".js-tickets-title").textContent = S.recent_tickets + " (" + context.recent_tickets.length + ")";
        if (!context.recent_tickets.length) tickets.textContent = S.none;
        context.recent_tickets.forEach(function (ticket) {
          var li = document.createElement("li");
          li.textContent = ticket.ref + " · " + ticket.subject + " · " + (ticket.status_label || ticket.status);
          tickets.appendChild(li);
        });
        var canned = node.querySelector(".js-canned");
        canned.options[0].textContent = S.canned;
        context.canned_replies.forEach(function (reply) {
          var option = document.createElement("option");
          option.value = reply.body;
          option.textContent = reply.name;
          canned.appendChild(option);
        });
      });
  }
  function renderCard(box, card) {
    // The bot's handover card: why, what the customer asked, what was offered and how they answered.
    if (!card || !card.reason) return;
    box.hidden = false;
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = S.card;
    box.appendChild(title);
    var reason = document.createElement("p");
    reason.textContent = fmt(S.card_reason, { reason: fmt(S["reason_" + card.reason] || card.reason, { topic: card.topic }) }) +
      (card.intent ? " · " + ((S.intents || {})[card.intent] || card.intent) + " " + Math.round((card.confidence || 0) * 100) + "%" : "");
    box.appendChild(reason);
    if (card.questions && card.questions.length) {
      var asked = document.createElement("p");
      asked.textContent = S.card_asked + " " + card.questions.join(" / ");
      box.appendChild(asked);
    }
    (card.offered || []).forEach(function (offer) {
      var line = document.createElement("p");
      line.className = "small";
      line.textContent = S.card_offered + " " + offer.articles.join(", ") + " — " +
        (offer.helpful === true ? S.helped : offer.helpful === false ? S.did_not_help : S.no_answer);
      box.appendChild(line);
    });
  }
  function openChat(info) {
    if (state.chats[info.conversation]) return state.chats[info.conversation];
    var node = $("chat-template").content.firstElementChild.cloneNode(true);
    var chat = { id: info.conversation, lastSeq: 0, readSeq: info.read_seq || 0, seen: {}, pending: {}, node: node,
                 log: node.querySelector(".chat-log") };
    node.dataset.conversation = chat.id;
    node.querySelector(".js-language").textContent = info.language || "";
    node.querySelector(".js-customer").textContent = info.customer || S.customer;
    node.querySelector(".js-send").textContent = S.send;
    node.querySelector(".js-close").textContent = S.close;
    node.querySelector(".js-transfer").textContent = S.transfer;
    node.querySelector(".js-ticket").textContent = S.to_ticket;
    var input = node.querySelector(".js-input");
    node.querySelector(".js-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var body = input.value.trim();
      if (!body) return;
      // Kept until the server echoes it back; sent again after a reconnect if it was not.
      var frame = { type: "message", conversation: chat.id, body: body, client_msg_id: newId() };
      chat.pending[frame.client_msg_id] = frame;
      place(chat, messageNode({ sender: "agent", body: body, client_msg_id: frame.client_msg_id }, true), null);
      send(frame);
      input.value = "";
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        node.querySelector(".js-form").requestSubmit();
      }
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (!chat.typingAt || now - chat.typingAt > 2000) { chat.typingAt = now; send({ type: "typing", conversation: chat.id }); }
    });
    node.querySelector(".js-canned").addEventListener("change", function (event) {
      if (event.target.value) { input.value = event.target.value; input.focus(); event.target.value = ""; }
    });
    node.querySelector(".js-close").addEventListener("click", function () { send({ type: "close", conversation: chat.id }); });
    node.querySelector(".js-ticket").addEventListener("click", function () { send({ type: "to_ticket", conversation: chat.id }); });
    // Transfer: a small form under the chat (a language's queue, or a colleague by email), not a browser prompt.
    var transfer = node.querySelector(".js-transfer-form");
    var toLanguage = transfer.querySelector(".js-transfer-language"), toAgent = transfer.querySelector(".js-transfer-agent");
    node.querySelector(".js-transfer").addEventListener("click", function () {
      transfer.hidden = !transfer.hidden;
      if (!transfer.hidden) toLanguage.focus();
    });
    transfer.querySelector(".js-transfer-cancel").addEventListener("click", function () { transfer.hidden = true; });
    transfer.addEventListener("submit", function (event) {
      event.preventDefault();
      var agent = toAgent.value.trim(), language = toLanguage.value;
      if (!agent && !language) { toLanguage.focus(); return; }
      send(agent ? { type: "transfer", conversation: chat.id, to_agent: agent }
                 : { type: "transfer", conversation: chat.id, to_language: language });
      transfer.hidden = true;
    });
    node.addEventListener("focusin", function () { state.current = chat.id; markRead(chat); });
    $("chats").appendChild(node);
    state.chats[chat.id] = chat;
    if (state.focusOnOpen === chat.id) { state.focusOnOpen = null; focusChat(chat); }
    $("no-chats").hidden = true;
    loadContext(chat);
    // Other scripts on the page (profile sidebar, who else is here) add to a chat through this event and its
    // .js-extras box; "console:chat-closed" tells them it went away.
    document.dispatchEvent(new CustomEvent("console:chat-open", { detail: { conversation: chat.id, node: node } }));
    send({ type: "resume", conversation: chat.id, after_seq: 0 });  // the conversation so far, bot part included
    return chat;
  }
  function dropChat(id) {
    var chat = state.chats[id];
    if (!chat) return;
    chat.node.remove();
    delete state.chats[id];
    document.dispatchEvent(new CustomEvent("console:chat-closed", { detail: { conversation: id } }));
    if (state.current === id) state.current = null;
    $("no-chats").hidden = Object.keys(state.chats).length > 0;
  }

  var handlers = {
    snapshot: function (frame) {
      state.queues = frame.queues;
      renderQueues(frame.queues);
      var current = {};
      frame.chats.forEach(function (info) { current[info.conversation] = true; });
      Object.keys(state.chats).forEach(function (id) {
        if (!current[id]) { dropChat(id); return; }  // released or closed while we were away
        // After a reconnect: catch up on what was missed, then send again what was not echoed.
        var chat = state.chats[id];
        send({ type: "resume", conversation: id, after_seq: chat.lastSeq });
        Object.keys(chat.pending).forEach(function (key) { send(chat.pending[key]); });
      });
      frame.chats.forEach(openChat);  // new ones ask for their history themselves
      $("no-chats").textContent = S.no_chats;
      $("no-chats").hidden = Object.keys(state.chats).length > 0;
    },
    queues: function (frame) { state.queues = frame.queues; renderQueues(frame.queues); },
    chat_assigned: function (frame) {
      if (state.picking) { state.picking = false; state.focusOnOpen = frame.conversation; }
      openChat(frame);
    },
    read: function (frame) {
      var chat = state.chats[frame.conversation];
      if (chat) { chat.readSeq = Math.max(chat.readSeq, frame.seq); renderUnread(chat); }
    },
    chat_released: function (frame) { dropChat(frame.conversation); },
    closed: function (frame) {
      var chat = state.chats[frame.conversation];
      if (chat) setTimeout(function () { dropChat(frame.conversation); }, 4000);
    },
    ticket_created: function (frame) { $("console-status").textContent = frame.ticket; },
    message: function (frame) {
      var chat = state.chats[frame.conversation];
      if (chat) addMessage(chat, frame);
    },
    attachment: function (frame) {  // a picture's scan for secrets finished
      var chat = state.chats[frame.conversation];
      var node = chat && chat.log.querySelector('[data-attachment="' + CSS.escape(frame.attachment.id) + '"]');
      if (node) node.replaceWith(fileNode(frame.attachment));
    },
    typing: function (frame) {
      var chat = state.chats[frame.conversation];
      if (!chat) return;
      var line = chat.node.querySelector(".js-typing");
      line.textContent = fmt(S.typing, { who: S.customer });
      line.hidden = false;
      clearTimeout(chat.typingTimer);
      chat.typingTimer = setTimeout(function () { line.hidden = true; }, 3000);
    },
    error: function (frame) {
      state.picking = false;
      $("console-status").textContent = fmt(S.error, { detail: frame.detail });
    },
    pong: function () {},
  };

  // Opened from the workspace (or a search) on one chat: /agent/chats/#chat=<id> focuses it once it is here.
  var wanted = /^#chat=([0-9a-f-]+)$/i.exec(window.location.hash);
  if (wanted) state.focusOnOpen = wanted[1];
  document.addEventListener("visibilitychange", function () {
    var chat = state.chats[state.current];
    if (chat && viewing(chat)) markRead(chat);
  });

  // --- shortcuts -----------------------------------------------------------------------------------------------
  function currentChat() {
    return state.chats[state.current] || state.chats[Object.keys(state.chats)[0]] || null;
  }
  if (window.Shortcuts) {
    window.Shortcuts.register("n", "next_chat", function () {
      var ids = Array.prototype.map.call($("chats").children, function (node) { return node.dataset.conversation; });
      if (ids.length) {
        var at = ids.indexOf(state.current);
        focusChat(state.chats[ids[(at + 1) % ids.length]]);
        return;
      }
      var oldest = null;  // no chat of one's own: take the longest-waiting one
      (state.queues || []).forEach(function (queue) {
        (queue.chats || []).forEach(function (chat) {
          if (!oldest || chat.waited_seconds > oldest.waited_seconds) oldest = chat;
        });
      });
      if (!oldest) return;
      state.picking = true;
      send({ type: "pick", conversation: oldest.conversation });
    });
    window.Shortcuts.register("r", "reply", function () {
      var chat = currentChat();
      if (chat) focusChat(chat);
    });
    window.Shortcuts.register("e", "close_chat", function () {
      var chat = state.chats[state.current];  // only the chat the agent is in, never a guess
      if (chat) send({ type: "close", conversation: chat.id });
    });
  }

  socket = window.AgentSocket({
    presence: $("presence"),
    handlers: handlers,
    onopen: function () { $("console-status").textContent = S.connected; },
    onclose: function () { $("console-status").textContent = S.reconnecting; },
  });
})();
