"""/progress (a project's rep reports, with photos, and marks a milestone done; a milestone's
reminder carries the same buttons) and /project (a project's milestones, reports and photos
for the round's reviewers and its rep)."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import formatting
from bot.callbacks import ProgressCb, ProgressStep
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command, typed
from bot.i18n import current_locale
from bot.messenger import Messenger
from bot.states import ProgressForm
from handlers.venture_progress.common import edit, number, own_form, private_only, refusal
from storage import venture_progress
from storage.calendar import local_day
from storage.models import Milestone, MilestoneState, ProposalState
from storage.people import Actor
from storage.venture_progress import MAX_PHOTOS, MAX_TEXT, Result
from usecases import venture_progress as usecase
from usecases.venture_progress import Project, Shown

REPORTS_SHOWN = 8  # the latest progress reports under /project
REPORT_WORDS = 300  # of each



def _cancel_row(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("Cancel"), callback_data=ProgressCb(step=ProgressStep.CANCEL))


# -- /progress ---------------------------------------------------------------------------------


def _milestone_label(milestone: Milestone) -> str:
    return _("{milestone} (due {day})").format(
        milestone=milestone.title, day=formatting.day(milestone.due_on, current_locale()))


async def progress(message: Message, actor: Actor, messenger: Messenger,
                   state: FSMContext) -> None:
    found = await usecase.projects_of(messenger, actor)
    await state.clear()
    if not found:
        await message.answer(_("You have no micro-venture project under way to report on. "
                               "Projects are reported on by their organisation's "
                               "representative once selected."))
        return
    if len(found) == 1:
        await _ask_milestone(message, found[0], edit=False)
        return
    builder = InlineKeyboardBuilder()
    for project in found:
        builder.button(text=f"#{project.proposal.id} {project.proposal.title}",
                       callback_data=ProgressCb(step=ProgressStep.PROJECT,
                                                proposal=project.proposal.id or 0))
    _cancel_row(builder)
    builder.adjust(1)
    await message.answer(_("<b>Progress report</b>: which project is it about?"),
                         reply_markup=builder.as_markup())


async def _ask_milestone(message: Message, project: Project, *, edit: bool) -> None:
    proposal = project.proposal
    builder = InlineKeyboardBuilder()
    for milestone in project.pending:
        builder.button(text=_milestone_label(milestone), callback_data=ProgressCb(
            step=ProgressStep.MILESTONE, proposal=proposal.id or 0, milestone=milestone.id or 0))
    builder.button(text=_("The project as a whole"), callback_data=ProgressCb(
        step=ProgressStep.MILESTONE, proposal=proposal.id or 0))
    _cancel_row(builder)
    builder.adjust(1)
    text = _("<b>Progress report</b> · #{id} {project}: which milestone is it about?").format(
        id=proposal.id, project=escape(proposal.title))
    if edit:
        await message.edit_text(text, reply_markup=builder.as_markup())
    else:
        await message.answer(text, reply_markup=builder.as_markup())


async def chose_project(query: CallbackQuery, callback_data: ProgressCb, actor: Actor,
                        messenger: Messenger) -> None:
    allowed, project = await usecase.project_of(messenger, actor, callback_data.proposal)
    if project is None:
        await query.answer(refusal(allowed), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await _ask_milestone(query.message, project, edit=True)


async def chose_milestone(query: CallbackQuery, callback_data: ProgressCb, actor: Actor,
                          messenger: Messenger, state: FSMContext) -> None:
    """A milestone chosen in the form, or a reminder's Report progress."""
    allowed, project = await usecase.project_of(messenger, actor, callback_data.proposal,
                                                callback_data.milestone)
    if project is None or query.message is None:
        await query.answer(refusal(allowed), show_alert=True)
        return
    await query.answer()
    await state.clear()
    await state.set_state(ProgressForm.text)
    await state.update_data(proposal=callback_data.proposal, milestone=callback_data.milestone,
                            photos=[])
    await query.message.answer(escape(_(
        "Write what has been done for #{id} {project} (up to {limit} characters); /cancel "
        "stops.").format(id=project.proposal.id, project=project.proposal.title,
                         limit=MAX_TEXT)))


