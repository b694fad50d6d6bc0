"""/export: a place's records as a spreadsheet (or CSV files), sent privately.

``/export <what> [from] [to] [place] [csv|xlsx]``: what is wishes, hours, meetings, actions or
audit (or their Chinese words, bot.words_zh.EXPORTS); a day, a month or a year for the days
(this month so far when none is given); the place by its number (#12) or its name, else the
chat's place, else the one place where the person is staff. The file is built off the update's
handling, at most ``AT_ONCE`` at a time (``ExportQueue``), while the person sees "sending a
file"; asked in a group, only a short line is said there and the file goes to the person's
private chat.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import FSInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import audience, formatting, labels, links, words_zh
from bot.clock import Clock
from bot.i18n import current_locale, locale_of, speaking
from bot.workbooks import Column, Kind, Table, remove, write_csv, write_xlsx
from storage import exports as rows_of
from storage import places
from storage.db import Database
from storage.models import (
    ActionState,
    MeetingState,
    Place,
    ProposalState,
    ServiceState,
    WishState,
)
from storage.people import Actor
from storage.words import NO_ROW, row_number
from usecases import exports as usecase
from usecases.authority import Act
from usecases.exports import What

log = logging.getLogger(__name__)
AT_ONCE = 2  # exports built at the same time; more wait their turn
ACTION_EVERY = 4.5  # seconds: Telegram shows "sending a file" for five
QUEUE_KEY = "export_queue"
DEFAULT_TIMEZONE = "Asia/Shanghai"  # a private chat's today, before the place is known


# --- the queue -----------------------------------------------------------------------------------

@dataclass
class ExportQueue:
    """Exports being built, at most ``at_once`` at a time, one per person."""

    at_once: int = AT_ONCE
    _turns: asyncio.Semaphore | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _people: set[int] = field(default_factory=set)

    def has(self, person_id: int) -> bool:
        return person_id in self._people

    def ahead(self) -> int:
        """How many exports a new one would wait for."""
        return max(0, len(self._tasks) - self.at_once + 1)

    def start(self, person_id: int, job: Callable[[], Awaitable[None]]) -> int:
        """Start ``job`` when a turn is free; how many exports are ahead of it."""
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.at_once)
        ahead = self.ahead()
        self._people.add(person_id)
        task = asyncio.create_task(self._run(person_id, job), name=f"export-{person_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return ahead

    async def _run(self, person_id: int, job: Callable[[], Awaitable[None]]) -> None:
        assert self._turns is not None
        try:
            async with self._turns:
                await job()
        except Exception:
            log.exception("an export failed")
        finally:
            self._people.discard(person_id)

    async def finished(self) -> None:
        """Wait for every export started so far."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Give up the exports being built or waiting (their files are removed): a year's
        export would outlast the few seconds a stopping bot has. They may be asked again."""
        for task in self._tasks:
            task.cancel()
        await self.finished()


def queue_of(dispatcher: Dispatcher) -> ExportQueue:
    queue = dispatcher.workflow_data.get(QUEUE_KEY)
    if queue is None:
        queue = dispatcher.workflow_data[QUEUE_KEY] = ExportQueue()
    return queue


# --- what each column is called and how its values read -----------------------------------------

@dataclass(frozen=True)
class Field:
    header: Callable[[], str]
    kind: Kind = Kind.TEXT
    show: Callable[[Any], Any] | None = None
    confidential: bool = False


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def _wish_state(value: str) -> str:
    return {
        WishState.SUBMITTED: _("waiting for verification"),
        WishState.OPEN: _("open"),
        WishState.CLAIMED: _("claimed"),
        WishState.FULFILLED: _("fulfilled, waiting for confirmation"),
        WishState.CLOSED: _("done"),
        WishState.CANCELLED: _("withdrawn"),
        WishState.REJECTED: _("not accepted"),
    }.get(value, value)


def _claim_outcome(value: str | None) -> str:
    return {None: _("still holds it"), "fulfilled": _("fulfilled"),
            "released": _("gave it up"), "withdrawn": _("withdrawn by the resident"),
            "expired": _("released for lack of progress")}.get(value, value or "")


def _service_state(value: str) -> str:
    return {ServiceState.PENDING: _("waiting for confirmation"),
            ServiceState.CONFIRMED: _("confirmed"),
            ServiceState.REJECTED: _("not confirmed")}.get(value, value)


def _meeting_state(value: str) -> str:
    return {MeetingState.SCHEDULED: _("held as planned"),
            MeetingState.SKIPPED: _("skipped")}.get(value, value)


def _attended(present: Any) -> str:
    return _("present") if present else _("not present")


def _action_state(value: str) -> str:
    return {ActionState.OPEN: _("not done yet"), ActionState.DONE: _("done")}.get(value, value)


def _evaluated(kind: str) -> str:
    return _("social worker") if kind == "social_worker" else _("grid")


def _project_state(value: str) -> str:
    return _("completed") if value == ProposalState.COMPLETED else _("under way")


def _milestones(steps: tuple[tuple[str, str, str | None], ...]) -> str:
    """A project's milestones in one cell, a line each."""
    return "\n".join(
        _("{milestone}: due {due}, done {done}").format(milestone=title, due=due, done=done)
        if done else _("{milestone}: due {due}, not done").format(milestone=title, due=due)
        for title, due, done in steps)


