"""Topics (/topic and the call's button) and the host's agenda (/agenda)."""

from __future__ import annotations

import re
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import meeting_notices, paging, words_zh
from bot.callbacks import ListKind, ListPageCb
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command, typed
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.states import TopicText
from handlers.admin import not_bound
from handlers.meetings.common import hosted_for_button, not_the_host, refusal, series_hosted
from handlers.wish_form import not_text
from storage import meetings
from storage.db import Database
from storage.meetings import Outcome, Result
from storage.models import Meeting, MeetingSeries, MeetingState, Place, TopicState
from storage.people import Actor
from usecases import meetings as usecase


async def topic(message: Message, command: CommandObject, db: Database, actor: Actor,
                place: Place | None, clock: Clock, messenger: Messenger) -> None:
    if place is None:
        await message.reply(not_bound())
        return
    text = (command.args or "").strip()
    if not text:
        await message.reply(escape(_("Usage: /topic <your topic for the next meeting>")))
        return
    open_meeting = await meetings.taking_topics(db, place.id or 0, now=clock.now())
    if open_meeting is None:
        await message.reply(_("No meeting here is taking topics now."))
        return
    await _propose(message, *open_meeting, place, text, actor, clock, messenger)


async def _propose(message: Message, meeting: Meeting, series: MeetingSeries, place: Place,
                   text: str, actor: Actor, clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.propose(messenger, actor, meeting, series, place, text,
                                    now=clock.now())
    if not outcome.ok:
        await message.reply(_("Please keep it under {limit} characters.").format(
            limit=meetings.MAX_TOPIC) if outcome.result is Result.TOO_LONG else _(
            "Topics for this meeting are closed.") if outcome.result is Result.STARTED
            else refusal(outcome))
        return
    await message.reply(_("Thank you: your topic is in for {title} on {when}. The host decides "
                          "the agenda.").format(title=escape(series.title),
                                                when=meeting_notices.starts(meeting, place)))


async def topic_link(message: Message, thing_id: int, db: Database,
                     state: FSMContext) -> None:
    """The call's button opens a private chat that asks for the topic."""
    meeting_id = thing_id
    found = await meetings.get(db, meeting_id)
    if found is None:
        await message.answer(refusal(Outcome(Result.NOT_FOUND)))
        return
    meeting, series, place = found
    await state.set_state(TopicText.text)
    await state.update_data(meeting_id=meeting_id)
    await message.answer(_("{heading}\nWhat topic would you like to propose? Send it in one "
                           "message (at most {limit} characters).").format(
        heading=meeting_notices.heading(series, meeting, place), limit=meetings.MAX_TOPIC))


async def wrote_topic(message: Message, db: Database, actor: Actor, clock: Clock,
                      messenger: Messenger, state: FSMContext) -> None:
    found = await meetings.get(db, int((await state.get_data()).get("meeting_id", 0)))
    await state.clear()
    if found is None:
        await message.answer(refusal(Outcome(Result.NOT_FOUND)))
        return
    await _propose(message, *found, message.text or "", actor, clock, messenger)


def _agenda_usage() -> str:
    return escape(_("Usage: /agenda <number> [order <topic numbers in order> | decline <topic> "
                    "<reason> | merge <topic> <into topic> | confirm]"))


async def agenda(message: Message, command: CommandObject, db: Database, actor: Actor,
                 clock: Clock, messenger: Messenger) -> None:
    words = (command.args or "").split(maxsplit=1)
    hosted = await series_hosted(message, words[0] if words else "", db, actor, messenger,
                           _agenda_usage())
    if hosted is None:
        return
    series, place = hosted
    meeting = await _next_meeting(db, series, clock)
    if meeting is None:
        await message.reply(refusal(Outcome(Result.NOT_FOUND)))
        return
    if len(words) > 1 and not await _arrange(message, words[1], meeting, series, place, db,
                                             actor, clock, messenger):
        return
    await paging.send(message, await _agenda_of(db, meeting.id or 0), ListKind.AGENDA,
                      about=series.id or 0)


async def agenda_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                      actor: Actor, clock: Clock, messenger: Messenger) -> None:
    """The pages of /agenda: for the host or an admin, as the command is."""
    hosted = await hosted_for_button(query, callback_data.about, db, actor, messenger)
    if hosted is None:
        return
    meeting = await _next_meeting(db, hosted[0], clock)
    if meeting is None:
        await query.answer(refusal(Outcome(Result.NOT_FOUND)), show_alert=True)
        return
    await paging.turn(query, callback_data, await _agenda_of(db, meeting.id or 0))


