// Suggestions for the customer's latest message (GET /api/v1/agent/chats/<id>/assist/ and
// /api/v1/agent/tickets/<ref>/assist/, docs/api.md): help articles and macros in the agent's language, each with what
// would be sent in the customer's language (folded) and a "Send in <language>" button; where that language's text
// is missing, the button is off and the box says so. In the chat console each chat gets a box (from
// #assist-template, on "console:chat-open"), read again when a customer message arrives ("console:customer-message");
// sending hands the text to the console ("console:send"), which sends it as the agent's message. On the ticket
// page, sending posts a public reply through the tickets API (with the page's "seen", as the reply form does), then
// the page reloads with the agent's unsent draft kept.
(function () {
  "use strict";
  var data = document.getElementById("assist-strings");
  if (!data || !window.fetch) return;
  var S = JSON.parse(data.textContent);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function inLanguage(node, language) {  // text in another language than the page's: read (and checked) as such
    node.lang = language;
    if (language !== document.documentElement.lang) node.setAttribute("translate", "no");
    return node;
  }
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function status(box, text) { box.querySelector(".js-assist-status").textContent = text; }

  function item(box, kind, suggestion, language) {
    var li = el("li", "assist-item");
    li.dataset.testid = "assist-" + kind;
    var customer = suggestion.customer;
    var title = suggestion.title || suggestion.name;
    var name;
    if (kind === "article") {
      name = el("a", "assist-name", title);
      name.href = suggestion.url;
      name.target = "_blank";
      name.rel = "noopener";
    } else {
      name = el("span", "assist-name", title);
    }
    li.appendChild(inLanguage(name, suggestion.language));
    var text = kind === "article" ? suggestion.summary : suggestion.body;
    if (text) li.appendChild(inLanguage(el("p", "small assist-text", text), suggestion.language));
    if (suggestion.fallback) li.appendChild(el("p", "muted small", S.fallback));
    if (customer.available) {
      var fold = el("details", "assist-preview");
      fold.appendChild(el("summary", "", S.version[language] || language));
      fold.appendChild(inLanguage(el("p", "small", customer.text), language));
      li.appendChild(fold);
    }
    var actions = el("div", "assist-actions");
    var button = el("button", "button-small js-assist-send", S.send[language] || language);
    button.type = "button";
    button.setAttribute("aria-label", (S.send[language] || language) + ": " + title);
    if (customer.available) {
      button.addEventListener("click", function () {
        send(box, button, customer.text, language, { kind: kind, id: suggestion.id });
      });
    } else {
      button.disabled = true;
      var missing = el("span", "small assist-missing", S.missing[language] || language);
      missing.dataset.testid = "assist-missing";
      missing.id = "assist-missing-" + kind + "-" + suggestion.id + "-" + Math.random().toString(36).slice(2);
      button.setAttribute("aria-describedby", missing.id);
      actions.appendChild(missing);
    }
    actions.insertBefore(button, actions.firstChild);
    li.appendChild(actions);
    return li;
  }

  function render(box, found) {
    var body = box.querySelector(".js-assist-body");
    body.textContent = "";
    if (!found.text) { body.appendChild(el("p", "muted small", S.waiting)); return; }
    var said = el("p", "small assist-for", S["for"] + " ");
    said.appendChild(inLanguage(el("span", "assist-quote", "“" + found.text.slice(0, 160) + (found.text.length > 160 ? "…" : "") + "”"),
                                found.customer_language));
    body.appendChild(said);
    var level = Math.min(6, parseInt(box.querySelector(".assist-title").tagName.slice(1), 10) + 1);
    [["article", S.articles, found.articles], ["macro", S.macros, found.macros]].forEach(function (group) {
      if (!group[2].length) return;
      body.appendChild(el("h" + level, "assist-kind", group[1]));
      var list = el("ul", "assist-list");
      group[2].forEach(function (suggestion) { list.appendChild(item(box, group[0], suggestion, found.customer_language)); });
      body.appendChild(list);
    });
    if (!found.articles.length && !found.macros.length) body.appendChild(el("p", "muted small", S.empty));
  }

  function load(box) {
    if (!box.dataset.assistUrl) return;
    fetch(window.inPageLanguage(box.dataset.assistUrl), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (found) { render(box, found); })
      .catch(function () {
        var body = box.querySelector(".js-assist-body");
        body.textContent = "";
        body.appendChild(el("p", "muted small", S.failed));
      });
  }

  function send(box, button, text, language, assist) {
    button.disabled = true;
    status(box, S.sending);
    if (box.dataset.conversation) {  // the console sends it over its socket, as the agent's message
      document.dispatchEvent(new CustomEvent("console:send", { detail: {
        conversation: box.dataset.conversation, body: text, language: language, assist: assist } }));
      status(box, S.sent);
      setTimeout(function () { button.disabled = false; }, 1500);  // once is what a click means; again after a pause
      return;
    }
    var seen = document.getElementById("collision-seen");
    var reply = { body: text };
    if (seen && seen.value !== "") reply.seen = parseInt(seen.value, 10);
    fetch(window.inPageLanguage(box.dataset.sendUrl), {
      method: "POST", credentials: "same-origin", body: JSON.stringify(reply),
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (response.ok) {
        status(box, S.sent);
        var draft = document.getElementById("id_body");
        if (draft && draft.value.trim()) sessionStorage.setItem(draftKey(box), draft.value);
        window.location.reload();
        return;
      }
      return response.json().then(function (answer) { throw { detail: answer.error && answer.error.detail }; });
    }).catch(function (error) {
      button.disabled = false;
      status(box, S.send_failed.replace("{detail}", (error && error.detail) || S.failed));
    });
  }
  function draftKey(box) { return "assist-draft:" + box.dataset.sendUrl; }

  function start(box) {
    box.querySelector(".js-assist-refresh").addEventListener("click", function () { status(box, ""); load(box); });
    load(box);
  }

  // The ticket page: one box, and the draft the agent had typed before a suggestion was sent.
  document.querySelectorAll(".assist-box[data-assist-url]").forEach(function (box) {
    if (box.closest("template") || !box.dataset.assistUrl) return;
    var kept = box.dataset.sendUrl && sessionStorage.getItem(draftKey(box));
    var draft = document.getElementById("id_body");
    if (kept) {
      sessionStorage.removeItem(draftKey(box));
      if (draft && !draft.value.trim()) draft.value = kept;
    }
    start(box);
  });

  // The chat console: a box per chat, read again (once things settle) when the customer writes.
  var boxes = {}, timers = {};
  document.addEventListener("console:chat-open", function (event) {
    var template = document.getElementById("assist-template");
    var extras = event.detail.node.querySelector(".js-extras");
    if (!template || !extras || boxes[event.detail.conversation]) return;
    var box = template.content.firstElementChild.cloneNode(true);
    box.dataset.conversation = event.detail.conversation;
    box.dataset.assistUrl = template.dataset.base.replace(template.dataset.anyChat, event.detail.conversation);
    boxes[event.detail.conversation] = box;
    extras.appendChild(box);
    start(box);
  });
  document.addEventListener("console:customer-message", function (event) {
    var id = event.detail.conversation, box = boxes[id];
    if (!box) return;
    clearTimeout(timers[id]);
    timers[id] = setTimeout(function () { load(box); }, 400);
  });
  document.addEventListener("console:chat-closed", function (event) {
    clearTimeout(timers[event.detail.conversation]);
    delete boxes[event.detail.conversation];
  });
})();
