"""The HTML forms of accounts and problem sets (Flask-WTF: every form carries a CSRF token).

Forms only read and check what a person typed; turning it into settings and storing it is the
service modules' job (``problem_sets``, ``records``).
"""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from exercises.accounts import MAX_PASSWORD, MIN_PASSWORD
from exercises.generation import BUILTIN_TEMPLATES
from exercises.generation.knobs import ASKABLE, TOLERANCE_MODES
from exercises.web.circuit_titles import TITLES as CIRCUIT_TITLES
from tracer.losses import LOSSES


def rejected_status() -> int:
    """The status of a form page shown again: 422 after a POST (whose input was refused; the
    page says why beside each field), 200 for the first GET."""
    return 422 if request.method == "POST" else 200


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


REVEAL_CHOICES = (("after_attempts", _l("After the attempts are used")),
                  ("after_correct", _l("After a correct answer")),
                  ("after_due", _l("After the due date")),
                  ("never", _l("Never")),
                  ("always", _l("Always (practice)")))
COACHING_CHOICES = (("", _l("Default: the formula and the numbers (none in exam mode)")),
                    ("0", _l("None")), ("1", _l("The formula")),
                    ("2", _l("The formula and the numbers")),
                    ("3", _l("The formula, the numbers and the value (the value earns no credit)")))
LOSS_CHOICES = (("", _l("template's")), *((name, name) for name in LOSSES))
BIAS_CHOICES = (("", _l("template's")), ("per_unit", "per_unit"), ("shared", "shared"),
                ("none", "none"))
NAMING_CHOICES = (("", _l("template's")), ("seed", "seed"), ("sequential", "sequential"),
                  ("matrix", "matrix"))
CONVENTION_CHOICES = (("", _l("template's (δ = ∂L/∂z)")),
                      ("gradient", _l("gradient: δ = ∂L/∂z")),
                      ("negative", _l("negative: δ = −∂L/∂z")))
DUE_FORMAT = "%Y-%m-%dT%H:%M"


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def known_zone(_form, field) -> None:
    """A WTForms validator: the field names an IANA time zone."""
    name = (field.data or "").strip()
    if name and name not in _zones():
        raise ValidationError(_l("Not a time zone name; write one like Asia/Seoul or UTC."))


class LoginForm(FlaskForm):
    """Email and password, for instructors and students alike."""

    email = StringField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


class JoinForm(FlaskForm):
    """A join code typed by a student."""

    code = StringField(_l("Join code"), validators=[InputRequired(), Length(max=16)])


class SignupForm(FlaskForm):
    """A new student account, made when joining a first set."""

    name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=200)])
    email = StringField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password (at least %(count)d characters)", count=MIN_PASSWORD),
                             validators=[InputRequired(), Length(max=MAX_PASSWORD)])


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token (publish, join, move, remove, revoke)."""


class SetForm(FlaskForm):
    """A problem set's title, instructions and settings; blank settings keep the templates'."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    instructions = TextAreaField(_l("Instructions for students"),
                                 validators=[Length(max=20_000)])
    attempts = IntegerField(_l("Attempts per exercise (blank: unlimited)"),
                            validators=[Optional(), NumberRange(min=1, max=100)])
    due_at = DateTimeLocalField(_l("Due (UTC, optional)"), format=DUE_FORMAT,
                                validators=[Optional()])
    ecf_credit = FloatField(_l("Credit for error carried forward (0 to 1)"), default=1.0,
                            validators=[InputRequired(), NumberRange(min=0, max=1)])
    feedback = BooleanField(_l("Explain misconceptions in feedback"), default=True)
    reveal = SelectField(_l("Show the worked solution"), choices=options(REVEAL_CHOICES),
                         default="after_attempts")
    coaching = SelectField(_l("Hints per answer before the solution"),
                           choices=options(COACHING_CHOICES), default="")
    tolerance_mode = SelectField(_l("Tolerance"),
                                 choices=options((m, m) for m in TOLERANCE_MODES),
                                 default="relabs")
    rtol = FloatField(_l("Relative tolerance (relabs)"), default=1e-2,
                      validators=[Optional(), NumberRange(min=0, max=0.999)])
    atol = FloatField(_l("Absolute tolerance (relabs)"), default=0.0,
                      validators=[Optional(), NumberRange(min=0, max=0.999)])
    digits = IntegerField(_l("Digits (sigfig, decimals)"), validators=[Optional(),
                                                                   NumberRange(min=1, max=12)])
    pool_size = IntegerField(_l("Expected class size (variants per exercise)"), default=50,
                             validators=[InputRequired(), NumberRange(min=1, max=2000)])
    exam_mode = BooleanField(_l("Exam mode: while open, refuse to trace this set's networks"))
    lock_trace_tool = BooleanField(
        _l("Lock the trace tool during this exam: while it is open, nobody without a login may "
           "trace or see a practice solution"), default=True)
    starts_at = DateTimeLocalField(_l("Opens at (UTC, optional): no submissions before"),
                                   format=DUE_FORMAT, validators=[Optional()])
    time_limit = IntegerField(_l("Time limit per student in minutes, from when they press "
                                 "\"Start the exam\" (blank: none)"),
                              validators=[Optional(), NumberRange(min=1, max=100_000)])
    late_per_day = FloatField(_l("Late penalty: percent off per day late (blank: late work is "
                                 "refused)"), validators=[Optional(), NumberRange(min=0.01,
                                                                                  max=100)])
    late_cap = FloatField(_l("Late penalty cap in percent; late work is taken until it is "
                             "reached (blank: 100)"),
                          validators=[Optional(), NumberRange(min=0.01, max=100)])
    time_zone = StringField(_l("Time zone dates are shown in (e.g. Asia/Seoul)"), default="UTC",
                            validators=[Optional(), Length(max=64), known_zone])


