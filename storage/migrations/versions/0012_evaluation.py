"""the monthly evaluation (考评): staff reviews, partners' reviews, the comments of the people
evaluated, and each street's closed months with their results

Revision ID: a7e3c5d90b12
Revises: 5c791c41dd08
Create Date: 2026-12-02 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "a7e3c5d90b12"
down_revision: str | None = "5c791c41dd08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _month_of_a_street(*extra: sa.Column) -> list[sa.Column]:
    return [sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("street_id", sa.Integer(), nullable=False),
            sa.Column("month", sa.String(length=7), nullable=False), *extra]


def upgrade() -> None:
    op.create_table(
        "eval_staff_review",
        *_month_of_a_street(
            sa.Column("worker_id", sa.BigInteger(), nullable=False),
            sa.Column("reviewer_id", sa.BigInteger(), nullable=False),
            sa.Column("scores", sa.JSON(), nullable=False),
            sa.Column("scale", sa.Integer(), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("at", storage.types.UTCDateTime(), nullable=False)),
        sa.ForeignKeyConstraint(["street_id"], ["place.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("street_id", "month", "worker_id", "reviewer_id"),
    )
    op.create_index("ix_eval_staff_review_worker_id", "eval_staff_review", ["worker_id"])
    op.create_table(
        "eval_partner_review",
        *_month_of_a_street(
            sa.Column("worker_id", sa.BigInteger(), nullable=False),
            sa.Column("reviewer_id", sa.BigInteger(), nullable=False),
            sa.Column("role", sa.String(length=32), nullable=False),
            sa.Column("score", sa.Integer(), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("at", storage.types.UTCDateTime(), nullable=False)),
        sa.ForeignKeyConstraint(["street_id"], ["place.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("street_id", "month", "worker_id", "reviewer_id"),
    )
    op.create_index("ix_eval_partner_review_worker_id", "eval_partner_review", ["worker_id"])
    op.create_table(
        "eval_comment",
        *_month_of_a_street(
            sa.Column("person_id", sa.BigInteger(), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("at", storage.types.UTCDateTime(), nullable=False)),
        sa.ForeignKeyConstraint(["street_id"], ["place.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("street_id", "month", "person_id"),
    )
    op.create_index("ix_eval_comment_person_id", "eval_comment", ["person_id"])
    op.create_table(
        "eval_closed_month",
        *_month_of_a_street(
            sa.Column("closed_by", sa.BigInteger(), nullable=False),
            sa.Column("closed_at", storage.types.UTCDateTime(), nullable=False),
            sa.Column("results", sa.JSON(), nullable=False)),
        sa.ForeignKeyConstraint(["street_id"], ["place.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("street_id", "month"),
    )


def downgrade() -> None:
    op.drop_table("eval_closed_month")
    op.drop_index("ix_eval_comment_person_id", table_name="eval_comment")
    op.drop_table("eval_comment")
    op.drop_index("ix_eval_partner_review_worker_id", table_name="eval_partner_review")
    op.drop_table("eval_partner_review")
    op.drop_index("ix_eval_staff_review_worker_id", table_name="eval_staff_review")
    op.drop_table("eval_staff_review")
