"""The settings a submission is graded under (SPEC §5, §6), as a problem set or template sets them."""
import math
from dataclasses import dataclass, field

from exercises.grading.tolerance import Comparison, SettingsError, Tolerance

MAX_ANSWER_DIGITS = 8
_KEYS = ("tolerance", "answer_digits", "ecf_credit", "feedback")


@dataclass(frozen=True)
class GradingSettings:
    """Tolerance, expected significant figures, credit for carried answers, and whether the
    feedback names misconceptions."""

    tolerance: Tolerance = field(default_factory=Tolerance)
    answer_digits: int = 4
    ecf_credit: float = 1.0
    feedback: bool = True

    def __post_init__(self):
        if not isinstance(self.tolerance, Tolerance):
            raise SettingsError("tolerance", "must be a Tolerance")
        if type(self.answer_digits) is not int or not 1 <= self.answer_digits <= MAX_ANSWER_DIGITS:
            raise SettingsError("answer_digits", f"must be an integer from 1 to {MAX_ANSWER_DIGITS}, "
                                                 f"got {self.answer_digits!r}")
        credit = self.ecf_credit
        if isinstance(credit, bool) or not isinstance(credit, (int, float)) \
                or not math.isfinite(credit) or not 0 <= credit <= 1:
            raise SettingsError("ecf_credit", f"must be a number from 0 to 1, got {credit!r}")
        if type(self.feedback) is not bool:
            raise SettingsError("feedback", f"must be true or false, got {self.feedback!r}")

    @property
    def comparison(self) -> Comparison:
        """The whole comparison rule: the tolerance with the answer digits' rounding allowance."""
        return Comparison(self.tolerance, self.answer_digits)

    @classmethod
    def from_dict(cls, data: dict) -> "GradingSettings":
        """Build settings from their JSON form; missing keys take their defaults."""
        if not isinstance(data, dict):
            raise SettingsError("settings", f"must be an object, got {type(data).__name__}")
        for key in data:
            if key not in _KEYS:
                raise SettingsError(str(key), f"unknown setting; expected {', '.join(_KEYS)}")
        values = dict(data)
        if "tolerance" in values:
            values["tolerance"] = Tolerance.from_dict(values["tolerance"])
        return cls(**values)

    @classmethod
    def of(cls, settings: dict) -> "GradingSettings":
        """The grading settings among a wider dict of settings (an exercise's, or a stored
        record's with new values over it); other keys are not grading's and are ignored."""
        return cls.from_dict({key: settings[key] for key in _KEYS if key in settings})

    def to_dict(self) -> dict:
        """Return the JSON form that :meth:`from_dict` reads back."""
        return {"tolerance": self.tolerance.to_dict(), "answer_digits": self.answer_digits,
                "ecf_credit": self.ecf_credit, "feedback": self.feedback}
