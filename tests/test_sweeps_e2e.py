"""Moving the injected clock through the escalation ladder and the claim timers, end to end."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlmodel import col, select

from bot.jobs import sweep_once
from storage import outbox, wishes
from storage.models import AuditEntry, Claim, Tier, WishState
from storage.sweeps import Step
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    STREET_CHAT,
    VOLUNTEER,
    WORKER,
    Harness,
    button,
    set_up_grid,
    translate,
)

HOUR = timedelta(hours=1)


def zh(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "zh_Hans", msgid, **values)


async def sweep(h: Harness) -> dict[Step, int]:
    done = await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    return done


def cards_in(h: Harness, chat_id: int) -> list[Call]:
    """Wish cards posted in a chat (they carry the wish's button when posted; a page in the
    chat carries only the button that asks for the contact details privately)."""
    return [c for c in h.fake.sent("sendMessage", chat_id)
            if any(str(b.get("callback_data", "")).startswith("w:")
                   and not str(b.get("callback_data", "")).startswith("w:k:")
                   for b in c.buttons())]


def shown(h: Harness, call: Call) -> dict[str, object]:
    return h.fake.message(call.chat_id or 0, call.message_id)


async def audited(h: Harness, action: str) -> int:
    async with h.db.transaction() as session:
        rows = await session.exec(select(AuditEntry).where(AuditEntry.action == action))
        return len(rows.all())


async def test_an_unclaimed_wish_climbs_from_grid_to_community_to_street(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 独居老人家里的热水器坏了", GRID_CHAT)
    grid_card = cards_in(h, GRID_CHAT)[-1]

    h.clock.advance(47 * HOUR)
    assert (await sweep(h))[Step.TO_COMMUNITY] == 0
    h.clock.advance(2 * HOUR)
    assert (await sweep(h))[Step.TO_COMMUNITY] == 1
    wish = await wishes.get(h.db, 1)
    assert (wish.state, wish.tier) == (WishState.OPEN, Tier.COMMUNITY)
    assert wish.community_deadline_at == h.clock.now() + timedelta(hours=168)
    community_card = cards_in(h, COMMUNITY_CHAT)[-1]
    assert button(community_card, "🤝")
    assert zh(h, "Passed to the community: waiting for a social worker or organisation to "
                 "take it on") in str(shown(h, grid_card)["text"])
    assert "reply_markup" not in shown(h, grid_card), "the grid card has no Claim button now"
    assert "passed to the community" in h.fake.last_to(RESIDENT.id).text
    # Nobody on the roster: the page would go to the community chat, where the card is the
    # one message about the wish (it says where the wish went and has Take on).
    assert [c.message_id for c in h.fake.sent("sendMessage", COMMUNITY_CHAT)] == \
        [community_card.message_id]

    await h.press(VOLUNTEER, grid_card, "w:c:1")
    assert h.last_alert() == zh(h, "This micro-wish has been {tier}; it is taken on there now.",
                                tier=zh(h, "passed to the community"))

    h.clock.advance(168 * HOUR)
    assert (await sweep(h))[Step.TO_STREET] == 1
    street_card = cards_in(h, STREET_CHAT)[-1]
    await h.press_text(ADMIN, street_card, "📌")
    prompt = h.fake.last_to(STREET_CHAT)
    assert prompt.params["reply_markup"]["force_reply"] is True
    await h.send(ADMIN, "列入街道微创投项目，由阳光助老服务社承接", STREET_CHAT,
                 reply_to=h.fake.message(STREET_CHAT, prompt.message_id))
    wish = await wishes.get(h.db, 1)
    assert (wish.state, wish.claimer_id) == (WishState.CLAIMED, ADMIN.id)
    assert wish.adopted_note == "列入街道微创投项目，由阳光助老服务社承接"
    assert "阳光助老服务社" in h.fake.last_to(RESIDENT.id).text
    for card in (grid_card, community_card, street_card):
        assert "阳光助老服务社" in str(shown(h, card)["text"])


async def test_a_social_worker_takes_on_a_wish_at_the_community(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 需要有人帮忙申请低保", GRID_CHAT)
    h.clock.advance(49 * HOUR)
    await sweep(h)
    community_card = cards_in(h, COMMUNITY_CHAT)[-1]
    await h.press_text(VOLUNTEER, community_card, "🤝")
    assert h.last_alert() == zh(h, "Only social workers and organisation reps of this community "
                                   "can take on micro-wishes.")
    await h.press_text(WORKER, community_card, "🤝")
    assert "You took on this micro-wish" in h.fake.last_to(WORKER.id).text
    assert (await wishes.get(h.db, 1)).claimer_id == WORKER.id


async def test_a_stalled_claim_is_reminded_then_released(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 帮忙取快递", GRID_CHAT)
    grid_card = cards_in(h, GRID_CHAT)[-1]
    await h.press_text(VOLUNTEER, grid_card, "🙋")
    h.clock.advance(25 * HOUR)
    assert (await sweep(h))[Step.REMIND_CLAIMER] == 1
    reminder = h.fake.last_to(VOLUNTEER.id)
    assert "A reminder about micro-wish #1" in reminder.text
    assert button(reminder, "Mark fulfilled")
    assert (await sweep(h))[Step.REMIND_CLAIMER] == 0, "reminded once"

    h.clock.advance(48 * HOUR)
    assert (await sweep(h))[Step.RELEASE_CLAIM] == 1
    wish = await wishes.get(h.db, 1)
    assert (wish.state, wish.claimer_id) == (WishState.OPEN, None)
    assert wish.grid_deadline_at == h.clock.now() + timedelta(hours=48), "a fresh deadline"
    assert (await sweep_once(h.app.messenger))[Step.TO_COMMUNITY] == 0
    assert "open again for others" in h.fake.last_to(VOLUNTEER.id).text
    assert h.fake.last_to(GRID_CHAT).text == zh(h, "Micro-wish #{id} is open again. Can anyone "
                                                   "help?", id=1)
    assert button(h.fake.sent("editMessageText", GRID_CHAT)[-1], "🙋")
    async with h.db.transaction() as session:
        claim = (await session.exec(select(Claim))).one()
    assert claim.outcome == "expired"
    await h.press(VOLUNTEER, reminder, button(reminder, "Mark fulfilled"))
    assert (await wishes.get(h.db, 1)).state == WishState.OPEN, "the old button is stale"


async def test_an_unconfirmed_fulfilment_closes_by_itself(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 帮忙修自行车", GRID_CHAT)
    grid_card = cards_in(h, GRID_CHAT)[-1]
    await h.press_text(VOLUNTEER, grid_card, "🙋")
    await h.press_text(VOLUNTEER, h.fake.last_to(VOLUNTEER.id), "Mark fulfilled")
    h.clock.advance(73 * HOUR)
    assert (await sweep(h))[Step.CLOSE_UNCONFIRMED] == 1
    wish = await wishes.get(h.db, 1)
    assert (wish.state, wish.unconfirmed) == (WishState.CLOSED, True)
    assert zh(h, "Done (the resident did not confirm in time)") in str(
        shown(h, grid_card)["text"])
    assert "did not confirm in time" in h.fake.last_to(VOLUNTEER.id).text
    assert await audited(h, Step.CLOSE_UNCONFIRMED) == 1


async def test_a_missed_or_repeated_sweep_does_everything_once(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    for n in range(5):
        await h.send(RESIDENT, f"/wish 第{n}件事", GRID_CHAT)
    h.clock.advance(10 * 24 * HOUR)  # the bot was down for ten days
    first, second = await asyncio.gather(sweep_once(h.app.messenger),
                                         sweep_once(h.app.messenger))
    await h.app.sender.drain()
    assert first[Step.TO_COMMUNITY] + second[Step.TO_COMMUNITY] == 5
    assert not any((await sweep(h)).values()), "nothing is due twice"
    assert await audited(h, Step.TO_COMMUNITY) == 5
    assert len(cards_in(h, COMMUNITY_CHAT)) == 5
    told = Counter(c.text for c in h.fake.sent("sendMessage", RESIDENT.id))
    assert all(count == 1 for count in told.values())
    rows = await outbox.rows(h.db)
    assert len({row.key for row in rows}) == len(rows)
    h.clock.advance(168 * HOUR)
    assert (await sweep(h))[Step.TO_STREET] == 5


async def test_the_sweep_leaves_wishes_that_are_not_due(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set grid_deadline_hours 2", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/wish 帮忙", GRID_CHAT)
    await h.send(RESIDENT, "/wish 帮忙2", GRID_CHAT)
    await h.press_text(VOLUNTEER, cards_in(h, GRID_CHAT)[-1], "🙋")
    h.clock.advance(3 * HOUR)
    done = await sweep(h)
    assert done[Step.TO_COMMUNITY] == 1
    async with h.db.transaction() as session:
        tiers = (await session.exec(select(wishes.Wish.tier).order_by(
            col(wishes.Wish.id)))).all()
    assert tiers == [Tier.COMMUNITY, Tier.GRID]


async def test_deadlines_can_count_working_days_only(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set working_days on", COMMUNITY_CHAT)
    h.clock.advance(timedelta(days=2))  # Friday 14:00 in Shanghai
    await h.send(RESIDENT, "/wish 周末前的心愿", GRID_CHAT)
    wish = await wishes.get(h.db, 1)
    # 48 working hours from Friday 14:00: Friday's 10 hours, then Monday, then Tuesday 14:00.
    assert wish.grid_deadline_at == h.clock.now() + timedelta(days=4)
    h.clock.advance(timedelta(days=3))  # Monday 14:00: 48 plain hours have passed
    assert (await sweep(h))[Step.TO_COMMUNITY] == 0
    h.clock.advance(timedelta(days=1, minutes=1))
    assert (await sweep(h))[Step.TO_COMMUNITY] == 1
