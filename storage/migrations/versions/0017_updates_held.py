"""updates taken in keep their body and a hold until they are handled, so that another
instance takes over an update whose instance was killed half-way

Revision ID: 3d8f20a61c47
Revises: c4d1e8a7f350
Create Date: 2026-12-02 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "3d8f20a61c47"
down_revision: str | None = "c4d1e8a7f350"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("held_until", storage.types.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_processed_update_held_until"), ["held_until"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("processed_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_update_held_until"))
        batch_op.drop_column("held_until")
        batch_op.drop_column("body")
