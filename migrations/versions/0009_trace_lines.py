"""traces.export_lines: a set's network trace's lines of the traces export after their first
four cells, written when it is made, so PostgreSQL's traces export only puts each line's student
and exercise in (issue 13; ``exercises.stored_lines.trace_lines``). Traces stored before stay
null, and a set with such a trace is written from its stored values, as before.

On PostgreSQL, triggers keep the lines true to what they were written from: a change to a
trace's stored values (an update or delete in trace_values) or to its spec or engine version
clears them.

Revision ID: 0009_trace_lines
Revises: 0008_export_lines
Create Date: 2026-12-01 18:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_trace_lines'
down_revision = '0008_export_lines'
branch_labels = None
depends_on = None

# statement-level, with transition tables: one UPDATE of the traces touched, however many rows
_TRIGGERS = """
CREATE FUNCTION trace_values_clear_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE traces SET export_lines = NULL
    WHERE export_lines IS NOT NULL AND id IN (SELECT DISTINCT trace_id FROM old_values);
    RETURN NULL;
END $$;
CREATE TRIGGER trace_values_updated_clear_lines AFTER UPDATE ON trace_values
    REFERENCING OLD TABLE AS old_values FOR EACH STATEMENT EXECUTE FUNCTION trace_values_clear_lines();
CREATE TRIGGER trace_values_deleted_clear_lines AFTER DELETE ON trace_values
    REFERENCING OLD TABLE AS old_values FOR EACH STATEMENT EXECUTE FUNCTION trace_values_clear_lines();
CREATE FUNCTION traces_clear_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.export_lines IS NOT DISTINCT FROM OLD.export_lines THEN
        NEW.export_lines := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER traces_changed_clear_lines BEFORE UPDATE OF spec, engine_version ON traces
    FOR EACH ROW EXECUTE FUNCTION traces_clear_lines();
"""

_DROP = """
DROP TRIGGER IF EXISTS traces_changed_clear_lines ON traces;
DROP TRIGGER IF EXISTS trace_values_deleted_clear_lines ON trace_values;
DROP TRIGGER IF EXISTS trace_values_updated_clear_lines ON trace_values;
DROP FUNCTION IF EXISTS traces_clear_lines();
DROP FUNCTION IF EXISTS trace_values_clear_lines();
"""


def upgrade() -> None:
    with op.batch_alter_table('traces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('export_lines', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_TRIGGERS)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_DROP)
    with op.batch_alter_table('traces', schema=None) as batch_op:
        batch_op.drop_column('export_lines')
