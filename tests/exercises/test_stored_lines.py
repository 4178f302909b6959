"""The export lines stored with an attempt, a variant and its trace (``exercises.stored_lines``):
written as the Python reference writes the rows (``test_export_sql`` compares whole exports on PostgreSQL);
here, the cases a class rarely produces."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

import tracer
from exercises.stored_lines import LINE_HEAD, attempt_lines, key_lines, trace_lines
from tracer import skeleton
from tracer.trace import COLUMNS

from ..tracer.conftest import seed_spec

CREATED = datetime(2026, 3, 1, 9, 30, 0, 250_000, tzinfo=timezone(timedelta(hours=9)))


def grade(**changes) -> dict:
    return {"key": "delta:2:1", "submitted": "-1/2", "parsed": -0.5, "expected": 0.1, "status": "incorrect",
            "credit": 0.0, "misconceptions": ["gradient_ascent", "sign"], "tolerance": "±1%, and the step rule",
            **changes}


def test_an_attempts_lines_hold_its_cells_after_the_first_five():
    text = attempt_lines({"delta:2:1": "δ_1"}, [grade(), grade(key="loss", submitted="", parsed=None)], CREATED)
    assert text == (f"{LINE_HEAD}delta:2:1,δ_1,'-1/2,-0.5,0.1,incorrect,0.0,gradient_ascent;sign,"
                    '"±1%, and the step rule",2026-03-01T00:30:00.250000+00:00\r\n'
                    f"{LINE_HEAD}loss,,,,0.1,incorrect,0.0,gradient_ascent;sign,"
                    '"±1%, and the step rule",2026-03-01T00:30:00.250000+00:00\r\n')


def test_numbers_are_written_as_the_database_gives_them_back():
    """An int credit or a numpy value reads back from a DOUBLE PRECISION column as a float."""
    text = attempt_lines({}, [grade(credit=1, expected=np.float64(0.1) + np.float64(0.2), misconceptions=[])],
                         datetime(2026, 3, 1, tzinfo=UTC))
    assert ",0.30000000000000004,incorrect,1.0,," in text
    key = key_lines([{"key": "loss", "symbol": "E", "label": "the loss"}],
                    [(7, 1, None, "loss", None, None, None, "loss", np.float64(2.0))], 4)
    assert key == f"{LINE_HEAD}loss,E,the loss,2.0,4\r\n"


def test_text_holding_the_line_head_is_not_stored():
    """Such an attempt is written by the server from its field grades instead."""
    assert attempt_lines({}, [grade(submitted=f"1{LINE_HEAD}")], CREATED) is None


def test_a_key_naming_no_stored_value_is_not_stored():
    rows = [(1, 1, None, "forward", 1, 1, None, "z", 0.5), (2, 2, None, "loss", None, None, None, "loss", 0.1)]
    fields = [{"key": "z:1:1", "symbol": "z", "label": "z"}, {"key": "loss", "symbol": "E", "label": "E"}]
    assert key_lines(fields[:1], rows, 3) == f"{LINE_HEAD}z:1:1,z,z,0.5,3\r\n"
    assert key_lines(fields, rows, 3) is None  # the loss is only in the second iteration


def _engine_lines(result, numbers) -> str:
    """A trace's rows as the csv module writes them, with ``numbers`` in the value column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row, number in zip(result.rows(), numbers, strict=True):
        buffer.write(LINE_HEAD)
        writer.writerow([row[column] for column in COLUMNS[:-1]] + [number])
    return buffer.getvalue()


@pytest.mark.parametrize("long", [False, True])
def test_a_traces_lines_are_what_the_csv_module_writes_of_its_rows(monkeypatch, long):
    """Of a structure with a skeleton, and of one too long to keep one (written row by row),
    each value as the database gives it back."""
    if long:
        monkeypatch.setattr(skeleton, "MAX_ROWS", 10)
    skeleton._forget()
    try:
        result = tracer.trace(seed_spec(iterations=2))
        values = [(*row[:-1], np.float64(row[-1]) * 3) for row in result.numeric_rows()]
        text = trace_lines(result, values)
        assert (skeleton.of(result) is None) == long
    finally:
        skeleton._forget()
    assert text == _engine_lines(result, [float(row[-1]) for row in values])
    assert text.count("\r\n") == len(result) > 40


def test_a_trace_whose_cells_hold_the_line_head_is_not_stored(monkeypatch):
    result = tracer.trace(seed_spec())
    rows = list(result.row_tuples())
    rows[3] = (*rows[3][:8], f"z{LINE_HEAD}", *rows[3][9:])
    monkeypatch.setattr(skeleton, "of", lambda _trace: None)
    monkeypatch.setattr(type(result), "row_tuples", lambda _self: iter(rows))
    assert trace_lines(result, list(result.numeric_rows())) is None
