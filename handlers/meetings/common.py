"""What the meeting routers share: refusals in words and the host check."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.messenger import Messenger
from storage import meetings, places
from storage.db import Database
from storage.meetings import Outcome, Result
from storage.models import MeetingSeries, Place
from storage.people import Actor
from storage.words import row_number
from usecases import meetings as usecase


def refusal(outcome: Outcome) -> str:
    match outcome.result:
        case Result.STARTED:
            return _("That meeting has already started.")
        case Result.SKIPPED:
            return _("That meeting will not take place anyway.")
        case Result.BAD_TIME:
            return _("The series does not meet on that day, or the new time has passed.")
        case Result.ENDED:
            return _("This meeting series has ended.")
        case Result.TOO_LONG:
            return _("That is too long: please keep it under {limit} characters.").format(
                limit=meetings.MAX_LOCATION)
        case Result.NOT_A_MEMBER:
            return _("Only members of this meeting can answer.")
        case _:
            return _("This meeting no longer exists.")


async def series_hosted(message: Message, number: str, db: Database, actor: Actor,
                  messenger: Messenger, usage: str) -> tuple[MeetingSeries, Place] | None:
    """The series a host-only command names, when the actor hosts it or is an admin there;
    otherwise they are told why and None is returned."""
    series_id = row_number(number)
    series, place = (await _run_by(db, actor, messenger, series_id) if series_id is not None
                     else (None, None))
    if series is None:
        await message.reply(usage)
        return None
    if place is None:
        await message.reply(not_the_host())
        return None
    return series, place


async def hosted_for_button(query: CallbackQuery, series_id: int, db: Database, actor: Actor,
                            messenger: Messenger) -> tuple[MeetingSeries, Place] | None:
    """As ``series_hosted``, for a button of a host-only answer (its pages)."""
    series, place = await _run_by(db, actor, messenger, series_id)
    if series is None or place is None:
        await query.answer(not_the_host() if series is not None
                           else refusal(Outcome(Result.NOT_FOUND)), show_alert=True)
        return None
    return series, place


async def _run_by(db: Database, actor: Actor, messenger: Messenger,
                  series_id: int) -> tuple[MeetingSeries | None, Place | None]:
    """The series, and its place when the actor may run it (usecases.meetings.run)."""
    ran = await usecase.run(messenger, actor, series_id)
    if ran.series is None or not ran.ok:
        return ran.series, None
    return ran.series, await places.by_id(db, ran.series.place_id)


def not_the_host() -> str:
    return _("Only the host or an admin can change this meeting series.")
