"""Names and Role Provisioning: an instructor imports a course's students from the platform.

The memberships URL is the one the set's latest launch announced (``people.record_link``).
Every active member with a learner role gets their account (made without a password the first
time, as a launch would), joins the set and becomes the link's member, so their score goes
back to the LMS as soon as they submit. Instructors and others in the course are left out.
"""
from __future__ import annotations

from dataclasses import dataclass

import requests
from flask_babel import gettext as _
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from exercises import db
from exercises.lti.launch import LaunchRefused
from exercises.lti.models import LtiRegistration, LtiResourceLink
from exercises.lti.people import NRPS_VERSIONS, enroll_member, student_for
from exercises.lti.registrations import PlatformSession, ToolRegistration
from exercises.models import ProblemSet

LEARNER = ("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner", "Learner")


class RosterError(ValueError):
    """The roster could not be read from the platform; the message says why."""


@dataclass(frozen=True)
class Imported:
    """What an import did: students enrolled, and members the platform listed."""

    students: int
    members: int


def is_learner(member: dict) -> bool:
    """Whether an NRPS member is an active learner of the course."""
    return member.get("status", "Active") == "Active" and any(
        role in LEARNER for role in member.get("roles") or ())


def import_roster(link: LtiResourceLink) -> Imported:
    """Enroll every active learner of the link's course in its set (see the module
    docstring); RosterError when the platform cannot be asked or refuses."""
    sess = db.session()
    if not link.memberships_url:
        raise RosterError(_("The platform announced no roster service (NRPS) for this link."))
    problem_set = sess.get(ProblemSet, link.problem_set_id)
    if problem_set.status != "published":
        raise RosterError(_("Publish the set first: students join a published set."))
    registration = sess.get(LtiRegistration, link.registration_id)
    service = NamesRolesProvisioningService(
        ServiceConnector(ToolRegistration(registration), PlatformSession()),
        {"context_memberships_url": link.memberships_url, "service_versions": NRPS_VERSIONS})
    try:
        members = service.get_members()
    except LtiServiceException as exc:
        raise RosterError(_("The platform refused the roster request (HTTP %(status)s).",
                            status=exc.response.status_code)) from exc
    except (LtiException, requests.RequestException, ValueError) as exc:
        raise RosterError(_("The platform's roster service could not be reached.")) from exc
    students = 0
    for member in members:
        subject = member.get("user_id")
        if not is_learner(member) or not isinstance(subject, str) or not subject:
            continue
        try:
            user = student_for(registration, subject, member)
        except LaunchRefused:  # an instructor's account: not a student of the set
            continue
        enroll_member(link, problem_set, user, subject)
        students += 1
    return Imported(students, len(members))
