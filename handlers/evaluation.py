"""The monthly evaluation (考评), privately: /review (an admin's review of a social worker's
month, a score per criterion by buttons), /partner_review (an organisation's or volunteers'
representative rates a worker's cooperation), /evaluation (one's own month, with a comment;
admins see their places'), /close_month (a street admin, with confirmation) and
/evaluation_settings (a street's criteria, scale and weights, in its chat).

Evaluations hold no contact details, but they are about a person: they are shown only in a
private chat, to the person evaluated and to admins at or above their places. Asked in a group,
the bot says so and shows nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot import formatting, paging, words_zh
from bot.callbacks import EvalCb, EvalStep, ListKind, ListPageCb
from bot.clock import Clock
from bot.filters import in_group, in_private, typed
from bot.i18n import current_locale
from bot.states import EvaluationCommentForm, PartnerReviewForm, StaffReviewForm
from storage import evaluation, people
from storage.calendar import local_day
from storage.db import Database
from storage.evaluation import DEFAULT_CRITERIA, Parts, Result
from storage.models import Place, PlaceKind
from storage.people import Actor
from usecases import evaluation as usecase
from usecases.authority import Act, may
from usecases.evaluation import Candidate, Shown

COMMANDS = ("review", "partner_review", "evaluation", "close_month")
EARLIEST = "Pacific/Kiritimati"  # UTC+14: where a month begins first


# -- words -----------------------------------------------------------------------------------


def criterion_label(name: str) -> str:
    """A default criterion in the reader's words; a street's own as it was typed."""
    return {"attitude": _("Service attitude"), "results": _("Work results"),
            "records": _("Record keeping"), "cooperation": _("Cooperation")}.get(
        name, escape(name))


def month_label(month: str) -> str:
    return formatting.month(evaluation.first_day(month), current_locale())


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _refusal(result: Result) -> str:
    match result:
        case Result.CLOSED:
            return _("This month is closed: its evaluation no longer changes.")
        case Result.FUTURE:
            return _("That month has not begun yet.")
        case Result.EMPTY:
            return _("The text is empty. Please write a few words.")
        case Result.TOO_LONG:
            return _("Please keep it under {limit} characters.").format(
                limit=evaluation.MAX_COMMENT)
        case Result.NOT_YOURS:
            return _("Only the social worker evaluated can comment on their evaluation.")
        case Result.OUT_OF_RANGE:
            return _("This button is no longer valid.")
        case _:
            return _("You may not review this social worker.")


def _private_only() -> str:
    return _("Evaluations are private: please send me this command in a private chat.")


_MONTH = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?$")


def _parse_month(args: str | None) -> tuple[bool, str | None]:
    """(understood, the month or None for the default): "2026-11", "2026年11月"."""
    typed = words_zh.plain(args or "").strip()
    if not typed:
        return True, None
    found = _MONTH.match(typed)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return False, None
    return True, f"{found.group(1)}-{int(found.group(2)):02d}"


def _bad_month() -> str:
    return escape(_("Please give the month as 2026-11 or 2026年11月, or nothing for last "
                    "month."))


# -- showing an evaluation -------------------------------------------------------------------


def _parts_lines(parts: Parts, weights: dict[str, int]) -> list[str]:
    ratings = _("ratings: {count}; {solved} solved, {partly} partly solved, {not_solved} "
                "not solved").format(count=parts.ratings, solved=parts.solved, partly=parts.partly,
                                 not_solved=parts.not_solved)
    return [
        _("Residents (下评上), {weight} %: {points} ({ratings})").format(
            weight=weights["residents"], points=_points(parts.residents), ratings=ratings),
        _("Organisation's review, {weight} %: {points} (reviews: {count})").format(
            weight=weights["organisation"], points=_points(parts.organisation),
            count=parts.staff_reviews),
        _("Partners' review, {weight} %: {points} (reviews: {count})").format(
            weight=weights["partners"], points=_points(parts.partners),
            count=parts.partner_reviews),
        _("<b>Total: {points}</b>").format(points=_points(parts.total)),
    ]


def _number(value: float) -> str:
    return format_decimal(value, format="#,##0.#",
                          locale=formatting.babel_locale(current_locale()))


def _duration(seconds: float | None) -> str:
    """In the words of the reports: "25 min", "4.5 h", "2 d"."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return _("{n} min").format(n=_number(round(seconds / 60)))
    if seconds < 48 * 3600:
        return _("{n} h").format(n=_number(round(seconds / 3600, 1)))
    return _("{n} d").format(n=_number(round(seconds / 86400, 1)))


