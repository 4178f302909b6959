"""Acceptance table for the grader (SPEC §6): teacher cases on fixed networks, worked by hand.

Every case is a network written out literally, a student's answer sheet and, for EVERY asked
field, the status and misconception ids a teacher grading by SPEC §6 gives it, with the total
score. The true values come from ``handworked`` (closed forms with ``math``, unit by unit),
which shares no code with the engine or the grader; each student is the same worksheet with a
habit or a slip at the places named, written down to 4 significant figures unless said.

The rules the expectations were worked by (SPEC §6 and the team's decisions):
- u(t) = 0.51 units of t's 4th significant figure; r(t) = 0.01·|t| + u(t). A field is correct
  when |s − t| ≤ r(t); an exact true 0 takes only |s| ≤ 1e-12. An update θ⁺ also needs its
  step right: |Δs − Δ| ≤ 0.01·|Δ| + u(t), Δ = t − θ, Δs = s − θ.
- Otherwise it is carried when it equals its formula evaluated on the student's own answers to
  the asked fields upstream (blank ones: true values) and that value shows work (differs from 0
  for a δ or a gradient, from θ for an update, unless the true value is that too). A degenerate
  match (δ of 0 from upstream zeros, θ copied after a δ of 0) is incorrect with no misconception.
- Otherwise precision first (the true value rounded to fewer figures, or the trace with every
  intermediate rounded to 2–4 decimals or 2–3 figures): incorrect, no misconception. Then each
  misconception at every site (throughout, one layer, one unit's own formula), dropped where it
  would change another field the student has right or carried; of several ids left, those that
  also explain another wrong field are kept, and if that still leaves several, none is named.
- Precision is read strictly: s must BE a rounding (it carries no more figures or decimals than
  that rounding). Read loosely (any s within half a unit of t's 1st figure), it would swallow
  most diagnoses below, even missing_learning_rate's doubled step.

The seed post's network fails SPEC §5's step condition in its first layer (δ_h1 ≈ −2.6e-4, so
w2's step is 4.0e-5 < u(w2⁺) = 5.1e-5): there a copied w2 is correct by the rules, and the
cases that copy parameters or scale steps run on DRILL, a 2-2-2 drawn as the generator draws.

Weight layout: spec["weights"][l-1][j-1][k-1] = W⁽ˡ⁾[j][k] (destination j, source k). In the
seed naming, W⁽²⁾ = [[w5, w7], [w6, w8]]: w6 = W⁽²⁾[2][1] (h1→ŷ2), w7 = W⁽²⁾[1][2] (h2→ŷ1).
"""
import math
from dataclasses import dataclass
from typing import Callable

import pytest

from exercises.grading import GradingSettings, grade_submission

from .handworked import fields, given, to_decimals, to_figures, work

SEED = {  # SPEC §3's example, the seed post's 2-2-2
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]], "inputs": [0.50, -0.30], "targets": [0.20, 0.90],
    "learning_rate": 0.5,
}
DRILL = {  # a 2-2-2 that meets SPEC §5 with room: every step is at least 0.012
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.27, -0.69], [0.59, 0.77]], [[-0.63, -0.40], [0.83, 0.85]]],
    "biases": [[0.32, -0.29], [-0.48, -0.32]], "inputs": [0.94, -0.69], "targets": [0.91, 0.09],
    "learning_rate": 0.5,
}
DRILL_SLOW = {  # DRILL with η = 0.1
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.27, -0.69], [0.59, 0.77]], [[-0.63, -0.40], [0.83, 0.85]]],
    "biases": [[0.32, -0.29], [-0.48, -0.32]], "inputs": [0.94, -0.69], "targets": [0.91, 0.09],
    "learning_rate": 0.1,
}
TANH = {  # 3-3-2, tanh throughout, ½·SSE
    "layers": [3, 3, 2], "activations": "tanh", "loss": "half_sse",
    "weights": [[[-0.66, 0.45, 0.95], [-0.84, -0.35, -0.70], [0.26, 0.94, 0.15]],
                [[0.20, 0.66, -0.03], [-0.47, -0.76, 0.24]]],
    "biases": [[-0.47, -0.01, 0.05], [0.27, 0.47]], "inputs": [0.96, -1.00, 0.78],
    "targets": [-0.32, 0.61], "learning_rate": 0.5,
}
RELU = {  # 2-3-1, ReLU then linear, ½·SSE; hidden unit 3 is inactive (z = −0.1455)
    "layers": [2, 3, 1], "activations": ["relu", "linear"], "loss": "half_sse",
    "weights": [[[0.90, 0.03], [0.06, 0.70], [-0.56, -0.07]], [[0.40, 0.79, 0.98]]],
    "biases": [[0.36, 0.44, -0.03], [-0.39]], "inputs": [0.12, 0.69], "targets": [-0.63],
    "learning_rate": 0.5,
}
SOFTMAX = {  # 3-4-3, sigmoid then softmax, cross-entropy on a one-hot target
    "layers": [3, 4, 3], "activations": ["sigmoid", "softmax"], "loss": "cross_entropy",
    "weights": [[[0.35, -0.37, 0.25], [-0.29, 0.27, 0.28], [0.31, -0.10, 0.69], [0.16, 0.18, -0.11]],
                [[0.45, 0.85, 0.42, 0.85], [0.16, 0.24, 0.68, -0.44], [-0.17, 0.79, -0.58, 0.57]]],
    "biases": [[-0.16, 0.48, 0.11, -0.11], [-0.12, 0.40, 0.14]], "inputs": [0.43, 0.32, 0.29],
    "targets": [0.0, 1.0, 0.0], "learning_rate": 0.5,
}
DEEP = {  # 2-2-2-2, two hidden sigmoid layers, MSE
    "layers": [2, 2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[-0.64, -0.58], [-0.78, -0.08]], [[1.00, -0.65], [0.49, 0.84]],
                [[0.96, 0.21], [0.94, -0.75]]],
    "biases": [[0.03, 0.12], [0.10, -0.07], [-0.37, 0.06]], "inputs": [-0.39, 0.53],
    "targets": [0.13, 0.05], "learning_rate": 0.5,
}
TINY = {  # a 2-2-2 whose δ_h1 ≈ −2.393e-5: its two terms nearly cancel
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.74, -0.45], [0.34, -0.28]], [[0.16, 0.56], [-0.06, 0.37]]],
    "biases": [[-0.08, -0.17], [-0.08, 0.22]], "inputs": [0.10, 0.20], "targets": [0.41, 0.17],
    "learning_rate": 0.5,
}

