"""A report in words and as a chart, in the language of whoever reads it.

The text is short: one line per group of figures, each with the previous period's in
brackets. The chart shows the main counts over the last 8 weeks or 12 months. Both are
rendered when the report is sent, like a card: a scheduled report is an outbox row that names
the place and the period (``OutboxKind.REPORT``).
"""

from __future__ import annotations

import asyncio
from datetime import date
from html import escape

from aiogram import Bot
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _

from bot import charts, formatting
from bot.i18n import current_locale, speaking
from bot.messenger import Messenger
from storage.models import OutboxMessage
from storage.reports import Durations, Figures, Span
from usecases import reports as usecase
from usecases.reports import Report

CAPTION_LIMIT = 1024  # Telegram's, for the text under a photo


def _number(value: float) -> str:
    return formatting.decimal(value, current_locale())


def _share(value: float | None) -> str:
    return "–" if value is None else formatting.share(value, current_locale())


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return _("{n} min").format(n=_number(round(seconds / 60)))
    if seconds < 48 * 3600:
        return _("{n} h").format(n=_number(round(seconds / 3600, 1)))
    return _("{n} d").format(n=_number(round(seconds / 86400, 1)))


def _times(now: Durations, before: Durations) -> str:
    """"median 4 h, 90% within 8.8 h (6 h)"; "–" when nothing was timed."""
    if now.count == 0:
        return _("none ({before})").format(before=_duration(before.median))
    return _("median {median}, 90% within {p90} ({before})").format(
        median=_duration(now.median), p90=_duration(now.p90), before=_duration(before.median))


def _pair(now: int, before: int) -> str:
    return _("{now} ({before})").format(now=_number(now), before=_number(before))


def period_name(span: Span, first: date, last: date) -> str:
    locale = current_locale()
    if span is Span.MONTH:
        return formatting.month(first, locale)
    return f"{formatting.month_day(first, locale)}–{formatting.month_day(last, locale)}"


def title(report: Report) -> str:
    period = period_name(report.period.span, report.period.first, report.period.last)
    if report.period.span is Span.WEEK:
        return _("Weekly report of {place}, {period}").format(place=report.place.name,
                                                              period=period)
    return _("Monthly report of {place}, {period}").format(place=report.place.name,
                                                           period=period)


def _wish_lines(now: Figures, before: Figures) -> list[str]:
    return [
        _("Micro-wishes: submitted {submitted}, posted {posted}, claimed {claimed}, fulfilled "
          "{fulfilled}, confirmed {confirmed}, withdrawn {withdrawn}, rejected {rejected}")
        .format(submitted=_pair(now.submitted, before.submitted),
                posted=_pair(now.posted, before.posted),
                claimed=_pair(now.claimed, before.claimed),
                fulfilled=_pair(now.fulfilled, before.fulfilled),
                confirmed=_pair(now.confirmed, before.confirmed),
                withdrawn=_pair(now.withdrawn, before.withdrawn),
                rejected=_pair(now.rejected, before.rejected)),
        _("Passed up: to the community {community} ({community_before}), to the street "
          "{street} ({street_before})").format(
            community=_share(now.share_to_community),
            community_before=_share(before.share_to_community),
            street=_share(now.share_to_street), street_before=_share(before.share_to_street)),
        _("Time to claim: {times}").format(times=_times(now.to_claim, before.to_claim)),
        _("Time to fulfil: {times}").format(times=_times(now.to_fulfil, before.to_fulfil)),
    ]


def _satisfaction_line(now: Figures, before: Figures) -> str:
    rated, earlier = now.satisfaction, before.satisfaction
    if rated.count == 0:
        return _("Satisfaction: no ratings ({count} before)").format(
            count=_number(earlier.count))
    return _("Satisfaction: {count} ratings ({count_before}), mean {mean} ({mean_before}); "
             "solved {solved}, partly {partly}, not solved {not_solved}").format(
        count=_number(rated.count), count_before=_number(earlier.count),
        mean=_number(round(rated.mean or 0, 1)),
        mean_before="–" if earlier.mean is None else _number(round(earlier.mean, 1)),
        solved=_share(rated.share(rated.solved)), partly=_share(rated.share(rated.partly)),
        not_solved=_share(rated.share(rated.not_solved)))


def _care_lines(now: Figures, before: Figures) -> list[str]:
    return [
        _("Pages acknowledged: {times}").format(
            times=_times(now.to_acknowledge, before.to_acknowledge)),
        _("Questions answered: {times}").format(times=_times(now.to_answer, before.to_answer)),
        _("Risk alerts: {alerts}, acknowledged {acknowledged}; {times}").format(
            alerts=_pair(now.risk_alerts, before.risk_alerts),
            acknowledged=_pair(now.risk_acknowledged, before.risk_acknowledged),
            times=_times(now.to_acknowledge_risk, before.to_acknowledge_risk)),
        _satisfaction_line(now, before),
    ]


