/* Kiosk idle reset: after the configured seconds without a touch or a key, go back to the start screen
 * (or clear the start screen's field). Without JavaScript a <noscript> meta refresh does the same. */
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-idle-seconds"), 10) || 60;
  var home = body.getAttribute("data-kiosk-home") || "/kiosk/";
  var leavesPage = body.hasAttribute("data-idle-reset");
  var timer = null;

  function reset() {
    if (leavesPage) {
      window.location.replace(home);
      return;
    }
    var fields = document.querySelectorAll("input[type=text]");
    for (var i = 0; i < fields.length; i++) { fields[i].value = ""; }
    if (fields.length) { fields[0].focus(); }
  }

  function restart() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(reset, seconds * 1000);
  }

  ["pointerdown", "keydown", "touchstart", "scroll", "input"].forEach(function (name) {
    window.addEventListener(name, restart, { passive: true });
  });
  restart();
})();
