// Polls the login status and continues when verification has ended.
(function () {
  var el = document.getElementById("status");
  var text = document.getElementById("status-text");
  if (!el) { return; }
  var url = el.getAttribute("data-status-url");
  var delay = 1500;
  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      // 503: idbridge is briefly unavailable; the login goes on.
      .then(function (r) { return r.ok || r.status === 503 ? r.json() : null; })
      .then(function (s) {
        // Only a change is written: the status region announces each one.
        if (s && s.message && text.textContent !== s.message) { text.textContent = s.message; }
        if (s && s.next) { window.location.assign(s.next); return; }
        setTimeout(tick, delay);
      })
      .catch(function () { setTimeout(tick, delay * 2); });
  }
  setTimeout(tick, delay);
})();