OK, CARRIED, BLANK = ("correct", ()), ("carried", ()), ("blank", ())


def wrong(*ids):
    """An incorrect field naming exactly ``ids``."""
    return ("incorrect", ids)


def written(values, keys, form="{:.4g}"):
    """The answer sheet: each asked value as the student writes it (4 significant figures)."""
    return {key: form.format(values[key]) for key in keys}


def expect(keys, rest, changes=None):
    """Every asked field's (status, ids): ``changes`` where given, ``rest`` elsewhere."""
    changes = changes or {}
    assert set(changes) <= set(keys), set(changes) - set(keys)
    return {key: changes.get(key, rest) for key in keys}


def updates(keys):
    """The update fields among ``keys``."""
    return [key for key in keys if key.startswith(("w_new", "b_new"))]


def rounded_step(spec, keys):
    """θ + (the true step rounded to 4 significant figures), for every update."""
    values = work(spec)
    return {key: f"{given(spec, key) + float(f'{values[key] - given(spec, key):.4g}'):.6g}" for key in keys}


SEED_FIELDS = fields(SEED)  # δ_ŷ1 δ_ŷ2 w5⁺ w6⁺ w7⁺ w8⁺ b3⁺ b4⁺ δ_h1 δ_h2 w1⁺ w2⁺ w3⁺ w4⁺ b1⁺ b2⁺
SEED_GRADIENTS = fields(SEED, ("delta", "dL_dw", "w_new", "b_new"))
DRILL_FIELDS = fields(DRILL)
TANH_FIELDS = fields(TANH)
RELU_FIELDS = fields(RELU)
RELU_GRADIENTS = fields(RELU, ("delta", "dL_dw", "w_new", "b_new"))
SOFTMAX_FIELDS = fields(SOFTMAX)
DEEP_FIELDS = fields(DEEP)
DEEP_GRADIENTS = fields(DEEP, ("delta", "dL_dw", "w_new", "b_new"))
TINY_FIELDS = fields(TINY, ("delta",))

# What follows one unit's δ in a 2-2-2 (seed naming: w5 = W⁽²⁾[1][1], w7 = W⁽²⁾[1][2], b3 …).
BELOW_Y1 = ("w_new:2:1:1", "w_new:2:1:2", "b_new:2:1")              # w5⁺ w7⁺ b3⁺
BELOW_Y2 = ("w_new:2:2:1", "w_new:2:2:2", "b_new:2:2")              # w6⁺ w8⁺ b4⁺
BELOW_H1 = ("w_new:1:1:1", "w_new:1:1:2", "b_new:1:1")              # w1⁺ w2⁺ b1⁺
BELOW_H2 = ("w_new:1:2:1", "w_new:1:2:2", "b_new:1:2")              # w3⁺ w4⁺ b2⁺
HIDDEN = ("delta:1:1", "delta:1:2") + BELOW_H1 + BELOW_H2           # everything a hidden layer holds


def below(spec, l, j):
    """The updates that read δ⁽ˡ⁾_j: unit j's incoming weights and its bias."""
    return tuple(key for key in fields(spec, ("w_new", "b_new")) if key.split(":")[1:3] == [str(l), str(j)])


def units(spec):
    """Every (layer, unit) of layers 1..L."""
    return [(l, j) for l in range(1, len(spec["layers"])) for j in range(1, spec["layers"][l] + 1)]


def layer_fields(spec, l):
    """Layer l's δ and updates."""
    return tuple(key for key in fields(spec) if key.split(":")[1] == str(l))


TANH_BELOW = {unit: below(TANH, *unit) for unit in units(TANH)}
TANH_HIDDEN = layer_fields(TANH, 1)
RELU_BELOW = {unit: below(RELU, *unit) for unit in units(RELU)}
# What follows the output δ in RELU, save what the inactive unit zeroes (its δ, the weight
# leaving it and its own parameters: exactly true whatever δ_ŷ is).
RELU_ACTIVE_BELOW = ("w_new:2:1:1", "w_new:2:1:2", "b_new:2:1", "delta:1:1", "delta:1:2",
                     *RELU_BELOW[1, 1], *RELU_BELOW[1, 2])
SOFTMAX_BELOW = {unit: below(SOFTMAX, *unit) for unit in units(SOFTMAX)}
SOFTMAX_HIDDEN = layer_fields(SOFTMAX, 1)
DEEP_BELOW = {unit: below(DEEP, *unit) for unit in units(DEEP)}
DEEP_LAYER_1 = layer_fields(DEEP, 1)
DRILL_FORWARD = ("z:1:1", "a:1:1", "z:1:2", "a:1:2", "z:2:1", "a:2:1", "z:2:2", "a:2:2", "loss") + DRILL_FIELDS


def carried(*groups):
    """Every key of ``groups`` carried."""
    return {key: CARRIED for group in groups for key in group}


@dataclass(frozen=True)
class Case:
    """One teacher case: ``answers`` builds the sheet; ``expected`` covers every asked field."""

    name: str
    network: dict
    answers: Callable[[], dict]
    expected: dict
    score: float


MISCONCEPTION_IDS = (  # SPEC §6's contract ids
    "updated_weights_in_backprop", "missing_activation_derivative", "derivative_of_activation_output",
    "target_minus_output", "gradient_ascent", "missing_learning_rate", "loss_scale", "pre_activation_as_input",
    "swapped_weight_indices", "missing_bias", "partial_sum", "bias_not_updated", "opposite_delta_convention",
)

