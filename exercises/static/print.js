// The printable view's "Print" button. A script file rather than an onclick attribute, which
// the Content-Security-Policy (script-src 'self') would block.
(function () {
  "use strict";
  document.querySelectorAll('[data-action="print"]').forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
