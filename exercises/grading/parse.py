"""Reading a student's answer (SPEC §6 step 1): text or a JSON number in, a float or blank out.

Accepted: decimals, scientific notation, a leading ``+``, the Unicode minus ``−``, surrounding
spaces, a decimal comma (``0,25``) and fractions ``a/b``. Everything else is rejected with a
reason a student can act on, because one unreadable field makes the whole submission invalid.
"""
import math
import re

MAX_LENGTH = 64

_SIGN = r"[+-]?"
_PLAIN = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_EXPONENT = r"(?:[eE][+-]?[0-9]+)?"
_DECIMAL = re.compile(_SIGN + _PLAIN + _EXPONENT)
_COMMA = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]+),(?P<part>[0-9]+)(?P<exp>[eE][+-]?[0-9]+)?")
_FRACTION = re.compile(r"(?P<top>" + _SIGN + _PLAIN + r")\s*/\s*(?P<bottom>" + _SIGN + _PLAIN + ")")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


class AnswerError(ValueError):
    """An answer that is not blank and cannot be read as one finite number."""


def parse_answer(raw) -> float | None:
    """Return the number a student's answer denotes, or None when it is blank.

    ``raw`` is a string or a JSON number (int or float, never bool); None and whitespace-only
    text are blank. Raises AnswerError with a short reason for anything else.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise AnswerError("not a number: true/false is not an answer")
    if isinstance(raw, (int, float)):
        number = _finite(raw)
        if isinstance(raw, int) and len(str(raw)) > MAX_LENGTH:
            # The limit of text, since the number is stored as the text it was sent as.
            raise AnswerError(f"more than {MAX_LENGTH} digits")
        return number
    if not isinstance(raw, str):
        raise AnswerError(f"not a number: expected text or a number, got {_json_type(raw)}")
    if len(raw) > MAX_LENGTH:
        raise AnswerError(f"more than {MAX_LENGTH} characters")
    # The Unicode minus is what word processors and many keyboards produce for "−0.5".
    text = raw.strip().replace("\u2212", "-")
    if not text:
        return None
    if _DECIMAL.fullmatch(text):
        return _finite(text)
    comma = _COMMA.fullmatch(text)
    if comma:
        return _decimal_comma(comma)
    fraction = _FRACTION.fullmatch(text)
    if fraction:
        bottom = float(fraction["bottom"])
        if bottom == 0:
            raise AnswerError("division by zero")
        return _finite(float(fraction["top"]) / bottom)
    if _NOT_FINITE.fullmatch(text):
        raise AnswerError("not finite")
    raise AnswerError("not a number")


def _decimal_comma(match) -> float:
    # "1,000" reads as one thousand to some and 1.0 to others, with or without an exponent
    # after it. A comma can group thousands only after 1–3 leading digits (not starting
    # with 0) and before exactly three digits.
    whole, part = match["whole"], match["part"]
    if len(part) == 3 and len(whole) <= 3 and not whole.startswith("0"):
        raise AnswerError(f"ambiguous: {whole},{part} could be {whole}{part} or {whole}.{part}; "
                          "write it with a decimal point")
    return _finite(f"{match['sign']}{whole}.{part}{match['exp'] or ''}")


def _finite(value) -> float:
    try:
        number = float(value)
    except OverflowError:
        raise AnswerError("not finite: too large") from None
    if not math.isfinite(number):
        raise AnswerError("not finite")
    return number


def _json_type(value) -> str:
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
