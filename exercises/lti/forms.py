"""The platform registration form (SPEC §11's fields); checking the URLs and storing the
registration is ``registrations.create``'s job."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from exercises.lti.registrations import PlatformFields

SEPARATORS = re.compile(r"[\s,]+")


class RegistrationForm(FlaskForm):
    """What the platform's administrator gives the instructor when the tool is registered."""

    issuer = StringField(_l("Issuer (the platform's iss)"),
                         validators=[InputRequired(), Length(max=255)])
    client_id = StringField(_l("Client id"), validators=[InputRequired(), Length(max=255)])
    deployment_ids = TextAreaField(_l("Deployment ids (one per line)"),
                                   validators=[InputRequired(), Length(max=2000)])
    auth_login_url = StringField(_l("Platform's OIDC authentication URL"),
                                 validators=[InputRequired(), Length(max=500)])
    token_url = StringField(_l("Platform's access token URL"),
                            validators=[InputRequired(), Length(max=500)])
    jwks_url = StringField(_l("Platform's public key set URL (JWKS)"),
                           validators=[InputRequired(), Length(max=500)])

    def fields(self) -> PlatformFields:
        """The typed values, trimmed; deployment ids split on lines, commas or spaces."""
        ids = tuple(dict.fromkeys(part for part in SEPARATORS.split(self.deployment_ids.data)
                                  if part))
        return PlatformFields(
            issuer=self.issuer.data.strip(), client_id=self.client_id.data.strip(),
            deployment_ids=ids, auth_login_url=self.auth_login_url.data.strip(),
            token_url=self.token_url.data.strip(), jwks_url=self.jwks_url.data.strip())
