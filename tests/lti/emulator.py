"""An LTI 1.3 platform for tests: its own RSA key, its JWKS, an OAuth2 token endpoint, an AGS
line item that takes scores and an NRPS memberships endpoint, served on loopback by a WSGI
server thread; it signs real id_tokens and verifies the tool's JWTs with the tool's own
published key set (``/lti/jwks.json``), as a real platform would.
"""
from __future__ import annotations

import html
import json
import secrets
import threading
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLIENT_ID = "backprop-lab-client"
DEPLOYMENT = "deployment-1"


class Platform:
    """The emulated LMS (see the module docstring). ``scores`` holds every score the line item
    accepted with the bearer token it came with; ``refuse_scores`` makes that many score posts
    answer 503 first."""

    def __init__(self, issuer: str | None = None, client_id: str = CLIENT_ID):
        self.client_id = client_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "platform-key-1"
        self.tokens: dict[str, set[str]] = {}
        self.scores: list[dict] = []
        self.score_attempts = 0
        self.refuse_scores = 0
        self.assertions: list[dict] = []
        self.members: list[dict] = []
        self.tool_keys: dict | None = None
        self.tool_url: str | None = None      # where the browser finds the tool (course page)
        self.course_launch: dict = {}         # the custom claims of the course page's launch
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.issuer = issuer or self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Platform:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()

    # -- what an administrator types into the tool's registration form --------------------
    def registration_form(self) -> dict:
        return {"issuer": self.issuer, "client_id": self.client_id, "deployment_ids": DEPLOYMENT,
                "auth_login_url": self.url + "/auth", "token_url": self.url + "/token",
                "jwks_url": self.url + "/jwks"}

    @property
    def lineitem(self) -> str:
        return self.url + "/lineitems/1/lineitem"

    # -- HTTP endpoints ---------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        request = Request(environ)
        routes = {("GET", "/jwks"): self._jwks, ("POST", "/token"): self._token,
                  ("POST", "/lineitems/1/lineitem/scores"): self._score,
                  ("GET", "/memberships"): self._memberships, ("GET", "/course"): self._course,
                  ("GET", "/auth"): self._auth}
        handler = routes.get((request.method, request.path))
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    def _jwks(self, _request) -> Response:
        return _json({"keys": [self.public_jwk()]})

    def public_jwk(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return jwk

    def _token(self, request) -> Response:
        """Client credentials with a JWT assertion, checked with the tool's published keys."""
        form = request.form
        if (form.get("grant_type") != "client_credentials" or form.get("client_assertion_type")
                != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
            return _json({"error": "unsupported_grant_type"}, 400)
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion)["kid"]
            key = next(k for k in self.tool_keys["keys"] if k["kid"] == kid)
            claims = jwt.decode(assertion, RSAAlgorithm.from_jwk(json.dumps(key)),
                                algorithms=["RS256"], audience=self.url + "/token")
        except (jwt.InvalidTokenError, StopIteration, KeyError, TypeError):
            return _json({"error": "invalid_client"}, 401)
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
            return _json({"error": "invalid_client"}, 401)
        self.assertions.append(claims)
        token = secrets.token_urlsafe(24)
        scopes = set(form.get("scope", "").split())
        self.tokens[token] = scopes
        return _json({"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                      "scope": " ".join(sorted(scopes))})

    def _bearer(self, request, scope: str) -> bool:
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        return scope in self.tokens.get(token, ())

    def _score(self, request) -> Response:
        self.score_attempts += 1
        if not self._bearer(request, SCORE_SCOPE):
            return _json({"error": "unauthorized"}, 401)
        if request.mimetype != "application/vnd.ims.lis.v1.score+json":
            return _json({"error": "wrong content type"}, 415)
        if self.refuse_scores:
            self.refuse_scores -= 1
            return _json({"error": "try later"}, 503)
        self.scores.append({**json.loads(request.get_data(as_text=True)),
                            "_token": request.headers["Authorization"][len("Bearer "):]})
        return _json({}, 200)

    def _memberships(self, request) -> Response:
        if not self._bearer(request, NRPS_SCOPE):
            return _json({"error": "unauthorized"}, 401)
        return Response(json.dumps({"id": self.url + "/memberships",
                                    "context": {"id": "course-1", "title": "Neural Networks"},
                                    "members": self.members}),
                        content_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json")

    def _course(self, request) -> Response:
        """A course page framing the tool's launch (as an LMS does) and, beside it, a tool
        page that no launch opened."""
        login = (f"{self.tool_url}/lti/login?iss={self.issuer}&login_hint={request.args['sub']}"
                 f"&client_id={self.client_id}&lti_deployment_id={DEPLOYMENT}")
        return Response(f"""<!doctype html><title>Course</title><h1>Neural Networks</h1>
            <iframe id="tool" title="Backprop Lab" src="{html.escape(login)}"
                    width="900" height="600"></iframe>
            <iframe id="other" title="Another page" src="{self.tool_url}/login"></iframe>""",
                        content_type="text/html")

    def _auth(self, request) -> Response:
        """The OIDC authentication endpoint: the signed-in LMS user goes back to the tool with
        an id_token, by a form the browser posts."""
        args = request.args
        token = self.id_token(args["nonce"], args["login_hint"], [LEARNER],
                              custom=self.course_launch)
        return Response(f"""<!doctype html><title>Launching</title>
            <form id="launch" method="post" action="{html.escape(args['redirect_uri'])}">
            <input type="hidden" name="id_token" value="{token}">
            <input type="hidden" name="state" value="{html.escape(args['state'])}"></form>
            <script>document.getElementById("launch").submit();</script>""",
                        content_type="text/html")

    # -- the browser's side of a launch ----------------------------------------------------
    def id_token(self, nonce: str, sub: str, roles: list[str], *, message_type=
                 "LtiResourceLinkRequest", custom: dict | None = None, lifetime: int = 300,
                 extra: dict | None = None, key=None) -> str:
        """A signed id_token for the tool (``lifetime`` seconds from now; negative: expired)."""
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "nonce": nonce,
            "iat": now - 10 if lifetime > 0 else now - 600, "exp": now + lifetime,
            "name": f"Student {sub}", "email": f"{sub}@school.example",
            LTI + "message_type": message_type, LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT, LTI + "roles": roles,
            LTI + "target_link_uri": "https://tool.example/lti/launch",
            LTI + "context": {"id": "course-1", "title": "Neural Networks"},
            LTI + "launch_presentation": {"return_url": self.url + "/course/1"},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "link-1", "title": "Week 3"}
            claims[LTI + "custom"] = custom or {}
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [LINEITEM_SCOPE, SCORE_SCOPE], "lineitem": self.lineitem}
            claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
                "context_memberships_url": self.url + "/memberships",
                "service_versions": ["2.0"]}
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data"}
        claims.update(extra or {})
        pem = (key or self.key).private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())
        # signed as raw JSON, so that claims of any type (a fuzzed iss) can be sent too
        return jwt.api_jws.PyJWS().encode(json.dumps(claims).encode(), pem, algorithm="RS256",
                                          headers={"kid": self.kid, "typ": "JWT"})

    def login(self, client, sub: str):
        """Start a login at the tool; returns (its response, state, nonce) from the redirect
        to this platform's authentication URL."""
        response = client.post("/lti/login", data={
            "iss": self.issuer, "login_hint": sub, "client_id": self.client_id,
            "target_link_uri": "https://tool.example/lti/launch",
            "lti_deployment_id": DEPLOYMENT})
        if response.status_code != 302:
            return response, None, None
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return response, query["state"][0], query["nonce"][0]

    def launch(self, client, sub: str, roles: list[str], **token_options):
        """Log in and post a signed id_token back; returns (launch response, id_token,
        state)."""
        _response, state, nonce = self.login(client, sub)
        token = self.id_token(token_options.pop("nonce", nonce), sub, roles, **token_options)
        return client.post("/lti/launch", data={"id_token": token, "state": state}), token, state

    def verify_deep_link(self, token: str) -> dict:
        """The claims of a deep-linking response, verified with the tool's published keys."""
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in self.tool_keys["keys"] if k["kid"] == kid)
        return jwt.decode(token, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"],
                          audience=self.issuer, issuer=self.client_id)


def new_member(sub: str, role: str = LEARNER, status: str = "Active") -> dict:
    """An NRPS member entry."""
    return {"user_id": sub, "roles": [role], "status": status, "name": f"Member {sub}",
            "email": f"{sub}@school.example", "lis_person_sourcedid": str(uuid.uuid4())}


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
