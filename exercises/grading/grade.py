"""Grading a submission (SPEC §6): parse, compare, carry errors forward, diagnose.

Plain values in, plain values out: a spec, the asked field keys, the answers as submitted and
the settings; no request, no database.
"""
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from exercises.grading.diagnose import Evidence
from exercises.grading.feedback import Feedback
from exercises.grading.messages import render
from exercises.grading.model import true_values
from exercises.grading.network import GradingNetwork
from exercises.grading.parse import AnswerError, parse_answer
from exercises.grading.results import GradedField, SubmissionResult
from exercises.grading.settings import GradingSettings
from tracer import ENGINE_VERSION, activations, is_circuit


class InvalidSubmission(ValueError):
    """A submission with unreadable or unknown fields; ``errors`` maps each to its reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


@lru_cache(maxsize=256)
def _network(canonical_spec: str) -> GradingNetwork:
    # Exercises are graded many times; their keys and dependency graph are built once.
    return GradingNetwork(json.loads(canonical_spec))


# A registry change (a test's toy activation) must not serve a network built with the old one.
activations.ON_CHANGE.append(_network.cache_clear)


def network_of(spec: dict) -> GradingNetwork:
    """Return the (cached) grading view of an exercise's spec."""
    return _network(json.dumps(spec, sort_keys=True))


def parse_submission(field_keys: Sequence[str], answers: Mapping) -> dict[str, float | None]:
    """Parse every asked field's answer (missing is blank); raise InvalidSubmission naming
    every unknown or unreadable field."""
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping of field keys, got {type(answers).__name__}")
    asked = set(field_keys)
    errors = {str(key): "unknown field" for key in answers if key not in asked}
    parsed = {}
    for key in field_keys:
        try:
            parsed[key] = parse_answer(answers.get(key))
        except AnswerError as error:
            errors[key] = str(error)
    if errors:
        raise InvalidSubmission(errors)
    return parsed


def _checked_fields(net, field_keys):
    keys = tuple(field_keys)
    if len(set(keys)) != len(keys):
        raise ValueError("field_keys has duplicates")
    for key in keys:
        try:
            net.slot(key)
        except KeyError:
            raise ValueError(f"{key!r} is not a computed value of this exercise") from None
    return keys


def grade_submission(spec: dict, field_keys: Sequence[str], answers: Mapping,
                     settings: GradingSettings | None = None, symbols: Mapping[str, str] | None = None
                     ) -> SubmissionResult:
    """Grade ``answers`` (field key → text or JSON number) to the exercise ``spec``'s fields
    (a circuit's, SPEC §10, by :mod:`exercises.grading.circuit_grade`).

    Raises InvalidSubmission when any answer is unreadable or names an unknown field; then
    nothing is graded. ``symbols`` optionally overrides the symbols messages use, by key.
    """
    if is_circuit(spec):
        from exercises.grading.circuit_grade import grade_circuit  # it builds on this module
        return grade_circuit(spec, field_keys, answers, settings, symbols)
    settings = settings or GradingSettings()
    net = network_of(spec)
    keys = _checked_fields(net, field_keys)
    parsed = parse_submission(keys, answers)
    true = true_values(net)
    submitted = {key: _as_text(answers.get(key)) for key in keys}
    feedback = Feedback(net, submitted, symbols, settings.answer_digits)
    # ECF and diagnosis recompute values from the student's answers, which may be any finite
    # float (1e308 included): a recomputation that overflows to inf or nan matches nothing,
    # which is the right verdict, so numpy's warnings about it are noise.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        evidence = Evidence(net, keys, true, parsed, settings.comparison)
        fields = {key: _grade_field(key, parsed[key], evidence, feedback, settings, submitted[key])
                  for key in keys}
        wrong = [key for key, grade in fields.items() if grade is None]
        for key in wrong:
            fields[key] = _diagnosed(key, wrong, evidence, feedback, settings, submitted[key])
    return SubmissionResult(spec=net.spec, field_keys=keys,
                            answers={key: answers[key] for key in keys if key in answers},
                            settings=settings, fields=fields, engine_version=ENGINE_VERSION,
                            symbols=dict(symbols or {}))


def _grade(key, value, evidence, settings, text, status, credit, parts, **extra):
    rule = settings.tolerance.describe(settings.answer_digits)
    if evidence.net.given(key) is not None:
        rule += ", and the step rule"
    return GradedField(key=key, submitted=text, parsed=value, expected=evidence.true[key],
                      tolerance=rule, status=status, credit=credit, parts=tuple(parts),
                      message=render(parts), **extra)


def _grade_field(key, value, evidence, feedback, settings, text):
    """Steps 1–3 of SPEC §6: blank, correct, carried (or a degenerate match); None when the
    field goes on to diagnosis."""
    if value is None:
        return _grade(key, value, evidence, settings, text, "blank", 0.0, [("blank", {})])
    if evidence.correct(key, value, evidence.true[key]):
        return _grade(key, value, evidence, settings, text, "correct", 1.0, [("correct", {})])
    sources, wrong = evidence.carried_from(key)
    if sources and evidence.carries(key, value):
        if not evidence.shows_work(key):
            return _grade(key, value, evidence, settings, text, "incorrect", 0.0,
                          feedback.no_follow_through(key, sources), carried_from=sources)
        return _grade(key, value, evidence, settings, text, "carried", float(settings.ecf_credit),
                      feedback.carried(sources, wrong), carried_from=sources)
    return None


def _diagnosed(key, wrong, evidence, feedback, settings, text):
    """Step 4 of SPEC §6: precision, then misconception sites with consistency."""
    value = evidence.answers[key]
    if evidence.imprecise(key, value):
        return _grade(key, value, evidence, settings, text, "incorrect", 0.0, feedback.precision())
    findings, ambiguous = evidence.diagnose(key, wrong)
    if findings and settings.feedback:
        parts = [part for finding in findings for part in feedback.misconception(key, finding)]
    elif ambiguous and settings.feedback:
        parts = feedback.ambiguous()
    else:
        parts = feedback.incorrect(key, value, evidence.cmp.within(value, evidence.true[key]))
    return _grade(key, value, evidence, settings, text, "incorrect", 0.0, parts,
                  misconceptions=tuple(finding.mistake for finding in findings))


def _as_text(raw) -> str:
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else json.dumps(raw)
