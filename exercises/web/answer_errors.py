"""Refusals in the reader's language, for the pages: a submission's (the notice above the
answer form and each field's reason), the configurator's and the trace tool's.

The services raise domain errors (``exercises.domain``) with English texts (the JSON API's
contract, naming keys such as ``learning_rate`` or ``weights[0]``); a page shows the same
refusal translated, with its HTTP status from ``errors.status_of``: ``refusal`` is the one
place that turns a domain error into what a page shows. A headline is chosen by the error's
kind; a field's reason is matched by its wording, and one not known here stays as the service
wrote it.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

import tracer
from exercises.domain import DomainError, InvalidAnswers, NoAttemptsLeft, UnknownPreset, UnreadableSettings
from exercises.errors import status_of

_AMBIGUOUS = re.compile(r"ambiguous: (\S+),(\S+) could be (\S+) or (\S+); write it with a "
                        r"decimal point")
_LONG = re.compile(r"more than (\d+) (characters|digits)")
_WHOLE = re.compile(r"must be (?:a whole number|an integer) from (\S+) to (\S+?)(?:, got .*)?")
_RANGE = re.compile(r"must (?:be a number in|lie in) (\S+, \S+?)(?:; got .*)?")
_ONE_OF = re.compile(r"must be one of (.+); got (.+)")
_KEYED = re.compile(r"([A-Za-z_][\w.\[\]]*): (.+)")


def refusal(error: DomainError) -> tuple[int, str, dict[str, str]]:
    """What a page shows of a service's refusal: the HTTP status, the notice above the form,
    and each field's reason, all in the reader's language."""
    return status_of(error), notice(error), reasons(error.fields)


def notice(error: DomainError) -> str:
    """The refusal's headline for the page."""
    if isinstance(error, UnreadableSettings):
        return _("Some settings could not be read.")
    if isinstance(error, UnknownPreset):
        return _("There is no such preset.")
    if isinstance(error, InvalidAnswers):
        return _("Some answers could not be read; no attempt was used.")
    if isinstance(error, NoAttemptsLeft):
        return _("No attempts left: all %(n)s have been used.", n=error.limit)
    return error.message


def reason(text: str) -> str:
    """One field's reason, translated when it is one the parser gives."""
    fixed = {"not a number": _("not a number"), "not finite": _("not a finite number"),
             "not finite: too large": _("too large to be a number"),
             "division by zero": _("division by zero"),
             "unknown field": _("not a field of this exercise"),
             "is required": _("is required"), "must be greater than 0": _("must be above 0"),
             "must be > 0": _("must be above 0"),
             "must be a number such as 0.5": _("must be a number such as 0.5"),
             "not one of the presets": _("not one of the presets"),
             "not a practice setting": _("not a practice setting"),
             "not an integer in range": _("not a whole number in range")}
    if text in fixed:
        return fixed[text]
    found = _WHOLE.fullmatch(text)
    if found:
        return _("must be a whole number from %(low)s to %(high)s", low=found.group(1),
                 high=found.group(2))
    found = _RANGE.fullmatch(text)
    if found:
        return _("must be a number in %(range)s", range=found.group(1))
    found = _ONE_OF.fullmatch(text)
    if found:
        return _("must be one of %(options)s; got %(got)s", options=found.group(1),
                 got=found.group(2))
    found = _AMBIGUOUS.fullmatch(text)
    if found:
        whole, part, joined, decimal = found.groups()
        return _("ambiguous: %(whole)s,%(part)s could be %(joined)s or %(decimal)s; write it "
                 "with a decimal point", whole=whole, part=part, joined=joined, decimal=decimal)
    found = _LONG.fullmatch(text)
    if found:
        return _("longer than %(n)s characters", n=found.group(1))
    found = _KEYED.fullmatch(text)   # "weights[0]: is required": the key stays, the words move
    if found and reason(found.group(2)) != found.group(2):
        return f"{found.group(1)}: {reason(found.group(2))}"
    return text


def spec_reason(error: tracer.SpecError) -> str:
    """The engine's refusal of a spec, key first, its words in the reader's language (the
    engine gives them as a template and its fields, so no wording is matched here)."""
    text = _(error.template, **error.params)
    return f"{error.key}: {text}" if error.key else text


def reasons(errors: dict[str, str]) -> dict[str, str]:
    """Every field's reason, translated."""
    return {key: reason(text) for key, text in errors.items()}
