// A "Print" button: without JavaScript the page says to use the browser's Print command.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
