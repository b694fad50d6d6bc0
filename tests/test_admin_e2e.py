"""Admin commands and chat events end to end: what people see, and what the database holds."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from html import escape
from typing import Any

import pytest
from sqlmodel import col, func, select

from storage import people, places
from storage.models import AuditEntry, FailedUpdate, Place, RoleGrant, Wish
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    bot_user,
    button,
    translate,
)

# A real supergroup id needs more than 32 bits; the street's chat proves it round-trips.
STREET_CHAT = -1001234567890123
OTHER_CHAT = -1009876543210987
HELPER = Someone(2001, "Helper Sun", language_code="en", username="Helper_Sun")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Tree:
    street: int
    community: int
    grid: int


# --- helpers --------------------------------------------------------------------------------

async def bind_tree(h: Harness) -> Tree:
    """The bootstrap admin binds a street, a community under it and a grid under that."""
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    street = await place_id(h, STREET_CHAT)
    await h.send(ADMIN, f"/bind community {street} 幸福社区", COMMUNITY_CHAT)
    community = await place_id(h, COMMUNITY_CHAT)
    await h.send(ADMIN, f"/bind grid {community} 第三网格", GRID_CHAT)
    grid = await place_id(h, GRID_CHAT)
    h.fake.clear()
    return Tree(street, community, grid)


async def place_id(h: Harness, chat_id: int) -> int:
    place = await places.by_chat(h.db, chat_id)
    assert place is not None and place.id is not None, f"chat {chat_id} is not bound"
    return place.id


async def all_places(h: Harness) -> list[Place]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(Place).order_by(col(Place.id)))).all())


async def grants(h: Harness) -> set[tuple[int, int, str]]:
    """Every role held, as (person, place, role)."""
    async with h.db.transaction() as session:
        rows = (await session.exec(select(RoleGrant))).all()
    return {(g.person_id, g.place_id, g.role) for g in rows}


async def audit(h: Harness, action: str) -> list[AuditEntry]:
    async with h.db.transaction() as session:
        statement = select(AuditEntry).where(AuditEntry.action == action).order_by(
            col(AuditEntry.id))
        return list((await session.exec(statement)).all())


async def failed_updates(h: Harness) -> int:
    async with h.db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(FailedUpdate))).one()


def reply(h: Harness, chat_id: int) -> str:
    """The bot's latest message in a chat."""
    return h.fake.last_to(chat_id).text


def group(chat_id: int, kind: str = "supergroup") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}


def said(who: Someone, chat_id: int, text: str, message_id: int = 1) -> dict[str, Any]:
    """A message someone wrote in a group, to reply to."""
    return {"message_id": message_id, "date": int(time.time()), "chat": group(chat_id),
            "from": who.user(), "text": text}


async def service_message(h: Harness, chat: dict[str, Any], **fields: Any) -> None:
    await h.feed({"message": {"message_id": 50, "date": int(time.time()), "chat": chat,
                              "from": ADMIN.user(), **fields}})


def help_lines(h: Harness, locale: str) -> list[str]:
    """Two lines of /help as the bot renders them in ``locale``."""
    return [translate(h, locale, "<b>For everyone</b>"),
            escape(translate(h, locale, "/mywishes — your micro-wishes, to withdraw or rate them"))]


def assert_speaks(text: str, h: Harness, locale: str) -> None:
    for line in help_lines(h, locale):
        assert line in text, f"{line!r} ({locale}) not in {text!r}"


# --- /bind ----------------------------------------------------------------------------------

