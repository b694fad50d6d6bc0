"""Micro-wishes (微心愿): posting, taking, fulfilling, withdrawing, rating, verifying.

Each verb is one transaction: who may (``usecases.authority``), the conditional change with
its audit row (``storage.wishes``), and its news queued in the outbox (the card everywhere it
stands, then whoever must hear of it), all stored before the person acting is answered, so a
failed answer loses none of it. Each returns ``storage.wishes.Outcome``; the handler turns it
into words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import cards, notices, reaching, volunteering
from bot.messenger import Messenger
from storage import duty, media, people, places, quotas, wishes
from storage.models import Lane, MediaPurpose, PlaceKind, Tier, Wish, WishState
from storage.people import Actor
from storage.wishes import Outcome, Result
from usecases.authority import Act, Standing, may_in, standing

News = Callable[[Wish, Outcome], Awaitable[None]]
# Who takes a wish at each tier: volunteers claim it in the grid, social workers and
# organisation reps take it on in the community (微公益), the street office adopts it (微创投).
TAKING = {Tier.GRID: Act.CLAIM_WISHES, Tier.COMMUNITY: Act.TAKE_ON_WISHES,
          Tier.STREET: Act.ADOPT_WISHES}


Change = Callable[[AsyncSession], Awaitable[Outcome]]


async def _changed(messenger: Messenger, change: Change, news: News) -> Outcome:
    async with messenger.db.transaction() as session:
        outcome = await change(session)
        if outcome.ok and outcome.wish is not None:
            await cards.show(messenger, outcome.wish)
            await news(outcome.wish, outcome)
    return outcome


async def _allowed(messenger: Messenger, actor: Actor, act: Act, wish_id: int) -> Outcome:
    """OK with the wish when ``actor`` may do ``act`` to it; else why not."""
    async with messenger.db.transaction() as session:
        wish = await session.get(Wish, wish_id)
        if wish is None:
            return Outcome(Result.NOT_FOUND)
        if await may_in(session, actor, act, wish.grid_id):
            return Outcome(Result.OK, wish)
        held = await standing(session, actor.id) if act is Act.CLAIM_WISHES else Standing.OK
        return Outcome({Standing.PAUSED: Result.PAUSED, Standing.SUSPENDED: Result.SUSPENDED}
                       .get(held, Result.NOT_ALLOWED), wish)


async def post(messenger: Messenger, actor: Actor, *, grid_id: int, draft: wishes.Draft,
               now: datetime, source_key: str, attached: Sequence[media.Item] = ()) -> Outcome:
    """A resident's new wish: stored with the photos and voice messages ``attached`` in the
    private form, and its card or verification request queued (and the duty worker paged if it
    is urgent or names a risk). The same source twice is one wish. Beyond the limits on people
    it waits (``TOO_MANY``, ``REPEATED``), unless staff post it."""
    async with messenger.db.transaction() as session:
        held = await _held_back(session, actor, grid_id, draft, now, source_key)
        if held is not None:
            return held
        outcome = await wishes.submit(session, grid_id=grid_id, resident_id=actor.id,
                                      draft=draft, now=now, source_key=source_key)
        if outcome.ok and outcome.wish is not None and not outcome.duplicate:
            await media.add(session, outcome.wish.id or 0, attached[:media.MAX_IN_FORM],
                            purpose=MediaPurpose.WISH, by=actor.id, now=now)
            alerted = await notices.publish(messenger, outcome.wish, outcome.event_id)
            return replace(outcome, alerted=alerted)
    return outcome


async def _held_back(session: AsyncSession, actor: Actor, grid_id: int, draft: wishes.Draft,
                     now: datetime, source_key: str) -> Outcome | None:
    """Why the wish must wait (storage.quotas), or None. Words that cannot be a wish, a grid
    that is none, and the same message handled again are answered by ``wishes.submit``."""
    grid = await places.get(session, grid_id)
    if (grid is None or grid.kind != PlaceKind.GRID
            or wishes.check_text(draft.text) is not Result.OK
            or await wishes.by_source(session, source_key) is not None
            or await may_in(session, actor, Act.POST_WITHOUT_LIMITS, grid_id)):
        return None
    hold = await quotas.wish_hold(session, grid, actor.id, draft.text, now)
    if hold is None:
        return None
    repeated = hold.reason is quotas.Reason.REPEATED
    return Outcome(Result.REPEATED if repeated else Result.TOO_MANY, hold=hold)


async def take(messenger: Messenger, actor: Actor, wish_id: int, tier: Tier, *,
               now: datetime, note: str | None = None) -> Outcome:
    """Claim, take on or adopt: of many pressing at once, one wins."""
    async with messenger.db.transaction():
        allowed = await _allowed(messenger, actor, TAKING[tier], wish_id)
        if not allowed.ok:
            return allowed

        async def tell_resident_and_claimer(taken: Wish, done: Outcome) -> None:
            if tier is Tier.STREET:
                await notices.resident_adopted(messenger, taken, done.event_id)
                return
            await _tell_taken(messenger, actor, taken, done)

        async def claim(session: AsyncSession) -> Outcome:
            claimed = await wishes.claim(session, wish_id, volunteer_id=actor.id, now=now,
                                         tier=tier, note=note)
            if claimed.ok and tier is not Tier.GRID:  # taken on: its pages are answered
                await duty.acknowledge_wish(session, wish_id, person_id=actor.id, now=now)
            return claimed

        return await _changed(messenger, claim, tell_resident_and_claimer)


async def take_on(messenger: Messenger, actor: Actor, wish_id: int, *,
                  now: datetime) -> Outcome:
    """The duty worker who acknowledges a page about a wish takes it on (承接), if they may
    take wishes on at its grid and it is still waiting (submitted or open): its card and its
    resident say who follows it up, it climbs no further, and they are reminded to follow it
    up (storage.wishes.take_on). Called inside the acknowledgement's transaction."""
    async with messenger.db.transaction():
        allowed = await _allowed(messenger, actor, Act.TAKE_ON_WISHES, wish_id)
        if not allowed.ok:
            return allowed
        return await _changed(messenger, lambda session: wishes.take_on(
            session, wish_id, worker_id=actor.id, now=now),
            lambda taken, done: _tell_taken(messenger, actor, taken, done))


