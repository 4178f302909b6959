"""The LTI 1.3 tables (revision 0007_lti), on the app's ``Base`` (``exercises.models`` imports
this module, so Alembic and every ``Base.metadata`` user sees them).

A platform registration holds what the platform told the instructor (issuer, client id,
deployment ids, its login, token and key-set URLs) and the tool's own RSA key pair, made for
that registration (its public half is served at ``/lti/jwks.json``). An LMS user is an
identity (registration, subject) tied to one of our accounts. A resource link is one placement of a
problem set in a course, with the service endpoints its launches announced (the AGS line item,
the NRPS memberships URL); a member is a student who came in through it (by a launch or a
roster import), whose best score goes back to its line item.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exercises.models.base import ID, Base, Timestamp, new_id, utcnow

URL = String(500)


class LtiRegistration(Base):
    """A platform an instructor registered: its issuer and client id, the deployments it may
    launch from, its endpoints, and the tool key pair made for it."""

    __tablename__ = "lti_registrations"
    __table_args__ = (UniqueConstraint("issuer", "client_id",
                                       name="uq_lti_registrations_issuer_client"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_ids: Mapped[list[str]] = mapped_column(JSON)
    auth_login_url: Mapped[str] = mapped_column(URL)
    token_url: Mapped[str] = mapped_column(URL)
    jwks_url: Mapped[str] = mapped_column(URL)
    private_key: Mapped[str] = mapped_column(Text)   # PEM, PKCS#8; never leaves the server
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class LtiIdentity(Base):
    """An LMS user (their ``sub``) as the registration their launches come through knows them,
    and the account those launches sign in. Keyed by registration, not by issuer alone: the
    registration's keys are what vouch for the ``sub``, so another registration claiming the
    same issuer (with keys of its own) can never reach these accounts."""

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("registration_id", "subject",
                                       name="uq_lti_identities_registration_subject"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("lti_registrations.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class LtiResourceLink(Base):
    """A problem set placed in a course: the platform's resource link id, and the AGS and NRPS
    endpoints its latest launch announced."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("registration_id", "resource_link_id",
                                       name="uq_lti_resource_links_registration_link"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("lti_registrations.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    problem_set_id: Mapped[str] = mapped_column(ForeignKey("problem_sets.id", ondelete="CASCADE"),
                                                index=True)
    context_title: Mapped[str] = mapped_column(String(255), default="")
    lineitem: Mapped[str | None] = mapped_column(URL)
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    memberships_url: Mapped[str | None] = mapped_column(URL)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class LtiMember(Base):
    """A student who came in through a resource link; ``subject`` is their LMS user id, which
    AGS scores are posted for."""

    __tablename__ = "lti_members"
    __table_args__ = (UniqueConstraint("link_id", "user_id", name="uq_lti_members_link_user"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class LtiLaunchValue(Base):
    """PyLTI1p3's launch storage (``storage.DatabaseStorage``): nonces of logins started here,
    states of validated launches, and the launch data a deep-linking page reads back."""

    __tablename__ = "lti_launch_values"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
