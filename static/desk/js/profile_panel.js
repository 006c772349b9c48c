// The customer's exchange account beside a chat or a ticket (issue #24): UID, KYC level, VIP tier, risk flags and
// recent deposits and withdrawals, from GET /api/v1/agent/{chats|customers}/<id>/profile/ (docs/api.md). Pages never
// wait for it: the panel shows "loading", then the profile or why there is none ("unavailable" when the exchange
// is slow or down, with a retry). In the console it fills each chat's .js-extras box when console.js announces the
// chat ("console:chat-open"); on other pages it fills every [data-profile-url] box. Texts come from the page
// (#profile-panel-data); labels of codes come translated from the API. Everything is written with textContent.
(function () {
  "use strict";
  var blob = document.getElementById("profile-panel-data");
  if (!blob) return;
  var DATA = JSON.parse(blob.textContent);
  var S = DATA.strings;
  var CLIENT_TIMEOUT_MS = 10000;  // the server answers within its own deadline; this only guards a lost request
  var inFlight = {};  // conversation id -> AbortController
  var timeFormat = null;
  try {
    timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
                                         { dateStyle: "short", timeStyle: "short" });
  } catch (error) { timeFormat = null; }

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return values[key] != null ? values[key] : all; });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function withLang(url) { return window.inPageLanguage ? window.inPageLanguage(url) : url; }

  // --- states ---------------------------------------------------------------------------------------------------
  function frame(box, state) {
    box.textContent = "";
    box.hidden = false;
    var panel = el("section", "profile-panel profile-" + state);
    panel.setAttribute("data-testid", "profile-panel");
    panel.setAttribute("data-state", state);
    panel.setAttribute("aria-live", "polite");
    var level = box.hasAttribute("data-profile-url") ? 2 : 3;  // a page's own section, or a part of a chat's box
    panel.setAttribute("data-level", level);
    panel.appendChild(el("h" + level, "profile-title", S.title));
    box.appendChild(panel);
    return panel;
  }
  function renderMessage(box, state, text, retry) {
    var panel = frame(box, state);
    var line = el("p", "profile-message muted small", text);
    if (retry) {
      var again = el("button", "button-secondary button-small profile-retry", S.retry);
      again.type = "button";
      again.addEventListener("click", retry);
      line.appendChild(document.createTextNode(" "));
      line.appendChild(again);
    }
    panel.appendChild(line);
  }
  function codeLabel(item, className) {
    var node = el("span", className, item.label);
    if (!item.known) {  // a code we have no label for: shown as it came, and said to be unknown
      node.classList.add("profile-unknown");
      node.appendChild(el("span", "muted", " (" + S.unknown + ")"));
    }
    return node;
  }
  function shortHash(hash) { return hash.length > 14 ? hash.slice(0, 8) + "…" + hash.slice(-6) : hash; }
  function copy(text, button) {
    function done() {
      button.textContent = S.copied;
      setTimeout(function () { button.textContent = S.copy; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
      return;
    }
    var area = el("textarea", "profile-copy-area");  // older browsers and plain-HTTP pages
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { if (document.execCommand("copy")) done(); } catch (error) { /* nothing copied, nothing claimed */ }
    area.remove();
  }

  function renderProfile(box, answer) {
    var profile = answer.profile;
    var panel = frame(box, "ok");
    var head = el("div", "profile-head");
    var vip = el("span", "profile-vip" + (profile.vip.tier > 0 ? " profile-vip-on" : ""), profile.vip.label);
    vip.setAttribute("data-testid", "profile-vip");
    head.appendChild(vip);
    var kyc = el("span", "profile-kyc", fmt(S.kyc, { level: profile.kyc.level }));
    kyc.setAttribute("data-testid", "profile-kyc");
    kyc.appendChild(document.createTextNode(" · "));
    kyc.appendChild(codeLabel(profile.kyc, ""));
    head.appendChild(kyc);
    panel.appendChild(head);
    var uid = el("p", "muted small profile-uid", fmt(S.uid, { uid: profile.uid }));
    if (answer.matched_by === "email") uid.textContent += " · " + S.by_email;
    panel.appendChild(uid);
    if (profile.vip.queue_boost_minutes > 0) {
      panel.appendChild(el("p", "small profile-boost", fmt(S.boost, { minutes: profile.vip.queue_boost_minutes })));
    }

    if (profile.risk_flags.length) {
      var flags = el("ul", "profile-flags");
      flags.setAttribute("aria-label", S.risk);
      flags.setAttribute("data-testid", "profile-flags");
      profile.risk_flags.forEach(function (flag) {
        var item = el("li", "profile-flag");
        item.appendChild(codeLabel(flag, ""));
        flags.appendChild(item);
      });
      panel.appendChild(flags);
    } else {
      panel.appendChild(el("p", "small muted profile-no-flags", S.no_risk));
    }

    panel.appendChild(el("h" + (Number(panel.getAttribute("data-level")) + 1), "profile-subtitle", S.transfers));
    if (!profile.transfers.length) {
      panel.appendChild(el("p", "small muted", S.no_transfers));
      return;
    }
    var wrap = el("div", "table-wrap profile-table-wrap");
    var table = el("table", "table profile-transfers");
    table.setAttribute("data-testid", "profile-transfers");
    var headRow = el("tr");
    [S.col_type, S.col_amount, S.col_network, S.col_tx, S.col_status, S.col_time].forEach(function (title) {
      headRow.appendChild(el("th", null, title));
    });
    table.appendChild(el("thead")).appendChild(headRow);
    var body = table.appendChild(el("tbody"));
    profile.transfers.forEach(function (transfer) {
      var row = el("tr", "profile-" + transfer.direction.code);
      row.appendChild(el("td")).appendChild(codeLabel(transfer.direction, ""));
      row.appendChild(el("td", "profile-amount", transfer.amount + " " + transfer.asset));
      row.appendChild(el("td")).appendChild(codeLabel(transfer.network, ""));
      var tx = row.appendChild(el("td", "profile-tx"));
      if (transfer.tx_hash) {
        var hash = transfer.explorer_url ? el("a", "profile-hash", shortHash(transfer.tx_hash))
                                         : el("code", "profile-hash", shortHash(transfer.tx_hash));
        hash.title = transfer.tx_hash;
        if (transfer.explorer_url) {
          hash.href = transfer.explorer_url;
          hash.target = "_blank";
          hash.rel = "noopener noreferrer";
          // Where the link goes, for screen readers, after what is shown (its name contains its text, WCAG 2.5.3).
          hash.appendChild(el("span", "visually-hidden", " (" + S.explorer + ")"));
        }
        tx.appendChild(hash);
        var button = el("button", "button-secondary button-small profile-copy", S.copy);
        button.type = "button";
        button.setAttribute("aria-label", S.copy_hash);
        button.addEventListener("click", function () { copy(transfer.tx_hash, button); });
        tx.appendChild(document.createTextNode(" "));
        tx.appendChild(button);
      } else {
        tx.appendChild(el("span", "muted", S.no_hash));
      }
      row.appendChild(el("td")).appendChild(codeLabel(transfer.status, "profile-status profile-status-" +
                                                      transfer.status.code));
      var when = new Date(transfer.time);
      var time = el("time", "muted", timeFormat ? timeFormat.format(when) : transfer.time);
      time.setAttribute("datetime", transfer.time);
      row.appendChild(el("td")).appendChild(time);
      body.appendChild(row);
    });
    wrap.appendChild(table);
    panel.appendChild(wrap);
  }

  // --- loading ----------------------------------------------------------------------------------------------------
  function load(box, url, key) {
    if (key && inFlight[key]) inFlight[key].abort();
    var controller = new AbortController();
    if (key) inFlight[key] = controller;
    var retry = function () { load(box, url, key); };
    renderMessage(box, "loading", S.loading);
    var timer = setTimeout(function () { controller.abort(); }, CLIENT_TIMEOUT_MS);
    fetch(withLang(url), { credentials: "same-origin", headers: { Accept: "application/json" },
                           signal: controller.signal })
      .then(function (response) { return response.ok ? response.json() : { state: "unavailable" }; })
      .catch(function () { return { state: "unavailable" }; })  // offline, or aborted by the timer
      .then(function (answer) {
        clearTimeout(timer);
        if (key && inFlight[key] !== controller) return;  // the chat went away, or a newer load took the box
        if (key) delete inFlight[key];
        if (!box.isConnected) return;
        if (answer.state === "ok" && answer.profile) renderProfile(box, answer);
        else if (answer.state === "not_configured") { box.textContent = ""; box.hidden = true; }
        else if (answer.state === "not_linked") renderMessage(box, "not_linked", S.not_linked);
        else if (answer.state === "not_found") renderMessage(box, "not_found", S.not_found);
        else renderMessage(box, "unavailable", S.unavailable, retry);
      });
  }

  document.addEventListener("console:chat-open", function (event) {
    var detail = event.detail || {};
    var box = detail.node && detail.node.querySelector(".js-extras");
    if (!box || !detail.conversation) return;
    var holder = box.querySelector(".js-profile-box");
    if (!holder) {  // the extras box is shared with other scripts: the panel keeps to its own part of it
      holder = el("div", "js-profile-box");
      box.appendChild(holder);
    }
    load(holder, DATA.chat_url.replace(DATA.any_chat, detail.conversation), detail.conversation);
  });
  document.addEventListener("console:chat-closed", function (event) {
    var id = event.detail && event.detail.conversation;
    var controller = id && inFlight[id];
    if (controller) { delete inFlight[id]; controller.abort(); }
  });
  document.querySelectorAll("[data-profile-url]").forEach(function (box) { load(box, box.dataset.profileUrl, null); });
})();
