// A job's progress panel (templates/instructor/_job.html): ask the server every second how
// far the job got, move the bar and the sentence, and when the job ends open the page again
// so that it shows what the job made.
(function () {
  "use strict";
  var panel = document.getElementById("job");
  if (!panel || panel.getAttribute("data-active") !== "yes") { return; }
  var bar = document.getElementById("job-progress");
  var message = document.getElementById("job-message");
  function poll() {
    fetch(panel.getAttribute("data-progress-url"), {credentials: "same-origin",
                                                     headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job) {
          bar.max = job.total || 1;
          bar.value = job.done;
          message.textContent = job.message;
          if (!job.active) {
            window.location.assign(panel.getAttribute("data-done-url"));
            return;
          }
        }
        window.setTimeout(poll, 1000);
      }, function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
