"""Authority end to end: each way in that an outsider found before authority was one function
(usecases.authority), and links the bot hands out, which nobody can make up."""

from __future__ import annotations

from html import escape

from bot import links
from bot.links import Purpose
from storage import duty, people, volunteers
from storage.calendar import local_day
from storage.models import DutyPost, VolunteerStatus
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    set_up_grid,
    translate,
)

OTHER_COMMUNITY_CHAT, OTHER_GRID_CHAT = -1004, -1005
OUTSIDER = Someone(1020, "Worker Outside", language_code="en", username="outsider")
REFUSED_LINK = ("This link does not work: it was changed, or it was made for someone else. "
                "Please use the buttons I sent you, or send the command in your group again.")


def zh(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "zh_Hans", msgid, **values)


async def another_community(h: Harness) -> None:
    """和平社区 beside ours in the same street, with its own social worker."""
    await h.send(ADMIN, "/bind community 1 和平社区", OTHER_COMMUNITY_CHAT)
    await h.send(ADMIN, "/bind grid 4 第一网格", OTHER_GRID_CHAT)
    await h.send(OUTSIDER, "/start")
    await h.send(ADMIN, f"/grant social_worker {OUTSIDER.id}", OTHER_COMMUNITY_CHAT)
    h.fake.clear()