def _work_lines(figures: dict[str, float | None]) -> list[str]:
    """What the month's report says of the person's grids."""
    if not figures:
        return []
    count = {name: int(figures.get(name) or 0) for name in evaluation.WORK_COUNTS}
    return [
        _("In your grids: {submitted} wishes submitted, {claimed} claimed, {fulfilled} "
          "fulfilled, {confirmed} confirmed by their residents, {passed} passed up to the "
          "community.").format(submitted=count["submitted"], claimed=count["claimed"],
                               fulfilled=count["fulfilled"], confirmed=count["confirmed"],
                               passed=count["to_community"]),
        _("Median time to claim: {claim}; to fulfil: {fulfil}. Volunteer service: {hours} h "
          "by {volunteers} volunteers.").format(
            claim=_duration(figures.get("to_claim")), fulfil=_duration(figures.get("to_fulfil")),
            hours=formatting.hours(count["volunteer_minutes"], current_locale()),
            volunteers=count["active_volunteers"]),
    ]


def _state_line(shown: Shown) -> str:
    if shown.results.closed_at is not None:
        day = local_day(shown.results.closed_at, shown.street.timezone)
        return _("Closed on {day}: these results no longer change.").format(
            day=formatting.day(day, current_locale()))
    return _("Open: it may change until a street admin closes the month.")


def _own_text(shown: Shown, person_id: int) -> str:
    parts = shown.results.people.get(person_id, Parts())
    grids = [shown.grid_names[g] for g in shown.results.grids_of.get(person_id, [])
             if g in shown.grid_names]
    lines = [_("<b>Your evaluation · {month}</b> · {street}").format(
                 month=month_label(shown.month), street=escape(shown.street.name)),
             *_parts_lines(parts, shown.results.weights),
             *_work_lines(shown.results.figures.get(person_id, {}))]
    if grids:
        lines.append(_("Your grids: {grids}").format(grids=escape("、".join(grids))))
    if person_id in shown.comments:
        lines.append(_("Your comment: {text}").format(text=escape(shown.comments[person_id])))
    lines.append(_state_line(shown))
    return "\n".join(lines)


def _comment_button(shown: Shown, person_id: int) -> InlineKeyboardMarkup | None:
    if shown.results.closed_at is not None:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("✏️ Comment"), callback_data=EvalCb(
            step=EvalStep.COMMENT, person=person_id, street=shown.street.id or 0,
            month=shown.month).pack())]])


def _entry(name: str, parts: Parts) -> str:
    return _("• {name}: <b>{total}</b> (residents {residents} · organisation {organisation} · "
             "partners {partners})").format(
        name=escape(name), total=_points(parts.total), residents=_points(parts.residents),
        organisation=_points(parts.organisation), partners=_points(parts.partners))


def _overview_listing(shown: Sequence[Shown], month: str | None) -> paging.Listing:
    entries: list[str] = []
    for street in shown:
        entries.append("\n" + _("<b>{street} · {month}</b>").format(
            street=escape(street.street.name), month=month_label(street.month)))
        entries.append(_state_line(street))
        if street.results.people:
            entries.append(_("Social workers:"))
        for person_id, parts in sorted(street.results.people.items(),
                                       key=lambda item: street.names.get(item[0], "")):
            entries.append(_entry(street.names.get(person_id, str(person_id)), parts))
            if person_id in street.comments:
                entries.append(_("  Comment: {text}").format(
                    text=escape(street.comments[person_id])))
        if street.results.grids:
            entries.append(_("Grids:"))
        for grid_id, parts in sorted(street.results.grids.items(),
                                     key=lambda item: street.grid_names.get(item[0], "")):
            entries.append(_entry(street.grid_names.get(grid_id, str(grid_id)), parts))
    return paging.Listing(header=_("<b>Evaluations of your places</b>"), entries=entries)


def _about(month: str | None) -> int:
    return int(month.replace("-", "")) if month else 0


def _month_of_about(about: int) -> str | None:
    return f"{about // 100:04d}-{about % 100:02d}" if about else None


