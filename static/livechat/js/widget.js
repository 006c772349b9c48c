// The embeddable chat launcher: one script tag on any page,
//   <script src="https://desk.example.com/static/livechat/js/widget.js" data-lang="ko" data-label="상담하기" defer></script>
// adds a "chat" button that opens the desk's chat page in a panel (an iframe of /<lang>/chat/?embed=1). Only the
// sites listed in LIVECHAT_EMBED_ORIGINS may frame it (Content-Security-Policy frame-ancestors).
// A page whose visitor is logged in at the exchange adds the identity its server signed (livechat/identity.py):
//   data-user-id="EX-123" data-user-email="a@example.com" data-user-name="A" data-user-ts="1765100000"
//   data-user-signature="<hex HMAC-SHA256>"
// and the chat belongs to that account instead of asking for a name and an email.
// On a phone the panel fills the screen (sized to the visual viewport, so the on-screen keyboard never hides the
// composer) and the launcher steps aside; the close button in the panel's bar hands the page back.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.getElementById("support-chat-launcher")) return;
  var origin = new URL(script.src, location.href).origin;
  var lang = script.dataset.lang || document.documentElement.lang || "en";
  var button = document.createElement("button");
  button.id = "support-chat-launcher";
  button.type = "button";
  button.setAttribute("aria-expanded", "false");
  button.textContent = script.dataset.label || "Chat";
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;border:0;border-radius:999px;" +
    "padding:12px 18px;background:#0b5fff;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer;" +
    "box-shadow:0 4px 14px rgba(16,24,40,.25)";
  var frame = null, pageOverflow = document.documentElement.style.overflow;
  var phone = window.matchMedia("(max-width: 640px), (max-height: 480px)");
  var PANEL = "position:fixed;right:16px;bottom:72px;z-index:2147483000;width:min(380px,calc(100vw - 32px));" +
    "height:min(620px,calc(100vh - 96px));border:1px solid #d9dee5;border-radius:12px;background:#fff;" +
    "box-shadow:0 8px 30px rgba(16,24,40,.3)";
  function fit() {
    if (!frame) return;
    var open = !frame.hidden, viewport = window.visualViewport;
    // Inline display as well as `hidden`: the host page's own CSS may set display on buttons and iframes.
    frame.style.cssText = (phone.matches ? "position:fixed;left:0;top:" + (viewport ? viewport.offsetTop : 0) +
      "px;width:100%;height:" + (viewport ? viewport.height + "px" : "100%") +
      ";z-index:2147483001;border:0;background:#fff" : PANEL) + (open ? "" : ";display:none");
    button.style.display = open && phone.matches ? "none" : "";
    // Full screen: the page behind it must not scroll under the finger.
    document.documentElement.style.overflow = open && phone.matches ? "hidden" : pageOverflow;
  }
  function toggle(open) {
    frame.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    fit();
  }
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "support-chat-panel";
      frame.title = button.textContent;
      var query = "?embed=1";
      var d = script.dataset;
      if (d.userId && d.userEmail && d.userTs && d.userSignature) {
        query += "&uid=" + encodeURIComponent(d.userId) + "&uemail=" + encodeURIComponent(d.userEmail) +
          "&uname=" + encodeURIComponent(d.userName || "") + "&uts=" + encodeURIComponent(d.userTs) +
          "&usig=" + encodeURIComponent(d.userSignature);
      }
      frame.src = origin + "/" + encodeURIComponent(lang) + "/chat/" + query;
      document.body.appendChild(frame);
      toggle(true);
    } else {
      toggle(frame.hidden);
    }
  });
  // The panel's close button (chat.js): only from our own frame.
  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
    if (event.data && event.data.type === "support-chat:close") {
      toggle(false);
      button.focus();
    }
  });
  if (phone.addEventListener) phone.addEventListener("change", fit);
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fit);
    window.visualViewport.addEventListener("scroll", fit);
  }
  document.body.appendChild(button);
})();
