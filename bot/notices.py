"""Messages about a wish to the people it concerns, each in their own language.

They go through the outbox, keyed by the audit row of the move they report, so each goes out
once: the claimer's contact details too, queued with the claim (bot.reaching). Only a claimer
who asks for them again through their link gets them at once
(``reaching.contact_to_claimer``).
"""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot import audience, cards, keyboards, labels
from bot.cards import headline
from bot.messenger import Messenger, Render, Rendered
from bot.paging import shorten
from storage import duty, media, people, places, wishes
from storage.models import (
    Lane,
    OutboxMessage,
    PageKind,
    Question,
    Role,
    Wish,
    WishState,
)

STAFF_FOR_WISHES = (Role.SOCIAL_WORKER,)
RESIDENT_OF = "resident-of-wish:"
ANSWERED_BY = "answered-by:"


def summary(wish: Wish) -> str:
    return f"<b>{escape(headline(wish))}</b>\n{escape(wish.text)}"


def contact_lines(wish: Wish) -> str:
    """The wish's contact details, for a private audience only (bot.audience); a group is
    told how staff get them instead."""
    if not audience.private_details_allowed():
        return _("The contact details are private: staff tap “Contact details” to receive "
                 "them in a private chat.")
    lines = [
        _("Contact phone: {phone}").format(phone=escape(wish.contact_phone or _("not given"))),
        _("Address: {address}").format(address=escape(wish.contact_address or _("not given"))),
    ]
    return "\n".join(lines)


def waiting_for_verification(wish: Wish) -> str:
    return _("Thank you! Micro-wish #{id} is saved. A social worker will check it first; "
             "I will tell you privately when it is posted.").format(id=wish.id)


async def resident(messenger: Messenger, wish: Wish, event: int | None, topic: str,
                   render: Render) -> None:
    """A notice to the wish's resident; if it bounces, the grid's social workers are told."""
    await messenger.tell(wish.resident_id, f"audit:{event}:{topic}", render,
                         on_undeliverable=f"{RESIDENT_OF}{wish.id}", wish_id=wish.id)


async def resident_claimed(messenger: Messenger, wish: Wish, event: int | None,
                           claimer_name: str, claim_id: int | None = None) -> None:
    """The resident hears who claimed their wish, with the way to write to them through the
    bot (bot.reaching) while the claim holds it."""
    def render() -> Rendered:
        text = (_("Good news: {name} has taken on your micro-wish #{id} and will contact "
                  "you.") if wish.taken_on else
                _("Good news: {name} has claimed your micro-wish #{id} and will contact "
                  "you.")).format(name=escape(claimer_name), id=wish.id)
        if claim_id is None:
            return text, None
        return "\n".join([text, _(
            "You can also write to them here with “Message the volunteer”: I pass your words "
            "on privately, without your Telegram account.")]), keyboards.message_the_volunteer(
            claim_id)

    await resident(messenger, wish, event, "claimed", render)


async def resident_released(messenger: Messenger, wish: Wish, event: int | None) -> None:
    await resident(messenger, wish, event, "released", lambda: (
        _("The volunteer could not go on with your micro-wish #{id}. "
          "It is open again for other volunteers.").format(id=wish.id),
        None,
    ))


async def resident_fulfilled(messenger: Messenger, wish: Wish, event: int | None,
                             claimer_name: str) -> None:
    def render() -> Rendered:
        text = "\n\n".join([
            _("{name} says your micro-wish #{id} is done. Is it solved?").format(
                name=escape(claimer_name), id=wish.id),
            summary(wish),
        ])
        return text, keyboards.rating(wish.id or 0)

    await resident(messenger, wish, event, "fulfilled", render)


async def resident_adopted(messenger: Messenger, wish: Wish, event: int | None) -> None:
    await resident(messenger, wish, event, "adopted", lambda: (
        _("The street office has taken up your micro-wish #{id} as a project: {note}").format(
            id=wish.id, note=escape(wish.adopted_note or "")),
        None,
    ))


async def resident_approved(messenger: Messenger, wish: Wish, event: int | None) -> None:
    await resident(messenger, wish, event, "approved", lambda: (
        _("Your micro-wish #{id} was approved and is now posted in your grid group.").format(
            id=wish.id),
        None,
    ))


async def resident_rejected(messenger: Messenger, wish: Wish, event: int | None) -> None:
    await resident(messenger, wish, event, "rejected", lambda: (
        _("Your micro-wish #{id} was not accepted. Reason: {reason}\n"
          "If you have questions, please ask your grid worker.").format(
            id=wish.id, reason=escape(wish.reject_reason or "")),
        None,
    ))


async def claimer_withdrawn(messenger: Messenger, wish: Wish, event: int | None,
                            claimer_id: int) -> None:
    await messenger.tell(claimer_id, f"audit:{event}:withdrawn", lambda: (
        _("The resident withdrew micro-wish #{id}. You do not need to do anything more. "
          "Thank you all the same!").format(id=wish.id),
        None,
    ))


async def claimer_rated(messenger: Messenger, wish: Wish, event: int | None, claimer_id: int,
                        score: int) -> None:
    await messenger.tell(claimer_id, f"audit:{event}:rated", lambda: (
        _("The resident says micro-wish #{id} is {solved} ({score} of 5).").format(
            id=wish.id, solved=labels.solved(score), score=score),
        None,
    ))


async def _grid_workers(messenger: Messenger, wish: Wish) -> list[int]:
    return [p.id for p in await people.holders(messenger.db, wish.grid_id, *STAFF_FOR_WISHES)]


