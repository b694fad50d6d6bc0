"""Say it precisely, once: /duty in a grid group, where an escalation went, one message per
wish per step in the community chat, who did what (you, or them by name), plain words for past
wishes, one name per person; and a rating an elderly resident answers at a glance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.jobs import sweep_once
from bot.links import Purpose
from storage import people, wishes
from storage.models import Volunteer, WishState
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
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

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
LOCALES = list(LANGUAGE_NAMES)
BACKUP = Someone(1010, "Backup Sun", language_code="en", username="sun")
RESIDENTS = {"zh_Hans": Someone(1020, "王阿姨", language_code="zh-hans"),
             "zh_Hant": Someone(1021, "陳太", language_code="zh-hant"),
             "en": RESIDENT}
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


async def sweep(h: Harness) -> dict[str, int]:
    done = await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    return done


async def speaking(h: Harness, chat_id: int, locale: str) -> None:
    await h.send(ADMIN, "/lang", chat_id)
    menu = h.fake.last_to(chat_id)
    await h.press(ADMIN, menu, button(menu, LANGUAGE_NAMES[locale]))


async def with_roster(h: Harness) -> None:
    """Li on post A and Sun on post B on Wednesdays (the harness's first day)."""
    await h.send(BACKUP, "/start")
    await h.send(ADMIN, f"/grant social_worker {BACKUP.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/duty_set 3 A {WORKER.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/duty_set 3 B {BACKUP.id}", COMMUNITY_CHAT)


# --- /duty in a grid group: one line, and the way to ask ------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
async def test_duty_in_a_grid_group_is_one_line_with_a_button_to_ask(harness: Harness,
                                                                     locale: str) -> None:
    h = harness
    await set_up_grid(h)
    await speaking(h, GRID_CHAT, locale)
    await with_roster(h)
    h.fake.clear()
    await h.send(RESIDENT, "/duty", GRID_CHAT)
    answer = h.fake.last_to(GRID_CHAT)
    assert answer.text == translate(h, locale, "On duty today: post A {a}, post B {b}.",
                                    a=WORKER.name, b=BACKUP.name)
    [ask] = answer.buttons()
    assert ask["text"] == translate(h, locale, "❓ Ask the worker on duty")
    assert ask["url"].endswith(h.start_link(Purpose.ASK, 3).removeprefix("/start "))
    assert not h.fake.sent("sendMessage", RESIDENT.id), "residents get no roster"

    await h.send(WORKER, "/duty", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == answer.text
    roster = h.fake.last_to(WORKER.id).text  # staff get the whole roster privately, in English
    assert "Post A: Worker Li" in roster and "Post B (backup): Backup Sun" in roster
    assert "Wednesday · B · Backup Sun" in roster


async def test_duty_says_nobody_when_the_roster_is_empty(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/duty", GRID_CHAT)
    nobody = translate(h, "zh_Hans", "nobody")
    assert h.fake.last_to(GRID_CHAT).text == translate(
        h, "zh_Hans", "On duty today: post A {a}, post B {b}.", a=nobody, b=nobody)


# --- escalations: where the wish went, and one message per wish per step ------------------

@pytest.mark.parametrize("locale", LOCALES)
async def test_each_escalation_page_says_where_the_wish_went(harness: Harness,
                                                              locale: str) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(WORKER, "/lang")
    await h.press(WORKER, h.fake.last_to(WORKER.id), button(h.fake.last_to(WORKER.id),
                                                            LANGUAGE_NAMES[locale]))
    for weekday in range(1, 8):
        await h.send(ADMIN, f"/duty_set {weekday} A {WORKER.id}", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/wish 帮忙搬一下旧家具", GRID_CHAT)
    h.fake.clear()
    h.clock.advance(49 * HOUR)
    await sweep(h)
    up = translate(h, locale, "🔔 Nobody in “{grid}” took micro-wish #{id} in time, so it was "
                   "passed to the community. Please see that it is taken on.",
                   grid="第三网格", id=1)
    assert h.fake.last_to(WORKER.id).text.startswith(up)
    h.clock.advance(169 * HOUR)
    await sweep(h)
    street = translate(h, locale, "🔔 Micro-wish #{id} of “{grid}” was not taken on in the "
                       "community in time, so it was passed to the street office.",
                       grid="第三网格", id=1)
    assert h.fake.last_to(WORKER.id).text.startswith(street)


async def test_the_community_chat_gets_one_message_per_wish_per_step(harness: Harness) -> None:
    """Nobody on the roster on Friday: four wishes passed up and a risk page passed on, in one
    sweep, are five messages in the community chat (four cards; the page, which does not
    repeat the wish), none with the contact details."""
    h = harness
    await set_up_grid(h)
    await with_roster(h)
    await h.send(RESIDENT, "/wish 楼下王奶奶独居，今天摔倒了起不来", GRID_CHAT)
    for n in range(3):
        await h.send(RESIDENT, f"/wish 帮忙搬一下旧家具{n}", GRID_CHAT)
    h.clock.advance(16 * MINUTE)
    await sweep(h)  # the risk page goes to post B
    h.fake.clear()
    h.clock.advance(49 * HOUR)  # Friday: nobody on duty
    await sweep(h)
    sent = h.fake.sent("sendMessage", COMMUNITY_CHAT)
    about = [[n for n in range(1, 5) if f"#{n}" in c.text] for c in sent]
    assert sorted(about) == [[1], [1], [2], [3], [4]], "one message per wish per step"
    [page] = [c for c in sent if any("📇" in b["text"] for b in c.buttons())]  # Acknowledge, 📇
    assert "王奶奶" not in page.text, "its card, just above, tells the wish"
    assert not any(translate(h, "zh_Hans", "Contact phone: {phone}", phone="")[:4] in c.text
                   for c in sent)



# --- who did what: "you" to them, their name to the others ---------------------------------

async def test_an_approval_says_you_privately_and_the_name_in_the_community_chat(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set verify on", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/wish 帮忙修一下水龙头", GRID_CHAT)
    request = h.fake.last_to(WORKER.id)
    await h.press_text(WORKER, request, "Approve")
    assert h.fake.last_to(WORKER.id).text == \
        "You approved it; it is now posted in the grid group."

    await people.mark_unreachable(h.db, WORKER.id)  # Li blocked the bot meanwhile
    await h.send(RESIDENT, "/wish 帮忙修一下门锁", GRID_CHAT)
    in_chat = next(c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT) if "门锁" in c.text)
    await h.press_text(WORKER, in_chat, translate(h, "zh_Hans", "Approve"))
    assert h.fake.last_to(COMMUNITY_CHAT).text == translate(
        h, "zh_Hans", "Approved by {name}; it is now posted in the grid group.",
        name=WORKER.name)


# --- /mywishes: plain words for past wishes -------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
async def test_past_wishes_are_listed_with_their_state_in_plain_words(harness: Harness,
                                                                      locale: str) -> None:
    h = harness
    await set_up_grid(h)
    resident = RESIDENTS[locale]
    await h.send(resident, "/start")
    await h.send(resident, "/wish 帮我买点米", GRID_CHAT)
    await h.send(resident, "/wish 帮我修灯", GRID_CHAT)
    await h.send(resident, "/mywishes")
    second = next(c for c in h.fake.sent("sendMessage", resident.id) if "帮我修灯" in c.text)
    await h.press_text(resident, second, translate(h, locale, "Withdraw"))
    await h.send(resident, "/mywishes")
    earlier = h.fake.last_to(resident.id).text
    assert earlier == "\n".join([translate(h, locale, "<b>Earlier micro-wishes</b>"),
                                 f"#2 帮我修灯 · {translate(h, locale, 'withdrawn')}"])


# --- one name per person --------------------------------------------------------------------

async def test_a_volunteer_is_called_by_the_name_they_signed_up_with_everywhere(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    async with h.db.transaction() as session:  # the name given in the sign-up form
        await session.exec(update(Volunteer).where(Volunteer.person_id == VOLUNTEER.id)
                           .values(real_name="陈小明"))
    await h.send(RESIDENT, "/wish 帮我去超市买米和油", GRID_CHAT)
    card = h.fake.last_to(GRID_CHAT)
    await h.press_text(VOLUNTEER, card, "🙋")
    assert translate(h, "zh_Hans", "Claimed by {name}", name="陈小明") in \
        h.fake.message(GRID_CHAT, card.message_id)["text"]
    assert any("陈小明 has claimed your micro-wish #1" in t
               for t in h.fake.texts_to(RESIDENT.id))
    await h.send(ADMIN, "/people", COMMUNITY_CHAT)
    assert "陈小明" in h.fake.last_to(COMMUNITY_CHAT).text
    assert VOLUNTEER.name not in h.fake.last_to(COMMUNITY_CHAT).text


# --- the rating: three worded answers first, stars if one likes -----------------------------

async def fulfilled_for(h: Harness, resident: Someone) -> Call:
    await h.send(resident, "/start")
    await h.send(resident, "/wish 帮我去超市买米和油", GRID_CHAT)
    await h.press_text(VOLUNTEER, h.fake.last_to(GRID_CHAT), "🙋")
    await h.press_text(VOLUNTEER, h.fake.last_to(VOLUNTEER.id), "Mark fulfilled")
    return h.fake.last_to(resident.id)


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_elderly_resident_rates_with_three_worded_buttons(harness: Harness,
                                                                    locale: str) -> None:
    h = harness
    await set_up_grid(h)
    resident = RESIDENTS[locale]
    ask = await fulfilled_for(h, resident)

    def said(msgid: str, **values: object) -> str:
        return translate(h, locale, msgid, **values)

    assert ask.text.split("\n\n")[0] == said(
        "{name} says your micro-wish #{id} is done. Is it solved?", name=VOLUNTEER.name, id=1)
    rows = ask.params["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [
        [said("Solved")], [said("Partly solved")], [said("Not solved")],
        ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]]

    await h.press_text(resident, ask, said("Partly solved"))
    assert h.fake.sent("editMessageText", resident.id)[-1].text == said(
        "Thank you! You said it is {solved}.", solved=said("partly solved"))
    rating = await wishes.rating_of(h.db, 1)
    assert rating is not None and rating.score == 3
    assert h.fake.last_to(VOLUNTEER.id).text == \
        "The resident says micro-wish #1 is partly solved (3 of 5)."
    wish = await wishes.get(h.db, 1)
    assert wish is not None and wish.state == WishState.CLOSED


async def test_not_solved_reopens_and_stars_still_work(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    ask = await fulfilled_for(h, RESIDENT)
    await h.press_text(RESIDENT, ask, "Not solved")
    wish = await wishes.get(h.db, 1)
    assert wish is not None and (wish.state, wish.follow_up) == (WishState.OPEN, True)

    second = Someone(1030, "Resident Sun", language_code="en")
    ask = await fulfilled_for(h, second)
    await h.press_text(second, ask, "4⭐")
    assert h.fake.sent("editMessageText", second.id)[-1].text == \
        "Thank you! You said it is solved."
    assert (await wishes.rating_of(h.db, 2)).score == 4