async def show(message: Message, command: CommandObject, db: Database, actor: Actor,
               clock: Clock) -> None:
    understood, month = _parse_month(command.args)
    if not understood:
        await message.answer(_bad_month())
        return
    own = await usecase.own(db, actor, month, now=clock.now())
    for shown in own:
        await message.answer(_own_text(shown, actor.id),
                             reply_markup=_comment_button(shown, actor.id))
    overview = await usecase.overview(db, actor, month, now=clock.now())
    if overview:
        await paging.send(message, _overview_listing(overview, month), ListKind.EVALUATIONS,
                          _about(month))
    elif not own and month is not None and month > evaluation.month_of(clock.now(), EARLIEST):
        await message.answer(_refusal(Result.FUTURE))
    elif not own:
        await message.answer(_("You have no evaluation to see: evaluations are shown to the "
                               "social worker evaluated and to the admins of their places."))


async def overview_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                        actor: Actor, clock: Clock) -> None:
    month = _month_of_about(callback_data.about)
    overview = await usecase.overview(db, actor, month, now=clock.now())
    await paging.turn(query, callback_data, _overview_listing(overview, month))


# -- the reviews -----------------------------------------------------------------------------


def _worker_buttons(found: Sequence[Candidate], step: EvalStep,
                    months: dict[int, str]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(text=c.name, callback_data=EvalCb(
        step=step, person=c.person_id, street=c.street_id, month=months[c.street_id]).pack())]
        for c in found]
    rows.append([_cancel_button()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _cancel_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("Cancel"),
                                callback_data=EvalCb(step=EvalStep.CANCEL).pack())


async def _months(db: Database, found: Sequence[Candidate], month: str | None,
                  now: datetime) -> dict[int, str]:
    months: dict[int, str] = {}
    for street_id in {c.street_id for c in found}:
        if month is not None:
            months[street_id] = month
            continue
        street = await usecase.street(db, street_id)
        months[street_id] = usecase.default_month(street, now) if street else ""
    return months


async def begin_staff_review(message: Message, command: CommandObject, db: Database,
                             actor: Actor, clock: Clock, state: FSMContext) -> None:
    await _begin(message, command, db, actor, clock, state, Act.REVIEW_STAFF)


async def begin_partner_review(message: Message, command: CommandObject, db: Database,
                               actor: Actor, clock: Clock, state: FSMContext) -> None:
    await _begin(message, command, db, actor, clock, state, Act.REVIEW_AS_PARTNER)


async def _begin(message: Message, command: CommandObject, db: Database, actor: Actor,
                 clock: Clock, state: FSMContext, act: Act) -> None:
    understood, month = _parse_month(command.args)
    if not understood:
        await message.answer(_bad_month())
        return
    found = await usecase.candidates(db, actor, act)
    if not found:
        await message.answer(
            _("Only an admin of a community or street reviews its social workers, and there "
              "is nobody for you to review.") if act is Act.REVIEW_STAFF else
            _("Only an organisation's or the volunteers' representative rates the social "
              "workers' cooperation, and there is nobody for you to rate."))
        return
    await state.clear()
    months = await _months(db, found, month, clock.now())
    label = month_label(next(iter(months.values()))) if len(set(months.values())) == 1 else ""
    question = (_("<b>Review of a social worker</b> · {month}: whom do you review?")
                if act is Act.REVIEW_STAFF else
                _("<b>Partners' review</b> · {month}: whose cooperation do you rate?"))
    step = EvalStep.STAFF_WORKER if act is Act.REVIEW_STAFF else EvalStep.PARTNER_WORKER
    await message.answer(question.format(month=label),
                         reply_markup=_worker_buttons(found, step, months))


def _score_buttons(index: int, scale: int) -> InlineKeyboardMarkup:
    scores = [InlineKeyboardButton(text=str(score), callback_data=EvalCb(
        step=EvalStep.SCORE, value=f"{index}.{score}").pack()) for score in range(1, scale + 1)]
    rows = [scores[:5], scores[5:]] if scale > 5 else [scores]
    return InlineKeyboardMarkup(inline_keyboard=[*[r for r in rows if r], [_cancel_button()]])


def _note_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("Skip"), callback_data=EvalCb(step=EvalStep.SKIP_NOTE).pack())],
        [_cancel_button()]])


def _heading(data: dict[str, object]) -> str:
    title = (_("<b>Review of {name}</b> · {month}") if data["act"] == Act.REVIEW_STAFF else
             _("<b>Partners' review of {name}</b> · {month}"))
    return title.format(name=escape(str(data["name"])), month=month_label(str(data["month"])))


