"""Risk handled as a social worker would, end to end: a risk alert is posted as the help it
needs, its resident is told at once that the worker on duty knows and what to do in an
emergency, and an ordinary wish that names a person at risk raises no alarm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.jobs import sweep_once
from storage import wishes
from storage.models import Category, Page, PageKind, WishState
from storage.sweeps import Step
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)

MINUTE = timedelta(minutes=1)

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
AT_RISK = {"zh_Hans": "楼下王奶奶独居，今天摔倒了起不来",
           "zh_Hant": "樓下王奶奶獨居，今天摔倒了起不來",
           "en": "Grandma Wang downstairs lives alone and fell today, she cannot get up"}
REASON = {"zh_Hans": "奶奶 · 摔倒", "zh_Hant": "奶奶 · 摔倒", "en": "grandma · fell"}
ORDINARY = {"zh_Hans": "独居老人家里的热水器坏了，想请人帮忙看看",
            "zh_Hant": "獨居長者家裡的熱水器壞了，想請人幫忙看看",
            "en": "The water heater of an elderly man who lives alone is broken"}
ALERTED = ("⚠️ I have alerted the social worker on duty. If a life is in danger, call 120 "
           "(ambulance) or 110 (police) now.")


async def grid_speaking(h: Harness, locale: str) -> None:
    """The grid group in ``locale``, and Li on post A today (Wednesday)."""
    await set_up_grid(h)
    await h.send(ADMIN, "/lang", GRID_CHAT)
    menu = h.fake.last_to(GRID_CHAT)
    await h.press(ADMIN, menu, button(menu, LANGUAGE_NAMES[locale]))
    await h.send(ADMIN, f"/duty_set 3 A {WORKER.id}", COMMUNITY_CHAT)
    h.fake.clear()


async def pages(h: Harness) -> list[Page]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(Page))).all())


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
async def test_a_risk_alert_is_elderly_care_and_its_resident_is_told_at_once(
        harness: Harness, locale: str) -> None:
    h = harness
    await grid_speaking(h, locale)
    await h.send(RESIDENT, f"/wish {AT_RISK[locale]}", GRID_CHAT)

    def said(msgid: str, **values: object) -> str:
        return translate(h, locale, msgid, **values)

    in_group = h.fake.texts_to(GRID_CHAT)
    assert said(ALERTED) in in_group, "the resident is told in the group, where they wrote"
    [card] = [text for text in in_group if AT_RISK[locale] in text]
    headline = said("Micro-wish #{id} · {category}", id=1, category=said("Elderly care"))
    assert f"⚠️ {headline} · {said('Risk alert')}" in card
    assert said("Status: {status}", status=said(
        "Open: the social worker on duty has been alerted")) in card
    page = h.fake.last_to(WORKER.id).text  # Li reads English
    assert (f"⚠️ Risk alert: micro-wish #1 in “第三网格” may need help at once "
            f"({REASON[locale]}).") in page
    assert "Acknowledging takes the micro-wish on" in page
    wish = await wishes.get(h.db, 1)
    assert wish is not None
    assert (wish.category, wish.risk) == (Category.ELDERLY, REASON[locale])
    assert [p.kind for p in await pages(h)] == [PageKind.RISK]


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
async def test_an_ordinary_wish_naming_someone_alone_raises_no_alarm(
        harness: Harness, locale: str) -> None:
    h = harness
    await grid_speaking(h, locale)
    await h.send(RESIDENT, f"/wish {ORDINARY[locale]}", GRID_CHAT)
    [card] = h.fake.texts_to(GRID_CHAT)
    assert translate(h, locale, "Open: waiting for a volunteer") in card
    headline = translate(h, locale, "Micro-wish #{id} · {category}", id=1,
                         category=translate(h, locale, "Other"))
    assert f"🎯 {headline}" in card
    assert not h.fake.sent("sendMessage", WORKER.id)
    assert await pages(h) == []


async def test_when_nobody_on_duty_can_be_reached_the_resident_is_told_so(
        harness: Harness) -> None:
    """No roster today and no community chat: the resident is not told that anyone knows."""
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/unbind", COMMUNITY_CHAT)
    h.fake.clear()
    await h.send(RESIDENT, "/wish 隔壁独居的张阿婆好几天没出门了，敲门也没人应", GRID_CHAT)
    in_group = h.fake.texts_to(GRID_CHAT)
    assert translate(h, "zh_Hans", ALERTED) not in in_group
    assert translate(h, "zh_Hans", (
        "⚠️ Nobody on duty can be reached through me right now. If a life is in danger, call "
        "120 (ambulance) or 110 (police) now; otherwise please phone your community office."
    )) in in_group


async def test_an_urgent_wish_from_the_private_form_tells_its_resident_at_once(
        harness: Harness) -> None:
    h = harness
    await grid_speaking(h, "zh_Hans")
    await h.send(RESIDENT, "/wish", GRID_CHAT)
    await h.send(RESIDENT, "/start " + h.fake.last_to(GRID_CHAT).buttons()[0]["url"]
                 .split("start=")[1])
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Daily life")
    await h.send(RESIDENT, "家里的药吃完了，需要有人帮忙去医院开药")
    for label in ("Urgent", "Skip", "Skip", "Submit"):
        await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), label)
    told = h.fake.last_to(RESIDENT.id).text
    assert told.startswith(translate(h, "en", ALERTED))  # Zhang reads English
    assert "Urgent micro-wish #1" in h.fake.last_to(WORKER.id).text


# --- acknowledging a page takes the wish on ------------------------------------------------

BACKUP = Someone(1010, "Backup Sun", language_code="en", username="sun")
CADRE = Someone(1011, "Cadre Zhou", language_code="en", username="zhou")
HOUR = timedelta(hours=1)
RESIDENTS = {"zh_Hans": Someone(1020, "王阿姨", language_code="zh-hans"),
             "zh_Hant": Someone(1021, "陳太", language_code="zh-hant"),
             "en": RESIDENT}


async def sweep(h: Harness) -> dict[str, int]:
    done = await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    return done


async def with_backup(h: Harness) -> None:
    await h.send(BACKUP, "/start")
    await h.send(ADMIN, f"/grant social_worker {BACKUP.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/duty_set 3 B {BACKUP.id}", COMMUNITY_CHAT)
    h.fake.clear()


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
async def test_acknowledging_a_risk_page_takes_the_wish_on(harness: Harness,
                                                            locale: str) -> None:
    h = harness
    await grid_speaking(h, "zh_Hans")
    resident = RESIDENTS[locale]
    await h.send(resident, "/start")
    await h.send(resident, f"/wish {AT_RISK[locale]}", GRID_CHAT)
    [card] = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if AT_RISK[locale] in c.text]
    page = h.fake.last_to(WORKER.id)
    h.fake.clear()

    await h.press_text(WORKER, page, "Acknowledge")
    [answer] = h.fake.sent("answerCallbackQuery")
    assert answer.params["text"] == ("You took on micro-wish #1; its resident has been told "
                                     "who follows it up.")
    assert not answer.params.get("show_alert"), "a toast, not an alert"
    assert "reply_markup" not in h.fake.message(WORKER.id, page.message_id)
    details = h.fake.last_to(WORKER.id)
    assert details.text.startswith("You took on this micro-wish.")
    assert AT_RISK[locale] in details.text and button(details, "Mark fulfilled")
    told = h.fake.last_to(resident.id).text
    assert told.startswith(translate(
        h, locale, "Good news: {name} has taken on your micro-wish #{id} and will contact you.",
        name=WORKER.name, id=1))
    shown = h.fake.message(GRID_CHAT, card.message_id)
    assert translate(h, "zh_Hans", "Taken on by {name}", name=WORKER.name) in shown["text"]
    assert "reply_markup" not in shown, "nobody claims it now"

    wish = await wishes.get(h.db, 1)
    assert wish is not None
    assert (wish.state, wish.claimer_id, wish.taken_on) == (WishState.CLAIMED, WORKER.id, True)
    assert wish.claim_release_at is None, "a social worker's case is not released by the clock"
    h.clock.advance(24 * HOUR)
    done = await sweep(h)
    assert (done["pages_passed_on"], done[Step.REMIND_CLAIMER]) == (0, 1)
    assert h.fake.last_to(WORKER.id).text.startswith(
        "Time to follow up micro-wish #1, which you took on: how is the resident now?")
    h.clock.advance(48 * HOUR)
    assert (await sweep(h))[Step.TO_COMMUNITY] == 0, "it climbs no further"
    assert not h.fake.sent("sendMessage", BACKUP.id)


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
async def test_who_was_paged_before_hears_who_took_it_on(harness: Harness, locale: str) -> None:
    """A → B → community chat; acknowledged in the chat: the chat reads who has it, in its
    language and in the third person, and posts A and B are told privately."""
    h = harness
    await grid_speaking(h, "zh_Hans")
    await with_backup(h)
    await h.send(ADMIN, "/lang", COMMUNITY_CHAT)
    menu = h.fake.last_to(COMMUNITY_CHAT)
    await h.press(ADMIN, menu, button(menu, LANGUAGE_NAMES[locale]))
    await h.send(RESIDENT, f"/wish {AT_RISK['zh_Hans']}", GRID_CHAT)
    h.clock.advance(16 * MINUTE)
    await sweep(h)
    h.clock.advance(16 * MINUTE)
    await sweep(h)
    in_chat = h.fake.last_to(COMMUNITY_CHAT)
    assert button(in_chat, "📇") and "Contact phone" not in in_chat.text
    h.fake.clear()

    await h.press(WORKER, in_chat, button(in_chat, "✅"))
    said = translate(h, locale, "{name} has acknowledged the page about micro-wish #{id} and "
                     "taken it on.", name=WORKER.name, id=1)
    assert h.fake.texts_to(COMMUNITY_CHAT) == [said]
    assert h.fake.texts_to(BACKUP.id) == [
        f"{WORKER.name} has acknowledged the page about micro-wish #1 and taken it on."]
    assert h.fake.last_to(WORKER.id).text.startswith("You took on this micro-wish.")
    assert len(h.fake.texts_to(WORKER.id)) == 1, "not told they did it: the details come"

    await h.press(BACKUP, in_chat, button(in_chat, "✅"))
    assert h.last_alert() == translate(h, locale, "{name} has already acknowledged this.",
                                       name=WORKER.name)


async def test_a_cadre_acknowledges_without_taking_the_wish_on(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)  # nobody on duty: the page goes to the community chat
    await h.send(CADRE, "/start")
    await h.send(ADMIN, f"/grant cadre {CADRE.id}", COMMUNITY_CHAT)
    h.fake.clear()
    await h.send(RESIDENT, "/wish 楼下王奶奶独居，今天摔倒了起不来", GRID_CHAT)
    page = h.fake.last_to(COMMUNITY_CHAT)
    await h.press(CADRE, page, button(page, "✅"))
    assert h.fake.last_to(COMMUNITY_CHAT).text == translate(
        h, "zh_Hans", "{name} has acknowledged the page about micro-wish #{id}.",
        name=CADRE.name, id=1)
    wish = await wishes.get(h.db, 1)
    assert wish is not None and wish.state == WishState.OPEN and not wish.taken_on


async def test_a_risk_wish_waiting_for_verification_is_taken_on_without_going_public(
        harness: Harness) -> None:
    h = harness
    await grid_speaking(h, "zh_Hans")
    await h.send(ADMIN, "/set verify on", COMMUNITY_CHAT)
    h.fake.clear()
    await h.send(RESIDENT, "/wish 楼下王奶奶独居，今天摔倒了起不来", GRID_CHAT)
    page = next(c for c in h.fake.sent("sendMessage", WORKER.id) if "Risk alert" in c.text)
    await h.press_text(WORKER, page, "Acknowledge")
    wish = await wishes.get(h.db, 1)
    assert wish is not None and (wish.state, wish.claimer_id) == (WishState.CLAIMED, WORKER.id)
    assert not [t for t in h.fake.texts_to(GRID_CHAT) if "王奶奶" in t], "never posted"


async def test_taking_an_escalated_wish_on_answers_its_page(harness: Harness) -> None:
    h = harness
    await grid_speaking(h, "zh_Hans")
    await h.send(ADMIN, f"/duty_set 5 A {WORKER.id}", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/wish 帮忙搬一下旧家具", GRID_CHAT)
    h.clock.advance(49 * HOUR)  # Friday 15:00: Li on post A
    await sweep(h)
    [card] = [c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT) if "旧家具" in c.text]
    await h.press(WORKER, card, button(card, "🤝"))
    [page] = await pages(h)
    assert (page.kind, page.acknowledged_by) == (PageKind.ESCALATION, WORKER.id)
    assert translate(h, "zh_Hans", "Taken on by {name}", name=WORKER.name) in \
        h.fake.message(COMMUNITY_CHAT, card.message_id)["text"]
    h.clock.advance(HOUR)
    assert (await sweep(h))["pages_passed_on"] == 0



# --- /riskwords: the signs, and a community's own words ------------------------------------

@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
async def test_riskwords_lists_the_signs_in_the_chats_language(harness: Harness,
                                                               locale: str) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/lang", COMMUNITY_CHAT)
    menu = h.fake.last_to(COMMUNITY_CHAT)
    await h.press(ADMIN, menu, button(menu, LANGUAGE_NAMES[locale]))
    await h.send(RESIDENT, "/riskwords", COMMUNITY_CHAT)
    listed = h.fake.last_to(COMMUNITY_CHAT).text
    assert listed.startswith(translate(
        h, locale, "<b>Risk words</b>: a micro-wish pages the worker on duty at once when it "
        "tells of"))
    words = {"zh_Hans": ("独居", "摔倒", "起不来", "煤气"), "zh_Hant": ("獨居", "瓦斯", "起不來"),
             "en": ("alone", "fell", "cannot get up", "gas")}[locale]
    assert all(word in listed for word in words)
    assert translate(h, locale, "• a fall and cannot get up, whoever it is;") in listed


async def test_a_community_adds_its_own_words_and_switches_a_built_in_one_off(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/riskwords 添加 煤气罐漏了", COMMUNITY_CHAT)
    assert "• 煤气罐漏了" in h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(ADMIN, "/riskwords remove 冒烟", COMMUNITY_CHAT)
    assert translate(h, "zh_Hans", "<b>Switched off here:</b> {words}", words="冒烟") in \
        h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(ADMIN, "/riskwords remove 停水", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == translate(
        h, "zh_Hans", "“{word}” is not a risk word here.", word="停水")
    await h.send(RESIDENT, "/riskwords remove 摔倒", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == translate(
        h, "zh_Hans", "Only an admin of this place can do that.")

    await h.send(RESIDENT, "/wish 厨房的煤气罐漏了", GRID_CHAT)
    await h.send(RESIDENT, "/wish 抽油烟机在冒烟，想请师傅看看", GRID_CHAT)
    await h.send(RESIDENT, "/wish 楼下王奶奶独居，今天摔倒了起不来", GRID_CHAT)
    risks = [(w.id, w.risk) for w in [await wishes.get(h.db, n) for n in (1, 2, 3)] if w]
    assert risks == [(1, "煤气罐漏了"), (2, None), (3, "奶奶 · 摔倒")]
