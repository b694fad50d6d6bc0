"""micro-venture rounds (微创投): rounds with their needs and reviewers; proposals with their
needs, budget lines and milestones; reviewers' scores, progress reports and residents' ratings

Revision ID: b62c6605abd3
Revises: 7e3a91c5b2d4
Create Date: 2026-12-02 19:05:23.858694
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = 'b62c6605abd3'
down_revision: str | None = '7e3a91c5b2d4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('venture_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.Text(), nullable=False),
    sa.Column('budget_fen', sa.BigInteger(), nullable=False),
    sa.Column('cap_fen', sa.BigInteger(), nullable=False),
    sa.Column('proposals_due_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('selection_on', sa.Date(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('proposals_per_org', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.BigInteger(), nullable=False),
    sa.Column('selection_note', sa.Text(), nullable=True),
    sa.Column('announced_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('review_called_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('selected_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('evaluation_called_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('finished_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('source_key', sa.String(length=100), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['street_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_key')
    )
    with op.batch_alter_table('venture_round', schema=None) as batch_op:
        batch_op.create_index('ix_venture_round_state_due', ['state', 'proposals_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_venture_round_street_id'), ['street_id'], unique=False)

    op.create_table('venture_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.BigInteger(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('team', sa.Text(), nullable=False),
    sa.Column('budget_fen', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('source_key', sa.String(length=100), nullable=True),
    sa.Column('submitted_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('decided_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('completed_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['venture_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_key')
    )
    with op.batch_alter_table('venture_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_proposal_rep_id'), ['rep_id'], unique=False)
        batch_op.create_index('ix_venture_proposal_round_state', ['round_id', 'state'], unique=False)

    op.create_table('venture_reviewer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('named_by', sa.BigInteger(), nullable=False),
    sa.Column('named_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['venture_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'person_id')
    )
    with op.batch_alter_table('venture_reviewer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_reviewer_round_id'), ['round_id'], unique=False)

    op.create_table('venture_round_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['venture_round.id'], ),
    sa.ForeignKeyConstraint(['wish_id'], ['wish.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'wish_id')
    )
    with op.batch_alter_table('venture_round_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_round_need_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_venture_round_need_wish_id'), ['wish_id'], unique=False)

    op.create_table('venture_budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['venture_proposal.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('venture_budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_budget_line_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('venture_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('reminded_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('escalated_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('done_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['venture_proposal.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('venture_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_milestone_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index('ix_venture_milestone_state_due', ['state', 'due_on'], unique=False)

    op.create_table('venture_proposal_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['venture_proposal.id'], ),
    sa.ForeignKeyConstraint(['wish_id'], ['wish.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('proposal_id', 'wish_id')
    )
    with op.batch_alter_table('venture_proposal_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_proposal_need_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_venture_proposal_need_wish_id'), ['wish_id'], unique=False)

    op.create_table('venture_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.BigInteger(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('asked_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('answered_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['venture_proposal.id'], ),
    sa.ForeignKeyConstraint(['wish_id'], ['wish.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('proposal_id', 'wish_id')
    )
    with op.batch_alter_table('venture_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_rating_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('venture_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.BigInteger(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['venture_proposal.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('proposal_id', 'reviewer_id', 'stage')
    )
    with op.batch_alter_table('venture_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_score_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('venture_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('photo_file_ids', sa.JSON(), nullable=False),
    sa.Column('source_key', sa.String(length=100), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['venture_milestone.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['venture_proposal.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_key')
    )
    with op.batch_alter_table('venture_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_progress_proposal_id'), ['proposal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('venture_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_progress_proposal_id'))

    op.drop_table('venture_progress')
    with op.batch_alter_table('venture_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_score_proposal_id'))

    op.drop_table('venture_score')
    with op.batch_alter_table('venture_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_rating_proposal_id'))

    op.drop_table('venture_rating')
    with op.batch_alter_table('venture_proposal_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_proposal_need_wish_id'))
        batch_op.drop_index(batch_op.f('ix_venture_proposal_need_proposal_id'))

    op.drop_table('venture_proposal_need')
    with op.batch_alter_table('venture_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_venture_milestone_state_due')
        batch_op.drop_index(batch_op.f('ix_venture_milestone_proposal_id'))

    op.drop_table('venture_milestone')
    with op.batch_alter_table('venture_budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_budget_line_proposal_id'))

    op.drop_table('venture_budget_line')
    with op.batch_alter_table('venture_round_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_round_need_wish_id'))
        batch_op.drop_index(batch_op.f('ix_venture_round_need_round_id'))

    op.drop_table('venture_round_need')
    with op.batch_alter_table('venture_reviewer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_reviewer_round_id'))

    op.drop_table('venture_reviewer')
    with op.batch_alter_table('venture_proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_venture_proposal_round_state')
        batch_op.drop_index(batch_op.f('ix_venture_proposal_rep_id'))

    op.drop_table('venture_proposal')
    with op.batch_alter_table('venture_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_round_street_id'))
        batch_op.drop_index('ix_venture_round_state_due')

    op.drop_table('venture_round')
