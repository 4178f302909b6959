"""A generated exercise: the network, the fields to fill in, the grading settings and the key.

``to_dict``/``from_dict`` store an exercise as plain JSON (floats written with ``repr`` read back
bit-identical); ``public_view`` is what a student may see before the solution is revealed.
"""

import copy
from dataclasses import dataclass

from exercises.generation.fields import Field
from exercises.generation.quality import Condition

_STORED = ("template", "seed", "spec", "fields", "answer_digits", "tolerance", "attempts",
           "ecf_credit", "feedback", "reveal", "expected")


@dataclass(frozen=True)
class GeneratedExercise:
    """One exercise generated from ``template`` (its knobs as a dict) and ``seed`` (None for a
    given network).

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
        """The whole exercise, answers included, as JSON-serialisable data for storage."""
        stored = {name: copy.deepcopy(getattr(self, name)) for name in _STORED}
        stored["fields"] = [field.to_dict() for field in self.fields]
        stored["conditions"] = [condition.to_dict() for condition in self.conditions]
        return stored

    @classmethod
    def from_dict(cls, stored: dict) -> "GeneratedExercise":
        """Read back what ``to_dict`` wrote."""
        missing = [name for name in _STORED if name not in stored]
        if missing:
            raise ValueError(f"a stored exercise lacks {', '.join(missing)}")
        values = {name: copy.deepcopy(stored[name]) for name in _STORED}
        values["fields"] = tuple(Field(f["key"], f["symbol"], f["label"]) for f in stored["fields"])
        values["conditions"] = tuple(
            Condition(c["condition"], tuple(c["symbols"]), c["digits"])
            for c in stored.get("conditions", ()))
        return cls(**values)

    def public_view(self) -> dict:
        """SPEC §8's practice body without ``id`` and ``token``: the network and the fields,
        never an expected value (a failed condition names symbols, not values)."""
        return {
            "seed": self.seed,
            "network": copy.deepcopy(self.spec),
            "fields": [field.to_dict() for field in self.fields],
            "answer_digits": self.answer_digits,
            "tolerance": dict(self.tolerance),
            "conditions": [condition.to_dict() for condition in self.conditions],
        }
