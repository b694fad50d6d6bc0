"""the residents' council (居民议事会): matters put to it, their comments and votes

Revision ID: c4d1e8a7f350
Revises: b62c6605abd3
Create Date: 2026-12-02 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "c4d1e8a7f350"
down_revision: str | None = "b62c6605abd3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "council_matter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("opened_by", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("discussion_ends_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("vote_ends_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("quorum_votes", sa.Integer(), nullable=True),
        sa.Column("quorum_percent", sa.Integer(), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("post_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("post_message_id", sa.Integer(), nullable=True),
        sa.Column("vote_message_id", sa.Integer(), nullable=True),
        sa.Column("voting_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["place.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["meeting_topic.id"]),
        sa.ForeignKeyConstraint(["wish_id"], ["wish.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_index("ix_council_matter_community_id", "council_matter", ["community_id"])
    op.create_index("ix_council_matter_discussion", "council_matter",
                    ["state", "discussion_ends_at"])
    op.create_index("ix_council_matter_vote", "council_matter", ["state", "vote_ends_at"])
    op.create_table(
        "council_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["matter_id"], ["council_matter.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_council_comment_matter_id", "council_comment", ["matter_id"])
    op.create_table(
        "council_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=False),
        sa.Column("voted_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["matter_id"], ["council_matter.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("matter_id", "person_id"),
    )


def downgrade() -> None:
    op.drop_table("council_vote")
    op.drop_index("ix_council_comment_matter_id", table_name="council_comment")
    op.drop_table("council_comment")
    op.drop_index("ix_council_matter_vote", table_name="council_matter")
    op.drop_index("ix_council_matter_discussion", table_name="council_matter")
    op.drop_index("ix_council_matter_community_id", table_name="council_matter")
    op.drop_table("council_matter")
