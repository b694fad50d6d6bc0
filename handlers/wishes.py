"""The micro-wish flow in groups and private chats: post, claim, fulfil, rate, withdraw."""

from __future__ import annotations

from contextlib import suppress
from html import escape

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import gettext as _

from bot import cards, keyboards, labels, links, notices, reaching
from bot.callbacks import CommentCb, RateCb, WishAction, WishCb
from bot.clock import Clock
from bot.filters import in_group, in_private, typed
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.refusals import claimer_refusal, first_telling, refusal, state_now, wish_held
from bot.states import AdoptionNote, RatingComment, RejectReason
from handlers.admin import not_bound
from handlers.common import take_down_numbers
from handlers.hours import ask_wish_hours
from handlers.reaching import open_private_chat
from storage import people, relay, wishes
from storage.db import Database
from storage.models import Place, PlaceKind, Tier, WishState
from storage.people import Actor
from storage.wishes import MAX_COMMENT, MAX_REASON, Draft, Result
from storage.words import row_number
from usecases import contacts
from usecases import wishes as usecase
from usecases.contacts import Shown

# --- posting ------------------------------------------------------------------------------

async def wish_in_group(message: Message, command: CommandObject, bot: Bot, actor: Actor,
                        place: Place | None, clock: Clock, messenger: Messenger,
                        state: FSMContext) -> None:
    if place is None:
        await message.reply(not_bound())
        return
    if place.kind != PlaceKind.GRID:
        await message.reply(_("Micro-wishes are posted in grid groups. Please send /wish in "
                              "your grid's group."))
        return
    if not (command.args or "").strip():
        url = await links.link(bot, Purpose.WISH_FORM, place.id or 0)
        await message.reply(
            _("Tap the button to fill in your micro-wish step by step in a private chat with "
              "me. Your phone and address stay private there."),
            reply_markup=keyboards.link(_("✍️ Fill in the form"), url))
        return
    outcome = await usecase.post(
        messenger, actor, grid_id=place.id or 0, draft=Draft(text=command.args or ""),
        now=clock.now(), source_key=f"msg:{message.chat.id}:{message.message_id}")
    if outcome.hold is not None:  # their words stay in the group: they are told to resend
        if await first_telling(state, outcome.hold):
            await message.reply(wish_held(outcome.hold, clock.now(), kept=False))
        return
    if not outcome.ok or outcome.wish is None:
        await message.reply(refusal(outcome))
        return
    if outcome.duplicate:
        return
    if outcome.alerted is not None:
        await message.reply(notices.alerted(outcome.alerted))
    if outcome.wish.state != WishState.OPEN:
        await message.answer(notices.waiting_for_verification(outcome.wish))
    await take_down_numbers(message, outcome.wish.text, _(
        "I hid the number in your micro-wish and kept it as its private contact phone: only "
        "the volunteer who claims it and the social workers will see it. Phone and ID numbers "
        "should not be posted in the group."))


# --- claiming and fulfilling ---------------------------------------------------------------

TIER_OF = {WishAction.CLAIM: Tier.GRID, WishAction.TAKE_ON: Tier.COMMUNITY}


def _not_a_taker(action: WishAction) -> str:
    if action is WishAction.TAKE_ON:
        return _("Only social workers and organisation reps of this community can take on "
                 "micro-wishes.")
    return _("Only approved volunteers of this grid can claim micro-wishes. "
             "Ask your grid worker to sign you up.")


