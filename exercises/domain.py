"""What the services refuse, in the domain's words.

The services (``practice``, ``submissions`` and what they call) raise these instead of HTTP
errors; each says what went wrong in English (the JSON API's contract, naming keys such as
``seed`` or ``weights[0]``) with, where fields are at fault, one message per field. Turning them
into HTTP happens in one place for the API (``errors.status_of`` and the handler in
``errors.init_app``) and one for the pages (``web.answer_errors.refusal``).
"""
from __future__ import annotations


class DomainError(Exception):
    """A refusal: ``message`` says why, ``fields`` names each key at fault with its reason."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Malformed(DomainError):
    """The input does not have the shape asked for (answers that are not a mapping)."""


class NotFound(DomainError):
    """No such exercise (or no stored trace for it)."""


class Forbidden(DomainError):
    """Exam mode refuses this: the network is an open exam's variant."""


class NoAttemptsLeft(DomainError):
    """Every attempt the exercise allows has been used."""

    def __init__(self, limit: int):
        super().__init__(f"no attempts left: all {limit} have been used")
        self.limit = limit


class InvalidAnswers(DomainError):
    """Some answers could not be read; ``fields`` gives each one's reason. No attempt is used."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("some answers could not be read; no attempt was used", fields)


class InvalidSettings(DomainError):
    """Practice settings (knobs) that cannot be read: an unknown key, a seed out of range, a
    network that is not a spec, or a request without a login for too large a network."""


class UnreadableSettings(InvalidSettings):
    """Some of the configurator's settings could not be read; ``fields`` gives each reason."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("some settings could not be read", fields)


class UnknownPreset(InvalidSettings):
    """The settings name a preset that does not exist."""

    def __init__(self):
        super().__init__("unknown preset", {"template": "not one of the presets"})


class TemplateRefused(InvalidSettings):
    """The template the settings describe makes no exercise (``generation.TemplateError``)."""
