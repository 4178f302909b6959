"""Submissions graded per second, in process, for the seed-like 2-2-2 exercise with every
δ, w⁺ and b⁺ asked (16 fields). Run: ``python benchmarks/grading.py [--quick]``.

Each row is one kind of submission; diagnosis work grows with the number of wrong fields,
so the all-random row is the worst case.
"""
import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exercises.grading import evaluate, grade_submission  # noqa: E402

SPEC = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]], "inputs": [0.50, -0.30], "targets": [0.20, 0.90],
    "learning_rate": 0.5, "naming": "seed",
}
FIELDS = ([f"delta:{l}:{j}" for l in (2, 1) for j in (1, 2)]
          + [f"w_new:{l}:{j}:{k}" for l in (1, 2) for j in (1, 2) for k in (1, 2)]
          + [f"b_new:{l}:{j}" for l in (1, 2) for j in (1, 2)])


def _answers(values):
    return {key: f"{values[key]:.8g}" for key in FIELDS}


def submissions(rng):
    """Name → a function returning a fresh submission of that kind."""
    true = evaluate(SPEC)
    wrong_output_delta = {"delta:2:1": true["delta:2:1"] * 1.3}
    carried = {**evaluate(SPEC, overrides=wrong_output_delta), **wrong_output_delta}
    return {
        "all correct": lambda: _answers(true),
        "one error carried forward": lambda: _answers(carried),
        "missing_activation_derivative": lambda: _answers(evaluate(SPEC, mistake="missing_activation_derivative")),
        "updated_weights_in_backprop": lambda: _answers(evaluate(SPEC, mistake="updated_weights_in_backprop")),
        "all blank": lambda: {},
        "all random (worst case)": lambda: {key: f"{rng.uniform(-1, 1):.4f}" for key in FIELDS},
    }


def measure(make, count):
    """Grade ``count`` submissions made by ``make``; return graded per second."""
    answers = [make() for _ in range(count)]
    start = time.perf_counter()
    for submission in answers:
        grade_submission(SPEC, FIELDS, submission)
    return count / (time.perf_counter() - start)


def main(argv=None):
    """Print a table of graded submissions per second by kind of submission."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions (CI)")
    args = parser.parse_args(argv)
    count = 20 if args.quick else 400
    rng = random.Random(0)
    grade_submission(SPEC, FIELDS, {})  # warm the exercise cache
    print(f"{'submission (16 fields, 2-2-2)':<34} {'graded/s':>10}")
    for name, make in submissions(rng).items():
        print(f"{name:<34} {measure(make, count):>10.0f}")


if __name__ == "__main__":
    main()
