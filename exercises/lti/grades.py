"""Assignment and Grade Services: a student's set score goes back to the LMS line item.

After every graded submission of a student who came in through a resource link with a line
item (``on_graded``, connected to ``submissions.graded``), a job (kind ``lti_score``, target
the submission, the links' members in its payload) posts the set's score as it is when the job
runs: the sum of the best attempts in points, of ``scoreMaximum`` the set's points (SPEC §11),
through PyLTI1p3 with an OAuth2 client-credentials token it asks the platform's token URL for
(a JWT assertion signed with the registration's key). A platform that does not answer is tried
again after each of ``LTI_RETRY_DELAYS`` seconds; then the job fails with the platform's
answer. One job per submission, each stamped with the moment it read the score: jobs that run
out of order cannot leave an older score in the LMS, which keeps the newest timestamp (AGS).
"""
from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import requests
from flask import current_app
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import func, select

from exercises import db, jobs
from exercises.instructor.gradebook import gradebook
from exercises.instructor.problem_sets import SetError
from exercises.lti.models import LtiMember, LtiRegistration, LtiResourceLink
from exercises.lti.registrations import PlatformSession, ToolRegistration
from exercises.models import Exercise, Job, ProblemSet, Submission

log = logging.getLogger(__name__)
KIND = "lti_score"
RETRY_DELAYS = (2.0, 10.0, 30.0)


class ScoreNotSent(SetError):
    """The platform refused the score or did not answer; the job records the message."""


def on_graded(_sender, *, submission_id: str, problem_set_id: str | None,
              user_id: str | None, **_extra) -> None:
    """Queue a score post to every LTI link the student of a graded set submission came
    through; a failure to queue is logged and never undoes the submission."""
    if problem_set_id is None or user_id is None:
        return
    try:
        members = db.session().scalars(
            select(LtiMember.id).join(LtiResourceLink, LtiResourceLink.id == LtiMember.link_id)
            .where(LtiResourceLink.problem_set_id == problem_set_id,
                   LtiMember.user_id == user_id, LtiResourceLink.lineitem.is_not(None))
            .order_by(LtiMember.id)).all()
        if members:
            jobs.start(KIND, submission_id, {"members": members})
    except Exception:  # the student's attempt is stored; the LMS can be updated later
        log.exception("LTI score for user %s in set %s not queued", user_id, problem_set_id)


def send_all(link: LtiResourceLink) -> int:
    """Queue a score post for every member of a link (after a regrade or an override changed
    totals that no submission will send); returns how many. Each job's target is the member,
    so sending twice while the first is queued queues nothing more."""
    members = db.session().scalars(select(LtiMember.id).where(LtiMember.link_id == link.id)
                                   .order_by(LtiMember.id)).all()
    for member_id in members:
        jobs.start(KIND, member_id, {"members": [member_id]})
    return len(members)


def posting_counts(link_ids: list[str]) -> dict[str, dict[str, int]]:
    """How many score posts to each link ended in each state ("done", "failed", ...), for
    the instructor's LTI page: the posts after submissions and those ``send_all`` queued."""
    after_submissions = (
        select(LtiMember.link_id, Job.state)
        .join(LtiResourceLink, LtiResourceLink.id == LtiMember.link_id)
        .join(Submission, Submission.user_id == LtiMember.user_id)
        .join(Exercise, Exercise.id == Submission.exercise_id)
        .join(Job, Job.target == Submission.id)
        .where(Job.kind == KIND, LtiMember.link_id.in_(link_ids),
               Exercise.problem_set_id == LtiResourceLink.problem_set_id))
    sent_by_hand = (select(LtiMember.link_id, Job.state).join(Job, Job.target == LtiMember.id)
                    .where(Job.kind == KIND, LtiMember.link_id.in_(link_ids)))
    posts = after_submissions.union_all(sent_by_hand).subquery()
    rows = db.session().execute(select(posts.c.link_id, posts.c.state, func.count())
                                .group_by(posts.c.link_id, posts.c.state))
    counts: dict[str, dict[str, int]] = {}
    for link_id, state, n in rows:
        counts.setdefault(link_id, {})[state] = n
    return counts


def set_score(problem_set: ProblemSet, user_id: str) -> tuple[float, float]:
    """(score, maximum) of a student in a set: the gradebook's total and the set's points."""
    book = gradebook(problem_set, user_id=user_id)
    total = book.rows[0].total if book.rows else 0.0
    return round(total, 6), round(book.max_total, 6)


def post_score(job) -> dict:
    """The ``lti_score`` job: post each member's set score to their link's line item (see the
    module docstring); returns what was posted."""
    sess = db.session()
    posted = {}
    for member_id in job.payload["members"]:
        member = sess.get(LtiMember, member_id)
        if member is None:
            continue  # its registration was removed since
        link = sess.get(LtiResourceLink, member.link_id)
        service = AssignmentsGradesService(
            ServiceConnector(ToolRegistration(sess.get(LtiRegistration, link.registration_id)),
                             PlatformSession()),
            {"scope": link.ags_scopes, "lineitem": link.lineitem})
        stamp = datetime.now(UTC)
        score = set_score(sess.get(ProblemSet, link.problem_set_id), member.user_id)
        _post(service, member.subject, *score, stamp)
        posted = {"score": score[0], "max": score[1]}
    return {**posted, "members": len(job.payload["members"])}


def _post(service: AssignmentsGradesService, subject: str, score: float, maximum: float,
          stamp: datetime) -> None:
    grade = (Grade().set_score_given(score).set_score_maximum(maximum).set_user_id(subject)
             .set_activity_progress("Completed").set_grading_progress("FullyGraded")
             .set_timestamp(stamp.isoformat(timespec="milliseconds")))
    delays = current_app.config.get("LTI_RETRY_DELAYS", RETRY_DELAYS)
    for attempt in range(len(delays) + 1):
        try:
            service.put_grade(grade)
            return
        except LtiServiceException as exc:
            problem = f"the platform answered {exc.response.status_code}"
        except (LtiException, requests.RequestException) as exc:
            problem = f"the platform could not be reached ({exc.__class__.__name__})"
        log.warning("LTI score for %s not posted (try %d): %s", subject, attempt + 1, problem)
        if attempt < len(delays):
            time.sleep(delays[attempt])
    raise ScoreNotSent(f"The score was not sent to the LMS: {problem}.")
