"""The outcome of grading a submission, per field and in total, and its stored form.

A record (``to_record``) is plain JSON holding everything needed to regrade: the spec, the
asked fields, the answers exactly as submitted, the settings and the engine version.
"""
from dataclasses import asdict, dataclass, field

from exercises.grading.settings import GradingSettings

STATUSES = ("correct", "carried", "incorrect", "blank")
RECORD_FORMAT = 1


@dataclass(frozen=True)
class FieldGrade:
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

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    def to_dict(self) -> dict:
        """Return the JSON form of this grade."""
        data = asdict(self)
        data["misconceptions"], data["carried_from"] = list(self.misconceptions), list(self.carried_from)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "FieldGrade":
        """Rebuild a grade from :meth:`to_dict`'s form."""
        return cls(**{**data, "misconceptions": tuple(data["misconceptions"]),
                      "carried_from": tuple(data["carried_from"])})


@dataclass(frozen=True)
class SubmissionResult:
    """Every field's grade, with what was graded and how (``symbols``: the message symbols
    the caller overrode, kept so that a regrade words its messages the same way)."""

    spec: dict
    field_keys: tuple[str, ...]
    answers: dict
    settings: GradingSettings
    fields: dict[str, FieldGrade]
    engine_version: str = field(default="")
    symbols: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """The sum of the fields' credits."""
        return sum(grade.credit for grade in self.fields.values())

    @property
    def max_score(self) -> int:
        """One point per asked field."""
        return len(self.field_keys)

    def public_view(self) -> dict:
        """What the student may see before the solution (SPEC §8): no expected values, and
        misconception ids only when the settings turn that feedback on."""
        show = self.settings.feedback
        return {
            "score": self.score,
            "max_score": self.max_score,
            "fields": {key: {"status": grade.status, "credit": grade.credit, "message": grade.message,
                             "misconceptions": list(grade.misconceptions) if show else []}
                       for key, grade in self.fields.items()},
        }

    def to_record(self) -> dict:
        """Return a JSON-serialisable dict that :meth:`from_record` and ``regrade`` read."""
        return {
            "format": RECORD_FORMAT,
            "engine_version": self.engine_version,
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
        if record.get("format") != RECORD_FORMAT:
            raise ValueError(f"unknown grading record format {record.get('format')!r}")
        return cls(spec=record["spec"], field_keys=tuple(record["field_keys"]),
                   answers=dict(record["answers"]),
                   settings=GradingSettings.from_dict(record["settings"]),
                   fields={key: FieldGrade.from_dict(data) for key, data in record["fields"].items()},
                   engine_version=record["engine_version"], symbols=dict(record.get("symbols", {})))
