"""Heavy anonymous traces against /healthz: does one caller without a login sink the service?

Starts gunicorn on loopback (a fresh SQLite database, 2 workers, gthread with 4 threads, as the
README recommends), probes ``GET /healthz`` every 50 ms, and meanwhile fires 8 heavy anonymous
``POST /api/v1/traces`` at once (each sender repeating its request for 5 s, so that there are
enough probes for a p99), for each scenario (rate limits off: this measures cost):

- the attack of the security issue: adam, 10-10-10, 820 iterations, just over 10⁶ rows in a
  1.5 kB body (refused by the anonymous row budget before anything is traced);
- the largest that is served: the same network at 81 iterations, just under the 10⁵-row
  budget (traced and streamed: each answer is about 34 MB of JSON).

Prints a table: per scenario, the heavy requests' statuses, slowest time and bytes, the probes'
p50/p99/max and failures (a probe fails after 5 s), and the workers' peak resident memory.
Run: ``python benchmarks/trace_load.py [--quick]`` (quick: the refused scenario only).
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exercises import migrate  # noqa: E402

HEAVY = 8
LOAD_SECONDS = 5.0  # each of the 8 senders repeats its request until then (at least once)
PROBE_EVERY = 0.05
PROBE_TIMEOUT = 5.0


def heavy_spec(iterations: int) -> bytes:
    n = 10
    weights = [[[0.01 * ((i + j) % 7 - 3) for j in range(n)] for i in range(n)]] * 2
    return json.dumps({"layers": [n, n, n], "weights": weights, "inputs": [0.5] * n,
                       "targets": [0.5] * n, "learning_rate": 0.1, "optimizer": "adam",
                       "iterations": iterations}).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: str) -> tuple[subprocess.Popen, str]:
    url = f"sqlite:///{folder}/bench.sqlite3"
    migrate.upgrade(url)
    port = free_port()
    # Rate limits off: this measures what the requests cost, not how soon the limiter stops them.
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "b" * 48, "RATELIMIT_ENABLED": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "gthread", "--threads", "4", "--timeout", "120", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                return server, base
            except OSError:  # refused, reset or timed out: not up yet
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")
    except BaseException:
        server.kill()  # never leave a server behind (Ctrl-C while waiting, too)
        raise


def worker_peak_mb(master: int) -> float:
    """The largest peak resident set (VmHWM) among the master's children, in MB."""
    peak = 0
    children = Path(f"/proc/{master}/task/{master}/children")
    for pid in children.read_text().split() if children.exists() else []:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak / 1024


def heavy(base: str, body: bytes, results: list, until: float) -> None:
    """Send ``body`` again and again until ``until`` (at least once)."""
    while True:
        request = urllib.request.Request(base + "/api/v1/traces", data=body,
                                         headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                size, status = len(response.read()), response.status
        except urllib.error.HTTPError as error:
            size, status = len(error.read()), error.code
        results.append((status, time.perf_counter() - started, size))
        if time.perf_counter() >= until:
            return


def probe(base: str, stop: threading.Event, latencies: list, failures: list) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=PROBE_TIMEOUT).read()
            latencies.append(time.perf_counter() - started)
        except OSError:  # URLError, timeouts and resets are all OSErrors
            failures.append(time.perf_counter() - started)
        time.sleep(PROBE_EVERY)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def scenario(base: str, master: int, name: str, body: bytes) -> dict:
    stop, latencies, failures, results = threading.Event(), [], [], []
    prober = threading.Thread(target=probe, args=(base, stop, latencies, failures))
    prober.start()
    time.sleep(0.5)  # a baseline before the load
    until = time.perf_counter() + LOAD_SECONDS
    senders = [threading.Thread(target=heavy, args=(base, body, results, until))
               for _ in range(HEAVY)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    time.sleep(0.5)
    stop.set()
    prober.join()
    return {"scenario": name, "body": len(body), "requests": len(results),
            "statuses": ",".join(sorted({str(s) for s, _t, _b in results})),
            "slowest_s": max(t for _s, t, _b in results),
            "bytes_each": max(b for _s, _t, b in results),
            "probes": len(latencies) + len(failures),
            "p50_ms": 1000 * percentile(latencies, 0.5), "p99_ms": 1000 * percentile(latencies, 0.99),
            "max_ms": 1000 * max(latencies + failures), "failed": len(failures),
            "worker_peak_mb": worker_peak_mb(master)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the refused scenario only")
    args = parser.parse_args()
    scenarios = [("10^6 rows, anonymous (refused)", heavy_spec(820))]
    if not args.quick:
        scenarios.append(("10^5 rows, anonymous (served)", heavy_spec(81)))
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(folder)
        try:
            rows = [scenario(base, server.pid, name, body) for name, body in scenarios]
        finally:
            server.terminate()
            server.wait(timeout=30)
    columns = ("scenario", "body", "requests", "statuses", "slowest_s", "bytes_each", "probes", "p50_ms",
               "p99_ms", "max_ms", "failed", "worker_peak_mb")
    print(f"{HEAVY} heavy requests at once, /healthz every {PROBE_EVERY * 1000:.0f} ms "
          f"(gunicorn: 2 gthread workers x 4 threads)")
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(f"{row[c]:.1f}" if isinstance(row[c], float) else str(row[c])
                         for c in columns))


if __name__ == "__main__":
    main()
