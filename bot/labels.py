"""Words for the product's enums, in the current language."""

from aiogram.utils.i18n import gettext as _

from storage.models import Category, Period, PlaceKind, Role, Skill, Tier, VolunteerStatus


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
    }[Role(value)]


def tier(value: str) -> str:
    return {
        Tier.GRID: _("grid"),
        Tier.COMMUNITY: _("passed to the community"),
        Tier.STREET: _("passed to the street office"),
    }[Tier(value)]


ROLE_WORDS: dict[str, Role] = {
    "admin": Role.ADMIN,
    "social_worker": Role.SOCIAL_WORKER,
    "socialworker": Role.SOCIAL_WORKER,
    "sw": Role.SOCIAL_WORKER,
    "cadre": Role.CADRE,
    "org_rep": Role.ORG_REP,
    "org": Role.ORG_REP,
    "volunteer": Role.VOLUNTEER,
    "管理员": Role.ADMIN,
    "管理員": Role.ADMIN,
    "社工": Role.SOCIAL_WORKER,
    "网格员": Role.SOCIAL_WORKER,
    "網格員": Role.SOCIAL_WORKER,
    "干部": Role.CADRE,
    "社区干部": Role.CADRE,
    "幹部": Role.CADRE,
    "社區幹部": Role.CADRE,
    "社会组织代表": Role.ORG_REP,
    "社會組織代表": Role.ORG_REP,
    "志愿者": Role.VOLUNTEER,
    "志願者": Role.VOLUNTEER,
    "义工": Role.VOLUNTEER,
    "義工": Role.VOLUNTEER,
}

KIND_WORDS: dict[str, PlaceKind] = {
    "street": PlaceKind.STREET,
    "community": PlaceKind.COMMUNITY,
    "grid": PlaceKind.GRID,
    "街道": PlaceKind.STREET,
    "社区": PlaceKind.COMMUNITY,
    "社區": PlaceKind.COMMUNITY,
    "网格": PlaceKind.GRID,
    "網格": PlaceKind.GRID,
}
