"""Inline keyboards. Buttons are verbs; labels come from the current language."""

from collections.abc import Collection

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import audience, labels
from bot.callbacks import (
    CATEGORY_ORDER,
    ActionCb,
    CommentCb,
    FormCb,
    FormStep,
    HoursCb,
    LangCb,
    MatterWishCb,
    MediaCb,
    MeetingFormCb,
    MeetingStep,
    PageCb,
    ProofCb,
    RateCb,
    RelayCb,
    RosterCb,
    RosterStep,
    RsvpCb,
    ServiceCb,
    ServiceFormCb,
    ServiceStep,
    SubstituteCb,
    VolAction,
    VolCb,
    VolFormCb,
    VolStep,
    WishAction,
    WishCb,
)
from bot.formatting import hours
from bot.i18n import current_locale
from storage.models import Period, PlaceKind, Skill, Tier, Wish, WishState

TIER_CHAT = {Tier.GRID: PlaceKind.GRID, Tier.COMMUNITY: PlaceKind.COMMUNITY,
             Tier.STREET: PlaceKind.STREET}

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}


def card(wish: Wish, chat_kind: str, news_url: str | None = None) -> InlineKeyboardMarkup | None:
    """The one button a card offers, in the chat of the tier the wish is at; and, with
    ``news_url``, the way for a resident who never opened a private chat to open one."""
    builder = InlineKeyboardBuilder()
    if wish.state == WishState.OPEN and wish.id is not None and TIER_CHAT[wish.tier] == chat_kind:
        label, action = {
            Tier.GRID: (_("🙋 Claim"), WishAction.CLAIM),
            Tier.COMMUNITY: (_("🤝 Take on"), WishAction.TAKE_ON),
            Tier.STREET: (_("📌 Adopt as a project"), WishAction.ADOPT),
        }[Tier(wish.tier)]
        builder.button(text=label, callback_data=WishCb(action=action, wish_id=wish.id))
    if wish.id is not None and wish.tier == Tier.COMMUNITY and chat_kind == PlaceKind.COMMUNITY \
            and wish.state in (WishState.OPEN, WishState.CLAIMED, WishState.FULFILLED):
        builder.button(text=_("🏛 To the residents' council"),
                       callback_data=MatterWishCb(wish_id=wish.id))
    if news_url is not None:
        builder.button(text=_("🔔 Get its news privately"), url=news_url)
    builder.adjust(1)
    return builder.as_markup() if list(builder.buttons) else None


def _contact_in_group(builder: InlineKeyboardBuilder, wish_id: int | None) -> None:
    """In a group the contact details are not shown (bot.audience): staff ask for them."""
    if wish_id is not None and not audience.private_details_allowed():
        builder.button(text=_("📇 Contact details"),
                       callback_data=WishCb(action=WishAction.CONTACT, wish_id=wish_id))


def verification(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Approve"), callback_data=WishCb(action=WishAction.APPROVE,
                                                           wish_id=wish_id))
    builder.button(text=_("Reject"), callback_data=WishCb(action=WishAction.REJECT,
                                                          wish_id=wish_id))
    _contact_in_group(builder, wish_id)
    return builder.as_markup()


def claimer(wish_id: int, claim_id: int | None = None, media: int = 0) -> InlineKeyboardMarkup:
    """The claimer's buttons: write to the resident through the bot (while the claim's
    conversation is open), see the resident's photos and voice messages, and the steps."""
    builder = InlineKeyboardBuilder()
    reach = 0
    if claim_id is not None:
        builder.button(text=_("💬 Message the resident"), callback_data=RelayCb(claim_id=claim_id))
        reach += 1
    if media:
        _media_button(builder, wish_id, media)
        reach += 1
    builder.button(text=_("✅ Mark fulfilled"), callback_data=WishCb(action=WishAction.DONE,
                                                                    wish_id=wish_id))
    builder.button(text=_("Give up"), callback_data=WishCb(action=WishAction.RELEASE,
                                                           wish_id=wish_id))
    builder.adjust(*([reach] if reach else []), 2)
    return builder.as_markup()


def relay(claim_id: int, label: str) -> InlineKeyboardMarkup:
    """One button that writes through the bot on a claim's conversation."""
    builder = InlineKeyboardBuilder()
    builder.button(text=label, callback_data=RelayCb(claim_id=claim_id))
    return builder.as_markup()


