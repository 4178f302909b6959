"""LMS users as accounts: a student's account made on first launch (or roster import), tied
to (registration, LMS user id) and without a password; an instructor's LMS account linked to the
registration's owner; resource links and the members whose scores go back to them.

A student account takes the LMS email when the platform shares one that no account has; else
an address under ``.invalid`` (RFC 2606: it can never receive mail), so the gradebook still
has a unique email per row. Its password hash is ``!``, which no password matches: the only
way in is a launch.

An instructor launch signs in the registration's owner only when the LMS account is linked to
them: already, or because the launch's verified email is the owner's (the link is then made).
Any other LMS instructor is refused, so a course's co-teacher cannot open the owner's account.
"""
from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exercises import accounts, db
from exercises.instructor import enrollment
from exercises.lti.launch import AGS, CONTEXT, NRPS, RESOURCE_LINK, LaunchRefused
from exercises.lti.models import LtiIdentity, LtiMember, LtiRegistration, LtiResourceLink
from exercises.models import ProblemSet, User, utcnow

NO_PASSWORD = "!"  # no werkzeug hash looks like this: no password logs in
NRPS_VERSIONS = ("2.0",)


def display_name(claims: dict) -> str:
    """A person's name from id_token or NRPS claims (name, else given + family, else none)."""
    def text(key: str) -> str:
        value = claims.get(key)
        return value.strip() if isinstance(value, str) else ""

    name = text("name") or " ".join(filter(None, (text("given_name"), text("family_name"))))
    return name[:200] or str(_l("LMS student"))


def _free_email(email: object, registration: LtiRegistration, subject: str) -> str:
    if isinstance(email, str):
        normal = accounts.normalize_email(email)
        if not accounts.email_problem(normal) and db.session().scalar(
                select(User.id).where(User.email == normal)) is None:
            return normal
    digest = hashlib.sha256(f"{registration.id}\n{subject}".encode()).hexdigest()[:32]
    return f"lti-{digest}@lms.invalid"


def identity_user(registration: LtiRegistration, subject: str) -> User | None:
    """The account an LMS user of a registration is tied to, or None."""
    return db.session().scalar(select(User).join(LtiIdentity, LtiIdentity.user_id == User.id)
                               .where(LtiIdentity.registration_id == registration.id,
                                      LtiIdentity.subject == subject))


def student_for(registration: LtiRegistration, subject: str, claims: dict) -> User:
    """The student account of an LMS user, made (without a password) the first time."""
    user = identity_user(registration, subject)
    if user is None:
        user = User(email=_free_email(claims.get("email"), registration, subject),
                    name=display_name(claims), password_hash=NO_PASSWORD, role="student")
        try:
            with db.write_transaction() as sess:
                sess.add(user)
                sess.flush()
                sess.add(LtiIdentity(registration_id=registration.id, subject=subject,
                                     user_id=user.id))
        except IntegrityError:  # a second tab's launch made it first
            user = identity_user(registration, subject)
            if user is None:
                raise
    if user.role != "student":
        raise LaunchRefused(_l("This LMS account is linked to an instructor account, which "
                               "cannot take a problem set as a student."), status=403)
    return user


def owner_for(registration: LtiRegistration, subject: str, email: object) -> User:
    """The registration's owner, for an instructor launch by an LMS account linked to them (see
    the module docstring); LaunchRefused (403) otherwise."""
    owner = db.session().get(User, registration.owner_id)
    user = identity_user(registration, subject)
    if user is None and isinstance(email, str) and \
            accounts.normalize_email(email) == owner.email:
        try:
            with db.write_transaction() as sess:
                sess.add(LtiIdentity(registration_id=registration.id, subject=subject,
                                     user_id=owner.id))
        except IntegrityError:
            pass
        user = identity_user(registration, subject)
    if user is None or user.id != owner.id:
        raise LaunchRefused(_l("Only the instructor who registered this platform can open "
                               "Backprop Lab as an instructor: launch with the LMS account "
                               "whose email is that instructor's Backprop Lab email."),
                            status=403)
    return owner


def owned_sets(owner: User) -> list[ProblemSet]:
    """The sets an instructor owns, newest first (what a deep link may pick from)."""
    return list(db.session().scalars(select(ProblemSet).where(ProblemSet.owner_id == owner.id)
                                     .order_by(ProblemSet.created_at.desc())))


def linked_set(registration: LtiRegistration, claims: dict, set_id: object) -> ProblemSet:
    """The problem set a resource-link launch names (SPEC §11's ``problem_set``), which must
    belong to the registration's owner; LaunchRefused (400/404) otherwise."""
    if not isinstance(set_id, str) or not set_id:
        raise LaunchRefused(_l("The launch names no problem set: the resource link needs the "
                               "custom parameter problem_set=<the set's id>."), status=400)
    problem_set = db.session().get(ProblemSet, set_id)
    if problem_set is None or problem_set.owner_id != registration.owner_id:
        raise LaunchRefused(_l("The problem set this link names does not exist, or does not "
                               "belong to the instructor who registered the platform."),
                            status=404)
    return problem_set


def record_link(registration: LtiRegistration, claims: dict,
                problem_set: ProblemSet) -> LtiResourceLink:
    """Store (or refresh) the resource link of a launch with the AGS and NRPS endpoints it
    announced."""
    link_id = (claims.get(RESOURCE_LINK) or {}).get("id") or ""
    ags, nrps = claims.get(AGS) or {}, claims.get(NRPS) or {}
    values = {"problem_set_id": problem_set.id, "lineitem": ags.get("lineitem"),
              "ags_scopes": list(ags.get("scope") or []),
              "memberships_url": nrps.get("context_memberships_url"),
              "context_title": str((claims.get(CONTEXT) or {}).get("title") or "")[:255],
              "updated_at": utcnow()}
    for retry in (False, True):
        try:
            with db.write_transaction() as sess:
                link = sess.scalar(select(LtiResourceLink).where(
                    LtiResourceLink.registration_id == registration.id,
                    LtiResourceLink.resource_link_id == link_id).with_for_update())
                if link is None:
                    link = LtiResourceLink(registration_id=registration.id,
                                           resource_link_id=link_id, **values)
                    sess.add(link)
                else:
                    for name, value in values.items():
                        setattr(link, name, value)
            return link
        except IntegrityError:
            if retry:
                raise


def enroll_member(link: LtiResourceLink, problem_set: ProblemSet, user: User,
                  subject: str) -> None:
    """Enroll a student in the link's set and remember them as the link's member (whose score
    goes back to its line item)."""
    enrollment.join(problem_set, user)
    try:
        with db.write_transaction() as sess:
            if sess.scalar(select(LtiMember.id).where(LtiMember.link_id == link.id,
                                                      LtiMember.user_id == user.id)) is None:
                sess.add(LtiMember(link_id=link.id, user_id=user.id, subject=subject))
    except IntegrityError:
        pass  # the same student's second tab recorded it
