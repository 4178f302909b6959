"""Seeded generation of exercises from templates (SPEC §5).

Try n of seed s draws every given value from ``numpy.random.default_rng([s, n])``: a generator
of its own, seeded from the pair alone, so the same template and seed give the same exercise on
any machine and in any process. Values are drawn as integers on the template's decimal grid and
divided by 10ᵈ, which yields the float nearest the shown decimal (``round(v, d) == v``), so what
is shown is exactly what the engine computes with. Tries run until one passes the good-exercise
conditions (``quality.assess``); after 1,000 the template is declared unusable.
"""

from collections import Counter

import numpy as np

from tracer import normalize, trace
from tracer.keys import parse_key

from .exercise import Exercise
from .fields import fields_for
from .knobs import TemplateError
from .network import build_spec
from .quality import assess
from .template import Template

MAX_TRIES = 1000
MAX_SEED = 2 ** 63 - 1      # seeds are stored in a signed 64-bit column


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
    inputs = _draw(template.inputs, rng, layers[0])
    targets = template.target_values()
    if targets == "one_hot":
        hot = int(rng.integers(layers[-1]))
        targets = [1.0 if j == hot else 0.0 for j in range(layers[-1])]
    else:
        targets = _draw(targets, rng, layers[-1])
    return build_spec(template, weights, biases, inputs, targets)


def generate(template: Template, seed: int) -> Exercise:
    """The exercise of ``template`` and ``seed``: the first try, of at most 1,000, that makes a
    good hand exercise. Raises TemplateError naming the condition that failed most when none
    does, and TemplateError with key ``seed`` for a seed that is not an integer in [0, 2⁶³)."""
    if not isinstance(template, Template):
        raise TypeError(f"generate() needs a Template, got {type(template).__name__}")
    if type(seed) is not int or not 0 <= seed <= MAX_SEED:
        raise TemplateError("seed", f"must be an integer from 0 to 2^63 − 1; got {seed!r}")
    asked = template.asked_quantities()
    failures = Counter()
    fields = located = None
    for attempt in range(1, MAX_TRIES + 1):
        spec = normalize(_draw_spec(template, np.random.default_rng([seed, attempt])))
        if fields is None:   # the same on every try: fields depend on the network's shape only
            fields = fields_for(spec, asked)
            located = {field.key: parse_key(field.key) for field in fields}
        result = trace(spec)
        expected = {key: result.value(*position) for key, position in located.items()}
        verdict = assess(spec, result, expected, template.answer_digits, located)
        if verdict.digits is not None:
            return Exercise(
                template=template.to_dict(), seed=seed, spec=spec, fields=fields,
                answer_digits=verdict.digits, tolerance=dict(template.tolerance),
                attempts=template.attempts, ecf_credit=template.ecf_credit,
                feedback=template.feedback, reveal=template.reveal, expected=expected)
        failures[verdict.reason] += 1
    reason, count = failures.most_common(1)[0]
    raise TemplateError(None, f"could not generate a good exercise in {MAX_TRIES} tries: "
                              f"{reason} ({count} of {MAX_TRIES} tries)")
