"""/help: short in a group, each person's own commands privately; new members of a grid group
are greeted once with the same short help."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot import guide, labels
from bot.clock import Clock
from bot.filters import Magic, in_group, in_private
from bot.messenger import Messenger
from handlers.admin import not_bound
from storage import members, places
from storage.db import Database
from storage.models import Place, PlaceKind
from storage.people import Actor
from storage.settings import effective


async def _roles(db: Database, actor: Actor | None) -> set[str]:
    if actor is None:
        return set()
    async with db.transaction() as session:
        return await members.roles_held(session, actor.id)


async def help_in_private(message: Message, db: Database, actor: Actor | None) -> None:
    roles = await _roles(db, actor)
    superadmin = actor is not None and actor.superadmin
    await message.answer(guide.full_help(roles, superadmin=superadmin),
                         reply_markup=guide.private_menu(volunteer=guide.is_volunteer(roles)))


async def _sent_privately(messenger: Messenger, actor: Actor, roles: set[str]) -> bool:
    """The person's own commands, sent to their private chat; False when it is not open."""
    sent = await messenger.to_person(actor.person, lambda: (
        guide.full_help(roles, superadmin=actor.superadmin),
        guide.private_menu(volunteer=guide.is_volunteer(roles))))
    return sent is not None


async def help_in_group(message: Message, bot: Bot, db: Database, actor: Actor | None,
                        place: Place | None, messenger: Messenger) -> None:
    """Four lines for residents; whoever has more commands (volunteers, staff, admins) gets
    them privately, or a button to them when their private chat is not open yet."""
    roles = await _roles(db, actor)
    own = actor is not None and guide.has_own_commands(roles, superadmin=actor.superadmin)
    sent = own and actor is not None and await _sent_privately(messenger, actor, roles)
    all_commands = await guide.full_help_link(bot) if own and not sent else None
    note = [_("I sent you your own commands privately.")] if sent else []
    if place is not None and place.kind == PlaceKind.GRID:
        ways = await guide.group_links(bot, place)
        await message.reply("\n".join([guide.group_help(), *note]),
                            reply_markup=guide.group_buttons(ways, all_commands))
        return
    if place is None:
        text = not_bound()
    else:
        text = _("This is the chat of the {kind} “{name}”. The commands of each of you are "
                 "in a private chat with me: send me /help there.").format(
            kind=labels.place_kind(place.kind), name=escape(place.name))
    await message.reply("\n".join([text, *note]),
                        reply_markup=guide.link_to_all(await guide.full_help_link(bot)))


async def greet(message: Message, bot: Bot, db: Database, place: Place | None, clock: Clock,
                messenger: Messenger) -> None:
    """New members of a bound grid group, greeted once per person (a place setting)."""
    if place is None or place.kind != PlaceKind.GRID:
        return
    if not effective(await places.chain_of(db, place.id or 0)).greet_new_members:
        return
    newcomers = {user.id: user.first_name for user in message.new_chat_members or []
                 if not user.is_bot}
    greeted = await members.first_greetings(db, list(newcomers), place.id or 0,
                                            now=clock.now())
    if not greeted:
        return
    ways = await guide.group_links(bot, place)
    names = [newcomers[person_id] for person_id in greeted]
    await messenger.announce(place, f"greet:{place.id}:{message.message_id}", lambda: (
        guide.greeting(names), guide.group_buttons(ways)))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(help_in_private, Command("help"), in_private)
    router.message.register(help_in_private,
                            CommandStart(deep_link=True, magic=F.args == guide.FULL_HELP),
                            in_private)
    router.message.register(help_in_group, Command("help"), in_group)
    router.message.register(greet, Magic(F.new_chat_members), in_group)
    return router