def _criterion_question(data: dict[str, object]) -> str:
    criteria = list(data["criteria"])  # type: ignore[call-overload]
    index = int(data["index"])  # type: ignore[call-overload]
    chosen = dict(data["scores"])  # type: ignore[call-overload]
    lines = [_heading(data)]
    lines += [f"{criterion_label(name)}: {chosen[name]}" for name in criteria if name in chosen]
    lines.append(_("Step {step} of {steps}: {criterion}, from 1 (poor) to {scale} "
                   "(excellent)?").format(step=index + 1, steps=len(criteria) + 1,
                                          criterion=criterion_label(criteria[index]),
                                          scale=data["scale"]))
    return "\n".join(lines)


def _cooperation_question(data: dict[str, object]) -> str:
    return "\n".join([_heading(data), _(
        "How well did they work with you this month, from 1 (poorly) to 5 (very well)?")])


async def chose_worker(query: CallbackQuery, callback_data: EvalCb, db: Database,
                       actor: Actor, clock: Clock, state: FSMContext) -> None:
    act = Act.REVIEW_STAFF if callback_data.step is EvalStep.STAFF_WORKER \
        else Act.REVIEW_AS_PARTNER
    month, street_id = callback_data.month, callback_data.street
    checked = (await usecase.may_review(db, actor, act, street_id, callback_data.person, month,
                                        now=clock.now())
               if evaluation.is_month(month) else Result.OUT_OF_RANGE)
    settings = await usecase.settings_for(db, street_id)
    if checked is not Result.OK or settings is None:
        await query.answer(_refusal(checked), show_alert=True)
        return
    data: dict[str, object] = {
        "act": str(act), "worker": callback_data.person, "street": street_id, "month": month,
        "name": await people.name_of(db, callback_data.person), "criteria": settings.criteria,
        "scale": settings.scale, "scores": {}, "index": 0,
        "message_id": query.message.message_id if query.message else 0}
    await state.clear()
    await state.set_data(data)
    await query.answer()
    if act is Act.REVIEW_STAFF:
        await state.set_state(StaffReviewForm.score)
        await _edit(query, _criterion_question(data), _score_buttons(0, settings.scale))
    else:
        await state.set_state(PartnerReviewForm.score)
        await _edit(query, _cooperation_question(data), _score_buttons(0, 5))


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)


async def _own_form(query: CallbackQuery, state: FSMContext) -> bool:
    if query.message is None or query.message.message_id != await state.get_value(
            "message_id"):
        await query.answer(_("This button belongs to another form."), show_alert=True)
        return False
    return True