async def _next_meeting(db: Database, series: MeetingSeries, clock: Clock) -> Meeting | None:
    """The meeting whose agenda is being prepared: the next one that will take place."""
    return next((m for m in await meetings.upcoming(db, series.id or 0, now=clock.now())
                 if m.state == MeetingState.SCHEDULED), None)


async def _arrange(message: Message, request: str, meeting: Meeting, series: MeetingSeries,
                   place: Place, db: Database, actor: Actor, clock: Clock,
                   messenger: Messenger) -> bool:
    typed, _space, rest = request.strip().partition(" ")
    action = words_zh.keyword(typed, words_zh.AGENDA)
    if action is None:
        await message.reply(_agenda_usage())
        return False
    words = rest.split(maxsplit=1) if action == "decline" else re.split(r"[\s,，、]+", rest)
    numbers = [n for n in (words_zh.number(w) for w in (
        words[:1] if action == "decline" else words)) if n is not None]
    note = words[1] if action == "decline" and len(words) > 1 else None
    change = await usecase.arrange(messenger, actor, meeting, series, place, now=clock.now(),
                                   action=action, numbers=numbers, note=note)
    if change.result is Result.NOT_ALLOWED:
        await message.reply(not_the_host())
        return False
    if change.result is not Result.OK:
        await message.reply(_agenda_usage() if change.result is Result.BAD_TIME
                            else _("The agenda is already confirmed."))
        return False
    return True


async def _agenda_of(db: Database, meeting_id: int) -> paging.Listing:
    """The topics with who proposed them and where they stand, then the agenda."""
    found = await meetings.get(db, meeting_id)
    async with db.transaction() as session:
        listed = await meetings.topics(session, meeting_id)
        names = await meetings.names(session, [t.proposer_id for t in listed if t.proposer_id])
    if found is None:
        return paging.Listing(refusal(Outcome(Result.NOT_FOUND)))
    meeting, series, place = found
    states = {TopicState.PROPOSED: _("proposed"), TopicState.ACCEPTED: _("on the agenda"),
              TopicState.DECLINED: _("declined"), TopicState.MERGED: _("merged")}
    entries = [_("{line} — {who} ({state})").format(
        line=meeting_notices.topic_line(number, listed_topic), who=escape(
            names.get(listed_topic.proposer_id, "") if listed_topic.proposer_id
            else _("offered from the grids")), state=states[TopicState(listed_topic.state)])
        for number, listed_topic in enumerate(listed, start=1)] or [_("No topics yet.")]
    agenda = meeting_notices.agenda_lines(meeting, listed)
    if agenda:  # the agenda's heading goes with its first topic, on the same page
        entries += ["\n".join(agenda[:3]), *agenda[3:]]
    return paging.Listing(meeting_notices.heading(series, meeting, place), entries,
                          footer="\n" + _agenda_usage())


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(topic, Command("topic"), in_group)
    router.message.register(agenda, Command("agenda"))
    router.callback_query.register(agenda_page, ListPageCb.filter(F.kind == ListKind.AGENDA))
    router.message.register(topic_link, CommandStart(deep_link=True), Opens(Purpose.TOPIC),
                            in_private)
    router.message.register(wrote_topic, StateFilter(TopicText.text), typed)
    router.message.register(not_text, StateFilter(TopicText.text), not_a_command)
    return router
