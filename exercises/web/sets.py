"""Students in problem sets: joining with a code (making an account the first time), the set's
exercise list, and each variant's page with the set's attempt limit, due date and reveal policy.

The exercise page is the student experience's own (statement, diagram, grouped answer form,
stored feedback, walkthrough), rendered from the same services with the set's rules applied.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

import tracer
from exercises import accounts, submissions
from exercises.domain import InvalidAnswers, NoAttemptsLeft
from exercises.instructor import enrollment, gradebook, policy, publishing
from exercises.instructor.access import enrolled_set, own_variant, student_required
from exercises.instructor.forms import ConfirmForm, JoinForm, SignupForm
from exercises.limits import join_limit, signup_limit
from exercises.security import start_session
from exercises.web import answer_errors, circuit_pages, drafts, ladder, solutions, student_queries
from exercises.web import stored_feedback as feedback
from exercises.web.diagram import drawable, layout
from exercises.web.exercise_views import answer_groups, page_parts
from exercises.web.labels import translated_title

bp = Blueprint("sets", __name__)


@bp.route("/join", methods=["GET", "POST"])
@join_limit
def join():
    """Type a join code (the home page's form posts here)."""
    form = JoinForm()
    if form.validate_on_submit():
        problem_set = publishing.find_by_code(form.code.data)
        if problem_set is not None:
            return redirect(url_for("sets.join_code", code=problem_set.join_code))
        flash(_("No open problem set has that code."), "error")
    return render_template("sets/join.html", form=form), 200 if request.method == "GET" else 404


@bp.route("/join/<code>", methods=["GET", "POST"])
@join_limit
def join_code(code: str):
    """A set's join page: a logged-in student joins with one button; a newcomer makes an
    account here (or logs in and comes back)."""
    problem_set = publishing.find_by_code(code) or abort(404)
    confirm, signup_form = ConfirmForm(), SignupForm()
    if request.method == "POST" and current_user.is_authenticated:
        if current_user.role != "student":
            abort(403)
        if confirm.validate_on_submit():
            return _join_and_go(problem_set)
    return render_template("sets/join_set.html", problem_set=problem_set, confirm=confirm,
                           signup_form=signup_form)


@bp.post("/join/<code>/signup")
@join_limit
@signup_limit
def signup(code: str):
    """Make a student account, log in and join the set, in one step."""
    problem_set = publishing.find_by_code(code) or abort(404)
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = enrollment.signup(form.name.data, form.email.data, form.password.data)
        except accounts.EmailTaken as exc:
            flash(_("%(problem)s If you have an account, log in with its password.",
                    problem=str(exc)), "error")
        except accounts.AccountError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            session.clear()
            login_user(user)
            start_session(user)
            return _join_and_go(problem_set)
    return render_template("sets/join_set.html", problem_set=problem_set, confirm=ConfirmForm(),
                           signup_form=form), 422


def _join_and_go(problem_set):
    _enrollment, missing = enrollment.join(problem_set, current_user._get_current_object())
    if missing:
        flash(_("Some exercises are still being prepared; they appear in a moment."), "success")
    return redirect(url_for("sets.show", set_id=problem_set.id))


@bp.get("/sets/")
@student_required
def my_sets():
    """The sets the student has joined."""
    return render_template("sets/my_sets.html", rows=gradebook.student_sets(current_user.id))


@bp.get("/sets/<id:set_id>")
@student_required
def show(set_id: str):
    """The set's exercises with the student's status and score on each (reads only: a timed
    set shows its time limit and a "Start the exam" button until the student starts it, and
    an exercise still waiting for its variant says so until the top-up job hands it out)."""
    problem_set, joined = enrolled_set(set_id)
    return set_page(problem_set, joined)


def set_page(problem_set, joined, notice: str | None = None, status: int = 200):
    """The set page (see ``show``); ``notice`` in place of the usual refusal."""
    book = gradebook.gradebook(problem_set, user_id=current_user.id)
    awaiting = policy.awaiting_start(problem_set, joined)
    blocked = policy.start_refusal(problem_set, joined)
    return render_template("sets/set.html", problem_set=problem_set, book=book,
                           row=book.rows[0], due=policy.due_for(problem_set, joined),
                           past_due=policy.past_due(problem_set, joined),
                           refusal=notice or (blocked if awaiting
                                              else policy.submit_refusal(problem_set, joined)),
                           awaiting_start=awaiting, may_start=awaiting and blocked is None,
                           confirm=ConfirmForm(),
                           time_up=policy.timer_end(problem_set, joined)), status


@bp.post("/sets/<id:set_id>/start")
@student_required
def start(set_id: str):
    """Start the student's time limit on a timed set ("Start the exam"), once: a second press
    changes nothing. Then back to the set page, which lists the exercises."""
    problem_set, joined = enrolled_set(set_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    if policy.awaiting_start(problem_set, joined):
        refusal = policy.start_refusal(problem_set, joined)
        if refusal:
            flash(refusal, "error")
        else:
            policy.start_timer(problem_set, joined)
    return redirect(url_for("sets.show", set_id=set_id), 303)


def render_variant(problem_set, joined, exercise, typed=None, errors=None, notice=None,
                   status=200):
    """The variant's page under the set's rules (see the module docstring)."""
    spec, parts = page_parts(exercise)
    attempt = None if errors else feedback.latest_attempt(exercise)
    symbols = {f["key"]: f["symbol"] for f in exercise.fields}
    refusal = policy.submit_refusal(problem_set, joined)
    draft = drafts.load(exercise) if typed is None else None
    typed = draft if draft is not None else typed
    return render_template(
        "sets/exercise.html", problem_set=problem_set, exercise=exercise, spec=spec, **parts,
        title=_variant_title(exercise), typed=typed or (attempt.answers if attempt else {}),
        errors=errors or {}, attempt=attempt, notice=notice or refusal, closed=bool(refusal),
        summary=feedback.summary(attempt, symbols) if attempt else None,
        attempts_left=feedback.attempts_left(exercise), due=policy.due_for(problem_set, joined),
        time_up=policy.timer_end(problem_set, joined),
        history=student_queries.attempt_history(exercise.id),
        solution_allowed=policy.solution_visible(exercise, problem_set, joined),
        draft=draft is not None, rungs=ladder.field_rungs(exercise, spec,
                                                          exercise.settings["answer_digits"]),
        ladder_action=url_for("sets.coach", set_id=problem_set.id, exercise_id=exercise.id)), \
        status


def _variant_title(exercise) -> str:
    """A variant's heading in the reader's language: a circuit's is its item's title (as the
    set lists it), a network's its template's title, or "Exercise"."""
    if tracer.is_circuit(exercise.spec):
        return translated_title(student_queries.item_title(exercise))
    return translated_title(exercise.template.get("title")) or _("Exercise")


@bp.get("/sets/<id:set_id>/exercises/<id:exercise_id>")
@student_required
def exercise(set_id: str, exercise_id: str):
    """One of the student's variants with its latest feedback (a timed set's only once the
    student started it: before, the set page with its start button)."""
    problem_set, joined = enrolled_set(set_id)
    variant = own_variant(set_id, exercise_id)
    if policy.awaiting_start(problem_set, joined):
        return redirect(url_for("sets.show", set_id=set_id))
    return render_variant(problem_set, joined, variant)


@bp.post("/sets/<id:set_id>/exercises/<id:exercise_id>")
@student_required
def submit(set_id: str, exercise_id: str):
    """Grade the answers, unless the set is closed to this student or the attempts are spent."""
    problem_set, joined = enrolled_set(set_id)
    variant = own_variant(set_id, exercise_id)
    answers = drafts.form_answers(variant)
    refusal = policy.submit_refusal(problem_set, joined)
    if policy.awaiting_start(problem_set, joined):  # nothing of the exam shows before its start
        return set_page(problem_set, joined, notice=refusal, status=403)
    if refusal:
        return render_variant(problem_set, joined, variant, typed=answers, status=403)
    asked = drafts.before_grading(
        variant, answer_groups(variant), answers,
        url_for("sets.exercise", set_id=set_id, exercise_id=exercise_id),
        lambda typed: render_variant(problem_set, joined, variant, typed=typed))
    if asked is not None:
        return asked
    try:
        submissions.submit(variant.id, answers, user_id=current_user.id)
    except (InvalidAnswers, NoAttemptsLeft) as error:
        status, notice, reasons = answer_errors.refusal(error)
        return render_variant(problem_set, joined, variant, typed=answers, errors=reasons,
                              notice=notice, status=status)
    drafts.discard(variant)
    return redirect(url_for("sets.exercise", set_id=set_id, exercise_id=exercise_id,
                            _anchor="feedback"))


@bp.post("/sets/<id:set_id>/exercises/<id:exercise_id>/coach")
@student_required
def coach(set_id: str, exercise_id: str):
    """The next rung of the coaching ladder the set allows (see ``web.ladder``), while the set
    takes answers; the typed answers are kept as a draft."""
    problem_set, joined = enrolled_set(set_id)
    variant = own_variant(set_id, exercise_id)
    if policy.submit_refusal(problem_set, joined):
        abort(403)
    drafts.save(variant, drafts.form_answers(variant))
    key = request.form.get("coach", "")
    if ladder.climb(variant, key, current_user.id) is None:
        abort(409, description=_("No further hint is offered for this field."))
    return redirect(url_for("sets.exercise", set_id=set_id, exercise_id=exercise_id,
                            _anchor="f-" + key.replace(":", "-")))


@bp.route("/sets/<id:set_id>/exercises/<id:exercise_id>/solution", methods=["GET", "POST"])
@student_required
def solution(set_id: str, exercise_id: str):
    """The worked solution, when the set's reveal policy allows it (403 before)."""
    problem_set, joined = enrolled_set(set_id)
    variant = own_variant(set_id, exercise_id)
    if policy.awaiting_start(problem_set, joined):
        return redirect(url_for("sets.show", set_id=set_id))
    if not policy.solution_visible(variant, problem_set, joined):
        abort(403)
    if request.method == "POST":
        if ConfirmForm().validate_on_submit():
            solutions.reveal(variant)
        return redirect(url_for("sets.solution", set_id=set_id, exercise_id=exercise_id))
    circuit = None
    if tracer.is_circuit(variant.spec):
        diagram, walkthrough = circuit_pages.solution_of(variant)
        circuit = {"caption": circuit_pages.caption(walkthrough is not None)}
    else:
        spec, walkthrough = solutions.walkthrough_of(variant)
        diagram = layout(spec) if drawable(spec) else None
    return render_template("sets/solution.html", problem_set=problem_set, exercise=variant,
                           diagram=diagram, circuit=circuit, walkthrough=walkthrough,
                           title=_variant_title(variant), confirm=ConfirmForm())


@bp.get("/sets/<id:set_id>/submissions/<id:submission_id>")
@student_required
def submission(set_id: str, submission_id: str):
    """One of the student's graded attempts, field by field (never an expected value)."""
    problem_set, _joined = enrolled_set(set_id)
    record = student_queries.own_submission(submission_id, current_user.id) or abort(404)
    variant = own_variant(set_id, record.exercise_id)
    return render_template("sets/submission.html", problem_set=problem_set, exercise=variant,
                           submission=record, title=_variant_title(variant),
                           show_misconceptions=variant.settings["feedback"])
