"""Reading answers (SPEC §6 step 1): every accepted and rejected form."""
import pytest

from exercises.grading import AnswerError, parse_answer


@pytest.mark.parametrize("raw, value", [
    ("0.25", 0.25),
    ("-0.25", -0.25),
    ("+0.25", 0.25),
    ("\u22120.25", -0.25),          # Unicode minus
    ("  0.25\t", 0.25),             # surrounding spaces
    (".5", 0.5),
    ("5.", 5.0),
    ("3", 3.0),
    ("1.2e-3", 0.0012),
    ("1.2E+3", 1200.0),
    ("-4e2", -400.0),
    ("1.2e\u22123", 0.0012),        # a Unicode minus in the exponent reads as a minus too
    ("0,25", 0.25),                 # decimal comma
    ("1,5e3", 1500.0),
    ("-1,5", -1.5),
    ("\u22120,125", -0.125),
    ("0,250", 0.25),                # a leading 0 cannot be a thousands group
    ("1234,567", 1234.567),         # nor can four digits before the comma
    ("1/4", 0.25),
    ("-3/4", -0.75),
    (" 1 / 8 ", 0.125),
    ("0.5/2", 0.25),
    ("1/-8", -0.125),               # a sign on either side of a fraction
    ("\u22121/\u22128", 0.125),
    ("1e-999", 0.0),                # underflow is a finite number
    (7, 7.0),                       # JSON numbers
    (-0.125, -0.125),
])
def test_accepted_forms(raw, value):
    assert parse_answer(raw) == pytest.approx(value, rel=1e-15, abs=0)


@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n"])
def test_blank(raw):
    assert parse_answer(raw) is None


@pytest.mark.parametrize("raw, reason", [
    ("abc", "not a number"),
    ("0.2.5", "not a number"),
    ("1,2,3", "not a number"),
    ("1.000,5", "not a number"),     # a comma and a dot
    ("1_000", "not a number"),
    ("0x10", "not a number"),
    ("½", "not a number"),
    ("١٢", "not a number"),          # non-ASCII digits
    ("1/2/3", "not a number"),
    ("1e3/2", "not a number"),       # fraction sides are plain decimals
    ("--1", "not a number"),
    ("nan", "not finite"),
    ("-inf", "not finite"),
    ("Infinity", "not finite"),
    ("1e999", "not finite"),
    ("-1e400", "not finite"),
    (float("nan"), "not finite"),
    (float("inf"), "not finite"),
    (10 ** 400, "not finite"),
    ("1,000", "ambiguous"),
    ("12,345", "ambiguous"),
    ("-1,000", "ambiguous"),
    ("\u2212250,000", "ambiguous"),
    ("1,000e3", "ambiguous"),       # 1000e3 or 1.000e3: the exponent does not settle it
    ("1/0", "division by zero"),
    ("1/0.0", "division by zero"),
    ("1" * 65, "more than 64 characters"),
    (" " * 30 + "0.5" + " " * 32, "more than 64 characters"),
    (True, "not a number"),
    (False, "not a number"),
    ([0.5], "not a number"),
    ({"value": 0.5}, "not a number"),
])
def test_rejected_forms_say_why(raw, reason):
    with pytest.raises(AnswerError, match=reason):
        parse_answer(raw)


def test_sixty_four_characters_are_still_read():
    assert parse_answer("0." + "1" * 62) == pytest.approx(0.1111111111111111)
