"""What the volunteer routers share: how a volunteer's standing is said."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from storage.models import Volunteer, VolunteerStatus
from storage.volunteers import Outcome


def standing_text(volunteer: Volunteer) -> str:
    match volunteer.status:
        case VolunteerStatus.APPLIED:
            return _("Your volunteer application is waiting for a social worker. I will tell "
                     "you as soon as it is decided.")
        case VolunteerStatus.NEEDS_INFO:
            return _("A social worker asked about your application: {question}\nTap Answer "
                     "under that message to reply.").format(
                question=escape(volunteer.reason or ""))
        case VolunteerStatus.PAUSED:
            return _("You are a volunteer, paused for now. /resume when you are back.")
        case VolunteerStatus.SUSPENDED:
            return _("Your volunteer service is suspended: {reason}. Please talk to your "
                     "social worker.").format(reason=escape(volunteer.reason or ""))
        case _:
            return _("You are already a volunteer. /mytasks shows what you claimed; /pause "
                     "when you are away.")


def standing_or_none(outcome: Outcome) -> str:
    if outcome.volunteer is None:
        return _("You are not a volunteer yet. /volunteer signs you up.")
    return standing_text(outcome.volunteer)
