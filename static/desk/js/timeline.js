// One customer's timeline (GET /api/v1/agent/customers/<id>/timeline/, docs/api.md): requests, emails both ways,
// chats, ratings and incidents, newest first, 30 at a time with "Show older". Boxes rendered by
// templates/desk/_timeline_box.html load on sight; in the chat console, each chat of a registered customer gets a
// folded timeline (filled when first unfolded) once the console has the chat's context.
(function () {
  "use strict";
  function when(iso) {
    return new Date(iso).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });
  }
  function item(event) {
    var li = document.createElement("li");
    li.className = "timeline-item timeline-" + event.kind;
    var head = document.createElement("div");
    var kind = document.createElement("span");
    kind.className = "timeline-kind";
    kind.textContent = event.label;
    var time = document.createElement("time");
    time.dateTime = event.at;
    time.className = "muted small";
    time.textContent = when(event.at);
    head.appendChild(kind);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(time);
    li.appendChild(head);
    var title = document.createElement(event.url ? "a" : "span");
    if (event.url) title.href = event.url;
    title.textContent = (event.ref ? event.ref + " · " : "") + event.title;
    li.appendChild(title);
    if (event.detail) {
      var detail = document.createElement("div");
      detail.className = "muted small timeline-detail";
      detail.textContent = event.detail;
      li.appendChild(detail);
    }
    return li;
  }
  function load(box, before) {
    var url = box.dataset.timelineUrl + (before ? "?before=" + encodeURIComponent(before) : "");
    return fetch(window.inPageLanguage(url), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (page) {
        var list = box.querySelector("ol");
        if (!list) {
          box.textContent = "";
          list = document.createElement("ol");
          list.className = "timeline";
          box.appendChild(list);
        }
        page.events.forEach(function (event) { list.appendChild(item(event)); });
        if (!list.children.length) {
          var none = document.createElement("p");
          none.className = "muted small";
          none.textContent = box.dataset.empty;
          box.appendChild(none);
        }
        var more = box.querySelector(".timeline-more");
        if (more) more.remove();
        if (page.next_before) {
          more = document.createElement("button");
          more.type = "button";
          more.className = "button-secondary button-small timeline-more";
          more.textContent = box.dataset.older;
          more.addEventListener("click", function () { more.disabled = true; load(box, page.next_before); });
          box.appendChild(more);
        }
      })
      .catch(function () {
        var failed = document.createElement("p");
        failed.className = "muted small";
        failed.textContent = box.dataset.failed;
        if (!box.querySelector("ol")) box.textContent = "";
        box.appendChild(failed);
      });
  }
  document.querySelectorAll("[data-timeline-url]").forEach(function (box) {
    if (!box.closest("template")) load(box);
  });
  document.addEventListener("console:chat-context", function (event) {
    var detail = event.detail, template = document.getElementById("timeline-template");
    if (!template || !detail.context.customer_id) return;
    var extras = detail.node.querySelector(".js-extras");
    if (!extras || extras.querySelector(".console-timeline")) return;
    var fold = template.content.firstElementChild.cloneNode(true);
    var box = fold.querySelector("[data-timeline-url]");
    box.dataset.timelineUrl = template.dataset.base.replace("/0/", "/" + detail.context.customer_id + "/");
    fold.addEventListener("toggle", function () {
      if (fold.open && !box.dataset.loaded) { box.dataset.loaded = "1"; load(box); }
    });
    extras.appendChild(fold);
  });
})();
