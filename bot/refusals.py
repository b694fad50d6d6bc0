"""What to tell someone whose action on a wish did not go through."""

from aiogram.utils.i18n import gettext as _

from bot import labels
from storage.models import Wish, WishState
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
