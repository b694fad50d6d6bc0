"""What the bot says about a joint meeting: the notice with its live answers, the reminders,
and word of a skipped or moved occurrence, each in the reader's language and the place's
time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import formatting, keyboards, links, paging
from bot.formatting import when
from bot.i18n import current_locale
from bot.links import Purpose
from bot.messenger import Messenger, Render, Rendered
from storage import meetings, minutes
from storage.models import (
    ActionItem,
    ActionState,
    Meeting,
    MeetingSeries,
    MeetingState,
    MeetingTopic,
    OutboxMessage,
    Place,
    TopicState,
)


def starts(meeting: Meeting, place: Place) -> str:
    return when(meeting.starts_at, place.timezone, current_locale())


def heading(series: MeetingSeries, meeting: Meeting, place: Place) -> str:
    return _("📋 <b>{title}</b>, {when}").format(title=escape(series.title),
                                                 when=starts(meeting, place))


MIN_LINE = 40  # a shortened agenda line still says what the topic is
MORE_LINE_ROOM = 40  # "…and 12 more", in any language


def topic_line(number: int, topic: MeetingTopic) -> str:
    text = escape(topic.text)
    if topic.wish_id is not None:
        text = _("{text} (micro-wish #{id})").format(text=text, id=topic.wish_id)
    return f"{number}. {text}"


def agenda_lines(meeting: Meeting, found: list[MeetingTopic]) -> list[str]:
    on_agenda = meetings.agenda(found)
    if not on_agenda:
        return []
    heading = (_("<b>Agenda</b>") if meeting.agenda_confirmed_at
               else _("<b>Agenda</b> (not yet confirmed by the host)"))
    return ["", heading, *(topic_line(n, t) for n, t in enumerate(on_agenda, start=1))]


def action_line(item: ActionItem, owner: str, place: Place, today: date) -> str:
    line = _("• {text} — {owner}, due {day}").format(
        text=escape(item.text), owner=escape(owner),
        day=formatting.day(item.due_on, current_locale()))
    if item.state == ActionState.DONE:
        return _("{line} (done)").format(line=line)
    return _("{line} (overdue)").format(line=line) if item.due_on < today else line


def notice(meeting: Meeting, series: MeetingSeries, place: Place, host: str,
           counts: meetings.Counts, found: list[MeetingTopic],
           actions: list[tuple[ActionItem, str]] | None = None,
           today: date | None = None) -> Rendered:
    lines = [heading(series, meeting, place)]
    if meeting.state == MeetingState.SKIPPED:
        return "\n".join([*lines, _("This meeting will not take place.")]), None
    if meeting.starts_at != meeting.planned_at:
        lines.append(_("Moved from {planned}.").format(
            planned=when(meeting.planned_at, place.timezone, current_locale())))
    lines.append(_("Duration: {minutes} minutes · Host: {host}").format(
        minutes=series.duration_minutes, host=escape(host)))
    if series.location:
        lines.append(_("Where: {location}").format(location=escape(series.location)))
    if meetings.late(meeting, series):
        lines.append(_("(This notice comes late: I was not running when it was due.)"))
    listed = agenda_lines(meeting, found)
    if actions:
        listed += ["", _("<b>Open action items</b>"),
                   *(action_line(item, owner, place, today or item.due_on)
                     for item, owner in actions)]
    closing = ["", _("Attending: {attend} · Cannot attend: {absent} · Not answered yet: "
                    "{silent}").format(attend=len(counts.attend), absent=len(counts.absent),
                                       silent=len(counts.silent)),
              *([_("Coming in someone's place: {count}").format(count=len(counts.substitutes))]
                if counts.substitutes else []),
              _("Members: please answer below. Whoever cannot attend says why."),
              ]
    return "\n".join(within_one_message(lines, listed, closing)), keyboards.rsvp(meeting.id or 0)


def within_one_message(head: list[str], listed: list[str], tail: list[str]) -> list[str]:
    """A notice is edited in place, so it must stay one message: when a long agenda or many
    action items make it too long, each of their lines is shortened alike, and lines that
    still do not fit are counted instead of shown (the host has the whole agenda)."""
    whole = [*head, *listed, *tail]
    if paging.size("\n".join(whole)) <= paging.BUDGET:
        return whole
    room = paging.BUDGET - paging.size("\n".join([*head, *tail])) - MORE_LINE_ROOM
    share = max(MIN_LINE, room // max(1, len(listed)) - 1)
    kept: list[str] = []
    for index, line in enumerate(listed):
        short = paging.shorten(line, share)
        room -= paging.size(short) + 1
        if room < 0:
            kept.append(_("…and {count} more").format(count=len(listed) - index))
            break
        kept.append(short)
    return [*head, *kept, *tail]


async def sync(messenger: Messenger, meeting_id: int, chat_id: int) -> int | None:
    """Post or edit a meeting's notice in a chat so it shows the answers as they are now."""
    async with messenger.db.transaction() as session:
        found = await meetings.context(session, meeting_id)
        if found is None:
            return None
        meeting, series, place = found
        counts = await meetings.counts(session, meeting, series)
        found = await meetings.topics(session, meeting_id)
        open_items = await minutes.open_actions(session, series.id or 0, meeting.starts_at)
        names = await meetings.names(session, [series.host_id,
                                               *(i.owner_id for i in open_items)])
        host = names.get(series.host_id, "")
    actions = [(item, names.get(item.owner_id, "")) for item in open_items]
    today = messenger.clock.now().astimezone(ZoneInfo(place.timezone)).date()
    chat_place = await messenger.place_of_chat(chat_id)
    locale = messenger.locale_of_place(chat_place) if chat_place else (
        await messenger.locale_of_person(chat_id))

    def render() -> Rendered:
        return notice(meeting, series, place, host, counts, found, actions, today)

    if meeting.notice_chat_id == chat_id and meeting.notice_message_id and await messenger.edit(
            chat_id, meeting.notice_message_id, locale, render):
        return meeting.notice_message_id
    text, markup = messenger.render(locale, render, chat_id)
    sent = await messenger.bot.send_message(chat_id, text, reply_markup=markup)
    if chat_place is not None:
        await meetings.record_notice(messenger.db, meeting_id, chat_id=chat_id,
                                     message_id=sent.message_id)
    return sent.message_id


