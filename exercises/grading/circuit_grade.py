"""Grading a circuit submission (SPEC §6 rules on SPEC §10's fields): compare, carry errors
forward along the graph, diagnose the circuit misconceptions.

The rules are the network's: the same parsing, comparison (:class:`Comparison`), statuses,
messages and "shows work" rule; what differs is the model (:class:`CircuitModel`: a key's
formula with the student's upstream answers) and the sites (:func:`circuit_sites`).
"""
import json
import math
from functools import lru_cache

from exercises.grading.circuit_mistakes import circuit_sites
from exercises.grading.circuit_model import CircuitModel
from exercises.grading.grade import parse_submission
from exercises.grading.messages import render
from exercises.grading.results import GradedField, SubmissionResult
from exercises.grading.settings import GradingSettings
from exercises.grading.tolerance import round_sig
from tracer import ENGINE_VERSION

# How a student who keeps few digits rounds every intermediate value (SPEC §6 step 4a).
_ROUNDINGS = [lambda v, k=k: round(v, k) for k in (2, 3, 4)] + \
             [lambda v, k=k: round_sig(v, k) if v == v and abs(v) != float("inf") else v for k in (2, 3)]
_SAME_NUMBER = 1e-9


@lru_cache(maxsize=256)
def _model(canonical_spec: str) -> CircuitModel:
    return CircuitModel(json.loads(canonical_spec))


def model_of(spec: dict) -> CircuitModel:
    """The (cached) grading model of a circuit exercise's spec."""
    return _model(json.dumps(spec, sort_keys=True))


def symbol(model, key: str) -> str:
    """The symbol of a circuit key: ``q``, ``∂f/∂x``, ``∂q/∂x``."""
    quantity, name, *arg = key.split(":")
    if quantity == "value":
        return name
    return f"∂{model.output}/∂{name}" if quantity == "grad" else f"∂{name}/∂{arg[0]}"


class _Submission:
    """What the fields of one submission share: answers, true and ECF values, site evaluations."""

    def __init__(self, model, keys, parsed, submitted, settings, symbols):
        self.net, self.keys, self.parsed, self.submitted = model, keys, parsed, submitted
        self.cmp, self.settings, self.symbols = settings.comparison, settings, symbols
        self.true = model.true
        self.patches = {k: v for k, v in parsed.items() if v is not None}
        self.ecf = model.evaluate(self.patches)
        self.sites = circuit_sites(model)
        self._evaluations = {}
        self._rounded = None

    def of(self, key):
        return self.symbols.get(key) or symbol(self.net, key)

    def answers_of(self, keys):
        return " & ".join(f"{self.of(k)} = {self.submitted[k].strip()}" for k in keys)

    def cone(self, key):
        """(inside, frontier): the key's formula expanded through unasked keys, and the asked
        keys where the expansion stops."""
        inside, frontier, todo = {key}, [], list(self.net.depends(key))
        while todo:
            k = todo.pop(0)
            if k in self.keys:
                if k not in frontier:
                    frontier.append(k)
            elif k not in inside:
                inside.add(k)
                todo.extend(self.net.depends(k))
        return inside, [k for k in self.keys if k in frontier]

    def correct(self, key, value, target):
        return self.cmp.matches(value, target)

    def within(self, value, target):
        """Within the tolerance; never for a value recomputed from an answer near 1e308 that
        overflowed to inf or nan (it matches nothing)."""
        return math.isfinite(value) and math.isfinite(target) and self.cmp.within(value, target)

    def evaluation(self, site, student):
        """Every key's own value with the mistake at ``site``, from true upstream values or
        (``student``) from the student's answers; computed once per submission."""
        if (site, student) not in self._evaluations:
            self._evaluations[site, student] = self.net.evaluate(self.patches if student else {}, site)
        return self._evaluations[site, student]

    def explains(self, site, key):
        """Whether the mistake at ``site``, from true or from the student's upstream values,
        gives the student's answer to ``key`` and changes it beyond the tolerance."""
        value = self.parsed[key]
        for student, base in ((False, self.true), (True, self.ecf)):
            altered = self.evaluation(site, student)[key]
            if self.within(value, altered) and not self.within(altered, base[key]):
                return True
        return False

    def contradicted(self, site, key):
        """Whether another answered field shows the student did not make this mistake there."""
        altered = self.evaluation(site, True)
        for other in self.keys:
            answer = self.parsed[other]
            if other == key or answer is None or self.within(altered[other], self.ecf[other]):
                continue
            if self.correct(other, answer, self.true[other]) or self.correct(other, answer, self.ecf[other]):
                return True
        return False

    def imprecise(self, key, value):
        true = self.true[key]
        if self.correct(key, value, 0.0) and not self.correct(key, 0.0, true):
            return False
        if true != 0 and any(abs(value - round_sig(true, k)) <= _SAME_NUMBER * abs(true)
                             for k in range(1, self.cmp.digits)):
            return True
        if self._rounded is None:
            self._rounded = [(keep, self.net.evaluate({}, rounding=keep)) for keep in _ROUNDINGS]
        for keep, values in self._rounded:
            rounded = keep(values[key])
            if rounded != true and abs(value - rounded) <= _SAME_NUMBER * max(abs(rounded), 1e-300):
                return True
        return False


