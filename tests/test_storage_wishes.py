"""Storage operations on SQLite and PostgreSQL: the wish state machine and its guarantees."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlmodel import col, func, select

from storage import people, places, wishes
from storage.db import Database
from storage.models import AuditEntry, Claim, PlaceKind, Rating, Role, Wish, WishState
from storage.wishes import Draft, Result
from tests.harness import START

BIG_CHAT = -1001234567890123  # supergroup ids do not fit 32 bits
BIG_USER = 7_123_456_789
RESIDENT, VOLUNTEER = 2001, 2002
T = TypeVar("T")


async def step(db: Database, change: Callable[..., Awaitable[T]], *args: Any,
               **kwargs: Any) -> T:
    """A storage step in a transaction of its own, as a use case would run it."""
    async with db.transaction() as session:
        return await change(session, *args, **kwargs)


async def make_grid(db: Database, **grid_settings: object) -> int:
    street = await places.bind(db, chat_id=-11, kind=PlaceKind.STREET, name="街道",
                               parent_id=None, timezone="Asia/Shanghai", actor_id=1, now=START)
    community = await places.bind(db, chat_id=-12, kind=PlaceKind.COMMUNITY, name="社区",
                                  parent_id=street.place.id, timezone="x", actor_id=1, now=START)
    grid = await places.bind(db, chat_id=BIG_CHAT, kind=PlaceKind.GRID, name="网格",
                             parent_id=community.place.id, timezone="x", actor_id=1, now=START)
    for name, value in grid_settings.items():
        await places.change_setting(db, community.place.id, name, value, actor_id=1, now=START)
    return grid.place.id


async def open_wish(db: Database, grid_id: int, text: str = "买菜") -> Wish:
    outcome = await step(db, wishes.submit, grid_id=grid_id, resident_id=RESIDENT,
                                  draft=Draft(text=text), now=START)
    assert outcome.ok
    return outcome.wish


async def count(db: Database, model: type, *where: object) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model).where(*where))).one()


async def test_a_submitted_wish_opens_with_its_grid_deadline_and_an_audit_row(db: Database) -> None:
    grid_id = await make_grid(db)
    wish = await open_wish(db, grid_id, "  帮忙取药  ")
    stored = await wishes.get(db, wish.id)
    assert stored.text == "帮忙取药"
    assert stored.state == WishState.OPEN
    assert stored.grid_deadline_at == START + timedelta(hours=48)
    assert await count(db, AuditEntry, AuditEntry.entity == "wish",
                       AuditEntry.to_state == WishState.OPEN) == 1


async def test_big_telegram_ids_round_trip(db: Database) -> None:
    grid_id = await make_grid(db)
    outcome = await step(db, wishes.submit, grid_id=grid_id, resident_id=BIG_USER,
                                  draft=Draft(text="x"), now=START)
    assert (await places.by_chat(db, BIG_CHAT)).id == grid_id
    assert (await wishes.get(db, outcome.wish.id)).resident_id == BIG_USER


async def test_empty_and_overlong_wishes_store_nothing(db: Database) -> None:
    grid_id = await make_grid(db)
    empty = await step(db, wishes.submit, grid_id=grid_id, resident_id=RESIDENT,
                                draft=Draft(text="   "), now=START)
    long = await step(db, wishes.submit, grid_id=grid_id, resident_id=RESIDENT,
                               draft=Draft(text="很" * 5000), now=START)
    assert (empty.result, long.result) == (Result.EMPTY, Result.TOO_LONG)
    assert await count(db, Wish) == 0


async def test_the_same_source_stores_one_wish(db: Database) -> None:
    grid_id = await make_grid(db)
    first, again = await asyncio.gather(*[
        step(db, wishes.submit, grid_id=grid_id, resident_id=RESIDENT, draft=Draft(text="修水管"),
                      now=START, source_key="form:abc")
        for _ in range(2)
    ])
    assert first.wish.id == again.wish.id
    assert sorted([first.duplicate, again.duplicate]) == [False, True]
    assert await count(db, Wish) == 1


async def test_verification_holds_a_wish_until_approved(db: Database) -> None:
    grid_id = await make_grid(db, verify=True)
    outcome = await step(db, wishes.submit, grid_id=grid_id, resident_id=RESIDENT,
                                  draft=Draft(text="x"), now=START)
    assert outcome.wish.state == WishState.SUBMITTED
    assert (await step(db, wishes.claim, outcome.wish.id, volunteer_id=VOLUNTEER,
                               now=START)).result is Result.WRONG_STATE
    later = START + timedelta(hours=1)
    approved = await step(db, wishes.approve, outcome.wish.id, actor_id=1, now=later)
    assert approved.wish.state == WishState.OPEN
    assert approved.wish.grid_deadline_at == later + timedelta(hours=48)


async def test_twenty_simultaneous_claims_have_one_winner(db: Database) -> None:
    wish = await open_wish(db, await make_grid(db))
    outcomes = await asyncio.gather(*[
        step(db, wishes.claim, wish.id, volunteer_id=3000 + n, now=START) for n in range(20)
    ])
    winners = [o for o in outcomes if o.ok]
    assert len(winners) == 1
    assert {o.result for o in outcomes if not o.ok} == {Result.WRONG_STATE}
    assert await count(db, Claim, Claim.wish_id == wish.id) == 1
    stored = await wishes.get(db, wish.id)
    assert stored.state == WishState.CLAIMED
    assert stored.claimer_id == winners[0].wish.claimer_id
    assert await count(db, AuditEntry, AuditEntry.action == "claim") == 1


async def test_a_resident_cannot_claim_their_own_wish(db: Database) -> None:
    wish = await open_wish(db, await make_grid(db))
    outcome = await step(db, wishes.claim, wish.id, volunteer_id=RESIDENT, now=START)
    assert outcome.result is Result.OWN_WISH
    assert (await wishes.get(db, wish.id)).state == WishState.OPEN


async def test_only_the_claimer_fulfils_or_releases(db: Database) -> None:
    wish = await open_wish(db, await make_grid(db))
    await step(db, wishes.claim, wish.id, volunteer_id=VOLUNTEER, now=START)
    assert (await step(db, wishes.mark_fulfilled, wish.id, volunteer_id=9, now=START)).result \
        is Result.NOT_YOURS
    assert (await step(db, wishes.release, wish.id, volunteer_id=9, now=START)).result \
        is Result.NOT_YOURS
    released = await step(db, wishes.release, wish.id, volunteer_id=VOLUNTEER, now=START)
    assert released.wish.state == WishState.OPEN
    assert released.wish.claimer_id is None
    async with db.transaction() as session:
        claim = (await session.exec(select(Claim))).one()
    assert claim.outcome == "released"
    assert claim.ended_at == START


async def test_a_good_rating_closes_and_a_bad_one_reopens_for_follow_up(db: Database) -> None:
    grid_id = await make_grid(db)
    happy, unhappy = await open_wish(db, grid_id), await open_wish(db, grid_id, "修门")
    for wish in (happy, unhappy):
        await step(db, wishes.claim, wish.id, volunteer_id=VOLUNTEER, now=START)
        fulfilled = await step(db, wishes.mark_fulfilled, wish.id, volunteer_id=VOLUNTEER,
                               now=START)
        assert fulfilled.wish.confirm_deadline_at == START + timedelta(hours=72)
    closed = await step(db, wishes.confirm, happy.id, resident_id=RESIDENT, score=4, now=START)
    reopened = await step(db, wishes.confirm, unhappy.id, resident_id=RESIDENT, score=2, now=START)
    assert closed.wish.state == WishState.CLOSED
    assert (reopened.wish.state, reopened.wish.follow_up) == (WishState.OPEN, True)
    assert reopened.wish.claimer_id is None
    async with db.transaction() as session:
        scores = (await session.exec(select(Rating.wish_id, Rating.score, Rating.volunteer_id)
                                     .order_by(col(Rating.wish_id)))).all()
    assert [tuple(row) for row in scores] == [(happy.id, 4, VOLUNTEER),
                                              (unhappy.id, 2, VOLUNTEER)]
    assert await step(db, wishes.add_comment, happy.id, resident_id=RESIDENT,
                                    comment="谢谢小陈") is Result.OK
    assert (await wishes.rating_of(db, happy.id)).comment == "谢谢小陈"


async def test_someone_else_cannot_confirm_or_withdraw(db: Database) -> None:
    wish = await open_wish(db, await make_grid(db))
    assert (await step(db, wishes.withdraw, wish.id, resident_id=9, now=START)).result \
        is Result.NOT_YOURS
    await step(db, wishes.claim, wish.id, volunteer_id=VOLUNTEER, now=START)
    await step(db, wishes.mark_fulfilled, wish.id, volunteer_id=VOLUNTEER, now=START)
    assert (await step(db, wishes.confirm, wish.id, resident_id=9, score=5, now=START)).result \
        is Result.NOT_YOURS
    assert (await wishes.get(db, wish.id)).state == WishState.FULFILLED
    assert await count(db, Rating) == 0


async def test_withdrawing_a_claimed_wish_ends_the_claim(db: Database) -> None:
    wish = await open_wish(db, await make_grid(db))
    await step(db, wishes.claim, wish.id, volunteer_id=VOLUNTEER, now=START)
    outcome = await step(db, wishes.withdraw, wish.id, resident_id=RESIDENT, now=START)
    assert outcome.wish.state == WishState.CANCELLED
    assert outcome.previous_claimer == VOLUNTEER
    assert (await step(db, wishes.withdraw, wish.id, resident_id=RESIDENT, now=START)).result \
        is Result.WRONG_STATE
    assert await count(db, Claim, col(Claim.ended_at).is_(None)) == 0


async def test_reject_needs_a_reason_and_stores_it(db: Database) -> None:
    wish = await open_wish(db, await make_grid(db))
    assert (await step(db, wishes.reject, wish.id, actor_id=1, reason=" ", now=START)).result \
        is Result.EMPTY
    outcome = await step(db, wishes.reject, wish.id, actor_id=1, reason="不属于社区服务范围",
                         now=START)
    assert (outcome.wish.state, outcome.wish.reject_reason) == (WishState.REJECTED,
                                                                "不属于社区服务范围")


async def test_the_holders_of_a_role_are_found_at_the_place_and_above(db: Database) -> None:
    """Who is told (holders); who may act is usecases.authority's, tested in test_authority."""
    grid_id = await make_grid(db)
    community_id = (await places.chain_of(db, grid_id))[1].id
    await people.remember(db, user_id=BIG_USER, full_name="社工小李", username="li",
                          language_code="zh-hans", in_private_chat=True, now=START)
    await people.grant(db, person_id=BIG_USER, place_id=community_id,
                       role=Role.SOCIAL_WORKER, by=1, now=START)
    assert [p.id for p in await people.holders(db, grid_id, Role.SOCIAL_WORKER)] == [BIG_USER]
    assert await people.holders(db, community_id, Role.VOLUNTEER) == []
    street_id = (await places.chain_of(db, grid_id))[2].id
    assert await people.holders(db, street_id, Role.SOCIAL_WORKER) == []


async def test_settings_inherit_from_the_place_above(db: Database) -> None:
    grid_id = await make_grid(db, grid_deadline_hours=24)
    assert (await places.settings_of(db, grid_id)).grid_deadline_hours == 24
    await places.change_setting(db, grid_id, "grid_deadline_hours", 12, actor_id=1, now=START)
    assert (await places.settings_of(db, grid_id)).grid_deadline_hours == 12
    assert (await open_wish(db, grid_id)).grid_deadline_at == START + timedelta(hours=12)


async def test_a_chat_upgrade_keeps_the_binding(db: Database) -> None:
    grid_id = await make_grid(db)
    assert await places.move_chat(db, BIG_CHAT, -1009999999999999, now=START)
    assert (await places.by_chat(db, -1009999999999999)).id == grid_id
    assert not await places.move_chat(db, BIG_CHAT, -1009999999999999, now=START)
