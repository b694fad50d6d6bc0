"""indexes for reports: claims by the time they were made, ratings by the time they were given

Revision ID: 7e3a91c5b2d4
Revises: d4f1a8c2e613
Create Date: 2026-12-02 16:00:00.000000

A report counts the first claims of a period (the time to claim) and the ratings given in it
(satisfaction) for a street's grids; without these, each read every claim and every rating.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7e3a91c5b2d4"
down_revision: str | None = "d4f1a8c2e613"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_claim_claimed", "claim", ["claimed_at"])
    op.create_index("ix_rating_created", "rating", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_rating_created", table_name="rating")
    op.drop_index("ix_claim_claimed", table_name="claim")
