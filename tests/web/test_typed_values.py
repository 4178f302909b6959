"""The one reader of numbers typed into the what-if forms (network knobs and circuit leaves)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from exercises.web import circuit_whatif, whatif
from exercises.web.typed_values import parse_number, read_values


@dataclass
class Entry:
    name: str
    value: float
    typed: str | None = None


@pytest.mark.parametrize("text, number", [("0.25", 0.25), (" −1,5 ", -1.5), ("-2e-3", -0.002),
                                          ("3", 3.0)])
def test_a_readable_number(app, text, number):
    with app.test_request_context():
        assert parse_number(text) == (number, None)


@pytest.mark.parametrize("text, why", [("", "Enter a number."), ("one", "Enter a number."),
                                       ("1.2.3", "Enter a number."), ("inf", "Enter a finite number."),
                                       ("nan", "Enter a finite number."), ("1e999", "Enter a finite number.")])
def test_an_unreadable_number_says_why(app, text, why):
    with app.test_request_context():
        assert parse_number(text) == (None, why)


def test_read_values_keeps_the_old_value_and_the_typed_text_of_a_bad_entry(app):
    good, bad = Entry("w", 1.0), Entry("b", 2.0)
    errors: dict[str, str] = {}
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        read_values([good, bad], {"w": "−0,5", "b": "two"}, errors)
    assert (good.value, good.typed) == (-0.5, None)
    assert (bad.value, bad.typed) == (2.0, "two")
    assert list(errors) == ["b"] and errors["b"] != "Enter a number."  # said in Korean


def test_both_what_if_pages_read_through_it():
    assert whatif.read_values is read_values and circuit_whatif.read_values is read_values
