// The inbox's views (templates/tickets/_inbox_views.html): their counts are read again from GET /api/v1/ticket-views/
// every few seconds while the tab is shown, and changed in place; a change is read out once, politely, in the page's
// language (the words come from the server: #inbox-views-config).
(function () {
  "use strict";
  var blob = document.getElementById("inbox-views-config");
  var status = document.getElementById("view-counts-status");
  if (!blob || !status || !window.fetch) return;
  var config = JSON.parse(blob.textContent);
  if (!(config.every > 0)) return;  // 0: counts are read with the page only
  var timer = null;
  var busy = false;

  function counter(key) {
    var items = document.querySelectorAll("[data-view-key]");
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute("data-view-key") === key) return items[i].querySelector("[data-count]");
    }
    return null;
  }

  function announce(view) {
    return config.changed.replace("%(name)s", view.name).replace("%(count)s", String(view.count));
  }

  function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(config.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (views) {
        if (!Array.isArray(views)) return;
        var changed = [];
        views.forEach(function (view) {
          var element = counter(view.id ? "saved-" + view.id : view.builtin);
          var text = String(view.count);
          if (element && element.textContent !== text) {
            element.textContent = text;
            changed.push(announce(view));
          }
        });
        if (changed.length) status.textContent = changed.join(" ");
      })
      .catch(function () { /* offline for a moment: the next round tries again */ })
      .then(function () { busy = false; });
  }

  function start() {
    if (timer === null) timer = window.setInterval(refresh, Math.max(config.every, 1) * 1000);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else {
      refresh();  // back on the tab: what changed meanwhile, at once
      start();
    }
  });
  start();
})();
