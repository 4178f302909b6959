"""ix_exercises_free: the free (unassigned) variants of each exercise, by variant index, so a
join claims an exercise's first free variant and checks whether its pool runs low without
reading the variants already handed out (issue 18)

Revision ID: 0007_perf2
Revises: 0007_lti
Create Date: 2026-11-30 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_perf2'
down_revision = '0007_lti'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exercises', schema=None) as batch_op:
        batch_op.create_index('ix_exercises_free', ['item_id', 'variant_index'], unique=False,
                              sqlite_where=sa.text('user_id IS NULL'),
                              postgresql_where=sa.text('user_id IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('exercises', schema=None) as batch_op:
        batch_op.drop_index('ix_exercises_free')
