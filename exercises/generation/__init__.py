"""Exercise generation (SPEC §5): templates, seeded generation of good hand exercises, fields."""

from .builtins import BUILTIN_TEMPLATES
from .exercise import GeneratedExercise
from .fields import Field, fields_for, parse_field_key
from .generate import MAX_TRIES, describe, generate, resolve_digits
from .knobs import AUTO, TemplateError, ValueRange
from .quality import Condition
from .template import Template

__all__ = [
    "AUTO", "BUILTIN_TEMPLATES", "Condition", "Field", "GeneratedExercise", "MAX_TRIES", "Template",
    "TemplateError", "ValueRange", "describe", "fields_for", "generate", "parse_field_key",
    "resolve_digits",
]
