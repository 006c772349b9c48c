// Keyboard shortcuts of the agent pages (workspace, chat console, ticket page), one module for all three. It
// owns the keys every agent page shares (? for the help overlay, g h / g c / g t to go home, to chats, to tickets)
// and lets each page register its own actions: Shortcuts.register("r", "reply", function () {...}). Texts come
// from the page (json_script "shortcut-config"), so the overlay reads in the page's language. Keys never fire while
// the agent types in a field, except Esc, which leaves the field.
(function () {
  "use strict";
  var configNode = document.getElementById("shortcut-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var S = config.strings;
  var actions = [];  // {keys: ["g", "h"], label, run}, in the order the help lists them
  var pending = null, pendingTimer = null, dialog = null, returnFocus = null;

  function register(keys, labelKey, run) {
    var sequence = keys.split(" ");
    actions = actions.filter(function (action) { return action.keys.join(" ") !== keys; });  // a page may override
    actions.push({ keys: sequence, label: S[labelKey] || labelKey, run: run });
  }

  function typingIn(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function keyName(kbd) {
    var node = document.createElement("kbd");
    node.textContent = kbd;
    return node;
  }

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "shortcut-help";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "shortcut-help-title");
    dialog.dataset.testid = "shortcut-help";
    var title = document.createElement("h2");
    title.id = "shortcut-help-title";
    title.textContent = S.title;
    var intro = document.createElement("p");
    intro.className = "muted small";
    intro.textContent = S.intro;
    var list = document.createElement("dl");
    list.className = "shortcut-list";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button-secondary";
    close.textContent = S.close;
    close.addEventListener("click", function () { dialog.close(); });
    dialog.appendChild(title);
    dialog.appendChild(intro);
    dialog.appendChild(list);
    dialog.appendChild(close);
    // Esc closes a modal <dialog> by itself; focus goes back where it was.
    dialog.addEventListener("close", function () {
      if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
      returnFocus = null;
    });
    document.body.appendChild(dialog);
  }

  function openHelp() {
    if (!dialog) buildDialog();
    var list = dialog.querySelector(".shortcut-list");
    list.textContent = "";
    actions.forEach(function (action) {
      var term = document.createElement("dt");
      action.keys.forEach(function (key, i) {
        if (i) term.appendChild(document.createTextNode(" " + S.then + " "));
        term.appendChild(keyName(key));
      });
      var description = document.createElement("dd");
      description.textContent = action.label;
      list.appendChild(term);
      list.appendChild(description);
    });
    returnFocus = document.activeElement;
    dialog.showModal();
    dialog.querySelector("button").focus();
  }

  function go(url) { return function () { window.location.href = url; }; }

  register("?", "help", openHelp);
  register("g h", "go_home", go(config.urls.home));
  register("g c", "go_chats", go(config.urls.chats));
  register("g t", "go_tickets", go(config.urls.tickets));

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (dialog && dialog.open) return;  // the dialog handles its own keys (Esc, Tab, Enter)
    if (typingIn(event.target)) {
      if (event.key === "Escape") event.target.blur();  // leave the field; the next key is a shortcut
      return;
    }
    var key = event.key;
    var sequence = pending ? [pending, key] : [key];
    var matched = null, prefix = false;
    actions.forEach(function (action) {
      if (action.keys.join(" ") === sequence.join(" ")) matched = action;
      else if (action.keys.length > sequence.length && action.keys[0] === sequence[0]) prefix = true;
    });
    clearTimeout(pendingTimer);
    pending = null;
    if (matched) {
      event.preventDefault();
      matched.run(event);
    } else if (prefix && sequence.length === 1) {
      pending = key;  // e.g. "g", waiting for the second key
      pendingTimer = setTimeout(function () { pending = null; }, 1500);
    }
  });

  window.Shortcuts = { register: register, typingIn: typingIn };
})();
