"""The submissions and answer-key exports written by PostgreSQL itself (issue 13).

At class scale these exports are a hundred thousand rows of fifteen cells: read by the driver,
built and quoted in Python, they ran at 40,000 rows a second. On PostgreSQL the server writes
them: one query gives each attempt's (or variant's) lines as one text, CSV already, and the app
passes the texts on (``sql_stream``: a class in slices, two at a time). An attempt keeps its
lines after their first five cells (``stored_lines``, written when it is graded), so for most
attempts the server only puts the student's and exercise's cells in; the rest of this module
writes the lines of an attempt stored without them, and the answer key. The Python writers in
``field_exports`` stay the reference (they are what SQLite runs) and the query makes exactly
their bytes:

- floats as Python's ``repr`` (``_float``);
- text people wrote neutralised as ``csv_cells.neutralise`` does (``_neutral``); names, emails
  and titles are worked out here by ``csv_cells.as_text`` and sent in as arrays;
- every text quoted as ``csv.writer`` quotes it (``_cell`` in SQL, ``_quoted`` here), empty
  and missing cells empty, lines ending in CRLF; a field's key and a grade's status are written
  as they are (a key is checked by ``parse_key`` when its exercise is made: a quantity and
  numbers; a status is one of ``grading``'s few words), which is how csv.writer writes them;
- misconception names joined by ``;``, times in UTC as ``datetime.isoformat`` writes them;
- each field's symbol (and, for the key, its label and the stored value it names) from its
  exercise's field list, decoded here once per distinct list and matched by the list's MD5.

The traces export's server form, which only puts stored lines together, is ``trace_sql``.

``tests/instructor/test_export_sql.py`` holds the two ways equal, byte for byte, on a set with
awkward names, answers and numbers.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import exists, select

from exercises import db, sql_stream
from exercises.csv_cells import TextCache, as_text
from exercises.field_exports import ATTEMPT_ORDER
from exercises.models import Exercise, ProblemSet, ProblemSetItem, Submission, User
from exercises.trace_export import VARIANT_ORDER
from tracer.keys import parse_key
from tracer.trace import _cell as quoted_cell


def _float(x: str) -> str:
    """SQL for float ``x`` written as Python's ``repr`` writes it (NULL stays NULL). PostgreSQL
    writes the same shortest round-trip digits below 10¹⁵ (only ``1`` where Python writes
    ``1.0``); from 10¹⁵ to 10¹⁶ Python keeps fixed notation where PostgreSQL has gone to
    exponents; and above that PostgreSQL writes some whole numbers with every digit
    (``5.5940124301157536e+16`` for ``5.594012430115754e+16``), so those take the fewest
    significant digits that read back as ``x`` (``_SHORTEST``)."""
    return (f"CASE WHEN {x} IS NULL THEN NULL WHEN {x} = 'NaN'::float8 THEN 'nan' "
            f"WHEN {x} = 'Infinity'::float8 THEN 'inf' WHEN {x} = '-Infinity'::float8 THEN '-inf' "
            f"WHEN abs({x}) >= 1e16::float8 THEN {_SHORTEST.format(x=x)} "
            f"WHEN abs({x}) >= 1e15::float8 "
            f"THEN ({x}::text)::numeric::text || CASE WHEN {x} = trunc({x}) THEN '.0' ELSE '' END "
            f"WHEN {x} = trunc({x}) THEN {x}::text || '.0' "
            f"ELSE {x}::text END")


# |x| ≥ 10¹⁶ (a whole number): rounded to 1, 2, … 17 significant digits until it reads back as
# x, then written as Python does: d.ddde+NN
_SHORTEST = """(SELECT CASE WHEN {x} < 0 THEN '-' ELSE '' END || left(d, 1)
       || CASE WHEN length(d) > 1 THEN '.' || substr(d, 2) ELSE '' END || 'e+' || (length(t) - 1)::text
FROM (SELECT ltrim(c::text, '-') AS t, rtrim(ltrim(c::text, '-'), '0') AS d
      FROM (SELECT round(n, p - length(ltrim(trunc(n)::text, '-'))) AS c, p
            FROM (SELECT ({x}::text)::numeric AS n) a, generate_series(1, 17) AS p) r
      WHERE CASE WHEN abs(c) <= 1.7976931348623157e308 THEN c::float8 = {x} ELSE false END  -- no overflow
      ORDER BY p LIMIT 1) s)"""


def _cell(s: str) -> str:
    """SQL for a text cell as ``csv.writer`` writes it: quoted, its quotes doubled, when it holds
    a comma, a quote or a line break; empty for NULL. ``s`` should be a column (it is named
    more than once)."""
    return (f"CASE WHEN {s} IS NULL THEN '' WHEN {s} ~ '[\",\\r\\n]' "
            f"THEN '\"' || replace({s}, '\"', '\"\"') || '\"' ELSE {s} END")


# csv_cells.FORMULA_STARTS and PLAIN_NUMBER, in SQL
_NUMBER = r"'^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$'"


def _formula(s: str) -> str:
    """SQL for the apostrophe ``csv_cells.neutralise`` puts before ``s`` ('' where it puts none):
    before a text starting with ``=``, ``+``, ``-``, ``@``, tab or CR that is not a plain number
    (the first character's code compared: no text is made for it)."""
    return f"CASE WHEN ascii({s}) IN (61, 43, 45, 64, 9, 13) AND {s} !~ {_NUMBER} THEN '''' ELSE '' END"


def _neutral(s: str) -> str:
    """SQL for ``csv_cells.neutralise(s)``."""
    return f"({_formula(s)} || {s})"


def _neutral_cell(s: str) -> str:
    """SQL for the cell ``csv.writer`` writes of ``neutralise(s)``: the apostrophe worked out
    once, the quoting decided by ``s`` itself (an apostrophe needs none)."""
    return (f"CASE WHEN {s} ~ '[\",\\r\\n]' THEN '\"' || {_formula(s)} || replace({s}, '\"', '\"\"') || '\"' "
            f"ELSE {_formula(s)} || {s} END")


def _time(t: str) -> str:
    """SQL for a timestamp as ``datetime.isoformat`` writes it in UTC."""
    utc = f"({t} AT TIME ZONE 'UTC')"
    return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"mod(extract(microseconds FROM {utc})::bigint, 1000000) = 0 THEN '' "
            f"ELSE to_char({utc}, '.US') END || '+00:00'")


