"""Volunteers end to end: sign-up, the staff's decision, standing, and matching pings."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from html import escape

from sqlmodel import select

from bot.links import Purpose
from storage import volunteers
from storage.models import Role, RoleGrant, Volunteer, VolunteerGrid, VolunteerStatus
from tests.fake_telegram import Call
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
    url_button,
)
from tests.test_storage_wishes import step

HELPER = Someone(2001, "Helper Sun", language_code="en", username="sun")
HELPER_ZH = Someone(2002, "孙阿姨", language_code="zh-hant", username="sun_ayi")
OTHER_WORKER = Someone(2003, "Worker Ma", language_code="en", username="worker_ma")


def claimed_in_group(h: Harness) -> str:
    return translate(h, "zh_Hans", "You claimed it! I sent you the contact details privately.")


def last(h: Harness, who: Someone) -> Call:
    return h.fake.last_to(who.id)


async def standing(h: Harness, who: Someone) -> Volunteer | None:
    return await volunteers.get(h.db, who.id)


async def grid_id(h: Harness) -> int:
    from storage import places

    grid = await places.by_chat(h.db, GRID_CHAT)
    assert grid is not None
    return grid.id or 0


async def open_form(h: Harness, who: Someone) -> None:
    """/volunteer in the grid group, then the link's /start in the private chat."""
    await h.send(who, "/volunteer", GRID_CHAT)
    link = url_button(h.fake.last_to(GRID_CHAT))
    payload = link.split("start=")[1]
    assert "/start " + payload == h.start_link(Purpose.VOLUNTEER, await grid_id(h))
    await h.send(who, f"/start {payload}")


async def sign_up(h: Harness, who: Someone, *, skills: tuple[str, ...] = ("Elder care",),
                  days: tuple[str, ...] = ("Wed",),
                  periods: tuple[str, ...] = ("Afternoons",)) -> None:
    """The whole form, answered well, in English."""
    await open_form(h, who)
    await h.send(who, who.name)
    await h.press_text(who, last(h, who), "Skip")
    for skill in skills:
        await h.press_text(who, last(h, who), skill)
    await h.press_text(who, last(h, who), "Next")
    await h.press_text(who, last(h, who), "Next")  # the grid of the link is already ticked
    for choice in (*days, *periods):
        await h.press_text(who, last(h, who), choice)
    await h.press_text(who, last(h, who), "Next")
    await h.press_text(who, last(h, who), "I agree")


