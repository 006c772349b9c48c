// /verify/: the platform menu only for social media accounts, and an example of the expected form in the box.
// The page works without it (the platform menu then says it is only for social media accounts).
(function () {
  "use strict";
  var form = document.querySelector("form[data-verify-form]");
  if (!form) return;
  var platform = form.querySelector("[data-platform-field]");
  var value = form.querySelector("input[name=value]");
  var examples = {email: "name@example.com", domain: "example.com", phone: "+1 415 555 0100",
                  social: "@name", agent_code: "7KQ4M2XZ"};

  function update() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : "email";
    if (platform) platform.hidden = kind !== "social" && !platform.classList.contains("has-error");
    if (value) value.placeholder = examples[kind] || "";
  }

  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