async def test_a_social_worker_of_another_community_cannot_suspend_our_volunteer(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await another_community(h)
    await h.send(OUTSIDER, f"/suspend {VOLUNTEER.id} 不认真", OTHER_GRID_CHAT)
    assert h.fake.last_to(OTHER_GRID_CHAT).text == zh(
        h, "Only a social worker or an admin of a grid that {name} serves can do that.",
        name=VOLUNTEER.name)
    standing = await volunteers.get(h.db, VOLUNTEER.id)
    assert standing is not None and standing.status == VolunteerStatus.APPROVED
    assert not h.fake.sent("sendMessage", VOLUNTEER.id), "told nothing of an outsider's reason"

    await h.send(WORKER, f"/suspend {VOLUNTEER.id} 多次爽约", GRID_CHAT)
    standing = await volunteers.get(h.db, VOLUNTEER.id)
    assert standing is not None and standing.status == VolunteerStatus.SUSPENDED
    await h.send(OUTSIDER, f"/reinstate {VOLUNTEER.id}", OTHER_GRID_CHAT)
    standing = await volunteers.get(h.db, VOLUNTEER.id)
    assert standing is not None and standing.status == VolunteerStatus.SUSPENDED


async def test_a_granted_volunteer_may_pause_log_and_be_suspended(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)  # VOLUNTEER was made one with /grant volunteer
    await h.send(VOLUNTEER, "/pause")
    assert "Paused." in h.fake.last_to(VOLUNTEER.id).text
    await h.send(VOLUNTEER, "/resume")
    await h.send(VOLUNTEER, "/pings off")
    await h.send(VOLUNTEER, "/honour off")
    assert "stay off the honour roll" in h.fake.last_to(VOLUNTEER.id).text
    await h.send(VOLUNTEER, "/logservice")
    assert "Only active volunteers" not in h.fake.last_to(VOLUNTEER.id).text
    await h.send(VOLUNTEER, "/cancel")
    await h.send(WORKER, f"/suspend {VOLUNTEER.id} 多次爽约", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == zh(
        h, "{name} is suspended and has been told why.", name=VOLUNTEER.name)


async def test_only_a_social_worker_of_the_community_can_be_put_on_duty(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await another_community(h)
    for someone in (RESIDENT, OUTSIDER):
        await h.send(ADMIN, f"/duty_set 3 A {someone.id}", COMMUNITY_CHAT)
        assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
            h, "{name} is not a social worker of this community, so they cannot be put on "
            "duty: pages carry residents' contact details. Grant the role first with /grant "
            "social_worker.", name=escape(someone.name))
    async with h.db.transaction() as session:
        assert await duty.on_duty(session, 2, local_day(h.clock.now(), "Asia/Shanghai")) == {}
    await h.send(ADMIN, f"/duty_set 3 A {WORKER.id}", COMMUNITY_CHAT)
    async with h.db.transaction() as session:
        posts = await duty.on_duty(session, 2, local_day(h.clock.now(), "Asia/Shanghai"))
    assert posts == {DutyPost.A: WORKER.id}


async def test_a_username_names_whoever_showed_it_last(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    old = Someone(1030, "Old Holder", language_code="en", username="lee")
    new = Someone(1031, "New Holder", language_code="en", username="lee")
    await h.send(old, "/start")
    await h.send(new, "/start")  # the old holder gave the name up; Telegram gave it to new
    await h.send(ADMIN, "/grant cadre @lee", COMMUNITY_CHAT)
    assert "New Holder" in h.fake.last_to(COMMUNITY_CHAT).text
    old_person = await people.get(h.db, old.id)
    assert old_person is not None and old_person.username is None


async def test_forged_altered_and_someone_elses_links_are_refused(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await another_community(h)
    genuine = links.payload(h.app.bot, Purpose.WISH_FORM, 3)
    forged = [
        "wish_3",  # the unsigned form that every earlier link had
        "wish_4_" + genuine.rsplit("_", 1)[1],  # another grid with this grid's signature
        genuine[:-1] + ("A" if genuine[-1] != "A" else "B"),  # one character changed
        "topic_1",
        links.payload(h.app.bot, Purpose.TASK, 1, VOLUNTEER.id),  # the claimer's own link
        links.payload(h.app.bot, Purpose.ABSENT, 1, WORKER.id),  # a member's own link
        "task_99999999999999999999_AAAAAAAAAAAAAAAA",
    ]
    for payload in forged:
        await h.send(RESIDENT, f"/start {payload}")
        assert h.fake.last_to(RESIDENT.id).text == REFUSED_LINK, payload
    assert await h.app.dispatcher.storage.get_state(
        _key(h, RESIDENT)) is None, "no form was opened"

    await h.send(RESIDENT, f"/start {genuine}")
    assert "第三网格" in h.fake.last_to(RESIDENT.id).text


def _key(h: Harness, who: Someone):
    from aiogram.fsm.storage.base import StorageKey

    return StorageKey(bot_id=h.app.bot.id, chat_id=who.id, user_id=who.id)


def test_every_link_fits_telegrams_start_parameter() -> None:
    from aiogram import Bot

    bot = Bot("123456:" + "x" * 35)
    for purpose in Purpose:
        payload = links.payload(bot, purpose, 2**63 - 1, 2**63 - 1)
        assert len(payload) <= 64 and payload.replace("_", "").replace("-", "").isalnum()
        assert links.opened(bot, purpose, payload, 2**63 - 1) == 2**63 - 1


OTHER_ADMIN = Someone(1021, "Admin Outside", language_code="en", username="admin_out")
# What staff of another community send in our chats, and the words they get back.
REFUSED = [
    ("/people", COMMUNITY_CHAT, "Only the staff of this place can see this list."),
    ("/volunteers", GRID_CHAT, "Only the staff of this place can do that."),
    (f"/hours {VOLUNTEER.id}", GRID_CHAT, "Only the staff of this place can do that."),
    (f"/suspend {VOLUNTEER.id} 不认真", GRID_CHAT, "Only the staff of this place can do that."),
    ("/fixhours 1 2", GRID_CHAT, "Only the staff of this place can do that."),
    ("/set verify on", COMMUNITY_CHAT, "Only an admin of this place can do that."),
    (f"/grant cadre {OUTSIDER.id}", COMMUNITY_CHAT, "Only an admin of this place can do that."),
    (f"/duty_set 3 A {OUTSIDER.id}", COMMUNITY_CHAT, "Only an admin of this place can do that."),
    ("/riskwords add 漏水", COMMUNITY_CHAT, "Only an admin of this place can do that."),
    ("/unbind", GRID_CHAT, "Only an admin of this place can do that."),
    ("/reject 1 不符合", GRID_CHAT, "Only a social worker of this grid can verify micro-wishes."),
    ("/meeting_new weekly 1 19:00 90 联席会", COMMUNITY_CHAT,
     "Only a cadre or an admin of this place can set up meetings."),
    ("/round", COMMUNITY_CHAT,
     "Only an admin of the street office can open a micro-venture round."),
    ("/rounds", COMMUNITY_CHAT, "Only the staff and organisation representatives of this "
                                "street can see its micro-venture rounds."),
]


async def test_staff_of_another_community_are_refused_everywhere_in_ours(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await another_community(h)
    await h.send(OTHER_ADMIN, "/start")
    await h.send(ADMIN, f"/grant admin {OTHER_ADMIN.id}", OTHER_COMMUNITY_CHAT)
    await h.send(RESIDENT, "/wish 帮忙修水管", GRID_CHAT)
    for outsider in (OUTSIDER, OTHER_ADMIN):
        for command, chat, refusal in REFUSED:
            await h.send(outsider, command, chat)
            assert h.fake.last_to(chat).text == zh(h, refusal), (outsider.name, command)
    async with h.db.transaction() as session:
        assert await duty.on_duty(session, 2, local_day(h.clock.now(), "Asia/Shanghai")) == {}
    assert (await places_settings(h)).verify is False
    standing = await volunteers.get(h.db, VOLUNTEER.id)
    assert standing is not None and standing.status == VolunteerStatus.APPROVED
    await h.send(WORKER, "/people", COMMUNITY_CHAT)
    assert "Worker Outside" not in h.fake.last_to(COMMUNITY_CHAT).text
    assert WORKER.name in h.fake.last_to(COMMUNITY_CHAT).text


async def places_settings(h: Harness):
    from storage import places

    return await places.settings_of(h.db, 3)
