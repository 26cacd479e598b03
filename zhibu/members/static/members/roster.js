// Roster: "select the whole page" checkbox for the bulk actions.
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-zb-check-all]");
  if (!all) { return; }
  var name = all.getAttribute("data-zb-check-all");
  document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
    box.checked = all.checked;
  });
});

// Roster: the org filter as an autocomplete. Typing asks the server for matching orgs
// (members:org_search, scoped like the page) and offers them in the datalist; picking
// one puts its id in the hidden "org" field, clearing the text clears the filter.
(function () {
  var input = document.querySelector("[data-zb-org-search]");
  if (!input) { return; }
  var target = document.getElementById(input.getAttribute("data-zb-org-target"));
  var list = document.getElementById(input.getAttribute("list"));
  var ids = {};
  var timer = null;
  var asked = "";

  function pick() {
    var value = input.value.trim();
    target.value = Object.prototype.hasOwnProperty.call(ids, value) ? ids[value] : "";
  }

  function ask() {
    var text = input.value.trim();
    if (text === asked) { return; }
    asked = text;
    var url = input.getAttribute("data-zb-org-search") + "?q=" + encodeURIComponent(text);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        list.replaceChildren();
        ids = {};
        data.results.forEach(function (org) {
          var option = document.createElement("option");
          option.value = org.label;
          ids[org.label] = org.id;
          list.appendChild(option);
        });
        pick();
      })
      .catch(function () { /* offline: the text stays, the filter unchanged */ });
  }

  input.addEventListener("input", function () {
    pick();
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 200);
  });
  input.addEventListener("focus", ask);
})();
