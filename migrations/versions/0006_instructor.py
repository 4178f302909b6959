"""points per problem-set item, and a class roster per set

``problem_set_items.points``: what an item is worth (10 for new items), split evenly over its
fields unless ``field_points`` gives a field its own points. An item that already exists keeps
the total it had, one point per field, so its stored grades and overrides read as before.

``roster_entries``: a set's class list imported from a CSV (email, name, Canvas ID, SIS User
ID, SIS Login ID, section), which the Canvas export fills its student columns from.

Revision ID: 0006_instructor
Revises: 0005
Create Date: 2026-11-30 17:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_instructor'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'roster_entries',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('problem_set_id', sa.String(length=32), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('canvas_id', sa.String(length=64), nullable=True),
        sa.Column('sis_user_id', sa.String(length=100), nullable=True),
        sa.Column('sis_login_id', sa.String(length=254), nullable=True),
        sa.Column('section', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['problem_set_id'], ['problem_sets.id'],
                                name=op.f('fk_roster_entries_problem_set_id_problem_sets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entries')),
        sa.UniqueConstraint('problem_set_id', 'email',
                            name=op.f('uq_roster_entries_problem_set_id')))
    with op.batch_alter_table('problem_set_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('points', sa.Double(), server_default='10',
                                      nullable=False))
        batch_op.add_column(sa.Column('field_points', sa.JSON(), nullable=True))
    bind = op.get_bind()
    items = sa.table('problem_set_items', sa.column('id', sa.String), sa.column('points'))
    exercises = sa.table('exercises', sa.column('item_id', sa.String),
                         sa.column('fields', sa.JSON), sa.column('variant_index', sa.Integer))
    seen = set()
    for item_id, fields in bind.execute(
            sa.select(exercises.c.item_id, exercises.c.fields)
            .where(exercises.c.item_id.is_not(None)).order_by(exercises.c.variant_index)):
        if item_id not in seen:
            seen.add(item_id)
            bind.execute(items.update().where(items.c.id == item_id)
                         .values(points=float(len(fields or []))))


def downgrade() -> None:
    op.drop_table('roster_entries')
    with op.batch_alter_table('problem_set_items', schema=None) as batch_op:
        batch_op.drop_column('field_points')
        batch_op.drop_column('points')
