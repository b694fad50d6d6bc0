"""The private form for a new matter of the residents' council: kind, title, question,
options, the discussion's and the vote's length, the quorum, hidden counts, then Open.

It opens from a community's link (``/matter new`` in its chat), from a community-tier wish
(``/matter wish <number>`` or the link beside it), and asks authority before it opens and again
when the matter is opened (``usecases.council``)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape

from aiogram import F, Router
from aiogram.filters import CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import council_notices as notices
from bot import words_zh
from bot.callbacks import MatterFormCb, MatterStep
from bot.clock import Clock
from bot.filters import in_private, not_a_command, typed
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.states import MatterForm
from handlers.wish_form import not_text, use_buttons
from storage import council, words
from storage.council import Draft, Result
from storage.db import Database
from storage.models import Matter, MatterKind
from storage.people import Actor
from usecases import council as usecase

DAYS = (1, 3, 7)
MAX_DAYS = 60
_OPTION_SPLIT = re.compile(r"\s*(?:\n|、|;|；|/|\|)\s*")
_PERCENT = re.compile(r"^(\d{1,3})\s*[%％]$")


def refusal(result: Result) -> str:
    match result:
        case Result.NOT_FOUND:
            return _("There is no such matter.")
        case Result.NOT_ALLOWED:
            return _("Only the community's admins and cadres can put a matter to the "
                     "residents' council, or close one.")
        case Result.NO_CHAT:
            return _("The community has no chat bound yet, so the matter cannot be posted.")
        case Result.EMPTY:
            return _("The text is empty. Please write a few words.")
        case Result.TOO_LONG:
            return _("That is too long. Please make it shorter.")
        case Result.CLOSED:
            return _("This matter is closed: its vote no longer changes.")
        case Result.OTHER_PLACE:
            return _("This button belongs to another community's matter.")
        case Result.NOT_ELIGIBLE:
            return _("Only residents of this community who have started a private chat with "
                     "me can vote or comment. Open a private chat with me first, then vote "
                     "again.")
        case Result.ALREADY:
            return _("That was done already.")
        case Result.UNDECIDED:
            return _("Only a decided matter can go to the joint meeting.")
        case Result.NO_MEETING:
            return _("No joint meeting of the community is taking topics now.")
        case _:
            return _("This matter is not open for that now.")


def _kind_buttons() -> InlineKeyboardMarkup:
    labels = {MatterKind.DELIBERATION: _("Deliberation (议事)"),
              MatterKind.HEARING: _("Hearing (听证)"), MatterKind.REVIEW: _("Review (评议)")}
    return _markup([(label, MatterStep.KIND, str(kind)) for kind, label in labels.items()])


def _markup(buttons: list[tuple[str, MatterStep, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=MatterFormCb(step=step,
                                                                     value=value).pack())]
        for text, step, value in buttons] + [[InlineKeyboardButton(
            text=_("Cancel"), callback_data=MatterFormCb(step=MatterStep.CANCEL).pack())]])


def _days(step: MatterStep) -> InlineKeyboardMarkup:
    return _markup([(_("{days} days").format(days=d) if d > 1 else _("1 day"), step, str(d))
                    for d in DAYS])


async def start(message: Message, state: FSMContext, clock: Clock, community_id: int,
                wish_id: int | None = None, proposal_id: int | None = None) -> None:
    await state.clear()
    await state.set_state(MatterForm.kind)
    await state.update_data(community_id=community_id, wish_id=wish_id, proposal_id=proposal_id,
                            key=f"matter:{message.chat.id}:{clock.now().timestamp()}")
    await message.answer(_("<b>A matter for the residents' council</b>\nWhich kind is it?"),
                         reply_markup=_kind_buttons())


async def community_link(message: Message, thing_id: int, db: Database, actor: Actor,
                         state: FSMContext, clock: Clock) -> None:
    if not await usecase.may_open(db, actor, thing_id):
        await message.answer(refusal(Result.NOT_ALLOWED))
        return
    await start(message, state, clock, thing_id)


async def wish_link(message: Message, thing_id: int, db: Database, actor: Actor,
                    state: FSMContext, clock: Clock) -> None:
    result, _wish, community = await usecase.wish_source(db, actor, thing_id)
    if result is not Result.OK or community is None:
        await message.answer(wish_refusal(result))
        return
    await start(message, state, clock, community.id or 0, thing_id)


async def proposal_link(message: Message, thing_id: int, db: Database, actor: Actor,
                        state: FSMContext, clock: Clock) -> None:
    result, community = await usecase.proposal_source(db, actor, thing_id)
    if result is not Result.OK or community is None:
        await message.answer(proposal_refusal(result))
        return
    await start(message, state, clock, community.id or 0, proposal_id=thing_id)


def proposal_refusal(result: Result) -> str:
    if result is Result.NOT_FOUND:
        return _("There is no such micro-venture proposal.")
    if result is Result.WRONG_STATE:
        return _("This proposal answers no need of a community.")
    return refusal(result)


def wish_refusal(result: Result) -> str:
    if result is Result.WRONG_STATE:
        return _("Only a micro-wish passed to the community can be put to the residents' "
                 "council.")
    return _("There is no such micro-wish.") if result is Result.NOT_FOUND else refusal(result)


async def _say(message: Message, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    await message.answer(text, reply_markup=markup)


async def _next(query: CallbackQuery, text: str,
                markup: InlineKeyboardMarkup | None = None) -> None:
    if query.message is not None and isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(text, reply_markup=markup)


async def chose_kind(query: CallbackQuery, callback_data: MatterFormCb,
                     state: FSMContext) -> None:
    if callback_data.value not in set(MatterKind):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await state.update_data(kind=callback_data.value)
    await state.set_state(MatterForm.title)
    await query.answer()
    await _next(query, _("{kind}: what is its title? (at most {limit} characters)").format(
        kind=notices.kind_name(callback_data.value), limit=council.MAX_TITLE))


async def wrote_title(message: Message, state: FSMContext) -> None:
    if (checked := Result(words.check(message.text, council.MAX_TITLE))) is not Result.OK:
        await message.answer(refusal(checked))
        return
    await state.update_data(title=(message.text or "").strip())
    await state.set_state(MatterForm.question)
    await message.answer(_("What question is put to the vote? (at most {limit} "
                           "characters)").format(limit=council.MAX_QUESTION))


async def wrote_question(message: Message, state: FSMContext) -> None:
    if (checked := Result(words.check(message.text, council.MAX_QUESTION))) is not Result.OK:
        await message.answer(refusal(checked))
        return
    await state.update_data(question=(message.text or "").strip())
    await state.set_state(MatterForm.options)
    await message.answer(
        _("The options: tap For / Against / Abstain, or send your own {low} to {high} "
          "options, one per line.").format(low=council.MIN_OPTIONS, high=council.MAX_OPTIONS),
        reply_markup=_markup([(_("For / Against / Abstain"), MatterStep.OPTIONS, "")]))


async def _ask_discussion(state: FSMContext) -> tuple[str, InlineKeyboardMarkup]:
    await state.set_state(MatterForm.discussion)
    return (_("How many days is it discussed before the vote? Tap or send a number."),
            _days(MatterStep.DISCUSSION))


async def default_options(query: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(options=[])
    await query.answer()
    await _next(query, *await _ask_discussion(state))


async def wrote_options(message: Message, state: FSMContext) -> None:
    options = [o for o in _OPTION_SPLIT.split((message.text or "").strip()) if o]
    if not council.MIN_OPTIONS <= len(options) <= council.MAX_OPTIONS or any(
            len(o) > council.MAX_OPTION for o in options):
        await message.answer(_("Please send {low} to {high} options, one per line, each at "
                               "most {limit} characters.").format(
            low=council.MIN_OPTIONS, high=council.MAX_OPTIONS, limit=council.MAX_OPTION))
        return
    await state.update_data(options=options)
    await _say(message, *await _ask_discussion(state))


def _day_count(typed_text: str) -> int | None:
    found = words_zh.number(re.sub(r"\s*(天|日|days?)$", "", typed_text.strip()))
    return found if found is not None and 1 <= found <= MAX_DAYS else None


async def _took_days(state: FSMContext, days: int) -> tuple[str, InlineKeyboardMarkup | None]:
    if await state.get_state() == MatterForm.discussion.state:
        await state.update_data(discussion_days=days)
        await state.set_state(MatterForm.vote)
        return (_("How many days is the vote open after the discussion? Tap or send a "
                  "number."), _days(MatterStep.VOTE))
    await state.update_data(vote_days=days)
    await state.set_state(MatterForm.quorum)
    return (_("The quorum: send the number of votes needed (e.g. 20), or a share of the "
              "community's registered residents (e.g. 30%)."),
            _markup([(_("One vote is enough"), MatterStep.QUORUM, "1")]))


async def chose_days(query: CallbackQuery, callback_data: MatterFormCb,
                     state: FSMContext) -> None:
    days = _day_count(callback_data.value)
    if days is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    await _next(query, *await _took_days(state, days))


async def wrote_days(message: Message, state: FSMContext) -> None:
    days = _day_count(message.text or "")
    if days is None:
        await message.answer(_("Please send a number of days from 1 to {most}.").format(
            most=MAX_DAYS))
        return
    await _say(message, *await _took_days(state, days))


def _hidden_question() -> tuple[str, InlineKeyboardMarkup]:
    return (_("Show the counts while the vote is open, or hide them until it closes?"),
            _markup([(_("Show the counts"), MatterStep.HIDDEN, "0"),
                     (_("Hide until the close"), MatterStep.HIDDEN, "1")]))


async def one_vote(query: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(quorum_votes=1, quorum_percent=None)
    await state.set_state(MatterForm.hidden)
    await query.answer()
    await _next(query, *_hidden_question())


async def wrote_quorum(message: Message, state: FSMContext) -> None:
    typed_text = words_zh.plain(message.text or "").strip()
    share = _PERCENT.match(typed_text)
    votes = None if share else words_zh.number(typed_text)
    if share is not None and 1 <= int(share.group(1)) <= 100:
        await state.update_data(quorum_votes=None, quorum_percent=int(share.group(1)))
    elif votes is not None and 1 <= votes <= 100_000:
        await state.update_data(quorum_votes=votes, quorum_percent=None)
    else:
        await message.answer(_("Please send a number of votes (e.g. 20) or a share such as "
                               "30%."))
        return
    await state.set_state(MatterForm.hidden)
    await _say(message, *_hidden_question())


async def _draft(state: FSMContext, clock: Clock) -> Draft:
    data = await state.get_data()
    now = clock.now()
    talk_ends = now + timedelta(days=int(data.get("discussion_days", 1)))
    return Draft(community_id=int(data["community_id"]), kind=MatterKind(data["kind"]),
                 title=data["title"], question=data["question"],
                 options=list(data.get("options") or []), discussion_ends_at=talk_ends,
                 vote_ends_at=talk_ends + timedelta(days=int(data.get("vote_days", 1))),
                 quorum_votes=data.get("quorum_votes"), quorum_percent=data.get("quorum_percent"),
                 hidden=bool(data.get("hidden")),
                 source="wish" if data.get("wish_id") else "proposal" if data.get(
                     "proposal_id") else "question",
                 wish_id=data.get("wish_id"), proposal_id=data.get("proposal_id"),
                 source_key=data.get("key"))


async def chose_hidden(query: CallbackQuery, callback_data: MatterFormCb, state: FSMContext,
                       clock: Clock) -> None:
    await state.update_data(hidden=callback_data.value == "1")
    await state.set_state(MatterForm.confirm)
    draft = await _draft(state, clock)
    preview = Matter(id=0, community_id=draft.community_id, kind=draft.kind, title=draft.title,
                     question=draft.question, options=draft.options, source=draft.source,
                     opened_by=0, discussion_ends_at=draft.discussion_ends_at,
                     vote_ends_at=draft.vote_ends_at, quorum_votes=draft.quorum_votes,
                     quorum_percent=draft.quorum_percent, hidden=draft.hidden)
    summary = [_("<b>{kind}: {title}</b>").format(kind=notices.kind_name(draft.kind),
                                                  title=escape(draft.title)),
               _("<b>Question:</b> {question}").format(question=escape(draft.question)),
               _("Options: {options}").format(options=" / ".join(
                   notices.option_labels(preview))),
               notices.quorum_line(preview),
               _("The counts stay hidden until the vote closes.") if draft.hidden
               else _("The counts are shown as votes come."),
               "", _("Open it? It is posted in the community's chat for discussion.")]
    await query.answer()
    await _next(query, "\n".join(summary), _markup([(_("Open"), MatterStep.OPEN, "")]))


async def confirmed(query: CallbackQuery, state: FSMContext, actor: Actor, clock: Clock,
                    messenger: Messenger) -> None:
    draft = await _draft(state, clock)
    outcome = await usecase.open_matter(messenger, actor, draft, now=clock.now())
    if not outcome.ok and outcome.result is not Result.ALREADY:
        await query.answer(refusal(outcome.result), show_alert=True)
        return
    await state.clear()
    await query.answer()
    await _next(query, _("Matter #{id} is open and posted in the community's chat. "
                         "Its minutes: /matter {id}").format(
        id=outcome.matter.id if outcome.matter else 0))


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _next(query, _("Cancelled: nothing was saved."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(community_link, CommandStart(deep_link=True),
                            Opens(Purpose.MATTER), in_private)
    router.message.register(wish_link, CommandStart(deep_link=True),
                            Opens(Purpose.MATTER_WISH), in_private)
    router.message.register(proposal_link, CommandStart(deep_link=True),
                            Opens(Purpose.MATTER_PROPOSAL), in_private)
    buttons = router.callback_query
    buttons.register(chose_kind, MatterFormCb.filter(F.step == MatterStep.KIND),
                     StateFilter(MatterForm.kind))
    buttons.register(default_options, MatterFormCb.filter(F.step == MatterStep.OPTIONS),
                     StateFilter(MatterForm.options))
    buttons.register(chose_days, MatterFormCb.filter(F.step == MatterStep.DISCUSSION),
                     StateFilter(MatterForm.discussion))
    buttons.register(chose_days, MatterFormCb.filter(F.step == MatterStep.VOTE),
                     StateFilter(MatterForm.vote))
    buttons.register(one_vote, MatterFormCb.filter(F.step == MatterStep.QUORUM),
                     StateFilter(MatterForm.quorum))
    buttons.register(chose_hidden, MatterFormCb.filter(F.step == MatterStep.HIDDEN),
                     StateFilter(MatterForm.hidden))
    buttons.register(confirmed, MatterFormCb.filter(F.step == MatterStep.OPEN),
                     StateFilter(MatterForm.confirm))
    buttons.register(cancelled, MatterFormCb.filter(F.step == MatterStep.CANCEL),
                     StateFilter(MatterForm))
    for handler, step in ((wrote_title, MatterForm.title), (wrote_question, MatterForm.question),
                          (wrote_options, MatterForm.options), (wrote_days, MatterForm.discussion),
                          (wrote_days, MatterForm.vote), (wrote_quorum, MatterForm.quorum)):
        router.message.register(handler, StateFilter(step), typed, in_private)
        router.message.register(not_text, StateFilter(step), not_a_command, in_private)
    router.message.register(use_buttons, StateFilter(MatterForm.kind, MatterForm.hidden,
                                                     MatterForm.confirm), not_a_command,
                            in_private)
    return router
