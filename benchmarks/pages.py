"""Server time to render student pages of the largest allowed network (6-6-6-6-6: 192 fields)
and of the seed 2-2-2 network: the exercise page, and the revealed solution and what-if pages.
Run: ``python benchmarks/pages.py [--quick] [--profile]``.

Each row is a page; figures are the median and 95th percentile milliseconds of a GET through
Flask's test client (the whole request: database reads, layout, MathML, template) after one
warm-up request, the median CPU time of the process (steadier than wall time on a shared
machine), and the page's size. ``--profile`` prints the 25 costliest functions of the
exercise page of the largest network.
"""
import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exercises import create_app, migrate, practice  # noqa: E402
from exercises.trace_checks import Caller  # noqa: E402
from exercises.web.ownership import SESSION_KEY  # noqa: E402

KEY = "benchmark-browser-key-" + "x" * 32
NETWORKS = {"6-6-6-6-6": {"layers": [6, 6, 6, 6, 6], "seed": 1},
            "seed 2-2-2": {"template": "seed-2-2-2", "seed": 1}}


def timed(client, url: str, repeat: int) -> tuple[float, float, float, int]:
    client.get(url)  # warm-up: caches, first-use imports
    times, cpu, size = [], [], 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.get_data())
    times.sort()
    return (statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))],
            statistics.median(cpu), size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 requests per page instead of 30")
    parser.add_argument("--profile", action="store_true", help="profile the 6-6-6-6-6 exercise page")
    args = parser.parse_args()
    repeat = 5 if args.quick else 30
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-secret-key-32-bytes-long!",
                          "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        with client.session_transaction() as session:
            session[SESSION_KEY] = KEY
        print(f"{'page':<30} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} {'KB':>7}")
        for name, knobs in NETWORKS.items():
            with app.app_context():
                exercise, _token = practice.create(knobs, browser_key=KEY,
                                                   caller=Caller("benchmark", "instructor"))
                exercise_id = exercise.id
            page = f"/exercises/{exercise_id}"
            median, p95, cpu, size = timed(client, page, repeat)
            print(f"{name + ' exercise':<30} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f} {size / 1024:>7.0f}")
            if args.profile and name == "6-6-6-6-6":
                profile = cProfile.Profile()
                profile.enable()
                client.get(page)
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            client.post(f"{page}/solution")
            for suffix in ("/solution", "/what-if"):
                median, p95, cpu, size = timed(client, page + suffix, repeat)
                print(f"{name + ' ' + suffix[1:]:<30} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f} "
                      f"{size / 1024:>7.0f}")


if __name__ == "__main__":
    main()
