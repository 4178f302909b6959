"""The domain's tables, as SQLAlchemy 2 typed models, one module per subject; every model is
importable from here (``from exercises.models import Exercise``), as Alembic's ``env.py`` and the
services do.

Ids that appear in URLs are random 128-bit, URL-safe strings (SPEC §7). Floats that must read
back bit-identical (trace values, parsed and expected answers) are DOUBLE PRECISION. JSON
columns hold plain data produced by the engine, generation and grading modules.
"""
# The LTI 1.3 tables live with the LTI package; importing it here registers them on ``Base``.
from exercises.lti import models as _lti_models  # noqa: F401
from exercises.models.attempts import Draft, FieldGrade, LadderStep, Submission
from exercises.models.base import ID, NAMING, Base, Timestamp, new_id, utcnow
from exercises.models.courses import (
    AuditEvent,
    Enrollment,
    GradeOverride,
    ProblemSet,
    ProblemSetItem,
    RosterEntry,
    SetMember,
)
from exercises.models.generated import Exercise, StoredTrace, TraceValue
from exercises.models.job_queue import Job
from exercises.models.people import AccessToken, User

__all__ = [
    "ID", "NAMING", "AccessToken", "AuditEvent", "Base", "Draft", "Enrollment", "Exercise", "FieldGrade",
    "GradeOverride", "Job", "LadderStep", "ProblemSet", "ProblemSetItem", "RosterEntry", "SetMember",
    "StoredTrace", "Submission", "Timestamp", "TraceValue", "User", "new_id", "utcnow",
]
