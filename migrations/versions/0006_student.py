"""drafts (answers saved without checking), ladder_steps (coaching rungs used per field) and
problem_sets.coaching (the highest rung a set allows; null: the default)

Revision ID: 0006_student
Revises: 0006_instructor
Create Date: 2026-11-30 17:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_student'
down_revision = '0006_instructor'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('problem_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coaching', sa.SmallInteger(), nullable=True))
    op.create_table('drafts',
    sa.Column('exercise_id', sa.String(length=32), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercises.id'], name=op.f('fk_drafts_exercise_id_exercises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('exercise_id', name=op.f('pk_drafts'))
    )
    op.create_table('ladder_steps',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('exercise_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('rung', sa.SmallInteger(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercises.id'], name=op.f('fk_ladder_steps_exercise_id_exercises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ladder_steps_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ladder_steps')),
    sa.UniqueConstraint('exercise_id', 'key', 'rung', name='uq_ladder_steps_exercise_key_rung')
    )
    with op.batch_alter_table('ladder_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ladder_steps_exercise_id'), ['exercise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ladder_steps_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ladder_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ladder_steps_user_id'))
        batch_op.drop_index(batch_op.f('ix_ladder_steps_exercise_id'))
    op.drop_table('ladder_steps')
    op.drop_table('drafts')
    with op.batch_alter_table('problem_sets', schema=None) as batch_op:
        batch_op.drop_column('coaching')
