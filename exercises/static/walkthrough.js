// "Next step" mode for a walkthrough: reveal the computed steps one at a time; and keyboard
// access to formulas and tables that scroll sideways.
// Progressive enhancement: without this script every step is visible.
(function () {
  "use strict";

  function setUp(root) {
    var steps = Array.prototype.slice.call(root.querySelectorAll("li.step"));
    var controls = root.querySelector(".stepper-controls");
    if (!steps.length || !controls) { return; }
    var status = controls.querySelector(".stepper-status");
    var prev = controls.querySelector('[data-action="prev"]');
    var next = controls.querySelector('[data-action="next"]');
    var all = controls.querySelector('[data-action="all"]');
    var shown = 1;

    function render(focus) {
      steps.forEach(function (step, index) {
        step.hidden = index >= shown;
        step.classList.toggle("current", index === shown - 1 && shown < steps.length + 1);
      });
      // A section is hidden while none of its steps is shown (the given values always show).
      root.querySelectorAll(".walk-section").forEach(function (section) {
        var own = section.querySelectorAll("li.step");
        if (!own.length) { return; }
        section.hidden = Array.prototype.every.call(own, function (s) { return s.hidden; });
      });
      prev.disabled = shown <= 1;
      next.disabled = shown >= steps.length;
      all.disabled = shown >= steps.length;
      status.textContent = status.getAttribute("data-template")
        .replace("{current}", String(shown)).replace("{total}", String(steps.length));
      markOverflow();  // steps just shown may hold formulas that scroll
      if (focus) {
        var current = steps[shown - 1];
        current.focus({ preventScroll: true });
        current.scrollIntoView({ block: "nearest" });
      }
    }

    prev.addEventListener("click", function () { if (shown > 1) { shown -= 1; render(true); } });
    next.addEventListener("click", function () {
      if (shown < steps.length) { shown += 1; render(true); }
    });
    all.addEventListener("click", function () { shown = steps.length; render(false); });
    controls.hidden = false;
    root.classList.add("stepping");
    render(false);
  }

  // A formula or table wider than its box scrolls: make it reachable by keyboard (arrow keys
  // scroll it) and mark it, so the scroll shadows and a focus ring show there is more to see.
  function markOverflow() {
    document.querySelectorAll(".eq-part, .math-block, .table-scroll").forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("overflows", overflows);
      if (overflows) { box.setAttribute("tabindex", "0"); } else { box.removeAttribute("tabindex"); }
    });
  }

  document.querySelectorAll("[data-stepper]").forEach(setUp);
  markOverflow();
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markOverflow, 150);
  });
})();
