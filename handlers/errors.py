"""The last resort: stale buttons, and an apology for anything that failed unexpectedly.

A failed update is stored with the user's words before the apology is sent, so nothing a
resident wrote is lost even when a handler crashes.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.i18n import for_update, speaking
from bot.metrics import Tally
from bot.settings import Settings
from storage import failures, people, places
from storage.db import Database

log = logging.getLogger(__name__)


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer valid."), show_alert=True)


async def apologise(event: ErrorEvent, bot: Bot, db: Database, i18n: I18n, clock: Clock,
                    settings: Settings, tally: Tally) -> None:
    update = event.update
    tally.failed += 1
    log.exception("update %s failed", update.update_id, exc_info=event.exception)
    message = update.message or (update.callback_query.message if update.callback_query
                                 else None)
    user = (update.message.from_user if update.message else
            update.callback_query.from_user if update.callback_query else None)
    chat = message.chat if message else None
    await failures.keep(db, update_id=update.update_id, chat_id=chat.id if chat else None,
                        person_id=user.id if user else None,
                        text=update.message.text or update.message.caption
                        if update.message else None,
                        payload=update.model_dump_json(exclude_none=True),
                        error=repr(event.exception), now=clock.now())
    person = await people.get(db, user.id) if user else None
    place = await places.by_chat(db, chat.id) if chat and chat.type != "private" else None
    locale = await for_update(db, in_group=chat is not None and chat.type != "private",
                              place=place, person=person,
                              language_code=user.language_code if user else None,
                              default=settings.default_locale)
    with speaking(i18n, locale):
        sorry = _("Sorry, something went wrong on my side. What you sent has been kept, and "
                  "the team will look into it. Please try again in a moment.")
        if update.callback_query is not None:
            await update.callback_query.answer(sorry, show_alert=True)
        elif chat is not None:
            await bot.send_message(chat.id, sorry)


def router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(stale_button)
    router.errors.register(apologise)
    return router
