"""A class at once through the HTTP API: 1,000 students each create a practice exercise and
submit an answer to it, 50 at a time, against gunicorn on loopback (4 workers, gthread with 4
threads each, rate limits off).

    python benchmarks/load.py [--database-url URL] [--students 1000] [--concurrency 50] [--quick]

Prints requests per second over the whole run and the p50/p99/max latency of each kind of
request (issue 18: p99 < 100 ms, ≥ 300 requests/s). Defaults to a fresh SQLite file; a
PostgreSQL URL must name an existing database, empty or already migrated. Every request goes
to 127.0.0.1 and the run stops by itself.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.trace_load import free_port  # noqa: E402
from exercises import migrate  # noqa: E402

WORKERS, THREADS = 4, 4


def start(url: str) -> tuple[subprocess.Popen, str]:
    migrate.upgrade(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "b" * 48, "RATELIMIT_ENABLED": "0",
           "POOL_TOPUP": "off"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
         str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS), "--timeout",
         "120", "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                return server, base
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")
    except BaseException:
        server.kill()
        raise


def post(url: str, body: dict, token: str | None = None) -> tuple[int, dict, float]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, data = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, data = error.code, {}
    return status, data, time.perf_counter() - began


def student(base: str, n: int) -> list[tuple[str, int, float]]:
    """Create a seed-template practice exercise, then submit every field as 0."""
    status, made, created = post(base + "/api/v1/practice", {"seed": n})
    if status != 201:
        return [("create", status, created)]
    answers = {field["key"]: "0" for field in made["fields"]}
    status, _graded, submitted = post(f"{base}/api/v1/exercises/{made['id']}/submissions",
                                      {"answers": answers}, made["token"])
    return [("create", 201, created), ("submit", status, submitted)]


def run(url: str | None, students: int, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        server, base = start(url or f"sqlite:///{folder}/load.sqlite3")
        try:
            for n in range(8):  # every worker warm (imports, first connection)
                student(base, 10**6 + n)
            began = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                results = [r for rs in pool.map(lambda n: student(base, n), range(students))
                           for r in rs]
            seconds = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(30)
    out = {"seconds": seconds, "requests": len(results), "rate": len(results) / seconds,
           "failed": sum(status not in (200, 201) for _, status, _ in results)}
    for kind in ("create", "submit"):
        times = sorted(t for k, _, t in results if k == kind)
        if times:
            out[kind] = {share: 1000 * times[min(len(times) - 1, int(share * len(times)))]
                         for share in (0.5, 0.99, 1.0)}
    every = sorted(t for _, _, t in results)
    out["all"] = {share: 1000 * every[min(len(every) - 1, int(share * len(every)))]
                  for share in (0.5, 0.99, 1.0)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="100 students")
    args = parser.parse_args()
    students = 100 if args.quick else args.students
    result = run(args.database_url, students, args.concurrency)
    print(f"database: {(args.database_url or 'sqlite').split(':', 1)[0]}; {students} students "
          f"x (create + submit), concurrency {args.concurrency}, gunicorn {WORKERS} workers x "
          f"{THREADS} threads")
    print(f"requests: {result['requests']} in {result['seconds']:.2f} s = "
          f"{result['rate']:.0f}/s; failed: {result['failed']}")
    for kind in ("create", "submit", "all"):
        if kind in result:
            q = result[kind]
            print(f"{kind:<8} p50 {q[0.5]:.0f} ms   p99 {q[0.99]:.0f} ms   max {q[1.0]:.0f} ms")


if __name__ == "__main__":
    main()
