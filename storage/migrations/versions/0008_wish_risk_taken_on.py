"""a wish keeps why it is a risk alert, and whether it was taken on (承接) rather than claimed

Revision ID: 5d2b8e41c7a3
Revises: 7c3e91b04d2a
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2b8e41c7a3"
down_revision: str | None = "7c3e91b04d2a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default ("0", false on either database): an expression would make SQLite copy
    # the table, which the rows of claims, ratings and posts that point to it forbid.
    with op.batch_alter_table("wish", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risk", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("taken_on", sa.Boolean(), server_default="0",
                                      nullable=False))


def downgrade() -> None:
    # Not in batch mode: SQLite drops a column in place (3.35+), where copying the table would
    # drop the one that claims, ratings and posts point to.
    for column in ("taken_on", "risk"):
        op.drop_column("wish", column)
