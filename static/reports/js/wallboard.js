// The wallboard refreshes itself every 15 seconds from /api/v1/reports/wallboard/ (session login); the longest
// waits tick every second between refreshes, so a TV on the wall never looks frozen.
(function () {
  "use strict";
  var board = document.querySelector("[data-testid=wallboard]");
  var strings = JSON.parse(document.getElementById("wall-strings").textContent);
  var updated = document.getElementById("wall-updated");

  function clock(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var m = Math.floor(seconds / 60), sec = seconds % 60;
    return m + ":" + (sec < 10 ? "0" : "") + sec;
  }
  function showWaits() {
    board.querySelectorAll("[data-field=longest_wait]").forEach(function (el) {
      el.textContent = clock(Number(el.dataset.seconds));
    });
  }
  function set(root, field, value) {
    var el = root.querySelector("[data-field=" + field + "]");
    if (el) el.textContent = value == null ? "—" : String(value);
  }
  function apply(data) {
    set(board, "sla_today", data.sla_today == null ? null : data.sla_today + " %");
    set(board, "sla_finished_today", data.sla_finished_today);
    set(board, "csat_today", data.csat_today);
    set(board, "csat_answers_today", data.csat_answers_today);
    data.languages.forEach(function (row) {
      var tile = board.querySelector("[data-language='" + row.language + "']");
      if (!tile) return;
      set(tile, "waiting", row.waiting);
      set(tile, "agents_online", row.agents_online);
      tile.querySelector("[data-field=longest_wait]").dataset.seconds = String(row.longest_wait);
      tile.classList.toggle("alert", row.waiting > 0 && row.agents_online === 0);
    });
    showWaits();
    updated.textContent = strings.updated.replace("{time}", new Date(data.at).toLocaleTimeString());
  }
  function refresh() {
    fetch(window.inPageLanguage(board.dataset.api), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(apply)
      .catch(function () { updated.textContent = strings.offline; });
  }
  setInterval(function () {
    board.querySelectorAll("[data-field=longest_wait]").forEach(function (el) {
      if (Number(el.dataset.seconds) > 0) el.dataset.seconds = String(Number(el.dataset.seconds) + 1);
    });
    showWaits();
  }, 1000);
  setInterval(refresh, 15000);
  showWaits();
})();
