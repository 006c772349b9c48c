// "Submit a request": as the customer types a subject, suggest help-center articles that may already answer it.
(function () {
  "use strict";
  var box = document.getElementById("article-suggestions");
  var input = document.getElementById("id_subject");
  if (!box || !input) return;
  var list = box.querySelector("ul");
  var timer = null;
  var last = "";
  function show(results) {
    list.textContent = "";
    results.slice(0, 3).forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = hit.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = hit.title;  // text, never HTML: titles are data
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
  }
  function lookup() {
    var query = input.value.trim();
    if (query.length < 2 || query === last) return;
    last = query;
    var url = box.dataset.endpoint + "?lang=" + encodeURIComponent(box.dataset.lang) + "&q=" + encodeURIComponent(query);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) { if (input.value.trim() === query) show(body.results || []); })
      .catch(function () { show([]); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 250);
  });
})();
