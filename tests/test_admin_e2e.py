"""Admin commands and chat events end to end: what people see, and what the database holds.

Which language a group speaks is tested on its own (/lang and the locale tests below); the
other tests check *which* sentence the bot said, in whichever of its languages it said it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from aiogram.utils.i18n import gettext
from sqlmodel import col, func, select

from bot.i18n import speaking
from bot.settings import LOCALES
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
OLD_GROUP = -4012345678
HELPER = Someone(2001, "Helper Sun", language_code="en", username="Helper_Sun")
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                   "username": "GroupAnonymousBot"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel",
               "username": "Channel_Bot"}
CJK = re.compile(r"[\u4e00-\u9fff]")

BOUND = "This chat is now the {kind} “{name}” (number {id})."
ONLY_ADMIN_HERE = "Only an admin of this place can do that."
GRANTED = "{name} is now a {role} of “{place}”."


@dataclass(frozen=True)
class Tree:
    street: int
    community: int
    grid: int


class Label(str):
    """A value that is itself a message id, translated together with its sentence."""


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
    assert place is not None, f"chat {chat_id} is not bound"
    assert place.id is not None
    return place.id


async def place(h: Harness, place_id: int) -> Place:
    found = await places.by_id(h.db, place_id)
    assert found is not None
    return found


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


def in_each_language(h: Harness, render: Callable[[], Any]) -> list[Any]:
    texts = []
    for locale in LOCALES:
        with speaking(h.app.i18n, locale):
            texts.append(render())
    return texts


def in_any_language(h: Harness, render: Callable[[], str]) -> set[str]:
    """``render()`` in each of the bot's languages, as sent (plain and HTML-escaped)."""
    texts = in_each_language(h, render)
    return set(texts) | {escape(text) for text in texts}


def assert_says(text: str, h: Harness, msgid: str, **values: Any) -> None:
    """``text`` contains the sentence ``msgid`` (with ``values``) in one of the languages."""
    def render() -> str:
        filled = {k: gettext(v) if isinstance(v, Label) else v for k, v in values.items()}
        return gettext(msgid).format(**filled) if values else gettext(msgid)

    options = in_any_language(h, render)
    assert any(option in text for option in options), f"{text!r} says none of {options}"


def assert_speaks(text: str, h: Harness, locale: str) -> None:
    """``text`` is /help as rendered in ``locale``."""
    for line in [translate(h, locale, "<b>For everyone</b>"),
                 escape(translate(h, locale, "/mywishes — your micro-wishes, to withdraw or "
                                             "rate them"))]:
        assert line in text, f"{line!r} ({locale}) not in {text!r}"


def group(chat_id: int, kind: str = "supergroup") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}


def written(who: Someone, chat_id: int, text: str) -> dict[str, Any]:
    """A message someone wrote in a group, to reply to."""
    return {"message_id": 1, "date": int(time.time()), "chat": group(chat_id),
            "from": who.user(), "text": text}


async def service_message(h: Harness, chat: dict[str, Any], **fields: Any) -> None:
    await h.feed({"message": {"message_id": 50, "date": int(time.time()), "chat": chat,
                              "from": ADMIN.user(), **fields}})


def bot_removed(chat_id: int, by: Someone) -> dict[str, Any]:
    return {"my_chat_member": {
        "chat": group(chat_id), "from": by.user(), "date": int(time.time()),
        "old_chat_member": {"status": "member", "user": bot_user()},
        "new_chat_member": {"status": "kicked", "user": bot_user(), "until_date": 0},
    }}


async def choose_group_language(h: Harness, who: Someone, chat_id: int, name: str) -> None:
    await h.send(who, "/lang", chat_id)
    menu = h.fake.last_to(chat_id)
    await h.press(who, menu, button(menu, name))


# --- /bind ----------------------------------------------------------------------------------