def _safe(show: Callable[[Any], str]) -> Callable[[Any], Any]:
    def shown(value: Any) -> Any:
        return None if value is None else show(value)
    return shown


# (table, field) first, then the field alone.
FIELDS: dict[tuple[str, str] | str, Field] = {
    "id": Field(lambda: _("No.")),
    "grid": Field(lambda: _("Grid")),
    "category": Field(lambda: _("Category"), show=_safe(labels.category)),
    "state": Field(lambda: _("State")),
    ("wishes", "state"): Field(lambda: _("State"), show=_wish_state),
    "tier": Field(lambda: _("Level"), show=_safe(labels.tier)),
    "urgent": Field(lambda: _("Urgent"), show=_yes_no),
    "risk": Field(lambda: _("Risk alert")),
    "taken_on": Field(lambda: _("Taken on"), show=_yes_no),
    ("wishes", "text"): Field(lambda: _("Micro-wish"), Kind.LONG_TEXT),
    "resident": Field(lambda: _("Resident")),
    "phone": Field(lambda: _("Contact phone"), confidential=True),
    "address": Field(lambda: _("Address"), confidential=True),
    "created_at": Field(lambda: _("Created"), Kind.DATETIME),
    ("wishes", "created_at"): Field(lambda: _("Submitted"), Kind.DATETIME),
    ("ratings", "created_at"): Field(lambda: _("Rated"), Kind.DATETIME),
    "claimed_at": Field(lambda: _("Claimed"), Kind.DATETIME),
    "fulfilled_at": Field(lambda: _("Fulfilled"), Kind.DATETIME),
    "closed_at": Field(lambda: _("Closed"), Kind.DATETIME),
    "claimer": Field(lambda: _("Claimed by")),
    "reject_reason": Field(lambda: _("Reason rejected"), Kind.LONG_TEXT),
    "wish": Field(lambda: _("Micro-wish No.")),
    "ended_at": Field(lambda: _("Ended"), Kind.DATETIME),
    "outcome": Field(lambda: _("Outcome"), show=_claim_outcome),
    "from_claimer": Field(lambda: _("Messages from the claimer"), Kind.NUMBER),
    "from_resident": Field(lambda: _("Messages from the resident"), Kind.NUMBER),
    "score": Field(lambda: _("Stars"), Kind.NUMBER),
    "solved": Field(lambda: _("Solved?"), show=_safe(labels.solved)),
    "comment": Field(lambda: _("Comment"), Kind.LONG_TEXT),
    "volunteer": Field(lambda: _("Volunteer")),
    "served_on": Field(lambda: _("Day served"), Kind.DATE),
    "hours": Field(lambda: _("Hours"), Kind.NUMBER),
    "description": Field(lambda: _("Service"), Kind.LONG_TEXT),
    ("hours", "state"): Field(lambda: _("State"), show=_service_state),
    "logged_at": Field(lambda: _("Logged"), Kind.DATETIME),
    "decided_by": Field(lambda: _("Decided by")),
    "decided_at": Field(lambda: _("Decided"), Kind.DATETIME),
    "title": Field(lambda: _("Joint meeting")),
    "place": Field(lambda: _("Place")),
    "starts_at": Field(lambda: _("Starts"), Kind.DATETIME),
    ("meetings", "state"): Field(lambda: _("State"), show=_meeting_state),
    ("meetings", "present"): Field(lambda: _("Present"), Kind.NUMBER),
    "excused": Field(lambda: _("Excused"), Kind.NUMBER),
    "absent": Field(lambda: _("Absent"), Kind.NUMBER),
    "minutes": Field(lambda: _("Minutes"), Kind.LONG_TEXT),
    "decisions": Field(lambda: _("Decisions"), Kind.LONG_TEXT),
    "meeting": Field(lambda: _("Meeting No.")),
    "person": Field(lambda: _("Member")),
    ("attendance", "present"): Field(lambda: _("Attendance"), show=_attended),
    "reason": Field(lambda: _("Reason"), Kind.LONG_TEXT),
    "owner": Field(lambda: _("Owner")),
    ("actions", "text"): Field(lambda: _("Action item"), Kind.LONG_TEXT),
    "due_on": Field(lambda: _("Due"), Kind.DATE),
    ("actions", "state"): Field(lambda: _("State"), show=_action_state),
    "overdue": Field(lambda: _("Overdue"), show=_yes_no),
    "done_at": Field(lambda: _("Completed"), Kind.DATETIME),
    "at": Field(lambda: _("Time"), Kind.DATETIME),
    "actor": Field(lambda: _("By")),
    "entity": Field(lambda: _("Record")),
    "entity_id": Field(lambda: _("Record No.")),
    "action": Field(lambda: _("Action")),
    "from_state": Field(lambda: _("From")),
    "to_state": Field(lambda: _("To")),
    "detail": Field(lambda: _("Detail"), Kind.LONG_TEXT),
    "month": Field(lambda: _("Month")),
    "kind": Field(lambda: _("Evaluated"), show=_evaluated),
    "name": Field(lambda: _("Name")),
    "residents": Field(lambda: _("Residents' part"), Kind.NUMBER),
    "organisation": Field(lambda: _("Organisation's part"), Kind.NUMBER),
    "partners": Field(lambda: _("Partners' part"), Kind.NUMBER),
    "total": Field(lambda: _("Weighted total"), Kind.NUMBER),
    "ratings": Field(lambda: _("Ratings"), Kind.NUMBER),
    "solved_count": Field(lambda: _("Solved"), Kind.NUMBER),
    "partly_count": Field(lambda: _("Partly solved"), Kind.NUMBER),
    "not_solved_count": Field(lambda: _("Not solved"), Kind.NUMBER),
    "staff_reviews": Field(lambda: _("Admins' reviews"), Kind.NUMBER),
    "partner_reviews": Field(lambda: _("Partners' reviews"), Kind.NUMBER),
    ("evaluation", "comment"): Field(lambda: _("Their comment"), Kind.LONG_TEXT),
    "closed": Field(lambda: _("Month closed"), show=_yes_no),
    ("projects", "round"): Field(lambda: _("Round No.")),
    ("projects", "theme"): Field(lambda: _("Round")),
    ("projects", "organisation"): Field(lambda: _("Organisation")),
    ("projects", "title"): Field(lambda: _("Project")),
    ("projects", "state"): Field(lambda: _("State"), show=_project_state),
    ("projects", "budget"): Field(lambda: _("Budget (yuan)"), Kind.NUMBER),
    ("projects", "milestones"): Field(lambda: _("Milestones"), Kind.LONG_TEXT,
                                      show=_milestones),
    ("projects", "on_time"): Field(lambda: _("Milestones on time"), Kind.NUMBER),
    ("projects", "late"): Field(lambda: _("Milestones late"), Kind.NUMBER),
    ("projects", "not_answered_count"): Field(lambda: _("Not answered"), Kind.NUMBER),
    ("projects", "completed_on"): Field(lambda: _("Completed"), Kind.DATE),
}


