"""Store and export a trace of about a million rows; print rows per second and peak memory.

    python benchmarks/storage.py [--database-url URL] [--quick]

Defaults to a fresh SQLite file in a temporary folder (migrated with Alembic first). With a
PostgreSQL URL, the database must exist and be empty or already migrated.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tracer  # noqa: E402
from exercises import create_app, db, migrate, storage  # noqa: E402
from exercises.models import StoredTrace  # noqa: E402


def network(layers: list[int], batch: int) -> dict:
    """A softmax/cross-entropy network with random weights and a batch of one-hot targets."""
    rng = np.random.default_rng(0)
    targets = np.zeros((batch, layers[-1]))
    targets[np.arange(batch), rng.integers(0, layers[-1], batch)] = 1.0
    return {"layers": layers, "activations": ["sigmoid"] * (len(layers) - 2) + ["softmax"],
            "loss": "cross_entropy",
            "weights": [rng.normal(0, 0.1, (o, i)).tolist() for i, o in zip(layers, layers[1:])],
            "biases": [np.zeros(o).tolist() for o in layers[1:]],
            "inputs": rng.normal(0, 1, (batch, layers[0])).tolist(),
            "targets": targets.tolist(), "learning_rate": 0.01, "optimizer": "adam"}


def peak_rss_mib() -> float:
    """The process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--quick", action="store_true", help="a ~110,000-row trace")
    args = parser.parse_args()
    spec = network([200, 100, 10], 4) if args.quick else network([784, 250, 10], 8)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})

    result = tracer.trace(spec)
    rows = len(result)
    with app.app_context():
        start = time.perf_counter()
        with db.write_transaction() as sess:
            record = storage.store_trace(sess, result)
        store_s = time.perf_counter() - start
        rss_after_store = peak_rss_mib()

        tracemalloc.start()
        start = time.perf_counter()
        sess = db.session()
        written = 0
        with open(Path(tempfile.mkdtemp()) / "export.csv", "w", encoding="utf-8") as out:
            for chunk in storage.csv_lines(storage.stored_rows(sess, sess.get(StoredTrace, record.id))):
                written += len(chunk)
                out.write(chunk)
        export_s = time.perf_counter() - start
        _, export_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    print(f"database: {app.config['DATABASE_URL'].split(':')[0]}   rows: {rows:,}")
    print(f"{'operation':<28}{'seconds':>10}{'rows/s':>14}{'memory':>26}")
    print(f"{'store (bulk insert)':<28}{store_s:>10.2f}{rows / store_s:>14,.0f}"
          f"{f'peak RSS {rss_after_store:,.0f} MiB':>26}")
    print(f"{'export CSV (streamed)':<28}{export_s:>10.2f}{rows / export_s:>14,.0f}"
          f"{f'Python peak {export_peak / 2**20:,.1f} MiB':>26}")
    print(f"CSV size: {written / 2**20:,.0f} MiB; peak RSS overall {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