async def _tell_taken(messenger: Messenger, actor: Actor, taken: Wish, done: Outcome) -> None:
    """The resident hears who claimed or took on their wish; the claimer gets the way to
    reach them, privately."""
    async with messenger.db.transaction() as session:  # the claim just stored
        reach = await reaching.reach_in(session, taken)
        name = await people.name_in(session, actor.id)
    await notices.resident_claimed(messenger, taken, done.event_id, name, reach.claim_id)
    if actor.person.reachable:  # else the handler shows the way to a private chat
        await messenger.tell(actor.id, f"audit:{done.event_id}:contact",
                             reaching.for_claimer(taken, reach), lane=Lane.URGENT)


async def release(messenger: Messenger, actor: Actor, wish_id: int, *,
                  now: datetime) -> Outcome:
    """The claimer gives the wish back (only the claimer: storage checks whose it is)."""
    return await _changed(messenger, lambda session: wishes.release(
        session, wish_id, volunteer_id=actor.id, now=now),
        lambda wish, done: notices.resident_released(messenger, wish, done.event_id))


async def fulfil(messenger: Messenger, actor: Actor, wish_id: int, *, now: datetime) -> Outcome:
    async def tell_resident(wish: Wish, done: Outcome) -> None:
        await notices.resident_fulfilled(messenger, wish, done.event_id,
                                         await people.name_of(messenger.db, actor.id))

    return await _changed(messenger, lambda session: wishes.mark_fulfilled(
        session, wish_id, volunteer_id=actor.id, now=now), tell_resident)


async def withdraw(messenger: Messenger, actor: Actor, wish_id: int, *,
                   now: datetime) -> Outcome:
    async def tell_claimer(wish: Wish, done: Outcome) -> None:
        if done.previous_claimer is not None:
            await notices.claimer_withdrawn(messenger, wish, done.event_id,
                                            done.previous_claimer)

    return await _changed(messenger, lambda session: wishes.withdraw(
        session, wish_id, resident_id=actor.id, now=now), tell_claimer)


async def rate(messenger: Messenger, actor: Actor, wish_id: int, score: int, *,
               now: datetime) -> Outcome:
    """The resident confirms and rates (下评上); "not solved" reopens it for the grid's social
    workers to follow up instead of closing it."""
    async def tell_claimer_and_staff(wish: Wish, done: Outcome) -> None:
        if done.previous_claimer is not None:
            await notices.claimer_rated(messenger, wish, done.event_id, done.previous_claimer,
                                        score)
        if wish.state == WishState.OPEN:
            await notices.staff_follow_up(messenger, wish, done.event_id, score)

    return await _changed(messenger, lambda session: wishes.confirm(
        session, wish_id, resident_id=actor.id, score=score, now=now),
        tell_claimer_and_staff)


async def may_verify(messenger: Messenger, actor: Actor, wish_id: int) -> Outcome:
    """Before asking a social worker for a reason: OK with the wish, or why not."""
    allowed = await _allowed(messenger, actor, Act.VERIFY_WISHES, wish_id)
    if allowed.ok and allowed.wish is not None and allowed.wish.state not in wishes.REJECTABLE:
        return Outcome(Result.WRONG_STATE, allowed.wish)
    return allowed


async def may_adopt(messenger: Messenger, actor: Actor, wish_id: int) -> Outcome:
    return await _allowed(messenger, actor, Act.ADOPT_WISHES, wish_id)


async def approve(messenger: Messenger, actor: Actor, wish_id: int, *,
                  now: datetime) -> Outcome:
    async def tell_resident_and_volunteers(approved: Wish, done: Outcome) -> None:
        await notices.resident_approved(messenger, approved, done.event_id)
        await volunteering.ping_volunteers(messenger, approved)

    async with messenger.db.transaction():
        allowed = await _allowed(messenger, actor, Act.VERIFY_WISHES, wish_id)
        if not allowed.ok:
            return allowed
        return await _changed(messenger, lambda session: wishes.approve(
            session, wish_id, actor_id=actor.id, now=now), tell_resident_and_volunteers)


async def reject(messenger: Messenger, actor: Actor, wish_id: int, reason: str, *,
                 now: datetime) -> Outcome:
    async with messenger.db.transaction():
        allowed = await _allowed(messenger, actor, Act.VERIFY_WISHES, wish_id)
        if not allowed.ok:
            return allowed
        return await _changed(messenger, lambda session: wishes.reject(
            session, wish_id, actor_id=actor.id, reason=reason, now=now),
            lambda rejected, done: notices.resident_rejected(messenger, rejected,
                                                             done.event_id))


async def comment(messenger: Messenger, actor: Actor, wish_id: int, text: str) -> Result:
    """The resident's words beside their rating."""
    async with messenger.db.transaction() as session:
        return await wishes.add_comment(session, wish_id, resident_id=actor.id, comment=text)