def table_name(table: str) -> str:
    return {"wishes": _("Micro-wishes"), "claims": _("Claims"), "ratings": _("Ratings"),
            "hours": _("Service hours"), "meetings": _("Joint meetings"),
            "attendance": _("Attendance"), "actions": _("Action items"),
            "audit": _("Audit log"), "evaluation": _("Evaluation"),
            "projects": _("Micro-venture projects")}[table]


def what_name(what: What) -> str:
    return {What.WISHES: _("micro-wishes, claims and ratings"),
            What.HOURS: _("service hours"), What.MEETINGS: _("joint meetings and attendance"),
            What.ACTIONS: _("action items"), What.AUDIT: _("the audit log"),
            What.EVALUATION: _("the monthly evaluations"),
            What.PROJECTS: _("micro-venture projects and their milestones")}[what]


def _field(table: str, name: str) -> Field:
    return FIELDS.get((table, name)) or FIELDS[name]


def columns(table: str, fields: Sequence[str]) -> list[Column]:
    """The columns of a table in the language being rendered; contact details marked."""
    found = [_field(table, name) for name in fields]
    return [Column(_("{column} (confidential)").format(column=f.header()) if f.confidential
                   else f.header(), f.kind, f.confidential) for f in found]


async def _shown(table: str, fields: Sequence[str], rows: AsyncIterator[Sequence[Any]],
                 counted: list[int]) -> AsyncIterator[Sequence[Any]]:
    shows = [_remembered(show) if show is not None else None
             for show in (_field(table, name).show for name in fields)]
    async for row in rows:
        counted[0] += 1
        yield tuple(value if show is None else show(value)
                    for show, value in zip(shows, row, strict=True))