async def test_bootstrap_admin_binds_a_street_a_community_and_a_grid(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    assert "now the street office “阳光街道”" in reply(h, STREET_CHAT)
    street = await place_id(h, STREET_CHAT)
    await h.send(ADMIN, f"/bind community {street} 幸福社区", COMMUNITY_CHAT)
    assert "now the community “幸福社区”" in reply(h, COMMUNITY_CHAT)
    community = await place_id(h, COMMUNITY_CHAT)
    await h.send(ADMIN, f"/bind grid {community} 第三网格", GRID_CHAT)
    grid = await place_id(h, GRID_CHAT)
    assert f"now the grid “第三网格” (number {grid})" in reply(h, GRID_CHAT)

    tree = [(p.id, p.kind, p.name, p.parent_id, p.chat_id) for p in await all_places(h)]
    assert tree == [
        (street, "street", "阳光街道", None, STREET_CHAT),
        (community, "community", "幸福社区", street, COMMUNITY_CHAT),
        (grid, "grid", "第三网格", community, GRID_CHAT),
    ]


async def test_a_non_admin_cannot_bind(harness: Harness) -> None:
    h = harness
    await h.send(RESIDENT, "/bind street 阳光街道", STREET_CHAT)
    assert "Only an admin of the place above" in reply(h, STREET_CHAT)
    assert await all_places(h) == []
    assert await audit(h, "bind") == []


async def test_a_grid_cannot_be_bound_under_a_street(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    street = await place_id(h, STREET_CHAT)
    await h.send(ADMIN, f"/bind grid {street} 第三网格", GRID_CHAT)
    assert "A grid must be placed under a community" in reply(h, GRID_CHAT)
    assert await places.by_chat(h.db, GRID_CHAT) is None
    assert len(await all_places(h)) == 1


async def test_bind_under_an_unknown_number_is_refused(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind community 999 幸福社区", COMMUNITY_CHAT)
    assert "There is no place with number 999" in reply(h, COMMUNITY_CHAT)
    assert await all_places(h) == []


@pytest.mark.parametrize("command", ["/bind street", "/bind community 1", "/bind"])
async def test_bind_without_a_name_shows_the_usage(harness: Harness, command: str) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    await h.send(ADMIN, command, COMMUNITY_CHAT)
    assert "Usage: /bind street" in reply(h, COMMUNITY_CHAT)
    assert [p.chat_id for p in await all_places(h)] == [STREET_CHAT]


async def test_bind_in_a_private_chat_asks_for_the_group(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道")
    assert "send this command in the group chat" in reply(h, ADMIN.id)
    assert await all_places(h) == []


# --- /grant and /revoke ---------------------------------------------------------------------

async def test_grant_by_reply_makes_the_person_a_volunteer(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/grant volunteer", GRID_CHAT,
                 reply_to=said(HELPER, GRID_CHAT, "我可以帮忙"))
    assert "Helper Sun is now a volunteer of “第三网格”" in reply(h, GRID_CHAT)
    assert await grants(h) == {(HELPER.id, tree.grid, "volunteer")}
    helper = await people.get(h.db, HELPER.id)
    assert helper is not None and helper.full_name == "Helper Sun"


async def test_grant_by_username_of_someone_who_spoke(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(HELPER, "/help", GRID_CHAT)
    await h.send(ADMIN, "/grant volunteer @helper_sun", GRID_CHAT)
    assert "Helper Sun is now a volunteer" in reply(h, GRID_CHAT)
    assert await grants(h) == {(HELPER.id, tree.grid, "volunteer")}


async def test_grant_by_numeric_id(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant social_worker {WORKER.id}", COMMUNITY_CHAT)
    assert "is now a social worker of “幸福社区”" in reply(h, COMMUNITY_CHAT)
    assert await grants(h) == {(WORKER.id, tree.community, "social_worker")}


async def test_grant_to_an_unknown_username_asks_them_to_speak_first(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(ADMIN, "/grant volunteer @ghost", GRID_CHAT)
    assert "I have not met @ghost yet" in reply(h, GRID_CHAT)
    assert await grants(h) == set()
    assert await people.by_username(h.db, "ghost") is None


async def test_revoke_takes_the_role_back(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(ADMIN, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT)
    await h.send(ADMIN, f"/revoke volunteer {VOLUNTEER.id}", GRID_CHAT)
    assert "is no longer a volunteer of “第三网格”" in reply(h, GRID_CHAT)
    assert await grants(h) == set()
    await h.send(ADMIN, f"/revoke volunteer {VOLUNTEER.id}", GRID_CHAT)
    assert "nothing to take back" in reply(h, GRID_CHAT)


async def test_a_non_admin_cannot_grant(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(RESIDENT, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT)
    assert "Only an admin of this place" in reply(h, GRID_CHAT)
    assert await grants(h) == set()


async def test_a_community_admin_grants_below_but_not_above(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    await h.send(WORKER, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT)
    assert "is now a volunteer of “第三网格”" in reply(h, GRID_CHAT)
    await h.send(WORKER, f"/grant volunteer {HELPER.id}", STREET_CHAT)
    assert "Only an admin of this place" in reply(h, STREET_CHAT)
    assert await grants(h) == {(WORKER.id, tree.community, "admin"),
                               (VOLUNTEER.id, tree.grid, "volunteer")}


async def test_being_a_telegram_group_admin_grants_nothing(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    promoted = {"status": "administrator", "user": RESIDENT.user(), "can_be_edited": False,
                "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
                "can_manage_video_chats": True, "can_restrict_members": True,
                "can_promote_members": True, "can_change_info": True,
                "can_invite_users": True, "can_post_stories": True, "can_edit_stories": True,
                "can_delete_stories": True, "can_send_welcome_messages": True}
    await h.feed({"chat_member": {
        "chat": group(GRID_CHAT), "from": ADMIN.user(), "date": int(time.time()),
        "old_chat_member": {"status": "member", "user": RESIDENT.user()},
        "new_chat_member": promoted,
    }})
    await h.send(RESIDENT, f"/grant admin {RESIDENT.id}", GRID_CHAT)
    assert "Only an admin of this place" in reply(h, GRID_CHAT)
    assert await grants(h) == set()


# --- /people, /places -----------------------------------------------------------------------

async def test_people_lists_who_holds_which_role_for_staff(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(ADMIN, f"/grant social_worker {WORKER.id}", GRID_CHAT)
    await h.send(VOLUNTEER, "/help", GRID_CHAT)
    await h.send(ADMIN, "/grant volunteer @chen", GRID_CHAT)
    await h.send(WORKER, "/people", GRID_CHAT)
    listing = reply(h, GRID_CHAT)
    assert "第三网格 · volunteer · Volunteer Chen (@chen)" in listing
    assert "第三网格 · social worker · #1002" in listing


async def test_people_is_refused_to_a_resident(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(ADMIN, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT)
    await h.send(RESIDENT, "/people", GRID_CHAT)
    text = reply(h, GRID_CHAT)
    assert "Only the staff of this place" in text
    assert str(VOLUNTEER.id) not in text


async def test_places_lists_the_tree_for_an_admin(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/places")
    lines = reply(h, ADMIN.id).splitlines()
    assert lines[1:] == [
        f"#{tree.street} street office 阳光街道 · bound",
        f"    #{tree.community} community 幸福社区 · bound",
        f"        #{tree.grid} grid 第三网格 · bound",
    ]


async def test_places_of_a_community_admin_start_at_their_community(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    await h.send(WORKER, "/places")
    lines = reply(h, WORKER.id).splitlines()
    assert lines[1:] == [f"#{tree.community} community 幸福社区 · bound",
                         f"    #{tree.grid} grid 第三网格 · bound"]


async def test_places_shows_each_place_once_to_an_admin_of_nested_places(
        harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", STREET_CHAT)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    await h.send(WORKER, "/places")
    listing = reply(h, WORKER.id)
    assert listing.count(f"#{tree.grid} ") == 1, listing
    assert listing.count(f"#{tree.community} ") == 1, listing


async def test_places_tells_a_plain_user_they_manage_nothing(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(RESIDENT, "/places")
    assert "You do not manage any place" in reply(h, RESIDENT.id)


# --- /settings and /set ---------------------------------------------------------------------

async def test_set_verify_on_is_stored_and_inherited_below(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/set verify on", COMMUNITY_CHAT)
    assert "Saved: Verify wishes before they are posted is now on" in reply(h, COMMUNITY_CHAT)
    community = await places.by_id(h.db, tree.community)
    assert community is not None and community.settings == {"verify": True}
    assert (await places.settings_of(h.db, tree.grid)).verify is True
    await h.send(ADMIN, "/settings", GRID_CHAT)
    assert "Verify wishes before they are posted: on (<code>verify</code>)" in reply(h, GRID_CHAT)


@pytest.mark.parametrize("command", ["/set verify maybe", "/set grid_deadline_hours 0",
                                     "/set colour blue"])
async def test_set_with_a_bad_value_shows_usage_and_changes_nothing(
        harness: Harness, command: str) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, command, COMMUNITY_CHAT)
    assert "Usage: /set" in reply(h, COMMUNITY_CHAT)
    community = await places.by_id(h.db, tree.community)
    assert community is not None and community.settings == {}
    assert await audit(h, "setting") == []


async def test_a_non_admin_cannot_change_a_setting(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(WORKER, "/set verify on", COMMUNITY_CHAT)
    assert "Only an admin of this place" in reply(h, COMMUNITY_CHAT)
    assert (await places.settings_of(h.db, tree.grid)).verify is False


# --- /lang ----------------------------------------------------------------------------------

async def test_lang_in_private_stores_traditional_chinese(harness: Harness) -> None:
    h = harness
    await h.send(RESIDENT, "/lang")
    menu = h.fake.last_to(RESIDENT.id)
    assert [b["text"] for b in menu.buttons()] == ["简体中文", "繁體中文", "English"]
    await h.press(RESIDENT, menu, button(menu, "繁體中文"))
    resident = await people.get(h.db, RESIDENT.id)
    assert resident is not None and resident.locale == "zh_Hant"
    edited = h.fake.sent("editMessageText", RESIDENT.id)[-1]
    assert edited.text == translate(h, "zh_Hant", "From now on I will write in English here.")
    assert any(c.params.get("scope", {}).get("chat_id") == RESIDENT.id
               for c in h.fake.sent("setMyCommands"))

    await h.send(RESIDENT, "/help")
    later = reply(h, RESIDENT.id)
    assert_speaks(later, h, "zh_Hant")
    assert CJK.search(later), later


async def test_a_non_admin_cannot_change_the_group_language(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(RESIDENT, "/lang", GRID_CHAT)
    menu = h.fake.last_to(GRID_CHAT)
    await h.press(RESIDENT, menu, button(menu, "繁體中文"))
    answer = h.fake.sent("answerCallbackQuery")[-1]
    assert "Only an admin of this place" in answer.params["text"]
    assert answer.params.get("show_alert") is True
    grid = await places.by_id(h.db, tree.grid)
    assert grid is not None and grid.locale is None


async def test_an_admin_changes_the_group_language(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(NEIGHBOUR, "/help", GRID_CHAT)
    assert_speaks(reply(h, GRID_CHAT), h, "zh_Hans")
    await h.send(ADMIN, "/lang", GRID_CHAT)
    menu = h.fake.last_to(GRID_CHAT)
    await h.press(ADMIN, menu, button(menu, "English"))
    grid = await places.by_id(h.db, tree.grid)
    assert grid is not None and grid.locale == "en"

    await h.send(NEIGHBOUR, "/help", GRID_CHAT)
    assert "<b>For everyone</b>" in reply(h, GRID_CHAT)


async def test_changing_the_group_language_is_audited(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/lang", GRID_CHAT)
    menu = h.fake.last_to(GRID_CHAT)
    await h.press(ADMIN, menu, button(menu, "English"))
    async with h.db.transaction() as session:
        rows = (await session.exec(select(AuditEntry).where(
            AuditEntry.entity == "place", AuditEntry.entity_id == tree.grid,
            col(AuditEntry.action).notin_(["bind"])))).all()
    assert len(rows) == 1, rows
    assert rows[0].actor_id == ADMIN.id and "en" in (rows[0].detail or "")


# --- which language a person gets -----------------------------------------------------------

@pytest.mark.parametrize(("language_code", "locale"), [
    ("zh-hk", "zh_Hant"), ("zh-cn", "zh_Hans"), ("en-GB", "en"), ("fr", "zh_Hans"),
])
async def test_telegram_language_code_picks_the_locale(
        harness: Harness, language_code: str, locale: str) -> None:
    h = harness
    someone = Someone(3001, "Someone", language_code=language_code)
    await h.send(someone, "/help")
    assert_speaks(reply(h, someone.id), h, locale)


async def test_a_chinese_speaking_user_is_answered_in_chinese(harness: Harness) -> None:
    h = harness
    await h.send(NEIGHBOUR, "/help")
    text = reply(h, NEIGHBOUR.id)
    assert CJK.search(text), text


# --- chats that change ----------------------------------------------------------------------

OLD_GROUP = -4012345678


async def bind_grid_in_old_group(h: Harness) -> int:
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    await h.send(ADMIN, f"/bind community {await place_id(h, STREET_CHAT)} 幸福社区",
                 COMMUNITY_CHAT)
    await h.send(ADMIN, f"/bind grid {await place_id(h, COMMUNITY_CHAT)} 第三网格", OLD_GROUP)
    return await place_id(h, OLD_GROUP)


async def test_an_upgraded_group_keeps_its_place_via_migrate_to(harness: Harness) -> None:
    h = harness
    grid = await bind_grid_in_old_group(h)
    await service_message(h, group(OLD_GROUP, "group"), migrate_to_chat_id=OTHER_CHAT)
    assert await place_id(h, OTHER_CHAT) == grid
    assert await places.by_chat(h.db, OLD_GROUP) is None
    [moved] = await audit(h, "migrate_chat")
    assert moved.entity_id == grid and moved.detail == f"{OLD_GROUP}->{OTHER_CHAT}"


async def test_a_wish_works_in_the_upgraded_group(harness: Harness) -> None:
    h = harness
    grid = await bind_grid_in_old_group(h)
    await service_message(h, group(OLD_GROUP, "group"), migrate_to_chat_id=OTHER_CHAT)
    await service_message(h, group(OTHER_CHAT), migrate_from_chat_id=OLD_GROUP)
    assert await place_id(h, OTHER_CHAT) == grid
    assert len(await audit(h, "migrate_chat")) == 1
    h.fake.clear()

    await h.send(RESIDENT, "/wish 帮我去超市买米和油", OTHER_CHAT)
    assert "帮我去超市买米和油" in reply(h, OTHER_CHAT)
    async with h.db.transaction() as session:
        stored = (await session.exec(select(Wish.text).where(Wish.grid_id == grid))).all()
    assert stored == ["帮我去超市买米和油"]


async def test_an_upgraded_group_keeps_its_place_via_migrate_from(harness: Harness) -> None:
    h = harness
    grid = await bind_grid_in_old_group(h)
    await service_message(h, group(OTHER_CHAT), migrate_from_chat_id=OLD_GROUP)
    assert await place_id(h, OTHER_CHAT) == grid
    assert await places.by_chat(h.db, OLD_GROUP) is None


def removal(chat_id: int) -> dict[str, Any]:
    return {"my_chat_member": {
        "chat": group(chat_id), "from": RESIDENT.user(), "date": int(time.time()),
        "old_chat_member": {"status": "member", "user": bot_user()},
        "new_chat_member": {"status": "kicked", "user": bot_user(), "until_date": 0},
    }}


async def test_removing_the_bot_unbinds_the_place_and_tells_the_admins(
        harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    h.fake.clear()
    await h.feed(removal(GRID_CHAT))

    grid = await places.by_id(h.db, tree.grid)
    assert grid is not None and grid.chat_id is None and grid.name == "第三网格"
    for admin in (ADMIN, WORKER):
        assert "no longer bound" in reply(h, admin.id)
    [unbound] = await audit(h, "unbind")
    assert unbound.entity_id == tree.grid and unbound.actor_id == RESIDENT.id


async def test_bind_number_gives_a_place_that_lost_its_chat_a_new_one(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.feed(removal(GRID_CHAT))
    await h.send(ADMIN, f"/bind {tree.grid}", OTHER_CHAT)
    assert f"now the grid “第三网格” (number {tree.grid})" in reply(h, OTHER_CHAT)
    assert await place_id(h, OTHER_CHAT) == tree.grid
    assert len(await all_places(h)) == 3


ANONYMOUS = {"id": 1087968824, "is_bot": True, "first_name": "Group",
             "username": "GroupAnonymousBot"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel",
               "username": "Channel_Bot"}


async def test_an_anonymous_admin_is_asked_to_post_as_themselves(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    street = await place_id(h, STREET_CHAT)
    await h.send(ADMIN, f"/bind community {street} 幸福社区", COMMUNITY_CHAT,
                 **{"from": ANONYMOUS, "sender_chat": group(COMMUNITY_CHAT)})
    assert "posting anonymously" in reply(h, COMMUNITY_CHAT)
    assert await places.by_chat(h.db, COMMUNITY_CHAT) is None


async def test_a_command_sent_as_a_channel_is_answered_not_crashed(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    channel = {"id": -1005555555555, "type": "channel", "title": "Someone's channel"}
    await h.send(ADMIN, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT,
                 **{"from": CHANNEL_BOT, "sender_chat": channel})
    assert await failed_updates(h) == 0
    assert "Sorry, something went wrong" not in reply(h, GRID_CHAT)
    assert await grants(h) == set()


# --- the audit log --------------------------------------------------------------------------

async def test_binding_granting_and_settings_are_audited(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT)
    await h.send(ADMIN, f"/revoke volunteer {VOLUNTEER.id}", GRID_CHAT)
    await h.send(ADMIN, "/set verify on", COMMUNITY_CHAT)

    binds = await audit(h, "bind")
    assert [(a.entity, a.entity_id, a.actor_id) for a in binds] == [
        ("place", tree.street, ADMIN.id), ("place", tree.community, ADMIN.id),
        ("place", tree.grid, ADMIN.id)]
    assert binds[0].detail == f"street:{STREET_CHAT}"
    assert [(a.entity_id, a.actor_id, a.detail) for a in await audit(h, "grant")] == [
        (VOLUNTEER.id, ADMIN.id, f"volunteer@{tree.grid}")]
    assert [(a.entity_id, a.detail) for a in await audit(h, "revoke")] == [
        (VOLUNTEER.id, f"volunteer@{tree.grid}")]
    assert [(a.entity_id, a.detail, a.at) for a in await audit(h, "setting")] == [
        (tree.community, "verify=True", h.clock.now())]
