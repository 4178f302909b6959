"""submissions.export_lines and exercises.key_lines: an attempt's lines of the submissions
export after their first five cells, written when it is graded or regraded, and a network
variant's answer-key lines after their first six, written when it is made, so PostgreSQL's
exports only put each line's student and exercise in (issue 13; ``exercises.stored_lines``).
Rows stored before stay null and the exports write theirs from the grades and traces, as
before.

Revision ID: 0008_export_lines
Revises: 0007_perf2
Create Date: 2026-12-01 07:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_export_lines'
down_revision = '0007_perf2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('export_lines', sa.Text(), nullable=True))
    with op.batch_alter_table('exercises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_lines', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('exercises', schema=None) as batch_op:
        batch_op.drop_column('key_lines')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('export_lines')
