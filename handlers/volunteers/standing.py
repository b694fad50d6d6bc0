"""A volunteer's standing and choices: /pause, /resume, /pings, /honour; the staff's
/volunteers, /suspend and /reinstate."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import labels, paging, volunteering, words_zh
from bot.callbacks import ListKind, ListPageCb
from bot.clock import Clock
from bot.filters import in_group
from bot.messenger import Messenger
from handlers.admin import find_person, not_met, not_staff, staff_here
from handlers.volunteers.common import standing_or_none
from storage import places, volunteers
from storage.db import Database
from storage.models import Place
from storage.people import Actor
from storage.volunteers import Result
from usecases import volunteers as usecase

# --- standing: pause, resume, suspend, reinstate, pings ---------------------------------------

async def pause(message: Message, actor: Actor, clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.pause(messenger, actor, now=clock.now())
    await message.answer(_("Paused. You will not be asked to claim or told about new wishes "
                           "until you send /resume. Enjoy your time off!") if outcome.ok
                         else standing_or_none(outcome))


async def resume(message: Message, actor: Actor, clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.resume(messenger, actor, now=clock.now())
    await message.answer(_("Welcome back! You can claim micro-wishes again.") if outcome.ok
                         else standing_or_none(outcome))


async def _switch(message: Message, command: CommandObject, messenger: Messenger, actor: Actor, *,
                  choice: str, usage: str, on: str, off: str) -> None:
    """/pings and /honour: a volunteer turns one of their choices on or off."""
    wanted = words_zh.switch(command.args or "")
    if wanted is None:
        await message.answer(escape(usage))
        return
    if not await usecase.choose(messenger, actor, **{choice: wanted}):
        await message.answer(_("You are not a volunteer yet. /volunteer signs you up."))
        return
    await message.answer(on if wanted else off)


async def pings(message: Message, command: CommandObject, messenger: Messenger,
                actor: Actor) -> None:
    await _switch(message, command, messenger, actor, choice="pings", usage=_(
        "Usage: /pings on|off — whether I tell you privately about new micro-wishes that suit "
        "you."), on=_("I will tell you about new micro-wishes that suit you."), off=_(
        "I will no longer tell you about new micro-wishes; you can still claim them in your "
        "grid group."))


async def honour(message: Message, command: CommandObject, messenger: Messenger,
                 actor: Actor) -> None:
    await _switch(message, command, messenger, actor, choice="public", usage=_(
        "Usage: /honour on|off — whether your name may appear on the monthly honour roll."),
        on=_("Your name may appear on the honour roll. Thank you!"),
        off=_("Your name will stay off the honour roll; your hours still count."))


async def list_volunteers(message: Message, db: Database, actor: Actor,
                          place: Place | None) -> None:
    if not await staff_here(message, db, actor, place) or place is None:
        return
    await paging.send(message, await _volunteers_of(db, place), ListKind.VOLUNTEERS)


async def volunteers_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                          actor: Actor, place: Place | None) -> None:
    refused = await not_staff(db, actor, place)
    if refused is not None or place is None:
        await query.answer(refused, show_alert=True)
        return
    await paging.turn(query, callback_data, await _volunteers_of(db, place))


async def _volunteers_of(db: Database, place: Place) -> paging.Listing:
    grids = await places.grids_under(db, place)
    names = {g.id: g.name for g in grids}
    found = await volunteers.of_grids(db, list(names))
    if not found:
        return paging.Listing(_("No volunteers have signed up here yet. Send /volunteer to "
                                "share the sign-up button."))
    return paging.Listing(_("<b>Volunteers of {place}</b>").format(place=escape(place.name)), [
        _("• {name} ({status}): {skills}; {grids}").format(
            name=escape(volunteer.real_name),
            status=labels.volunteer_status(volunteer.status),
            skills=escape(volunteering.skills_text(volunteer)),
            grids=escape(_(", ").join(names.get(g, "?") for g in grid_ids)))
        for volunteer, grid_ids in found])


async def suspend(message: Message, command: CommandObject, db: Database, actor: Actor,
                  place: Place | None, clock: Clock, messenger: Messenger) -> None:
    await _change_standing(message, command, db, actor, place, clock, messenger,
                           suspending=True)


async def reinstate(message: Message, command: CommandObject, db: Database, actor: Actor,
                    place: Place | None, clock: Clock, messenger: Messenger) -> None:
    await _change_standing(message, command, db, actor, place, clock, messenger,
                           suspending=False)


async def _change_standing(message: Message, command: CommandObject, db: Database,
                           actor: Actor, place: Place | None, clock: Clock,
                           messenger: Messenger, *, suspending: bool) -> None:
    usage = escape(_("Usage: /suspend @username|id <reason>, or reply to the volunteer's "
                     "message with /suspend <reason>.") if suspending else
                   _("Usage: /reinstate @username|id, or reply to the volunteer's message "
                     "with /reinstate."))
    if not await staff_here(message, db, actor, place):
        return
    replying = message.reply_to_message is not None
    words = (command.args or "").split(maxsplit=0 if replying else 1)
    who = None if replying else (words[0] if words else None)
    reason = (command.args or "").strip() if replying else (words[1] if len(words) > 1 else "")
    person, asked = await find_person(message, who, db, clock)
    if person is None:
        await message.reply(not_met(asked) if asked else usage)
        return
    if suspending and not reason.strip():
        await message.reply(usage)
        return
    outcome = (await usecase.suspend(messenger, actor, person.id, reason, now=clock.now())
               if suspending else
               await usecase.reinstate(messenger, actor, person.id, now=clock.now()))
    name = escape(outcome.volunteer.real_name if outcome.volunteer else person.full_name)
    if outcome.result is Result.NOT_ALLOWED:
        await message.reply(_("Only a social worker or an admin of a grid that {name} serves "
                              "can do that.").format(name=name))
    elif not outcome.ok:
        await message.reply(_("{name} is not a volunteer who can be suspended.").format(
            name=name) if suspending else _("{name} is not suspended.").format(name=name))
    else:
        await message.reply(_("{name} is suspended and has been told why.").format(name=name)
                            if suspending else _("{name} is active again.").format(name=name))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(pause, Command("pause"))
    router.message.register(resume, Command("resume"))
    router.message.register(pings, Command("pings"))
    router.message.register(honour, Command("honour"))
    router.message.register(list_volunteers, Command("volunteers"), in_group)
    router.callback_query.register(volunteers_page,
                                   ListPageCb.filter(F.kind == ListKind.VOLUNTEERS))
    router.message.register(suspend, Command("suspend"), in_group)
    router.message.register(reinstate, Command("reinstate"), in_group)
    return router
