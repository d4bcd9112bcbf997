// Refreshes the page's <main> in place every data-refresh seconds (no flicker, scroll kept); paused while
// the tab is hidden or a form field has focus. Without scripts a <noscript> meta refresh does the same.
(function () {
  "use strict";
  var every = Number(document.documentElement.getAttribute("data-refresh")) || 0;
  if (!every || !window.fetch || !window.DOMParser) return;
  var busy = false;
  function tick() {
    if (busy || document.hidden) return;
    var active = document.activeElement;
    if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("main");
        var current = document.getElementById("main");
        if (fresh && current) {
          current.replaceWith(document.adoptNode(fresh));
          document.title = doc.title;
        }
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }
  window.setInterval(tick, every * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
})();
