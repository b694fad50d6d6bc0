"""command menus set for one person in one chat

Revision ID: d4f1a8c2e613
Revises: a7e3c5d90b12
Create Date: 2026-12-02 15:50:00.000000

Each person's menu (their private chat, and groups where they are staff) lists what they may
use; the digest of the menu last set there is kept, so Telegram is called only when it
changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4f1a8c2e613"
down_revision: str | None = "a7e3c5d90b12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "command_menu",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "chat_id"),
    )


def downgrade() -> None:
    op.drop_table("command_menu")
