"""Submissions graded per second, in process and through the JSON API, for the seed template
(2-2-2, 16 fields) and the softmax 3-4-3 template (every δ, w⁺ and b⁺), with every field
wrong — the worst case, since every wrong field goes through the misconception sites.
Run: ``python benchmarks/grading.py [--quick]``.

Rows are kinds of submission. "same exercise" grades many submissions to one exercise (a
problem set: what depends only on the exercise, such as the sites evaluated from the true
values, is computed once); "new exercise" gives each submission an exercise of its own
(practice: nothing is reused). Figures are the median and 95th percentile milliseconds per
submission, and submissions per second from the median.
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exercises.generation import BUILTIN_TEMPLATES, generate  # noqa: E402
from exercises.grading import GradingSettings, evaluate, grade_submission  # noqa: E402

TEMPLATES = {"seed 2-2-2": "seed-2-2-2", "softmax 3-4-3": "softmax-3-4-3"}
KNOBS = {"seed 2-2-2": {}, "softmax 3-4-3": {"layers": [3, 4, 3], "activations": ["sigmoid", "softmax"],
                                            "loss": "cross_entropy"}}


def _exercise(name, seed):
    generated = generate(BUILTIN_TEMPLATES[TEMPLATES[name]], seed)
    return generated.spec, [field.key for field in generated.fields], generated.answer_digits


def _all_wrong(spec, keys, rng):
    true = evaluate(spec)
    return {key: f"{true[key] * rng.choice((-1, 1)) * rng.uniform(1.3, 2.0):.4g}" for key in keys}


def _carried(spec, keys, rng):
    true = evaluate(spec)
    first = next(key for key in keys if key.startswith("delta"))
    wrong = {first: true[first] * 1.3}
    values = {**evaluate(spec, overrides=wrong), **wrong}
    return {key: f"{values[key]:.6g}" for key in keys}


def _mistake(mistake):
    def answers(spec, keys, rng):
        values = evaluate(spec, mistake=mistake)
        return {key: f"{values[key]:.6g}" for key in keys}
    return answers


KINDS = {
    "all correct": lambda spec, keys, rng: {key: f"{value:.6g}" for key, value in evaluate(spec).items()
                                            if key in keys},
    "one error carried forward": _carried,
    "missing_activation_derivative": _mistake("missing_activation_derivative"),
    "all wrong (worst case)": _all_wrong,
}


def measure(name, kind, count, fresh):
    """Milliseconds per submission (median, p95) for ``count`` submissions of ``kind``."""
    rng = random.Random(7)
    work = []
    for i in range(count):
        spec, keys, digits = _exercise(name, 1000 + i if fresh else 1)
        work.append((spec, keys, KINDS[kind](spec, keys, rng), GradingSettings(answer_digits=digits)))
    if not fresh:  # the first submission to an exercise fills its caches; problem sets reuse them
        spec, keys, answers, settings = work[0]
        grade_submission(spec, keys, answers, settings)
    times = []
    for spec, keys, answers, settings in work:
        start = time.perf_counter()
        grade_submission(spec, keys, answers, settings)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def measure_api(name, count):
    """Milliseconds per submission (median, p95) through ``POST /api/v1/exercises/<id>/
    submissions`` with the test client on a fresh SQLite database — parse, lock, grade, store,
    one transaction each — all fields wrong, to one practice exercise of the template."""
    from exercises import create_app, migrate

    url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    migrate.upgrade(url)
    client = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8}).test_client()
    created = client.post("/api/v1/practice", json={"seed": 1, **KNOBS[name]}).get_json()
    keys = [field["key"] for field in created["fields"]]
    headers = {"Authorization": f"Bearer {created['token']}"}
    path = f"/api/v1/exercises/{created['id']}/submissions"
    rng = random.Random(7)
    answers = [_all_wrong(created["network"], keys, rng) for _ in range(count + 1)]
    client.post(path, headers=headers, json={"answers": answers[0]})  # warm up: imports, caches
    times = []
    for body in answers[1:]:
        start = time.perf_counter()
        response = client.post(path, headers=headers, json={"answers": body})
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 201:
            raise SystemExit(f"submission failed: {response.get_json()}")
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], len(keys)


def _row(label, median, p95):
    print(f"{label:<58} {median:>9.1f} {p95:>9.1f} {1000 / median:>9.0f}")


def main(argv=None):
    """Print the table: per template and kind, ms per submission and submissions per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few submissions (CI)")
    args = parser.parse_args(argv)
    count = 10 if args.quick else 100
    print(f"{'submission':<58} {'median ms':>9} {'p95 ms':>9} {'per s':>9}")
    for name in TEMPLATES:
        fields = len(_exercise(name, 1)[1])
        for kind in KINDS:
            for fresh in (False, True):
                where = "new exercise" if fresh else "same exercise"
                _row(f"{name} ({fields} fields), {kind}, {where}", *measure(name, kind, count, fresh))
        median, p95, fields = measure_api(name, count)
        _row(f"{name} ({fields} fields), all wrong, through the API", median, p95)


if __name__ == "__main__":
    main()
