// What-if mode: as the person types, trace the changed network through the trace API
// (debounced) and update every value, highlighting the ones that differ from the exercise.
// Progressive enhancement: without this script the form posts and the server recomputes.
(function () {
  "use strict";
  var form = document.getElementById("whatif-form");
  if (!form || !window.fetch) { return; }
  var base = JSON.parse(form.getAttribute("data-spec"));
  var status = document.getElementById("whatif-status");
  var problem = document.getElementById("whatif-problem");
  var timer = null, sequence = 0;

  // A value as the server writes it: Python's "%.6g", with a true minus sign.
  function shown(value) {
    if (value === 0 || Object.is(value, -0)) { return "0"; }
    var exponent = Math.floor(Math.log10(Math.abs(Number(value.toPrecision(6)))));
    var text;
    if (exponent < -4 || exponent >= 6) {
      var parts = value.toExponential(5).split("e");
      var mantissa = parts[0].replace(/\.?0+$/, "");
      var power = Number(parts[1]);
      text = mantissa + "e" + (power < 0 ? "-" : "+") + (Math.abs(power) < 10 ? "0" : "") + Math.abs(power);
    } else {
      text = value.toFixed(Math.max(0, 5 - exponent));
      if (text.indexOf(".") >= 0) { text = text.replace(/\.?0+$/, ""); }
    }
    return text.replace(/-/g, "\u2212");
  }

  function number(input) {
    var value = Number(input.value.trim().replace(/\u2212/g, "-").replace(",", "."));
    return input.value.trim() !== "" && isFinite(value) ? value : null;
  }

  // The spec with the form's values put in, or null while one of them is not a number.
  function currentSpec() {
    var spec = JSON.parse(JSON.stringify(base));
    var ok = true;
    form.querySelectorAll("input[data-original]").forEach(function (input) {
      var value = number(input);
      input.setAttribute("aria-invalid", value === null ? "true" : "false");
      input.parentNode.classList.toggle("knob-changed", value !== null && value !== Number(input.getAttribute("data-original")));
      if (value === null) { ok = false; return; }
      var at = input.name.split(":").slice(1).map(function (n) { return Number(n) - 1; });
      var kind = input.name.split(":")[0];
      if (kind === "eta") { spec.learning_rate = value; }
      else if (kind === "x") { spec.inputs[0][at[0]] = value; }
      else if (kind === "y") { spec.targets[0][at[0]] = value; }
      else if (kind === "w") { spec.weights[at[0]][at[1]][at[2]] = value; }
      else if (at.length === 2) { spec.biases[at[0]][at[1]] = value; }
      else { spec.biases[at[0]] = value; }
    });
    spec.iterations = 2;  // the second iteration's loss is the loss after one update
    return ok ? spec : null;
  }

  function rowId(row) {
    return [row.iteration, row.sample, row.quantity, row.layer, row.unit, row.source]
      .map(function (part) { return part === null || part === undefined ? "" : String(part); }).join(".");
  }

  function setCell(cell, value) {
    var text = shown(value);
    cell.textContent = text;
    var changed = text !== shown(Number(cell.getAttribute("data-base")));
    (cell.closest("tr[data-row]") || cell).classList.toggle("changed", changed);
    return changed;
  }

  function apply(trace) {
    var values = {}, losses = {};
    trace.steps.forEach(function (row) {
      if (row.quantity === "loss" && row.sample === null) { losses[row.iteration] = row.value; }
      if (row.iteration === 1) { values[rowId(row)] = row.value; }
    });
    var count = 0;
    document.querySelectorAll("tr[data-row]").forEach(function (tr) {
      var value = values[tr.getAttribute("data-row")];
      if (value !== undefined && setCell(tr.querySelector(".whatif-now"), value)) { count += 1; }
    });
    setCell(document.querySelector('[data-loss="before"]'), losses[1]);
    setCell(document.querySelector('[data-loss="after"]'), losses[2]);
    status.textContent = status.getAttribute("data-template-count")
      ? status.getAttribute("data-template-count").replace("{count}", String(count)) : "";
  }

  function recompute() {
    var spec = currentSpec();
    if (spec === null) { return; }
    var mine = ++sequence;
    form.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-api"), {
      method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(spec), credentials: "omit"
    }).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }).then(function (answer) {
      if (mine !== sequence) { return; }  // a later change is already on its way
      form.removeAttribute("aria-busy");
      if (answer.status === 200) {
        problem.hidden = true;
        apply(answer.body);
      } else {
        problem.textContent = answer.status === 429 ? form.getAttribute("data-rate-limited")
          : form.getAttribute("data-failed") + " " + answer.body.error;
        problem.hidden = false;
      }
    }).catch(function () {
      form.removeAttribute("aria-busy");
    });
  }

  form.addEventListener("input", function (event) {
    if (!event.target.hasAttribute("data-original")) { return; }
    clearTimeout(timer);
    timer = setTimeout(recompute, 400);
  });
})();
