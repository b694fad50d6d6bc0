"""What the bot says about volunteers: the application to the staff who decide, the decision
to the applicant, and a new wish to the volunteers it suits. Everything to someone other than
the person acting goes through the outbox, in the reader's language."""

from __future__ import annotations

from html import escape

from aiogram import Bot
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import gettext as _

from bot import audience, formatting, keyboards, labels, links
from bot.i18n import current_locale
from bot.links import Purpose
from bot.messenger import Messenger, Render, Rendered
from bot.notices import summary
from storage import outbox, people, places, volunteers
from storage.models import (
    Lane,
    Place,
    PlaceKind,
    Role,
    ServiceLog,
    Skill,
    Volunteer,
    VolunteerStatus,
    Wish,
)
from storage.places import chain
from storage.settings import effective

DECIDERS = (Role.SOCIAL_WORKER, Role.ADMIN)
SIGN_UP = "vol"  # the sign-up with no grid ticked: nothing to forge


async def sign_up_link(bot: Bot, place: Place | None) -> str:
    """The deep link that opens the sign-up form, with the grid ticked when there is one."""
    grid = place is not None and place.kind == PlaceKind.GRID
    if grid and place is not None:
        return await links.link(bot, Purpose.VOLUNTEER, place.id or 0)
    return await create_start_link(bot, SIGN_UP)


def skills_text(volunteer: Volunteer) -> str:
    names = [labels.skill(s) for s in volunteer.skills if s != Skill.OTHER]
    if Skill.OTHER in volunteer.skills:
        names.append(volunteer.other_skill or labels.skill(Skill.OTHER))
    return _(", ").join(names)


def times_text(days: list[int], periods: list[str]) -> str:
    return _("{days}; {periods}").format(
        days=_(", ").join(labels.weekday(d) for d in sorted(days)),
        periods=_(", ").join(labels.period(p) for p in periods))


def application_text(volunteer: Volunteer, grids: list[Place], *, private: bool) -> str:
    """The application as staff read it; the phone only where nobody else reads along."""
    lines = [
        _("Name: {name}").format(name=escape(volunteer.real_name)),
        _("Skills: {skills}").format(skills=escape(skills_text(volunteer))),
        _("Grids: {grids}").format(grids=escape(_(", ").join(g.name for g in grids))),
        _("Available: {times}").format(times=times_text(volunteer.days, volunteer.periods)),
    ]
    if private:
        lines.insert(1, _("Phone: {phone}").format(
            phone=escape(volunteer.phone or _("not given"))))
    if volunteer.reason and volunteer.answer:
        lines += [_("You asked: {question}").format(question=escape(volunteer.reason)),
                  _("Answer: {answer}").format(answer=escape(volunteer.answer))]
    return "\n".join(lines)


async def ask_staff(messenger: Messenger, volunteer: Volunteer, grids: list[Place],
                    event: int | None) -> None:
    """The social workers (and admins) of the grids decide; when a grid has none, its
    community chat is told that an application waits, without the details."""

    def render() -> Rendered:
        heading = (_("A volunteer answered your question; please decide.") if volunteer.answer
                   else _("A new volunteer application needs your decision."))
        return (f"<b>{heading}</b>\n\n{application_text(volunteer, grids, private=True)}",
                keyboards.volunteer_decision(volunteer.person_id))

    deciders: dict[int, None] = {}
    for grid in grids:
        for person in await people.holders(messenger.db, grid.id or 0, *DECIDERS):
            deciders[person.id] = None
    for person_id in deciders:
        await messenger.tell(person_id, f"audit:{event}:volunteer-apply", render)
    if deciders or not grids:
        return
    community = await _community_of(messenger, grids[0])
    if community is not None:
        await messenger.announce(community, f"audit:{event}:volunteer-apply", lambda: (
            _("A volunteer application for {grids} is waiting, but no social worker is set up "
              "there to decide. An admin can give the role with /grant social_worker.").format(
                grids=escape(_(", ").join(g.name for g in grids))), None))


async def _community_of(messenger: Messenger, grid: Place) -> Place | None:
    async with messenger.db.transaction() as session:
        places = await chain(session, grid)
    return places[1] if len(places) > 1 else None


async def tell_applicant(messenger: Messenger, person_id: int, event: int | None,
                         render: Render) -> None:
    await messenger.tell(person_id, f"audit:{event}:volunteer", render)


def decision_for_applicant(volunteer: Volunteer, grids: list[Place]) -> Rendered:
    names = escape(_(", ").join(g.name for g in grids))
    match volunteer.status:
        case VolunteerStatus.APPROVED:
            return _(
                "Welcome aboard! Your volunteer application for {grids} is approved.\n\n"
                "Claim micro-wishes with the 🙋 button in your grid group; I will also tell you "
                "privately about new ones that suit your skills and times (/pings off stops "
                "that). /pause when you are away, /myhours for your service hours."
            ).format(grids=names), None
        case VolunteerStatus.NEEDS_INFO:
            return _("The social worker has a question about your volunteer application:\n\n"
                     "{question}\n\nTap Answer and reply.").format(
                question=escape(volunteer.reason or "")), keyboards.volunteer_answer(
                volunteer.person_id)
        case _:
            return _("Your volunteer application for {grids} was not accepted. The social "
                     "worker's reason: {reason}").format(
                grids=names, reason=escape(volunteer.reason or "")), None


async def ping_volunteers(messenger: Messenger, wish: Wish) -> int:
    """Tell the grid's volunteers who suit a newly open wish about it, privately, with the
    Claim button; how many were told."""
    async with messenger.db.transaction() as session:
        grid = await places.get(session, wish.grid_id)
        if grid is None:
            return 0
        settings = effective(await chain(session, grid))
        chosen = await volunteers.to_tell(session, wish, now=messenger.clock.now(),
                                          timezone=grid.timezone,
                                          per_day=settings.volunteer_pings_per_day)
        rows = [await messenger.for_person(session, v.person_id, f"ping:{wish.id}",
                                           _ping(wish, grid), lane=Lane.BULK) for v in chosen]
        await outbox.add(session, rows)
    return len(rows)


def _ping(wish: Wish, grid: Place) -> Render:
    def render() -> Rendered:
        # Before claiming, a volunteer sees the wish as its group does.
        public = wish.model_copy(update={"text": audience.for_group(wish.text)})
        text = "\n\n".join([
            _("A new micro-wish in {grid} suits your skills, and you said you are free now.")
            .format(grid=escape(grid.name)),
            summary(public),
            _("Tap Claim to take it; the resident's contact details then come privately. "
              "/pings off stops these messages."),
        ])
        return text, keyboards.card(wish, grid.kind)

    return render


# --- service hours ------------------------------------------------------------------------------

def hours_text(minutes: int) -> str:
    return formatting.hours(minutes, current_locale())


def entry_text(entry: ServiceLog, name: str) -> str:
    return _("{name}: {hours} h on {day} — {what}").format(
        name=escape(name), hours=hours_text(entry.minutes),
        day=formatting.day(entry.served_on, current_locale()), what=escape(entry.description))


async def ask_hours_confirmation(messenger: Messenger, entry: ServiceLog, event: int | None,
                                 name: str) -> None:
    """Logged service waits for the social workers (and admins) of its grid."""

    def render() -> Rendered:
        return "\n\n".join([_("<b>Service hours to confirm</b>"), entry_text(entry, name)]), \
            keyboards.service_decision(entry.id or 0)

    for worker in await people.holders(messenger.db, entry.grid_id, *DECIDERS):
        await messenger.tell(worker.id, f"audit:{event}:hours", render)
