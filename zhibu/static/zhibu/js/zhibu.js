// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // htmx sends Django's CSRF token with every non-GET request.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta && meta.content) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
  // Move focus to the error summary after a failed submit, for keyboard and screen readers.
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }
})();
