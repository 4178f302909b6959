"""Exercise generation (SPEC §5): templates, seeded generation of good hand exercises, fields."""

from .builtins import BUILTIN_TEMPLATES
from .exercise import Exercise
from .fields import Field, fields_for, parse_field_key
from .generate import MAX_TRIES, generate
from .knobs import TemplateError, ValueRange
from .template import Template

__all__ = [
    "BUILTIN_TEMPLATES", "Exercise", "Field", "MAX_TRIES", "Template", "TemplateError",
    "ValueRange", "fields_for", "generate", "parse_field_key",
]
