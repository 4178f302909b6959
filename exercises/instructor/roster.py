"""A set's class list, imported from a CSV: a simple one (name, email, SIS id, section) or the
gradebook export Canvas itself writes (Student, ID, SIS User ID, SIS Login ID, Section, …).

Reading a file gives a preview: the rows that will be stored and, per line, why a row cannot
be (no email, an email that is not one, the same email twice, a value too long). Importing
stores the good rows, replacing the entry of an email already on the roster.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from exercises import db
from exercises.accounts import normalize_email
from exercises.models import RosterEntry

# header (case and spaces ignored) -> roster field
HEADERS = {"name": "name", "student": "name", "student name": "name", "full name": "name",
           "email": "email", "e-mail": "email", "email address": "email",
           "id": "canvas_id", "canvas id": "canvas_id",
           "sis id": "sis_user_id", "sis user id": "sis_user_id", "student id": "sis_user_id",
           "sis login id": "sis_login_id", "login id": "sis_login_id",
           "section": "section", "sections": "section"}
LIMITS = {"email": 254, "name": 200, "canvas_id": 64, "sis_user_id": 100, "sis_login_id": 254,
          "section": 200}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_ROWS = 5000


@dataclass
class Preview:
    """What an import would store, and the lines it cannot."""

    entries: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)   # (line, why)
    problem: str | None = None      # the file as a whole cannot be read


def read(text: str) -> Preview:
    """Parse a roster CSV (a byte-order mark, Canvas's "Points Possible" row and its test
    student ignored)."""
    preview = Preview()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        preview.problem = _("This is not a CSV file: %(why)s", why=exc)
        return preview
    columns = [HEADERS.get(" ".join(cell.lower().split())) for cell in header or []]
    if "email" not in columns and "sis_login_id" not in columns:
        preview.problem = _("The first line must name the columns, with one called email "
                            "(or Canvas's SIS Login ID holding the email).")
        return preview
    seen: set[str] = set()
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(preview.entries) + len(preview.errors) >= MAX_ROWS:
                preview.problem = _("At most %(n)d students in one file.", n=MAX_ROWS)
                break
            _entry(number, cells, columns, seen, preview)
    except csv.Error as exc:
        preview.problem = _("Line %(line)d cannot be read: %(why)s", line=reader.line_num,
                            why=exc)
    return preview


def _entry(number: int, cells: list[str], columns: list, seen: set, preview: Preview) -> None:
    row = {}
    for name, cell in zip(columns, cells):
        if name is not None and cell.strip():
            row.setdefault(name, cell.strip())
    if row.get("name", "").strip().lower() in ("points possible", "test student"):
        return   # rows Canvas adds to its own export
    email = row.get("email") or row.get("sis_login_id", "")
    if not email:
        preview.errors.append((number, _("no email")))
        return
    if not EMAIL.fullmatch(email):
        preview.errors.append((number, _("%(email)s is not an email address", email=email)))
        return
    email = normalize_email(email)
    if email in seen:
        preview.errors.append((number, _("%(email)s is already on an earlier line",
                                         email=email)))
        return
    too_long = next((key for key, value in row.items() if len(value) > LIMITS[key]), None)
    if too_long:
        preview.errors.append((number, _("%(column)s is longer than %(n)d characters",
                                         column=too_long, n=LIMITS[too_long])))
        return
    seen.add(email)
    preview.entries.append({"email": email, "name": row.get("name") or email.split("@")[0],
                            **{key: row.get(key) for key in ("canvas_id", "sis_user_id",
                                                              "sis_login_id", "section")}})


def store(set_id: str, entries: list[dict]) -> int:
    """Add the entries to the set's roster (an email already there is replaced); returns how
    many were stored."""
    with db.write_transaction() as sess:
        existing = {entry.email: entry for entry in sess.scalars(
            select(RosterEntry).where(RosterEntry.problem_set_id == set_id))}
        for values in entries:
            entry = existing.get(values["email"])
            if entry is None:
                sess.add(RosterEntry(problem_set_id=set_id, **values))
            else:
                for key, value in values.items():
                    setattr(entry, key, value)
    return len(entries)


def entries_by_email(set_id: str) -> dict[str, RosterEntry]:
    """The set's roster by (normalised) email."""
    return {entry.email: entry for entry in db.session().scalars(
        select(RosterEntry).where(RosterEntry.problem_set_id == set_id)
        .order_by(RosterEntry.name))}
