"""Service hours end to end: from a fulfilled wish, logged and confirmed, /myhours across
month and year boundaries in the community's time zone, staff corrections, the honour roll."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.jobs import sweep_once
from storage import hours, volunteers
from storage.models import Claim, ServiceLog, ServiceState
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    GRID_CHAT,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)
from tests.test_storage_wishes import step

OTHER_GRID_CHAT = -1004


def last(h: Harness, who: Someone) -> Call:
    return h.fake.last_to(who.id)


def zh(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "zh_Hans", msgid, **values)


async def grid_id(h: Harness, chat_id: int = GRID_CHAT) -> int:
    from storage import places

    grid = await places.by_chat(h.db, chat_id)
    assert grid is not None
    return grid.id or 0


async def entries(h: Harness, who: Someone) -> list[ServiceLog]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(ServiceLog).where(
            ServiceLog.person_id == who.id).order_by(ServiceLog.id))).all())


async def approved(h: Harness, who: Someone, chat_id: int = GRID_CHAT) -> None:
    """A volunteer already approved (the sign-up is tested in test_volunteers_e2e)."""
    await h.send(who, "/start")
    application = volunteers.Application(
        real_name=who.name, phone=None, skills=["errands"], other_skill=None,
        grid_ids=[await grid_id(h, chat_id)], days=[0, 1, 2, 3, 4, 5, 6],
        periods=["morning", "afternoon", "evening"])
    applied = await step(h.db, volunteers.apply, who.id, application, now=h.clock.now())
    if applied.result is volunteers.Result.ALREADY_SERVING:
        return  # /grant volunteer in set_up_grid enlisted them already
    assert (await step(h.db, volunteers.approve, who.id, by=WORKER.id, now=h.clock.now())).ok


async def test_the_claimer_states_the_hours_of_a_fulfilled_wish(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 帮我换灯泡", GRID_CHAT)
    card = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()][-1]
    await h.press_text(VOLUNTEER, card, "🙋")
    await h.press_text(VOLUNTEER, last(h, VOLUNTEER), "Mark fulfilled")
    asked = last(h, VOLUNTEER)
    assert "How long did it take?" in asked.text

    await h.send(VOLUNTEER, "a while")
    assert "Please give the hours as a number" in last(h, VOLUNTEER).text
    await h.send(VOLUNTEER, "25")
    assert "Please give the hours as a number" in last(h, VOLUNTEER).text
    await h.press_text(VOLUNTEER, asked, "1.5 h")
    assert "Noted: 1.5 h of service for micro-wish #1." in h.fake.sent("editMessageText")[-1].text
    [entry] = await entries(h, VOLUNTEER)
    assert (entry.minutes, entry.state, entry.wish_id) == (90, ServiceState.CONFIRMED, 1)
    assert entry.served_on == date(2026, 11, 25)

    await h.press_text(VOLUNTEER, asked, "2 h")  # changed their mind: a correction, not a copy
    [entry] = await entries(h, VOLUNTEER)
    assert entry.minutes == 120
    await h.press_text(RESIDENT, asked, "3 h")
    assert h.last_alert() == "Only the volunteer who claimed it can do that."
    assert [e.minutes for e in await entries(h, VOLUNTEER)] == [120]
    await h.send(VOLUNTEER, "/myhours")
    assert "This month: 2 h\nThis year: 2 h\nIn total: 2 h\nMicro-wishes fulfilled: 1" in last(
        h, VOLUNTEER).text


async def fulfil_with_hours(h: Harness, who: Someone, card: Call, label: str) -> Call:
    """``who`` claims the wish from its card, marks it fulfilled and taps ``label``; the
    question with the hours buttons."""
    await h.press_text(who, card, "🙋")
    await h.press_text(who, last(h, who), "Mark fulfilled")
    asked = last(h, who)
    assert "How long did it take?" in asked.text
    await h.press_text(who, asked, label)
    return asked


async def rated(h: Harness, score: str) -> None:
    ask = [c for c in h.fake.sent("sendMessage", RESIDENT.id) if c.buttons()][-1]
    await h.press_text(RESIDENT, ask, score)


async def reopened_and_fulfilled_again(h: Harness, second: Someone) -> tuple[Call, Call]:
    """The volunteer states 1 h, the resident rates 2 (not solved: open again), ``second``
    claims and fulfils it and states 2 h. The two hours questions, first and second."""
    await set_up_grid(h)
    await approved(h, second)
    await h.send(RESIDENT, "/wish 帮我修水龙头", GRID_CHAT)
    card = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()][-1]
    first_asked = await fulfil_with_hours(h, VOLUNTEER, card, "1 h")
    await rated(h, "2")
    assert "A social worker will follow up" in h.last_alert()
    second_asked = await fulfil_with_hours(h, second, card, "2 h")
    return first_asked, second_asked


async def minutes_of(h: Harness, who: Someone) -> list[int]:
    return [e.minutes for e in await entries(h, who)]


async def test_a_reopened_wish_fulfilled_again_credits_each_volunteer(harness: Harness) -> None:
    h = harness
    helper = Someone(2001, "Helper Sun", language_code="en")
    await reopened_and_fulfilled_again(h, helper)
    [first] = await entries(h, VOLUNTEER)
    [second] = await entries(h, helper)
    assert (first.wish_id, first.minutes, second.wish_id, second.minutes) == (1, 60, 1, 120)
    async with h.db.transaction() as session:
        claims = (await session.exec(select(Claim).order_by(Claim.id))).all()
    assert [(c.volunteer_id, c.outcome) for c in claims] == [(VOLUNTEER.id, "fulfilled"),
                                                             (helper.id, "fulfilled")]
    assert (first.claim_id, second.claim_id) == (claims[0].id, claims[1].id)

    await h.send(VOLUNTEER, "/myhours")
    assert "In total: 1 h\nMicro-wishes fulfilled: 1" in last(h, VOLUNTEER).text
    await h.send(helper, "/myhours")
    assert "In total: 2 h\nMicro-wishes fulfilled: 1" in last(h, helper).text

    await rated(h, "5")  # solved this time: closing it changes nobody's record
    await h.send(VOLUNTEER, "/myhours")
    assert "In total: 1 h\nMicro-wishes fulfilled: 1" in last(h, VOLUNTEER).text

    h.clock.advance(datetime(2026, 12, 1, 1, 30, tzinfo=UTC) - h.clock.now())  # 09:30 local
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    [roll] = [t for t in h.fake.texts_to(GRID_CHAT) if "🏅" in t]
    line = "{rank}. {name}: {hours} h, micro-wishes fulfilled: {wishes}"
    assert zh(h, line, rank=1, name="Helper Sun", hours="2", wishes=1) in roll
    assert zh(h, line, rank=2, name=VOLUNTEER.name, hours="1", wishes=1) in roll
    assert zh(h, "Together you gave {hours} hours to our neighbours. Thank you all!",
              hours="3") in roll


async def test_stating_hours_again_corrects_only_ones_own_claim(harness: Harness) -> None:
    h = harness
    helper = Someone(2001, "Helper Sun", language_code="en")
    first_asked, second_asked = await reopened_and_fulfilled_again(h, helper)

    await h.press_text(VOLUNTEER, first_asked, "1.5 h")  # no longer the claimer, still theirs
    assert "Noted: 1.5 h of service for micro-wish #1." in h.fake.sent(
        "editMessageText", VOLUNTEER.id)[-1].text
    assert (await minutes_of(h, VOLUNTEER), await minutes_of(h, helper)) == ([90], [120])
    await h.press_text(helper, second_asked, "3 h")
    assert (await minutes_of(h, VOLUNTEER), await minutes_of(h, helper)) == ([90], [180])
    await h.press_text(helper, first_asked, "4 h")  # another's question: their own claim
    assert (await minutes_of(h, VOLUNTEER), await minutes_of(h, helper)) == ([90], [240])
    await h.press_text(RESIDENT, first_asked, "0.5 h")
    assert h.last_alert() == "Only the volunteer who claimed it can do that."
    assert (await minutes_of(h, VOLUNTEER), await minutes_of(h, helper)) == ([90], [240])


async def test_hours_stated_at_once_for_one_claim_make_one_entry(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 帮我搬箱子", GRID_CHAT)
    card = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()][-1]
    await h.press_text(VOLUNTEER, card, "🙋")
    await h.press_text(VOLUNTEER, last(h, VOLUNTEER), "Mark fulfilled")
    stated = await asyncio.gather(*[
        step(h.db, hours.for_wish, 1, volunteer_id=VOLUNTEER.id, minutes=minutes,
             now=h.clock.now()) for minutes in (60, 120, 180)])
    assert all(outcome.ok for outcome in stated)
    assert [m in (60, 120, 180) for m in await minutes_of(h, VOLUNTEER)] == [True]


async def test_staff_correct_the_entry_of_the_volunteer_it_names(harness: Harness) -> None:
    h = harness
    helper = Someone(2001, "Helper Sun", language_code="en", username="sun")
    await reopened_and_fulfilled_again(h, helper)
    [first] = await entries(h, VOLUNTEER)
    [second] = await entries(h, helper)

    await h.send(WORKER, "/hours @sun", GRID_CHAT)
    record = h.fake.last_to(GRID_CHAT).text
    assert f"#{second.id} " in record and f"#{first.id} " not in record
    assert zh(h, "Micro-wishes fulfilled: {count}", count=1) in record

    await h.send(WORKER, f"/fixhours {second.id} 2.5", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == zh(
        h, "Entry #{number} of {name}, for micro-wish #{wish}, now counts {hours} h; they are "
        "told.", number=second.id, name="Helper Sun", wish=1, hours="2.5")
    assert "micro-wish #1 on Wed, Nov 25: 2 h → 2.5 h" in last(h, helper).text
    assert (await minutes_of(h, VOLUNTEER), await minutes_of(h, helper)) == ([60], [150])
    assert not [t for t in h.fake.texts_to(VOLUNTEER.id) if "corrected" in t]


async def test_logged_service_waits_for_a_social_worker(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    helper = Someone(2001, "Helper Sun", language_code="en")
    await approved(h, helper)

    await h.send(RESIDENT, "/logservice")
    assert "Only active volunteers can log service." in last(h, RESIDENT).text
    await h.send(helper, "/logservice")
    days = last(h, helper)
    assert [b["text"] for b in days.buttons()] == ["Today, Wed, Nov 25", "Yesterday, Tue, Nov 24"]
    await h.send(helper, "2026-11-26")
    assert "in the last 60 days, not in the future" in last(h, helper).text
    await h.send(helper, "yesterday-ish")
    assert "in the last 60 days" in last(h, helper).text
    await h.press_text(helper, days, "Yesterday")
    await h.send(helper, "13")
    assert "Please give the hours as a number" in last(h, helper).text
    await h.send(helper, "2,5")
    await h.send(helper, "x" * 201)
    assert "under 200 characters" in last(h, helper).text
    await h.send(helper, "陪社区老人包饺子")
    assert "Logged 2.5 h." in last(h, helper).text
    [entry] = await entries(h, helper)
    assert (entry.minutes, entry.state, entry.served_on) == (150, ServiceState.PENDING,
                                                             date(2026, 11, 24))

    await h.send(helper, "/myhours")
    mine = last(h, helper).text
    assert "This month: 0 h (and 2.5 h waiting for confirmation)" in mine

    request = last(h, WORKER)
    assert "Helper Sun: 2.5 h on Tue, Nov 24 — 陪社区老人包饺子" in request.text
    await h.press_text(RESIDENT, request, "Confirm")
    assert h.last_alert() == "Only a social worker of that grid can confirm service hours."
    await h.press_text(WORKER, request, "Confirm")
    assert "are confirmed" in last(h, helper).text
    await h.press(WORKER, request, button(request, "Not confirmed"))
    assert h.last_alert() == "Already decided: confirmed."
    await h.send(helper, "/myhours")
    assert "This month: 2.5 h\nThis year: 2.5 h\nIn total: 2.5 h" in last(h, helper).text

    await h.send(helper, "/logservice")
    await h.press_text(helper, last(h, helper), "Today")
    await h.press_text(helper, last(h, helper), "4 h")
    await h.send(helper, "Something I did")
    await h.press_text(WORKER, last(h, WORKER), "Not confirmed")
    assert "were not confirmed" in last(h, helper).text
    await h.send(helper, "/myhours")
    assert "This month: 2.5 h\n" in last(h, helper).text


async def test_myhours_counts_months_and_years_in_the_communitys_time_zone(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    helper = Someone(2001, "Helper Sun", language_code="en")
    await approved(h, helper)
    grid = await grid_id(h)
    # 2026-12-31 23:30 in Shanghai is still 15:30 UTC.
    h.clock.advance(datetime(2026, 12, 31, 15, 30, tzinfo=UTC) - h.clock.now())
    served = [(date(2026, 11, 30), 60), (date(2026, 12, 1), 90), (date(2026, 12, 31), 120)]
    for day, minutes in served:
        logged = await step(h.db, hours.log, helper.id, grid_id=grid, served_on=day,
                            minutes=minutes, description="服务", today=date(2026, 12, 31),
                            now=h.clock.now())
        assert (await step(h.db, hours.decide, logged.entry.id, by=WORKER.id, confirm=True,
                                   now=h.clock.now())).ok

    await h.send(helper, "/myhours")
    assert "This month: 3.5 h\nThis year: 4.5 h\nIn total: 4.5 h" in last(h, helper).text
    h.clock.advance(timedelta(hours=1))  # 00:30 on New Year's Day in Shanghai; UTC: Dec 31
    await h.send(helper, "/myhours")
    assert "This month: 0 h\nThis year: 0 h\nIn total: 4.5 h" in last(h, helper).text


async def test_staff_see_a_volunteers_record_and_correct_it(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    helper = Someone(2001, "Helper Sun", language_code="en", username="sun")
    await approved(h, helper)
    logged = await step(h.db, hours.log, helper.id, grid_id=await grid_id(h),
                             served_on=date(2026, 11, 20), minutes=60, description="义诊引导",
                             today=date(2026, 11, 25), now=h.clock.now())
    number = logged.entry.id

    await h.send(RESIDENT, "/hours @sun", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == zh(h, "Only the staff of this place can do that.")
    await h.send(WORKER, "/hours @sun", GRID_CHAT)
    record = h.fake.last_to(GRID_CHAT).text
    assert f"#{number} " in record and "义诊引导" in record
    assert zh(h, "waiting for confirmation") in record

    await h.send(WORKER, f"/fixhours {number} lots", GRID_CHAT)
    assert "/fixhours" in h.fake.last_to(GRID_CHAT).text
    await h.send(WORKER, f"/fixhours {number} 1.5", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == zh(
        h, "Entry #{number} of {name} now counts {hours} h; they are told.", number=number,
        name="Helper Sun", hours="1.5")
    assert "1 h → 1.5 h" in last(h, helper).text
    [entry] = await entries(h, helper)
    assert entry.minutes == 90


async def log_confirmed(h: Harness, who: Someone, minutes: int, grid: int,
                        day: date = date(2026, 11, 20), description: str = "服务") -> None:
    logged = await step(h.db, hours.log, who.id, grid_id=grid, served_on=day, minutes=minutes,
                             description=description, today=date(2026, 11, 25),
                             now=h.clock.now())
    assert (await step(h.db, hours.decide, logged.entry.id, by=WORKER.id, confirm=True,
                               now=h.clock.now())).ok


async def test_the_honour_roll_goes_to_each_grid_once_a_month(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/bind grid 2 第四网格", OTHER_GRID_CHAT)  # no volunteers there
    grid = await grid_id(h)
    names = ["Ann", "Bo", "Cy", "Di", "Ed", "Fay", "Gus"]
    people = [Someone(4000 + n, name, language_code="en") for n, name in enumerate(names)]
    for who in people:
        await approved(h, who)
    for who, minutes in zip(people, [300, 240, 240, 180, 120, 60, 600], strict=True):
        await log_confirmed(h, who, minutes, grid)
    await log_confirmed(h, people[0], 60, grid, day=date(2026, 10, 31))  # not November
    await h.send(people[6], "/honour off")  # Gus gave most, but prefers not to be named
    assert "stay off the honour roll" in last(h, people[6]).text

    h.clock.advance(datetime(2026, 12, 1, 0, 30, tzinfo=UTC) - h.clock.now())  # 08:30 local
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    assert not [t for t in h.fake.texts_to(GRID_CHAT) if "🏅" in t], "not before 09:00"

    h.clock.advance(timedelta(hours=1))
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    [roll] = [t for t in h.fake.texts_to(GRID_CHAT) if "🏅" in t]
    assert zh(h, "🏅 <b>Honour roll of {grid}, {month}</b>", grid="第三网格",
              month="2026年11月") in roll
    line = "{rank}. {name}: {hours} h, micro-wishes fulfilled: {wishes}"
    expected = [(1, "Ann", "5"), (2, "Bo", "4"), (2, "Cy", "4"), (4, "Di", "3"), (5, "Ed", "2")]
    for rank, name, given in expected:
        assert zh(h, line, rank=rank, name=name, hours=given, wishes=0) in roll
    assert "Fay" not in roll and "Gus" not in roll
    assert zh(h, "Thanks also to {count} more volunteers.", count=2) in roll
    assert zh(h, "Together you gave {hours} hours to our neighbours. Thank you all!",
              hours="29") in roll
    assert not [t for t in h.fake.texts_to(OTHER_GRID_CHAT) if "🏅" in t]

    h.clock.advance(timedelta(days=1))
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    assert len([t for t in h.fake.texts_to(GRID_CHAT) if "🏅" in t]) == 1, "once a month"


async def test_a_roll_missed_in_the_first_week_is_sent_late_and_later_skipped(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    grid = await grid_id(h)
    await approved(h, VOLUNTEER)
    await log_confirmed(h, VOLUNTEER, 60, grid)
    h.clock.advance(datetime(2026, 12, 5, 2, 0, tzinfo=UTC) - h.clock.now())  # down till Dec 5
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    assert len([t for t in h.fake.texts_to(GRID_CHAT) if "🏅" in t]) == 1
    h.clock.advance(datetime(2027, 1, 9, 2, 0, tzinfo=UTC) - h.clock.now())  # down till Jan 9
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    assert len([t for t in h.fake.texts_to(GRID_CHAT) if "🏅" in t]) == 1, "too late: skipped"
