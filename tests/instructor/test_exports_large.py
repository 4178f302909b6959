"""The traces export read in batches from the database: byte for byte what the csv module
writes for the engine's own rows of every variant (however the batches fall), a stored trace
that does not fit its spec refused, and an export above the size threshold run as a job whose
file the instructor downloads from the exports page."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select, update

import tracer
from exercises import csv_cells, db, exports, trace_export
from exercises.models import Exercise, Job, ProblemSet, ProblemSetItem, StoredTrace, TraceValue, User

from .conftest import build_set, join, login, make_user, post_form

ITEMS = (("seed-2-2-2", {}), ("softmax-3-4-3", {}))


@pytest.fixture
def traced(app, instructor):
    """A published set of two exercises, pools of 3, two students joined (one named like a
    formula, one with a comma), the rest unassigned."""
    set_id = build_set(app, instructor, items=ITEMS, pool_size=3)
    join(app, set_id, make_user(app, "b@example.com", "student", "=SUM(A1)"))
    join(app, set_id, make_user(app, "a@example.com", "student", "Lee, Ann"))
    return set_id


def engine_csv(app, set_id: str, columns=exports.TRACE_COLUMNS) -> str:
    """The traces export written independently: the csv module over the engine's own rows of
    every variant (traced again from its stored spec), in the documented order; columns a row
    lacks (a network's node and arg) empty."""
    with app.app_context():
        found = db.session().execute(
            select(User.name, User.email, ProblemSetItem.position, ProblemSetItem.title,
                   Exercise.variant_index, StoredTrace.spec)
            .join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
            .join(StoredTrace, StoredTrace.exercise_id == Exercise.id)
            .outerjoin(User, User.id == Exercise.user_id)
            .where(Exercise.problem_set_id == set_id)).all()
    # assigned variants first, by student name, then by exercise and variant
    found.sort(key=lambda v: (v[0] is None, v[0] or "", v[2], v[4]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for name, email, position, title, variant, spec in found:
        head = [csv_cells.as_text(name), csv_cells.as_text(email),
                csv_cells.as_text(f"{position + 1}. {title}"), variant]
        for row in tracer.trace(spec).rows():
            writer.writerow(head + [row.get(c) for c in columns[4:]])
    return buffer.getvalue()


def exported(app, set_id: str) -> str:
    with app.app_context():
        return "".join(exports.export_lines(db.session().get(ProblemSet, set_id), "traces"))


@pytest.mark.parametrize("batch_rows", [5_000, 150, 70, 50])
def test_traces_export_is_what_the_csv_module_writes_of_the_engines_rows(app, traced,
                                                                         monkeypatch, batch_rows):
    # 5,000: every trace in one query; 150: a few per query (on PostgreSQL the next batch read
    # while one is written); 70: short and long traces mixed; 50: every trace (61 or more
    # rows) longer than a batch, streamed alone in chunks
    monkeypatch.setattr(trace_export, "BATCH_ROWS", batch_rows)
    text = exported(app, traced)
    assert text == engine_csv(app, traced)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == sum(len(tracer.trace(spec)) for spec in _specs(app, traced))
    assert rows[0]["student"] == "'=SUM(A1)"  # neutralised, and sorted before "Lee, Ann"
    assert {r["student"] for r in rows} == {"'=SUM(A1)", "Lee, Ann", ""}


def _specs(app, set_id):
    with app.app_context():
        return db.session().scalars(select(StoredTrace.spec).join(Exercise)
                                    .where(Exercise.problem_set_id == set_id)).all()


@pytest.mark.parametrize("batch_rows", [5_000, 10])
def test_a_set_with_a_circuit_item_exports_node_and_arg_columns(app, instructor, monkeypatch,
                                                                batch_rows):
    # SPEC §10: a circuit's rows name their node and arg; a network's leave them empty
    monkeypatch.setattr(trace_export, "BATCH_ROWS", batch_rows)
    set_id = build_set(app, instructor, pool_size=2,
                       items=(("seed-2-2-2", {}), ("circuit:cs231n", {"circuit": "cs231n"})))
    text = exported(app, set_id)
    assert text == engine_csv(app, set_id, exports.CIRCUIT_TRACE_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    circuit = [r for r in rows if r["exercise"].startswith("2.")]
    network = [r for r in rows if r["exercise"].startswith("1.")]
    assert circuit and network
    # f = (x + y)·z: the leaves, the nodes, then the gradients; ∂f/∂f = 1 first of the backward
    assert [r["node"] for r in circuit if r["variant"] == "0" and r["phase"] == "input"] == ["x", "y", "z"]
    grad = [r for r in circuit if r["variant"] == "0" and r["phase"] == "backward"][0]
    assert (grad["quantity"], grad["value"]) == ("grad", "1.0")
    assert all(r["node"] == "" and r["arg"] == "" for r in network)


def test_values_come_from_the_database_and_a_trace_that_does_not_fit_is_refused(app, traced):
    with app.app_context():
        trace_id = db.session().scalars(select(StoredTrace.id).join(Exercise)
                                        .where(Exercise.problem_set_id == traced)).first()
        quantity, unit = db.session().execute(select(TraceValue.quantity, TraceValue.unit).where(
            TraceValue.trace_id == trace_id, TraceValue.step == 2)).one()
        assert (quantity, unit) == ("x", 2)  # the second input, x2
        with db.write_transaction() as sess:  # a stored value: exported as stored
            sess.execute(update(TraceValue).where(TraceValue.trace_id == trace_id,
                                                  TraceValue.step == 1).values(value=0.125))
    line = [r for r in csv.DictReader(io.StringIO(exported(app, traced)))
            if r["step"] == "1"]
    assert "0.125" in [r["value"] for r in line]
    with app.app_context():
        with db.write_transaction() as sess:  # a stored row of another quantity: refused
            sess.execute(update(TraceValue).where(TraceValue.trace_id == trace_id,
                                                  TraceValue.step == 2).values(quantity="z"))
    with pytest.raises(ValueError, match="does not match its spec"):
        exported(app, traced)
    with app.app_context():
        with db.write_transaction() as sess:  # the quantity back, but another unit: refused
            sess.execute(update(TraceValue).where(TraceValue.trace_id == trace_id,
                                                  TraceValue.step == 2).values(quantity="x", unit=7))
    with pytest.raises(ValueError, match="does not match its spec"):
        exported(app, traced)
    with app.app_context():
        with db.write_transaction() as sess:  # a row missing: refused too
            sess.execute(update(TraceValue).where(TraceValue.trace_id == trace_id,
                                                  TraceValue.step == 2).values(unit=unit))
            sess.query(TraceValue).filter(TraceValue.trace_id == trace_id,
                                          TraceValue.step == 5).delete()
    with pytest.raises(ValueError, match="does not match its spec"):
        exported(app, traced)


def test_a_large_traces_export_runs_as_a_job_and_its_file_is_downloaded(app, client, traced,
                                                                         tmp_path):
    app.config["EXPORTS_FOLDER"] = str(tmp_path / "exports")
    expected = engine_csv(app, traced)
    rows = expected.count("\r\n") - 1
    app.config["EXPORT_JOB_ROWS"] = rows - 1  # just too many to stream in the request
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{traced}/exports/"
    listing = client.get(page).get_data(as_text=True)
    assert "Prepare traces.csv" in listing and 'id="export-grades"' in listing
    response = post_form(client, f"{page}traces.csv", {}, form_page=page)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    listing = client.get(page).get_data(as_text=True)  # jobs run at once under TESTING
    assert f"Exported {rows} rows" in listing
    with app.app_context():
        job_id = db.session().scalar(select(Job.id).where(Job.kind == "export"))
    with client.get(f"{page}files/{job_id}.csv") as download:
        assert download.status_code == 200 and download.mimetype == "text/csv"
        assert "attachment" in download.headers["Content-Disposition"]
        assert download.get_data(as_text=True) == expected
    files = [p.name for p in (tmp_path / "exports").iterdir()]
    assert files == [f"{traced}-{job_id}.csv"]  # no partial file left
    # a GET of the export itself (an old link) neither streams nor starts a job (no write on a
    # GET): it goes back to the list, which says to press Prepare
    with app.app_context():
        jobs_before = db.session().scalar(select(func.count()).select_from(Job))
    again = client.get(f"{page}traces.csv")
    assert again.status_code == 303 and again.headers["Location"].endswith(page)
    listing = client.get(page).get_data(as_text=True)
    assert "traces.csv is large: press “Prepare traces.csv”" in listing
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Job)) == jobs_before
    # pressing Prepare again writes a new file, which replaces the old one, whose link is gone
    assert post_form(client, f"{page}traces.csv", {}, form_page=page).status_code == 303
    with app.app_context():
        newest = db.session().scalar(select(Job.id).where(Job.kind == "export", Job.id != job_id))
    assert [p.name for p in (tmp_path / "exports").iterdir()] == [f"{traced}-{newest}.csv"]
    assert client.get(f"{page}files/{job_id}.csv").status_code == 404
    with client.get(f"{page}files/{newest}.csv") as download:
        assert download.get_data(as_text=True) == expected
    job_id = newest
    # another instructor reaches neither the file nor the set
    client.get("/logout")
    make_user(app, "other@example.com")
    login(client, "other@example.com")
    assert client.get(f"{page}files/{job_id}.csv").status_code == 404


def test_a_small_traces_export_stays_a_direct_download(app, client, traced):
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{traced}/exports/"
    assert "Prepare traces.csv" not in client.get(page).get_data(as_text=True)
    response = client.get(f"{page}traces.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == engine_csv(app, traced)


def test_the_export_file_route_refuses_a_job_that_is_not_a_done_export(app, client, traced):
    login(client, "teacher@example.com")
    assert client.get(f"/instructor/sets/{traced}/exports/files/nosuchjob00000000000.csv"
                      ).status_code == 404
