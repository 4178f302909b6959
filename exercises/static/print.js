// The printable view: the "Print" button, and each variant scaled down (never up) to fit one
// sheet's content box. A script file rather than an onclick attribute, which the
// Content-Security-Policy (script-src 'self') would block.
(function () {
  "use strict";
  // content height of a sheet in CSS pixels: paper height less the 12 mm margins, with 3 %
  // to spare for the small differences between the screen and the print layout
  var MM = 96 / 25.4;
  var HEIGHT = { a4: (297 - 24) * MM * 0.97, letter: (279.4 - 24) * MM * 0.97 };

  function fit() {
    var paper = document.querySelector("[data-paper]");
    if (!paper) { return; }
    var limit = HEIGHT[paper.getAttribute("data-paper")] || HEIGHT.a4;
    paper.querySelectorAll(".print-page").forEach(function (page) {
      page.style.zoom = "";
      var height = page.getBoundingClientRect().height;
      if (height > limit) { page.style.zoom = String(Math.floor(1000 * limit / height) / 1000); }
    });
  }

  document.querySelectorAll('[data-action="print"]').forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  fit();
  window.addEventListener("load", fit);
  window.addEventListener("beforeprint", fit);
})();
