"""Logging in and out (instructors and students share one form), the instructor dashboard and
personal access tokens for the export API."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from exercises import accounts
from exercises.instructor import staff_queries, tokens
from exercises.instructor.access import instructor_required, safe_next
from exercises.instructor.forms import ConfirmForm, LoginForm, PasswordChangeForm, TokenForm, rejected_status
from exercises.limits import login_by_account, login_by_address
from exercises.security import start_session

bp = Blueprint("instructor", __name__)


def home_of(user) -> str:
    """Where a user lands after logging in."""
    if user.role == "instructor":
        return url_for("instructor.dashboard")
    return url_for("sets.my_sets")


@bp.route("/login", methods=["GET", "POST"])
@login_by_account
@login_by_address
def login():
    """Email and password; a failed attempt says only that the pair is wrong."""
    form = LoginForm()
    target = request.args.get("next")
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            g.login_failed = True  # counted by the login rate limits
            flash(_("That email and password do not match an account."), "error")
        else:
            session.clear()  # nothing from before the login survives into the new session
            login_user(user)
            start_session(user)
            return redirect(safe_next(target, home_of(user)))
    return render_template("instructor/login.html", form=form, next=target)


@bp.post("/logout")
@login_required
def logout():
    """End the session, and every other session of the account (a saved cookie stops working);
    a POST with a CSRF token, so no link can log anyone out."""
    if ConfirmForm().validate_on_submit():
        accounts.log_out_everywhere(current_user.id)
        logout_user()
        session.clear()
        flash(_("You are logged out."), "success")
    return redirect(url_for("instructor.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password with the current one; every other session of the account
    ends, this one goes on."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(current_user.id, form.current.data,
                                            form.password.data)
        except accounts.AccountError as exc:
            getattr(form, exc.field or "password").errors.append(str(exc))
        else:
            start_session(user)
            flash(_("Your password is changed; your other sessions are logged out."), "success")
            return redirect(home_of(user))
    return render_template("instructor/password.html", form=form), rejected_status()


@bp.get("/instructor/")
@instructor_required
def dashboard():
    """The sets the instructor owns or teaches, with their status, number of students and
    the instructor's role."""
    return render_template("instructor/dashboard.html", rows=staff_queries.dashboard_rows(current_user.id),
                           confirm=ConfirmForm())


@bp.route("/instructor/tokens", methods=["GET", "POST"])
@instructor_required
def access_tokens():
    """List, create and revoke personal access tokens; a new token is shown once."""
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        created = tokens.create(current_user.id, form.name.data)
    return render_template("instructor/tokens.html", form=form, created=created,
                           tokens=tokens.listed(current_user.id),
                           confirm=ConfirmForm()), 200 if created else rejected_status()


@bp.post("/instructor/tokens/<id:token_id>/revoke")
@instructor_required
def revoke_token(token_id: str):
    """Revoke one of the instructor's tokens."""
    if ConfirmForm().validate_on_submit() and tokens.revoke(current_user.id, token_id):
        flash(_("The token is revoked."), "success")
    return redirect(url_for("instructor.access_tokens"))