async def claim(query: CallbackQuery, callback_data: WishCb, bot: Bot, actor: Actor,
                clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.take(messenger, actor, callback_data.wish_id,
                                 TIER_OF[callback_data.action], now=clock.now())
    if not outcome.ok or outcome.wish is None:
        await query.answer(_take_refusal(outcome, callback_data.action), show_alert=True)
        return
    wish = outcome.wish
    if actor.person.reachable:  # the details were queued with the claim (usecases.wishes)
        await query.answer(_("You claimed it! I sent you the contact details privately."),
                           show_alert=True)
        return
    await query.answer(_("You claimed it! I cannot write to you yet: tap the button under the "
                         "card, press Start, and I will send you the contact details."),
                       show_alert=True)
    if isinstance(query.message, Message):
        url = await links.link(bot, Purpose.TASK, wish.id or 0, actor.id)
        await query.message.answer(
            _("{name}, please open a private chat with me to receive the contact details of "
              "micro-wish #{id}.").format(name=escape(await people.name_of(messenger.db,
                                                                          actor.id)),
                                          id=wish.id),
            reply_markup=keyboards.link(_("Open private chat"), url))


def _take_refusal(outcome: wishes.Outcome, action: WishAction) -> str:
    if outcome.result is Result.WRONG_STATE and outcome.wish is not None \
            and outcome.wish.state == WishState.CLAIMED:
        return _("Someone else was quicker: this micro-wish is already claimed. "
                 "Thank you all the same!")
    return refusal(outcome, not_allowed=_not_a_taker(action))


async def _ask_for_reply(query: CallbackQuery, state: FSMContext, step: State, wish_id: int,
                         prompt: str) -> None:
    """Wait for a reply about a wish; ForceReply makes the client reply, which a bot in
    privacy mode still receives in a group."""
    await state.set_state(step)
    await state.update_data(wish_id=wish_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(prompt, reply_markup=ForceReply(selective=True))


def _in_private(query: CallbackQuery) -> bool:
    """Whether a button was pressed in a private chat: what the bot says of the person who
    pressed it is then said to them ("you"), and in a group of them (their name)."""
    return isinstance(query.message, Message) and query.message.chat.type == "private"


async def _close_buttons(query: CallbackQuery, note: str,
                         then: InlineKeyboardMarkup | None = None) -> None:
    """Take the buttons off a private message once used, and say what happened (with the
    buttons ``then`` for what may follow)."""
    await query.answer()
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(escape(note), reply_markup=then)


async def release(query: CallbackQuery, callback_data: WishCb, actor: Actor, clock: Clock,
                  messenger: Messenger) -> None:
    outcome = await usecase.release(messenger, actor, callback_data.wish_id, now=clock.now())
    if not outcome.ok or outcome.wish is None:
        await query.answer(claimer_refusal(outcome), show_alert=True)
        return
    note = _("You let this micro-wish go; it is open again for other volunteers.")
    await _close_buttons(query, note)


async def fulfilled(query: CallbackQuery, callback_data: WishCb, actor: Actor, clock: Clock,
                    messenger: Messenger, state: FSMContext) -> None:
    outcome = await usecase.fulfil(messenger, actor, callback_data.wish_id, now=clock.now())
    if not outcome.ok or outcome.wish is None:
        await query.answer(claimer_refusal(outcome), show_alert=True)
        return
    note = _("Marked fulfilled. Thank you! The resident will be asked to confirm.")
    await _close_buttons(query, note, keyboards.add_proof(callback_data.wish_id))
    if isinstance(query.message, Message):
        await ask_wish_hours(query.message, state, callback_data.wish_id)


# --- the resident: withdraw, confirm and rate -----------------------------------------------

async def withdraw(query: CallbackQuery, callback_data: WishCb, actor: Actor, clock: Clock,
                   messenger: Messenger) -> None:
    outcome = await usecase.withdraw(messenger, actor, callback_data.wish_id, now=clock.now())
    if not outcome.ok or outcome.wish is None:
        await query.answer(refusal(outcome), show_alert=True)
        return
    note = _("You withdrew micro-wish #{id}.").format(id=outcome.wish.id)
    await _close_buttons(query, note)


async def rate(query: CallbackQuery, callback_data: RateCb, actor: Actor, clock: Clock,
               messenger: Messenger) -> None:
    outcome = await usecase.rate(messenger, actor, callback_data.wish_id, callback_data.score,
                                 now=clock.now())
    if not outcome.ok or outcome.wish is None:
        await query.answer(refusal(outcome), show_alert=True)
        return
    wish = outcome.wish
    if wish.state == WishState.OPEN:
        note = _("Thank you for telling us. A social worker will follow up, and the wish is "
                 "open again.")
    else:
        note = _("Thank you! You said it is {solved}.").format(
            solved=labels.solved(callback_data.score))
    await query.answer(note)
    if isinstance(query.message, Message):
        await query.message.edit_text(escape(note), reply_markup=keyboards.comment(wish.id or 0))


async def ask_comment(query: CallbackQuery, callback_data: CommentCb, db: Database,
                      actor: Actor, state: FSMContext) -> None:
    rating = await wishes.rating_of(db, callback_data.wish_id)
    if rating is None or rating.resident_id != actor.id:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await state.set_state(RatingComment.comment)
    await state.update_data(wish_id=callback_data.wish_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("Please write your comment (or /cancel)."))


async def save_comment(message: Message, actor: Actor, state: FSMContext,
                       messenger: Messenger) -> None:
    wish_id = await state.get_value("wish_id", 0)
    result = await usecase.comment(messenger, actor, wish_id, message.text or "")
    if result is not Result.OK:
        await message.answer(refusal(wishes.Outcome(result), MAX_COMMENT))
        return
    await state.clear()
    await message.answer(_("Thank you, your comment is saved."))


# --- verification by a social worker ------------------------------------------------------

def _verify_refusal(outcome: wishes.Outcome, limit: int = MAX_REASON) -> str:
    if outcome.result is Result.WRONG_STATE and outcome.wish is not None:
        return state_now(outcome.wish)
    return refusal(outcome, limit, not_allowed=_(
        "Only a social worker of this grid can verify micro-wishes."))


async def approve(query: CallbackQuery, callback_data: WishCb, actor: Actor, clock: Clock,
                  messenger: Messenger) -> None:
    outcome = await usecase.approve(messenger, actor, callback_data.wish_id, now=clock.now())
    if not outcome.ok or outcome.wish is None:
        await query.answer(_verify_refusal(outcome), show_alert=True)
        return
    note = (_("You approved it; it is now posted in the grid group.")
            if _in_private(query) else
            _("Approved by {name}; it is now posted in the grid group.").format(
                name=await people.name_of(messenger.db, actor.id)))
    await _close_buttons(query, note)


async def ask_reject_reason(query: CallbackQuery, callback_data: WishCb, actor: Actor,
                            state: FSMContext, messenger: Messenger) -> None:
    allowed = await usecase.may_verify(messenger, actor, callback_data.wish_id)
    if not allowed.ok or allowed.wish is None:
        await query.answer(_verify_refusal(allowed), show_alert=True)
        return
    await _ask_for_reply(query, state, RejectReason.reason, callback_data.wish_id, _(
        "Why is micro-wish #{id} not accepted? Reply with the reason; the resident will "
        "see it. /cancel to stop.").format(id=callback_data.wish_id))


async def reject_with_reason(message: Message, actor: Actor, state: FSMContext, clock: Clock,
                             messenger: Messenger) -> None:
    wish_id = await state.get_value("wish_id", 0)
    await _reject(message, actor, wish_id, message.text or "", clock, messenger)
    await state.clear()


async def reject_command(message: Message, command: CommandObject, actor: Actor, clock: Clock,
                         messenger: Messenger) -> None:
    words = (command.args or "").split(maxsplit=1)
    number = row_number(words[0]) if len(words) == 2 else None
    if number is None:
        await message.reply(escape(_("Usage: /reject <number> <reason>")))
        return
    await _reject(message, actor, number, words[1], clock, messenger)


async def _reject(message: Message, actor: Actor, wish_id: int, reason: str, clock: Clock,
                  messenger: Messenger) -> None:
    outcome = await usecase.reject(messenger, actor, wish_id, reason, now=clock.now())
    if not outcome.ok or outcome.wish is None:
        await message.reply(_verify_refusal(outcome))
        return
    await message.reply(_("Micro-wish #{id} is rejected; the resident has been told the "
                          "reason.").format(id=wish_id))


# --- the street office adopts a wish as a micro-venture project ---------------------------

def _only_the_street() -> str:
    return _("Only an admin of the street office can adopt micro-wishes as projects.")


async def ask_adoption_note(query: CallbackQuery, callback_data: WishCb, actor: Actor,
                            state: FSMContext, messenger: Messenger) -> None:
    allowed = await usecase.may_adopt(messenger, actor, callback_data.wish_id)
    if not allowed.ok:
        await query.answer(refusal(allowed, not_allowed=_only_the_street()), show_alert=True)
        return
    await _ask_for_reply(query, state, AdoptionNote.note, callback_data.wish_id, _(
        "How will the street office take up micro-wish #{id}? Reply with a short note "
        "(the project, who runs it); the resident will see it. /cancel to stop.").format(
        id=callback_data.wish_id))


async def adopt_with_note(message: Message, actor: Actor, state: FSMContext, clock: Clock,
                          messenger: Messenger) -> None:
    wish_id = await state.get_value("wish_id", 0)
    note = (message.text or "").strip()
    if (checked := wishes.check_text(note, MAX_REASON)) is not Result.OK:
        await message.reply(refusal(wishes.Outcome(checked), MAX_REASON))
        return
    await state.clear()
    outcome = await usecase.take(messenger, actor, wish_id, Tier.STREET, now=clock.now(),
                                 note=note)
    if not outcome.ok or outcome.wish is None:
        await message.reply(refusal(outcome, not_allowed=_only_the_street()))
        return
    await message.reply(_("Micro-wish #{id} is adopted as a project. When it is done, mark it "
                          "fulfilled from /mytasks.").format(id=wish_id))


async def contact_details(query: CallbackQuery, callback_data: WishCb, bot: Bot, actor: Actor,
                          clock: Clock, messenger: Messenger) -> None:
    shown = await contacts.send_contact(messenger, actor, callback_data.wish_id,
                                        now=clock.now())
    if shown is Shown.UNREACHABLE:
        await open_private_chat(query, bot, actor)
        return
    await query.answer({
        Shown.SENT: _("I sent you the contact details in a private chat."),
        Shown.NOT_FOUND: refusal(wishes.Outcome(Result.NOT_FOUND)),
        Shown.NOT_ALLOWED: _("Only the social workers of this grid and the volunteer who "
                             "claimed it can see the contact details."),
    }[shown], show_alert=True)


# --- lists -------------------------------------------------------------------------------

async def lists_are_private(message: Message, bot: Bot) -> None:
    url = await create_start_link(bot, "mine")
    await message.reply(_("I show your own lists only in a private chat."),
                        reply_markup=keyboards.link(_("Open private chat"), url))


async def my_wishes(message: Message, db: Database, actor: Actor,
                    messenger: Messenger) -> None:
    async with db.transaction() as session:  # the list and its cards, read together
        mine = await wishes.of_resident(db, actor.id)
        live = [w for w in mine if w.state in wishes.LIVE_STATES]
        views = await cards.load_views(messenger, live)
        claims = [await relay.open_claim_id(session, w.id or 0) for w in live]
    if not mine:
        await message.answer(_("You have no micro-wishes yet. Send /wish in your grid group "
                               "to post one."))
        return
    done = [w for w in mine if w.state not in wishes.LIVE_STATES]
    for wish, view, claim_id in zip(live, views, claims, strict=True):
        text, _markup = cards.render(view)
        markup = (keyboards.rating(wish.id or 0) if wish.state == WishState.FULFILLED
                  else keyboards.withdraw(wish.id or 0))
        await message.answer(text, reply_markup=keyboards.with_volunteer(markup, claim_id))
    if done:
        lines = [_("<b>Earlier micro-wishes</b>")]
        lines += [f"#{w.id} {escape(w.text[:40])} · {labels.wish_state(w.state)}"
                  for w in done]
        await message.answer("\n".join(lines))


async def my_tasks(message: Message, db: Database, actor: Actor) -> None:
    tasks = await wishes.of_claimer(db, actor.id)
    if not tasks:
        await message.answer(_("You have no claimed micro-wishes right now. Open ones are "
                               "posted in your grid group."))
        return
    async with db.transaction() as session:  # how to reach each resident, read together
        reaches = [await reaching.reach_in(session, wish) for wish in tasks]
    for wish, reach in zip(tasks, reaches, strict=True):
        if wish.state == WishState.CLAIMED:
            text = "\n\n".join([notices.summary(wish), reaching.contact_for_claimer(wish, reach)])
            await message.answer(text, reply_markup=keyboards.claimer(wish.id or 0,
                                                                      reach.claim_id,
                                                                      reach.media))
        else:
            await message.answer(notices.summary(wish) + "\n\n" + _(
                "Waiting for the resident to confirm."), reply_markup=keyboards.fulfilled(
                wish.id or 0, reach.claim_id))


async def task_link(message: Message, thing_id: int, db: Database, actor: Actor,
                    messenger: Messenger) -> None:
    wish = await wishes.get(db, thing_id)
    if wish is None or wish.claimer_id != actor.id or wish.state != WishState.CLAIMED:
        await message.answer(_("This link is no longer valid. /mytasks shows the wishes you "
                               "claimed."))
        return
    await reaching.contact_to_claimer(messenger, wish, actor.person)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(wish_in_group, Command("wish"), in_group)
    router.callback_query.register(
        claim, WishCb.filter(F.action.in_({WishAction.CLAIM, WishAction.TAKE_ON})))
    router.callback_query.register(ask_adoption_note, WishCb.filter(F.action == WishAction.ADOPT))
    router.message.register(adopt_with_note, StateFilter(AdoptionNote.note), typed)
    router.callback_query.register(release, WishCb.filter(F.action == WishAction.RELEASE))
    router.callback_query.register(fulfilled, WishCb.filter(F.action == WishAction.DONE))
    router.callback_query.register(withdraw, WishCb.filter(F.action == WishAction.WITHDRAW))
    router.callback_query.register(rate, RateCb.filter())
    router.callback_query.register(ask_comment, CommentCb.filter())
    router.message.register(save_comment, StateFilter(RatingComment.comment), typed)
    router.callback_query.register(approve, WishCb.filter(F.action == WishAction.APPROVE))
    router.callback_query.register(contact_details,
                                   WishCb.filter(F.action == WishAction.CONTACT))
    router.callback_query.register(ask_reject_reason, WishCb.filter(F.action == WishAction.REJECT))
    router.message.register(reject_with_reason, StateFilter(RejectReason.reason), typed)
    router.message.register(reject_command, Command("reject"))
    router.message.register(lists_are_private, Command("mywishes", "mytasks"), in_group)
    router.message.register(
        my_wishes, CommandStart(deep_link=True, magic=F.args == "mine"), in_private
    )
    router.message.register(my_wishes, Command("mywishes"), in_private)
    router.message.register(my_tasks, Command("mytasks"), in_private)
    router.message.register(
        task_link, CommandStart(deep_link=True), Opens(Purpose.TASK), in_private
    )
    return router
