"""reaching the resident: relay counts on a claim, a wish's photos and voice messages, and
finding a person's held messages when they start the bot

Revision ID: af613627e45b
Revises: a9d3f26c71e8
Create Date: 2026-12-02 12:38:53.787517
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = 'af613627e45b'
down_revision: str | None = 'a9d3f26c71e8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'wish_media',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('wish_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('purpose', sa.String(length=8), nullable=False),
        sa.Column('file_id', sa.Text(), nullable=False),
        sa.Column('added_by', sa.BigInteger(), nullable=False),
        sa.Column('added_at', storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['wish_id'], ['wish.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('wish_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wish_media_wish_id'), ['wish_id'], unique=False)

    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_claimer', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('from_resident', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_relayed_at', storage.types.UTCDateTime(),
                                      nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_chat_state', ['chat_id', 'state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_chat_state')

    # Not in batch mode: SQLite drops a column in place (3.35+), where copying the table would
    # drop the one that ratings and service hours point to.
    for column in ('last_relayed_at', 'from_resident', 'from_claimer'):
        op.drop_column('claim', column)

    with op.batch_alter_table('wish_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wish_media_wish_id'))

    op.drop_table('wish_media')
