"""Words for the product's enums, in the current language."""

from aiogram.utils.i18n import gettext as _

from storage.models import (
    Category,
    Period,
    PlaceKind,
    Role,
    Skill,
    Tier,
    VolunteerStatus,
    WishState,
)
from storage.wishes import NOT_SOLVED_BELOW, SOLVED_FROM


def category(value: str) -> str:
    return {
        Category.ELDERLY: _("Elderly care"),
        Category.CHILDREN: _("Children"),
        Category.DISABILITY: _("Disability support"),
        Category.DAILY_LIFE: _("Daily life"),
        Category.LEARNING: _("Learning"),
        Category.OTHER: _("Other"),
    }[Category(value)]


def skill(value: str) -> str:
    return {
        Skill.ELDER_CARE: _("Elder care"),
        Skill.TUTORING: _("Tutoring"),
        Skill.REPAIRS: _("Repairs"),
        Skill.ERRANDS: _("Shopping and errands"),
        Skill.MEDICAL: _("Medical"),
        Skill.LEGAL: _("Legal advice"),
        Skill.PSYCHOLOGICAL: _("Psychological support"),
        Skill.OTHER: _("Other"),
    }[Skill(value)]


def period(value: str) -> str:
    return {
        Period.MORNING: _("Mornings (6–12)"),
        Period.AFTERNOON: _("Afternoons (12–18)"),
        Period.EVENING: _("Evenings (18–22)"),
    }[Period(value)]


def weekday(day: int) -> str:
    """Short weekday name, 0 = Monday."""
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))[day]


def nth(value: int) -> str:
    """Which weekday of the month a monthly meeting takes: 1 to 4, or -1 for the last."""
    return _("Last") if value == -1 else (_("1st"), _("2nd"), _("3rd"), _("4th"))[value - 1]


def volunteer_status(value: str) -> str:
    return {
        VolunteerStatus.APPLIED: _("waiting for approval"),
        VolunteerStatus.NEEDS_INFO: _("asked for more information"),
        VolunteerStatus.APPROVED: _("active"),
        VolunteerStatus.DECLINED: _("declined"),
        VolunteerStatus.PAUSED: _("paused"),
        VolunteerStatus.SUSPENDED: _("suspended"),
    }[VolunteerStatus(value)]


def place_kind(value: str) -> str:
    return {
        PlaceKind.STREET: _("street office"),
        PlaceKind.COMMUNITY: _("community"),
        PlaceKind.GRID: _("grid"),
    }[PlaceKind(value)]


def role(value: str) -> str:
    return {
        Role.ADMIN: _("admin"),
        Role.SOCIAL_WORKER: _("social worker"),
        Role.CADRE: _("cadre"),
        Role.ORG_REP: _("organisation rep"),
        Role.VOLUNTEER: _("volunteer"),
        Role.VOLUNTEER_REP: _("volunteers' representative"),
    }[Role(value)]


def solved(score: int) -> str:
    """How the resident says it went, from their rating (storage.wishes.NOT_SOLVED_BELOW)."""
    if score >= SOLVED_FROM:
        return _("solved")
    return _("partly solved") if score >= NOT_SOLVED_BELOW else _("not solved")


def solved_button(score: int) -> str:
    if score >= SOLVED_FROM:
        return _("Solved")
    return _("Partly solved") if score >= NOT_SOLVED_BELOW else _("Not solved")


def wish_state(value: str) -> str:
    """A wish's state in a word or two, for a list of one's own wishes."""
    return {
        WishState.SUBMITTED: _("waiting for verification"),
        WishState.OPEN: _("open"),
        WishState.CLAIMED: _("claimed"),
        WishState.FULFILLED: _("fulfilled, waiting for your confirmation"),
        WishState.CLOSED: _("done"),
        WishState.CANCELLED: _("withdrawn"),
        WishState.REJECTED: _("not accepted"),
    }[WishState(value)]


def tier(value: str) -> str:
    return {
        Tier.GRID: _("grid"),
        Tier.COMMUNITY: _("passed to the community"),
        Tier.STREET: _("passed to the street office"),
    }[Tier(value)]