def _quoted(text) -> str:
    """A cell as ``csv.writer`` writes it (``tracer.trace``'s cell quoting; ``_cell`` in SQL)."""
    return "" if text is None else quoted_cell(str(text))


PEOPLE = "unnest(%(person)s::text[], %(name)s::text[], %(email)s::text[]) AS p(id, name, email)"
ITEMS = "unnest(%(item)s::text[], %(title)s::text[], %(position)s::int[]) AS i(id, title, position)"
ORDER = "unnest(%(order)s::text[]) WITH ORDINALITY AS o(id, n)"

SUBMISSIONS = f"""
WITH a AS MATERIALIZED (  -- an attempt's first five cells, its stored lines and its place
    SELECT s.id, o.n, s.exercise_id, s.created_at, s.export_lines,
           p.name || ',' || p.email || ',' || i.title || ',' || i.position || ',' || s.attempt || ',' AS head
    FROM {ORDER}
    -- by the primary key (OFFSET 0: a lookup an attempt, not a hash of every stored line)
    CROSS JOIN LATERAL (SELECT * FROM submissions s WHERE s.id = o.id OFFSET 0) s
    JOIN exercises e ON e.id = s.exercise_id
    JOIN {PEOPLE} ON p.id = e.user_id
    JOIN {ITEMS} ON i.id = e.item_id
    WHERE e.problem_set_id = %(set)s)
SELECT coalesce(replace(a.export_lines, E'\\x01', a.head), (  -- stored_lines.LINE_HEAD
    -- an attempt stored without its lines: written here from its field grades
    SELECT string_agg(concat(  -- concat: one text made, NULL as an empty cell
        a.head, fg.key, ',', k.symbol, ',', {_neutral_cell('fg.submitted')}, ',', {_float('fg.parsed')}, ',',
        {_float('fg.expected')}, ',', fg.status, ',', {_float('fg.credit')}, ',',
        CASE WHEN fg.misconceptions::text IN ('[]', 'null') THEN '' ELSE {_cell('''(
               SELECT string_agg(m, ';' ORDER BY n) FROM json_array_elements_text(fg.misconceptions)
               WITH ORDINALITY AS j(m, n))''')} END, ',',
        {_cell('fg.tolerance')}, ',', {_time('a.created_at')}, E'\\r\\n'), '' ORDER BY fg.position)
    FROM field_grades fg
    LEFT JOIN unnest(%(list)s::text[], %(key)s::text[], %(symbol)s::text[]) AS k(list, key, symbol)
         ON k.list = (SELECT md5(x.fields::text) FROM exercises x WHERE x.id = a.exercise_id) AND k.key = fg.key
    WHERE fg.submission_id = a.id))
FROM a
ORDER BY a.n
"""