def _people_lines(now: Figures, before: Figures) -> list[str]:
    locale = current_locale()
    return [
        _("Volunteer hours: {hours} h ({hours_before} h) from {volunteers} "
          "({volunteers_before}) volunteers").format(
            hours=formatting.hours(now.volunteer_minutes, locale),
            hours_before=formatting.hours(before.volunteer_minutes, locale),
            volunteers=_number(now.active_volunteers),
            volunteers_before=_number(before.active_volunteers)),
        _("Meetings: {meetings}, attendance {attendance} ({attendance_before}), excused "
          "{excused}, absent {absent}").format(
            meetings=_pair(now.meetings, before.meetings),
            attendance=_share(now.attendance), attendance_before=_share(before.attendance),
            excused=_pair(now.excused, before.excused), absent=_pair(now.absent, before.absent)),
        _("Action items: done {done}, overdue {overdue}").format(
            done=_pair(now.actions_done, before.actions_done),
            overdue=_pair(now.actions_overdue, before.actions_overdue)),
    ]


def _project_lines(report: Report) -> list[str]:
    """A street's micro-venture rounds, when it has any in the period."""
    projects = report.projects
    if not projects.any:
        return []
    answers = projects.answers
    return [_("Micro-venture projects: rounds running {rounds}, projects completed {completed}; "
              "residents' answers: solved {solved}, partly {partly}, not solved {not_solved}")
            .format(rounds=_number(projects.rounds_running),
                    completed=_number(projects.projects_completed),
                    solved=_number(answers.solved), partly=_number(answers.partly),
                    not_solved=_number(answers.not_solved))]


def text(report: Report, *, chart_drawn: bool = True) -> str:
    """The report's words (HTML), with the previous period's figures in brackets."""
    now, before = report.figures, report.before
    if report.period.span is Span.WEEK:
        note = _("In brackets: the week before.")
    else:
        note = _("In brackets: the month before.")
    lines = [f"📊 <b>{escape(title(report))}</b>", escape(note), "",
             *(escape(line) for line in (*_wish_lines(now, before), *_care_lines(now, before),
                                         *_people_lines(now, before), *_project_lines(report)))]
    if not chart_drawn:
        lines += ["", escape(_("The chart could not be drawn: no font with Chinese characters "
                               "is installed on the bot's server."))]
    return "\n".join(lines)


def chart(report: Report) -> charts.Chart:
    label = formatting.month_day if report.period.span is Span.WEEK else formatting.month_short
    if report.period.span is Span.WEEK:
        heading = _("{place}: micro-wishes in the last 8 weeks")
    else:
        heading = _("{place}: micro-wishes in the last 12 months")
    return charts.Chart(
        title=heading.format(place=report.place.name),
        labels=[label(p.first, current_locale()) for p in report.trend],
        series=[charts.Series(_("submitted"), [p.submitted for p in report.trend]),
                charts.Series(_("claimed"), [p.claimed for p in report.trend]),
                charts.Series(_("fulfilled"), [p.fulfilled for p in report.trend]),
                charts.Series(_("confirmed"), [p.confirmed for p in report.trend])],
        y_label=_("micro-wishes"))


async def rendered(report: Report) -> tuple[str, bytes | None]:
    """The text and the PNG (None when it cannot be drawn), in the current language. The
    chart is drawn in a thread: it takes a few tenths of a second, while others are answered."""
    png = await asyncio.to_thread(charts.draw, chart(report), current_locale())
    return text(report, chart_drawn=png is not None), png


def filename(report: Report) -> str:
    return f"report-{report.place.id}-{report.period.span}-{report.period.first}.png"


async def send(bot: Bot, chat_id: int, report: Report, words: str, png: bytes | None) -> int:
    return await send_photo(bot, chat_id, title(report), filename(report), words, png)


async def send_photo(bot: Bot, chat_id: int, heading: str, name: str, words: str,
                     png: bytes | None) -> int:
    """The chart with the words under it; when the words are too long for a photo's caption,
    the chart with its ``heading``, then the words. The id of the last message."""
    if png is None:
        return (await bot.send_message(chat_id, words)).message_id
    photo = BufferedInputFile(png, filename=name)
    if len(words.encode("utf-16-le")) // 2 <= CAPTION_LIMIT:
        return (await bot.send_photo(chat_id, photo, caption=words)).message_id
    await bot.send_photo(chat_id, photo, caption=f"<b>{escape(heading)}</b>")
    return (await bot.send_message(chat_id, words)).message_id



def row_markup(place_id: int, span: Span, first: date) -> dict[str, object]:
    """What a scheduled report's outbox row keeps of it (in ``markup``): the rest is read when
    it is sent."""
    return {"report": {"place": place_id, "span": str(span), "first": first.isoformat()}}


async def send_row(messenger: Messenger, row: OutboxMessage) -> int | None:
    """Send a scheduled report's row in its chat's language."""
    spec = (row.markup or {}).get("report") or {}
    report = await usecase.of_period(messenger.db, int(spec["place"]), Span(spec["span"]),
                                     date.fromisoformat(spec["first"]))
    if report is None:
        return None
    chat_place = await messenger.place_of_chat(row.chat_id)
    locale = messenger.locale_of_place(chat_place)
    with speaking(messenger.i18n, locale):
        words, png = await rendered(report)
        return await send(messenger.bot, row.chat_id, report, words, png)
