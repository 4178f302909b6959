"""Grading (SPEC §6): plain functions over plain values — parse, compare with a tolerance,
carry errors forward, diagnose misconceptions, explain, store and regrade."""
from exercises.grading.grade import InvalidSubmission, grade_submission, parse_submission
from exercises.grading.misconceptions import MISCONCEPTIONS
from exercises.grading.model import evaluate
from exercises.grading.parse import AnswerError, parse_answer
from exercises.grading.regrade import FieldChange, RegradeReport, regrade
from exercises.grading.results import STATUSES, GradedField, SubmissionResult
from exercises.grading.settings import GradingSettings
from exercises.grading.tolerance import Comparison, SettingsError, Tolerance

__all__ = [
    "AnswerError", "Comparison", "FieldChange", "GradedField", "GradingSettings", "InvalidSubmission",
    "MISCONCEPTIONS", "RegradeReport", "STATUSES", "SettingsError", "SubmissionResult",
    "Tolerance", "evaluate", "grade_submission", "matches", "parse_answer", "parse_submission",
    "regrade",
]