async def test_sign_up_goes_to_the_social_worker_and_approval_lets_the_volunteer_claim(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(HELPER, "/start")
    await open_form(h, HELPER)
    assert "Your name" in last(h, HELPER).text

    await h.send(HELPER, "S")
    assert "2 to 40 characters" in last(h, HELPER).text
    await h.send(HELPER, "Sun Li")
    await h.send(HELPER, "call me maybe")
    assert "does not look like a phone number" in last(h, HELPER).text
    await h.send(HELPER, "13900001111")
    assert "How can you help?" in last(h, HELPER).text

    skills = last(h, HELPER)
    await h.press_text(HELPER, skills, "Next")
    assert h.last_alert() == "Please choose at least one."
    await h.send(HELPER, "elder care please")
    assert "tap one of the buttons" in last(h, HELPER).text
    await h.press_text(HELPER, skills, "Elder care")
    await h.press_text(HELPER, skills, "Other")
    assert "✅ Elder care" in [b["text"] for b in
                              h.fake.sent("editMessageReplyMarkup")[-1].buttons()]
    await h.press(HELPER, skills, button(h.fake.sent("editMessageReplyMarkup")[-1], "Next"))
    assert "what else can you do" in last(h, HELPER).text
    await h.send(HELPER, "x" * 101)
    assert last(h, HELPER).text == "Please keep it under 100 characters."
    await h.send(HELPER, "Haircuts")

    grids = last(h, HELPER)
    assert [b["text"] for b in grids.buttons()] == ["✅ 第三网格", "Next", "Cancel"]
    await h.press_text(HELPER, grids, "Next")
    times = last(h, HELPER)
    await h.press_text(HELPER, times, "Next")
    assert h.last_alert() == "Please choose at least one day and one time of day."
    for choice in ("Wed", "Sat", "Afternoons"):
        await h.press_text(HELPER, times, choice)
    await h.press_text(HELPER, times, "Next")
    rules = last(h, HELPER)
    assert "Our volunteer rules" in rules.text
    await h.send(HELPER, "yes")
    assert "tap one of the buttons" in last(h, HELPER).text
    await h.press_text(HELPER, rules, "I agree")
    assert "Your application is with the social workers of 第三网格" in last(h, HELPER).text

    stored = await standing(h, HELPER)
    assert stored is not None and stored.status == VolunteerStatus.APPLIED
    assert (stored.real_name, stored.phone, stored.other_skill) == ("Sun Li", "13900001111",
                                                                    "Haircuts")
    assert stored.skills == ["elder_care", "other"] and stored.days == [2, 5]
    assert stored.periods == ["afternoon"]
    async with h.db.transaction() as session:
        served = (await session.exec(select(VolunteerGrid.grid_id).where(
            VolunteerGrid.person_id == HELPER.id))).all()
    assert served == [await grid_id(h)]

    application = last(h, WORKER)
    assert "A new volunteer application needs your decision." in application.text
    for detail in ("Sun Li", "13900001111", "Elder care, Haircuts", "第三网格",
                   "Wed, Sat; Afternoons (12–18)"):
        assert detail in application.text
    assert "13900001111" not in "".join(h.fake.texts_to(GRID_CHAT))

    await h.press_text(WORKER, application, "Approve")
    assert "You approved the application." in last(h, WORKER).text
    assert "Welcome aboard!" in last(h, HELPER).text
    await h.press_text(WORKER, application, "Approve")
    assert h.last_alert() == "Already decided: the volunteer is active now."
    async with h.db.transaction() as session:
        grants = (await session.exec(select(RoleGrant).where(
            RoleGrant.person_id == HELPER.id))).all()
    assert [(g.place_id, g.role) for g in grants] == [(await grid_id(h), Role.VOLUNTEER)]

    await h.send(RESIDENT, "/wish 帮我换灯泡", GRID_CHAT)
    card = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()][-1]
    await h.press_text(HELPER, card, "🙋")
    assert h.last_alert() == claimed_in_group(h)