def message_the_volunteer(claim_id: int) -> InlineKeyboardMarkup:
    return relay(claim_id, _("💬 Message the volunteer"))


def with_volunteer(markup: InlineKeyboardMarkup | None,
                   claim_id: int | None) -> InlineKeyboardMarkup | None:
    """The resident's buttons of a wish, and a row to write to its claimer while the claim's
    conversation is open."""
    if claim_id is None:
        return markup
    builder = InlineKeyboardBuilder.from_markup(markup) if markup else InlineKeyboardBuilder()
    builder.attach(InlineKeyboardBuilder.from_markup(message_the_volunteer(claim_id)))
    return builder.as_markup()


def fulfilled(wish_id: int, claim_id: int | None) -> InlineKeyboardMarkup:
    """The claimer's buttons while the resident has yet to confirm: write to them, add a
    photo of the help given."""
    builder = InlineKeyboardBuilder()
    if claim_id is not None:
        builder.button(text=_("💬 Message the resident"), callback_data=RelayCb(claim_id=claim_id))
    builder.button(text=_("📷 Add a photo of the help"), callback_data=ProofCb(wish_id=wish_id))
    builder.adjust(1)
    return builder.as_markup()


def _media_button(builder: InlineKeyboardBuilder, wish_id: int, count: int) -> None:
    builder.button(text=_("📎 Photos and voice ({count})").format(count=count),
                   callback_data=MediaCb(wish_id=wish_id))


def media(wish_id: int, count: int, markup: InlineKeyboardMarkup | None = None
          ) -> InlineKeyboardMarkup | None:
    """``markup`` with a row that shows the wish's photos and voice messages privately, when
    it has any."""
    if not count:
        return markup
    builder = InlineKeyboardBuilder.from_markup(markup) if markup else InlineKeyboardBuilder()
    row = InlineKeyboardBuilder()
    _media_button(row, wish_id, count)
    builder.attach(row)
    return builder.as_markup()


def add_proof(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📷 Add a photo of the help"), callback_data=ProofCb(wish_id=wish_id))
    return builder.as_markup()


def withdraw(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Withdraw"), callback_data=WishCb(action=WishAction.WITHDRAW,
                                                            wish_id=wish_id))
    return builder.as_markup()


# The worded answers, as ratings: "solved" counts as 5, "partly solved" 3, "not solved" 1.
WORDED_SCORES = (5, 3, 1)


def rating(wish_id: int) -> InlineKeyboardMarkup:
    """Three worded answers, one to a row, that an elderly resident reads at a glance; then,
    for whoever likes them, one to five stars."""
    builder = InlineKeyboardBuilder()
    for score in WORDED_SCORES:
        builder.button(text=labels.solved_button(score),
                       callback_data=RateCb(wish_id=wish_id, score=score))
    for score in range(1, 6):
        builder.button(text=f"{score}⭐", callback_data=RateCb(wish_id=wish_id, score=score))
    builder.adjust(1, 1, 1, 5)
    return builder.as_markup()


def comment(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Add a comment"), callback_data=CommentCb(wish_id=wish_id))
    return builder.as_markup()


def categories() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value in CATEGORY_ORDER:
        builder.button(text=labels.category(value),
                       callback_data=FormCb(step=FormStep.CATEGORY, value=value))
    builder.button(text=_("Cancel"), callback_data=FormCb(step=FormStep.CANCEL))
    builder.adjust(2)
    return builder.as_markup()


def urgency() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🚨 Urgent"), callback_data=FormCb(step=FormStep.URGENT, value="1"))
    builder.button(text=_("Not urgent"), callback_data=FormCb(step=FormStep.URGENT, value="0"))
    return builder.as_markup()


def skip() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Skip"), callback_data=FormCb(step=FormStep.SKIP))
    return builder.as_markup()


def confirm_form() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Submit"), callback_data=FormCb(step=FormStep.SUBMIT))
    builder.button(text=_("Cancel"), callback_data=FormCb(step=FormStep.CANCEL))
    return builder.as_markup()


def languages() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LangCb(locale=code))
    return builder.as_markup()


def link(text: str, url: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=text, url=url)
    return builder.as_markup()