def _remembered(show: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``show`` asked once for each value (states, categories: a few values in a year of rows)
    in the language of this export."""
    known: dict[Any, Any] = {}

    def shown(value: Any) -> Any:
        if value not in known:
            known[value] = show(value)
        return known[value]
    return shown


def tables_of(db: Database, what: What, scope: rows_of.Scope) -> tuple[list[Table], list[int]]:
    """The tables of an export in the language being rendered, their rows read as they are
    written; the list's one number counts the rows written so far."""
    counted = [0]
    return [Table(table_name(part.table), columns(part.table, part.fields),
                  _shown(part.table, part.fields, part.rows, counted))
            for part in usecase.parts(db, what, scope)], counted


# --- reading the command ------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    what: What
    first_day: date
    last_day: date
    place_words: str | None
    csv: bool


def usage() -> str:
    return _("Usage: /export <what> [from] [to] [place] [csv]. What: wishes, hours, meetings, "
             "actions, audit, evaluation or projects (心愿, 时长, 会议, 事项, 日志, 考评, 项目). "
             "Days: "
             "2026-11-01, 11月, 2026-11 or 2026 (this month when none is given). Place: its "
             "number, e.g. #12, or its name (this chat's place when none is given). A workbook "
             "unless you add csv. Example: /export 心愿 2026-10 2026-11")


def parse(args: str, today: date) -> Request | str:
    """The request, or what is wrong with it in the reader's language."""
    words = args.split()
    if not words:
        return usage()
    what = words_zh.keyword(words[0], words_zh.EXPORTS)
    if what is None:
        return _("I cannot export “{what}”. ").format(what=escape(words[0])) + usage()
    spans: list[tuple[date, date]] = []
    place_words: list[str] = []
    as_csv = False
    for word in words[1:]:
        kind = words_zh.keyword(word, words_zh.FILE_FORMATS)
        if kind is not None:
            as_csv = kind == "csv"
        elif (span := words_zh.span(word, today)) is not None:
            spans.append(span)
        elif words_zh.date_like(word):
            return _("There is no such day as “{day}”. Please write it like 2026-11-30.").format(
                day=escape(word))
        else:
            place_words.append(word)
    if len(spans) > 2:
        return _("Please give at most two days: from and to.")
    first, last = _days(spans, today)
    if first > last:
        return _("The first day ({first}) is after the last ({last}).").format(
            first=formatting.day(first, current_locale()),
            last=formatting.day(last, current_locale()))
    return Request(What(what), first, last, " ".join(place_words) or None, as_csv)


def _days(spans: list[tuple[date, date]], today: date) -> tuple[date, date]:
    if not spans:
        return today.replace(day=1), today
    if len(spans) == 1:
        return spans[0]
    return spans[0][0], spans[1][1]


# --- the place ----------------------------------------------------------------------------------

async def _named_place(db: Database, words: str) -> Place | str:
    number = row_number(words)
    if number is not None:
        found = await places.by_id(db, number) if number != NO_ROW else None
        if found is None:
            return _("There is no place #{number}. /places lists yours.").format(
                number=escape(words.lstrip("#")))
        return found
    named = await rows_of.places_named(db, words)
    if not named:
        return _("There is no place called “{name}”. /places lists yours.").format(
            name=escape(words))
    if len(named) > 1:
        return _("Several places are called “{name}”: please give its number ({numbers}).").format(
            name=escape(words), numbers=", ".join(f"#{p.id}" for p in named))
    return named[0]


async def _place(db: Database, actor: Actor, request: Request, chat_place: Place | None
                 ) -> Place | str:
    if request.place_words is not None:
        return await _named_place(db, request.place_words)
    if chat_place is not None:
        return chat_place
    mine = await usecase.places_of(db, actor)
    if len(mine) == 1:
        return mine[0]
    if not mine and actor.superadmin:
        return _("Which place? Please add its number, e.g. /export wishes #1 (/places lists "
                 "them).")
    if not mine:
        return _("Only the staff of a place can export its records.")
    return _("Which place? Please add its number: {places}.").format(
        places=", ".join(f"#{p.id} {escape(p.name)}" for p in mine))


# --- the command --------------------------------------------------------------------------------

async def export(message: Message, command: CommandObject, db: Database, actor: Actor,
                 place: Place | None, clock: Clock, bot: Bot, dispatcher: Dispatcher,
                 i18n: I18n) -> None:
    zone = ZoneInfo(place.timezone if place is not None else DEFAULT_TIMEZONE)
    request = parse(command.args or "", clock.now().astimezone(zone).date())
    if isinstance(request, str):
        await message.reply(request)
        return
    target = await _place(db, actor, request, place)
    if isinstance(target, str):
        await message.reply(target)
        return
    if not await usecase.allowed(db, actor, request.what, target):
        await message.reply(_not_allowed(request.what, target))
        return
    in_group = message.chat.type != "private"
    if in_group and not actor.person.reachable:
        await message.reply(
            _("I send exports privately, and you have not opened a private chat with me yet. "
              "Tap the button, press Start, then ask again here."),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
                text=_("Open a private chat"), url=await links.private_chat(bot))]]))
        return
    queue = queue_of(dispatcher)
    if queue.has(actor.id):
        await message.reply(_("Your previous export is still being prepared. Please wait for "
                              "it."))
        return
    prepared = await usecase.prepare(db, actor, request.what, target, request.first_day,
                                     request.last_day, now=clock.now())
    if not prepared.ok or prepared.scope is None:
        await message.reply(_not_allowed(request.what, target))
        return
    if in_group:
        await message.reply(_("I am sending it to you privately."))
    async with db.transaction() as session:
        locale = await locale_of(session, actor.person, i18n.default_locale)
    ahead = queue.ahead()
    with speaking(i18n, locale), audience.addressing(actor.id), suppress(TelegramAPIError):
        await bot.send_message(actor.id, _waiting(ahead) if ahead else _preparing(request,
                                                                                  target))
    queue.start(actor.id, Job(bot, db, i18n, locale, actor.id, request, target,
                              prepared.scope).run)