def _send_buttons(milestone_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📤 Send"), callback_data=ProgressCb(step=ProgressStep.SEND))
    if milestone_id:
        builder.button(text=_("📤 Send, milestone reached"),
                       callback_data=ProgressCb(step=ProgressStep.SEND_DONE,
                                                milestone=milestone_id))
    _cancel_row(builder)
    builder.adjust(1)
    return builder.as_markup()


async def typed_text(message: Message, state: FSMContext) -> None:
    text = message.text or ""
    checked = venture_progress.check_text(text)
    if checked is not Result.OK:
        await message.answer(refusal(checked))
        return
    milestone_id = int(await state.get_value("milestone", 0))
    await state.set_state(ProgressForm.photos)
    sent = await message.answer(_("Now send photos of it, one or several (up to {limit}), then "
                                  "tap Send. Photos are not needed.").format(limit=MAX_PHOTOS),
                                reply_markup=_send_buttons(milestone_id))
    await state.update_data(text=text, message_id=sent.message_id)


async def photo_sent(message: Message, state: FSMContext, bot: Bot) -> None:
    photos = list(await state.get_value("photos", []))
    if not message.photo:
        await message.answer(_("Please send a photo, or tap Send."))
        return
    if len(photos) >= MAX_PHOTOS:
        await message.answer(refusal(Result.TOO_MANY))
        return
    photos.append(message.photo[-1].file_id)
    milestone_id = int(await state.get_value("milestone", 0))
    earlier = await state.get_value("message_id")
    if earlier:
        await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=int(earlier),
                                            reply_markup=None)
    sent = await message.answer(_("Photos kept: {count}. Send more, or tap Send.").format(
        count=len(photos)), reply_markup=_send_buttons(milestone_id))
    await state.update_data(photos=photos, message_id=sent.message_id)


async def send_pressed(query: CallbackQuery, callback_data: ProgressCb, actor: Actor,
                       clock: Clock, messenger: Messenger, state: FSMContext) -> None:
    if not await own_form(query, state):
        return
    data = await state.get_data()
    await state.clear()
    milestone_id = int(data.get("milestone") or 0) or None
    outcome = await usecase.report(
        messenger, actor, proposal_id=int(data["proposal"]), milestone_id=milestone_id,
        text=str(data["text"]), photos=list(data.get("photos") or []),
        done=callback_data.step is ProgressStep.SEND_DONE,
        source_key=f"progress:{actor.id}:{data['message_id']}", now=clock.now())
    if not outcome.ok:
        await query.answer(refusal(outcome.result), show_alert=True)
        return
    await query.answer()
    await edit(query, _saved(outcome, data["proposal"]), None)


def _saved(outcome: venture_progress.Outcome, proposal_id: object) -> str:
    return "\n".join([_("Thank you: your progress report is saved. The street office sees it "
                        "with /project {id}.").format(id=proposal_id), *_done(outcome)])


def _done(outcome: venture_progress.Outcome) -> list[str]:
    lines: list[str] = []
    if outcome.milestone is not None and outcome.milestone.state == MilestoneState.DONE:
        lines.append(_("Milestone “{milestone}” is marked done.").format(
            milestone=escape(outcome.milestone.title)))
    if outcome.completed:
        lines.append(_("Every milestone of the project is done: it is completed. The residents "
                       "and reviewers will be asked for the final evaluation."))
    return lines


