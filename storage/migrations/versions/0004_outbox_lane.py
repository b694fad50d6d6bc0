"""outbox lanes: which rows go first when Telegram's limits make rows wait

Revision ID: 5c1a7e0d2b44
Revises: 24b5291837b2
Create Date: 2026-12-02 12:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5c1a7e0d2b44'
down_revision: str | None = '24b5291837b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows already queued keep going in the order they were queued: all in the person lane.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane', sa.SmallInteger(), server_default='1',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('lane')
