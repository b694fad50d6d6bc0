"""Command menus by role: each person's menu lists what they may use, in their language, and
is set again only when that changes."""

from __future__ import annotations

from typing import Any

from bot.commands import group_commands, private_commands
from bot.i18n import speaking
from storage import menus
from storage.models import Role
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    set_up_grid,
)


def names(call: Call) -> list[str]:
    return [command["command"] for command in call.params["commands"]]


def menus_of(h: Harness, person_id: int) -> dict[Any, Call]:
    """The last menu set for the person in each chat: the private one under None."""
    found: dict[Any, Call] = {}
    for call in h.fake.sent("setMyCommands") + h.fake.sent("deleteMyCommands"):
        scope = call.params.get("scope") or {}
        if scope.get("type") == "chat" and scope.get("chat_id") == person_id:
            found[None] = call
        elif scope.get("type") == "chat_member" and scope.get("user_id") == person_id:
            found[scope["chat_id"]] = call
    return found


async def test_a_resident_a_volunteer_and_a_social_worker_see_what_they_may_use(
        harness: Harness) -> None:
    h = harness
    h.fake.clear()
    await set_up_grid(h)  # which clears what was sent: the menus are in the database
    for person in (RESIDENT, VOLUNTEER, WORKER):
        await h.send(person, "/help")
    assert await menus.set_of(h.db, RESIDENT.id) == {}, "Telegram's English menu is theirs"
    assert set(await menus.set_of(h.db, VOLUNTEER.id)) == {VOLUNTEER.id}
    assert set(await menus.set_of(h.db, WORKER.id)) == {WORKER.id, COMMUNITY_CHAT, GRID_CHAT}

    h.fake.clear()
    await h.send(NEIGHBOUR, "/start")  # a Chinese resident: Telegram's "zh" menu fits
    assert h.fake.sent("setMyCommands") == []
    await h.send(ADMIN, f"/grant volunteer {NEIGHBOUR.id}", GRID_CHAT)
    [private] = h.fake.sent("setMyCommands")
    assert private.params["scope"] == {"type": "chat", "chat_id": NEIGHBOUR.id}
    with speaking(h.app.i18n, "zh_Hans"):
        everyone = private_commands()
        assert [c["description"] for c in private.params["commands"]][:3] == [
            c.description for c in everyone[:3]]
    assert {"mytasks", "myhours", "logservice"} <= set(names(private))
    assert not {"mytasks", "myhours"} & {c.command for c in everyone}

    h.fake.clear()
    await h.send(ADMIN, f"/grant social_worker {NEIGHBOUR.id}", COMMUNITY_CHAT)
    own = menus_of(h, NEIGHBOUR.id)
    # Once in each group, and privately for /export, which staff may use there.
    assert set(own) == {COMMUNITY_CHAT, GRID_CHAT, None}
    assert len(h.fake.sent("setMyCommands")) == 3
    assert "export" in names(own.pop(None))
    with speaking(h.app.i18n, "zh_Hans"):
        staff = [c.description for c in group_commands(frozenset())]
    for call in own.values():
        assert {"people", "volunteers", "hours"} <= set(names(call))
        assert {"grant", "duty_set"}.isdisjoint(names(call)), "an admin's, not theirs"
        assert [c["description"] for c in call.params["commands"]][:2] == staff[:2]

    h.fake.clear()
    await h.send(ADMIN, f"/grant social_worker {NEIGHBOUR.id}", COMMUNITY_CHAT)  # already
    await h.send(NEIGHBOUR, "你好")
    assert h.fake.sent("setMyCommands") == h.fake.sent("deleteMyCommands") == []

    await h.send(ADMIN, f"/revoke social_worker {NEIGHBOUR.id}", COMMUNITY_CHAT)
    gone = menus_of(h, NEIGHBOUR.id)
    assert set(gone) == {COMMUNITY_CHAT, GRID_CHAT, None}
    assert "export" not in names(gone.pop(None)), "a volunteer's private menu again"
    assert {call.method for call in gone.values()} == {"deleteMyCommands"}
    assert set(await menus.set_of(h.db, NEIGHBOUR.id)) == {NEIGHBOUR.id}


async def test_a_language_chosen_gives_the_same_menu_in_that_language(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(VOLUNTEER, "/lang")
    await h.press_text(VOLUNTEER, h.fake.last_to(VOLUNTEER.id), "繁體中文")
    [menu] = [call for call in h.fake.sent("setMyCommands")
              if call.params.get("scope") == {"type": "chat", "chat_id": VOLUNTEER.id}]
    with speaking(h.app.i18n, "zh_Hant"):
        wanted = private_commands(frozenset(Role))
    assert "myhours" in names(menu)
    described = {c.command: c.description for c in wanted}
    assert all(c["description"] == described[c["command"]] for c in menu.params["commands"])
    h.fake.clear()
    await h.send(VOLUNTEER, "你好")  # set once
    assert h.fake.sent("setMyCommands") == []
