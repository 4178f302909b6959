"""lti: LTI 1.3 platform registrations, LMS identities, resource links, members, launch storage

Revision ID: 0007_lti
Revises: 0007_course
Create Date: 2026-11-30 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_lti'
down_revision = '0007_course'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lti_registrations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('deployment_ids', sa.JSON(), nullable=False),
    sa.Column('auth_login_url', sa.String(length=500), nullable=False),
    sa.Column('token_url', sa.String(length=500), nullable=False),
    sa.Column('jwks_url', sa.String(length=500), nullable=False),
    sa.Column('private_key', sa.Text(), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_lti_registrations_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_registrations')),
    sa.UniqueConstraint('issuer', 'client_id', name='uq_lti_registrations_issuer_client'),
    sa.UniqueConstraint('key_id', name=op.f('uq_lti_registrations_key_id'))
    )
    with op.batch_alter_table('lti_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_registrations_owner_id'), ['owner_id'], unique=False)

    op.create_table('lti_identities',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('registration_id', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['lti_registrations.id'], name=op.f('fk_lti_identities_registration_id_lti_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_identities_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_identities')),
    sa.UniqueConstraint('registration_id', 'subject', name='uq_lti_identities_registration_subject')
    )
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_identities_user_id'), ['user_id'], unique=False)

    op.create_table('lti_resource_links',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('registration_id', sa.String(length=32), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('problem_set_id', sa.String(length=32), nullable=False),
    sa.Column('context_title', sa.String(length=255), nullable=False),
    sa.Column('lineitem', sa.String(length=500), nullable=True),
    sa.Column('ags_scopes', sa.JSON(), nullable=False),
    sa.Column('memberships_url', sa.String(length=500), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['problem_set_id'], ['problem_sets.id'], name=op.f('fk_lti_resource_links_problem_set_id_problem_sets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['lti_registrations.id'], name=op.f('fk_lti_resource_links_registration_id_lti_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_resource_links')),
    sa.UniqueConstraint('registration_id', 'resource_link_id', name='uq_lti_resource_links_registration_link')
    )
    with op.batch_alter_table('lti_resource_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_resource_links_problem_set_id'), ['problem_set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_resource_links_registration_id'), ['registration_id'], unique=False)

    op.create_table('lti_members',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('link_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['lti_resource_links.id'], name=op.f('fk_lti_members_link_id_lti_resource_links'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_members')),
    sa.UniqueConstraint('link_id', 'user_id', name='uq_lti_members_link_user')
    )
    with op.batch_alter_table('lti_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_members_user_id'), ['user_id'], unique=False)

    op.create_table('lti_launch_values',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lti_launch_values'))
    )
    with op.batch_alter_table('lti_launch_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_launch_values_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lti_launch_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_launch_values_expires_at'))
    op.drop_table('lti_launch_values')
    with op.batch_alter_table('lti_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_members_user_id'))
    op.drop_table('lti_members')
    with op.batch_alter_table('lti_resource_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_resource_links_registration_id'))
        batch_op.drop_index(batch_op.f('ix_lti_resource_links_problem_set_id'))
    op.drop_table('lti_resource_links')
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_identities_user_id'))
    op.drop_table('lti_identities')
    with op.batch_alter_table('lti_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_registrations_owner_id'))
    op.drop_table('lti_registrations')