async def test_a_stranger_cannot_decide_and_two_deciders_at_once_make_one_decision(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant social_worker {OTHER_WORKER.id}", GRID_CHAT)
    for who in (HELPER, OTHER_WORKER):
        await h.send(who, "/start")
    await sign_up(h, HELPER)
    first, second = last(h, WORKER), last(h, OTHER_WORKER)
    assert "needs your decision" in second.text

    await h.press_text(RESIDENT, first, "Approve")
    assert h.last_alert() == "Only a social worker of the volunteer's grids can decide."
    assert (await standing(h, HELPER)).status == VolunteerStatus.APPLIED

    await asyncio.gather(h.press(WORKER, first, button(first, "Approve")),
                         h.press(OTHER_WORKER, second, button(second, "Approve")))
    assert "Already decided: the volunteer is active now." in h.fake.alerts()
    welcomes = [t for t in h.fake.texts_to(HELPER.id) if "Welcome aboard!" in t]
    assert len(welcomes) == 1


async def test_ask_for_more_then_decline_with_a_reason(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(HELPER, "/start")
    await sign_up(h, HELPER)
    application = last(h, WORKER)

    await h.press_text(WORKER, application, "Ask for more")
    prompt = last(h, WORKER)
    assert "What would you like to ask Helper Sun?" in prompt.text
    await h.send(WORKER, "Have you cared for elders before?")
    assert "Sent." in last(h, WORKER).text
    question = last(h, HELPER)
    assert "Have you cared for elders before?" in question.text
    assert (await standing(h, HELPER)).status == VolunteerStatus.NEEDS_INFO

    await h.press_text(HELPER, question, "Answer")
    await h.send(HELPER, "Yes, my grandmother for five years.")
    assert "I passed your answer on" in last(h, HELPER).text
    again = last(h, WORKER)
    assert "A volunteer answered your question" in again.text
    assert "my grandmother for five years" in again.text
    await h.press_text(HELPER, question, "Answer")
    assert h.last_alert() == "This button is no longer valid."

    await h.press_text(WORKER, again, "Decline")
    await h.send(WORKER, "")
    await h.send(WORKER, "We need volunteers for tutoring only this season.")
    assert "Declined" in last(h, WORKER).text
    told = last(h, HELPER).text
    assert "was not accepted" in told and "tutoring only this season" in told
    assert (await standing(h, HELPER)).status == VolunteerStatus.DECLINED
    await h.press_text(WORKER, application, "Approve")
    assert h.last_alert() == "Already decided: the volunteer is declined now."


async def test_an_interrupted_form_resumes_after_a_restart_and_cancel_saves_nothing(
        harness: Harness, fake, database_url) -> None:
    from bot.app import build
    from tests.conftest import make_settings

    h = harness
    await set_up_grid(h)
    await h.send(HELPER, "/start")
    await open_form(h, HELPER)
    await h.send(HELPER, "Sun Li")
    await h.send(HELPER, "/help")  # off to something else
    await h.app.close()
    h.app = await build(make_settings(fake, database_url), h.clock)  # and the bot restarts

    await h.send(HELPER, "/volunteer")
    assert "where you left off" in h.fake.texts_to(HELPER.id)[-2]
    assert "Your phone number" in last(h, HELPER).text
    await h.send(HELPER, "13900001111")
    await h.press_text(HELPER, last(h, HELPER), "Tutoring")
    await h.press_text(HELPER, last(h, HELPER), "Next")
    grids = last(h, HELPER)
    await h.press_text(HELPER, grids, "第三网格")  # untick the grid of the link
    await h.press(HELPER, grids, button(grids, "Next"))
    assert h.last_alert() == "Please choose at least one."
    await h.send(HELPER, "/cancel")
    assert "Cancelled. Nothing was saved." in last(h, HELPER).text
    assert await standing(h, HELPER) is None
    await h.send(HELPER, "/volunteer")
    assert "Your name" in last(h, HELPER).text, "a new form starts from the beginning"


async def test_the_grid_groups_help_carries_the_sign_up_button(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/help", GRID_CHAT)
    sign_up = "start=" + h.start_link(Purpose.VOLUNTEER, await grid_id(h)).split()[1]
    assert any(str(b.get("url", "")).endswith(sign_up)
               for b in h.fake.last_to(GRID_CHAT).buttons())
    await h.send(RESIDENT, "/help", COMMUNITY_CHAT)
    assert [b.get("url", "").endswith("start=help")
            for b in h.fake.last_to(COMMUNITY_CHAT).buttons()] == [True]


async def test_the_form_speaks_the_applicants_language(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(HELPER_ZH, "/start")
    await h.send(HELPER_ZH, "/volunteer")
    assert last(h, HELPER_ZH).text == translate(
        h, "zh_Hant", "Your name as the community should know it (at most {limit} "
        "characters)?", limit=volunteers.MAX_NAME)


async def test_pause_resume_and_suspension_decide_who_may_claim(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(HELPER, "/start")
    await sign_up(h, HELPER)
    await h.press_text(WORKER, last(h, WORKER), "Approve")

    await h.send(HELPER, "/pause")
    assert "Paused." in last(h, HELPER).text
    await h.send(RESIDENT, "/wish 帮我换灯泡", GRID_CHAT)
    card = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()][-1]
    await h.press_text(HELPER, card, "🙋")
    assert h.last_alert() == translate(
        h, "zh_Hans", "You paused your volunteering. Send me /resume in a private chat first.")
    await h.send(HELPER, "/resume")
    assert "Welcome back!" in last(h, HELPER).text

    def group_sees(msgid: str, **values: object) -> bool:
        return h.fake.last_to(GRID_CHAT).text == escape(translate(h, "zh_Hans", msgid, **values))

    await h.send(WORKER, "/suspend @sun", GRID_CHAT)
    assert group_sees("Usage: /suspend @username|id <reason>, or reply to the volunteer's "
                      "message with /suspend <reason>.")
    await h.send(RESIDENT, "/suspend @sun rude to residents", GRID_CHAT)
    assert group_sees("Only the staff of this place can do that.")
    await h.send(WORKER, "/suspend @sun rude to residents", GRID_CHAT)
    assert group_sees("{name} is suspended and has been told why.", name="Helper Sun")
    assert "suspended: rude to residents" in last(h, HELPER).text
    await h.press_text(HELPER, card, "🙋")
    assert h.last_alert() == translate(
        h, "zh_Hans", "Your volunteer service is suspended, so you cannot claim. Please talk "
        "to your social worker.")
    await h.send(HELPER, "/resume")
    assert "suspended: rude to residents" in last(h, HELPER).text

    await h.send(WORKER, "/volunteers", GRID_CHAT)
    roll = h.fake.last_to(GRID_CHAT).text
    assert translate(h, "zh_Hans", "• {name} ({status}): {skills}; {grids}", name="Helper Sun",
                     status=translate(h, "zh_Hans", "suspended"),
                     skills=translate(h, "zh_Hans", "Elder care"), grids="第三网格") in roll

    await h.send(WORKER, "/reinstate @sun", GRID_CHAT)
    assert "active again" in last(h, HELPER).text
    await h.press_text(HELPER, card, "🙋")
    assert h.last_alert() == claimed_in_group(h)


async def approved(h: Harness, who: Someone, *, skills: list[str], days: list[int],
                   periods: list[str], pings: bool = True) -> None:
    """A volunteer already approved for the grid (the sign-up itself is tested above)."""
    await h.send(who, "/start")
    application = volunteers.Application(
        real_name=who.name, phone=None, skills=skills, other_skill=None,
        grid_ids=[await grid_id(h)], days=days, periods=periods)
    now = h.clock.now()
    await step(h.db, volunteers.apply, who.id, application, now=now)
    assert (await step(h.db, volunteers.approve, who.id, by=WORKER.id, now=now)).ok
    if not pings:
        await h.send(who, "/pings off")


def pings_to(h: Harness, who: Someone) -> list[str]:
    return [t for t in h.fake.texts_to(who.id) if "suits your skills" in t]


async def form_wish(h: Harness, category: str, text: str) -> None:
    """A resident's wish of one category, through the private form."""
    await h.open_link(RESIDENT, Purpose.WISH_FORM, await grid_id(h))
    await h.press_text(RESIDENT, last(h, RESIDENT), category)
    await h.send(RESIDENT, text)
    await h.press_text(RESIDENT, last(h, RESIDENT), "Not urgent")
    await h.press_text(RESIDENT, last(h, RESIDENT), "Skip")
    await h.press_text(RESIDENT, last(h, RESIDENT), "Skip")
    await h.press_text(RESIDENT, last(h, RESIDENT), "Submit")


async def test_new_wishes_are_pinged_to_matching_free_volunteers_within_a_daily_cap(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    # START is a Wednesday (weekday 2), 14:00 in Shanghai.
    carer = Someone(3001, "Carer", language_code="en")
    tutor = Someone(3002, "Tutor", language_code="en")
    night_owl = Someone(3003, "Night owl", language_code="en")
    weekender = Someone(3004, "Weekender", language_code="en")
    quiet = Someone(3005, "Quiet", language_code="en")
    await approved(h, carer, skills=["elder_care"], days=[2], periods=["afternoon"])
    await approved(h, tutor, skills=["tutoring"], days=[2], periods=["afternoon"])
    await approved(h, night_owl, skills=["elder_care"], days=[2], periods=["evening"])
    await approved(h, weekender, skills=["elder_care"], days=[5, 6], periods=["afternoon"])
    await approved(h, quiet, skills=["elder_care"], days=[2], periods=["afternoon"],
                   pings=False)
    await h.send(ADMIN, "/set volunteer_pings_per_day 2", COMMUNITY_CHAT)

    await form_wish(h, "Elderly care", "想找人陪老人去医院复查，电话13812345678")
    assert len(pings_to(h, carer)) == 1
    ping = last(h, carer)
    assert "想找人陪老人去医院复查" in ping.text and "13812345678" not in ping.text
    for nobody in (tutor, night_owl, weekender, quiet):
        assert pings_to(h, nobody) == [], nobody.name

    await form_wish(h, "Learning", "孩子的数学作业需要辅导")
    assert len(pings_to(h, tutor)) == 1 and len(pings_to(h, carer)) == 1

    await h.send(RESIDENT, "/wish 帮忙取药", GRID_CHAT)  # "other": any skill will do
    await h.send(RESIDENT, "/wish 帮忙买菜", GRID_CHAT)
    assert len(pings_to(h, carer)) == 2, "two a day at most"
    assert len(pings_to(h, tutor)) == 2

    await h.press_text(carer, ping, "Claim")
    assert "You claimed it!" in h.last_alert()

    h.clock.advance(timedelta(days=7))  # next Wednesday afternoon: a new day, a new count
    await h.send(RESIDENT, "/wish 帮忙修水管", GRID_CHAT)
    assert len(pings_to(h, carer)) == 3
    assert pings_to(h, quiet) == []
