"""Seeded generation of exercises from templates (SPEC §5).

Try n of seed s draws every given value from ``numpy.random.default_rng([s, n])``: a generator
of its own, seeded from the pair alone, so the same template and seed give the same exercise on
any machine and in any process. Values are drawn as integers on the template's decimal grid and
divided by 10ᵈ, which yields the float nearest the shown decimal (``round(v, d) == v``), so what
is shown is exactly what the engine computes with.

The answer digits are the template's when it names a number: never changed, tries run until one
passes the good-exercise conditions (``quality``) at them, and after 1,000 the template is
refused with the fewest digits (or the smallest η) that would work. With ``auto`` the exercise
asks for the fewest digits from 4 to 8 at which one of the 1,000 tries passes, and is the first
try that passes there. Where every exercise of a template must ask the same digits (a problem
set's item), ``resolve_digits`` fixes them once for the template.

A template with a given network makes exactly that exercise, with no seed: its conditions are
checked and reported (``GeneratedExercise.conditions``), never regenerated nor refused for.
"""

import json
import math
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

import numpy as np

from exercises.generation.exercise import GeneratedExercise
from exercises.generation.fields import fields_for, locate, value_at
from exercises.generation.knobs import AUTO, MAX_DIGITS, MAX_SEED, TemplateError
from exercises.generation.quality import DIGIT_CHOICES, N_, Assessment
from exercises.generation.spec_builder import build_spec
from exercises.generation.template import Template
from tracer import SpecError, normalize, trace

MAX_TRIES = 1000
PROBE_SEED = 0              # the seed whose tries decide a set item's ``auto`` digits
RESOLVE_SHARE = 0.02        # of those tries that must pass at the digits chosen
# Learning rates a refusal may suggest (see ``_fewest_rate``).
RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)

REFUSED = N_("no good exercise at %(digits)d significant figures in %(tries)d tries (most "
             "often: %(reason)s)")
REFUSED_AUTO = N_("no good exercise at any of 4 to 8 significant figures in %(tries)d tries "
                  "(most often: %(reason)s)")
WOULD_WORK = N_("%(fewest)d significant figures would work")
RATE_WOULD_WORK = N_("a learning rate η of at least %(rate)s would work at %(digits)d "
                     "significant figures")
NOTHING_WORKS = N_("no answer digits up to 8 and no learning rate up to 10 would work")
# What a refusal names as the most frequent failure, without symbols.
REASONS = {
    "z_range": N_("a unit has |z| > 4"),
    "relu_kink": N_("a ReLU unit has |z| < 0.05"),
    "rounds_to_zero": N_("an asked value rounds to 0"),
    "equals_given": N_("an asked value equals a given value"),
    "values_agree": N_("two asked values agree"),
    "step_size": N_("an update's step is under 20 times its rounding allowance"),
}


def _draw(value_range, rng: np.random.Generator, count: int) -> list[float]:
    low, high = value_range.grid()
    scale = 10 ** value_range.decimals
    return [int(k) / scale for k in rng.integers(low, high, size=count, endpoint=True)]


def _draw_spec(template: Template, rng: np.random.Generator) -> dict:
    """One try's network spec: weights layer by layer, then biases, inputs and targets."""
    layers = template.layers
    weights = []
    for l in range(1, len(layers)):
        flat = _draw(template.weights, rng, layers[l] * layers[l - 1])
        weights.append([flat[j * layers[l - 1]:(j + 1) * layers[l - 1]] for j in range(layers[l])])
    if template.bias == "none":
        biases = None
    elif template.bias == "shared":
        biases = _draw(template.biases, rng, len(layers) - 1)
    else:
        biases = [_draw(template.biases, rng, size) for size in layers[1:]]
    inputs, targets = [], []
    for _ in range(template.batch):
        inputs.append(_draw(template.inputs, rng, layers[0]))
        values = template.target_values()
        if values == "one_hot":
            hot = int(rng.integers(layers[-1]))
            targets.append([1.0 if j == hot else 0.0 for j in range(layers[-1])])
        else:
            targets.append(_draw(values, rng, layers[-1]))
    masks = None if template.dropout is None else [
        [_draw_mask(rng, p, n) for p, n in zip(template.dropout, layers[1:-1])]
        for _ in range(template.batch)]
    return build_spec(template, weights, biases, inputs, targets, masks)


