"""Private messages about a wish to the people it concerns, each in their own language."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.cards import headline
from bot.messenger import Messenger, Rendered
from storage import people, places
from storage.models import Role, Wish

STAFF_FOR_WISHES = (Role.SOCIAL_WORKER,)


def summary(wish: Wish) -> str:
    return f"<b>{escape(headline(wish))}</b>\n{escape(wish.text)}"


def contact_lines(wish: Wish) -> str:
    lines = [
        _("Contact phone: {phone}").format(phone=escape(wish.contact_phone or _("not given"))),
        _("Address: {address}").format(address=escape(wish.contact_address or _("not given"))),
    ]
    return "\n".join(lines)


def waiting_for_verification(wish: Wish) -> str:
    return _("Thank you! Micro-wish #{id} is saved. A social worker will check it first; "
             "I will tell you privately when it is posted.").format(id=wish.id)


async def contact_to_claimer(messenger: Messenger, wish: Wish) -> bool:
    def render() -> Rendered:
        text = "\n\n".join([
            _("You claimed this micro-wish. Thank you!"),
            summary(wish),
            contact_lines(wish),
            _("Only you and the staff of this place can see these details. "
              "When you have helped, tap Mark fulfilled."),
        ])
        return text, keyboards.claimer(wish.id or 0)

    return await messenger.to_person(wish.claimer_id or 0, render) is not None


async def resident_claimed(messenger: Messenger, wish: Wish, claimer_name: str) -> None:
    await messenger.to_person(wish.resident_id, lambda: (
        _("Good news: {name} has claimed your micro-wish #{id} and will contact you.").format(
            name=escape(claimer_name), id=wish.id),
        None,
    ))


async def resident_released(messenger: Messenger, wish: Wish) -> None:
    await messenger.to_person(wish.resident_id, lambda: (
        _("The volunteer could not go on with your micro-wish #{id}. "
          "It is open again for other volunteers.").format(id=wish.id),
        None,
    ))


async def resident_fulfilled(messenger: Messenger, wish: Wish, claimer_name: str) -> None:
    def render() -> Rendered:
        text = "\n\n".join([
            _("{name} says your micro-wish #{id} is fulfilled.").format(
                name=escape(claimer_name), id=wish.id),
            summary(wish),
            _("Please confirm and rate the help: 4–5 solved, 3 partly solved, "
              "1–2 not solved (a social worker will follow up)."),
        ])
        return text, keyboards.rating(wish.id or 0)

    await messenger.to_person(wish.resident_id, render)


async def resident_approved(messenger: Messenger, wish: Wish) -> None:
    await messenger.to_person(wish.resident_id, lambda: (
        _("Your micro-wish #{id} was approved and is now posted in your grid group.").format(
            id=wish.id),
        None,
    ))


async def resident_rejected(messenger: Messenger, wish: Wish) -> None:
    await messenger.to_person(wish.resident_id, lambda: (
        _("Your micro-wish #{id} was not accepted. Reason: {reason}\n"
          "If you have questions, please ask your grid worker.").format(
            id=wish.id, reason=escape(wish.reject_reason or "")),
        None,
    ))


async def claimer_withdrawn(messenger: Messenger, wish: Wish, claimer_id: int) -> None:
    await messenger.to_person(claimer_id, lambda: (
        _("The resident withdrew micro-wish #{id}. You do not need to do anything more. "
          "Thank you all the same!").format(id=wish.id),
        None,
    ))


async def claimer_rated(messenger: Messenger, wish: Wish, claimer_id: int, score: int) -> None:
    await messenger.to_person(claimer_id, lambda: (
        _("The resident rated your help with micro-wish #{id}: {score} of 5.").format(
            id=wish.id, score=score),
        None,
    ))


async def staff_follow_up(messenger: Messenger, wish: Wish, score: int) -> None:
    """A "not solved" rating reaches the grid's social workers instead of closing quietly."""
    for worker in await people.holders(messenger.db, wish.grid_id, *STAFF_FOR_WISHES):
        await messenger.to_person(worker.id, lambda: (
            "\n\n".join([
                _("Follow-up needed: the resident rated micro-wish #{id} {score} of 5 "
                  "(not solved). It is open again.").format(id=wish.id, score=score),
                summary(wish),
                contact_lines(wish),
            ]),
            None,
        ))


async def ask_verification(messenger: Messenger, wish: Wish) -> int:
    """Ask the grid's social workers to verify; the community chat when none can be reached."""

    def render() -> Rendered:
        text = "\n\n".join([
            _("A new micro-wish needs your verification."),
            summary(wish),
            contact_lines(wish),
        ])
        return text, keyboards.verification(wish.id or 0)

    reached = 0
    for worker in await people.holders(messenger.db, wish.grid_id, *STAFF_FOR_WISHES):
        if await messenger.to_person(worker.id, render) is not None:
            reached += 1
    if reached:
        return reached
    chain = await places.chain_of(messenger.db, wish.grid_id)
    community = chain[1] if len(chain) > 1 else None
    if community is not None and await messenger.to_place(community, render) is not None:
        return 1
    return 0
