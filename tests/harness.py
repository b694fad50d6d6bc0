"""Drives the real Dispatcher and Bot against the fake Bot API, as Telegram users would."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram.types import Update

from bot import links
from bot.app import App
from bot.clock import FrozenClock
from bot.links import Purpose
from storage.models import Person
from tests.fake_telegram import BOT_ID, BOT_USERNAME, Call, FakeTelegram

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


@dataclass(frozen=True)
class Someone:
    id: int
    name: str
    language_code: str | None = "zh-hans"
    username: str | None = None
    # The English-speaking testers chose English with /lang before the test, so their private
    # chats stay English although their grid speaks Chinese (bot.i18n); False: a resident whose
    # phone merely runs Telegram in English.
    chose_english: bool = True

    @property
    def chosen_locale(self) -> str | None:
        return "en" if self.chose_english and self.language_code == "en" else None

    def user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.name}
        if self.language_code:
            user["language_code"] = self.language_code
        if self.username:
            user["username"] = self.username
        return user


ADMIN = Someone(1001, "Admin Wang", language_code="en", username="admin_wang")
WORKER = Someone(1002, "Worker Li", language_code="en", username="worker_li")
RESIDENT = Someone(1003, "Resident Zhang", language_code="en", username="zhang")
VOLUNTEER = Someone(1004, "Volunteer Chen", language_code="en", username="chen")
NEIGHBOUR = Someone(1005, "Neighbour Zhao", username="zhao")
STREET_CHAT, COMMUNITY_CHAT, GRID_CHAT = -1001, -1002, -1003


class Harness:
    def __init__(self, app: App, fake: FakeTelegram, clock: FrozenClock, *,
                 first_update_id: int = 1) -> None:
        """``first_update_id``: another instance's harness on the same database numbers its
        updates apart (Telegram numbers one bot's updates in one sequence)."""
        self.app = app
        self.fake = fake
        self.clock = clock
        self._update_ids = itertools.count(first_update_id)
        self._message_ids = itertools.count(100_000)
        self._introduced: set[int] = set()

    @property
    def db(self):
        return self.app.db

    async def feed(self, update: dict[str, Any], *, then_send: bool = True) -> None:
        """Handle the update; then let the outbox sender deliver what it queued, unless told
        to leave it queued."""
        update = {"update_id": next(self._update_ids), **update}
        await self.app.dispatcher.feed_update(
            self.app.bot, Update.model_validate(update, context={"bot": self.app.bot}))
        if then_send:
            await self.app.sender.drain()

    def _chat(self, who: Someone, chat_id: int | None) -> dict[str, Any]:
        if chat_id is None or chat_id == who.id:
            return {"id": who.id, "type": "private", "first_name": who.name}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}

    async def introduce(self, who: Someone) -> None:
        """Before ``who`` first writes: the language they chose, if they chose one."""
        if who.id in self._introduced:
            return
        self._introduced.add(who.id)
        if who.chosen_locale is None:
            return
        async with self.db.transaction() as session:
            person = await session.get(Person, who.id)
            if person is None:
                session.add(Person(id=who.id, full_name=who.name,
                                   language_code=who.language_code,
                                   locale=who.chosen_locale, created_at=self.clock.now()))
            elif person.locale is None:  # named by id before they wrote: a placeholder row
                person.locale = who.chosen_locale

    async def send(self, who: Someone, text: str, chat_id: int | None = None,
                   reply_to: dict[str, Any] | None = None, **extra: Any) -> int:
        """A message from ``who``; in their private chat unless ``chat_id`` is a group."""
        await self.introduce(who)
        message_id = next(self._message_ids)
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()),
            "chat": self._chat(who, chat_id), "from": who.user(), **extra,
        }
        if text:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        await self.feed({"message": message})
        return message_id

    def start_link(self, purpose: Purpose, thing_id: int, who: Someone | None = None) -> str:
        """``/start`` with the payload of a link the bot makes (signed, see bot.links)."""
        return "/start " + links.payload(self.app.bot, purpose, thing_id,
                                         who.id if who else None)

    async def open_link(self, who: Someone, purpose: Purpose, thing_id: int) -> None:
        await self.send(who, self.start_link(purpose, thing_id, who))

    async def press(self, who: Someone, call: Call, data: str, *,
                    then_send: bool = True) -> None:
        """Press a button of a message the bot sent."""
        await self.introduce(who)
        sent = self.fake.messages.get((call.chat_id or 0, call.message_id))
        assert sent is not None, "that message was never sent"
        await self.feed({"callback_query": {
            "id": str(next(self._update_ids)), "from": who.user(), "chat_instance": "ci",
            "message": sent, "data": data,
        }}, then_send=then_send)

    async def press_text(self, who: Someone, call: Call, label: str, *,
                         then_send: bool = True) -> None:
        await self.press(who, call, button(call, label), then_send=then_send)

    def last_alert(self) -> str:
        return self.fake.alerts()[-1]


def button(call: Call, label: str) -> str:
    """The callback data of the button whose text contains ``label``."""
    for item in call.buttons():
        if label in item["text"] and "callback_data" in item:
            return str(item["callback_data"])
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in call.buttons()]}")


def url_button(call: Call) -> str:
    for item in call.buttons():
        if "url" in item:
            return str(item["url"])
    raise AssertionError("no link button")


def bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "GridLink", "username": BOT_USERNAME}


def translate(harness: Harness, locale: str, msgid: str, **values: Any) -> str:
    """What the bot says for ``msgid`` in ``locale`` (the catalogs the bot itself uses)."""
    from aiogram.utils.i18n import gettext

    from bot.i18n import speaking

    with speaking(harness.app.i18n, locale):
        text = gettext(msgid)
    return text.format(**values) if values else text


async def set_up_grid(h: Harness) -> None:
    """Street, community and grid bound to their chats; a social worker and a volunteer."""
    await h.send(ADMIN, "/bind street 阳光街道", STREET_CHAT)
    await h.send(ADMIN, "/bind community 1 幸福社区", COMMUNITY_CHAT)
    await h.send(ADMIN, "/bind grid 2 第三网格", GRID_CHAT)
    await h.send(ADMIN, f"/grant social_worker {WORKER.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant volunteer {VOLUNTEER.id}", GRID_CHAT)
    for person in (WORKER, VOLUNTEER, RESIDENT):
        await h.send(person, "/start")
    h.fake.clear()
