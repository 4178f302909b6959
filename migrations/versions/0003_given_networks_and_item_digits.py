"""given networks and fixed digits: exercises without a seed, an item's answer digits

An exercise on a given network (SPEC §5) has no seed, so ``exercises.seed`` becomes nullable;
``problem_set_items.answer_digits`` holds the digits every variant of an item asks for, fixed
when its set is published. Items of sets published before this revision keep it null: their
variants were generated already and carry their own digits.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 14:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exercises', schema=None) as batch_op:
        batch_op.alter_column('seed', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('problem_set_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_digits', sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('problem_set_items', schema=None) as batch_op:
        batch_op.drop_column('answer_digits')
    # Exercises on given networks have no seed; they cannot survive the old schema.
    op.execute("DELETE FROM exercises WHERE seed IS NULL")
    with op.batch_alter_table('exercises', schema=None) as batch_op:
        batch_op.alter_column('seed', existing_type=sa.Integer(), nullable=False)