async def test_bootstrap_admin_binds_a_street_a_community_and_a_grid(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    street = await place_id(h, STREET_CHAT)
    assert_says(reply(h, STREET_CHAT), h, BOUND, kind=Label("street office"), name="阳光街道",
                id=street)
    await h.send(ADMIN, f"/bind community {street} 幸福社区", COMMUNITY_CHAT)
    community = await place_id(h, COMMUNITY_CHAT)
    assert_says(reply(h, COMMUNITY_CHAT), h, BOUND, kind=Label("community"), name="幸福社区",
                id=community)
    await h.send(ADMIN, f"/bind grid {community} 第三网格", GRID_CHAT)
    grid = await place_id(h, GRID_CHAT)
    assert_says(reply(h, GRID_CHAT), h, BOUND, kind=Label("grid"), name="第三网格", id=grid)

    assert [(p.id, p.kind, p.name, p.parent_id, p.chat_id) for p in await all_places(h)] == [
        (street, "street", "阳光街道", None, STREET_CHAT),
        (community, "community", "幸福社区", street, COMMUNITY_CHAT),
        (grid, "grid", "第三网格", community, GRID_CHAT),
    ]


async def test_a_non_admin_cannot_bind(harness: Harness) -> None:
    h = harness
    await h.send(RESIDENT, "/bind street 阳光街道", STREET_CHAT)
    assert_says(reply(h, STREET_CHAT), h, "Only an admin of the place above can bind this chat.")
    assert await all_places(h) == []
    assert await audit(h, "bind") == []


async def test_an_admin_of_another_street_cannot_move_a_community_under_it(
        harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/bind street 月亮街道", OTHER_CHAT)
    other_street = await place_id(h, OTHER_CHAT)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", OTHER_CHAT)
    await h.send(WORKER, f"/bind community {other_street} 幸福社区", COMMUNITY_CHAT)
    assert (await place(h, tree.community)).parent_id == tree.street, reply(h, COMMUNITY_CHAT)


async def test_bind_under_a_wrong_or_unknown_parent_is_refused(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    street = await place_id(h, STREET_CHAT)
    await h.send(ADMIN, f"/bind grid {street} 第三网格", GRID_CHAT)
    assert_says(reply(h, GRID_CHAT), h, "A {kind} must be placed under a {parent}.",
                kind=Label("grid"), parent=Label("community"))
    await h.send(ADMIN, "/bind community 999 幸福社区", COMMUNITY_CHAT)
    assert_says(reply(h, COMMUNITY_CHAT), h,
                "There is no place with number {id}. /places shows the numbers.", id=999)
    assert [p.chat_id for p in await all_places(h)] == [STREET_CHAT]


async def test_bind_without_a_name_shows_the_usage(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    street = await place_id(h, STREET_CHAT)
    for command in ["/bind street", f"/bind community {street}", "/bind"]:
        h.fake.clear()
        await h.send(ADMIN, command, COMMUNITY_CHAT)
        assert_says(reply(h, COMMUNITY_CHAT), h,
                    "Usage: /bind street <name>, /bind community <street number> <name>, "
                    "or /bind grid <community number> <name>; /bind <number> gives an "
                    "existing place this chat. /places shows the numbers.")
    assert [p.chat_id for p in await all_places(h)] == [STREET_CHAT]


async def test_bind_in_a_private_chat_asks_for_the_group(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道")
    assert "send this command in the group chat" in reply(h, ADMIN.id)
    assert await all_places(h) == []


# --- /grant and /revoke ---------------------------------------------------------------------

async def test_grant_finds_the_person_by_reply_username_or_id(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/grant volunteer", GRID_CHAT,
                 reply_to=written(HELPER, GRID_CHAT, "我可以帮忙"))
    assert_says(reply(h, GRID_CHAT), h, GRANTED, name="Helper Sun", role=Label("volunteer"),
                place="第三网格")
    await h.send(VOLUNTEER, "/help", GRID_CHAT)
    await h.send(ADMIN, "/grant volunteer @Chen", GRID_CHAT)
    assert_says(reply(h, GRID_CHAT), h, GRANTED, name="Volunteer Chen",
                role=Label("volunteer"), place="第三网格")
    await h.send(ADMIN, f"/grant social_worker {WORKER.id}", COMMUNITY_CHAT)
    assert_says(reply(h, COMMUNITY_CHAT), h, GRANTED, name=f"#{WORKER.id}",
                role=Label("social worker"), place="幸福社区")

    assert await grants(h) == {(HELPER.id, tree.grid, "volunteer"),
                               (VOLUNTEER.id, tree.grid, "volunteer"),
                               (WORKER.id, tree.community, "social_worker")}
    helper = await people.get(h.db, HELPER.id)
    assert helper is not None
    assert (helper.full_name, helper.username) == ("Helper Sun", "helper_sun")


async def test_grant_to_an_unknown_username_asks_them_to_speak_first(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(ADMIN, "/grant volunteer @ghost", GRID_CHAT)
    assert_says(reply(h, GRID_CHAT), h,
                "I have not met {who} yet. Ask them to send a message here, then reply to it "
                "with the command.", who="@ghost")
    assert await grants(h) == set()
    assert await people.by_username(h.db, "ghost") is None


async def test_revoke_takes_the_role_back(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(ADMIN, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT)
    await h.send(ADMIN, f"/revoke volunteer {VOLUNTEER.id}", GRID_CHAT)
    assert_says(reply(h, GRID_CHAT), h, "{name} is no longer a {role} of “{place}”.",
                name=f"#{VOLUNTEER.id}", role=Label("volunteer"), place="第三网格")
    assert await grants(h) == set()


async def test_a_community_admin_grants_below_but_not_above(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    await h.send(WORKER, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT)
    assert_says(reply(h, GRID_CHAT), h, GRANTED, name=f"#{VOLUNTEER.id}",
                role=Label("volunteer"), place="第三网格")
    await h.send(WORKER, f"/grant volunteer {HELPER.id}", STREET_CHAT)
    assert_says(reply(h, STREET_CHAT), h, ONLY_ADMIN_HERE)
    assert await grants(h) == {(WORKER.id, tree.community, "admin"),
                               (VOLUNTEER.id, tree.grid, "volunteer")}


async def test_a_plain_user_cannot_grant_even_as_a_telegram_group_admin(harness: Harness) -> None:
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
    assert_says(reply(h, GRID_CHAT), h, ONLY_ADMIN_HERE)
    assert await grants(h) == set()


# --- /people, /places -----------------------------------------------------------------------

async def test_people_lists_who_holds_which_role_to_staff_only(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    await h.send(ADMIN, f"/grant social_worker {WORKER.id}", GRID_CHAT)
    await h.send(VOLUNTEER, "/help", GRID_CHAT)
    await h.send(ADMIN, "/grant volunteer @chen", GRID_CHAT)
    await h.send(RESIDENT, "/people", GRID_CHAT)
    refused = reply(h, GRID_CHAT)
    assert_says(refused, h, "Only the staff of this place can see this list.")
    assert "Volunteer Chen" not in refused

    await h.send(WORKER, "/people", GRID_CHAT)
    lines = set(reply(h, GRID_CHAT).splitlines())
    assert in_any_language(
        h, lambda: f"第三网格 · {gettext('volunteer')} · Volunteer Chen (@chen)") & lines, lines
    assert in_any_language(
        h, lambda: f"第三网格 · {gettext('social worker')} · Worker Li (@worker_li)") & lines, lines


async def test_places_shows_each_person_what_they_manage(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/places")
    assert reply(h, ADMIN.id).splitlines()[1:] == [
        f"#{tree.street} street office 阳光街道 · bound",
        f"    #{tree.community} community 幸福社区 · bound",
        f"        #{tree.grid} grid 第三网格 · bound",
    ]
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    await h.send(WORKER, "/places")
    assert reply(h, WORKER.id).splitlines()[1:] == [
        f"#{tree.community} community 幸福社区 · bound",
        f"    #{tree.grid} grid 第三网格 · bound",
    ]
    await h.send(RESIDENT, "/places")
    assert reply(h, RESIDENT.id) == "You do not manage any place."


async def test_places_shows_each_place_once_to_an_admin_of_nested_places(
        harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", STREET_CHAT)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    await h.send(WORKER, "/places")
    assert reply(h, WORKER.id).splitlines()[1:] == [
        f"#{tree.street} street office 阳光街道 · bound",
        f"    #{tree.community} community 幸福社区 · bound",
        f"        #{tree.grid} grid 第三网格 · bound",
    ]


# --- /settings and /set ---------------------------------------------------------------------

async def test_set_verify_on_is_stored_and_inherited_below(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/set verify on", COMMUNITY_CHAT)
    assert_says(reply(h, COMMUNITY_CHAT), h, "Saved: {label} is now {value}.",
                label=Label("Verify wishes before they are posted"), value=Label("on"))
    assert (await place(h, tree.community)).settings == {"verify": True}
    assert (await places.settings_of(h.db, tree.grid)).verify is True

    await h.send(ADMIN, "/settings", GRID_CHAT)  # the grid's chat speaks simplified Chinese
    [line] = [x for x in reply(h, GRID_CHAT).splitlines() if "<code>审核</code>" in x]
    assert any(label in line and on in line for label, on in in_each_language(
        h, lambda: (gettext("Verify wishes before they are posted"), gettext("on")))), line


async def test_set_takes_full_width_digits_as_a_chinese_keyboard_types_them(
        harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, "/set quiet_hours ２２：３０-０６：４５", COMMUNITY_CHAT)
    await h.send(ADMIN, "/set grid_deadline_hours ７２", COMMUNITY_CHAT)
    assert (await place(h, tree.community)).settings == {"quiet_hours": "22:30-06:45",
                                                         "grid_deadline_hours": 72}
    assert_says(reply(h, COMMUNITY_CHAT), h, "Saved: {label} is now {value}.",
                label=Label("Hours a wish stays in the grid before it goes up"), value="72")


async def test_grant_to_someone_not_met_says_so_however_it_is_typed(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    for who, named in (("፩", "፩"), ("＠nobody_here", "@nobody_here")):
        await h.send(ADMIN, f"/grant volunteer {who}", GRID_CHAT)
        assert_says(reply(h, GRID_CHAT), h, "I have not met {who} yet. Ask them to send a "
                    "message here, then reply to it with the command.", who=named)
    assert await failed_updates(h) == 0


async def test_a_refused_set_changes_nothing(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    for command in ["/set colour blue", "/set verify", "/set 颜色 蓝色"]:
        h.fake.clear()
        await h.send(ADMIN, command, COMMUNITY_CHAT)
        assert_says(reply(h, COMMUNITY_CHAT), h,
                    "Usage: /set <name> <value>. /settings lists the names and their values.")
    for command, value, label in [
            ("/set verify maybe", "maybe", "Verify wishes before they are posted"),
            ("/set 审核 也许", "也许", "Verify wishes before they are posted"),
            ("/set grid_deadline_hours 0", "0", "Hours a wish stays in the grid before it goes up"),
            ("/set 免打扰 晚上十点", "晚上十点",
             "Quiet hours (pages and reminders wait; risk alerts do not)")]:
        h.fake.clear()
        await h.send(ADMIN, command, COMMUNITY_CHAT)
        assert_says(reply(h, COMMUNITY_CHAT), h, "“{value}” does not fit “{label}”. /settings "
                    "shows what it is now.", value=value, label=Label(label))
    await h.send(WORKER, "/set verify on", COMMUNITY_CHAT)
    assert_says(reply(h, COMMUNITY_CHAT), h, ONLY_ADMIN_HERE)
    assert (await place(h, tree.community)).settings == {}
    assert await audit(h, "setting") == []


# --- /lang ----------------------------------------------------------------------------------

async def test_lang_in_private_stores_traditional_chinese(harness: Harness) -> None:
    h = harness
    await h.send(RESIDENT, "/lang")
    menu = h.fake.last_to(RESIDENT.id)
    assert [b["text"] for b in menu.buttons()] == ["简体中文", "繁體中文", "English"]
    await h.press(RESIDENT, menu, button(menu, "繁體中文"))
    resident = await people.get(h.db, RESIDENT.id)
    assert resident is not None
    assert resident.locale == "zh_Hant"
    edited = h.fake.sent("editMessageText", RESIDENT.id)[-1]
    assert edited.text == translate(h, "zh_Hant", "From now on I will write in English here.")

    await h.send(RESIDENT, "/help")
    later = reply(h, RESIDENT.id)
    assert_speaks(later, h, "zh_Hant")
    assert CJK.search(later), later


async def test_only_an_admin_changes_the_group_language(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await choose_group_language(h, RESIDENT, GRID_CHAT, "English")
    answer = h.fake.sent("answerCallbackQuery")[-1]
    assert_says(answer.params["text"], h,
                "Only an admin of this place can change the group's language.")
    assert str(answer.params.get("show_alert")).lower() == "true"
    assert (await place(h, tree.grid)).locale is None
    await h.send(NEIGHBOUR, "/help", GRID_CHAT)
    assert translate(h, "zh_Hans", "I am the helper of this grid:") in reply(h, GRID_CHAT)

    await choose_group_language(h, ADMIN, GRID_CHAT, "English")
    assert (await place(h, tree.grid)).locale == "en"
    await h.send(NEIGHBOUR, "/help", GRID_CHAT)
    assert translate(h, "en", "I am the helper of this grid:") in reply(h, GRID_CHAT)


async def test_changing_the_group_language_is_audited(harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await choose_group_language(h, ADMIN, GRID_CHAT, "English")
    async with h.db.transaction() as session:
        rows = (await session.exec(select(AuditEntry).where(
            AuditEntry.entity == "place", AuditEntry.entity_id == tree.grid,
            AuditEntry.action != "bind"))).all()
    assert len(rows) == 1, rows
    assert rows[0].actor_id == ADMIN.id
    assert "en" in (rows[0].detail or "")


# --- which language a person gets -----------------------------------------------------------

async def test_telegram_language_code_picks_the_locale(harness: Harness) -> None:
    h = harness
    for number, (language_code, locale) in enumerate(
            [("zh-hk", "zh_Hant"), ("zh-cn", "zh_Hans"), ("en-GB", "en"), ("fr", "zh_Hans")]):
        someone = Someone(3000 + number, "Someone", language_code=language_code)
        await h.send(someone, "/help")
        assert_speaks(reply(h, someone.id), h, locale)
    assert CJK.search(reply(h, 3001)), "a zh-cn user was not answered in Chinese"


# --- chats that change ----------------------------------------------------------------------

async def bind_grid_in_old_group(h: Harness) -> int:
    """A grid bound in a basic group, which Telegram will upgrade to a supergroup."""
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    await h.send(ADMIN, f"/bind community {await place_id(h, STREET_CHAT)} 幸福社区",
                 COMMUNITY_CHAT)
    await h.send(ADMIN, f"/bind grid {await place_id(h, COMMUNITY_CHAT)} 第三网格", OLD_GROUP)
    return await place_id(h, OLD_GROUP)


async def test_an_upgraded_group_keeps_its_place(harness: Harness) -> None:
    h = harness
    grid = await bind_grid_in_old_group(h)
    await service_message(h, group(OLD_GROUP, "group"), migrate_to_chat_id=OTHER_CHAT)
    assert await place_id(h, OTHER_CHAT) == grid
    assert await places.by_chat(h.db, OLD_GROUP) is None
    # Telegram also posts the other half of the upgrade in the new chat; it changes nothing.
    await service_message(h, group(OTHER_CHAT), migrate_from_chat_id=OLD_GROUP)
    assert await place_id(h, OTHER_CHAT) == grid
    [moved] = await audit(h, "migrate_chat")
    assert moved.entity_id == grid
    assert moved.detail == f"{OLD_GROUP}->{OTHER_CHAT}"


async def test_a_wish_works_in_a_group_upgraded_via_migrate_from(harness: Harness) -> None:
    h = harness
    grid = await bind_grid_in_old_group(h)
    await service_message(h, group(OTHER_CHAT), migrate_from_chat_id=OLD_GROUP)
    assert await place_id(h, OTHER_CHAT) == grid
    assert await places.by_chat(h.db, OLD_GROUP) is None
    h.fake.clear()

    await h.send(RESIDENT, "/wish 帮我去超市买米和油", OTHER_CHAT)
    assert "帮我去超市买米和油" in reply(h, OTHER_CHAT)
    async with h.db.transaction() as session:
        stored = (await session.exec(select(Wish.text).where(Wish.grid_id == grid))).all()
    assert stored == ["帮我去超市买米和油"]


async def test_removing_the_bot_unbinds_the_place_and_bind_number_restores_it(
        harness: Harness) -> None:
    h = harness
    tree = await bind_tree(h)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    h.fake.clear()
    await h.feed(bot_removed(GRID_CHAT, by=RESIDENT))

    grid = await place(h, tree.grid)
    assert grid.chat_id is None
    assert grid.name == "第三网格"
    assert "no longer bound" in reply(h, ADMIN.id)
    assert_says(reply(h, WORKER.id), h,
                "I was removed from the chat of the {kind} “{name}” (number {id}), so it is no "
                "longer bound. Its people and wishes are kept. Add me to a chat and send /bind "
                "there to bind it again.", kind=Label("grid"), name="第三网格", id=tree.grid)
    [unbound] = await audit(h, "unbind")
    assert unbound.entity_id == tree.grid
    assert unbound.actor_id == RESIDENT.id

    await h.send(ADMIN, f"/bind {tree.grid}", OTHER_CHAT)
    assert_says(reply(h, OTHER_CHAT), h, BOUND, kind=Label("grid"), name="第三网格", id=tree.grid)
    assert await place_id(h, OTHER_CHAT) == tree.grid
    assert len(await all_places(h)) == 3


async def test_an_anonymous_admin_is_asked_to_post_as_themselves(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    street = await place_id(h, STREET_CHAT)
    await h.send(ADMIN, f"/bind community {street} 幸福社区", COMMUNITY_CHAT,
                 **{"from": ANONYMOUS_ADMIN, "sender_chat": group(COMMUNITY_CHAT)})
    assert_says(reply(h, COMMUNITY_CHAT), h,
                "You are posting anonymously as the group or as a channel, so I cannot tell who "
                "you are. Please turn off “Remain anonymous” or send the command from your own "
                "account.")
    assert await places.by_chat(h.db, COMMUNITY_CHAT) is None


async def test_a_command_sent_as_a_channel_is_answered_not_crashed(harness: Harness) -> None:
    h = harness
    await bind_tree(h)
    channel = {"id": -1005555555555, "type": "channel", "title": "Someone's channel"}
    await h.send(ADMIN, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT,
                 **{"from": CHANNEL_BOT, "sender_chat": channel})
    assert await failed_updates(h) == 0
    assert h.fake.sent("sendMessage", GRID_CHAT), "the command got no answer"
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
