/* Workspace improvements; every page works without them. (No inline scripts: the CSP forbids them.) */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
