"""The outcome of grading a submission, per field and in total, and its stored form.

A record (``to_record``) is plain JSON holding everything needed to regrade: the spec, the
asked fields, the answers exactly as submitted, the settings and the engine version.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from exercises.grading.messages import render, shown
from exercises.grading.settings import GradingSettings

STATUSES = ("correct", "carried", "incorrect", "blank")
RECORD_FORMAT = 2
READABLE_FORMATS = (1, 2)   # format 1 stored messages as English text only
# The grading rules a record was graded under: 1, wave 1's (the ½–3/2 step window, ECF without
# the shows-work rule, misconceptions throughout only); 2, SPEC §6 as amended in wave 2.
GRADER_VERSION = 2


@dataclass(frozen=True)
class GradedField:
    """The grade of one field; ``expected`` is secret until the solution is revealed."""

    key: str
    submitted: str
    parsed: float | None
    expected: float
    status: str
    credit: float
    message: str
    misconceptions: tuple[str, ...] = ()
    tolerance: str = ""
    carried_from: tuple[str, ...] = ()
    # The message as (id, params) parts (SPEC §6); ``message`` is their English rendering.
    parts: tuple[tuple[str, dict], ...] = ()

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    def stored_parts(self) -> list:
        """The message parts as JSON (``[[id, params], …]``), as a database column keeps them."""
        return [[message_id, dict(params)] for message_id, params in self.parts]

    def render(self, translate: Callable[[str], str] = str) -> str:
        """The message in the reader's language (``translate`` is a gettext); a grade stored
        before messages had ids keeps its English text."""
        return render(self.parts, translate) if self.parts else self.message

    def to_dict(self) -> dict:
        """Return the JSON form of this grade."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}  # all flat
        data["misconceptions"], data["carried_from"] = list(self.misconceptions), list(self.carried_from)
        data["parts"] = self.stored_parts()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "GradedField":
        """Rebuild a grade from :meth:`to_dict`'s form."""
        return cls(**{**data, "misconceptions": tuple(data["misconceptions"]),
                      "carried_from": tuple(data["carried_from"]),
                      "parts": tuple((message_id, dict(params))
                                     for message_id, params in data.get("parts", ()))})


@dataclass(frozen=True)
class SubmissionResult:
    """Every field's grade, with what was graded and how (``symbols``: the message symbols
    the caller overrode, kept so that a regrade words its messages the same way)."""

    spec: dict
    field_keys: tuple[str, ...]
    answers: dict
    settings: GradingSettings
    fields: dict[str, GradedField]
    engine_version: str = field(default="")
    symbols: dict[str, str] = field(default_factory=dict)
    grader_version: int = GRADER_VERSION

    @property
    def score(self) -> float:
        """The sum of the fields' credits."""
        return sum(grade.credit for grade in self.fields.values())

    @property
    def max_score(self) -> int:
        """One point per asked field."""
        return len(self.field_keys)

    def public_view(self, translate: Callable[[str], str] = str) -> dict:
        """What the student may see before the solution (SPEC §8): no expected values, and
        misconception ids only when the settings turn that feedback on. Messages are rendered
        by ``translate``; fields come in the exercise's order."""
        show = self.settings.feedback
        fields = {}
        for key in self.field_keys:
            grade = self.fields[key]
            message = render(shown(grade.parts, show), translate) if grade.parts else grade.message
            fields[key] = {"status": grade.status, "credit": grade.credit, "message": message,
                           "misconceptions": list(grade.misconceptions) if show else []}
        return {"score": self.score, "max_score": self.max_score, "fields": fields}

    def to_record(self) -> dict:
        """Return a JSON-serialisable dict that :meth:`from_record` and ``regrade`` read."""
        return {
            "format": RECORD_FORMAT,
            "engine_version": self.engine_version,
            "grader_version": self.grader_version,
            "spec": self.spec,
            "field_keys": list(self.field_keys),
            "answers": dict(self.answers),
            "settings": self.settings.to_dict(),
            "symbols": dict(self.symbols),
            "score": self.score,
            "max_score": self.max_score,
            "fields": {key: grade.to_dict() for key, grade in self.fields.items()},
        }

    @classmethod
    def from_record(cls, record: dict) -> "SubmissionResult":
        """Rebuild a result from :meth:`to_record`'s form, exactly as it was graded."""
        if record.get("format") not in READABLE_FORMATS:
            raise ValueError(f"unknown grading record format {record.get('format')!r}")
        return cls(spec=record["spec"], field_keys=tuple(record["field_keys"]),
                   answers=dict(record["answers"]),
                   settings=GradingSettings.of(record["settings"]),
                   fields={key: GradedField.from_dict(data) for key, data in record["fields"].items()},
                   engine_version=record["engine_version"], symbols=dict(record.get("symbols", {})),
                   grader_version=record.get("grader_version", 1))
