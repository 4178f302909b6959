"""Cells of the CSV exports made safe to open in a spreadsheet (SPEC §7).

Text that people wrote (names, emails, titles, submitted answers) is neutralised against formula
injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe unless it is a plain number. Numbers stay numbers; names, emails and titles
that a spreadsheet would read as a number (``+1``) get the apostrophe too, so they stay text.
"""
from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits only, as a spreadsheet reads a number (and as export_sql's SQL matches)
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def neutralise(text: str | None) -> str | None:
    """A user-written cell made safe to open in a spreadsheet (see the module docstring)."""
    if not text or not text.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text


def as_text(text: str | None) -> str | None:
    """A name, email or title: neutralised, and kept text where a spreadsheet would read a
    number (a student named ``+1`` would show as 1), with the same leading apostrophe."""
    if text and PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return neutralise(text)


class TextCache(dict):
    """``as_text`` of names and emails, each worked out once per export (a class repeats them
    on every row of every attempt)."""

    def __call__(self, text: str | None) -> str | None:
        found = self.get(text, self)
        if found is self:
            if len(self) > 20_000:
                self.clear()
            found = self[text] = as_text(text)
        return found