# A field's stored value is the trace row of its quantity, layer, unit and source (SPEC §4, as
# ``answers.answer_keys`` reads it). Looked up by those four, each field costs a scan of its
# trace's rows; so each field list comes with the step that holds each field's value in one of
# its variants (``_field_lists``), and the row at that step is taken where it is that value,
# else (a variant of another shape with the same fields) the row is looked up by the four.
_SAME = ("{v}.iteration = 1 AND {v}.quantity = k.quantity AND {v}.layer IS NOT DISTINCT FROM k.layer "
         "AND {v}.unit IS NOT DISTINCT FROM k.unit AND {v}.source IS NOT DISTINCT FROM k.source")

ANSWER_KEY = f"""
WITH e AS MATERIALIZED (  -- each variant's first six cells, its stored lines and its place
    SELECT o.n, e.id, e.key_lines, i.title || ',' || i.position || ',' || e.variant_index || ','
           || coalesce(e.seed::text, '') || ',' || coalesce(p.name, '') || ',' || coalesce(p.email, '') || ',' AS head
    FROM {ORDER}
    JOIN exercises e ON e.id = o.id
    JOIN {ITEMS} ON i.id = e.item_id
    LEFT JOIN {PEOPLE} ON p.id = e.user_id
    WHERE e.problem_set_id = %(set)s)
SELECT coalesce(replace(e.key_lines, E'\\x01', e.head), (  -- stored_lines.LINE_HEAD
    -- a variant made without its lines: written here from its trace's stored values
    SELECT string_agg(concat(e.head, k.cells, ',', {_float('x.value')}, ',', y.digits, E'\\r\\n'), ''
                      ORDER BY k.ord)
    FROM (SELECT md5(y.fields::text) AS list, coalesce(y.settings->>'answer_digits', '') AS digits,
                 (SELECT t.id FROM traces t WHERE t.exercise_id = y.id) AS trace
          FROM exercises y WHERE y.id = e.id) y
    JOIN unnest(%(list)s::text[], %(ord)s::int[], %(cells)s::text[], %(quantity)s::text[], %(layer)s::int[],
                %(unit)s::int[], %(source)s::int[], %(step)s::int[])
         AS k(list, ord, cells, quantity, layer, unit, source, step) ON k.list = y.list
    LEFT JOIN LATERAL (  -- by the primary key (OFFSET 0: a lookup a field, not a hash of the table)
        SELECT * FROM trace_values v WHERE v.trace_id = y.trace AND v.step = k.step OFFSET 0) v ON true
    CROSS JOIN LATERAL (
        SELECT CASE WHEN {_SAME.format(v="v")} THEN v.value
                    ELSE (SELECT w.value FROM trace_values w WHERE w.trace_id = y.trace AND {_SAME.format(v="w")}
                          ORDER BY w.step DESC LIMIT 1) END AS value
        OFFSET 0) x))  -- a fence: the value is worked out once, not once for each time _float names it
FROM e
ORDER BY e.n
"""


def _attempts(set_id: str) -> list[str]:
    """The set's attempts in the submissions export's order (``field_exports.ATTEMPT_ORDER``)."""
    return list(db.session().scalars(
        select(Submission.id).join(Exercise, Exercise.id == Submission.exercise_id)
        .where(Exercise.problem_set_id == set_id).order_by(*ATTEMPT_ORDER)))


def _variants(set_id: str) -> list[str]:
    """The set's variants in the answer key's order (``trace_export.VARIANT_ORDER``)."""
    return list(db.session().scalars(
        select(Exercise.id).join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
        .outerjoin(User, User.id == Exercise.user_id)
        .where(Exercise.problem_set_id == set_id).order_by(*VARIANT_ORDER)))


