"""A micro-venture round's report (评估验收), in words and as a chart, in the chat's language:
per project its budget, its milestones on time and late, what the residents of its wishes
answered and the reviewers' final mean per criterion. It is an outbox row that names the round
(``OutboxKind.REPORT`` with ``{"round": id}``), rendered when it is sent, like a scheduled
report (bot.reporting). It names projects and organisations, never a resident.
"""

from __future__ import annotations

import asyncio
from html import escape

from aiogram.utils.i18n import gettext as _

from bot import charts, formatting, reporting
from bot.i18n import current_locale, speaking
from bot.messenger import Messenger
from storage import venture_progress
from storage.models import OutboxMessage
from storage.venture_progress import ProjectLine, RoundReport

LABEL_CHARACTERS = 12  # a project's title under its bars


def criterion(name: str) -> str:
    """A default criterion in the reader's words; a round's own as it was typed."""
    return {"need_fit": _("need fit"), "feasibility": _("feasibility"), "cost": _("cost"),
            "record": _("the organisation's record")}.get(name, escape(name))


def _mean(value: float | None) -> str:
    return "–" if value is None else formatting.decimal(round(value, 1), current_locale())


def title(report: RoundReport) -> str:
    return _("Report of micro-venture round #{id} “{theme}”").format(id=report.round.id,
                                                                      theme=report.round.theme)


def _project_lines(line: ProjectLine) -> list[str]:
    proposal, answers, locale = line.proposal, line.answers, current_locale()
    means = " · ".join(_("{criterion} {mean}").format(criterion=criterion(name),
                                                      mean=_mean(value))
                       for name, value in line.means.items())
    return [
        _("<b>#{id} {project}</b> · {organisation}").format(
            id=proposal.id, project=escape(proposal.title),
            organisation=escape(proposal.organisation)),
        _("Budget {budget}; milestones: {on_time} on time, {late} late, of {total}").format(
            budget=formatting.yuan(line.budget_fen, locale), on_time=line.on_time,
            late=line.late, total=line.milestones),
        _("Residents: solved {solved}, partly solved {partly}, not solved {not_solved}, not "
          "answered {unanswered}").format(solved=answers.solved, partly=answers.partly,
                                          not_solved=answers.not_solved,
                                          unanswered=answers.unanswered),
        _("Final evaluation ({count} reviewers): {means}").format(count=line.evaluations,
                                                                   means=means or "–"),
    ]


def text(report: RoundReport, *, chart_drawn: bool = True) -> str:
    locale = current_locale()
    lines = [f"📋 <b>{escape(title(report))}</b> · {escape(report.street.name)}",
             _("Projects: {count}; their budget in all: {budget}").format(
                 count=len(report.projects), budget=formatting.yuan(report.budget_fen, locale))]
    for line in report.projects:
        lines += ["", *_project_lines(line)]
    if not chart_drawn:
        lines += ["", escape(_("The chart could not be drawn: no font with Chinese characters "
                               "is installed on the bot's server."))]
    return "\n".join(lines)


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARACTERS else name[:LABEL_CHARACTERS - 1] + "…"


def chart(report: RoundReport) -> charts.Chart:
    """The residents' answers per project, side by side."""
    lines = report.projects
    return charts.Chart(
        title=_("{theme}: were the residents' needs solved?").format(theme=report.round.theme),
        labels=[f"#{line.proposal.id} {_short(line.proposal.title)}" for line in lines],
        series=[charts.Series(_("solved"), [line.answers.solved for line in lines]),
                charts.Series(_("partly solved"), [line.answers.partly for line in lines]),
                charts.Series(_("not solved"), [line.answers.not_solved for line in lines]),
                charts.Series(_("not answered"), [line.answers.unanswered for line in lines])],
        y_label=_("residents"))


async def rendered(report: RoundReport) -> tuple[str, bytes | None]:
    png = await asyncio.to_thread(charts.draw, chart(report), current_locale())
    return text(report, chart_drawn=png is not None), png


async def send_row(messenger: Messenger, row: OutboxMessage) -> int | None:
    """Send a round's report in its chat's language."""
    round_id = int((row.markup or {})["round"])
    async with messenger.db.transaction() as session:
        report = await venture_progress.report(session, round_id, messenger.clock.now())
    if report is None:
        return None
    locale = messenger.locale_of_place(await messenger.place_of_chat(row.chat_id))
    with speaking(messenger.i18n, locale):
        words, png = await rendered(report)
        return await reporting.send_photo(messenger.bot, row.chat_id, title(report),
                                          f"round-{round_id}.png", words, png)
