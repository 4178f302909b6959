"""course tools: co-instructors and TAs, exam start and time limit, late penalties, a display
time zone per set, retired items

``set_members``: who else teaches a set (``co_instructor`` or ``ta``). ``problem_sets`` gains
``starts_at``, ``time_limit`` (minutes per student), ``late_per_day`` and ``late_cap`` (percent)
and ``time_zone`` (an IANA name, "UTC" for every existing set). ``problem_set_items.retired_at``
marks an item retired after publishing; ``enrollments.started_at`` a student's timer start.
No new index: the gradebook and statistics at class scale use the existing ones (exercises by
set, submissions by exercise, field grades by submission); what was slow was a query's plan.

Revision ID: 0007_course
Revises: 0007_lead
Create Date: 2026-11-30 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_course'
down_revision = '0007_lead'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'set_members',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('problem_set_id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['problem_set_id'], ['problem_sets.id'],
                                name=op.f('fk_set_members_problem_set_id_problem_sets'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_set_members_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_set_members')),
        sa.UniqueConstraint('problem_set_id', 'user_id',
                            name=op.f('uq_set_members_problem_set_id')))
    with op.batch_alter_table('set_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_members_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('problem_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('time_limit', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('late_per_day', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('late_cap', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC',
                                      nullable=False))
    with op.batch_alter_table('problem_set_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_column('started_at')
    with op.batch_alter_table('problem_set_items', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
    with op.batch_alter_table('problem_sets', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        batch_op.drop_column('late_cap')
        batch_op.drop_column('late_per_day')
        batch_op.drop_column('time_limit')
        batch_op.drop_column('starts_at')
    with op.batch_alter_table('set_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_members_user_id'))
    op.drop_table('set_members')
