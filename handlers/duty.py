"""The front desk: the duty roster, acknowledging pages, residents' questions (/ask), and the
community's risk words."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from html import escape

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import formatting, keyboards, links, paging, words_zh
from bot.callbacks import ListKind, ListPageCb, PageCb
from bot.clock import Clock
from bot.filters import Magic, in_group, typed
from bot.i18n import current_locale
from bot.links import Purpose
from bot.messenger import Messenger
from bot.refusals import first_telling, question_held, state_now
from handlers.admin import find_person, not_bound, not_met
from handlers.common import take_down_numbers
from storage import duty, people, places, risk
from storage.calendar import local_day
from storage.db import Database
from storage.models import DutyPost, DutyShift, Place, PlaceKind
from storage.people import Actor
from storage.settings import PlaceSettings
from storage.wishes import MAX_TEXT, Result, check_text
from usecases import duty as usecase
from usecases import places as places_usecase
from usecases.authority import Act, may
from usecases.duty import Done


def _weekday_names() -> dict[int, str]:
    return formatting.weekday_names(current_locale())


async def community_of(db: Database, place: Place | None) -> Place | None:
    if place is None:
        return None
    return next((p for p in await places.chain_of(db, place.id or 0)
                 if p.kind == PlaceKind.COMMUNITY), None)


async def duty_today(message: Message, bot: Bot, db: Database, actor: Actor,
                     place: Place | None, clock: Clock, messenger: Messenger) -> None:
    """/duty: in the community chat, the roster; in a grid group, who is on duty today, in
    one line, with the way to ask them, and the roster privately for its staff."""
    community = await community_of(db, place)
    if place is None or community is None or place.kind != PlaceKind.GRID:
        await show_roster(message, db, place, clock)
        return
    today = await _today(db, community, clock)
    if await may(db, actor, Act.SEE_STAFF_LISTS, place.id):
        shown = await _roster_shown(db, community, clock)
        roster = await messenger.to_person(actor.person, lambda: (paging.page(
            _roster_listing(community, shown), ListKind.ROSTER, 1).text, None))
        if roster is None:  # staff whom the bot cannot write to yet
            today += "\n" + _("The whole roster: /duty in the community chat.")
    ask = await links.link(bot, Purpose.ASK, place.id or 0)
    await message.reply(today, reply_markup=keyboards.link(_("❓ Ask the worker on duty"), ask))


async def show_roster(message: Message, db: Database, place: Place | None,
                      clock: Clock) -> None:
    community = await community_of(db, place)
    if community is None:
        await message.reply(_not_a_community(place))
        return
    await paging.send(message, await _roster(db, community, clock), ListKind.ROSTER)


async def _today(db: Database, community: Place, clock: Clock) -> str:
    """Today's posts A and B, in one line."""
    async with db.transaction() as session:
        posts = await duty.on_duty(session, community.id or 0,
                                   local_day(clock.now(), community.timezone))
        names = await people.names_in(session, list(posts.values()))
    nobody = _("nobody")
    return _("On duty today: post A {a}, post B {b}.").format(
        a=escape(names[posts[DutyPost.A]]) if DutyPost.A in posts else nobody,
        b=escape(names[posts[DutyPost.B]]) if DutyPost.B in posts else nobody)


async def roster_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                      place: Place | None, clock: Clock) -> None:
    community = await community_of(db, place)
    if community is None:
        await query.answer(_not_a_community(place), show_alert=True)
        return
    await paging.turn(query, callback_data, await _roster(db, community, clock))


def _not_a_community(place: Place | None) -> str:
    return not_bound() if place is None else _(
        "The duty roster belongs to a community: send /duty in a community or grid chat.")


@dataclass(frozen=True)
class _RosterShown:
    posts: dict[str, int]
    shifts: list[DutyShift]
    names: dict[int, str]


async def _roster_shown(db: Database, community: Place, clock: Clock) -> _RosterShown:
    today = local_day(clock.now(), community.timezone)
    shifts = await duty.roster(db, community.id or 0, today)
    async with db.transaction() as session:
        posts = await duty.on_duty(session, community.id or 0, today)
        names = await people.names_in(session, [*posts.values(),
                                                *(s.person_id for s in shifts)])
    return _RosterShown(posts, shifts, names)


