// "Use this browser's time zone": the button stays hidden until this script finds the
// browser's IANA zone, and a click puts it in the field (saving is still the person's
// choice). Without JavaScript the field is typed or picked from its suggestions.
(function () {
  "use strict";
  var button = document.getElementById("use-browser-zone");
  var field = document.getElementById("profile-zone");
  if (!button || !field || typeof Intl === "undefined") return;
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone || zone === field.value) return;
  button.textContent = (button.getAttribute("data-label") || "").replace("{zone}", zone);
  button.hidden = false;
  button.addEventListener("click", function () {
    field.value = zone;
    field.focus();
  });
})();
