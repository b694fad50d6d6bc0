"""hours per claim: a wish's service hours belong to the claim that fulfilled it

Revision ID: a9d3f26c71e8
Revises: 5c1a7e0d2b44
Create Date: 2026-12-02 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a9d3f26c71e8'
down_revision: str | None = '5c1a7e0d2b44'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each wish's hours row goes to the latest claim of that wish by the same volunteer that ended
# fulfilled. Until now a wish had at most one row, so no two rows can meet at one claim; a
# row with no such claim keeps its hours and no claim.
FILL_CLAIMS = """
UPDATE service_log SET claim_id = (
    SELECT MAX(claim.id) FROM claim
    WHERE claim.wish_id = service_log.wish_id
      AND claim.volunteer_id = service_log.person_id
      AND claim.outcome = 'fulfilled')
WHERE wish_id IS NOT NULL
"""

# Going back allows one row per wish again: the latest keeps the wish, earlier volunteers'
# rows keep their hours as service without a wish.
ONE_ROW_PER_WISH = """
UPDATE service_log SET wish_id = NULL
WHERE wish_id IS NOT NULL AND id < (
    SELECT MAX(later.id) FROM service_log AS later WHERE later.wish_id = service_log.wish_id)
"""


def upgrade() -> None:
    with op.batch_alter_table('service_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_id', sa.Integer(), nullable=True))
        # The name PostgreSQL gives the table's other foreign keys, which were made unnamed.
        batch_op.create_foreign_key('service_log_claim_id_fkey', 'claim', ['claim_id'], ['id'])
    op.execute(FILL_CLAIMS)
    with op.batch_alter_table('service_log', schema=None) as batch_op:
        batch_op.drop_index('uq_service_log_wish', sqlite_where=sa.text('wish_id IS NOT NULL'), postgresql_where=sa.text('wish_id IS NOT NULL'))
        batch_op.create_index('uq_service_log_claim', ['claim_id'], unique=True, sqlite_where=sa.text('claim_id IS NOT NULL'), postgresql_where=sa.text('claim_id IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('service_log', schema=None) as batch_op:
        batch_op.drop_index('uq_service_log_claim', sqlite_where=sa.text('claim_id IS NOT NULL'), postgresql_where=sa.text('claim_id IS NOT NULL'))
    op.execute(ONE_ROW_PER_WISH)
    with op.batch_alter_table('service_log', schema=None) as batch_op:
        batch_op.create_index('uq_service_log_wish', ['wish_id'], unique=True, sqlite_where=sa.text('wish_id IS NOT NULL'), postgresql_where=sa.text('wish_id IS NOT NULL'))
        batch_op.drop_constraint('service_log_claim_id_fkey', type_='foreignkey')
        batch_op.drop_column('claim_id')
