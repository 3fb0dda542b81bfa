// Copy buttons: <button data-copy="ID" data-status="ID" data-copied="…" data-copy-failed="…" hidden>
// copies the text of the element #data-copy and says so in the live region #data-status
// (both optional but data-copy).
// The buttons are hidden in the markup and shown here, so without JavaScript nothing
// offers a copy that cannot happen; the text itself stays selectable either way.
// A file of its own: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  function say(button, text) {
    var status = document.getElementById(button.getAttribute("data-status") || "");
    if (status && text) {
      // Cleared first so saying the same words twice is announced twice.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function selectText(el) {
    var selection = window.getSelection();
    if (!selection) return false;
    var range = document.createRange();
    range.selectNodeContents(el);
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }

  // Plain http (a panel on the local network) has no navigator.clipboard; the older
  // command still copies a selection there.
  function copyBySelection(el) {
    try {
      return selectText(el) && document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  // `data-copy` names an id, bare ("login-ip") or as a selector ("#generated-password").
  function sourceOf(button) {
    var ref = button.getAttribute("data-copy") || "";
    if (ref.charAt(0) !== "#") return document.getElementById(ref);
    try {
      return document.querySelector(ref);
    } catch (e) {
      return null;
    }
  }

  function copy(button) {
    var source = sourceOf(button);
    if (!source) return;
    var text = (source.textContent || "").trim();
    var done = function () { say(button, button.getAttribute("data-copied")); };
    var failed = function () {
      // Selected, so the person can copy it themselves.
      selectText(source);
      say(button, button.getAttribute("data-copy-failed"));
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {
        if (copyBySelection(source)) { done(); } else { failed(); }
      });
    } else if (copyBySelection(source)) {
      done();
    } else {
      failed();
    }
  }

  function setUp(root) {
    var buttons = root.querySelectorAll("button[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      if (b.getAttribute("data-copy-ready")) continue;
      b.setAttribute("data-copy-ready", "1");
      b.addEventListener("click", function (event) { copy(event.currentTarget); });
      b.hidden = false;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
  // Content htmx swaps in later.
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) setUp(event.target);
  });
})();
