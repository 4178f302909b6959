"""Generating a set's variants: seeds, templates, fingerprints.

Variant n of an exercise has a seed that follows from the set, the exercise and n alone, so a
variant can be regenerated (previewed, audited) anywhere. Every variant of an exercise asks for
the same answer digits: the item's number, or what ``auto`` resolves to for its template (the
same for every seed), fixed on the item when the set is published. An exercise on a given
network has one variant for everyone: every student's copy is that network, with no seed.

Generation and tracing are pure CPU work, about 1.5 ms a variant, done before any transaction
is opened. (Worker processes were tried for large pools and measured no faster on two shared
cores, so there are none.)
"""
from __future__ import annotations

import hashlib
import json

import tracer
from exercises.generation import BUILTIN_TEMPLATES, Template, generate, resolve_digits
from exercises.generation.knobs import MAX_SEED
from exercises.instructor import circuit_items
from exercises.models import ProblemSet, ProblemSetItem
from exercises.practice import GIVEN_NETWORK
from exercises.stored_lines import key_lines, trace_lines


def variant_seed(set_id: str, item_id: str, index: int) -> int:
    """The seed of variant ``index`` of an exercise: deterministic, spread over 31 bits."""
    digest = hashlib.sha256(f"{set_id}:{item_id}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (MAX_SEED + 1)


def network_hash(spec: dict) -> str:
    """A fingerprint of a network's weights, biases and inputs, whatever their JSON nesting.

    Exam mode compares these: a pasted copy of an exam network has the same fingerprint even
    when its numbers are written as ints or its single sample as a one-row batch.
    """
    def flat(value) -> list[float]:
        if value is None:
            return []
        if isinstance(value, (int, float)):
            return [float(value)]
        return [x for part in value for x in flat(part)]

    layers = [flat(layer) for layer in spec["weights"]]
    biases = spec.get("biases") if spec.get("bias", "per_unit") != "none" else None
    bias_layers = [flat(layer) for layer in biases] if biases is not None else []
    canonical = json.dumps([layers, bias_layers, flat(spec["inputs"])])
    return hashlib.sha256(canonical.encode()).hexdigest()


def item_template(problem_set: ProblemSet, item: ProblemSetItem):
    """The template an exercise's variants come from: built-in (or the given network), item
    knobs, then set settings, asking for the item's fixed digits (``item_digits``); a
    circuit item's is a ``circuit_items.CircuitItemTemplate``. Raises TemplateError when the
    template makes no good exercise."""
    template = _unfixed(problem_set, item)
    return template.fixed_digits(item.answer_digits or _resolved(template))


def _resolved(template) -> int:
    if isinstance(template, circuit_items.CircuitItemTemplate):
        return template.answer_digits
    return resolve_digits(template)


def make(template, seed: int | None):
    """Variant ``seed`` of an item's template (``item_template``): a network's or a
    circuit's exercise."""
    if isinstance(template, circuit_items.CircuitItemTemplate):
        return template.generate(seed)
    return generate(template, seed)


def _unfixed(problem_set: ProblemSet, item: ProblemSetItem):
    if circuit_items.is_circuit_item(item.template_id, item.knobs):
        return circuit_items.item_template(problem_set.settings, item.knobs)
    if item.template_id == GIVEN_NETWORK:
        base = Template.from_dict(item.knobs)
    else:
        base = BUILTIN_TEMPLATES[item.template_id].with_overrides(item.knobs)
    return base.with_overrides(problem_set.settings)


def item_digits(problem_set: ProblemSet, item: ProblemSetItem) -> int:
    """The answer digits every variant of the item asks for: fixed on the item once its set
    is published; before that, what publishing would fix (``auto`` resolved now). Raises
    TemplateError when the template makes no good exercise."""
    return item.answer_digits or _resolved(_unfixed(problem_set, item))


def generate_chunk(knobs: dict, seeds: list[int]) -> list[dict]:
    """Generate and trace one variant per seed, as plain data: the Exercise row's columns that
    store the exercise (``GeneratedExercise.to_row``), its network hash and the trace's numeric
    rows (a network's answer-key and traces-export lines too: ``stored_lines``)."""
    circuit = circuit_items.is_circuit_template(knobs)
    template = (circuit_items.CircuitItemTemplate.from_dict(knobs) if circuit
                else Template.from_dict(knobs))
    made = []
    for seed in seeds:
        if template.network is not None:
            seed = None
        generated = make(template, seed)
        result = tracer.trace(generated.spec)
        row, values = generated.to_row(), list(result.numeric_rows())
        # a network's answer-key lines, stored with it (a circuit's key is read in step order)
        row["key_lines"] = None if circuit else key_lines(row["fields"], values,
                                                          row["settings"]["answer_digits"])
        made.append({"row": row,
                     "network_hash": (circuit_items.circuit_hash if circuit else network_hash)(
                         generated.spec),
                     "trace": {"spec": result.spec, "row_count": len(result), "values": values,
                               # its traces-export lines, stored with it (a circuit's: written each time)
                               "export_lines": None if circuit else trace_lines(result, values)}})
    return made


def generate_jobs(jobs: list[tuple[dict, list[int]]]) -> list[list[dict]]:
    """``generate_chunk`` for each (knobs, seeds) job, results in order."""
    return [generate_chunk(knobs, seeds) for knobs, seeds in jobs]
