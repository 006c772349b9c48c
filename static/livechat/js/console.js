// The agent console over /ws/agent/ (contract in docs/api.md): presence, queues per language with the waiting
// chats to pick by hand, and every active chat side by side with the customer's details, recent requests, canned
// replies, transfer, convert-to-ticket and close. A reconnect asks each chat for what it missed (resume). The chat
// the agent is in (focus inside it, page visible) is marked read up to its last message (read frames); the others
// show their unread count. An ended chat stays, read-only, with its wrap-up form (outcome, topic, tags, a note; the
// customer's rating when it comes) until the agent finishes it; then it moves to "Recent chats", whose links open
// the chat's page. Keyboard: n next chat, r reply, e end the chat (static/support/js/shortcuts.js).
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
      item.textContent = S.system_lines[frame.body] || S[frame.body] || frame.body;
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
    if (frame.meta && frame.meta.translation) item.appendChild(translationNode(frame, frame.meta.translation));
    (frame.attachments || []).forEach(function (file) { item.appendChild(fileNode(file)); });
    return item;
  }
  // A machine translation beside the original (issue #25): a customer's message in the agent's language, or what
  // the customer read of the agent's. A failed one says so, and the agent may ask again.
  function translationNode(frame, translation) {
    var box = document.createElement("span");
    box.className = "chat-translation";
    box.dataset.testid = "chat-translation";
    var name = S.language_names[translation.language] || translation.language;
    var label = document.createElement("span");
    label.className = "chat-translation-label";
    if (translation.state === "ok") {
      label.textContent = frame.sender === "agent" ? fmt(S.sent_translated, { language: name })
                                                   : fmt(S.translation_into, { language: name });
      var text = document.createElement("span");
      text.className = "chat-translation-text";
      text.lang = translation.language;
      text.textContent = translation.text;
      box.appendChild(label);
      box.appendChild(text);
    } else {
      box.className += " chat-translation-failed";
      label.textContent = frame.sender === "agent" ? S.sent_untranslated : S.not_translated;
      box.appendChild(label);
      if (frame.seq && frame.conversation) {
        var retry = document.createElement("button");
        retry.type = "button";
        retry.className = "button-secondary button-small";
        retry.textContent = S.translate_again;
        retry.addEventListener("click", function () {
          retry.disabled = true;
          send({ type: "translate", conversation: frame.conversation, seq: frame.seq });
        });
        box.appendChild(retry);
      }
    }
    return box;
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
      if (/^image\//.test(file.content_type)) {
        // A picture, once read for secrets (or its blurred copy), shows inline; the link opens it full size.
        var thumb = document.createElement("img");
        thumb.className = "chat-thumb";
        thumb.src = link.href;
        thumb.alt = file.filename;
        thumb.loading = "lazy";
        link.appendChild(thumb);
      } else {
        link.textContent = file.filename;
      }
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
    if (frame.sender === "customer") {  // panels that follow the customer's words (static/desk/js/assist.js)
      document.dispatchEvent(new CustomEvent("console:customer-message", { detail: { conversation: chat.id, seq: frame.seq } }));
    }
    while (chat.seen[chat.lastSeq + 1]) chat.lastSeq += 1;
    if (frame.sender === "agent") chat.readSeq = Math.max(chat.readSeq, frame.seq);  // one's own reply
    if (viewing(chat)) markRead(chat); else renderUnread(chat);
    if (frame.seq > chat.lastSeq) {  // an earlier message has not arrived yet: ask for it
      clearTimeout(chat.gapTimer);
      chat.gapTimer = setTimeout(function () { send({ type: "resume", conversation: chat.id, after_seq: chat.lastSeq }); }, 400);
    }
    if (frame.client_msg_id && (chat.pending[frame.client_msg_id] || chat.uploading[frame.client_msg_id])) {
      delete chat.pending[frame.client_msg_id];
      delete chat.uploading[frame.client_msg_id];
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
        // The customer's timeline and other panels hang off the chat's context (static/desk/js/timeline.js).
        document.dispatchEvent(new CustomEvent("console:chat-context", { detail: { conversation: chat.id, node: node, context: context } }));
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
        var assisted = node.querySelector(".js-assisted");
        if (context.assisted) {  // served with assist: say what the customer reads of the agent's messages
          var language = S.language_names[context.language] || context.language;
          assisted.textContent = fmt(context.translated ? S.assisted_translated : S.assisted_plain, { language: language });
          assisted.hidden = false;
        }
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
    var chat = { id: info.conversation, topic: info.topic, lastSeq: 0, readSeq: info.read_seq || 0, seen: {}, pending: {},
                 uploading: {}, file: null, node: node,
                 log: node.querySelector(".chat-log") };
    node.dataset.conversation = chat.id;
    node.querySelector(".js-language").textContent = info.language || "";
    node.querySelector(".js-customer").textContent = info.customer || S.customer;
    node.querySelector(".js-send").textContent = S.send;
    node.querySelector(".js-close").textContent = S.close;
    node.querySelector(".js-transfer").textContent = S.transfer;
    node.querySelector(".js-ticket").textContent = S.to_ticket;
    var input = node.querySelector(".js-input");
    node.querySelector(".js-file").addEventListener("change", function (event) {
      if (event.target.files[0]) setFile(chat, event.target.files[0]);
      event.target.value = "";
    });
    node.querySelector(".js-file-remove").addEventListener("click", function () { setFile(chat, null); input.focus(); });
    input.addEventListener("paste", function (event) {
      // A pasted screenshot becomes the message's file (pasted text stays text).
      var items = (event.clipboardData && event.clipboardData.items) || [];
      for (var i = 0; i < items.length; i++) {
        if (items[i].kind === "file" && /^image\//.test(items[i].type)) {
          var pasted = items[i].getAsFile();
          if (!pasted) continue;
          var stamp = new Date().toISOString().replace(/[-:]/g, "").slice(0, 15);
          var named = new File([pasted], "screenshot-" + stamp + "." + (pasted.type.split("/")[1] || "png"), { type: pasted.type });
          setFile(chat, named);
          if (!event.clipboardData.getData("text/plain")) event.preventDefault();
          return;
        }
      }
    });
    node.querySelector(".js-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var body = input.value.trim();
      if (chat.file) { upload(chat, body); return; }
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
    var wrap = node.querySelector(".js-wrap-form");
    wrap.addEventListener("submit", function (event) {
      event.preventDefault();
      wrapErrors(chat, {});
      var disposition = wrap.querySelector(".js-disposition");
      if (!disposition.value) { wrapErrors(chat, { disposition: disposition.options[0].textContent }); disposition.focus(); return; }
      wrap.querySelector(".js-wrap-submit").disabled = true;
      send({ type: "wrap_up", conversation: chat.id, disposition: disposition.value,
             topic: wrap.querySelector(".js-wrap-topic").value, tags: wrap.querySelector(".js-wrap-tags").value.split(/[,，、]/),
             note: wrap.querySelector(".js-wrap-note").value });
    });
    wrap.querySelector(".js-wrap-transcript").href = app.dataset.chatPage + chat.id + "/";
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
    if (info.status === "closed") endChat(chat, info);
    return chat;
  }
  // --- files: attached or pasted, sent over HTTP with the text as their message -------------------------------
  function setFile(chat, file) {
    var chip = chat.node.querySelector(".js-file-chip"), preview = chat.node.querySelector(".js-file-preview");
    if (preview.src) URL.revokeObjectURL(preview.src);
    chat.file = file;
    chip.hidden = !file;
    chat.node.querySelector(".js-file-error").hidden = true;
    chat.node.querySelector(".js-file-name").textContent = file ? file.name : "";
    preview.hidden = !(file && /^image\//.test(file.type));
    if (!preview.hidden) preview.src = URL.createObjectURL(file); else preview.removeAttribute("src");
  }
  function upload(chat, body) {
    // The same checks as a customer's file (type, size, the scan for secrets); the message comes back over the
    // socket like any other and replaces the pending line.
    var input = chat.node.querySelector(".js-input"), file = chat.file;
    var data = new FormData();
    var id = newId();
    data.append("file", file);
    data.append("body", body);
    data.append("client_msg_id", id);
    chat.uploading[id] = true;
    var pending = messageNode({ sender: "agent", body: body || file.name, client_msg_id: id }, true);
    place(chat, pending, null);
    input.value = "";
    setFile(chat, null);
    fetch(window.inPageLanguage(app.dataset.context + chat.id + "/attachments/"), {
      method: "POST", credentials: "same-origin", body: data,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (response.ok) return;
      return response.json().then(function (answer) { throw { detail: answer.error && answer.error.detail }; });
    }).catch(function (error) {
      delete chat.uploading[id];
      pending.remove();
      input.value = body;
      setFile(chat, file);  // nothing is lost: the text and the file are back in the composer
      var line = chat.node.querySelector(".js-file-error");
      line.textContent = (error && error.detail) || S.reconnecting;  // the refusal's reason, or a lost connection
      line.hidden = false;
    });
  }
  function csrfToken() {
    var field = app.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // --- the end of a chat: wrap-up, then history ----------------------------------------------------------------
  function endChat(chat, info) {
    // Read-only from now on; the wrap-up form takes the composer's place until the agent finishes it.
    if (chat.ended) return;
    chat.ended = true;
    var node = chat.node;
    node.classList.add("is-ended");
    [".js-form", ".console-tools", ".js-transfer-form", ".js-typing"].forEach(function (sel) { node.querySelector(sel).hidden = true; });
    node.querySelector(".js-ended").hidden = false;
    node.querySelector(".js-ended-text").textContent = S.ended;
    var topic = node.querySelector(".js-wrap-topic");
    if (!topic.value) topic.value = info.topic || chat.topic || "";
    renderCsat(chat, info.csat);
  }
  function renderCsat(chat, csat) {
    var line = chat.node.querySelector(".js-csat");
    line.textContent = csat ? fmt(S.csat, { score: csat.score }) + (csat.comment ? " — " + csat.comment : "") : S.csat_waiting;
  }
  function wrapErrors(chat, errors) {
    chat.node.querySelectorAll(".js-wrap-form .js-error").forEach(function (box) {
      var text = errors[box.dataset.field];
      box.textContent = text || "";
      box.hidden = !text;
    });
  }
  function historyNode(item) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = app.dataset.chatPage + item.conversation + "/";
    link.textContent = (item.customer || S.customer) + (item.topic ? " — " + item.topic : "");
    li.appendChild(link);
    var meta = document.createElement("div");
    meta.className = "muted small";
    var when = item.wrapped_up_at ? new Date(item.wrapped_up_at).toLocaleString(document.documentElement.lang || undefined,
      { dateStyle: "short", timeStyle: "short" }) : "";
    meta.textContent = [S.dispositions[item.disposition] || "", item.language,
      item.csat ? fmt(S.csat, { score: item.csat.score }) : "", when].filter(Boolean).join(" · ");
    li.appendChild(meta);
    return li;
  }
  function renderHistory(items) {
    var list = $("history");
    list.textContent = "";
    items.forEach(function (item) { list.appendChild(historyNode(item)); });
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "muted small js-history-empty";
      none.textContent = S.history_empty;
      list.appendChild(none);
    }
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
      frame.chats.forEach(function (info) {
        var chat = openChat(info);  // new ones ask for their history themselves
        if (info.status === "closed") endChat(chat, info);
      });
      renderHistory(frame.history || []);
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
      if (chat) endChat(chat, frame);
    },
    csat: function (frame) {
      var chat = state.chats[frame.conversation];
      if (chat) renderCsat(chat, frame.csat);
    },
    wrapped_up: function (frame) {
      dropChat(frame.conversation);
      var list = $("history"), empty = list.querySelector(".js-history-empty");
      if (empty) empty.remove();
      list.insertBefore(historyNode(frame.history), list.firstChild);
      while (list.children.length > 10) list.removeChild(list.lastChild);
    },
    history: function (frame) { renderHistory(frame.chats); },
    ticket_created: function (frame) { $("console-status").textContent = frame.ticket; },
    message: function (frame) {
      var chat = state.chats[frame.conversation];
      if (chat) addMessage(chat, frame);
    },
    translated: function (frame) {  // a message's translation arrived (or was done again)
      var chat = state.chats[frame.conversation];
      var item = chat && chat.log.querySelector('[data-seq="' + frame.seq + '"]');
      if (!item) return;
      var old = item.querySelector(".chat-translation");
      var sender = item.classList.contains("chat-mine") ? "agent" : "customer";
      var node = translationNode({ sender: sender, seq: frame.seq, conversation: frame.conversation }, frame.translation);
      if (old) old.replaceWith(node); else item.insertBefore(node, item.querySelector(".chat-file-box"));
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
      var chat = state.chats[frame.conversation];
      if (chat && chat.ended) {  // the wrap-up form shows it by its field
        chat.node.querySelector(".js-wrap-submit").disabled = false;
        var errors = {};
        errors[frame.field || "disposition"] = frame.detail;
        wrapErrors(chat, errors);
        return;
      }
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
  // Another panel sends a ready text into one of the agent's chats (static/desk/js/assist.js: an article or a macro
  // already in the customer's language): the usual message frame, with the language it is in and where it came from.
  document.addEventListener("console:send", function (event) {
    var detail = event.detail || {}, chat = state.chats[detail.conversation];
    if (!chat || chat.ended || !detail.body) return;
    var frame = { type: "message", conversation: chat.id, body: detail.body, client_msg_id: newId(),
                  language: detail.language, assist: detail.assist };
    chat.pending[frame.client_msg_id] = frame;
    place(chat, messageNode({ sender: "agent", body: detail.body, client_msg_id: frame.client_msg_id }, true), null);
    send(frame);
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