def _grade(sub, key, status, credit, parts, **extra):
    return GradedField(key=key, submitted=sub.submitted[key], parsed=sub.parsed[key], expected=sub.true[key],
                      tolerance=sub.settings.tolerance.describe(sub.settings.answer_digits), status=status,
                      credit=credit, parts=tuple(parts), message=render(parts), **extra)


def _first_pass(sub, key):
    value = sub.parsed[key]
    if value is None:
        return _grade(sub, key, "blank", 0.0, [("blank", {})])
    if sub.correct(key, value, sub.true[key]):
        return _grade(sub, key, "correct", 1.0, [("correct", {})])
    answered = [k for k in sub.cone(key)[1] if sub.parsed[k] is not None]
    wrong = tuple(k for k in answered if not sub.correct(k, sub.parsed[k], sub.true[k]))
    sources = wrong or tuple(answered)
    if sources and sub.correct(key, value, sub.ecf[key]):
        listed = {"sources": sub.answers_of(sources)}
        nothing = 0.0 if not key.startswith("value:") else None
        if nothing is not None and sub.correct(key, nothing, sub.ecf[key]) \
                and not sub.correct(key, nothing, sub.true[key]):
            return _grade(sub, key, "incorrect", 0.0, [("no_follow_through_zero", listed)], carried_from=sources)
        kind = "carried_inexact" if not wrong else "carried" if len(sources) == 1 else "carried_many"
        return _grade(sub, key, "carried", float(sub.settings.ecf_credit), [(kind, listed)], carried_from=sources)
    return None


def _findings(sub, key, wrong):
    inside = sub.cone(key)[0]
    found = {}
    for site in sub.sites:
        targets = sorted(site.scope & inside)
        if targets and sub.explains(site, key) and not sub.contradicted(site, key):
            found.setdefault(site.mistake.id, (site, key if key in site.scope else targets[0]))
    if len(found) > 1:  # keep the mistakes that also explain another wrong answer
        also = {mistake: hit for mistake, hit in found.items()
                if any(other != key and any(sub.explains(site, other) for site in sub.sites
                                            if site.mistake.id == mistake) for other in wrong)}
        found = also
    return found


def _diagnosed(sub, key, wrong):
    value = sub.parsed[key]
    if sub.imprecise(key, value):
        return _grade(sub, key, "incorrect", 0.0, [("precision", {"digits": sub.cmp.digits})])
    found = _findings(sub, key, wrong)
    if len(found) == 1 and sub.settings.feedback:
        (mistake, (site, target)), = found.items()
        parts = [("misconception." + mistake, site.mistake.params(sub, target, site.param, key))]
        if target != key:
            parts.insert(0, ("upstream", {}))
        return _grade(sub, key, "incorrect", 0.0, parts, misconceptions=(mistake,))
    if len(found) > 1 and sub.settings.feedback:
        return _grade(sub, key, "incorrect", 0.0, [("ambiguous", {})])
    return _grade(sub, key, "incorrect", 0.0, [("incorrect", {})],
                  misconceptions=tuple(found) if len(found) == 1 else ())


def field_keys_of(model) -> set:
    """The keys a circuit exercise may ask: node values, local gradients, gradients but the output's."""
    return {k for k in model.true if k != f"grad:{model.output}"}


def grade_circuit(spec: dict, field_keys, answers, settings: GradingSettings | None = None,
                  symbols=None) -> SubmissionResult:
    """Grade ``answers`` to a circuit exercise's fields; InvalidSubmission as for networks."""
    settings = settings or GradingSettings()
    model = model_of(spec)
    keys = tuple(field_keys)
    askable = field_keys_of(model)
    if len(set(keys)) != len(keys) or not set(keys) <= askable:
        raise ValueError(f"{sorted(set(keys) - askable) or 'duplicates'}: not fields of this circuit")
    parsed = parse_submission(keys, answers)
    submitted = {k: "" if answers.get(k) is None else answers[k] if isinstance(answers[k], str)
                 else json.dumps(answers[k]) for k in keys}
    sub = _Submission(model, keys, parsed, submitted, settings, dict(symbols or {}))
    fields = {key: _first_pass(sub, key) for key in keys}
    wrong = [key for key, grade in fields.items() if grade is None]
    for key in wrong:
        fields[key] = _diagnosed(sub, key, wrong)
    return SubmissionResult(spec=model.spec, field_keys=keys,
                            answers={k: answers[k] for k in keys if k in answers}, settings=settings,
                            fields=fields, engine_version=ENGINE_VERSION, symbols=dict(symbols or {}))
