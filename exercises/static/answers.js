// "Check my answers" with blank fields asks first. Without JavaScript the server asks instead
// (a page listing the blanks); a confirmed question tells it not to ask again.
(function () {
  var form = document.getElementById("answer-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.name !== "action" || button.value !== "check") return;
    var inputs = form.querySelectorAll(".answer-row input[type=text]");
    var blank = 0;
    inputs.forEach(function (input) { if (!input.value.trim()) blank += 1; });
    if (!blank) return;
    var question = form.getAttribute("data-blank-question")
      .replace("{blank}", String(blank)).replace("{total}", String(inputs.length));
    if (!window.confirm(question)) { event.preventDefault(); return; }
    var confirmed = form.querySelector("input[name=confirm_blanks]");
    if (!confirmed) {
      confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirm_blanks";
      form.appendChild(confirmed);
    }
    confirmed.value = "1";
  });
})();
