"""Storing an engine trace and reading it back: bulk insert, bit-identical values, CSV export."""
from __future__ import annotations

import csv
import io
import struct

import numpy as np

import tracer
from exercises import db, storage
from exercises.models import StoredTrace


def _bits(value: float) -> bytes:
    return struct.pack("<d", value)


def _network(layers, batch, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.3, (n_out, n_in)).tolist()
               for n_in, n_out in zip(layers, layers[1:])]
    biases = [rng.normal(0, 0.1, n).tolist() for n in layers[1:]]
    targets = np.zeros((batch, layers[-1]))
    targets[np.arange(batch), rng.integers(0, layers[-1], batch)] = 1.0
    return {"layers": layers, "activations": ["sigmoid", "softmax"], "loss": "cross_entropy",
            "weights": weights, "biases": biases,
            "inputs": rng.normal(0, 1, (batch, layers[0])).tolist(),
            "targets": targets.tolist(), "learning_rate": 0.1}


def test_a_100_50_10_batch_32_trace_reads_back_bit_identical(app):
    result = tracer.trace(_network([100, 50, 10], 32))
    expected = list(result.numeric_rows())
    with app.app_context():
        with db.write_transaction() as sess:
            record = storage.store_trace(sess, result)
        sess = db.session()
        stored = list(storage.stored_values(sess, record.id))
        assert sess.get(StoredTrace, record.id).row_count == len(expected) == len(stored)
    for (step, iteration, sample, _phase, layer, unit, source, quantity, value), row in zip(
            expected, stored, strict=True):
        assert row[:7] == (step, iteration, sample, layer, unit, source, quantity)
        assert _bits(row[7]) == _bits(value)


def test_stored_trace_exports_the_same_csv_as_the_engine(app):
    spec = _network([3, 4, 2], 2, seed=3)
    result = tracer.trace(spec)
    engine_csv = io.StringIO()
    result.write_csv(engine_csv)
    with app.app_context():
        with db.write_transaction() as sess:
            record = storage.store_trace(sess, result)
        sess = db.session()
        exported = "".join(storage.csv_lines(storage.stored_rows(sess, sess.get(StoredTrace, record.id))))
    ours = list(csv.reader(io.StringIO(exported)))
    theirs = list(csv.reader(io.StringIO(engine_csv.getvalue())))
    assert ours[0] == ["step", "iteration", "sample", "phase", "layer", "unit", "source",
                       "quantity", "symbol", "formula", "substituted", "value"]
    assert ours == theirs
