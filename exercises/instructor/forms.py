"""The HTML forms of accounts and problem sets (Flask-WTF: every form carries a CSRF token).

Forms only read and check what a person typed; turning it into settings and storing it is the
service modules' job (``problem_sets``, ``records``).
"""
from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, FloatField, IntegerField, PasswordField,
                     SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..accounts import MIN_PASSWORD
from ..generation import BUILTIN_TEMPLATES
from ..generation.knobs import ASKABLE, TOLERANCE_MODES

def rejected_status() -> int:
    """The status of a form page shown again: 422 after a POST (whose input was refused; the
    page says why beside each field), 200 for the first GET."""
    return 422 if request.method == "POST" else 200


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


REVEAL_CHOICES = (("after_attempts", "After the attempts are used"),
                  ("after_correct", "After a correct answer"),
                  ("after_due", "After the due date"),
                  ("never", "Never"),
                  ("always", "Always (practice)"))
LOSS_CHOICES = (("", "template's"), ("mse", "mse"), ("half_sse", "half_sse"), ("sse", "sse"),
                ("bce", "bce"), ("cross_entropy", "cross_entropy"))
BIAS_CHOICES = (("", "template's"), ("per_unit", "per_unit"), ("shared", "shared"),
                ("none", "none"))
NAMING_CHOICES = (("", "template's"), ("seed", "seed"), ("sequential", "sequential"),
                  ("matrix", "matrix"))
CONVENTION_CHOICES = (("", "template's (δ = ∂L/∂z)"), ("gradient", "gradient: δ = ∂L/∂z"),
                      ("negative", "negative: δ = −∂L/∂z"))
DUE_FORMAT = "%Y-%m-%dT%H:%M"


class LoginForm(FlaskForm):
    """Email and password, for instructors and students alike."""

    email = StringField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired()])


class JoinForm(FlaskForm):
    """A join code typed by a student."""

    code = StringField("Join code", validators=[InputRequired(), Length(max=16)])


class SignupForm(FlaskForm):
    """A new student account, made when joining a first set."""

    name = StringField("Your name", validators=[InputRequired(), Length(max=200)])
    email = StringField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password (at least 8 characters)",
                             validators=[InputRequired(), Length(min=MIN_PASSWORD, max=200)])


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token (publish, join, move, remove, revoke)."""


class SetForm(FlaskForm):
    """A problem set's title, instructions and settings; blank settings keep the templates'."""

    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    instructions = TextAreaField("Instructions for students", validators=[Length(max=20_000)])
    attempts = IntegerField("Attempts per exercise (blank: unlimited)",
                            validators=[Optional(), NumberRange(min=1, max=100)])
    due_at = DateTimeLocalField("Due (UTC, optional)", format=DUE_FORMAT, validators=[Optional()])
    ecf_credit = FloatField("Credit for error carried forward (0 to 1)", default=1.0,
                            validators=[InputRequired(), NumberRange(min=0, max=1)])
    feedback = BooleanField("Explain misconceptions in feedback", default=True)
    reveal = SelectField("Show the worked solution", choices=options(REVEAL_CHOICES),
                         default="after_attempts")
    tolerance_mode = SelectField("Tolerance", choices=options((m, m) for m in TOLERANCE_MODES),
                                 default="relabs")
    rtol = FloatField("Relative tolerance (relabs)", default=1e-2,
                      validators=[Optional(), NumberRange(min=0, max=0.999)])
    atol = FloatField("Absolute tolerance (relabs)", default=0.0,
                      validators=[Optional(), NumberRange(min=0, max=0.999)])
    digits = IntegerField("Digits (sigfig, decimals)", validators=[Optional(),
                                                                   NumberRange(min=1, max=12)])
    pool_size = IntegerField("Expected class size (variants per exercise)", default=50,
                             validators=[InputRequired(), NumberRange(min=1, max=2000)])
    exam_mode = BooleanField("Exam mode: while open, refuse to trace this set's networks")


class ItemForm(FlaskForm):
    """An exercise added to a set: a built-in template and the knobs changed from it, or a
    given network (a JSON spec) that every student gets as it is."""

    template_id = SelectField("Start from", choices=options((key, f"{t.title} ({key})")
                                                            for key, t in BUILTIN_TEMPLATES.items()))
    title = StringField("Title (blank: the template's)", validators=[Length(max=200)])
    layers = StringField("Layer sizes, e.g. 2,2,2", validators=[Length(max=40)])
    activations = StringField("Activations, one or one per layer, e.g. relu,linear",
                              validators=[Length(max=120)])
    loss = SelectField("Loss", choices=options(LOSS_CHOICES), default="")
    bias = SelectField("Biases", choices=options(BIAS_CHOICES), default="")
    naming = SelectField("Naming", choices=options(NAMING_CHOICES), default="")
    learning_rate = FloatField("Learning rate η", validators=[Optional(),
                                                              NumberRange(min=1e-6, max=10)])
    ask = SelectMultipleField("Ask for (none selected: every δ, w⁺ and b⁺)",
                              choices=options((q, q) for q in ASKABLE))
    answer_digits = IntegerField("Significant figures expected, 4 to 8 (blank: the fewest that "
                                 "work, fixed when the set is published)",
                                 validators=[Optional(), NumberRange(min=4, max=8)])
    delta_convention = SelectField("What δ means", choices=options(CONVENTION_CHOICES),
                                   default="")
    network = TextAreaField("Or a given network: a JSON spec of one sample and one iteration, "
                            "used instead of the template for every student",
                            validators=[Length(max=20_000)])


class ExtensionForm(FlaskForm):
    """A personal due date for one student."""

    due_at = DateTimeLocalField("New due date (UTC; blank removes the extension)",
                                format=DUE_FORMAT, validators=[Optional()])


class OverrideForm(FlaskForm):
    """A manual score for one student's exercise."""

    item_id = SelectField("Exercise", choices=[])
    score = FloatField("Score", validators=[InputRequired(), NumberRange(min=0)])
    reason = StringField("Reason", validators=[InputRequired(), Length(max=500)])


class PasswordResetForm(FlaskForm):
    """A new password an instructor sets for a student."""

    password = PasswordField("New password", validators=[InputRequired(),
                                                         Length(min=MIN_PASSWORD, max=200)])


class RegradeForm(FlaskForm):
    """New grading settings for a whole set; every stored submission is graded again."""

    ecf_credit = FloatField("Credit for error carried forward (0 to 1)",
                            validators=[InputRequired(), NumberRange(min=0, max=1)])
    tolerance_mode = SelectField("Tolerance", choices=options((m, m) for m in TOLERANCE_MODES))
    rtol = FloatField("Relative tolerance (relabs)", validators=[Optional(),
                                                                 NumberRange(min=0, max=0.999)])
    atol = FloatField("Absolute tolerance (relabs)", validators=[Optional(),
                                                                 NumberRange(min=0, max=0.999)])
    digits = IntegerField("Digits (sigfig, decimals)", validators=[Optional(),
                                                                   NumberRange(min=1, max=12)])


class TokenForm(FlaskForm):
    """A name for a new personal access token."""

    name = StringField("What the token is for", validators=[InputRequired(), Length(max=100)])
