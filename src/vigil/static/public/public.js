/* Progressive improvements only: the form works the same without this file. */
(function () {
  "use strict";
  var KEY = "vigil-report-draft";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }

    // Show 112 the moment someone answers that a person is in danger now.
    var box = document.getElementById("danger-now");
    document.querySelectorAll("input[name=danger]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (box) { box.classList.toggle("hidden", radio.value !== "yes" || !radio.checked); }
      });
    });

    // Keep a draft in this browser tab only (sessionStorage is gone when the tab closes).
    var form = document.querySelector("form[data-save-draft]");
    if (document.getElementById("receipt-code")) { try { sessionStorage.removeItem(KEY); } catch (e) {} }
    if (!form) { return; }
    var draft = {};
    try { draft = JSON.parse(sessionStorage.getItem(KEY) || "{}"); } catch (e) { draft = {}; }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "file" || el.name === "website" || !(el.name in draft)) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (!form.querySelector("input[name='" + el.name + "']:checked")) { el.checked = draft[el.name] === el.value; }
      } else if (!el.value) { el.value = draft[el.name]; }
    });
    form.addEventListener("input", function (event) {
      var el = event.target;
      if (!el.name || el.type === "file" || el.name === "website") { return; }
      if (el.type === "checkbox") { draft[el.name] = el.checked ? el.value : ""; } else { draft[el.name] = el.value; }
      try { sessionStorage.setItem(KEY, JSON.stringify(draft)); } catch (e) {}
    });
  });
})();