CASES = [
    # ------------------------------------------------------------------ the seed post's network
    Case("seed-all-correct-4-figures", SEED, lambda: written(work(SEED), SEED_FIELDS),
         expect(SEED_FIELDS, OK), 16),
    Case("seed-all-correct-full-precision", SEED, lambda: written(work(SEED), SEED_FIELDS, "{!r}"),
         expect(SEED_FIELDS, OK), 16),
    Case("seed-all-blank", SEED, lambda: {}, expect(SEED_FIELDS, BLANK), 0),
    Case("seed-output-layer-only", SEED,
         lambda: written(work(SEED), ("delta:2:1", "delta:2:2") + BELOW_Y1 + BELOW_Y2),
         expect(SEED_FIELDS, OK, dict.fromkeys(HIDDEN, BLANK)), 8),
    # Zero effort: every δ 0, every parameter copied. Output δ: no formula upstream, nothing
    # fits 0. Hidden δ and copies: their ECF value is 0 / θ — degenerate, no credit, no id.
    # w2⁺ alone is correct: its true step (−4.0e-5) is below u(w2⁺) = 5.1e-5 (SPEC §5 fails here).
    Case("seed-zero-effort", SEED,
         lambda: {**dict.fromkeys(SEED_FIELDS, "0"),
                  **{key: f"{given(SEED, key)}" for key in updates(SEED_FIELDS)}},
         expect(SEED_FIELDS, wrong(), {"w_new:1:1:2": OK}), 1),
    # Team decision: δ = −∂L/∂z everywhere, updates θ + η·δ·a (so right). target_minus_output
    # also gives the output δ, but it would move the updates the wrong way: dropped (rule c).
    Case("seed-opposite-delta-convention", SEED,
         lambda: written(work(SEED, negative_delta=True), SEED_FIELDS),
         expect(SEED_FIELDS, OK, {"delta:2:1": wrong("opposite_delta_convention"),
                                  "delta:2:2": wrong("opposite_delta_convention"),
                                  "delta:1:1": CARRIED, "delta:1:2": CARRIED}), 14),
    # Team decision: (y − ŷ) in both output units, the rest by the book from there.
    # w2⁺ is correct, not carried: its step is below the rounding allowance either way.
    Case("seed-target-minus-output-throughout", SEED,
         lambda: written(work(SEED, target_minus_output={1, 2}), SEED_FIELDS),
         expect(SEED_FIELDS, CARRIED, {"delta:2:1": wrong("target_minus_output"),
                                       "delta:2:2": wrong("target_minus_output"),
                                       "w_new:1:1:2": OK}), 14),
    # Team decision: w7 (W⁽²⁾[1][2]) read for w6 (W⁽²⁾[2][1]) in δ_h1's sum only.
    Case("seed-w6-w7-swapped-in-delta-h1", SEED,
         lambda: written(work(SEED, swapped={(1, 1)}), SEED_FIELDS),
         expect(SEED_FIELDS, OK, {"delta:1:1": wrong("swapped_weight_indices"), **carried(BELOW_H1)}), 15),
    Case("seed-swapped-in-both-hidden-sums", SEED,
         lambda: written(work(SEED, swapped={(1, 1), (1, 2)}), SEED_FIELDS),
         expect(SEED_FIELDS, OK, {"delta:1:1": wrong("swapped_weight_indices"),
                                  "delta:1:2": wrong("swapped_weight_indices"),
                                  **carried(BELOW_H1, BELOW_H2)}), 14),
    Case("seed-target-minus-output-at-y1", SEED,
         lambda: written(work(SEED, target_minus_output={1}), SEED_FIELDS),
         expect(SEED_FIELDS, OK, {"delta:2:1": wrong("target_minus_output"), **carried(BELOW_Y1, HIDDEN)}), 15),
    # ∂L/∂ŷ1 written (1/n)(ŷ1 − y1): MSE's own factor is 2/n = 1 here, c = ½.
    Case("seed-loss-scale-half-at-y1", SEED,
         lambda: written(work(SEED, loss_scale={1: 0.5}), SEED_FIELDS),
         expect(SEED_FIELDS, OK, {"delta:2:1": wrong("loss_scale"), **carried(BELOW_Y1, HIDDEN)}), 15),
    Case("seed-gradient-ascent-on-w5", SEED,
         lambda: written(work(SEED, ascent={"w_new:2:1:1"}), SEED_FIELDS),
         expect(SEED_FIELDS, OK, {"w_new:2:1:1": wrong("gradient_ascent")}), 15),
    Case("seed-dL_dw-asked-all-correct", SEED, lambda: written(work(SEED), SEED_GRADIENTS),
         expect(SEED_GRADIENTS, OK), 24),
    # ∂L/∂w5 = δ_ŷ1·z_h1 (0.21) instead of δ_ŷ1·h1 (0.5523); w5⁺ follows from it.
    Case("seed-pre-activation-in-dL_dw5", SEED,
         lambda: written(work(SEED, preactivation={(2, 1, 1)}), SEED_GRADIENTS),
         expect(SEED_GRADIENTS, OK, {"dL_dw:2:1:1": wrong("pre_activation_as_input"),
                                     "w_new:2:1:1": CARRIED}), 23),
    # Precision students (team decision: never a misconception). Every value written and
    # carried on rounded to 4 decimals, or to 3 significant figures.
    # δ_h1 = −0.0003 (t = −0.0002647): the true value to 1 figure. Then w2⁺ = −0.2 − 0.5·0.0001
    # (∂L/∂w2 = 0.00009 kept as 0.0001) = −0.20005 → −0.2001: 6.0e-5 from t and 5.5e-5 from its
    # ECF −0.200045, both beyond 0.01·|Δ| + u = 5.1e-5. b1⁺ = 0.10015 → 0.1002: 6.8e-5 from t
    # (allowance 5.23e-5), 5.0e-5 from its ECF 0.10015 (allowance 5.25e-5): carried.
    Case("seed-precision-4-decimals", SEED,
         lambda: written(work(SEED, rounding=to_decimals(4)), SEED_FIELDS, "{:.4f}"),
         expect(SEED_FIELDS, OK, {"delta:1:1": wrong(), "w_new:1:1:2": wrong(), "b_new:1:1": CARRIED}), 14),

    # ------------------------------------------------------------------ DRILL (meets SPEC §5)
    Case("drill-all-correct", DRILL, lambda: written(work(DRILL), DRILL_FIELDS), expect(DRILL_FIELDS, OK), 16),
    Case("drill-zero-effort", DRILL,
         lambda: {**dict.fromkeys(DRILL_FIELDS, "0"),
                  **{key: f"{given(DRILL, key)}" for key in updates(DRILL_FIELDS)}},
         expect(DRILL_FIELDS, wrong()), 0),
    # Team decision: parameters copied with the δ right → every update incorrect. θ⁺ = θ is
    # bias_not_updated's own formula for a bias (no bias step here is below 0.017, so no copy is
    # a rounding of θ⁺); nothing names a copied weight (w7 = −0.40 is even w7⁺ to 1 figure).
    Case("drill-copied-parameters-with-correct-deltas", DRILL,
         lambda: {**written(work(DRILL), DRILL_FIELDS),
                  **{key: f"{given(DRILL, key)}" for key in updates(DRILL_FIELDS)}},
         expect(DRILL_FIELDS, wrong(), {"delta:2:1": OK, "delta:2:2": OK, "delta:1:1": OK, "delta:1:2": OK,
                                        "b_new:2:1": wrong("bias_not_updated"),
                                        "b_new:2:2": wrong("bias_not_updated"),
                                        "b_new:1:1": wrong("bias_not_updated"),
                                        "b_new:1:2": wrong("bias_not_updated")}), 4),
    # Team decision: θ + k·Δ for every update (6 figures), the δ right: incorrect, no id.
    *[Case(f"drill-every-step-times-{factor}", DRILL,
           lambda factor=factor: written(work(DRILL, step_factor=dict.fromkeys(updates(DRILL_FIELDS), factor)),
                                         DRILL_FIELDS, "{:.6g}"),
           expect(DRILL_FIELDS, wrong(), {"delta:2:1": OK, "delta:2:2": OK, "delta:1:1": OK, "delta:1:2": OK}), 4)
      for factor in (1.4, 0.6, 1.1, 0.9)],
    Case("drill-correctly-rounded-steps", DRILL,
         lambda: {**written(work(DRILL), DRILL_FIELDS), **rounded_step(DRILL, updates(DRILL_FIELDS))},
         expect(DRILL_FIELDS, OK), 16),
    # δ_ŷ1 = ∂L/∂ŷ1 = −0.6640, without σ'(z_ŷ1) = 0.1855.
    Case("drill-missing-activation-derivative-at-y1", DRILL,
         lambda: written(work(DRILL, no_derivative={(2, 1)}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:2:1": wrong("missing_activation_derivative"),
                                   **carried(BELOW_Y1, HIDDEN)}), 15),
    # σ'(ŷ1) = σ'(0.2460) = 0.2463 for σ'(z_ŷ1) = σ'(−1.1202) = 0.1855: δ_ŷ1 = −0.1635 for −0.1232.
    Case("drill-derivative-of-output-at-y1", DRILL,
         lambda: written(work(DRILL, derivative_at_output={(2, 1)}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:2:1": wrong("derivative_of_activation_output"),
                                   **carried(BELOW_Y1, HIDDEN)}), 15),
    Case("drill-target-minus-output-at-y2", DRILL,
         lambda: written(work(DRILL, target_minus_output={2}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:2:2": wrong("target_minus_output"), **carried(BELOW_Y2, HIDDEN)}), 15),
    Case("drill-missing-learning-rate-on-w8", DRILL,
         lambda: written(work(DRILL, no_rate={"w_new:2:2:2"}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"w_new:2:2:2": wrong("missing_learning_rate")}), 15),
    Case("drill-bias-not-updated-b3", DRILL,
         lambda: written(work(DRILL, bias_kept={"b_new:2:1"}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"b_new:2:1": wrong("bias_not_updated")}), 15),
    # δ_h1 from δ_ŷ2's term alone: w6·δ_ŷ2·σ'(z_h1) = 0.02039 for 0.03529.
    Case("drill-partial-sum-at-h1", DRILL,
         lambda: written(work(DRILL, partial={(1, 1): 2}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:1:1": wrong("partial_sum"), **carried(BELOW_H1)}), 15),
    # δ_h2 with w7⁺, w8⁺ for w7, w8: 0.03712 for 0.03880 (4.3 % off).
    Case("drill-updated-weights-at-h2", DRILL,
         lambda: written(work(DRILL, updated_weights={(1, 2)}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:1:2": wrong("updated_weights_in_backprop"), **carried(BELOW_H2)}), 15),
    # w6 (0.83) read for w7 (−0.40) in δ_h2's sum: 0.001597 for 0.03880.
    Case("drill-swapped-in-delta-h2", DRILL,
         lambda: written(work(DRILL, swapped={(1, 2)}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:1:2": wrong("swapped_weight_indices"), **carried(BELOW_H2)}), 15),
    # A plain slip: δ_ŷ1 × 1.2. Nothing in the table gives ×1.2 here: σ'(ŷ1)/σ'(z_ŷ1) = 1.328,
    # c ∈ {½, 2}, without b3 ×1.037, without σ'(z_ŷ1) ×5.39, (y − ŷ) ×(−1).
    Case("drill-slip-times-1.2-at-y1", DRILL,
         lambda: written(work(DRILL, slips={"delta:2:1": 1.2}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:2:1": wrong(), **carried(BELOW_Y1, HIDDEN)}), 15),
    # δ_h2 × 1.2: the partial sums give 0.312 / 0.688 of it, σ'(h2)/σ'(z_h2) = 0.971, updated
    # weights 0.957, swapped weights 0.041, without σ'(z_h2) ×4.07.
    Case("drill-slip-times-1.2-at-h2", DRILL,
         lambda: written(work(DRILL, slips={"delta:1:2": 1.2}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:1:2": wrong(), **carried(BELOW_H2)}), 15),
    # Two unrelated mistakes: σ'(h1) for σ'(z_h1) in δ_h1 (0.04017 for 0.03529), and w8 moved
    # the wrong way.
    Case("drill-two-mistakes-derivative-at-h1-and-ascent-on-w8", DRILL,
         lambda: written(work(DRILL, derivative_at_output={(1, 1)}, ascent={"w_new:2:2:2"}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:1:1": wrong("derivative_of_activation_output"), **carried(BELOW_H1),
                                   "w_new:2:2:2": wrong("gradient_ascent")}), 14),
    # Two unrelated mistakes: 2(ŷ2 − y2) in δ_ŷ2 (c = 2), and b3 not updated.
    Case("drill-two-mistakes-loss-scale-at-y2-and-b3-kept", DRILL,
         lambda: written(work(DRILL, loss_scale={2: 2.0}, bias_kept={"b_new:2:1"}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:2:2": wrong("loss_scale"), **carried(BELOW_Y2, HIDDEN),
                                   "b_new:2:1": wrong("bias_not_updated")}), 14),
    # Hidden δ written 0 and the first layer copied: the copies are degenerate carries.
    Case("drill-hidden-deltas-zero-and-first-layer-copied", DRILL,
         lambda: {**written(work(DRILL), DRILL_FIELDS), "delta:1:1": "0", "delta:1:2": "0",
                  **{key: f"{given(DRILL, key)}" for key in BELOW_H1 + BELOW_H2}},
         expect(DRILL_FIELDS, OK, dict.fromkeys(HIDDEN, wrong())), 8),
    Case("drill-missing-learning-rate-throughout", DRILL,
         lambda: written(work(DRILL, no_rate=set(updates(DRILL_FIELDS))), DRILL_FIELDS),
         expect(DRILL_FIELDS, wrong("missing_learning_rate"),
                {"delta:2:1": OK, "delta:2:2": OK, "delta:1:1": OK, "delta:1:2": OK}), 4),
    Case("drill-gradient-ascent-throughout", DRILL,
         lambda: written(work(DRILL, ascent=set(updates(DRILL_FIELDS))), DRILL_FIELDS),
         expect(DRILL_FIELDS, wrong("gradient_ascent"),
                {"delta:2:1": OK, "delta:2:2": OK, "delta:1:1": OK, "delta:1:2": OK}), 4),
    Case("drill-hidden-deltas-blank", DRILL,
         lambda: {key: text for key, text in written(work(DRILL), DRILL_FIELDS).items()
                  if key not in ("delta:1:1", "delta:1:2")},
         expect(DRILL_FIELDS, OK, {"delta:1:1": BLANK, "delta:1:2": BLANK}), 14),
    Case("drill-opposite-delta-convention", DRILL,
         lambda: written(work(DRILL, negative_delta=True), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"delta:2:1": wrong("opposite_delta_convention"),
                                   "delta:2:2": wrong("opposite_delta_convention"),
                                   "delta:1:1": CARRIED, "delta:1:2": CARRIED}), 14),
    # The forward pass asked too; b1 left out of z_h1 = 0.7299 (for 1.0499). Everything after it
    # is worked from the student's own h1, ŷ and δ: carried where it moved beyond tolerance.
    Case("drill-forward-asked-missing-bias-at-h1", DRILL,
         lambda: written(work(DRILL, omit_bias={(1, 1)}), DRILL_FORWARD),
         expect(DRILL_FORWARD, CARRIED, {
             "z:1:1": wrong("missing_bias"), "z:1:2": OK, "a:1:2": OK,
             # Within 1 % of the true value all the same: δ_ŷ1 −0.1243 (t −0.1232, 0.89 of r(t)),
             # δ_ŷ2 and what reads only h2 and δ_ŷ2, or δ_ŷ1 and h2.
             "delta:2:1": OK, "delta:2:2": OK, "w_new:2:1:2": OK, "w_new:2:2:2": OK, "b_new:2:1": OK,
             "b_new:2:2": OK, "delta:1:2": OK, "w_new:1:2:1": OK, "w_new:1:2:2": OK, "b_new:1:2": OK}), 24),
    Case("drill-precision-4-decimals", DRILL,
         lambda: written(work(DRILL, rounding=to_decimals(4)), DRILL_FIELDS, "{:.4f}"),
         expect(DRILL_FIELDS, OK), 16),
    Case("drill-slow-all-correct", DRILL_SLOW, lambda: written(work(DRILL_SLOW), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK), 16),
    # η = 0.1: the step without η is 10 times the true one.
    Case("drill-slow-missing-learning-rate-on-w3", DRILL_SLOW,
         lambda: written(work(DRILL_SLOW, no_rate={"w_new:1:2:1"}), DRILL_FIELDS),
         expect(DRILL_FIELDS, OK, {"w_new:1:2:1": wrong("missing_learning_rate")}), 15),

    # ------------------------------------------------------------------ tanh 3-3-2, ½·SSE
    Case("tanh-all-correct", TANH, lambda: written(work(TANH), TANH_FIELDS), expect(TANH_FIELDS, OK), 25),
    # δ⁽¹⁾₂ = ∂L/∂a⁽¹⁾₂ = −0.06327, without tanh'(z) = 0.4121.
    Case("tanh-missing-activation-derivative-at-h2", TANH,
         lambda: written(work(TANH, no_derivative={(1, 2)}), TANH_FIELDS),
         expect(TANH_FIELDS, OK, {"delta:1:2": wrong("missing_activation_derivative"),
                                  **carried(TANH_BELOW[1, 2])}), 24),
    # 1 − tanh²(ŷ2) = 0.5231 for 1 − tanh²(z_ŷ2) = 0.2791: δ_ŷ2 = 0.1251 for 0.06672.
    Case("tanh-derivative-of-output-at-y2", TANH,
         lambda: written(work(TANH, derivative_at_output={(2, 2)}), TANH_FIELDS),
         expect(TANH_FIELDS, OK, {"delta:2:2": wrong("derivative_of_activation_output"),
                                  **carried(TANH_BELOW[2, 2], TANH_HIDDEN)}), 24),
    # 2(ŷ1 − y1) for ½·SSE's (ŷ1 − y1).
    Case("tanh-loss-scale-2-at-y1", TANH,
         lambda: written(work(TANH, loss_scale={1: 2.0}), TANH_FIELDS),
         expect(TANH_FIELDS, OK, {"delta:2:1": wrong("loss_scale"),
                                  **carried(TANH_BELOW[2, 1], TANH_HIDDEN)}), 24),
    # δ⁽¹⁾₁ from ŷ2's term alone: −0.01724 for −0.01933.
    Case("tanh-partial-sum-at-h1", TANH,
         lambda: written(work(TANH, partial={(1, 1): 2}), TANH_FIELDS),
         expect(TANH_FIELDS, OK, {"delta:1:1": wrong("partial_sum"), **carried(TANH_BELOW[1, 1])}), 24),
    # b⁽²⁾₁ left out of z_ŷ1: δ_ŷ1 = −0.1627 for −0.01904.
    Case("tanh-missing-bias-at-y1", TANH,
         lambda: written(work(TANH, omit_bias={(2, 1)}), TANH_FIELDS),
         expect(TANH_FIELDS, OK, {"delta:2:1": wrong("missing_bias"),
                                  **carried(TANH_BELOW[2, 1], TANH_HIDDEN)}), 24),
    # δ⁽¹⁾₁ with W⁽²⁾⁺[k][1] for W⁽²⁾[k][1]: −0.01844 for −0.01933.
    Case("tanh-updated-weights-at-h1", TANH,
         lambda: written(work(TANH, updated_weights={(1, 1)}), TANH_FIELDS),
         expect(TANH_FIELDS, OK, {"delta:1:1": wrong("updated_weights_in_backprop"),
                                  **carried(TANH_BELOW[1, 1])}), 24),
    Case("tanh-gradient-ascent-on-b-h2", TANH,
         lambda: written(work(TANH, ascent={"b_new:1:2"}), TANH_FIELDS),
         expect(TANH_FIELDS, OK, {"b_new:1:2": wrong("gradient_ascent")}), 24),
    Case("tanh-opposite-delta-convention", TANH,
         lambda: written(work(TANH, negative_delta=True), TANH_FIELDS),
         expect(TANH_FIELDS, OK, {"delta:2:1": wrong("opposite_delta_convention"),
                                  "delta:2:2": wrong("opposite_delta_convention"),
                                  "delta:1:1": CARRIED, "delta:1:2": CARRIED, "delta:1:3": CARRIED}), 23),
    Case("tanh-precision-4-decimals", TANH,
         lambda: written(work(TANH, rounding=to_decimals(4)), TANH_FIELDS, "{:.4f}"),
         # b⁽¹⁾₂⁺ = 0.0031 for 0.003037: 2.0 allowances from t, 1.6 from its ECF 0.00305.
         expect(TANH_FIELDS, OK, {"b_new:1:2": wrong()}), 24),
    # Three figures cannot show most steps (a weight near 0.5 moves in its 3rd decimal): those
    # updates are incorrect, or carried where the student's own δ rounds them onto their ECF.
    Case("tanh-precision-3-figures", TANH,
         lambda: written(work(TANH, rounding=to_figures(3)), TANH_FIELDS, "{:.3g}"),
         expect(TANH_FIELDS, wrong(), {
             "delta:2:2": OK, "w_new:2:1:3": CARRIED, "w_new:2:2:3": OK, "b_new:2:2": OK, "delta:1:1": OK,
             "delta:1:2": OK, "delta:1:3": OK, "w_new:1:2:2": OK, "w_new:1:2:3": CARRIED, "w_new:1:3:1": CARRIED,
             "w_new:1:3:3": OK, "b_new:1:2": CARRIED, "b_new:1:3": CARRIED}), 13),

    # ------------------------------------------------------------------ ReLU 2-3-1, linear output
    # The inactive unit's δ is exactly 0, and so are the steps of its weights, its bias and the
    # weight leaving it: "0" and the copied values are correct.
    Case("relu-all-correct", RELU, lambda: written(work(RELU), RELU_FIELDS), expect(RELU_FIELDS, OK), 17),
    # The inactive unit's δ without ReLU'(z) = 0: W⁽²⁾[1][3]·δ_ŷ = 1.147.
    Case("relu-missing-derivative-at-inactive-unit", RELU,
         lambda: written(work(RELU, no_derivative={(1, 3)}), RELU_FIELDS),
         expect(RELU_FIELDS, OK, {"delta:1:3": wrong("missing_activation_derivative"),
                                  **carried(RELU_BELOW[1, 3])}), 16),
    # An exact 0 takes only |s| ≤ 1e-12.
    Case("relu-inactive-delta-written-1e-5", RELU,
         lambda: {**written(work(RELU), RELU_FIELDS), "delta:1:3": "0.00001"},
         expect(RELU_FIELDS, OK, {"delta:1:3": wrong()}), 16),
    # b⁽²⁾ left out: δ_ŷ = 1.5603 for 1.1703 (×1.333, not a loss scale ½ or 2).
    Case("relu-missing-bias-at-output", RELU,
         lambda: written(work(RELU, omit_bias={(2, 1)}), RELU_FIELDS),
         expect(RELU_FIELDS, OK, {"delta:2:1": wrong("missing_bias"), **carried(RELU_ACTIVE_BELOW)}), 16),
    Case("relu-loss-scale-2", RELU,
         lambda: written(work(RELU, loss_scale={1: 2.0}), RELU_FIELDS),
         expect(RELU_FIELDS, OK, {"delta:2:1": wrong("loss_scale"), **carried(RELU_ACTIVE_BELOW)}), 16),
    Case("relu-target-minus-output", RELU,
         lambda: written(work(RELU, target_minus_output={1}), RELU_FIELDS),
         expect(RELU_FIELDS, OK, {"delta:2:1": wrong("target_minus_output"), **carried(RELU_ACTIVE_BELOW)}), 16),
    # Zero effort scores where the true value IS zero effort: the inactive unit's δ and the
    # four parameters whose true step is exactly 0.
    Case("relu-zero-effort", RELU,
         lambda: {**dict.fromkeys(RELU_FIELDS, "0"),
                  **{key: f"{given(RELU, key)}" for key in updates(RELU_FIELDS)}},
         expect(RELU_FIELDS, wrong(), {"delta:1:3": OK, "w_new:2:1:3": OK, **dict.fromkeys(RELU_BELOW[1, 3], OK)}),
         5),
    # ∂L/∂W⁽²⁾[1][3] = δ_ŷ·z⁽¹⁾₃ = −0.1703 for δ_ŷ·a⁽¹⁾₃ = 0; its update follows from it.
    Case("relu-pre-activation-of-inactive-unit", RELU,
         lambda: written(work(RELU, preactivation={(2, 1, 3)}), RELU_GRADIENTS),
         expect(RELU_GRADIENTS, OK, {"dL_dw:2:1:3": wrong("pre_activation_as_input"), "w_new:2:1:3": CARRIED}),
         25),
    Case("relu-precision-4-decimals", RELU,
         lambda: written(work(RELU, rounding=to_decimals(4)), RELU_FIELDS, "{:.4f}"),
         expect(RELU_FIELDS, OK), 17),
    Case("relu-precision-3-figures", RELU,
         lambda: written(work(RELU, rounding=to_figures(3)), RELU_FIELDS, "{:.3g}"),
         # b⁽¹⁾₂⁺ = 0.44 − 0.5·0.924 = −0.022 exactly: 1.24 allowances from t = −0.02228, and
         # exactly its ECF from the student's δ⁽¹⁾₂ = 0.924.
         expect(RELU_FIELDS, OK, {"b_new:1:2": CARRIED}), 17),

    # ------------------------------------------------------------------ softmax 3-4-3, cross-entropy
    Case("softmax-all-correct", SOFTMAX, lambda: written(work(SOFTMAX), SOFTMAX_FIELDS),
         expect(SOFTMAX_FIELDS, OK), 38),
    # δ⁽¹⁾₂ from ŷ2's term alone: −0.03932 for 0.09693.
    Case("softmax-partial-sum-at-h2", SOFTMAX,
         lambda: written(work(SOFTMAX, partial={(1, 2): 2}), SOFTMAX_FIELDS),
         expect(SOFTMAX_FIELDS, OK, {"delta:1:2": wrong("partial_sum"), **carried(SOFTMAX_BELOW[1, 2])}), 37),
    Case("softmax-missing-activation-derivative-at-h4", SOFTMAX,
         lambda: written(work(SOFTMAX, no_derivative={(1, 4)}), SOFTMAX_FIELDS),
         expect(SOFTMAX_FIELDS, OK, {"delta:1:4": wrong("missing_activation_derivative"),
                                     **carried(SOFTMAX_BELOW[1, 4])}), 37),
    # y3 − ŷ3 for ŷ3 − y3 in the fused softmax/cross-entropy δ.
    Case("softmax-target-minus-output-at-y3", SOFTMAX,
         lambda: written(work(SOFTMAX, target_minus_output={3}), SOFTMAX_FIELDS),
         expect(SOFTMAX_FIELDS, OK, {"delta:2:3": wrong("target_minus_output"),
                                     **carried(SOFTMAX_BELOW[2, 3], SOFTMAX_HIDDEN)}), 37),
    # σ'(a⁽¹⁾₁) = 0.2358 for σ'(z⁽¹⁾₁) = 0.2498: δ⁽¹⁾₁ = 0.01659 for 0.01758.
    Case("softmax-derivative-of-output-at-h1", SOFTMAX,
         lambda: written(work(SOFTMAX, derivative_at_output={(1, 1)}), SOFTMAX_FIELDS),
         expect(SOFTMAX_FIELDS, OK, {"delta:1:1": wrong("derivative_of_activation_output"),
                                     **carried(SOFTMAX_BELOW[1, 1])}), 37),
    Case("softmax-gradient-ascent-on-one-weight", SOFTMAX,
         lambda: written(work(SOFTMAX, ascent={"w_new:1:3:2"}), SOFTMAX_FIELDS),
         expect(SOFTMAX_FIELDS, OK, {"w_new:1:3:2": wrong("gradient_ascent")}), 37),
    Case("softmax-zero-effort", SOFTMAX,
         lambda: {**dict.fromkeys(SOFTMAX_FIELDS, "0"),
                  **{key: f"{given(SOFTMAX, key)}" for key in updates(SOFTMAX_FIELDS)}},
         expect(SOFTMAX_FIELDS, wrong()), 0),
    Case("softmax-precision-4-decimals", SOFTMAX,
         lambda: written(work(SOFTMAX, rounding=to_decimals(4)), SOFTMAX_FIELDS, "{:.4f}"),
         expect(SOFTMAX_FIELDS, OK), 38),

    # ------------------------------------------------------------------ 2-2-2-2, two hidden layers
    Case("deep-all-correct", DEEP, lambda: written(work(DEEP), DEEP_FIELDS), expect(DEEP_FIELDS, OK), 24),
    # ∂L/∂W⁽²⁾[1][2] = δ⁽²⁾₁·z⁽¹⁾₂ = 0.02027 for δ⁽²⁾₁·a⁽¹⁾₂ = 0.03155; the update follows from it.
    Case("deep-pre-activation-in-layer-2", DEEP,
         lambda: written(work(DEEP, preactivation={(2, 1, 2)}), DEEP_GRADIENTS),
         expect(DEEP_GRADIENTS, OK, {"dL_dw:2:1:2": wrong("pre_activation_as_input"),
                                     "w_new:2:1:2": CARRIED}), 35),
    # ∂L/∂W⁽³⁾[2][1] = δ⁽³⁾₂·z⁽²⁾₁ = 0.02428 for δ⁽³⁾₂·a⁽²⁾₁ = 0.06477.
    Case("deep-pre-activation-in-layer-3", DEEP,
         lambda: written(work(DEEP, preactivation={(3, 2, 1)}), DEEP_GRADIENTS),
         expect(DEEP_GRADIENTS, OK, {"dL_dw:3:2:1": wrong("pre_activation_as_input"),
                                     "w_new:3:2:1": CARRIED}), 35),
    # δ⁽²⁾₁ with W⁽³⁾⁺[k][1]: 0.05134 for 0.05309; layer 1 follows from it.
    Case("deep-updated-weights-at-layer-2-unit-1", DEEP,
         lambda: written(work(DEEP, updated_weights={(2, 1)}), DEEP_FIELDS),
         # w_new:1:1:1 moves by 0.52 of its allowance only: correct, not carried.
         expect(DEEP_FIELDS, OK, {"delta:2:1": wrong("updated_weights_in_backprop"),
                                  **carried(DEEP_BELOW[2, 1], DEEP_LAYER_1), "w_new:1:1:1": OK}), 23),
    # δ⁽¹⁾₂ with W⁽²⁾⁺[k][2]: −0.01150 for −0.01128, written "-0.0115". Not a precision slip:
    # with every intermediate rounded to 3 figures δ⁽¹⁾₂ is −0.0113 (σ' from the rounded z) or
    # −0.0114 (σ' = a(1 − a) from the rounded a), so −0.0115 is not "within that rounding" (half
    # a unit of the 3rd figure) of either; only a window of a whole unit would reach it.
    Case("deep-updated-weights-at-layer-1-unit-2", DEEP,
         lambda: written(work(DEEP, updated_weights={(1, 2)}), DEEP_FIELDS),
         # δ⁽¹⁾₂ −0.0115 for −0.01128 (1.9 %): only w_new:1:2:2 (x2 = 0.53) moves beyond tolerance.
         expect(DEEP_FIELDS, OK, {"delta:1:2": wrong("updated_weights_in_backprop"), "w_new:1:2:2": CARRIED}), 23),
    # Every hidden δ with the already-updated outgoing weights (the student's own W⁽³⁾⁺ and
    # W⁽²⁾⁺): layer 1's δ are not carried, their ECF reads the weights before the update.
    # δ⁽¹⁾₁ is also matched by σ'(a⁽¹⁾₁) at its own unit (within 1 %), but that explains no
    # other wrong field while updated weights explain all four: rule d keeps the latter.
    Case("deep-updated-weights-throughout", DEEP,
         lambda: written(work(DEEP, updated_weights={(1, 1), (1, 2), (2, 1), (2, 2)}), DEEP_FIELDS),
         expect(DEEP_FIELDS, OK, {**dict.fromkeys(("delta:2:1", "delta:2:2", "delta:1:1", "delta:1:2"),
                                                  wrong("updated_weights_in_backprop")),
                                  **carried(DEEP_BELOW[2, 1], DEEP_BELOW[2, 2], DEEP_BELOW[1, 1],
                                            DEEP_BELOW[1, 2])}), 20),
    # δ⁽²⁾₂ from δ⁽³⁾₁'s term alone: 0.005104 for −0.01461.
    Case("deep-partial-sum-at-layer-2-unit-2", DEEP,
         lambda: written(work(DEEP, partial={(2, 2): 1}), DEEP_FIELDS),
         expect(DEEP_FIELDS, OK, {"delta:2:2": wrong("partial_sum"),
                                  **carried(DEEP_BELOW[2, 2], DEEP_LAYER_1)}), 23),
    # W⁽²⁾[1][2] (−0.65) read for W⁽²⁾[2][1] (0.49) in δ⁽¹⁾₁'s sum: 0.01564 for 0.01148.
    Case("deep-swapped-in-layer-1-unit-1", DEEP,
         lambda: written(work(DEEP, swapped={(1, 1)}), DEEP_FIELDS),
         expect(DEEP_FIELDS, OK, {"delta:1:1": wrong("swapped_weight_indices"), **carried(DEEP_BELOW[1, 1])}), 23),
    Case("deep-zero-effort", DEEP,
         lambda: {**dict.fromkeys(DEEP_FIELDS, "0"),
                  **{key: f"{given(DEEP, key)}" for key in updates(DEEP_FIELDS)}},
         expect(DEEP_FIELDS, wrong()), 0),
    Case("deep-precision-3-figures", DEEP,
         lambda: written(work(DEEP, rounding=to_figures(3)), DEEP_FIELDS, "{:.3g}"),
         expect(DEEP_FIELDS, OK, {"w_new:3:2:1": wrong(), "b_new:3:2": CARRIED, "w_new:2:1:2": wrong(),
                                  "w_new:2:2:1": wrong(), "w_new:2:2:2": wrong(), "w_new:1:1:1": wrong(),
                                  "w_new:1:2:1": wrong(), "b_new:1:2": wrong()}), 17),
    Case("deep-precision-3-decimals", DEEP,
         lambda: written(work(DEEP, rounding=to_decimals(3)), DEEP_FIELDS, "{:.3f}"),
         expect(DEEP_FIELDS, wrong(), {"delta:3:1": OK, "delta:3:2": OK, "w_new:3:1:1": OK, "w_new:3:1:2": OK,
                                       "b_new:3:1": OK, "delta:2:1": OK, "w_new:2:1:1": OK, "w_new:1:1:2": OK,
                                       "w_new:1:2:2": OK}), 9),

    # ------------------------------------------------------------------ a tiny δ (−2.393e-5)
    Case("tiny-all-correct", TINY, lambda: written(work(TINY), TINY_FIELDS), expect(TINY_FIELDS, OK), 4),
    # ±42 % of a tiny δ is far outside 1 % (+ u = 5.1e-9): no absolute floor lets it through.
    Case("tiny-delta-plus-42-percent", TINY,
         lambda: written(work(TINY, slips={"delta:1:1": 1.42}), TINY_FIELDS),
         expect(TINY_FIELDS, OK, {"delta:1:1": wrong()}), 3),
    Case("tiny-delta-minus-42-percent", TINY,
         lambda: written(work(TINY, slips={"delta:1:1": 0.58}), TINY_FIELDS),
         expect(TINY_FIELDS, OK, {"delta:1:1": wrong()}), 3),
]


EVERYTHING = ("z", "a", "loss", "delta", "dL_dw", "w_new", "b_new")
NETWORKS = {"seed": SEED, "drill": DRILL, "drill-slow": DRILL_SLOW, "tanh": TANH, "relu": RELU,
            "softmax": SOFTMAX, "deep": DEEP, "tiny": TINY}


def all_keys(spec):
    """Every forward value, the loss, and every backward and update field of ``spec``."""
    sizes = spec["layers"]
    forward = tuple(f"{quantity}:{l}:{j}" for l in range(1, len(sizes)) for j in range(1, sizes[l] + 1)
                    for quantity in ("z", "a"))
    return forward + ("loss",) + fields(spec, EVERYTHING)


def test_the_hand_worked_seed_matches_the_seed_posts_numbers():
    values = work(SEED)
    assert values["z:1:1"] == pytest.approx(0.21)                 # a_h1 = 0.5·0.1 + (−0.3)(−0.2) + 0.1
    assert values["z:1:2"] == pytest.approx(-0.07)                # a_h2 = 0.5·0.3 + (−0.3)(0.4) − 0.1
    assert values["a:1:1"] == pytest.approx(1 / (1 + math.exp(-0.21)))
    assert values["dL_dw:2:1:1"] == pytest.approx(0.0474331, abs=5e-8)   # the post's ∂L/∂w5
    assert values["w_new:2:1:1"] == pytest.approx(0.5 - 0.5 * 0.0474331, abs=5e-8)


@pytest.mark.parametrize("name", NETWORKS)
def test_the_graders_true_values_are_the_hand_worked_ones(name):
    spec = NETWORKS[name]
    keys = all_keys(spec)
    result = grade_submission(spec, keys, {}, GradingSettings(answer_digits=4))
    values = work(spec)
    assert {key: result.fields[key].expected for key in keys} == pytest.approx(
        {key: values[key] for key in keys}, rel=1e-9, abs=1e-15)


def test_the_table_is_well_formed():
    names = [case.name for case in CASES]
    assert len(CASES) >= 45 and len(names) == len(set(names))
    for case in CASES:
        for key, (status, ids) in case.expected.items():
            assert status in ("correct", "carried", "incorrect", "blank"), (case.name, key)
            assert set(ids) <= set(MISCONCEPTION_IDS), (case.name, key, ids)
            assert not ids or status == "incorrect", (case.name, key)
        # ECF credit is 1.0: the score counts the correct and the carried fields.
        credited = sum(status in ("correct", "carried") for status, _ in case.expected.values())
        assert case.score == credited, case.name
        assert set(case.answers()) <= set(case.expected), case.name


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in CASES])
def test_teacher_case(case):
    result = grade_submission(case.network, tuple(case.expected), case.answers(),
                              GradingSettings(answer_digits=4))
    got = {key: (grade.status, tuple(grade.misconceptions)) for key, grade in result.fields.items()}
    accused = {key: sorted(set(ids) - set(case.expected[key][1])) for key, (_, ids) in got.items()
               if set(ids) - set(case.expected[key][1])}
    mismatched = {key: {"expected": want, "got": got.get(key)} for key, want in case.expected.items()
                  if got.get(key) is None or got[key][0] != want[0] or set(got[key][1]) != set(want[1])}
    assert not accused, {"misconceptions named that the case does not expect": accused,
                         "all mismatches": mismatched}
    assert not mismatched, mismatched
    assert result.score == pytest.approx(case.score)