def _draw_mask(rng: np.random.Generator, keep: float, units: int) -> list[int]:
    """A dropout mask: each unit kept with probability ``keep``, drawn again while it keeps
    none (a layer with every unit dropped passes nothing on)."""
    while True:
        mask = [int(kept) for kept in rng.random(units) < keep]
        if any(mask):
            return mask


def _assessed(template: Template, spec: dict, located: dict, symbols: dict) -> Assessment:
    """The try ``spec`` traced and checked: ``located`` maps each asked key to its position."""
    result = trace(spec)
    expected = {key: value_at(result, position) for key, position in located.items()}
    return Assessment(spec, result, expected, symbols, template.tolerance, located)


def _tries(template: Template, seed: int) -> Iterator[tuple[Assessment, tuple]]:
    """The assessed tries of ``seed`` with their fields, in order, at most MAX_TRIES."""
    fields = None
    for attempt in range(1, MAX_TRIES + 1):
        spec = normalize(_draw_spec(template, np.random.default_rng([seed, attempt])))
        if fields is None:   # the same on every try: fields depend on the network's shape only
            fields = fields_for(spec, template.asked_quantities())
            located = {field.key: locate(field.key) for field in fields}
            symbols = {field.key: field.symbol for field in fields}
        yield _assessed(template, spec, located, symbols), fields


def _exercise(template: Template, seed: int | None, assessed: Assessment, digits: int,
              fields: tuple, conditions: tuple = ()) -> GeneratedExercise:
    return GeneratedExercise(
        template=template.to_dict(), seed=seed, spec=assessed.spec, fields=fields,
        answer_digits=digits, tolerance=dict(template.tolerance), attempts=template.attempts,
        ecf_credit=template.ecf_credit, feedback=template.feedback, reveal=template.reveal,
        expected=assessed.expected, conditions=conditions)


def generate(template: Template, seed: int | None = None) -> GeneratedExercise:
    """The exercise of ``template`` and ``seed``; see the module docstring.

    Raises TemplateError when no try of 1,000 makes a good exercise at the template's digits
    (its message names what would work), and TemplateError with key ``seed`` for a seed that is
    not an integer in [0, 2³¹) (a given network takes no seed).
    """
    if not isinstance(template, Template):
        raise TypeError(f"generate() needs a Template, got {type(template).__name__}")
    if template.network is not None:
        return _given(template)
    if type(seed) is not int or not 0 <= seed <= MAX_SEED:
        raise TemplateError("seed", f"must be an integer from 0 to {MAX_SEED}; got {seed!r}")
    auto = template.answer_digits == AUTO
    failures = Counter()
    tried = []      # every try, kept for a refusal to say what would work
    best = None     # (digits, assessed, fields): the first try at the fewest digits
    for assessed, fields in _tries(template, seed):
        tried.append(assessed)
        if auto:
            fewest = assessed.fewest_digits()
            if fewest is None:
                failures[assessed.failures(MAX_DIGITS, first_only=True)[0].condition] += 1
            elif best is None or fewest < best[0]:
                best = (fewest, assessed, fields)
                if fewest == DIGIT_CHOICES[0]:
                    break
            continue
        failed = assessed.failures(template.answer_digits, first_only=True)
        if not failed:
            best = (template.answer_digits, assessed, fields)
            break
        failures[failed[0].condition] += 1
    if best is None:
        raise _refusal(template, tried, failures)
    digits, assessed, fields = best
    return _exercise(template, seed, assessed, digits, fields)


def _given(template: Template) -> GeneratedExercise:
    """The exercise on the template's given network: ``auto`` asks for the fewest digits from
    4 to 8 that pass every condition (8 when none does); what fails there is reported."""
    spec = template.network
    fields = fields_for(spec, template.asked_quantities())
    try:
        assessed = _assessed(template, spec, {f.key: locate(f.key) for f in fields},
                             {f.key: f.symbol for f in fields})
    except SpecError as error:   # a valid spec whose values overflow float64 as it runs
        raise TemplateError(f"network.{error.key}" if error.key else "network",
                            error.message, ((error.template, error.params),)) from None
    digits = template.answer_digits
    if digits == AUTO:
        digits = assessed.fewest_digits() or MAX_DIGITS
    return _exercise(template, None, assessed, digits, fields,
                     tuple(assessed.failures(digits)))