async def _roster(db: Database, community: Place, clock: Clock) -> paging.Listing:
    return _roster_listing(community, await _roster_shown(db, community, clock))


def _roster_listing(community: Place, shown: _RosterShown) -> paging.Listing:
    """Who is on duty today, then the roster: the weekly posts and the swaps to come."""
    posts, names = shown.posts, shown.names
    nobody = _("nobody")
    heading = [_("<b>On duty today in “{community}”</b>").format(
                   community=escape(community.name)),
               _("Post A: {name}").format(name=escape(names[posts[DutyPost.A]])
                                          if DutyPost.A in posts else nobody),
               _("Post B (backup): {name}").format(name=escape(names[posts[DutyPost.B]])
                                                   if DutyPost.B in posts else nobody),
               "", _("<b>The roster</b>")]
    weekdays = _weekday_names()
    shifts = [f"{weekdays[shift.weekday or 0] if shift.day is None else shift.day.isoformat()}"
              f" · {shift.post} · {escape(names[shift.person_id])}"
              for shift in shown.shifts]
    return paging.Listing("\n".join(heading), shifts, footer=escape(_(
        "Admins: /duty_set opens the roster form; /duty_set <days> <A|B> @user, /swap <day> "
        "<A|B> @user (- instead of @user clears the post).")))


def duty_set_usage() -> str:
    return escape(_("Usage: /duty_set <days> <A|B> @user, the days as 1–7, Mon, 1-5 or weekdays "
                    "(/duty_set alone opens a form with buttons); /swap <day> <A|B> @user for "
                    "one day, as 2026-12-01 or tomorrow. - instead of @user clears the post."))


async def _set_post(message: Message, command: CommandObject, db: Database, actor: Actor,
                    place: Place | None, clock: Clock, messenger: Messenger, *,
                    weekly: bool) -> None:
    community = await community_of(db, place)
    if place is None or community is None or community.id != place.id:
        await message.reply(not_the_community_chat())
        return
    today = local_day(clock.now(), community.timezone)
    parsed = _parse_post(command.args or "", today, weekly=weekly)
    if parsed is None:
        await message.reply(duty_set_usage())
        return
    when, post, who = parsed
    clearing = who is not None and words_zh.clears(who)
    person, asked = (None, None) if clearing else await find_person(message, who, db, clock)
    if person is None and not clearing:
        await message.reply(duty_set_usage() if asked is None else not_met(asked))
        return
    done = await usecase.set_post(messenger, actor, community, DutyPost(post),
                                  person.id if person else None, when=when, now=clock.now())
    if done is Done.NOT_ALLOWED:
        await message.reply(_("Only an admin of this place can do that."))
    elif done is Done.NOT_ON_DUTY and person is not None:
        await message.reply(not_on_duty(person.full_name))
    else:
        await show_roster(message, db, place, clock)


def not_the_community_chat() -> str:
    return _("Please change the roster in the community's chat.")


def not_on_duty(name: str) -> str:
    return _("{name} is not a social worker of this community, so they cannot be put on duty: "
             "pages carry residents' contact details. Grant the role first with /grant "
             "social_worker.").format(name=escape(name))


def _parse_post(args: str, today: date, *,
                weekly: bool) -> tuple[list[int] | date, str, str | None] | None:
    """The days (weekly) or the day, the post and who, from the command's words. The days
    may take several words ("周一 至 周五 A @li"): the post ends them."""
    words = args.split()
    for end in range(1, len(words)):
        post = words_zh.post(words[end])
        if post is None:
            continue
        typed = "".join(words[:end])
        when = words_zh.weekdays(typed) if weekly else words_zh.day(typed, today)
        if when is None:
            return None
        return when, post, words[end + 1] if len(words) > end + 1 else None
    return None


async def set_weekly(message: Message, command: CommandObject, db: Database, actor: Actor,
                     place: Place | None, clock: Clock, messenger: Messenger) -> None:
    await _set_post(message, command, db, actor, place, clock, messenger, weekly=True)


async def set_swap(message: Message, command: CommandObject, db: Database, actor: Actor,
                   place: Place | None, clock: Clock, messenger: Messenger) -> None:
    await _set_post(message, command, db, actor, place, clock, messenger, weekly=False)


