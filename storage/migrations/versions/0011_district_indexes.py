"""indexes for a district: the pings of a wish, a grid's and a person's wishes by the time
they were made, and claims by the time they ended

Revision ID: 5c791c41dd08
Revises: 8c4e2a7f1b90
Create Date: 2026-12-02 16:00:00.000000

Chosen from the query plans of a district's database (a million wishes, bench.district):
- each new wish asks which volunteers were already told of it, which read the whole
  volunteer_ping table (no index began with wish_id);
- the limits on people count a grid's and a person's wishes of the last hour, which read all
  their wishes since the start; (grid_id, created_at) and (resident_id, created_at) read the
  hour, and take the place of the indexes on grid_id and on resident_id alone;
- the honour roll counts the wishes fulfilled in a month from the claims that ended then.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c791c41dd08"
down_revision: str | None = "8c4e2a7f1b90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_volunteer_ping_wish", "volunteer_ping", ["wish_id"])
    op.create_index("ix_wish_grid_created", "wish", ["grid_id", "created_at"])
    op.create_index("ix_wish_resident_created", "wish", ["resident_id", "created_at"])
    op.drop_index("ix_wish_grid_id", table_name="wish")
    op.drop_index("ix_wish_resident_id", table_name="wish")
    op.create_index("ix_claim_ended", "claim", ["ended_at"])


def downgrade() -> None:
    op.drop_index("ix_claim_ended", table_name="claim")
    op.create_index("ix_wish_resident_id", "wish", ["resident_id"])
    op.create_index("ix_wish_grid_id", "wish", ["grid_id"])
    op.drop_index("ix_wish_resident_created", table_name="wish")
    op.drop_index("ix_wish_grid_created", table_name="wish")
    op.drop_index("ix_volunteer_ping_wish", table_name="volunteer_ping")