class StepNotices:
    """Renders, inside the sweep's transaction, what each step of a meeting says to whom."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    async def __call__(self, session: AsyncSession, step: meetings.Step, meeting: Meeting,
                       series: MeetingSeries, place: Place,
                       now: datetime) -> list[OutboxMessage]:
        if step is meetings.Step.NOTICE:
            return await self._notice(session, meeting, series, place, now)
        if step is meetings.Step.CALL:
            return await self._call(meeting, series, place)
        counts = await meetings.counts(session, meeting, series)
        # The start time is in the key: a moved meeting is reminded of again.
        key = f"meeting:{meeting.id}:{meeting.starts_at:%Y%m%d%H%M}:{step}"
        if step is meetings.Step.REMINDER:
            return [await self.messenger.for_person(
                session, person_id, key, _answer_please(meeting, series, place))
                for person_id in counts.silent]
        return [await self.messenger.for_person(
            session, person_id, key, _starting_soon(meeting, series, place))
            for person_id in counts.attend]

    async def _call(self, meeting: Meeting, series: MeetingSeries,
                    place: Place) -> list[OutboxMessage]:
        link = await links.link(self.messenger.bot, Purpose.TOPIC, meeting.id or 0)

        def render() -> Rendered:
            return "\n".join([heading(series, meeting, place), escape(_(
                "Topics for this meeting are open until {cutoff}: send /topic <your topic> in "
                "this chat, or tap the button.").format(cutoff=when(
                    meetings.cutoff(meeting, series), place.timezone, current_locale())))]), \
                keyboards.link(_("Propose a topic"), link)

        return self.messenger.for_place(place, f"meeting:{meeting.id}:call", render)

    async def _notice(self, session: AsyncSession, meeting: Meeting, series: MeetingSeries,
                      place: Place, now: datetime) -> list[OutboxMessage]:
        """In the place's chat; a place without a chat gets it to each member privately."""
        if place.chat_id is not None:
            return [meetings.notice_row(meeting, place.chat_id, "posted", now)]
        return [meetings.notice_row(meeting, person_id, "posted", now)
                for person_id in await meetings.members(session, series)]


def _answer_please(meeting: Meeting, series: MeetingSeries, place: Place) -> Render:
    def render() -> Rendered:
        return "\n".join([heading(series, meeting, place), _(
            "You have not said yet whether you will come. Please answer; if you cannot "
            "attend, say why.")]), keyboards.rsvp(meeting.id or 0)

    return render


def _starting_soon(meeting: Meeting, series: MeetingSeries, place: Place) -> Render:
    def render() -> Rendered:
        lines = [heading(series, meeting, place), _("Starting soon. See you there!")]
        if series.location:
            lines.append(_("Where: {location}").format(location=escape(series.location)))
        return "\n".join(lines), None

    return render


def changed(meeting: Meeting, series: MeetingSeries, place: Place) -> Render:
    """Word to every member that an occurrence was skipped or moved."""
    def render() -> Rendered:
        if meeting.state == MeetingState.SKIPPED:
            text = _("{title} on {when} will not take place.").format(
                title=escape(series.title),
                when=when(meeting.planned_at, place.timezone, current_locale()))
        else:
            text = _("{title} is moved from {planned} to {when}.").format(
                title=escape(series.title),
                planned=when(meeting.planned_at, place.timezone, current_locale()),
                when=starts(meeting, place))
        return text, None

    return render


def action_news(step: minutes.ActionStep, item: ActionItem, series: MeetingSeries,
                place: Place, owner: str) -> Render:
    def render() -> Rendered:
        day = formatting.day(item.due_on, current_locale())
        if step is minutes.ActionStep.REMIND:
            return _("Reminder from {title}: “{text}” is due {day}. Tap Done when it is.").format(
                title=escape(series.title), text=escape(item.text), day=day), \
                keyboards.action_done(item.id or 0)
        return _("Overdue: “{text}” ({owner}) from {title} was due {day}.").format(
            text=escape(item.text), owner=escape(owner), title=escape(series.title),
            day=day), keyboards.action_done(item.id or 0)

    return render


