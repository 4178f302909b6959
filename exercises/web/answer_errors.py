"""The grader's refusals of a submission, in the reader's language, for the answer pages.

``submissions.submit`` raises ApiError with English texts (the JSON API's contract); a page
shows the same refusal translated: the notice above the form and each field's reason.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ..errors import ApiError

_NO_ATTEMPTS = re.compile(r"no attempts left: all (\d+) have been used")
_AMBIGUOUS = re.compile(r"ambiguous: (\S+),(\S+) could be (\S+) or (\S+); write it with a "
                        r"decimal point")
_LONG = re.compile(r"more than (\d+) (characters|digits)")


def notice(error: ApiError) -> str:
    """The refusal's headline for the page."""
    if error.status == 422:
        return _("Some answers could not be read; no attempt was used.")
    found = _NO_ATTEMPTS.fullmatch(error.message)
    if found:
        return _("No attempts left: all %(n)s have been used.", n=found.group(1))
    return error.message


def reason(text: str) -> str:
    """One field's reason, translated when it is one the parser gives."""
    fixed = {"not a number": _("not a number"), "not finite": _("not a finite number"),
             "not finite: too large": _("too large to be a number"),
             "division by zero": _("division by zero"),
             "unknown field": _("not a field of this exercise")}
    if text in fixed:
        return fixed[text]
    found = _AMBIGUOUS.fullmatch(text)
    if found:
        whole, part, joined, decimal = found.groups()
        return _("ambiguous: %(whole)s,%(part)s could be %(joined)s or %(decimal)s; write it "
                 "with a decimal point", whole=whole, part=part, joined=joined, decimal=decimal)
    found = _LONG.fullmatch(text)
    if found:
        return _("longer than %(n)s characters", n=found.group(1))
    return text


def reasons(errors: dict[str, str]) -> dict[str, str]:
    """Every field's reason, translated."""
    return {key: reason(text) for key, text in errors.items()}
