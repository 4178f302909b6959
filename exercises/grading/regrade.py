"""Regrading a stored submission under new settings, and explaining what changed."""
from dataclasses import dataclass

from exercises.grading.grade import grade_submission
from exercises.grading.results import SubmissionResult
from exercises.grading.settings import GradingSettings


@dataclass(frozen=True)
class FieldChange:
    """One field's status and credit before and after a regrade."""

    key: str
    old_status: str
    new_status: str
    old_credit: float
    new_credit: float
    old_misconceptions: tuple[str, ...] = ()
    new_misconceptions: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the status, the credit or the misconceptions named differ."""
        return (self.old_status, self.old_credit, self.old_misconceptions) != \
            (self.new_status, self.new_credit, self.new_misconceptions)


@dataclass(frozen=True)
class RegradeReport:
    """The old and new results of a regrade, field by field."""

    old: SubmissionResult
    new: SubmissionResult
    fields: dict[str, FieldChange]

    @property
    def score_changed(self) -> bool:
        """Whether the total score differs."""
        return self.old.score != self.new.score

    def changes(self) -> list[FieldChange]:
        """The fields whose status or credit changed, in field order."""
        return [change for change in self.fields.values() if change.changed]

    def causes(self) -> list[str]:
        """What the regrade changed in how answers are graded: settings and engine version."""
        old, new = self.old.settings, self.new.settings
        described = [("tolerance", old.tolerance.describe(), new.tolerance.describe()),
                     ("ECF credit", f"{old.ecf_credit:g}", f"{new.ecf_credit:g}"),
                     ("answer digits", old.answer_digits, new.answer_digits),
                     ("misconception feedback", _on_off(old.feedback), _on_off(new.feedback)),
                     ("engine", self.old.engine_version or "unknown", self.new.engine_version),
                     ("grader", _GRADERS.get(self.old.grader_version, self.old.grader_version),
                      _GRADERS.get(self.new.grader_version, self.new.grader_version))]
        return [f"{name}: {before} → {after}" for name, before, after in described if before != after]

    def explain(self) -> str:
        """A few lines a person can read: the score, what changed in the grading, then each
        changed field."""
        lines = [f"score {self.old.score:g}/{self.old.max_score} → {self.new.score:g}/{self.new.max_score}"
                 + ("" if self.score_changed else " (unchanged)")]
        lines += self.causes()
        lines += [f"{c.key}: {c.old_status} ({c.old_credit:g}){_named(c.old_misconceptions)} → "
                  f"{c.new_status} ({c.new_credit:g}){_named(c.new_misconceptions)}"
                  for c in self.changes()]
        return "\n".join(lines)


_GRADERS = {1: "wave 1 (step within ½–3/2, ECF without the shows-work rule)",
            2: "SPEC §6 of wave 2 (step-graded updates, ECF that shows work, sites)"}


def _named(misconceptions) -> str:
    return f" [{', '.join(misconceptions)}]" if misconceptions else ""


def _on_off(flag: bool) -> str:
    return "on" if flag else "off"


def regrade(record: dict, settings: GradingSettings | None = None) -> RegradeReport:
    """Grade a stored submission (``SubmissionResult.to_record()``) again under ``settings``
    (default: the settings it was graded with) and the current engine."""
    old = SubmissionResult.from_record(record)
    new = grade_submission(old.spec, old.field_keys, old.answers, settings or old.settings, old.symbols)
    fields = {key: FieldChange(key, old.fields[key].status, new.fields[key].status,
                               old.fields[key].credit, new.fields[key].credit,
                               old.fields[key].misconceptions, new.fields[key].misconceptions)
              for key in old.field_keys}
    return RegradeReport(old=old, new=new, fields=fields)