def people(set_id: str) -> dict:
    """The set's students' cells (``as_text`` of name and email, quoted) as arrays, by user id."""
    cells = TextCache()
    rows = db.session().execute(select(User.id, User.name, User.email).where(
        User.id.in_(select(Exercise.user_id).where(Exercise.problem_set_id == set_id)))).all()
    return {"person": [r[0] for r in rows], "name": [_quoted(cells(r[1])) for r in rows],
            "email": [_quoted(cells(r[2])) for r in rows]}


def items(set_id: str) -> dict:
    """The set's exercises' title cells (quoted) and positions (from 1) as arrays, by item id."""
    rows = db.session().execute(select(ProblemSetItem.id, ProblemSetItem.position, ProblemSetItem.title)
                                .where(ProblemSetItem.problem_set_id == set_id)).all()
    return {"item": [r[0] for r in rows], "title": [_quoted(as_text(f"{r[1] + 1}. {r[2]}")) for r in rows],
            "position": [r[1] + 1 for r in rows]}


def _field_lists(set_id: str, locate: bool) -> dict:
    """Every distinct field list of the set's exercises, a row per field as arrays: the list's
    MD5 (as PostgreSQL computes it), the field's place, key and symbol cells and, with
    ``locate``, its key, symbol and label cells as one text, the stored value it names
    (quantity, layer, unit, source; ``parse_key``) and the step that holds it in the list's
    first variant (see ``ANSWER_KEY``)."""
    columns: dict[str, list] = {name: [] for name in (
        "list", "ord", "key", "symbol", "cells", "quantity", "layer", "unit", "source", "step")}
    conn = db.session().connection()
    for digest, text, exercise_id in conn.exec_driver_sql(
            "SELECT DISTINCT ON (d) d, f, id FROM (SELECT md5(fields::text) AS d, fields::text AS f, id "
            "FROM exercises WHERE problem_set_id = %(set)s) x ORDER BY d, id", {"set": set_id}).all():
        steps = {} if not locate else {tuple(row[:4]): row[4] for row in conn.exec_driver_sql(
            "SELECT v.quantity, v.layer, v.unit, v.source, max(v.step) FROM trace_values v "
            "JOIN traces t ON t.id = v.trace_id WHERE t.exercise_id = %(id)s AND v.iteration = 1 "
            "GROUP BY v.quantity, v.layer, v.unit, v.source", {"id": exercise_id})}
        for n, field in enumerate(json.loads(text)):
            key = field["key"]
            where = parse_key(key) if locate else (None,) * 4
            cells = ",".join(map(_quoted, (key, field.get("symbol"), field.get("label"))))
            for name, value in zip(columns, (digest, n, key, _quoted(field.get("symbol")), cells, *where,
                                             steps.get(where))):
                columns[name].append(value)
    return columns


def submissions(problem_set: ProblemSet) -> Iterator[str]:
    """The submissions export's lines after its header (``field_exports.SUBMISSION_COLUMNS``)."""
    unstored = db.session().scalar(select(exists().where(
        Submission.exercise_id == Exercise.id, Exercise.problem_set_id == problem_set.id,
        Submission.export_lines.is_(None))))
    # the field symbols are only needed for attempts stored without their lines
    fields = _field_lists(problem_set.id, locate=False) if unstored else {"list": [], "key": [], "symbol": []}
    params = {"set": problem_set.id, **people(problem_set.id), **items(problem_set.id),
              "list": fields["list"], "key": fields["key"], "symbol": fields["symbol"]}
    return sql_stream.lines(SUBMISSIONS, params, _attempts(problem_set.id))


def answer_key(problem_set: ProblemSet) -> Iterator[str]:
    """The answer-key export's lines after its header (``field_exports.KEY_COLUMNS``), for a set
    of networks (a circuit's key is read in step order: ``field_exports.answer_key`` writes those)."""
    unstored = db.session().scalar(select(exists().where(
        Exercise.problem_set_id == problem_set.id, Exercise.key_lines.is_(None))))
    # the field lists are only needed for variants made without their lines
    fields = _field_lists(problem_set.id, locate=True) if unstored else {
        name: [] for name in ("list", "ord", "cells", "quantity", "layer", "unit", "source", "step")}
    params = {"set": problem_set.id, **people(problem_set.id), **items(problem_set.id),
              **{name: fields[name] for name in ("list", "ord", "cells", "quantity", "layer", "unit",
                                                 "source", "step")}}
    return sql_stream.lines(ANSWER_KEY, params, _variants(problem_set.id))

