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
// Tree browser: a toggle loads its children once (htmx), then shows and hides them.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-zb-toggle]");
  if (!toggle) { return; }
  var target = document.querySelector(toggle.getAttribute("data-zb-toggle"));
  var open = toggle.getAttribute("aria-expanded") === "true";
  toggle.setAttribute("aria-expanded", open ? "false" : "true");
  if (target && open) { target.classList.add("zb-collapsed"); }
  if (target && !open) { target.classList.remove("zb-collapsed"); }
});
// A select marked data-zb-autosubmit submits its form on change (no inline handlers: the
// Content-Security-Policy allows only script files).
document.addEventListener("change", function (event) {
  var select = event.target.closest("[data-zb-autosubmit]");
  if (select && select.form) { select.form.submit(); }
});
// Widths from data-zb-width (per cent): style attributes are refused by the policy, styles
// set from a script file are not. Again after every htmx swap (the import progress bar).
function zbApplyWidths() {
  document.querySelectorAll("[data-zb-width]").forEach(function (el) {
    el.style.width = el.getAttribute("data-zb-width") + "%";
  });
}
zbApplyWidths();
document.addEventListener("htmx:afterSettle", zbApplyWidths);
