"""exam lock of the trace tool per set, and a session version per user

``problem_sets.lock_trace_tool``: while an exam-mode set is open, the trace tool, the trace API
and practice solutions refuse anonymous use (on by default, as for every existing set).
``users.session_version``: bumped at logout, password change and reset; a session cookie that
carries an older version is refused, so a saved cookie stops working.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('problem_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lock_trace_tool', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
    with op.batch_alter_table('problem_sets', schema=None) as batch_op:
        batch_op.drop_column('lock_trace_tool')
