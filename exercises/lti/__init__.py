"""LTI 1.3 Advantage (SPEC §11), with PyLTI1p3: Backprop Lab as a tool inside Canvas, Moodle,
Blackboard or Brightspace.

- ``registrations``: platforms an instructor registers, each with its own tool key pair;
  ``/lti/jwks.json`` serves the public keys; the adapter PyLTI1p3 reads them through.
- ``views``: OIDC login initiation, the launch (a student signed in and sent to the set, an
  instructor to its gradebook), deep linking; ``launch`` validates and says why a launch is
  refused; ``people`` makes and links the accounts; ``storage`` keeps PyLTI1p3's launch data
  in the database and uses each nonce once.
- ``grades``: Assignment and Grade Services, a job after each graded submission;
  ``roster``: Names and Role Provisioning, an instructor's import.
- ``framing``: the LMS may frame the launched pages; their session cookie is
  ``SameSite=None; Secure``; everything else keeps denying frames.
"""
from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Register the LTI endpoints (CSRF-exempt: see ``views``) and the instructor's LTI page,
    the framing rules and the framed session cookie, and grade passback after each graded
    submission."""
    from exercises import submissions
    from exercises.lti import admin_views, framing, grades, views
    from exercises.security import FRAME_ORIGINS, csrf

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    csrf.exempt(views.bp)
    app.extensions[FRAME_ORIGINS] = framing.frame_origins
    app.session_interface = framing.FramedSessionInterface()
    submissions.graded.connect(grades.on_graded)