async def done_pressed(query: CallbackQuery, callback_data: ProgressCb, actor: Actor,
                       clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.mark_done(messenger, actor, callback_data.milestone,
                                      now=clock.now())
    if not outcome.ok:
        await query.answer(refusal(outcome.result), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer("\n".join(_done(outcome)))


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await edit(query, _("Cancelled. Nothing was saved."), None)


# -- /project ----------------------------------------------------------------------------------


def _milestone_line(milestone: Milestone, shown: Shown, today: date) -> str:
    late = venture_progress.is_late(milestone, shown.street.timezone, today)
    if milestone.state == MilestoneState.DONE:
        state = _("done, late") if late else _("done")
    else:
        state = _("overdue") if late else _("to do")
    return _("• {milestone}: {state}").format(milestone=escape(_milestone_label(milestone)),
                                              state=state)


def _short(text: str) -> str:
    return text if len(text) <= REPORT_WORDS else text[:REPORT_WORDS - 1] + "…"


def project_text(shown: Shown, today: date) -> str:
    proposal, locale = shown.proposal, current_locale()
    lines = [_("<b>#{id} {project}</b> · {organisation}").format(
                 id=proposal.id, project=escape(proposal.title),
                 organisation=escape(proposal.organisation)),
             _("Round #{round} “{theme}” · budget {budget} · {state}").format(
                 round=shown.round.id, theme=escape(shown.round.theme),
                 budget=formatting.yuan(proposal.budget_fen, locale),
                 state=_("completed") if proposal.state == ProposalState.COMPLETED
                 else _("under way")),
             "", _("<b>Milestones</b>")]
    lines += [_milestone_line(m, shown, today) for m in shown.milestones] or ["—"]
    lines += ["", _("<b>Progress reports</b>")]
    titles = {m.id: m.title for m in shown.milestones}
    latest = shown.reports[-REPORTS_SHOWN:]
    if len(shown.reports) > len(latest):
        lines.append(_("(the latest {count} of {total})").format(count=len(latest),
                                                                  total=len(shown.reports)))
    for item in latest:
        about = titles.get(item.milestone_id) if item.milestone_id else None
        lines.append(_("• {day}{about}: {text} (photos: {count})").format(
            day=formatting.day(local_day(item.created_at, shown.street.timezone), locale),
            about=f" · {escape(about)}" if about else "", text=escape(_short(item.text)),
            count=len(item.photo_file_ids)))
    if not shown.reports:
        lines.append("—")
    if shown.evaluated:
        lines += ["", _("You gave your final evaluation of this project.")]
    return "\n".join(lines)


async def project(message: Message, command: CommandObject, actor: Actor, clock: Clock,
                  messenger: Messenger, bot: Bot) -> None:
    found = number(command.args)
    if found is None:
        await message.answer(_("Please give the project's number, e.g. /project 12."))
        return
    result, shown = await usecase.show(messenger, actor, found, now=clock.now())
    if shown is None:
        await message.answer(refusal(result))
        return
    today = local_day(clock.now(), shown.street.timezone)
    markup = usecase.evaluate_button(shown.proposal.id or 0) if shown.may_evaluate else None
    await message.answer(project_text(shown, today), reply_markup=markup)
    for item in shown.reports[-REPORTS_SHOWN:]:
        for file_id in item.photo_file_ids:
            await bot.send_photo(message.chat.id, file_id, caption=formatting.day(
                local_day(item.created_at, shown.street.timezone), current_locale()))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(progress, Command("progress"), in_private)
    router.message.register(project, Command("project"), in_private)
    router.message.register(private_only, Command("progress", "project"), in_group)
    router.callback_query.register(chose_project,
                                   ProgressCb.filter(F.step == ProgressStep.PROJECT))
    router.callback_query.register(chose_milestone, ProgressCb.filter(
        F.step.in_({ProgressStep.MILESTONE, ProgressStep.REPORT})))
    router.callback_query.register(done_pressed, ProgressCb.filter(F.step == ProgressStep.DONE))
    router.callback_query.register(cancelled, ProgressCb.filter(F.step == ProgressStep.CANCEL))
    router.callback_query.register(send_pressed, StateFilter(ProgressForm.photos),
                                   ProgressCb.filter(F.step.in_({ProgressStep.SEND,
                                                                 ProgressStep.SEND_DONE})))
    router.message.register(typed_text, StateFilter(ProgressForm.text), typed, in_private)
    router.message.register(photo_sent, StateFilter(ProgressForm.photos), not_a_command,
                            in_private)
    return router