def acknowledge(page_id: int, wish_id: int | None = None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Acknowledge"), callback_data=PageCb(page_id=page_id))
    _contact_in_group(builder, wish_id)
    return builder.as_markup()


# --- volunteers -------------------------------------------------------------------------------

def _ticked(label: str, chosen: bool) -> str:
    return f"✅ {label}" if chosen else label


def _finish(builder: InlineKeyboardBuilder, done: VolStep) -> None:
    builder.button(text=_("Next"), callback_data=VolFormCb(step=done))
    builder.button(text=_("Cancel"), callback_data=VolFormCb(step=VolStep.CANCEL))


def volunteer_skip_phone() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Skip"), callback_data=VolFormCb(step=VolStep.SKIP_PHONE))
    return builder.as_markup()


def volunteer_skills(chosen: Collection[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for skill in Skill:
        builder.button(text=_ticked(labels.skill(skill), skill in chosen),
                       callback_data=VolFormCb(step=VolStep.SKILL, value=skill))
    _finish(builder, VolStep.SKILLS_DONE)
    builder.adjust(2)
    return builder.as_markup()


def volunteer_grids(offered: list[tuple[int, str]],
                    chosen: Collection[int]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for grid_id, name in offered:
        builder.button(text=_ticked(name, grid_id in chosen),
                       callback_data=VolFormCb(step=VolStep.GRID, value=str(grid_id)))
    _finish(builder, VolStep.GRIDS_DONE)
    builder.adjust(2)
    return builder.as_markup()


def volunteer_times(days: Collection[int], periods: Collection[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for day in range(7):
        builder.button(text=_ticked(labels.weekday(day), day in days),
                       callback_data=VolFormCb(step=VolStep.DAY, value=str(day)))
    for period in Period:
        builder.button(text=_ticked(labels.period(period), period in periods),
                       callback_data=VolFormCb(step=VolStep.PERIOD, value=period))
    _finish(builder, VolStep.TIMES_DONE)
    builder.adjust(4, 3, 1, 1, 1, 2)
    return builder.as_markup()


def volunteer_consent() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("I agree, send my application"),
                   callback_data=VolFormCb(step=VolStep.AGREE))
    builder.button(text=_("Cancel"), callback_data=VolFormCb(step=VolStep.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


def volunteer_decision(person_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, action in ((_("Approve"), VolAction.APPROVE), (_("Ask for more"), VolAction.ASK),
                          (_("Decline"), VolAction.DECLINE)):
        builder.button(text=label, callback_data=VolCb(action=action, person_id=person_id))
    return builder.as_markup()


def volunteer_answer(person_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Answer"), callback_data=VolCb(action=VolAction.ANSWER,
                                                         person_id=person_id))
    return builder.as_markup()


# --- service hours ----------------------------------------------------------------------------

QUICK_MINUTES = (30, 60, 90, 120, 180, 240)


def _hour_label(minutes: int) -> str:
    return _("{hours} h").format(hours=hours(minutes, current_locale()))


def wish_hours(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for minutes in QUICK_MINUTES:
        builder.button(text=_hour_label(minutes),
                       callback_data=HoursCb(wish_id=wish_id, minutes=minutes))
    builder.adjust(3)
    return builder.as_markup()


def service_hours() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for minutes in QUICK_MINUTES:
        builder.button(text=_hour_label(minutes),
                       callback_data=ServiceFormCb(step=ServiceStep.HOURS, value=str(minutes)))
    builder.adjust(3)
    return builder.as_markup()


def service_days(days: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """(label, ISO date) pairs: today, yesterday."""
    builder = InlineKeyboardBuilder()
    for label, iso in days:
        builder.button(text=label, callback_data=ServiceFormCb(step=ServiceStep.DAY, value=iso))
    return builder.as_markup()


def service_grids(grids: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for grid_id, name in grids:
        builder.button(text=name, callback_data=ServiceFormCb(step=ServiceStep.GRID,
                                                              value=str(grid_id)))
    builder.adjust(2)
    return builder.as_markup()


def service_decision(entry_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Confirm"), callback_data=ServiceCb(entry_id=entry_id, confirm=True))
    builder.button(text=_("Not confirmed"), callback_data=ServiceCb(entry_id=entry_id,
                                                                    confirm=False))
    return builder.as_markup()


def rsvp(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Attend"), callback_data=RsvpCb(meeting_id=meeting_id, attend=True))
    builder.button(text=_("Cannot attend"), callback_data=RsvpCb(meeting_id=meeting_id,
                                                                 attend=False))
    return builder.as_markup()


def action_done(item_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Done"), callback_data=ActionCb(item_id=item_id))
    return builder.as_markup()


def name_substitute(meeting_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Name a substitute"), callback_data=SubstituteCb(meeting_id=meeting_id))
    return builder.as_markup()


# --- the roster form and the form for a new meeting series ---------------------------------

WEEKDAY_GROUP_LABELS = ("workdays", "weekend", "daily")


def _weekday_group_label(group: str) -> str:
    return {"workdays": _("Workdays"), "weekend": _("Weekend"), "daily": _("Every day")}[group]


def roster_days(chosen: Collection[int]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for day in range(7):
        builder.button(text=_ticked(labels.weekday(day), day in chosen),
                       callback_data=RosterCb(step=RosterStep.DAY, value=str(day)))
    for group in WEEKDAY_GROUP_LABELS:
        builder.button(text=_weekday_group_label(group),
                       callback_data=RosterCb(step=RosterStep.DAYS, value=group))
    builder.button(text=_("Next"), callback_data=RosterCb(step=RosterStep.DAYS_DONE))
    builder.button(text=_("Cancel"), callback_data=RosterCb(step=RosterStep.CANCEL))
    builder.adjust(4, 3, 3, 2)
    return builder.as_markup()


def roster_posts() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Post A"), callback_data=RosterCb(step=RosterStep.POST, value="A"))
    builder.button(text=_("Post B (backup)"),
                   callback_data=RosterCb(step=RosterStep.POST, value="B"))
    builder.button(text=_("Cancel"), callback_data=RosterCb(step=RosterStep.CANCEL))
    builder.adjust(2, 1)
    return builder.as_markup()


def roster_people(offered: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """The community's social workers, then nobody (the post is cleared)."""
    builder = InlineKeyboardBuilder()
    for person_id, name in offered:
        builder.button(text=name, callback_data=RosterCb(step=RosterStep.PERSON,
                                                         value=str(person_id)))
    builder.button(text=_("Nobody (clear the post)"),
                   callback_data=RosterCb(step=RosterStep.CLEAR))
    builder.button(text=_("Cancel"), callback_data=RosterCb(step=RosterStep.CANCEL))
    builder.adjust(*([2] * ((len(offered) + 1) // 2)), 1, 1)
    return builder.as_markup()


def _meeting_choices(choices: list[tuple[str, str]], step: MeetingStep,
                     width: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, value in choices:
        builder.button(text=label, callback_data=MeetingFormCb(step=step, value=value))
    builder.button(text=_("Cancel"), callback_data=MeetingFormCb(step=MeetingStep.CANCEL))
    builder.adjust(*([width] * ((len(choices) + width - 1) // width)), 1)
    return builder.as_markup()


def meeting_rules() -> InlineKeyboardMarkup:
    return _meeting_choices([(_("Every week"), "weekly"), (_("Every month"), "monthly")],
                            MeetingStep.RULE, 2)


def meeting_nths() -> InlineKeyboardMarkup:
    return _meeting_choices([(labels.nth(n), str(n)) for n in (1, 2, 3, 4, -1)],
                            MeetingStep.NTH, 3)


def meeting_weekdays() -> InlineKeyboardMarkup:
    return _meeting_choices([(labels.weekday(day), str(day)) for day in range(7)],
                            MeetingStep.WEEKDAY, 4)


MEETING_TIMES = ("0900", "1000", "1430", "1500", "1600", "1900", "1930", "2000")
MEETING_LENGTHS = (30, 60, 90, 120)


def meeting_times() -> InlineKeyboardMarkup:
    return _meeting_choices([(f"{t[:2]}:{t[2:]}", t) for t in MEETING_TIMES],
                            MeetingStep.TIME, 4)


def meeting_lengths() -> InlineKeyboardMarkup:
    return _meeting_choices([(_("{minutes} min").format(minutes=m), str(m))
                             for m in MEETING_LENGTHS], MeetingStep.LENGTH, 4)


def meeting_titles() -> InlineKeyboardMarkup:
    return _meeting_choices([(_("Three-worker joint meeting"), "joint")],
                            MeetingStep.TITLE, 1)
