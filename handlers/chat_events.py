"""What happens to the chats themselves: upgrades, removal, anonymous admins."""

from __future__ import annotations

import logging
from html import escape

from aiogram import F, Router
from aiogram.filters import KICKED, LEFT, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated, Message
from aiogram.utils.i18n import gettext as _

from bot import labels
from bot.clock import Clock
from bot.filters import Magic
from bot.messenger import Messenger
from bot.settings import Settings
from storage import people, places
from storage.db import Database
from storage.models import Role

log = logging.getLogger(__name__)


async def group_upgraded(message: Message, db: Database, clock: Clock) -> None:
    """A group that became a supergroup gets a new id; its place keeps the binding."""
    assert message.migrate_to_chat_id is not None
    await places.move_chat(db, message.chat.id, message.migrate_to_chat_id, now=clock.now())


async def supergroup_created(message: Message, db: Database, clock: Clock) -> None:
    assert message.migrate_from_chat_id is not None
    await places.move_chat(db, message.migrate_from_chat_id, message.chat.id, now=clock.now())


async def removed_from_chat(event: ChatMemberUpdated, db: Database, clock: Clock,
                            messenger: Messenger, settings: Settings) -> None:
    place = await places.unbind_chat(db, event.chat.id, actor_id=event.from_user.id,
                                     now=clock.now())
    if place is None:
        return
    log.warning("removed from chat %s, place %s unbound", event.chat.id, place.id)
    admins = {p.id for p in await people.holders(db, place.id or 0, Role.ADMIN)}
    for admin_id in sorted(admins | settings.admin_ids):
        await messenger.tell(admin_id, f"unbound:{place.id}:{event.date.timestamp()}", lambda: (
            _("I was removed from the chat of the {kind} “{name}” (number {id}), so it is no "
              "longer bound. Its people and wishes are kept. Add me to a chat and send /bind "
              "there to bind it again.").format(kind=labels.place_kind(place.kind),
                                                name=escape(place.name), id=place.id),
            None,
        ))


async def anonymous_admin(message: Message) -> None:
    await message.reply(_("You are posting anonymously as the group or as a channel, so I "
                          "cannot tell who you are. Please turn off “Remain anonymous” or send "
                          "the command from your own account."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(group_upgraded, Magic(F.migrate_to_chat_id))
    router.message.register(supergroup_created, Magic(F.migrate_from_chat_id))
    router.my_chat_member.register(
        removed_from_chat, ChatMemberUpdatedFilter(member_status_changed=LEFT | KICKED)
    )
    # Anonymous admins and channels have no person behind them: a command (in a text or a
    # photo's caption) or a reply to the bot (an answer to a page) is answered here.
    for speaks in (F.text.startswith("/"), F.caption.startswith("/"),
                   F.reply_to_message.from_user.is_bot):
        router.message.register(anonymous_admin, Magic(F.sender_chat), Magic(speaks))
    return router
