"""Submissions graded per second, in process and through the JSON API, for the seed-like 2-2-2
exercise with every δ, w⁺ and b⁺ asked (16 fields). Run: ``python benchmarks/grading.py [--quick]``.

Rows are kinds of submission; diagnosis work grows with the number of wrong fields, so the
all-random row is the worst case. Columns: many submissions to one exercise (a problem set:
what depends only on the exercise is computed once), and every submission to a new exercise
(practice: nothing is reused). Each figure is the best of three runs.
"""
import argparse
import math
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


def _carried(spec):
    wrong = {"delta:2:1": evaluate(spec)["delta:2:1"] * 1.3}
    return _answers({**evaluate(spec, overrides=wrong), **wrong})


KINDS = {
    "all correct": lambda spec, rng: _answers(evaluate(spec)),
    "one error carried forward": lambda spec, rng: _carried(spec),
    "missing_activation_derivative": lambda spec, rng: _answers(evaluate(spec, mistake="missing_activation_derivative")),
    "updated_weights_in_backprop": lambda spec, rng: _answers(evaluate(spec, mistake="updated_weights_in_backprop")),
    "all blank": lambda spec, rng: {},
    "all random (worst case)": lambda spec, rng: {key: f"{rng.uniform(-1, 1):.4f}" for key in FIELDS},
}


def _new_exercise(i):
    # Same shape and sizes of numbers, different inputs: nothing cached for SPEC applies.
    return {**SPEC, "inputs": [0.50 - i / 1000, -0.30 + i / 2000]}


def measure(kind, count, fresh, seed=0):
    """Graded per second for ``count`` submissions of ``kind``, best of three runs; ``fresh``
    gives every submission (in every run) an exercise of its own."""
    best = math.inf
    for run in range(3):
        rng = random.Random(seed)
        specs = [_new_exercise(run * count + i + 1) if fresh else SPEC for i in range(count)]
        work = [(spec, KINDS[kind](spec, rng)) for spec in specs]
        start = time.perf_counter()
        for spec, answers in work:
            grade_submission(spec, FIELDS, answers)
        best = min(best, time.perf_counter() - start)
    return count / best


def measure_api(count):
    """Submissions per second through ``POST /api/v1/exercises/<id>/submissions`` with the
    test client on a fresh SQLite database: parse, lock, grade, store, one transaction each.
    The seed template's exercise with all its fields, answered correctly."""
    import tempfile

    import tracer
    from exercises import create_app, migrate
    from tracer.keys import parse_key

    url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    migrate.upgrade(url)
    client = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}).test_client()
    created = client.post("/api/v1/practice", json={"seed": 1}).get_json()
    values = tracer.trace(created["network"])
    answers = {f["key"]: f"{values.value(*parse_key(f['key'])):.8g}" for f in created["fields"]}
    headers = {"Authorization": f"Bearer {created['token']}"}
    url = f"/api/v1/exercises/{created['id']}/submissions"
    client.post(url, headers=headers, json={"answers": answers})  # warm up: imports, caches
    start = time.perf_counter()
    for _ in range(count):
        response = client.post(url, headers=headers, json={"answers": answers})
        if response.status_code != 201:
            raise SystemExit(f"submission failed: {response.get_json()}")
    return count / (time.perf_counter() - start), len(answers)


def main(argv=None):
    """Print a table of graded submissions per second by kind of submission."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few submissions (CI)")
    args = parser.parse_args(argv)
    count = 10 if args.quick else 100
    print(f"{'submission (2-2-2, 16 fields)':<32} {'same exercise /s':>17} {'new exercise /s':>16}")
    for kind in KINDS:
        print(f"{kind:<32} {measure(kind, count, False):>17.0f} {measure(kind, count, True):>16.0f}")
    rate, fields = measure_api(count)
    print(f"through the API (test client, SQLite, seed template, {fields} fields, all correct): "
          f"{rate:.0f} submissions/s")


if __name__ == "__main__":
    main()