async def acknowledge(query: CallbackQuery, callback_data: PageCb, actor: Actor,
                      clock: Clock, messenger: Messenger) -> None:
    message = query.message if isinstance(query.message, Message) else None
    acked = await usecase.acknowledge(messenger, actor, callback_data.page_id, now=clock.now(),
                                      pressed_in=message.chat.id if message else None)
    if acked.done in (Done.NOT_FOUND, Done.NOT_ALLOWED) or acked.page is None:
        await query.answer(_("Only the staff of this community can acknowledge pages."),
                           show_alert=True)
        return
    if acked.done is Done.ALREADY:
        await query.answer(_("{name} has already acknowledged this.").format(name=acked.by),
                           show_alert=True)
        return
    taken = acked.taken is not None and acked.taken.ok
    note = _you_acknowledged(acked)
    await query.answer(note)
    if message is None:
        return
    with suppress(TelegramBadRequest):
        await message.edit_reply_markup(reply_markup=None)
    if message.chat.type != "private":  # the others in the chat read who has it
        await message.answer(usecase.acknowledged_by(acked.by, acked.page, acked.taken))
    elif not taken:  # a wish taken on comes with its details and buttons, privately
        await message.answer(escape(note))


def _you_acknowledged(acked: usecase.Acked) -> str:
    """What the person who acknowledged a page is told: in the second person."""
    page, taken = acked.page, acked.taken
    if page is not None and taken is not None and taken.ok:
        return _("You took on micro-wish #{id}; its resident has been told who follows it "
                 "up.").format(id=page.wish_id)
    if taken is not None and taken.result is Result.WRONG_STATE and taken.wish is not None:
        return " ".join([_("You acknowledged it."), state_now(taken.wish)])
    return _("You acknowledged it.")


async def ask(message: Message, command: CommandObject, bot: Bot, db: Database, actor: Actor,
              place: Place | None, clock: Clock, messenger: Messenger,
              state: FSMContext) -> None:
    text = (command.args or "").strip()
    if check_text(text, MAX_TEXT) is not Result.OK:
        await message.reply(escape(_("Usage: /ask <your question>, in at most {limit} characters. "
                                     "The social worker on duty will answer you privately.")
                                   .format(limit=MAX_TEXT)))
        return
    if place is None:
        await message.reply(_("Please send /ask in your grid group, so I know which community "
                              "should answer."))
        return
    asked = await usecase.ask(messenger, actor, place, text, now=clock.now())
    if asked.hold is not None:  # their words stay in the chat: they are told to ask again
        if await first_telling(state, asked.hold):
            await message.reply(question_held(asked.hold, clock.now()))
        return
    if asked.question is None:
        await message.reply(_("Questions go to a community's front desk: please ask in your "
                              "grid group."))
        return
    reply = _("Your question is with the social worker on duty. The answer will come to you "
              "in a private chat with me.")
    markup = None
    if not actor.person.reachable:
        reply += "\n" + _("Please open a private chat with me and press Start, so that I can "
                          "write to you.")
        markup = keyboards.link(_("Open private chat"), await links.private_chat(bot))
    await message.reply(reply, reply_markup=markup)
    await take_down_numbers(message, text, _(
        "Phone and ID numbers should not be posted in the group: wherever I repeat your "
        "question, yours is hidden. The social worker on duty will answer you privately."))


async def answer_question(message: Message, db: Database, actor: Actor, clock: Clock,
                          messenger: Messenger) -> None:
    """A reply to a page about a question is the answer; it goes to the resident. Replies
    to other messages of the bot, and by people who may not answer, are left alone."""
    replied = message.reply_to_message
    page = await duty.page_of_message(db, message.chat.id, replied.message_id) if replied else None
    if page is None:
        return
    done = await usecase.answer(messenger, actor, page, message.text or "", now=clock.now())
    if done is Done.ALREADY:
        await message.reply(_("This question has already been answered."))
    elif done is Done.DONE:
        await message.reply(_("Thank you! Your answer is on its way to the resident. If it "
                              "cannot be delivered, I will tell you here."))