async def scored(query: CallbackQuery, callback_data: EvalCb, state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    data = await state.get_data()
    index, _dot, score = callback_data.value.partition(".")
    partner = data["act"] == Act.REVIEW_AS_PARTNER
    scale = 5 if partner else int(data["scale"])
    if index != str(data["index"]) or not score.isdecimal() or not 1 <= int(score) <= scale:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    if partner:
        data = await state.update_data(score=int(score))
    else:
        criteria = list(data["criteria"])
        scores = {**data["scores"], criteria[int(index)]: int(score)}
        data = await state.update_data(scores=scores, index=int(index) + 1)
        if int(index) + 1 < len(criteria):
            await _edit(query, _criterion_question(data),
                        _score_buttons(int(index) + 1, scale))
            return
    await state.set_state(PartnerReviewForm.note if partner else StaffReviewForm.note)
    await _edit(query, _note_question(data), _note_buttons())


def _summary(data: dict[str, object]) -> str:
    if data["act"] == Act.REVIEW_AS_PARTNER:
        return _("Cooperation: {score}").format(score=data["score"])
    scores = dict(data["scores"])  # type: ignore[call-overload]
    return " · ".join(f"{criterion_label(name)} {scores[name]}"
                      for name in data["criteria"] if name in scores)  # type: ignore[attr-defined]


def _note_question(data: dict[str, object]) -> str:
    return "\n".join([_heading(data), _summary(data), _(
        "Last step: a short note for the record (up to {limit} characters), or Skip.").format(
        limit=evaluation.MAX_NOTE)])


async def skipped_note(query: CallbackQuery, db: Database, actor: Actor, clock: Clock,
                       state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    await query.answer()
    if isinstance(query.message, Message):
        await _save(query.message, db, actor, clock, state, None, edit=True)


async def typed_note(message: Message, db: Database, actor: Actor, clock: Clock,
                     state: FSMContext) -> None:
    await _save(message, db, actor, clock, state, message.text, edit=False)


async def _save(message: Message, db: Database, actor: Actor, clock: Clock,
                state: FSMContext, note: str | None, *, edit: bool) -> None:
    data = await state.get_data()
    common = {"street_id": int(data["street"]), "worker_id": int(data["worker"]),
              "month": str(data["month"]), "note": note, "now": clock.now()}
    if data["act"] == Act.REVIEW_AS_PARTNER:
        done = await usecase.review_as_partner(db, actor, score=int(data["score"]), **common)
    else:
        done = await usecase.review_staff(db, actor, scores=dict(data["scores"]), **common)
    if done is Result.TOO_LONG:
        await message.answer(_("Please keep it under {limit} characters.").format(
            limit=evaluation.MAX_NOTE))
        return
    await state.clear()
    text = "\n".join([_heading(data), _summary(data), _("Saved.")]) if done is Result.OK \
        else _refusal(done)
    if edit:
        await message.edit_text(text, reply_markup=None)
        return
    if message.bot is not None and data.get("message_id"):
        await message.bot.edit_message_reply_markup(chat_id=message.chat.id,
                                                    message_id=int(data["message_id"]),
                                                    reply_markup=None)
    await message.answer(text)


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _edit(query, _("Cancelled. Nothing was saved."), None)


# -- the comment -----------------------------------------------------------------------------


async def comment_pressed(query: CallbackQuery, callback_data: EvalCb, db: Database,
                          actor: Actor, clock: Clock, state: FSMContext) -> None:
    if callback_data.person != actor.id or not evaluation.is_month(callback_data.month):
        await query.answer(_refusal(Result.NOT_YOURS), show_alert=True)
        return
    checked = await usecase.may_comment(db, actor, street_id=callback_data.street,
                                        month=callback_data.month, now=clock.now())
    if checked is not Result.OK:
        await query.answer(_refusal(checked), show_alert=True)
        return
    await query.answer()
    await state.clear()
    await state.set_state(EvaluationCommentForm.text)
    await state.update_data(street=callback_data.street, month=callback_data.month)
    if query.message is not None:
        await query.message.answer(escape(_(
            "Write your comment on your evaluation of {month} (up to {limit} characters). It "
            "replaces an earlier one; /cancel stops.").format(
            month=month_label(callback_data.month), limit=evaluation.MAX_COMMENT)))


async def typed_comment(message: Message, db: Database, actor: Actor, clock: Clock,
                        state: FSMContext) -> None:
    data = await state.get_data()
    done = await usecase.comment(db, actor, street_id=int(data["street"]),
                                 month=str(data["month"]), text=message.text or "",
                                 now=clock.now())
    if done in (Result.EMPTY, Result.TOO_LONG):
        await message.answer(_refusal(done))
        return
    await state.clear()
    await message.answer(_("Your comment is saved: the admins who see your evaluation see it "
                           "with it.") if done is Result.OK else _refusal(done))


# -- closing a month -------------------------------------------------------------------------


async def begin_close(message: Message, command: CommandObject, db: Database, actor: Actor,
                      clock: Clock) -> None:
    understood, month = _parse_month(command.args)
    if not understood:
        await message.answer(_bad_month())
        return
    streets = await usecase.streets_to_close(db, actor)
    if not streets:
        await message.answer(_("Only an admin of a street closes its month of evaluation."))
        return
    rows = []
    for street in streets:
        wanted = month or usecase.default_month(street, clock.now())
        rows.append([InlineKeyboardButton(
            text=_("Close {month} of {street}").format(month=month_label(wanted),
                                                      street=street.name),
            callback_data=EvalCb(step=EvalStep.CONFIRM_CLOSE, street=street.id or 0,
                                 month=wanted).pack())])
    rows.append([_cancel_button()])
    await message.answer(_("<b>Close a month of evaluation?</b> Its results are kept as they "
                           "are now; reviews, comments and later ratings no longer change "
                           "them. This cannot be undone."),
                         reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def confirmed_close(query: CallbackQuery, callback_data: EvalCb, db: Database,
                          actor: Actor, clock: Clock) -> None:
    month = callback_data.month
    done = (await usecase.close(db, actor, street_id=callback_data.street, month=month,
                                now=clock.now())
            if evaluation.is_month(month) else Result.NOT_ALLOWED)
    if done is not Result.OK:
        await query.answer({
            Result.ALREADY: _("That month is closed already."),
            Result.FUTURE: _("A month is closed once it has ended."),
        }.get(done, _("Only an admin of that street can close its month.")), show_alert=True)
        return
    await query.answer()
    await _edit(query, _("Closed: {month} of {street}. Its results no longer change.").format(
        month=month_label(month), street=escape(await usecase.street_name(
            db, callback_data.street))), None)


# -- a street's settings ---------------------------------------------------------------------


def _settings_text(settings: evaluation.EvaluationSettings) -> str:
    return "\n".join([
        _("<b>Evaluation settings of this street</b>"),
        _("Criteria: {criteria}").format(criteria="、".join(
            criterion_label(name) for name in settings.criteria)),
        _("Scale: 1 to {scale}").format(scale=settings.scale),
        _("Weights: residents {residents} %, organisation {organisation} %, partners "
          "{partners} %").format(residents=settings.residents,
                                 organisation=settings.organisation,
                                 partners=settings.partners),
        escape(_("A street admin changes them here: /evaluation_settings weights 40 40 20, "
                 "/evaluation_settings scale 5, /evaluation_settings criteria 服务态度 "
                 "工作实效 台账规范 协作配合.")),
    ])


def _changed(settings: evaluation.EvaluationSettings,
             args: str) -> evaluation.EvaluationSettings | None:
    words = args.split()
    what = words_zh.keyword(words[0], words_zh.EVALUATION_SETTINGS) if words else None
    values = [words_zh.plain(w) for w in words[1:]]
    if what == "weights" and len(values) == 3 and all(v.isdecimal() for v in values):
        residents, organisation, partners = (int(v) for v in values)
        return evaluation.with_change(settings, residents=residents,
                                      organisation=organisation, partners=partners)
    if what == "scale" and len(values) == 1 and values[0].isdecimal():
        return evaluation.with_change(settings, scale=int(values[0]))
    if what == "criteria" and words[1:]:
        defaults = {criterion_label(name): name for name in DEFAULT_CRITERIA}
        return evaluation.with_change(settings, criteria=[defaults.get(w, w)
                                                          for w in words[1:]])
    return None


async def evaluation_settings(message: Message, command: CommandObject, db: Database,
                              actor: Actor, place: Place | None, clock: Clock) -> None:
    if place is None or place.kind != PlaceKind.STREET:
        await message.reply(_("Evaluation settings belong to a street: send this in the "
                              "street's chat."))
        return
    settings = evaluation.settings_of(place)
    if not command.args:
        await message.reply(_settings_text(settings))
        return
    if not await may(db, actor, Act.ADMINISTER, place.id):
        await message.reply(_("Only an admin of this place can do that."))
        return
    changed = _changed(settings, command.args)
    if changed is None:
        await message.reply(escape(_(
            "I did not understand that. The weights are three whole numbers that make 100, "
            "the scale 2 to 10, and the criteria one to eight words.")))
        return
    await usecase.change_settings(db, actor, place, changed, now=clock.now())
    await message.reply(_("Saved.") + "\n" + _settings_text(changed))


async def private_only(message: Message) -> None:
    await message.reply(_private_only())


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(show, Command("evaluation"), in_private)
    router.message.register(begin_staff_review, Command("review"), in_private)
    router.message.register(begin_partner_review, Command("partner_review"), in_private)
    router.message.register(begin_close, Command("close_month"), in_private)
    router.message.register(private_only, Command(*COMMANDS), in_group)
    router.message.register(evaluation_settings, Command("evaluation_settings"), in_group)
    router.callback_query.register(chose_worker, EvalCb.filter(
        F.step.in_({EvalStep.STAFF_WORKER, EvalStep.PARTNER_WORKER})))
    forms = StateFilter(StaffReviewForm.score, PartnerReviewForm.score)
    notes = StateFilter(StaffReviewForm.note, PartnerReviewForm.note)
    router.callback_query.register(scored, forms, EvalCb.filter(F.step == EvalStep.SCORE))
    router.callback_query.register(skipped_note, notes,
                                   EvalCb.filter(F.step == EvalStep.SKIP_NOTE))
    router.callback_query.register(cancelled, EvalCb.filter(F.step == EvalStep.CANCEL))
    router.message.register(typed_note, notes, typed, in_private)
    router.callback_query.register(comment_pressed, EvalCb.filter(F.step == EvalStep.COMMENT))
    router.message.register(typed_comment, StateFilter(EvaluationCommentForm.text), typed,
                            in_private)
    router.callback_query.register(confirmed_close,
                                   EvalCb.filter(F.step == EvalStep.CONFIRM_CLOSE))
    router.callback_query.register(overview_page,
                                   ListPageCb.filter(F.kind == ListKind.EVALUATIONS))
    return router
