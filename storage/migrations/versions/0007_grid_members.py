"""grid members: who the bot saw in a grid's group and whether it greeted them; the language
of a person's own command menu

Revision ID: 7c3e91b04d2a
Revises: af613627e45b
Create Date: 2026-12-02 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '7c3e91b04d2a'
down_revision: str | None = 'af613627e45b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'grid_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.BigInteger(), nullable=False),
        sa.Column('grid_id', sa.Integer(), nullable=False),
        sa.Column('since', storage.types.UTCDateTime(), nullable=False),
        sa.Column('greeted_at', storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['grid_id'], ['place.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'grid_id'),
    )
    with op.batch_alter_table('grid_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_member_grid_id'), ['grid_id'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('menu_locale', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('menu_locale')
    with op.batch_alter_table('grid_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_member_grid_id'))
    op.drop_table('grid_member')
