"""Circuit specs are validated before anything is computed: one SpecError naming the key."""

import copy
import random

import pytest

from tracer import SpecError, normalize, row_count, trace

BASE = {"graph": {"leaves": {"a": 2.0, "b": -1.0},
                  "nodes": [{"name": "q", "op": "mul", "args": ["a", "b"]},
                            {"name": "f", "op": "exp", "args": ["q"]}],
                  "output": "f"}}


def changed(path_value):
    spec = copy.deepcopy(BASE)
    for path, value in path_value:
        target = spec
        for part in path[:-1]:
            target = target[part]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return spec


CASES = [
    (changed([(("extra",), 1)]), "extra", "unknown key"),
    (changed([(("graph",), [])]), "graph", "must be an object"),
    (changed([(("graph", "edges"), [])]), "graph.edges", "unknown key"),
    (changed([(("graph", "leaves"), {})]), "graph.leaves", "non-empty"),
    (changed([(("graph", "leaves"), {"A": 1.0, "a": 2.0, "b": 1.0})]), "graph.leaves", "'A'"),
    (changed([(("graph", "leaves", "a"), float("nan"))]), "graph.leaves.a", "finite number"),
    (changed([(("graph", "leaves", "a"), True)]), "graph.leaves.a", "finite number"),
    (changed([(("graph", "leaves", "a"), "2")]), "graph.leaves.a", "finite number"),
    (changed([(("graph", "nodes"), [])]), "graph.nodes", "non-empty"),
    (changed([(("graph", "nodes", 0, "op"), "matmul")]), "graph.nodes[0].op", "must be one of add, mul"),
    (changed([(("graph", "nodes", 0, "color"), "red")]), "graph.nodes[0].color", "unknown key"),
    (changed([(("graph", "nodes", 0, "args"), ["a"])]), "graph.nodes[0].args", "mul takes 2 to 100 args, got 1"),
    (changed([(("graph", "nodes", 1, "args"), ["q", "a"])]), "graph.nodes[1].args", "exp takes 1 arg, got 2"),
    (changed([(("graph", "nodes", 0, "op"), "max"), (("graph", "nodes", 0, "args"), ["a", "b", "a"])]),
     "graph.nodes[0].args", "max takes 2 args, got 3"),
    (changed([(("graph", "nodes", 0, "args"), ["a", "f"])]), "graph.nodes[0].args[1]", "not a leaf or an earlier node"),
    (changed([(("graph", "nodes", 0, "args"), ["a", "a"])]), "graph.nodes[0].args[1]", "given twice"),
    (changed([(("graph", "nodes", 1, "name"), "q")]), "graph.nodes[1].name", "already used"),
    (changed([(("graph", "nodes", 1, "name"), "a")]), "graph.nodes[1].name", "already used"),
    (changed([(("graph", "nodes", 0, "name"), "2q")]), "graph.nodes[0].name", "must be a name"),
    (changed([(("graph", "nodes", 1, "op"), "pow")]), "graph.nodes[1].exponent", "integer exponent"),
    (changed([(("graph", "nodes", 1, "op"), "pow"), (("graph", "nodes", 1, "exponent"), 1.5)]),
     "graph.nodes[1].exponent", "integer exponent"),
    (changed([(("graph", "nodes", 1, "exponent"), 2)]), "graph.nodes[1].exponent", "only pow takes an exponent"),
    (changed([(("graph", "nodes", 1, "name"), KeyError)]), "graph.nodes[1].name", "missing"),
    (changed([(("graph", "output"), "a")]), "graph.output", "must name a node"),
    (changed([(("graph", "output"), "q")]), "graph.nodes[1]", "does not reach the output 'q'"),
    (changed([(("graph", "leaves", "c"), 1.0)]), "graph.leaves.c", "used by no node"),
    (changed([(("graph", "nodes", 1, "op"), "log")]), "graph.nodes[1]", "log of q = -2.0, which is not greater than 0"),
    (changed([(("graph", "nodes", 1), {"name": "f", "op": "div", "args": ["a", "q"]}),
              (("graph", "leaves", "b"), 0.0)]), "graph.nodes[1]", "division by q = 0"),
    (changed([(("graph", "nodes", 1), {"name": "f", "op": "pow", "args": ["q"], "exponent": -1}),
              (("graph", "leaves", "b"), 0.0)]), "graph.nodes[1]", "negative power"),
    (changed([(("graph", "leaves", "a"), 400.0), (("graph", "leaves", "b"), 2.0)]), "graph.nodes[1]",
     "does not fit in a float64"),
]


@pytest.mark.parametrize("spec, key, words", CASES)
def test_a_malformed_circuit_is_refused_naming_the_key(spec, key, words):
    with pytest.raises(SpecError) as caught:
        trace(spec)
    assert caught.value.key == key
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_normalize_fills_in_the_output_and_floats_and_row_count_predicts_the_rows():
    spec = copy.deepcopy(BASE)
    del spec["graph"]["output"]
    spec["graph"]["leaves"]["a"] = 2
    normal = normalize(spec)
    assert normal["graph"]["output"] == "f"
    assert type(normal["graph"]["leaves"]["a"]) is float
    assert row_count(normal) == len(list(trace(spec).rows())) == 2 + 2 + 1 + 2 * 3
    assert normalize(normal) == normal


JUNK = [None, True, 1, -1.5, 1e308, float("inf"), "x", "", [], {}, ["x"], {"a": 1}, 10**400, "q", [1, 2], "add"]


def _paths(value, path=()):
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _paths(item, path + (key,))


def test_any_one_corrupted_value_is_a_spec_error_or_a_valid_trace():
    """Replace or delete one value anywhere in a valid circuit, 3,000 times (seeded): the engine
    either traces it or raises SpecError; never another exception."""
    base = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                      "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                                {"name": "f", "op": "pow", "args": ["q"], "exponent": 2},
                                {"name": "g", "op": "mul", "args": ["f", "z"]}], "output": "g"}}
    rng = random.Random(17)
    outcomes = {"traced": 0, "refused": 0}
    for _ in range(3000):
        spec = copy.deepcopy(base)
        path = rng.choice(list(_paths(spec))[1:])
        target = spec
        for part in path[:-1]:
            target = target[part]
        if isinstance(target, dict) and rng.random() < 0.2:
            del target[path[-1]]
        else:
            target[path[-1]] = copy.deepcopy(rng.choice(JUNK))
        try:
            trace(spec).to_csv()
            outcomes["traced"] += 1
        except SpecError:
            outcomes["refused"] += 1
    assert outcomes["traced"] > 50 and outcomes["refused"] > 2000, outcomes
