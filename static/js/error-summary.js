// The error summary (templates/_error_summary.html): focus moves to it when the page loads, so
// keyboard and screen-reader users land on the list of problems; its links move the focus to
// the field itself (a plain anchor would only scroll), with the field's label in view.
(function () {
  "use strict";
  function setUp() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var details = field.closest("details");
      if (details) details.open = true;
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
