"""drop exercise_templates: a table no code ever read or wrote (templates are built-ins in code
and items' own knobs)

Revision ID: 0007_lead
Revises: 0006_ops
Create Date: 2026-11-30 21:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_lead'
down_revision = '0006_ops'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('exercise_templates')


def downgrade() -> None:
    op.create_table('exercise_templates',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('knobs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_exercise_templates_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_templates'))
    )