class ActionNotices:
    """Renders, inside the sweep's transaction, an action item's reminder (to its owner) and
    its overdue notice (to the owner and the host)."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    async def __call__(self, session: AsyncSession, step: minutes.ActionStep, item: ActionItem,
                       series: MeetingSeries, place: Place) -> list[OutboxMessage]:
        owner = (await meetings.names(session, [item.owner_id])).get(item.owner_id, "")
        told = [item.owner_id] if step is minutes.ActionStep.REMIND else list(
            dict.fromkeys([item.owner_id, series.host_id]))
        return [await self.messenger.for_person(session, person_id,
                                                f"action:{item.id}:{step}",
                                                action_news(step, item, series, place, owner))
                for person_id in told]


@dataclass(frozen=True)
class Attendees:
    """The names in the minutes: present, excused with their reasons (请假), absent (缺席)."""

    present: list[str]
    excused: list[tuple[str, str]]
    absent: list[str]


def minutes_text(meeting: Meeting, series: MeetingSeries, place: Place, attendees: Attendees,
                 actions: list[tuple[ActionItem, str]]) -> str:
    return "\n".join(minutes_parts(meeting, series, place, attendees, actions))


def minutes_parts(meeting: Meeting, series: MeetingSeries, place: Place, attendees: Attendees,
                  actions: list[tuple[ActionItem, str]]) -> list[str]:
    """The minutes' heading, then their parts, each a line or a few; a section's heading
    comes with its first line, so that no page (bot.paging) ends with a heading."""
    today = meeting.starts_at.astimezone(ZoneInfo(place.timezone)).date()
    parts = [_("📝 <b>Minutes: {title}</b>, {when}").format(title=escape(series.title),
                                                          when=starts(meeting, place)),
             _("Present: {names}").format(names=names_text(attendees.present)),
             _("Excused: {names}").format(names=names_text([
                 _("{name} ({reason})").format(name=name, reason=reason)
                 for name, reason in attendees.excused])),
             _("Absent: {names}").format(names=names_text(attendees.absent))]
    if meeting.minutes:
        parts.append("\n".join(["", _("<b>Notes</b>"), escape(meeting.minutes)]))
    if meeting.decisions:
        parts.append("\n".join(["", _("<b>Decisions</b>"), escape(meeting.decisions)]))
    if actions:
        lines = [action_line(item, owner, place, today) for item, owner in actions]
        parts += ["\n".join(["", _("<b>Action items</b>"), lines[0]]), *lines[1:]]
    return parts


def names_text(names: list[str]) -> str:
    return escape(_(", ").join(names) or "—")


def topic_news(changed: MeetingTopic, series: MeetingSeries, meeting: Meeting,
                place: Place) -> Render:
    def render() -> tuple[str, None]:
        about = _("Your topic for {title} on {when}: “{text}”").format(
            title=escape(series.title), when=starts(meeting, place),
            text=escape(changed.text))
        if changed.state == TopicState.DECLINED:
            news = _("The host will not take it up this time: {reason}").format(
                reason=escape(changed.note or ""))
        elif changed.state == TopicState.MERGED:
            news = _("The host merged it into “{other}”.").format(
                other=escape(changed.note or ""))
        else:
            news = _("It is not on this meeting's agenda. You are welcome to propose it again "
                     "for the next one.")
        return f"{about}\n{news}", None

    return render


def new_topic(series: MeetingSeries, name: str, text: str) -> Render:
    return lambda: (_("New topic for {title} from {name}: {text}\n/agenda {number} to review "
                      "the topics.").format(title=escape(series.title), name=escape(name),
                                            text=escape(text), number=series.id), None)


def new_action(series: MeetingSeries, item: ActionItem) -> Render:
    return lambda: (_("New action item for you from {title}: “{text}”, due {day}. Tap Done "
                      "when it is.").format(title=escape(series.title), text=escape(item.text),
                                            day=formatting.day(item.due_on, current_locale())),
                    keyboards.action_done(item.id or 0))


def action_done(name: str, item: ActionItem) -> Render:
    return lambda: (_("{name} has done “{text}”.").format(name=escape(name),
                                                          text=escape(item.text)), None)


def absence(name: str, reason: str, meeting: Meeting, series: MeetingSeries,
            place: Place) -> Render:
    return lambda: (_("{name} cannot attend {title} on {when}: {reason}").format(
        name=escape(name), title=escape(series.title), when=starts(meeting, place),
        reason=escape(reason.strip())), None)


def substitute(substitute_name: str, name: str, meeting: Meeting, series: MeetingSeries,
               place: Place) -> Render:
    return lambda: (_("{substitute} will attend {title} on {when} in place of {name}.").format(
        substitute=escape(substitute_name), name=escape(name), title=escape(series.title),
        when=starts(meeting, place)), None)