async def risk_words(message: Message, command: CommandObject, db: Database, actor: Actor,
                     place: Place | None, clock: Clock) -> None:
    """/riskwords: what makes a wish a risk alert here; an admin adds the community's own
    words, and removes them or switches a built-in one off."""
    community = await community_of(db, place)
    if place is None or community is None or community.id != place.id:
        await message.reply(_not_the_community())
        return
    settings = await places.settings_of(db, community.id or 0)
    words = (command.args or "").split(maxsplit=1)
    action = words_zh.keyword(words[0], words_zh.RISK_WORDS) if words else None
    if words and (action is None or len(words) < 2):
        await message.reply(escape(_("Usage: /riskwords, /riskwords add <word>, "
                                     "/riskwords remove <word>")))
        return
    if action is not None:
        word = words[1].strip()
        own, off = settings.risk_words or [], settings.risk_words_off or []
        change = (risk.adding if action == "add" else risk.removing)(word, own, off)
        if change.change is risk.Change.UNKNOWN:
            await message.reply(_("“{word}” is not a risk word here.").format(word=escape(word)))
            return
        if change.setting and not await places_usecase.change_setting(
                db, actor, community, change.setting, list(change.value), now=clock.now()):
            await message.reply(_("Only an admin of this place can do that."))
            return
        settings = await places.settings_of(db, community.id or 0)
    await paging.send(message, _risk_words(settings), ListKind.RISK_WORDS)


async def risk_words_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                          place: Place | None) -> None:
    community = await community_of(db, place)
    if place is None or community is None or community.id != place.id:
        await query.answer(_not_the_community(), show_alert=True)
        return
    settings = await places.settings_of(db, community.id or 0)
    await paging.turn(query, callback_data, _risk_words(settings))


def _not_the_community() -> str:
    return _("Risk words belong to a community: send this in its chat.")


def _risk_words(settings: PlaceSettings) -> paging.Listing:
    """The signs in the chat's language (every language's count), the community's own words
    and the built-in ones it switched off."""
    locale = current_locale()
    signs = risk.SIGNS[locale if locale in risk.SIGNS else "zh_Hans"]
    comma = ", " if locale == "en" else "、"

    def listed(*kinds: risk.Sign) -> str:
        return escape(comma.join(word for kind in kinds for word in signs[kind]))

    sign = risk.Sign
    entries = [
        _("• someone at risk ({who}) and, in the same sentence or the one before, a fall "
          "({fall}), cannot get up ({up}), missing ({missing}) or no food ({food});").format(
            who=listed(sign.ELDER, sign.CHILD, sign.DISABLED, sign.ALONE, sign.PERSON),
            fall=listed(sign.FALL), up=listed(sign.CANNOT_GET_UP),
            missing=listed(sign.MISSING), food=listed(sign.NO_FOOD)),
        _("• a fall and cannot get up, whoever it is;"),
        _("• someone alone and unwell ({unwell});").format(unwell=listed(sign.UNWELL)),
        _("• gas ({gas}) with a smell or a leak ({leak});").format(gas=listed(sign.GAS),
                                                                  leak=listed(sign.LEAK)),
        _("• or alone enough: {alarms}.").format(alarms=listed(*risk.ALARMS)),
        _("A sign does not count where a precaution, a worry, a negation or the past goes with "
          "it (to prevent falls, worried he might fall, did not fall, fell last month)."),
    ]
    if settings.risk_words:
        entries += ["", _("<b>This community's own words</b> (each enough alone):"),
                    *(f"• {escape(word)}" for word in settings.risk_words)]
    if settings.risk_words_off:
        entries += ["", _("<b>Switched off here:</b> {words}").format(
            words=escape(comma.join(settings.risk_words_off)))]
    return paging.Listing(
        _("<b>Risk words</b>: a micro-wish pages the worker on duty at once when it tells of"),
        entries, footer=escape(_("Admins: /riskwords add <word> adds a word of this "
                                 "community's own; /riskwords remove <word> removes it, or "
                                 "switches a built-in word off here.")))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(duty_today, Command("duty"), in_group)
    router.message.register(set_weekly, Command("duty_set"), in_group)
    router.message.register(set_swap, Command("swap"), in_group)
    router.message.register(ask, Command("ask"))
    router.message.register(risk_words, Command("riskwords"), in_group)
    router.callback_query.register(roster_page, ListPageCb.filter(F.kind == ListKind.ROSTER))
    router.callback_query.register(risk_words_page,
                                   ListPageCb.filter(F.kind == ListKind.RISK_WORDS))
    router.callback_query.register(acknowledge, PageCb.filter())
    router.message.register(answer_question, Magic(F.reply_to_message.from_user.is_bot), typed)
    return router
