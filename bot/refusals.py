"""What to tell someone whose action on a wish did not go through."""

from datetime import datetime

from aiogram.fsm.context import FSMContext
from aiogram.utils.i18n import gettext as _

from bot import formatting, labels
from bot.i18n import current_locale
from storage.models import Wish, WishState
from storage.quotas import Hold, Reason
from storage.wishes import MAX_TEXT, Outcome, Result


def state_now(wish: Wish) -> str:
    return {
        WishState.SUBMITTED: _("This micro-wish is still waiting for verification."),
        WishState.OPEN: _("This micro-wish is open and waiting for a volunteer."),
        WishState.CLAIMED: _("This micro-wish is already claimed."),
        WishState.FULFILLED: _("This micro-wish is already marked fulfilled."),
        WishState.CLOSED: _("This micro-wish is already closed."),
        WishState.CANCELLED: _("This micro-wish was withdrawn by the resident."),
        WishState.REJECTED: _("This micro-wish was not accepted."),
    }[WishState(wish.state)]


def refusal(outcome: Outcome, limit: int = MAX_TEXT, not_allowed: str = "") -> str:
    """Why a step on a wish did not go through; ``not_allowed`` says who may take it."""
    match outcome.result:
        case Result.NOT_FOUND:
            return _("This micro-wish no longer exists.")
        case Result.WRONG_STATE if outcome.wish is not None:
            return state_now(outcome.wish)
        case Result.NOT_YOURS:
            return _("Only the person it belongs to can do that.")
        case Result.OWN_WISH:
            return _("You cannot claim your own micro-wish.")
        case Result.EMPTY:
            return _("The text is empty. Please write what you need.")
        case Result.TOO_LONG:
            return _("That is too long: please keep it under {limit} characters.").format(
                limit=limit)
        case Result.PASSED_ON if outcome.wish is not None:
            return _("This micro-wish has been {tier}; it is taken on there now.").format(
                tier=labels.tier(outcome.wish.tier))
        case Result.NOT_A_GRID:
            return _("Micro-wishes are posted in grid groups.")
        case Result.PAUSED:
            return _("You paused your volunteering. Send me /resume in a private chat first.")
        case Result.SUSPENDED:
            return _("Your volunteer service is suspended, so you cannot claim. Please talk to "
                     "your social worker.")
        case Result.NOT_ALLOWED if not_allowed:
            return not_allowed
        case _:
            return _("This button is no longer valid.")


def claimer_refusal(outcome: Outcome) -> str:
    """For the claimer's buttons: someone else's claim is not theirs to change."""
    if outcome.result is Result.NOT_YOURS:
        return _("Only the volunteer who claimed it can do that.")
    return refusal(outcome)


def _at(moment: datetime, hold: Hold, now: datetime) -> str:
    return formatting.time_from(moment, now, hold.timezone, current_locale())


def wish_held(hold: Hold, now: datetime, *, kept: bool) -> str:
    """A wish beyond the limits on people: why, when to send it again (``kept``: the form
    keeps it for Submit), and where an urgent matter goes instead."""
    until = _at(hold.until, hold, now)
    then = _("This one is not posted: please send it again after {time}.")
    match hold.reason:
        case Reason.REPEATED:
            why = _("You sent these same words at {time}: they are micro-wish #{id} "
                    "already.").format(time=_at(hold.earlier_at or now, hold, now),
                                      id=hold.earlier_id)
            then = _("If you do need it twice, send it again after {time}.")
        case Reason.GROUP:
            why = _("This group has had as many micro-wishes in the past hour as it takes "
                    "({count}), so that each one is seen.").format(count=hold.limit)
        case _:
            why = _("You have posted as many micro-wishes in the past hour as one person may "
                    "({count}).").format(count=hold.limit)
    if kept:
        then = _("I kept this one for you: tap Submit again after {time}.")
    urgent = _("If it is urgent, send /ask in your grid group to reach the social worker on "
               "duty; in an emergency, call 110 (police) or 120 (ambulance).")
    return f"{why} {then.format(time=until)}\n{urgent}"


def question_held(hold: Hold, now: datetime) -> str:
    """A question beyond the limits on people: why, when to ask again, and what cannot wait."""
    until = _at(hold.until, hold, now)
    if hold.reason is Reason.REPEATED:
        why = _("You asked the same question at {asked}; the social worker on duty has it and "
                "will answer you privately. If you need to ask it again, please do after "
                "{time}.").format(asked=_at(hold.earlier_at or now, hold, now), time=until)
    else:
        why = _("You have asked as many questions in the past hour as one person may "
                "({count}). This one is not sent: please ask again after {time}.").format(
            count=hold.limit, time=until)
    urgent = _("If it cannot wait, please phone your community office; in an emergency, call "
               "110 (police) or 120 (ambulance).")
    return f"{why}\n{urgent}"


HELD = "held"  # FSM data in a group: the hold the person was last told about there


async def first_telling(state: FSMContext, hold: Hold) -> bool:
    """Whether to answer this attempt: only the first while ``hold`` lasts is answered in the
    chat, so that a flood of attempts does not become a flood of replies in the group."""
    mark = f"{hold.reason}@{hold.until.isoformat()}"
    if (await state.get_data()).get(HELD) == mark:
        return False
    await state.update_data({HELD: mark})
    return True
