"""grader messages as ids with parameters: field_grades.message_parts

SPEC §6 stores a field's message as a message id with its parameters, rendered in the reader's
language. The English text stays in ``message`` (what grades stored before this revision have
alone, and what they keep showing until an instructor regrades them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('field_grades', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_parts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('field_grades', schema=None) as batch_op:
        batch_op.drop_column('message_parts')