async def staff_follow_up(messenger: Messenger, wish: Wish, event: int | None,
                          score: int) -> None:
    """A "not solved" rating reaches the grid's social workers instead of closing quietly."""
    for worker in await _grid_workers(messenger, wish):
        await messenger.tell(worker, f"audit:{event}:follow-up", lambda: (
            "\n\n".join([
                _("Follow-up needed: the resident rated micro-wish #{id} {score} of 5 "
                  "(not solved). It is open again.").format(id=wish.id, score=score),
                summary(wish),
                contact_lines(wish),
            ]),
            None,
        ))


async def ask_verification(messenger: Messenger, wish: Wish, event: int | None) -> None:
    """Ask the grid's social workers to verify; the community chat when none can be reached."""

    async with messenger.db.transaction() as session:  # the form's photos and voice
        attached = len(await media.of_wish(session, wish.id or 0))

    def render() -> Rendered:
        text = "\n\n".join([
            _("A new micro-wish needs your verification."),
            summary(wish),
            contact_lines(wish),
        ])
        return text, keyboards.media(wish.id or 0, attached,
                                     keyboards.verification(wish.id or 0))

    workers = await people.holders(messenger.db, wish.grid_id, *STAFF_FOR_WISHES)
    reachable = [worker.id for worker in workers if worker.reachable]
    for worker_id in reachable:
        await messenger.tell(worker_id, f"audit:{event}:verify", render)
    if reachable:
        return
    chain = await places.chain_of(messenger.db, wish.grid_id)
    if len(chain) > 1:
        await messenger.announce(chain[1], f"audit:{event}:verify", render)


async def publish(messenger: Messenger, wish: Wish, event: int | None) -> bool | None:
    """A new wish: its card goes up in the grid group, or it waits for verification; an
    urgent one, or a risk alert, pages the duty worker at once, whatever its state (whether
    anyone will see the page: ``page_if_at_risk``)."""
    if wish.state == WishState.OPEN:
        await cards.show(messenger, wish)
        from bot.volunteering import ping_volunteers  # it renders wishes with this module

        await ping_volunteers(messenger, wish)
    else:
        await ask_verification(messenger, wish, event)
    return await page_if_at_risk(messenger, wish)


async def page_if_at_risk(messenger: Messenger, wish: Wish) -> bool | None:
    """Page the duty worker about an urgent wish or a risk alert (``Wish.risk``): True when
    someone on duty, or the community chat, will see the page, False when nobody can; None
    for any other wish."""
    if not (wish.risk or wish.urgent):
        return None
    from bot.pages import PageNotices  # pages render wishes with this module's helpers

    async with messenger.db.transaction() as session:
        grid = await places.get(session, wish.grid_id)
        page = None if grid is None else await duty.open_page(
            session, place=grid, kind=PageKind.RISK if wish.risk else PageKind.URGENT,
            now=messenger.clock.now(), notify=PageNotices(messenger), wish_id=wish.id)
        if page is None:
            return False
        community = await places.get(session, page.community_id)
        return page.person_id is not None or (community is not None
                                              and community.chat_id is not None)


def alerted(reached: bool) -> str:
    """What the resident of an urgent wish or a risk alert is told at once."""
    if reached:
        return _("⚠️ I have alerted the social worker on duty. If a life is in danger, call "
                 "120 (ambulance) or 110 (police) now.")
    return _("⚠️ Nobody on duty can be reached through me right now. If a life is in danger, "
             "call 120 (ambulance) or 110 (police) now; otherwise please phone your community "
             "office.")


async def undeliverable(messenger: Messenger, row: OutboxMessage) -> None:
    """The sender could not reach someone; who must know is told (``row.on_undeliverable``)."""
    whom = row.on_undeliverable or ""
    if whom.startswith(RESIDENT_OF):
        await resident_unreachable(messenger, int(whom.removeprefix(RESIDENT_OF)))
    elif whom.startswith(ANSWERED_BY):
        staff_id, question_id = whom.removeprefix(ANSWERED_BY).split(":")
        await _answer_undelivered(messenger, int(staff_id), int(question_id))
    else:
        from bot import reaching  # it renders wishes with this module

        if whom.startswith(reaching.RELAYED_BY):
            await reaching.relay_undelivered(messenger, whom)


def answered_by(staff_id: int, question_id: int) -> str:
    """``on_undeliverable`` of an answer: the staff member who wrote it hears if it bounced."""
    return f"{ANSWERED_BY}{staff_id}:{question_id}"


async def _answer_undelivered(messenger: Messenger, staff_id: int, question_id: int) -> None:
    async with messenger.db.transaction() as session:
        question = await session.get(Question, question_id)
    asked = shorten(escape(question.text if question else ""), 60)
    await messenger.tell(staff_id, f"undelivered-answer:{question_id}", lambda: (
        _("Your answer to “{question}” could not be delivered: the resident has blocked me or "
          "never opened a private chat with me. Please reach them another way.").format(
            question=asked),
        None,
    ), lane=Lane.URGENT)


async def resident_unreachable(messenger: Messenger, wish_id: int) -> None:
    """The sender could not reach a resident: their grid's social workers are told."""
    wish = await wishes.get(messenger.db, wish_id)
    if wish is None:
        return
    for worker in await _grid_workers(messenger, wish):
        await messenger.tell(worker, f"unreachable:{wish_id}", lambda: (
            _("I cannot reach the resident of micro-wish #{id}: they have not opened a private "
              "chat with me, or have blocked me. Please contact them another way.").format(
                id=wish_id),
            None,
        ))
