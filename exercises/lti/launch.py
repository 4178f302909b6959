"""Validating a launch with PyLTI1p3, and saying why one is refused.

PyLTI1p3 checks the state against the cookie its login set, the registration, the id_token's
signature and expiry with the platform's keys, the deployment and the message. Ours runs those
steps in that order and then uses up the nonce (``storage.consume_nonce``): the signature is
checked before the nonce is spent, so a forged or expired token cannot burn a real login's
nonce. Each step that fails raises ``LaunchRefused`` with a sentence for the person in the
LMS (SPEC §11: answered 401 with a page that says why).
"""
from __future__ import annotations

from urllib.parse import urlsplit

import jwt
from flask_babel import lazy_gettext as _l
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest
from pylti1p3.exception import LtiException

from exercises.lti import storage
from exercises.lti.registrations import PlatformSession, ToolConfig, ToolRegistration

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SET_PARAMETER = "problem_set"  # SPEC §11: the custom parameter naming the problem set

STATE = _l("This launch did not start from a login in this browser (its state is unknown). "
           "Open the activity from your course again.")
TOKEN = _l("The request carries no readable launch token (id_token).")
REGISTRATION = _l("This platform (issuer and client id) is not registered with Backprop Lab.")
SIGNATURE = _l("The launch token's signature does not verify with the platform's keys.")
EXPIRED = _l("The launch token has expired. Open the activity from your course again.")
DEPLOYMENT = _l("This deployment is not registered for the platform.")
MESSAGE = _l("The launch message is incomplete or of a kind Backprop Lab does not handle.")
REPLAYED = _l("This launch token was already used; a launch cannot be replayed. Open the "
              "activity from your course again.")
NONCE = _l("The launch token's nonce does not match a login started here.")
CLAIMS = _l("The launch token's claims are malformed (a required claim is missing or of the "
            "wrong type).")
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
REQUIRED = {"iss": str, "sub": str, "nonce": str, LTI + "deployment_id": str,
            LTI + "message_type": str}
OPTIONAL = {"email": str, "name": str, "given_name": str,
            "family_name": str, LTI + "roles": list, CUSTOM: dict, CONTEXT: dict,
            RESOURCE_LINK: dict, PRESENTATION: dict, AGS: dict, NRPS: dict,
            DEEP_LINKING: dict}
NESTED = {(RESOURCE_LINK, "id"): str, (CONTEXT, "title"): str, (PRESENTATION, "return_url"): str,
          (AGS, "lineitem"): str, (AGS, "scope"): list, (NRPS, "context_memberships_url"): str,
          (DEEP_LINKING, "deep_link_return_url"): str}


def malformed(body: object) -> bool:
    """Whether an id_token's claims are missing or of types no platform sends (see
    ``REQUIRED``, ``OPTIONAL``, ``NESTED``); lists must hold strings."""
    if not isinstance(body, dict):
        return True
    for name, kind in REQUIRED.items():
        if not isinstance(body.get(name), kind) or not body[name]:
            return True
    audience = body.get("aud")
    if not (isinstance(audience, str) or isinstance(audience, list) and audience
            and all(isinstance(v, str) for v in audience)):
        return True
    values = [(body[name], kind) for name, kind in OPTIONAL.items() if body.get(name) is not None]
    values += [(body[outer][inner], kind) for (outer, inner), kind in NESTED.items()
               if isinstance(body.get(outer), dict) and body[outer].get(inner) is not None]
    return any(not isinstance(value, kind)
               or (isinstance(value, list) and not all(isinstance(v, str) for v in value))
               for value, kind in values)


class LaunchRefused(Exception):
    """A launch that is not accepted; ``reason`` says why to the person who launched,
    ``status`` is the HTTP status of the page (401 unless said otherwise)."""

    def __init__(self, reason, status: int = 401):
        super().__init__(str(reason))
        self.reason, self.status = str(reason), status


class ToolLaunch(FlaskMessageLaunch):
    """PyLTI1p3's launch with our storage, our step order and a one-time nonce."""

    def __init__(self, request=None, tool_config=None, session_service=None,
                 cookie_service=None, launch_data_storage=None, requests_session=None):
        super().__init__(request or FlaskRequest(), tool_config or ToolConfig(),
                         session_service, cookie_service,
                         launch_data_storage or storage.DatabaseStorage(),
                         requests_session or PlatformSession())
        self.set_launch_data_lifetime(storage.LIFETIME)

    def validate(self) -> ToolLaunch:
        self._validated = True
        steps = ((self.validate_state, STATE), (self.validate_jwt_format, TOKEN),
                 (self.validate_claim_types, CLAIMS), (self.validate_registration, REGISTRATION),
                 (self.validate_jwt_signature, SIGNATURE), (self.validate_deployment, DEPLOYMENT),
                 (self.validate_nonce, NONCE), (self.validate_message, MESSAGE))
        try:
            for step, reason in steps:
                try:
                    step()
                except LtiException as exc:
                    if isinstance(exc.__cause__, jwt.ExpiredSignatureError):
                        raise LaunchRefused(EXPIRED) from exc
                    raise LaunchRefused(reason) from exc
            self.save_launch_data()
        except Exception:
            self._validated = False
            raise
        return self

    def validate_claim_types(self) -> ToolLaunch:
        if malformed(self._jwt.get("body")):
            raise LaunchRefused(CLAIMS)
        return self

    def validate_nonce(self) -> ToolLaunch:
        nonce = self._get_jwt_body().get("nonce")
        outcome = storage.consume_nonce(nonce) if isinstance(nonce, str) and nonce else "unknown"
        if outcome == "used":
            raise LaunchRefused(REPLAYED)
        if outcome != "ok":
            raise LaunchRefused(NONCE)
        return self

    @property
    def registration(self) -> ToolRegistration:
        """The registration the launch came through (after ``validate``)."""
        return self._registration

    @property
    def body(self) -> dict:
        """The validated id_token's claims."""
        return self._get_jwt_body()


def restore(launch_id: str) -> ToolLaunch:
    """A launch validated earlier (a deep-linking launch, while the instructor picks a set);
    LaunchRefused when it is unknown or expired."""
    try:
        return ToolLaunch.from_cache(launch_id, FlaskRequest(), ToolConfig(),
                                     launch_data_storage=storage.DatabaseStorage())
    except LtiException as exc:
        raise LaunchRefused(_l("This deep-linking session has expired or was used. Start "
                               "again from your course."), status=400) from exc


def origin(url: str | None) -> str | None:
    """The scheme://host[:port] of ``url``, or None."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def platform_origin(body: dict) -> str | None:
    """The origin of the LMS page that frames the tool: the launch's return URL's, else the
    issuer's."""
    return origin((body.get(PRESENTATION) or {}).get("return_url")) or origin(body.get("iss"))
