"""Members answer the notice: attend, cannot attend with a reason, a substitute."""

from __future__ import annotations

from html import escape

from aiogram import Bot, Router
from aiogram.filters import CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, links, meeting_notices
from bot.callbacks import RsvpCb, SubstituteCb
from bot.clock import Clock
from bot.filters import in_private, not_a_command, typed
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.states import AbsenceReason, SubstituteName
from handlers.admin import find_person, not_met
from handlers.meetings.common import refusal
from handlers.wish_form import not_text
from storage import meetings
from storage.db import Database
from storage.meetings import Outcome, Result
from storage.models import Meeting, MeetingSeries, Person, Place
from storage.people import Actor
from usecases import meetings as usecase


async def rsvp(query: CallbackQuery, callback_data: RsvpCb, bot: Bot, db: Database,
               actor: Actor, clock: Clock, messenger: Messenger, state: FSMContext) -> None:
    if callback_data.attend:
        outcome = await usecase.attend(messenger, actor, callback_data.meeting_id,
                                       now=clock.now())
        await query.answer(_("Thank you, you are on the list. See you there!") if outcome.ok
                           else refusal(outcome), show_alert=not outcome.ok)
        return
    async with db.transaction() as session:  # one read: the meeting and who is asked
        found = await meetings.get(db, callback_data.meeting_id)
        is_member = found is not None and actor.id in await meetings.members(session, found[1])
    if found is None:
        await query.answer(refusal(Outcome(Result.NOT_FOUND)), show_alert=True)
        return
    meeting, series, place = found
    if not is_member or meeting.starts_at <= clock.now():
        await query.answer(refusal(Outcome(Result.NOT_A_MEMBER if not is_member
                                            else Result.STARTED)), show_alert=True)
        return
    private = FSMContext(storage=state.storage, key=StorageKey(
        bot_id=bot.id, chat_id=actor.id, user_id=actor.id))
    if await _ask_reason(messenger, private, actor.person, meeting, series, place):
        await query.answer(_("I have written to you privately: please tell me why."))
        return
    await query.answer(url=await links.link(bot, Purpose.ABSENT, meeting.id or 0, actor.id))


async def _ask_reason(messenger: Messenger, state: FSMContext, person: Person,
                      meeting: Meeting, series: MeetingSeries, place: Place) -> bool:
    """Ask privately why they cannot attend; False when they never opened a private chat."""
    sent = await messenger.to_person(person, lambda: (
        _("{heading}\nWhy can you not attend? Reply with the reason; the host will see it. "
          "Your answer counts once you have given it.").format(
            heading=meeting_notices.heading(series, meeting, place)),
        ForceReply()))
    if sent is None:
        return False
    await state.set_state(AbsenceReason.reason)
    await state.update_data(meeting_id=meeting.id)
    return True


async def absent_link(message: Message, thing_id: int, db: Database, actor: Actor,
                      messenger: Messenger, state: FSMContext) -> None:
    found = await meetings.get(db, thing_id)
    if found is None:
        await message.answer(refusal(Outcome(Result.NOT_FOUND)))
        return
    await _ask_reason(messenger, state, actor.person, *found)


async def wrote_reason(message: Message, db: Database, actor: Actor, clock: Clock,
                       messenger: Messenger, state: FSMContext) -> None:
    meeting_id = int(await state.get_value("meeting_id", 0))
    outcome = await usecase.excuse(messenger, actor, meeting_id, message.text or "",
                                   now=clock.now())
    if outcome.result is Result.TOO_LONG:
        await message.answer(_("Please keep it under {limit} characters.").format(
            limit=meetings.MAX_REASON))
        return
    await state.clear()
    if not outcome.ok or outcome.series is None or outcome.meeting is None:
        await message.answer(refusal(outcome))
        return
    await message.answer(_("Noted: you cannot attend, and the host has your reason. You can "
                           "still change your answer on the notice until the meeting starts. "
                           "If someone of your role comes in your place, name them."),
                         reply_markup=keyboards.name_substitute(meeting_id))


async def substitute_pressed(query: CallbackQuery, callback_data: SubstituteCb,
                             state: FSMContext) -> None:
    await state.set_state(SubstituteName.name)
    await state.update_data(meeting_id=callback_data.meeting_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("Who comes in your place? Send their @username (someone "
                                     "who holds the same role as you)."))


async def wrote_substitute(message: Message, db: Database, actor: Actor, clock: Clock,
                           messenger: Messenger, state: FSMContext) -> None:
    person, asked = await find_person(message, (message.text or "").strip(), db, clock)
    if person is None:
        await message.answer(not_met(asked or "?"))
        return
    meeting_id = int(await state.get_value("meeting_id", 0))
    outcome = await usecase.substitute(messenger, actor, meeting_id, person, now=clock.now())
    if outcome.result is Result.BAD_TIME:
        await message.answer(_("{name} does not hold your role here; please name someone "
                               "who does.").format(name=escape(person.full_name)))
        return
    await state.clear()
    if not outcome.ok or outcome.series is None or outcome.meeting is None:
        await message.answer(refusal(outcome))
        return
    await message.answer(_("Thank you: {name} comes in your place; the host and they are "
                           "told.").format(name=escape(person.full_name)))


def router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(rsvp, RsvpCb.filter())
    router.message.register(absent_link, CommandStart(deep_link=True), Opens(Purpose.ABSENT),
                            in_private)
    router.message.register(wrote_reason, StateFilter(AbsenceReason.reason), typed)
    router.callback_query.register(substitute_pressed, SubstituteCb.filter())
    router.message.register(wrote_substitute, StateFilter(SubstituteName.name), typed)
    router.message.register(not_text, StateFilter(AbsenceReason.reason, SubstituteName.name),
                            not_a_command)
    return router