def _fewest_rate(template: Template, tried: list[Assessment], digits: int) -> float | None:
    """The smallest learning rate of RATES above the template's at which one of the tries
    passes at ``digits``. A one-step update's step is proportional to η (for SGD, momentum
    and Adam alike), so the tries are judged with their steps scaled, not drawn again; and
    larger steps pass more easily, so the rates are searched by bisection."""
    rates = [rate for rate in RATES if rate > template.learning_rate]

    def works(rate: float) -> bool:
        scale = rate / template.learning_rate
        return any(assessed.passes(digits, scale=scale) for assessed in tried)

    if not rates or not works(rates[-1]):
        return None
    low, high = -1, len(rates) - 1      # rates[high] works; rates[low] does not (or none)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if works(rates[middle]) else (middle, high)
    return rates[high]


def describe(parts, translate=None) -> str:
    """A refusal's message from its (message id, parameters) parts, each translated with
    ``translate(message_id, **parameters)`` (English when None)."""
    translate = translate or (lambda message, **params: message % params)
    rendered = []
    for message, params in parts:
        if "reason" in params:
            params = {**params, "reason": translate(REASONS[params["reason"]])}
        rendered.append(translate(message, **params))
    return "; ".join(rendered)


def _refusal(template: Template, tried: list[Assessment], failures: Counter) -> TemplateError:
    """The error of a template with no good try: what failed most, and what would work (the
    fewest digits at which a try passes, the smallest η with which one would)."""
    condition = failures.most_common(1)[0][0]
    if template.answer_digits == AUTO:
        digits, fewest = MAX_DIGITS, None
        parts = [(REFUSED_AUTO, {"tries": MAX_TRIES, "reason": condition})]
    else:
        digits = template.answer_digits
        parts = [(REFUSED, {"digits": digits, "tries": MAX_TRIES, "reason": condition})]
        fewest = min((found for found in map(Assessment.fewest_digits, tried)
                      if found is not None), default=None)
        if fewest is not None:
            parts.append((WOULD_WORK, {"fewest": fewest}))
    rate = _fewest_rate(template, tried, digits) if condition == "step_size" else None
    if rate is not None:
        parts.append((RATE_WOULD_WORK, {"rate": f"{rate:g}", "digits": digits}))
    if fewest is None and rate is None and condition == "step_size":
        parts.append((NOTHING_WORKS, {}))
    key = "answer_digits" if fewest is not None else "learning_rate" if rate is not None else None
    return TemplateError(key, describe(parts), tuple(parts))


@lru_cache(maxsize=256)
def _resolved(knobs: str) -> int:
    template = Template.from_dict(json.loads(knobs))
    needed = math.ceil(RESOLVE_SHARE * MAX_TRIES)
    passing, failures, tried = Counter(), Counter(), []
    for assessed, _fields in _tries(template, PROBE_SEED):
        tried.append(assessed)
        if assessed.fewest_digits() is None:
            failures[assessed.failures(MAX_DIGITS, first_only=True)[0].condition] += 1
            continue
        for digits in DIGIT_CHOICES:
            passing[digits] += assessed.passes(digits)
        if passing[DIGIT_CHOICES[0]] >= needed:
            break
    if not passing:
        raise _refusal(template, tried, failures)
    return next((digits for digits in DIGIT_CHOICES if passing[digits] >= needed),
                max(DIGIT_CHOICES, key=lambda digits: (passing[digits], -digits)))


def resolve_digits(template: Template) -> int:
    """The answer digits every exercise of ``template`` asks for when they must all ask the
    same (a problem set's item): the template's number, or for ``auto`` the fewest digits from
    4 to 8 that the template meets — at which at least 2 % of the tries of a fixed seed pass,
    so that every seed finds a good try among its 1,000 (all fail with a chance of 0.98¹⁰⁰⁰,
    about 2·10⁻⁹). Raises TemplateError when no try passes at any digits."""
    if template.answer_digits != AUTO:
        return template.answer_digits
    if template.network is not None:
        return generate(template).answer_digits
    return _resolved(json.dumps(template.to_dict(), sort_keys=True))
