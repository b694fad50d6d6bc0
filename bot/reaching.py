"""Reaching the resident: what the claimer is shown about the resident, and the words the two
write to each other through the bot (usecases.relay), each in the reader's language.

The claimer always has a way to the resident: their name, the contact phone and address when
they gave them, the photos and voice messages of the form, and "Message the resident", whose
words reach the resident privately through the bot and whose answers come back the same way.
Neither sees the other's Telegram account unless they write it themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import audience, keyboards
from bot.messenger import Messenger, Render, Rendered
from bot.notices import contact_lines, summary
from storage import media, relay
from storage.models import Claim, Person, Wish
from storage.people import name_in
from storage.relay import Side

RELAYED_BY = "relayed-by:"  # outbox on_undeliverable: the writer hears their words wait


@dataclass(frozen=True)
class Reach:
    """What the claimer needs to reach the resident of a wish."""

    resident_name: str
    claim_id: int | None  # the claim whose conversation is open, if any
    media: int  # the wish's photos and voice messages


async def reach_in(session: AsyncSession, wish: Wish) -> Reach:
    return Reach(await name_in(session, wish.resident_id),
                 await relay.open_claim_id(session, wish.id or 0),
                 len(await media.of_wish(session, wish.id or 0)))


def contact_for_claimer(wish: Wish, reach: Reach) -> str:
    """The resident's name and the contact details they gave (none that they did not), and
    the ways to reach them; for a private audience only, as ``contact_lines``."""
    if not audience.private_details_allowed():
        return contact_lines(wish)
    lines = [_("Resident: {name}").format(name=escape(reach.resident_name))]
    if wish.contact_phone:
        lines.append(_("Contact phone: {phone}").format(phone=escape(wish.contact_phone)))
    if wish.contact_address:
        lines.append(_("Address: {address}").format(address=escape(wish.contact_address)))
    if reach.media:
        lines.append(_("The resident added photos or voice messages ({count}): tap “Photos "
                       "and voice” to see them.").format(count=reach.media))
    if reach.claim_id is not None:
        lines.append(_("Tap “Message the resident” to write to them: I pass your words on "
                       "privately and bring their answer back here. Neither of you sees the "
                       "other's Telegram account."))
    return "\n".join(lines)


def for_claimer(wish: Wish, reach: Reach) -> Render:
    """The claim's details and the claimer's buttons, for the claimer privately."""
    def render() -> Rendered:
        text = "\n\n".join([
            _("You took on this micro-wish.") if wish.taken_on
            else _("You claimed this micro-wish. Thank you!"),
            summary(wish),
            contact_for_claimer(wish, reach),
            _("Only you and the staff of this place can see these details. "
              "When you have helped, tap Mark fulfilled."),
        ])
        return text, keyboards.claimer(wish.id or 0, reach.claim_id, reach.media)

    return render


async def contact_to_claimer(messenger: Messenger, wish: Wish, claimer: Person) -> bool:
    """The claim's details, at once, to the claimer who asks for them again (a link)."""
    async with messenger.db.transaction() as session:
        reach = await reach_in(session, wish)
    return await messenger.to_person(claimer, for_claimer(wish, reach)) is not None


def relayed(wish: Wish, claim_id: int, side: Side, writer: str, words: str) -> Render:
    """What one side wrote, as the other reads it, with the button to answer."""
    def render() -> Rendered:
        if side is Side.CLAIMER:
            heading = _("💬 {name}, who is helping with your micro-wish #{id}, writes:")
        else:
            heading = _("💬 {name}, the resident of micro-wish #{id}, writes:")
        text = "\n".join([heading.format(name=escape(writer), id=wish.id), escape(words)])
        return text, keyboards.relay(claim_id, _("↩️ Reply"))

    return render


def prompt(side: Side, wish_id: int, other: str) -> str:
    """Asked of whoever pressed a relay button: write now."""
    if side is Side.CLAIMER:
        ask = _("Write your message to {name}, the resident of micro-wish #{id}, and send it "
                "here.")
    else:
        ask = _("Write your message to {name}, who is helping with your micro-wish #{id}, "
                "and send it here.")
    return " ".join([ask.format(name=escape(other), id=wish_id), _(
        "I will pass it on privately, without your Telegram account. /cancel to stop.")])


def passed_on(other: str) -> str:
    return _("On its way to {name}. Their answer will come here; if it cannot be delivered, "
             "I will tell you.").format(name=escape(other))


def relayed_by(writer_id: int, claim_id: int) -> str:
    """``on_undeliverable`` of a relayed message: its writer hears that it waits."""
    return f"{RELAYED_BY}{writer_id}:{claim_id}"


async def relay_undelivered(messenger: Messenger, whom: str) -> None:
    """A relayed message bounced: its writer is told it waits for the other to open a chat."""
    writer_id, claim_id = (int(part) for part in whom.removeprefix(RELAYED_BY).split(":"))
    async with messenger.db.transaction() as session:
        found = await relay.of_claim(session, claim_id)
        if found is None:
            return
        side = found.side_of(writer_id)
        other = await name_in(session, found.other(side)) if side is not None else ""
        wish_id = found.wish.id
    await messenger.tell(writer_id, f"relay-waits:{claim_id}:{writer_id}", lambda: (
        _("{name} has not opened a private chat with me yet, or has blocked me, so your message "
          "about micro-wish #{id} is waiting. I will deliver it if they open a chat with me "
          "while the micro-wish is still going.").format(name=escape(other), id=wish_id),
        None))


def relay_line(claim: Claim) -> str:
    """For staff: whether the claimer and the resident were in touch through the bot (the
    words stay theirs)."""
    if not (claim.from_claimer or claim.from_resident):
        return _("The claimer and the resident have not written to each other through me yet.")
    return _("Messages passed on through me: {claimer} from the claimer, {resident} from the "
             "resident.").format(claimer=claim.from_claimer, resident=claim.from_resident)