def _not_allowed(what: What, target: Place) -> str:
    if what is What.EVALUATION:
        return _("Only an admin of {place} can export its evaluations.").format(
            place=escape(target.name))
    if usecase.act_for(what) is not Act.EXPORT_RECORDS:
        return _("Only an admin of {place} can export its audit log.").format(
            place=escape(target.name))
    return _("Only the staff of {place} can export its records.").format(
        place=escape(target.name))


def _preparing(request: Request, target: Place) -> str:
    return _("Preparing the export of {what} of {place}…").format(
        what=what_name(request.what), place=escape(target.name))


def _waiting(ahead: int) -> str:
    return _("Your export waits for {count} other export(s) to be finished; it comes as soon "
             "as they are.").format(count=ahead)


# --- building and sending, off the update's handling --------------------------------------------

@dataclass
class Job:
    bot: Bot
    db: Database
    i18n: I18n
    locale: str
    person_id: int
    request: Request
    target: Place
    scope: rows_of.Scope

    async def run(self) -> None:
        with speaking(self.i18n, self.locale), audience.addressing(self.person_id):
            uploading = asyncio.create_task(self._keep_showing_upload())
            try:
                files, counted = await self._write()
            finally:
                uploading.cancel()
            try:
                await self._send(files, counted)
            finally:
                for path, _name in files:
                    remove(path)

    async def _keep_showing_upload(self) -> None:
        while True:
            try:
                await self.bot.send_chat_action(self.person_id, ChatAction.UPLOAD_DOCUMENT)
            except TelegramAPIError:
                return
            await asyncio.sleep(ACTION_EVERY)

    async def _write(self) -> tuple[list[tuple[Path, str]], int]:
        tables, counted = tables_of(self.db, self.request.what, self.scope)
        zone = self.scope.timezone
        if not self.request.csv:
            path = await write_xlsx(tables, timezone=zone)
            return [(path, self._file_name(None, "xlsx"))], counted[0]
        files: list[tuple[Path, str]] = []
        try:
            for table in tables:
                path = await write_csv(table, timezone=zone)
                files.append((path, self._file_name(table.name, "csv")))
        except BaseException:
            for path, _name in files:
                remove(path)
            raise
        return files, counted[0]

    def _file_name(self, table: str | None, suffix: str) -> str:
        words = [table or what_name(self.request.what).split(",")[0], self.target.name,
                 self.scope.first_day.isoformat(), self.scope.last_day.isoformat()]
        return _FILE_NAME_UNSAFE.sub("_", "_".join(words)) + "." + suffix

    async def _send(self, files: list[tuple[Path, str]], rows: int) -> None:
        if rows == 0:
            await self.bot.send_message(self.person_id, _(
                "Nothing to export: {place} has no {what} from {first} to {last}.").format(
                **self._about()))
            return
        caption = _("{what} of {place}, {first} to {last}. Rows: {rows}.").format(
            rows=formatting.number(rows, self.locale), **self._about())
        if self.scope.contacts:
            caption += "\n" + _("⚠️ It holds contact details: keep it private and delete it "
                                "when done.")
        for index, (path, name) in enumerate(files):
            await self.bot.send_document(self.person_id, FSInputFile(path, filename=name),
                                         caption=caption if index == len(files) - 1 else None)

    def _about(self) -> dict[str, str]:
        return {"what": what_name(self.request.what), "place": escape(self.target.name),
                "first": formatting.day(self.scope.first_day, self.locale),
                "last": formatting.day(self.scope.last_day, self.locale)}


_FILE_NAME_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]+")


def router() -> Router:
    router = Router(name="exports")
    router.message.register(export, Command("export"))

    @router.shutdown()
    async def stop_exports(dispatcher: Dispatcher) -> None:
        await queue_of(dispatcher).stop()

    return router
