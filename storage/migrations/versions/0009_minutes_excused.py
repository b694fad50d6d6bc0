"""minutes: excused (with a reason) apart from absent; the volunteers' representatives are
members of the joint meetings set up with the old default members

Revision ID: 3f8a61c2d9e7
Revises: 5d2b8e41c7a3
Create Date: 2026-12-02 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f8a61c2d9e7"
down_revision: str | None = "5d2b8e41c7a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Whoever answered that they could not come, with their reason, is excused in the minutes
# already written; the others not present stay absent.
FILL_REASONS = """
UPDATE attendance SET reason = (
    SELECT rsvp.reason FROM rsvp
    WHERE rsvp.meeting_id = attendance.meeting_id AND rsvp.person_id = attendance.person_id
      AND rsvp.answer = 'absent')
WHERE NOT present
"""
OLD_DEFAULT = {"cadre", "social_worker"}
REPRESENTATIVE = "volunteer_rep"
SERIES = sa.table("meeting_series", sa.column("id", sa.Integer()),
                  sa.column("member_roles", sa.JSON()))


def _member_roles(change) -> None:  # type: ignore[no-untyped-def]
    bind = op.get_bind()
    for series_id, roles in bind.execute(sa.select(SERIES.c.id, SERIES.c.member_roles)).all():
        changed = change(list(roles or []))
        if changed is not None:
            bind.execute(SERIES.update().where(SERIES.c.id == series_id)
                         .values(member_roles=changed))


def _add_representatives(roles: list[str]) -> list[str] | None:
    """A series whose members are still the old default gets the new one; one whose host
    chose its roles keeps them."""
    return [*roles, REPRESENTATIVE] if set(roles) == OLD_DEFAULT else None


def _remove_representatives(roles: list[str]) -> list[str] | None:
    return [r for r in roles if r != REPRESENTATIVE] if REPRESENTATIVE in roles else None


def upgrade() -> None:
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
    op.execute(FILL_REASONS)
    _member_roles(_add_representatives)


def downgrade() -> None:
    _member_roles(_remove_representatives)
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_column("reason")
