"""Speaking to people and chats in their language: at once to the person acting, through the
outbox to everyone else."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import audience
from bot.clock import Clock
from bot.i18n import chat_locale, locale_of, speaking
from storage import outbox, people, places
from storage.db import Database
from storage.models import Lane, OutboxMessage, Person, Place

log = logging.getLogger(__name__)

Rendered = tuple[str, InlineKeyboardMarkup | None]
Render = Callable[[], Rendered]


class Messenger:
    def __init__(self, bot: Bot, db: Database, i18n: I18n, default_locale: str,
                 clock: Clock) -> None:
        self.bot = bot
        self.db = db
        self.i18n = i18n
        self.default_locale = default_locale
        self.clock = clock

    async def locale_of_person(self, person_id: int) -> str:
        async with self.db.transaction() as session:
            person = await session.get(Person, person_id)
            return (await locale_of(session, person, self.default_locale) if person
                    else self.default_locale)

    def locale_of_place(self, place: Place | None) -> str:
        return chat_locale(place, self.default_locale)

    def render(self, locale: str, render: Render, chat_id: int | None = None) -> Rendered:
        """Render in ``locale`` for the audience of ``chat_id`` (bot.audience): a group's text
        carries no contact field and has what people typed masked already in the outbox."""
        with speaking(self.i18n, locale), audience.addressing(chat_id) as whom:
            text, markup = render()
        if whom is audience.Audience.GROUP:
            text = audience.for_group(text)
        return text, markup

    def queued(self, key: str, chat_id: int, locale: str, render: Render, *,
               on_undeliverable: str | None = None, not_before: datetime | None = None,
               lane: Lane | None = None, wish_id: int | None = None) -> OutboxMessage:
        """An outbox row for ``chat_id``, rendered in ``locale``, keyed to happen once; in
        the person or the group lane unless told otherwise. ``wish_id`` names the wish it
        is news of, so that news held back is sent later only while it still matters
        (usecases.held)."""
        text, markup = self.render(locale, render, chat_id)
        now = self.clock.now()
        if lane is None:
            lane = Lane.PERSON if chat_id > 0 else Lane.GROUP
        return OutboxMessage(key=f"{key}>{chat_id}", chat_id=chat_id, text=text, lane=lane,
                             markup=markup.model_dump(exclude_none=True) if markup else None,
                             on_undeliverable=on_undeliverable, wish_id=wish_id,
                             not_before=not_before or now, created_at=now)

    async def for_person(self, session: AsyncSession, person_id: int, key: str,
                         render: Render, **options: Any) -> OutboxMessage:
        """A private message in the person's language, inside the caller's transaction."""
        person = await session.get(Person, person_id)
        locale = (await locale_of(session, person, self.default_locale) if person
                  else self.default_locale)
        return self.queued(key, person_id, locale, render, **options)

    def for_place(self, place: Place, key: str, render: Render,
                  **options: Any) -> list[OutboxMessage]:
        """A message to a place's chat in its language (none when it has no chat)."""
        if place.chat_id is None:
            return []
        return [self.queued(key, place.chat_id, self.locale_of_place(place), render, **options)]

    async def tell(self, person_id: int, key: str, render: Render, **options: Any) -> None:
        """Queue a private message in the person's language; ``key`` makes it happen once."""
        async with self.db.transaction() as session:
            await outbox.add(session, [await self.for_person(
                session, person_id, key, render, **options)])

    async def announce(self, place: Place, key: str, render: Render) -> None:
        """Queue a message to a place's chat in its language."""
        await outbox.enqueue(self.db, self.for_place(place, key, render))

    async def to_person(self, person: Person, render: Render) -> Message | None:
        """Write privately at once to the person acting now (as taken in with their update);
        None when they never opened a chat with the bot or blocked it."""
        async with self.db.transaction() as session:
            locale = await locale_of(session, person, self.default_locale)
        text, markup = self.render(locale, render, person.id)
        try:
            return await self.bot.send_message(person.id, text, reply_markup=markup)
        except TelegramForbiddenError:
            await people.mark_unreachable(self.db, person.id)
        except TelegramBadRequest as error:
            if "chat not found" not in error.message.lower():
                raise
            await people.mark_unreachable(self.db, person.id)
        return None

    async def to_place(self, place: Place, render: Render) -> Message | None:
        if place.chat_id is None:
            return None
        text, markup = self.render(self.locale_of_place(place), render, place.chat_id)
        try:
            return await self.bot.send_message(place.chat_id, text, reply_markup=markup)
        except (TelegramForbiddenError, TelegramBadRequest) as error:
            log.warning("cannot post in place %s: %s", place.id, error)
            return None

    async def edit(self, chat_id: int, message_id: int, locale: str, render: Render) -> bool:
        text, markup = self.render(locale, render, chat_id)
        try:
            await self.bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id,
                                             reply_markup=markup)
        except TelegramBadRequest as error:
            if "not modified" in error.message:
                return True
            log.warning("cannot edit message %s in %s: %s", message_id, chat_id, error)
            return False
        except TelegramForbiddenError as error:
            log.warning("cannot edit message %s in %s: %s", message_id, chat_id, error)
            return False
        return True

    async def place_of_chat(self, chat_id: int) -> Place | None:
        return await places.by_chat(self.db, chat_id)
