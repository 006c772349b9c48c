// "Submit a request": the custom fields of the chosen topic only. Every field is in the page (it works without
// JavaScript; the server reads only the chosen topic's); inputs marked data-field-categories="slug slug" (empty:
// every topic) are shown for their topics, and the others are hidden and disabled, so they are not sent.
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  var inputs = document.querySelectorAll("[data-field-categories]");
  if (!select || !inputs.length) return;
  function applies(input, slug) {
    var slugs = input.getAttribute("data-field-categories").split(" ").filter(Boolean);
    return slugs.length === 0 || slugs.indexOf(slug) !== -1;
  }
  function update() {
    var slug = select.value;
    inputs.forEach(function (input) {
      var show = applies(input, slug);
      var box = input.closest(".field");
      if (box) box.hidden = !show;
      input.disabled = !show;
    });
  }
  select.addEventListener("change", update);
  update();
})();
