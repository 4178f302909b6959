"""Demo data for ``flask demo``: accounts and exercises to try the service with. Idempotent."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from . import accounts, db, practice
from .generation import BUILTIN_TEMPLATES
from .models import Exercise, User

DEMO_PASSWORD = "backprop-demo"
DEMO_USERS = (("instructor@example.com", "Demo Instructor", "instructor"),
              ("student@example.com", "Demo Student", "student"))
DEMO_SEED = 2024


def load() -> Iterator[str]:
    """Create what is missing of the demo data; yields one line per thing it reports."""
    sess = db.session()
    for email, name, role in DEMO_USERS:
        if sess.scalar(select(User).where(User.email == email)) is None:
            accounts.create_user(email=email, name=name, password=DEMO_PASSWORD, role=role)
        yield f"demo {role}: {email} / {DEMO_PASSWORD}"
    for template_id in BUILTIN_TEMPLATES:
        existing = sess.scalar(select(Exercise).where(
            Exercise.kind == "practice", Exercise.template_id == template_id,
            Exercise.seed == DEMO_SEED, Exercise.browser_key == "demo"))
        if existing is None:
            existing, _token = practice.create({"template": template_id, "seed": DEMO_SEED},
                                               browser_key="demo")
        yield f"demo exercise {template_id}: id {existing.id}"
