"""Privacy by audience end to end: what groups are shown of the numbers and addresses people
give, by every route found leaking before the rule was one rule (bot.audience)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.jobs import sweep_once
from storage import wishes
from storage.models import AuditEntry, Wish
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)
from tests.test_hours_e2e import approved, log_confirmed
from tests.test_privacy import MOBILE, MOBILE_SPELLINGS
from tests.test_storage_wishes import step
from tests.tripwire import leaks, shown_to_groups

ADDRESS = "幸福路5号楼2单元301"


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdecimal())


async def _stored(h: Harness, wish_id: int) -> Wish:
    wish = await wishes.get(h.db, wish_id)
    assert wish is not None
    return wish


async def test_every_spelling_of_a_phone_is_masked_on_the_card_and_kept_privately(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    # One resident posts them all within the hour: the limits on people are not tested here.
    await h.send(ADMIN, "/set person_wishes_per_hour 0", GRID_CHAT)
    await h.send(ADMIN, "/set group_wishes_per_hour 0", GRID_CHAT)
    for number, spelling in enumerate(MOBILE_SPELLINGS, start=1):
        await h.send(RESIDENT, f"/wish 请帮忙买菜，电话{spelling}", GRID_CHAT)
        posted = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if f"#{number} " in c.text]
        assert posted, spelling
        assert "12345678" not in _digits(posted[-1].text), (spelling, posted[-1].text)
        assert (await _stored(h, number)).contact_phone == MOBILE, spelling
    assert not leaks(shown_to_groups(h.fake), [MOBILE], [])


async def test_a_page_with_nobody_on_duty_keeps_the_contact_details_out_of_the_community_chat(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)  # nobody on the roster: pages go to the community chat
    wish = await step(h.db, wishes.submit, grid_id=3, resident_id=RESIDENT.id, draft=wishes.Draft(
        text="楼下王奶奶独居，今天摔倒了起不来", phone=MOBILE, address=ADDRESS),
        now=h.clock.now(), source_key="test:risk")
    assert wish.wish is not None
    from bot.notices import publish

    await publish(h.app.messenger, wish.wish, wish.event_id)
    await h.app.sender.drain()
    page = h.fake.last_to(COMMUNITY_CHAT)
    assert "#1" in page.text and ADDRESS not in page.text and MOBILE[3:] not in page.text
    assert translate(h, "zh_Hans", "The contact details are private: staff tap “Contact "
                     "details” to receive them in a private chat.") in page.text

    await h.press_text(NEIGHBOUR, page, "📇")
    assert h.last_alert() == translate(
        h, "zh_Hans", "Only the social workers of this grid and the volunteer who claimed it "
        "can see the contact details.")
    assert not h.fake.sent("sendMessage", NEIGHBOUR.id)

    await h.press_text(WORKER, page, "📇")
    private = h.fake.last_to(WORKER.id).text
    assert MOBILE in private and ADDRESS in private
    async with h.db.transaction() as session:
        shown = (await session.exec(select(AuditEntry).where(
            AuditEntry.action == "show_contact"))).all()
    assert [(e.entity_id, e.actor_id) for e in shown] == [(1, WORKER.id)]


async def test_a_verification_request_in_the_community_chat_carries_no_contact_details(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set verify on", COMMUNITY_CHAT)
    h.fake.unreachable.add(WORKER.id)
    await h.send(WORKER, "/stop")  # any message: the worker is known but cannot be written to
    from storage import people

    await people.mark_unreachable(h.db, WORKER.id)
    h.fake.clear()
    await h.send(RESIDENT, f"/wish 帮忙修水管，地址{ADDRESS}，电话{MOBILE}", GRID_CHAT)
    request = h.fake.last_to(COMMUNITY_CHAT)
    assert "#1" in request.text and MOBILE not in _digits(request.text)
    assert button(request, "📇")


async def test_a_number_typed_with_ask_is_taken_down_and_masked_where_repeated(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)  # nobody on duty: the question goes to the community chat
    await h.send(RESIDENT, f"/ask 低保怎么申请？我电话 {MOBILE}", GRID_CHAT)
    assert h.fake.sent("deleteMessage", GRID_CHAT)
    page = h.fake.last_to(COMMUNITY_CHAT)
    assert "低保怎么申请" in page.text and MOBILE[3:] not in _digits(page.text)


async def test_every_request_to_a_group_is_masked_whoever_sends_it(harness: Harness) -> None:
    """The guard sits on the bot's way out to Telegram: even a text that no renderer masked
    (as a route added later might send) reaches a group masked, and a person unmasked."""
    h = harness
    await set_up_grid(h)
    text = f"<b>来电</b> 138 1234 5678 <a href=\"tg://user?id={RESIDENT.id}\">张</a>"
    await h.app.bot.send_message(GRID_CHAT, text)
    await h.app.bot.send_message(WORKER.id, text)
    assert h.fake.last_to(GRID_CHAT).text == (
        f"<b>来电</b> 138******** <a href=\"tg://user?id={RESIDENT.id}\">张</a>")
    assert h.fake.last_to(WORKER.id).text == text


async def test_service_descriptions_and_honour_names_are_masked_in_the_group(
        harness: Harness) -> None:
    """/hours in a group and the honour roll repeat words volunteers typed."""
    h = harness
    await set_up_grid(h)
    typed_name = Someone(4100, "小李 13912340001", language_code="en")
    await approved(h, typed_name)
    await log_confirmed(h, typed_name, 120, 3, description=f"陪老人看病，家属电话{MOBILE}")
    await h.send(WORKER, f"/hours {typed_name.id}", GRID_CHAT)
    shown = h.fake.last_to(GRID_CHAT).text
    assert "陪老人看病" in shown and MOBILE[3:] not in _digits(shown)
    assert "12340001" not in _digits(shown)

    h.clock.advance(datetime(2026, 12, 1, 1, 30, tzinfo=UTC) - h.clock.now())  # 09:30 local
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    [roll] = [t for t in h.fake.texts_to(GRID_CHAT) if "🏅" in t]
    assert "小李 139*****" in roll and "12340001" not in _digits(roll)


async def test_a_passed_up_wish_offered_as_a_meeting_topic_is_masked_in_the_chat(
        harness: Harness) -> None:
    from tests.test_meetings_e2e import CADRE, at, notices, set_up, sweep

    h = harness
    await set_up(h)
    await h.send(RESIDENT, f"/wish 楼道灯坏了很久没人修，电话{MOBILE}", GRID_CHAT)
    at(h, datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # past the grid deadline: passed up
    await sweep(h)
    await h.send(CADRE, "/meeting_new weekly 1 19:00 90 三工联席会议", COMMUNITY_CHAT)
    at(h, datetime(2026, 11, 27, 11, 1, tzinfo=UTC))  # the call for topics
    await sweep(h)
    await h.send(CADRE, "/agenda 1")
    assert MOBILE in h.fake.last_to(CADRE.id).text, "the host reads it privately as typed"
    await h.send(CADRE, "/agenda 1 confirm")
    at(h, datetime(2026, 11, 29, 11, 1, tzinfo=UTC))  # Sunday 19:01: the notice is due
    await sweep(h)
    [notice] = notices(h)
    assert "楼道灯坏了很久没人修" in notice.text and "12345678" not in _digits(notice.text)
