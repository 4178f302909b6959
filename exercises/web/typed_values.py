"""Numbers typed into the what-if forms (a network's knobs, a circuit's leaves): a true minus
sign or a decimal comma is read as "-" or "."; an unreadable or infinite one is refused with a
message for its field."""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

from flask_babel import gettext as _


class TypedValue(Protocol):
    """A form field with a number: its form ``name``, its ``value``, and ``typed`` (what was
    typed, shown again when it could not be read)."""

    name: str
    value: float
    typed: str | None


def normalized(text: str) -> str:
    """Typed text as Python reads a number: trimmed, "−" as "-", a decimal comma as "."."""
    return text.strip().replace("−", "-").replace(",", ".")


def parse_number(text: str) -> tuple[float | None, str | None]:
    """(the number, None) for readable text, else (None, why in the reader's language)."""
    try:
        value = float(normalized(text))
    except ValueError:
        return None, _("Enter a number.")
    if not math.isfinite(value):
        return None, _("Enter a finite number.")
    return value, None


def read_values(entries: Iterable[TypedValue], form, errors: dict[str, str]) -> None:
    """Put each posted number into its entry's ``value``; an unreadable one keeps its value,
    keeps its text in ``typed`` and is named in ``errors``."""
    for entry in entries:
        text = normalized(form.get(entry.name, ""))
        value, why = parse_number(text)
        if why is not None:
            errors[entry.name], entry.typed = why, text
        else:
            entry.value = value
