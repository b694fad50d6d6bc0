"""Risk handled as a social worker would, end to end: a risk alert is posted as the help it
needs, its resident is told at once that the worker on duty knows and what to do in an
emergency, and an ordinary wish that names a person at risk raises no alarm."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage import wishes
from storage.models import Category, Page, PageKind
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    WORKER,
    Harness,
    button,
    set_up_grid,
    translate,
)

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
