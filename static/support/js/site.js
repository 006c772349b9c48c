// Small progressive enhancements shared by every page. Pages work without it.
(function () {
  "use strict";
  // API calls from a page answer in the page's language (error details, labels): the API takes ?lang= before the
  // user's saved preference (docs/api.md, Language). Page scripts load after this one.
  window.inPageLanguage = function (url) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(document.documentElement.lang);
  };
  // The language menu submits itself when changed; the "Change" button remains for keyboard users without JS.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var button = select.form && select.form.querySelector(".js-hide");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // The incident banner of a page left open (the agent workspace, a chat) follows declarations and resolutions:
  // the server renders it (incidents:banner), this swaps it in when it changed, while the tab is visible.
  var slot = document.getElementById("incident-banner-slot");
  var every = slot ? parseInt(slot.dataset.every, 10) : 0;
  if (slot && every > 0 && window.fetch) {
    var refresh = function () {
      if (document.visibilityState === "hidden") return;
      fetch(slot.dataset.refresh, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html !== null && html.trim() !== slot.innerHTML.trim()) slot.innerHTML = html;
      }).catch(function () { /* offline for a moment: the next round tries again */ });
    };
    window.setInterval(refresh, every * 1000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") refresh();
    });
  }
})();
