// Small progressive enhancements shared by every page. Pages work without it.
(function () {
  "use strict";
  // The language menu submits itself when changed; the "Change" button remains for keyboard users without JS.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var button = select.form && select.form.querySelector(".js-hide");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
