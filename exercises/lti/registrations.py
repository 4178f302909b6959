"""Platform registrations: creating one (with its own tool key pair), listing, removing, the
tool's public key set, and the adapter that lets PyLTI1p3 read registrations from our database.

Every registration gets an RSA key pair of its own, made when it is created: the platform
fetches the public half from ``/lti/jwks.json`` (one stable URL listing every registration's
key, each with its ``kid``), and the tool signs its OAuth2 client assertions and deep-linking
responses with the private half, which never leaves the server.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask_babel import lazy_gettext as _l
from jwcrypto.jwk import JWK
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from exercises import db
from exercises.lti.models import LtiMember, LtiRegistration, LtiResourceLink
from exercises.models import ProblemSet, new_id

KEY_BITS = 2048
HTTP_TIMEOUT = 10  # seconds any call to a platform (keys, tokens, scores, rosters) may take
LOOPBACK = ("127.0.0.1", "localhost", "::1")
URL_FIELDS = ("auth_login_url", "token_url", "jwks_url")


class RegistrationError(ValueError):
    """A registration that cannot be stored as asked; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PlatformFields:
    """What an instructor types to register a platform (SPEC §11's registration fields)."""

    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str
    token_url: str
    jwks_url: str


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a platform endpoint, or None: it must be https (http only on this
    machine's loopback, for a platform under test)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return None
    return str(_l("Give an https:// address (http:// only for this machine)."))


def create(owner_id: str, fields: PlatformFields) -> LtiRegistration:
    """Store a registration with a new tool key pair; raises RegistrationError naming the field
    at fault (a bad URL, no deployment id, an issuer and client id already registered)."""
    for name in ("issuer", *URL_FIELDS):
        problem = url_problem(getattr(fields, name))
        if problem:
            raise RegistrationError(problem, name)
    if not fields.deployment_ids:
        raise RegistrationError(str(_l("Give at least one deployment id.")), "deployment_ids")
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    registration = LtiRegistration(
        owner_id=owner_id, issuer=fields.issuer, client_id=fields.client_id,
        deployment_ids=list(fields.deployment_ids), auth_login_url=fields.auth_login_url,
        token_url=fields.token_url, jwks_url=fields.jwks_url, private_key=pem, key_id=new_id())
    try:
        with db.write_transaction() as sess:
            sess.add(registration)
    except IntegrityError as exc:
        raise RegistrationError(str(_l("This issuer and client id are registered already.")),
                                "client_id") from exc
    return registration


def owned(owner_id: str) -> list[LtiRegistration]:
    """An instructor's registrations, oldest first."""
    return list(db.session().scalars(select(LtiRegistration)
                                     .where(LtiRegistration.owner_id == owner_id)
                                     .order_by(LtiRegistration.created_at)))


def remove(owner_id: str, registration_id: str) -> bool:
    """Delete one of the instructor's registrations (its links and members go with it); False
    when it is not theirs."""
    with db.write_transaction() as sess:
        registration = sess.get(LtiRegistration, registration_id)
        if registration is None or registration.owner_id != owner_id:
            return False
        sess.delete(registration)
    return True


def public_jwk(registration: LtiRegistration) -> dict:
    """The public half of a registration's key as a JWK, with its ``kid``."""
    private = JWK.from_pem(registration.private_key.encode())
    jwk = json.loads(private.export_public())
    jwk.update(kid=registration.key_id, alg="RS256", use="sig")
    return jwk


def key_set() -> dict:
    """The tool's public key set: every registration's key."""
    rows = db.session().scalars(select(LtiRegistration).order_by(LtiRegistration.created_at))
    return {"keys": [public_jwk(row) for row in rows]}


def find(issuer: str, client_id: str | None) -> LtiRegistration | None:
    """The registration of ``issuer`` and ``client_id``; without a client id (a login request
    may omit it), the issuer's only registration."""
    query = select(LtiRegistration).where(LtiRegistration.issuer == issuer)
    if client_id:
        return db.session().scalar(query.where(LtiRegistration.client_id == client_id))
    rows = db.session().scalars(query.limit(2)).all()
    return rows[0] if len(rows) == 1 else None


class PlatformSession(requests.Session):
    """HTTP to platforms, never waiting longer than ``HTTP_TIMEOUT`` (PyLTI1p3 sets none, and a
    platform that never answers would hold a web request or a worker for good)."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


class ToolRegistration(Registration):
    """PyLTI1p3's view of one of our registrations, signing with its ``key_id``."""

    def __init__(self, row: LtiRegistration):
        self.row = row
        private = serialization.load_pem_private_key(row.private_key.encode(), password=None)
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        (self.set_issuer(row.issuer).set_client_id(row.client_id)
         .set_key_set_url(row.jwks_url).set_auth_token_url(row.token_url)
         .set_auth_login_url(row.auth_login_url).set_tool_private_key(row.private_key)
         .set_tool_public_key(public))

    def get_kid(self) -> str:
        return self.row.key_id

    def get_jwks(self) -> list[dict]:
        return [public_jwk(self.row)]


class ToolConfig(ToolConfAbstract):
    """Registrations and deployments for PyLTI1p3, read from ``lti_registrations``; every
    issuer may have several client ids."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args,
                                    **kwargs) -> Registration | None:
        row = find(iss, client_id)
        return ToolRegistration(row) if row is not None else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None,
                                  *args, **kwargs) -> Deployment | None:
        row = find(iss, client_id)
        if row is None or deployment_id not in row.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)


def course_links(owner_id: str) -> list[tuple]:
    """The owner's course links, most recently launched first: (link, set title, members)."""
    members = (select(LtiMember.link_id, func.count().label("n"))
               .group_by(LtiMember.link_id).subquery())
    return list(db.session().execute(
        select(LtiResourceLink, ProblemSet.title, func.coalesce(members.c.n, 0))
        .join(LtiRegistration, LtiRegistration.id == LtiResourceLink.registration_id)
        .join(ProblemSet, ProblemSet.id == LtiResourceLink.problem_set_id)
        .outerjoin(members, members.c.link_id == LtiResourceLink.id)
        .where(LtiRegistration.owner_id == owner_id)
        .order_by(LtiResourceLink.updated_at.desc())).all())


def owned_link(owner_id: str, link_id: str) -> LtiResourceLink | None:
    """One of the owner's course links (through its registration), None otherwise."""
    link = db.session().get(LtiResourceLink, link_id)
    registration = link and db.session().get(LtiRegistration, link.registration_id)
    return link if registration is not None and registration.owner_id == owner_id else None
