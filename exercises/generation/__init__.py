"""Exercise generation (SPEC §5): templates, seeded generation of good hand exercises, fields."""

from exercises.generation.builtins import BUILTIN_TEMPLATES
from exercises.generation.exercise import GeneratedExercise
from exercises.generation.fields import Field, fields_for, parse_field_key
from exercises.generation.generate import MAX_TRIES, describe, generate, resolve_digits
from exercises.generation.knobs import AUTO, TemplateError, ValueRange
from exercises.generation.quality import Condition
from exercises.generation.template import Template

__all__ = [
    "AUTO", "BUILTIN_TEMPLATES", "Condition", "Field", "GeneratedExercise", "MAX_TRIES", "Template",
    "TemplateError", "ValueRange", "describe", "fields_for", "generate", "parse_field_key",
    "resolve_digits",
]
