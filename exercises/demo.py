"""Demo data for ``flask demo``: an instructor, two students, and a published problem set the
students have joined, with one submission each. Idempotent: running it again changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from exercises import accounts, db, submissions
from exercises.generation import BUILTIN_TEMPLATES
from exercises.grading import evaluate
from exercises.instructor import enrollment, problem_sets, publishing
from exercises.models import Exercise, ProblemSet, User

DEMO_PASSWORD = "backprop-demo"
INSTRUCTOR = ("instructor@example.com", "Demo Instructor")
STUDENTS = (("student@example.com", "Demo Student"), ("student2@example.com", "Second Student"))
SET_TITLE = "Demo: backpropagation by hand"
SET_FORM = {"title": SET_TITLE, "attempts": 3, "due_at": None, "ecf_credit": 1.0,
            "feedback": True, "reveal": "after_attempts", "tolerance_mode": "relabs",
            "rtol": 1e-2, "atol": 0.0, "digits": None, "pool_size": 10, "exam_mode": False,
            "instructions": "Compute every δ and every updated weight and bias, as in the "
                            "seed post. Three attempts per exercise."}
DEMO_TEMPLATES = ("seed-2-2-2", "tanh-3-3-2")


def _user(email: str, name: str, role: str) -> User:
    existing = db.session().scalar(select(User).where(User.email == email))
    return existing or accounts.create_user(email=email, name=name, password=DEMO_PASSWORD,
                                            role=role)


def _demo_set(owner: User) -> ProblemSet:
    existing = db.session().scalar(select(ProblemSet).where(
        ProblemSet.owner_id == owner.id, ProblemSet.title == SET_TITLE))
    if existing is not None:
        return existing
    created = problem_sets.create_set(owner.id, SET_FORM)
    for template_id in DEMO_TEMPLATES:
        problem_sets.add_item(created.id, template_id, {})
    publishing.publish(created.id)
    return db.session().get(ProblemSet, created.id)


def _first_submission(student: User, problem_set: ProblemSet, correct: bool) -> None:
    """The student's first variant answered: all right, or by a student who writes ∂L/∂ŷ as
    target minus output and carries that through every later value consistently."""
    variant = db.session().scalars(select(Exercise).where(
        Exercise.problem_set_id == problem_set.id, Exercise.user_id == student.id)
        .order_by(Exercise.created_at, Exercise.id)).first()
    if variant is None or submissions.attempts_used(db.session(), variant.id):
        return
    values = evaluate(variant.spec, mistake=None if correct else "target_minus_output")
    digits = variant.settings["answer_digits"]
    answers = {field["key"]: f"{values[field['key']]:.{digits}g}" for field in variant.fields}
    submissions.submit(variant.id, answers, user_id=student.id)


def load() -> Iterator[str]:
    """Create what is missing of the demo data; yields the lines to print."""
    instructor = _user(*INSTRUCTOR, role="instructor")
    problem_set = _demo_set(instructor)
    yield f"instructor login: {INSTRUCTOR[0]} / {DEMO_PASSWORD}"
    for (email, name), correct in zip(STUDENTS, (True, False)):
        student = _user(email, name, role="student")
        enrollment.join(problem_set, student)
        _first_submission(student, problem_set, correct)
        yield f"student login:    {email} / {DEMO_PASSWORD}"
    yield f"demo problem set: {SET_TITLE!r}, join code {problem_set.join_code}"
    yield ("practice: the home page starts the seed post's 2-2-2 network; built-in templates: "
           + ", ".join(BUILTIN_TEMPLATES))
