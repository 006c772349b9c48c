// The customer's chat: pre-chat form, then the live panel over /ws/chat/<id>/ (contract in docs/api.md).
// Nothing is lost on a network drop: every message carries a client id and stays "sending" until the server echoes
// it with its sequence number; on reconnect the page asks for everything after the last number it has (resume) and
// sends again what was not acknowledged (the server stores a resend once). Numbers it already has are ignored.
(function () {
  "use strict";
  var app = document.getElementById("chat-app");
  if (!app) return;
  var S = JSON.parse(document.getElementById("chat-strings").textContent);
  var KEY = "support.chat";
  var $ = function (id) { return document.getElementById(id); };
  var state = { id: null, token: null, lastSeq: 0, seen: {}, closed: false, socket: null, retry: 0, pending: [],
                typingAt: 0 };

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return values[key] != null ? values[key] : all; });
  }
  function save() {
    sessionStorage.setItem(KEY, JSON.stringify({ id: state.id, token: state.token, lastSeq: state.lastSeq,
                                                closed: state.closed }));
  }
  function forget() { sessionStorage.removeItem(KEY); }
  function csrf() {
    var input = document.querySelector("#prechat input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function status(text) { $("chat-status").textContent = text; }

  // --- messages ------------------------------------------------------------------------------------------------
  function label(sender) {
    return { customer: S.you, agent: S.agent, bot: S.bot }[sender] || "";
  }
  function render(frame, pending) {
    var item = document.createElement("li");
    var side = frame.sender === "system" ? "chat-system" : frame.sender === "customer" ? "chat-mine" : "chat-theirs";
    item.className = "chat-msg " + side + (pending ? " chat-pending" : "");
    item.dataset.testid = "chat-message";
    if (frame.client_msg_id) item.dataset.clientId = frame.client_msg_id;
    if (frame.sender === "system") {
      item.textContent = S[frame.body] || frame.body;  // system messages are codes, shown in the reader's language
      if (frame.body === "secret_hidden") item.className += " chat-warning";
    } else {
      var who = document.createElement("span");
      who.className = "chat-who";
      who.textContent = label(frame.sender);
      var body = document.createElement("span");
      body.className = "chat-body";
      body.textContent = frame.body;  // text, never HTML
      item.appendChild(who);
      item.appendChild(body);
      if (frame.sender === "agent") item.dataset.original = frame.body;
      if (frame.sender === "agent" && frame.meta && frame.meta.translation) translate(item, frame.body, frame.meta.translation);
      if (frame.meta && frame.meta.incident) item.className += " chat-incident";  // a known problem's notice
      (frame.attachments || []).forEach(function (file) { item.appendChild(attachmentNode(file, frame.sender)); });
      if (frame.meta && frame.meta.articles) {
        frame.meta.articles.forEach(function (article) {
          var link = document.createElement("a");
          link.href = article.url;
          link.target = "_blank";
          link.rel = "noopener";
          link.className = "chat-article";
          link.textContent = article.title;
          item.appendChild(link);
        });
      }
      if (frame.meta && frame.meta.ask_helpful) {
        var answer = document.createElement("span");
        answer.className = "chat-feedback";
        if (frame.meta.question) {
          var question = document.createElement("span");
          question.textContent = frame.meta.question;
          answer.appendChild(question);
        }
        [["yes", true], ["no", false]].forEach(function (choice) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button-secondary button-small";
          button.textContent = S[choice[0]];
          button.addEventListener("click", function () {
            if (send({ type: "bot_feedback", helpful: choice[1] })) answer.remove();
          });
          answer.appendChild(button);
        });
        item.appendChild(answer);
      }
      if (pending) {
        var note = document.createElement("span");
        note.className = "chat-state muted small";
        note.textContent = S.sending;
        item.appendChild(note);
      }
    }
    return item;
  }
  // An agent's message machine-translated into the customer's language (issue #25): the translation is shown, marked
  // as one, with the original a click away; one the provider could not translate is shown as written, marked so.
  function translate(item, original, translation) {
    var body = item.querySelector(".chat-body");
    var old = item.querySelector(".chat-translated");
    if (old) old.remove();
    var mark = document.createElement("span");
    mark.className = "chat-translated small";
    mark.dataset.testid = "translated-mark";
    if (translation.state !== "ok" || !translation.text) {
      body.textContent = original;
      mark.textContent = S.untranslated_mark;
      item.appendChild(mark);
      return;
    }
    body.textContent = translation.text;
    body.lang = translation.language;
    mark.textContent = S.translated_mark + " · ";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "link-button";
    toggle.textContent = S.show_original;
    toggle.setAttribute("aria-pressed", "false");
    toggle.addEventListener("click", function () {
      var showing = toggle.getAttribute("aria-pressed") === "true";
      body.textContent = showing ? translation.text : original;
      body.lang = showing ? translation.language : (translation.source || "");
      toggle.textContent = showing ? S.show_original : S.show_translation;
      toggle.setAttribute("aria-pressed", showing ? "false" : "true");
    });
    mark.appendChild(toggle);
    item.appendChild(mark);
  }
  // The offer of an agent of another language now, or to keep waiting (issue #25): asked once, answered once.
  function overflowOffer(offer) {
    var box = $("chat-overflow");
    if (!offer) { box.hidden = true; return; }
    var language = S.language_names[offer.to_language] || offer.to_language;
    $("overflow-accept").textContent = fmt(offer.translated ? S.overflow_now_translated : S.overflow_now, { language: language });
    $("overflow-decline").textContent = offer.wait_minutes ? fmt(S.overflow_wait, { minutes: offer.wait_minutes })
                                                           : S.overflow_wait_unknown;
    var answered = offer.choice === "accepted" || offer.choice === "declined";
    $("overflow-question").textContent = answered ? (offer.choice === "accepted" ? S.overflow_accepted : S.overflow_declined)
                                                  : S.overflow_question;
    $("overflow-buttons").hidden = answered;
    box.hidden = false;
  }
  function place(item, seq) {
    // Messages are shown in sequence order, whatever order they arrive in; unsent ones stay at the end.
    var log = $("chat-log");
    var next = null;
    if (seq) {
      item.dataset.seq = seq;
      for (var i = 0; i < log.children.length; i++) {
        var other = log.children[i];
        if (other !== item && (!other.dataset.seq || +other.dataset.seq > seq)) { next = other; break; }
      }
    }
    var stick = atEnd(log) || item.classList.contains("chat-mine");  // someone reading older lines stays there
    log.insertBefore(item, next);
    if (!phone.matches) item.scrollIntoView({ block: "end" });
    else if (stick) log.scrollTop = log.scrollHeight;  // the phone screen: the log scrolls, never the page
  }
  function attachmentNode(file, sender) {
    // Visitors prove they belong to the chat with their token; the server checks it for every file. A picture is
    // read for secrets before anyone but its sender sees it; its URL names the scan's state, so the blurred copy
    // that may replace it is fetched anew (an "attachment" frame redraws it).
    var url = file.url + "?v=" + encodeURIComponent(file.scan_state || "") +
      (state.token ? "&token=" + encodeURIComponent(state.token) : "");
    if (file.scan_state === "pending" && sender !== "customer") {
      var waiting = document.createElement("span");
      waiting.className = "chat-file muted small";
      waiting.dataset.attachment = file.id;
      waiting.dataset.sender = sender;
      waiting.textContent = file.filename + " — " +
        (/^image\//.test(file.content_type) ? S.scan_pending : S.scan_pending_file);
      return waiting;
    }
    if (file.scan_state === "withheld") {  // a secret in a PDF or ZIP: served to nobody
      var withheld = document.createElement("span");
      withheld.className = "chat-file muted small";
      withheld.dataset.attachment = file.id;
      withheld.dataset.sender = sender;
      withheld.textContent = file.filename + " — " + S.withheld;
      return withheld;
    }
    var link = document.createElement("a");
    link.dataset.attachment = file.id;
    link.dataset.sender = sender;
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "chat-file";
    if (/^image\//.test(file.content_type)) {
      var image = document.createElement("img");
      image.src = url;
      image.alt = file.filename;
      link.appendChild(image);
    } else {
      link.textContent = file.filename;
    }
    return link;
  }
  function onMessage(frame) {
    if (state.seen[frame.seq]) return;  // already shown (a replay after reconnecting)
    state.seen[frame.seq] = true;
    while (state.seen[state.lastSeq + 1]) state.lastSeq += 1;  // the last number with nothing missing before it
    save();
    if (frame.seq > state.lastSeq) {
      // Something earlier has not arrived (messages can overtake each other between servers): ask for it.
      clearTimeout(state.gapTimer);
      state.gapTimer = setTimeout(function () { send({ type: "resume", after_seq: state.lastSeq }); }, 400);
    }
    state.pending = state.pending.filter(function (p) { return p.client_msg_id !== frame.client_msg_id; });
    var waiting = frame.client_msg_id && document.querySelector('.chat-pending[data-client-id="' +
                                                                 CSS.escape(frame.client_msg_id) + '"]');
    if (waiting) {
      waiting.classList.remove("chat-pending");
      var note = waiting.querySelector(".chat-state");
      if (note) note.remove();
      // Show what was stored, not what was typed: a secret in it was hidden by the server.
      var typed = waiting.querySelector(".chat-body");
      if (typed) typed.textContent = frame.body;
      place(waiting, frame.seq);
      return;
    }
    place(render(frame, false), frame.seq);
  }

  // --- the socket ----------------------------------------------------------------------------------------------
  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    // The page's language: error details and labels in frames come in it (docs/api.md).
    var url = scheme + location.host + "/ws/chat/" + state.id + "/?lang=" +
              encodeURIComponent(document.documentElement.lang) +
              (state.token ? "&token=" + encodeURIComponent(state.token) : "");
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = function () {
      if (state.retry > 0) status(S.connected);
      state.retry = 0;
      send({ type: "resume", after_seq: state.lastSeq });
      state.pending.forEach(function (p) { send(p); });
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      var handler = handlers[frame.type];
      if (handler) handler(frame);
    };
    socket.onclose = function (event) {
      if (event.code === 4404) {  // not ours any more (expired token): start again
        forget();
        location.reload();
        return;
      }
      if (state.closed) return;
      status(S.reconnecting);
      state.retry += 1;
      setTimeout(connect, Math.min(10000, 500 * Math.pow(2, state.retry)));
    };
  }
  function finish() {
    state.closed = true;
    save();
    $("chat-form").hidden = true;
    $("chat-offer").hidden = true;
    document.querySelector(".chat-actions").hidden = true;
    $("csat-form").hidden = false;
    if (state.socket) state.socket.close();
  }
  var handlers = {
    message: onMessage,
    queue: function (frame) {
      $("chat-agent-code").hidden = true;  // waiting again: no agent yet
      $("messenger-agent").hidden = true;
      var text = fmt(S.position, { position: frame.position }) + " ";
      if (frame.eta_seconds == null) {
        if (state.declined) text += S.no_agents;  // otherwise the offer below says it
      } else if (frame.high <= 90) {
        text += S.eta_soon;
      } else {
        text += fmt(S.eta, { low: Math.max(1, Math.round(frame.low / 60)), high: Math.max(1, Math.round(frame.high / 60)) });
        if (frame.guess) text += " " + S.guess;
      }
      status(text);
      if (frame.offer) overflowOffer(frame.offer);
      if (frame.offer_message && !state.declined) {
        $("chat-offer-text").textContent = frame.eta_seconds == null ? S.no_agents : text;
        $("chat-offer").hidden = false;
      }
    },
    overflow_offer: function (frame) { overflowOffer(frame.offer); },
    overflow_chosen: function (frame) { overflowOffer(frame.offer); },
    translated: function (frame) {
      var item = document.querySelector('#chat-log [data-seq="' + frame.seq + '"]');
      if (item && item.classList.contains("chat-theirs") && item.dataset.original != null) {
        translate(item, item.dataset.original, frame.translation);
      }
    },
    assigned: function (frame) {
      status(fmt(S.assigned, { agent: frame.agent }));
      $("chat-offer").hidden = true;
      $("chat-overflow").hidden = true;
      $("messenger-agent").textContent = frame.agent;  // the phone screen's bar names who you talk to
      $("messenger-agent").hidden = false;
      var line = $("chat-agent-code");
      if (frame.agent_code) {  // the agent's public code: the customer can check they talk to real staff
        line.querySelector("span").textContent = fmt(S.agent_code, { agent: frame.agent, code: frame.agent_code });
        var check = line.querySelector("a");
        check.href = check.dataset.verify + "?kind=agent_code&value=" + encodeURIComponent(frame.agent_code);
        line.hidden = false;
      } else {
        line.hidden = true;
      }
    },
    typing: function () {
      var line = $("chat-typing");
      line.textContent = fmt(S.typing, { who: S.agent });
      line.hidden = false;
      clearTimeout(state.typingTimer);
      state.typingTimer = setTimeout(function () { line.hidden = true; }, 3000);
    },
    bot: function () { status(S.with_bot); $("chat-offer").hidden = true; },
    closed: function () { finish(); },
    left_message: function (frame) {
      status(fmt(S.left_message, { ticket: frame.ticket }));
      finish();
    },
    attachment: function (frame) {  // a picture's scan for secrets finished: shown again, blurred if need be
      var node = document.querySelector('#chat-log [data-attachment="' + CSS.escape(frame.attachment.id) + '"]');
      if (node) node.replaceWith(attachmentNode(frame.attachment, node.dataset.sender));
    },
    rated: function () {
      $("csat-form").hidden = true;
      status(S.rated);
      forget();
    },
    error: function (frame) { status(fmt(S.error, { detail: frame.detail })); },
  };

  // --- the phone screen (static/livechat/css/messenger.css) -------------------------------------------------------
  // An open chat fills a small screen. Where the on-screen keyboard shrinks only the visual viewport (Safari; any
  // browser without interactive-widget), the page is sized to what is visible, so the composer stays above it.
  var phone = window.matchMedia("(max-width: 640px), (max-height: 480px)");
  function atEnd(log) { return log.scrollHeight - log.scrollTop - log.clientHeight < 48; }
  function fitViewport() {
    var viewport = window.visualViewport, root = document.documentElement, log = $("chat-log");
    if (!viewport || !document.body.classList.contains("messenger")) return;
    var stick = atEnd(log);
    root.style.setProperty("--vv-height", viewport.height + "px");
    root.style.setProperty("--vv-top", viewport.offsetTop + "px");
    document.body.classList.add("vv-fit");
    if (stick) log.scrollTop = log.scrollHeight;  // the keyboard opened: the last lines stay in view
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitViewport);
    window.visualViewport.addEventListener("scroll", fitViewport);
  }
  if (window.ResizeObserver) {  // the log shrinks (the rating form, the offer, the keyboard): the end stays in view
    var logHeight = 0;
    new ResizeObserver(function () {
      var log = $("chat-log"), before = logHeight;
      logHeight = log.clientHeight;
      if (phone.matches && log.scrollHeight - log.scrollTop - before < 48) log.scrollTop = log.scrollHeight;
    }).observe($("chat-log"));
  }
  function grow() {  // the composer grows with its text to about five lines (max-height), then scrolls
    var input = $("chat-input");
    input.style.height = "";
    if (phone.matches) input.style.height = (input.scrollHeight + 2) + "px";  // + its borders
  }
  var closeButton = $("chat-close");  // in the widget's frame: hand the panel back to the page (widget.js)
  if (closeButton && window.parent !== window) {
    closeButton.hidden = false;
    closeButton.addEventListener("click", function () { window.parent.postMessage({ type: "support-chat:close" }, "*"); });
  }

  // --- the page ------------------------------------------------------------------------------------------------
  function open() {
    $("prechat").hidden = true;
    $("chat-panel").hidden = false;
    document.body.classList.add("messenger");  // full screen on a phone (messenger.css); the form was a page
    fitViewport();
    if (state.closed) { finish(); return; }
    connect();
    // Into the composer, unless the person is already somewhere in the chat (open() runs again on reconnects).
    if (!$("chat-panel").contains(document.activeElement)) $("chat-input").focus();
  }
  function showFieldErrors(form, fields, detail, summary) {
    // Each message beside its field (and read out with it: aria-describedby), the summary above the button says
    // there are some; a problem with no field of the form (a signed identity) goes in the summary itself.
    form.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    });
    var unplaced = [], first = null;
    Object.keys(fields).forEach(function (name) {
      var input = form.elements[name];
      var single = input && input.tagName ? input : null;
      var box = single ? single.closest("div") : input && input.length ? input[0].closest("fieldset") : null;
      if (!box) { unplaced.push(fields[name].join(" ")); return; }
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = "prechat-" + name + "-error";
      note.textContent = fields[name].join(" ");
      box.appendChild(note);
      if (single) {
        single.setAttribute("aria-invalid", "true");
        single.setAttribute("aria-describedby", note.id);
        first = first || single;
      }
    });
    var placed = Object.keys(fields).length > unplaced.length;
    summary.textContent = [placed ? S.fix_fields : "", unplaced.join(" ") || (placed ? "" : detail)].join(" ").trim();
    summary.hidden = !summary.textContent;
    if (first) first.focus();
  }
  $("prechat").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var payload = { language: form.language.value, topic: form.topic.value.trim(),
                    also_speaks: Array.prototype.filter.call(form.querySelectorAll("input[name=also_speaks]:checked"),
                      function (box) { return box.value !== form.language.value; }).map(function (box) { return box.value; }) };
    if (form.name) { payload.name = form.name.value.trim(); payload.email = form.email.value.trim(); }
    var identity = document.getElementById("chat-identity");  // signed by the exchange's site (widget.js)
    if (identity) payload.identity = JSON.parse(identity.textContent);
    var error = $("prechat-error");
    error.hidden = true;
    fetch(window.inPageLanguage(app.dataset.api), {
      method: "POST", credentials: "same-origin", body: JSON.stringify(payload),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) {
        showFieldErrors(form, (result.body.error && result.body.error.fields) || {},
                        (result.body.error && result.body.error.detail) || "", error);
        return;
      }
      showFieldErrors(form, {}, "", error);  // started: nothing is wrong any more
      state.id = result.body.id;
      state.token = result.body.token || null;
      save();
      open();
      if (result.body.status === "bot") handlers.bot({});
      else handlers.queue(Object.assign({ type: "queue" }, result.body.estimate, { position: result.body.position,
        offer_message: result.body.estimate.eta_seconds == null }));
    }).catch(function () { error.textContent = S.reconnecting; error.hidden = false; });
  });
  $("chat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("chat-input");
    var body = input.value.trim();
    if (!body) return;
    var frame = { type: "message", body: body, client_msg_id: newId() };
    state.pending.push(frame);
    place(render({ sender: "customer", body: body, client_msg_id: frame.client_msg_id }, true), null);
    send(frame);  // if the socket is down, the pending message goes out when it is back
    input.value = "";
    grow();
    input.focus();
  });
  $("chat-file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) return;
    var data = new FormData();
    data.append("file", file);
    data.append("client_msg_id", newId());
    status(S.sending);
    fetch(window.inPageLanguage(app.dataset.api + state.id + "/attachments/"), {
      method: "POST", credentials: "same-origin", body: data,
      headers: { Accept: "application/json", "X-CSRFToken": csrf(), "X-Chat-Token": state.token || "" },
    }).then(function (response) {
      event.target.value = "";
      if (response.ok) { status(""); return; }  // the message arrives over the socket like any other
      response.json().then(function (body) { handlers.error({ detail: body.error.detail }); });
    }).catch(function () { status(S.reconnecting); });
  });
  $("chat-input").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {  // IME composition (CJK) must not send
      event.preventDefault();
      $("chat-form").requestSubmit();
    }
  });
  $("chat-input").addEventListener("input", function () {
    grow();
    var now = Date.now();
    if (now - state.typingAt > 2000) { state.typingAt = now; send({ type: "typing" }); }
  });
  $("chat-end").addEventListener("click", function () { send({ type: "close" }); });
  [["overflow-accept", true], ["overflow-decline", false]].forEach(function (choice) {
    $(choice[0]).addEventListener("click", function () {
      $("overflow-buttons").hidden = true;
      if (send({ type: "overflow_choice", accept: choice[1] })) return;
      // No socket right now: the same answer over HTTP (recorded once either way).
      fetch(window.inPageLanguage(app.dataset.api + state.id + "/overflow/"), {
        method: "POST", credentials: "same-origin", body: JSON.stringify({ accept: choice[1] }),
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf(),
                   "X-Chat-Token": state.token || "" },
      }).then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) overflowOffer(body);
          else { $("overflow-buttons").hidden = false; handlers.error({ detail: body.error.detail }); }
        });
      }).catch(function () { $("overflow-buttons").hidden = false; status(S.reconnecting); });
    });
  });
  $("chat-leave").addEventListener("click", function () {
    $("chat-offer-text").textContent = "";
    $("chat-offer").hidden = false;
    $("leave-body").focus();
  });
  $("keep-waiting").addEventListener("click", function () { state.declined = true; $("chat-offer").hidden = true; });
  $("leave-form").addEventListener("submit", function (event) {
    event.preventDefault();
    send({ type: "leave_message", body: $("leave-body").value });
  });
  $("csat-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = event.target.querySelector("input[name=score]:checked");
    if (!chosen) return;
    // The socket is closed once the chat ends: rate through the API (same service).
    fetch(window.inPageLanguage(app.dataset.api + state.id + "/rating/"), {
      method: "POST", credentials: "same-origin",
      body: JSON.stringify({ score: parseInt(chosen.value, 10), comment: $("csat-comment").value }),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf(),
                 "X-Chat-Token": state.token || "" },
    }).then(function (response) {
      if (response.ok) handlers.rated({});
      else response.json().then(function (body) { handlers.error({ detail: body.error.detail }); });
    });
  });
  $("chat-transcript").addEventListener("click", function (event) {
    var button = event.target;
    button.disabled = true;
    fetch(window.inPageLanguage(app.dataset.api + state.id + "/transcript/"), {
      method: "POST", credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf(), "X-Chat-Token": state.token || "" },
    }).then(function (response) {
      if (response.ok) { status(S.transcript_sent); return; }
      button.disabled = false;
      response.json().then(function (body) { handlers.error({ detail: body.error.detail }); });
    });
  });
  $("chat-new").addEventListener("click", function () { forget(); });

  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
  if (saved && saved.id) {
    state.id = saved.id; state.token = saved.token; state.closed = !!saved.closed;
    // lastSeq restarts at 0 after a reload: the page is empty, so everything is replayed once.
    open();
  }
})();
