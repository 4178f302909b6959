"""The exercise contract: one plain, JSON-serialisable exercise, generated, stored, shown and graded.

A ``GeneratedExercise`` is what generation makes (``generate``, ``generate_circuit``) and the one
shape every later stage reads:

- **stored**: ``to_row()`` gives the columns of an ``exercises`` row (seed, template, spec,
  fields, settings) and ``from_row(row)`` reads them back into an equal exercise. The answer key
  is not a column: it is the engine's trace of the stored spec (the row's stored trace holds the
  same values), computed again on loading as grading computes it;
- **shown**: ``public_view()`` is everything a student may see (SPEC §8's exercise body without
  ``id`` and ``token``): the given values and the fields, never an expected value;
- **graded**: ``grade(answers)`` grades a submission to its fields under
  ``grading_settings()``, the one way an exercise's ``GradingSettings`` are built;
- **exported whole**: ``to_dict``/``from_dict`` write it, key included, as plain JSON (floats
  written with ``repr`` read back bit-identical).
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass

import tracer
from exercises.generation.fields import Field, locate, value_at
from exercises.generation.knobs import DEFAULT_TOLERANCE
from exercises.generation.quality import MESSAGES, Condition
from exercises.grading.grade import grade_submission
from exercises.grading.results import SubmissionResult
from exercises.grading.settings import GradingSettings
from tracer.circuit.keys import parse_circuit_key

_STORED = ("template", "seed", "spec", "fields", "answer_digits", "tolerance", "attempts",
           "ecf_credit", "feedback", "reveal", "expected")
# What a row's settings hold besides the answer digits and tolerance, with the value a row
# stored before the key existed is read with (the readers' defaults).
_POLICY_DEFAULTS = {"attempts": None, "ecf_credit": 1.0, "feedback": True, "reveal": "never"}


@dataclass(frozen=True)
class GeneratedExercise:
    """One exercise generated from ``template`` (its knobs as a dict) and ``seed`` (None for a
    given network or circuit).

    ``spec`` is the normalized network spec (every given value, no answer); ``expected`` maps
    each field key to its full-precision value from the engine's trace; ``answer_digits`` is
    the number of significant figures the exercise states it expects (the template's number,
    or the fewest that work for ``auto``). ``conditions`` are the good-exercise conditions a
    given network fails, reported to its author; a generated exercise fails none.
    """

    template: dict
    seed: int | None
    spec: dict
    fields: tuple[Field, ...]
    answer_digits: int
    tolerance: dict
    attempts: int | None
    ecf_credit: float
    feedback: bool
    reveal: str
    expected: dict
    conditions: tuple[Condition, ...] = ()

    def to_dict(self) -> dict:
        """The whole exercise, answers included, as JSON-serialisable data."""
        stored = {name: copy.deepcopy(getattr(self, name)) for name in _STORED}
        stored["fields"] = self.field_list()
        stored["conditions"] = [condition.to_dict() for condition in self.conditions]
        return stored

    @classmethod
    def from_dict(cls, stored: dict) -> "GeneratedExercise":
        """Read back what ``to_dict`` wrote."""
        missing = [name for name in _STORED if name not in stored]
        if missing:
            raise ValueError(f"a stored exercise lacks {', '.join(missing)}")
        values = {name: copy.deepcopy(stored[name]) for name in _STORED}
        values["fields"] = _fields(stored["fields"])
        values["conditions"] = _conditions(stored.get("conditions", ()))
        return cls(**values)

    def field_list(self) -> list[dict]:
        """The fields as stored and shown (SPEC §8): key, symbol, label."""
        return [field.to_dict() for field in self.fields]

    def settings(self) -> dict:
        """The grading and policy settings as a row stores them, with the good-exercise
        conditions a given network fails."""
        return {"answer_digits": self.answer_digits, "tolerance": dict(self.tolerance),
                "attempts": self.attempts, "ecf_credit": self.ecf_credit,
                "feedback": self.feedback, "reveal": self.reveal,
                "conditions": [condition.to_dict() for condition in self.conditions]}

    def to_row(self) -> dict:
        """The columns of the ``exercises`` row that stores this exercise."""
        return {"seed": self.seed, "template": copy.deepcopy(self.template),
                "spec": copy.deepcopy(self.spec), "fields": self.field_list(),
                "settings": self.settings()}

    @classmethod
    def from_row(cls, row) -> "GeneratedExercise":
        """The exercise an ``exercises`` row (or anything with its columns as attributes)
        stores; its key is the engine's trace of the stored spec (see the module docstring)."""
        settings = row.settings
        fields = _fields(row.fields)
        return cls(
            template=copy.deepcopy(row.template), seed=row.seed, spec=copy.deepcopy(row.spec),
            fields=fields, answer_digits=settings["answer_digits"],
            tolerance=dict(settings.get("tolerance", DEFAULT_TOLERANCE)),
            **{key: settings.get(key, default) for key, default in _POLICY_DEFAULTS.items()},
            expected=expected_values(row.spec, fields),
            conditions=_conditions(settings.get("conditions", ())))

    def grading_settings(self) -> GradingSettings:
        """The settings the exercise's submissions are graded under."""
        return GradingSettings.of(self.settings())

    def symbols(self) -> dict[str, str]:
        """Each field's symbol by its key."""
        return {field.key: field.symbol for field in self.fields}

    def grade(self, answers) -> SubmissionResult:
        """Grade ``answers`` (field key → text or number) to the exercise's fields under its
        grading settings; raises ``InvalidSubmission`` naming each unreadable or unknown field."""
        return grade_submission(self.spec, [field.key for field in self.fields], answers,
                                self.grading_settings(), symbols=self.symbols())

    def public_view(self, translate: Callable[..., str] | None = None) -> dict:
        """What a student may see: SPEC §8's exercise body without ``id`` and ``token`` — the
        network (given values only), the fields, the answer digits, tolerance, attempts and
        reveal policy, and the good-exercise conditions the network fails, each with its message
        through ``translate(message, **params)`` (``gettext``; English without one). Never an
        expected value: a failed condition names symbols, not values."""
        return {"seed": self.seed, "network": copy.deepcopy(self.spec), "fields": self.field_list(),
                "answer_digits": self.answer_digits, "tolerance": dict(self.tolerance),
                "attempts": self.attempts, "reveal": self.reveal,
                "conditions": [_shown(condition, translate) for condition in self.conditions]}


def expected_values(spec: dict, fields) -> dict[str, float]:
    """The engine's value of each field (``Field`` objects) of a network or circuit ``spec``."""
    result = tracer.trace(spec)
    if tracer.is_circuit(spec):
        found = {}
        for field in fields:
            quantity, node, arg = parse_circuit_key(field.key)
            found[field.key] = result.value(quantity, node=node, arg=arg)
        return found
    return {field.key: value_at(result, locate(field.key)) for field in fields}


def _fields(stored) -> tuple[Field, ...]:
    return tuple(Field(f["key"], f["symbol"], f["label"]) for f in stored)


def _conditions(stored) -> tuple[Condition, ...]:
    return tuple(Condition(c["condition"], tuple(c["symbols"]), c["digits"]) for c in stored)


def _shown(condition: Condition, translate: Callable[..., str] | None) -> dict:
    """A condition as the public view shows it, its message in the reader's language."""
    message = condition.message() if translate is None else \
        translate(MESSAGES[condition.condition], **condition.params())
    return {**condition.to_dict(), "message": message}