class ItemForm(FlaskForm):
    """An exercise added to a set: a built-in template and the knobs changed from it, or a
    given network (a JSON spec) that every student gets as it is."""

    template_id = SelectField(_l("Start from"), choices=options(
        [(key, f"{t.title} ({key})") for key, t in BUILTIN_TEMPLATES.items()]
        + [(f"circuit:{key}", f"{title} (circuit:{key})") for key, (title, _d) in CIRCUIT_TITLES.items()]))
    title = StringField(_l("Title (blank: the template's)"), validators=[Length(max=200)])
    layers = StringField(_l("Layer sizes, e.g. 2,2,2"), validators=[Length(max=40)])
    activations = StringField(_l("Activations, one or one per layer, e.g. relu,linear"),
                              validators=[Length(max=120)])
    loss = SelectField(_l("Loss"), choices=options(LOSS_CHOICES), default="")
    bias = SelectField(_l("Biases"), choices=options(BIAS_CHOICES), default="")
    naming = SelectField(_l("Naming"), choices=options(NAMING_CHOICES), default="")
    learning_rate = FloatField(_l("Learning rate η"), validators=[Optional(),
                                                              NumberRange(min=1e-6, max=10)])
    ask = SelectMultipleField(_l("Ask for (none selected: every δ, w⁺ and b⁺)"),
                              choices=options((q, q) for q in ASKABLE))
    answer_digits = IntegerField(_l("Significant figures expected, 4 to 8 (blank: the fewest "
                                    "that work, fixed when the set is published)"),
                                 validators=[Optional(), NumberRange(min=4, max=8)])
    delta_convention = SelectField(_l("What δ means"), choices=options(CONVENTION_CHOICES),
                                   default="")
    circuit_ask = SelectMultipleField(_l("A circuit asks for (none selected: every gradient)"),
                                      choices=options([("value", _l("node values")),
                                                       ("grad", _l("gradients of the output")),
                                                       ("local_grad", _l("local gradients"))]))
    network = TextAreaField(_l("Or a given network: a JSON spec of one sample and one "
                               "iteration, used instead of the template for every student"),
                            validators=[Length(max=20_000)])


class PointsForm(FlaskForm):
    """What an exercise is worth; its fields' own points are read beside it by the view (one
    input per field, blank for an even share of the rest)."""

    points = FloatField(_l("Points for this exercise"),
                        validators=[InputRequired(), NumberRange(min=0.01, max=1000)])


class ExtensionForm(FlaskForm):
    """A personal due date for one student."""

    due_at = DateTimeLocalField(_l("New due date (UTC; blank removes the extension)"),
                                format=DUE_FORMAT, validators=[Optional()])


class OverrideForm(FlaskForm):
    """A manual score for one student's exercise."""

    item_id = SelectField(_l("Exercise"), choices=[])
    score = FloatField(_l("Score"), validators=[InputRequired(), NumberRange(min=0)])
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=500)])


class PasswordResetForm(FlaskForm):
    """A new password an instructor sets for a student."""

    password = PasswordField(_l("New password (at least %(count)d characters)",
                                count=MIN_PASSWORD),
                             validators=[InputRequired(), Length(max=MAX_PASSWORD)])


class PasswordChangeForm(FlaskForm):
    """A user's own new password, with the current one."""

    current = PasswordField(_l("Current password"), validators=[InputRequired(),
                                                               Length(max=MAX_PASSWORD)])
    password = PasswordField(_l("New password (at least %(count)d characters)",
                                count=MIN_PASSWORD),
                             validators=[InputRequired(), Length(max=MAX_PASSWORD)])


class RegradeForm(FlaskForm):
    """New grading settings for a whole set; every stored submission is graded again."""

    ecf_credit = FloatField(_l("Credit for error carried forward (0 to 1)"),
                            validators=[InputRequired(), NumberRange(min=0, max=1)])
    tolerance_mode = SelectField(_l("Tolerance"),
                                 choices=options((m, m) for m in TOLERANCE_MODES))
    rtol = FloatField(_l("Relative tolerance (relabs)"), validators=[Optional(),
                                                                 NumberRange(min=0, max=0.999)])
    atol = FloatField(_l("Absolute tolerance (relabs)"), validators=[Optional(),
                                                                 NumberRange(min=0, max=0.999)])
    digits = IntegerField(_l("Digits (sigfig, decimals)"), validators=[Optional(),
                                                                   NumberRange(min=1, max=12)])


class RosterForm(FlaskForm):
    """A class list: a CSV file, or its text pasted."""

    file = FileField(_l("CSV file (name, email, SIS id, section; or Canvas's gradebook "
                        "export)"), validators=[FileAllowed(["csv", "txt"], _l("a .csv file"))])
    text = TextAreaField(_l("Or paste the CSV"), validators=[Length(max=1_000_000)])


class StaffForm(FlaskForm):
    """An instructor added to a set's staff, by the email of their account."""

    email = StringField(_l("Instructor's email"), validators=[InputRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=options((
        ("ta", _l("Teaching assistant: sees the gradebook, grants extensions")),
        ("co_instructor", _l("Co-instructor: everything but deleting or handing over the "
                             "set")))), default="ta")


class TokenForm(FlaskForm):
    """A name for a new personal access token."""

    name = StringField(_l("What the token is for"), validators=[InputRequired(), Length(max=100)])
