// Roster: "select the whole page" checkbox for the bulk actions.
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-zb-check-all]");
  if (!all) { return; }
  var name = all.getAttribute("data-zb-check-all");
  document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
    box.checked = all.checked;
  });
});
