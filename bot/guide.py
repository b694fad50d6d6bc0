"""What the bot says to show the way: the short help of a grid group (also its greeting of new
members), the menu of a private chat, and the full list of commands by role.

A grid group's help is for residents, who read it on a phone: four lines and four buttons.
Each person's own commands (a volunteer's, a social worker's, an admin's) are sent privately.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from html import escape

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import links, volunteering
from bot.callbacks import RowId
from bot.links import Purpose
from storage import members
from storage.db import Database
from storage.models import Place, Role
from storage.people import Actor

FULL_HELP = "help"  # /start payload of the full list: nothing to sign
MY_WISHES = "mine"  # handled by handlers.wishes


class MenuAction(StrEnum):
    POST = "w"
    MINE = "m"
    ASK = "a"
    VOLUNTEER = "v"
    TASKS = "t"
    LANGUAGE = "l"
    CANCEL = "x"


class MenuCb(CallbackData, prefix="mn"):
    """A button of the private menu."""

    action: MenuAction


class GridFor(StrEnum):
    WISH = "w"
    ASK = "a"


class GridCb(CallbackData, prefix="gc"):
    """The grid chosen, by someone who belongs to several, for a wish or a question."""

    purpose: GridFor
    grid_id: RowId


class PrivatePosting(StatesGroup):
    grid = State()  # waiting for the grid to be chosen (the words are kept in the data)
    question = State()  # waiting for the question's words


@dataclass(frozen=True)
class GroupLinks:
    """The four ways out of a grid group's help, as links to the private chat."""

    post: str
    mine: str
    ask: str
    volunteer: str


async def group_links(bot: Bot, grid: Place) -> GroupLinks:
    grid_id = grid.id or 0
    return GroupLinks(post=await links.link(bot, Purpose.WISH_FORM, grid_id),
                      mine=await create_start_link(bot, MY_WISHES),
                      ask=await links.link(bot, Purpose.ASK, grid_id),
                      volunteer=await volunteering.sign_up_link(bot, grid))


async def full_help_link(bot: Bot) -> str:
    return await create_start_link(bot, FULL_HELP)


def resident_lines() -> list[str]:
    return [
        _("I am the helper of this grid:"),
        _("✍️ Need a hand? Post a micro-wish, and a volunteer will come."),
        _("❓ A question? Ask the social worker on duty; the answer comes privately."),
        _("🙋 Want to help? Become a volunteer."),
    ]


def group_help() -> str:
    return "\n".join(resident_lines())


def greeting(names: Collection[str]) -> str:
    welcome = _("Welcome, {names}!").format(names=escape(_(", ").join(names)))
    return "\n".join([welcome, *resident_lines()])


def _label(action: MenuAction) -> str:
    return {
        MenuAction.POST: _("✍️ Post a wish"),
        MenuAction.MINE: _("📋 My wishes"),
        MenuAction.ASK: _("❓ Ask a social worker"),
        MenuAction.VOLUNTEER: _("🙋 Volunteer"),
        MenuAction.TASKS: _("🧰 My tasks"),
        MenuAction.LANGUAGE: _("🌐 Language"),
        MenuAction.CANCEL: _("Cancel"),
    }[action]


def group_buttons(ways: GroupLinks, full_help: str | None = None) -> InlineKeyboardMarkup:
    """The grid group's four buttons; ``full_help``: a fifth, for someone whose own commands
    could not be sent privately."""
    builder = InlineKeyboardBuilder()
    for action, url in ((MenuAction.POST, ways.post), (MenuAction.MINE, ways.mine),
                        (MenuAction.ASK, ways.ask), (MenuAction.VOLUNTEER, ways.volunteer)):
        builder.button(text=_label(action), url=url)
    if full_help is not None:
        builder.button(text=_("📖 All commands"), url=full_help)
    builder.adjust(2)
    return builder.as_markup()


def link_to_all(full_help: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📖 All commands"), url=full_help)
    return builder.as_markup()


def private_menu(*, volunteer: bool = False) -> InlineKeyboardMarkup:
    """The buttons under every answer in a private chat that is not a step of a form."""
    builder = InlineKeyboardBuilder()
    actions = [MenuAction.POST, MenuAction.MINE, MenuAction.ASK,
               MenuAction.TASKS if volunteer else MenuAction.VOLUNTEER, MenuAction.LANGUAGE]
    for action in actions:
        builder.button(text=_label(action), callback_data=MenuCb(action=action))
    builder.adjust(2, 2, 1)
    return builder.as_markup()


async def menu_for(db: Database, actor: Actor | None) -> InlineKeyboardMarkup:
    """The private menu for this person: a volunteer's has their tasks instead of sign-up."""
    if actor is None:
        return private_menu()
    async with db.transaction() as session:
        roles = await members.roles_held(session, actor.id)
    return private_menu(volunteer=is_volunteer(roles))


def cancel_button() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_label(MenuAction.CANCEL), callback_data=MenuCb(action=MenuAction.CANCEL))
    return builder.as_markup()


def grid_choice(grids: list[Place], purpose: GridFor) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for grid in grids:
        builder.button(text=grid.name, callback_data=GridCb(purpose=purpose, grid_id=grid.id or 0))
    builder.button(text=_label(MenuAction.CANCEL), callback_data=MenuCb(action=MenuAction.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


# --- the full list, by role ---------------------------------------------------------------

def _everyone() -> list[str]:
    return [
        _("<b>For everyone</b>"),
        escape(_("/wish <text> — post a micro-wish, here or in your grid group (/wish alone "
                 "opens the form)")),
        escape(_("/mywishes — your micro-wishes, to withdraw or rate them")),
        escape(_("/ask <question> — ask the social worker on duty, here or in your grid "
                 "group; the answer comes privately")),
        escape(_("/duty — who is on duty today")),
        escape(_("/meetings — the joint meetings here; /topic <text> — propose a topic")),
        escape(_("/volunteer — sign up as a volunteer (in a private chat)")),
        escape(_("/lang — choose the language")),
        escape(_("/cancel — stop filling in a form")),
    ]


def _volunteers() -> list[str]:
    return [
        _("<b>For volunteers</b>"),
        escape(_("/mytasks — the wishes you claimed")),
        escape(_("/pause, /resume — stop and start volunteering for a while")),
        escape(_("/pings on|off — whether I tell you about new wishes that suit you")),
        escape(_("/myhours — your service hours; /logservice — log other service")),
        escape(_("/honour on|off — whether your name may appear on the honour roll")),
    ]


def _staff() -> list[str]:
    return [
        _("<b>For all staff</b>"),
        escape(_("/report [week|month|last week|last month] — this place's figures with a "
                 "chart (privately when asked in a grid's group)")),
        escape(_("/export <what> [from] [to] — this place's records as a spreadsheet, sent to "
                 "you privately (/export alone explains)")),
    ]


def _social_workers() -> list[str]:
    return [
        _("<b>For social workers</b>"),
        escape(_("/reject <number> <reason> — reject a micro-wish; the resident sees the reason")),
        escape(_("Reply to a question you were paged about to answer the resident.")),
        escape(_("/volunteers — the volunteers of this place")),
        escape(_("/hours @username|id — a volunteer's service hours; /fixhours <number> "
                 "<hours> corrects one")),
        escape(_("/suspend @username|id <reason>, /reinstate @username|id — a volunteer's "
                 "service")),
        escape(_("/evaluation — your monthly evaluation (考评), and your comment on it")),
    ]


def _cadres() -> list[str]:
    return [
        _("<b>For cadres (meeting hosts)</b>"),
        escape(_("/meeting_new weekly|monthly … — set up a meeting series; /meeting <number> "
                 "… — change it, skip or move one meeting")),
        escape(_("/agenda <number> — review the topics and confirm the agenda; /minutes "
                 "<number> — attendance, minutes, decisions and action items")),
    ]


def _admins() -> list[str]:
    return [
        _("<b>For admins</b>"),
        escape(_("/bind street|community|grid [parent number] <name> — bind this chat as a place")),
        escape(_("/unbind — detach this chat from its place")),
        escape(_("/places — the places you manage")),
        escape(_("/grant <role> @username|id (or in reply) — give a role at this place")),
        escape(_("/revoke <role> @username|id (or in reply) — take a role back")),
        escape(_("/people — who holds which role here")),
        escape(_("/settings — this place's settings; /set <name> <value> changes one")),
        escape(_("/duty_set <weekday 1–7> <A|B> @user, /swap <YYYY-MM-DD> <A|B> @user — "
                 "the duty roster (in the community chat)")),
        escape(_("/riskwords [add|remove <word>] — the words that raise a risk alert")),
        escape(_("/evaluation — the monthly evaluations of your places; /review — review a "
                 "social worker's month; /close_month — close a month (street admins)")),
        escape(_("/round_reviewers <round> @username … — name a micro-venture round's "
                 "reviewers; /score [round] — score its proposals; /select [round] — select "
                 "its projects within the budget (street admins)")),
        escape(_("/project <number> — a micro-venture project's milestones and progress; "
                 "/evaluate_round <round>, /finish_round <round> — its round's final "
                 "evaluation and report (street admins)")),
    ]


def is_volunteer(roles: Collection[str]) -> bool:
    return Role.VOLUNTEER in roles


def has_own_commands(roles: Collection[str], *, superadmin: bool) -> bool:
    """Whether someone has more commands than a resident: their part is sent privately."""
    return superadmin or bool(set(roles) & {Role.VOLUNTEER, Role.SOCIAL_WORKER, Role.CADRE,
                                            Role.ADMIN})


def full_help(roles: Collection[str], *, superadmin: bool) -> str:
    """Every command a person may use: everyone's, then those of the roles they hold."""
    held = set(Role) if superadmin else set(roles)
    sections = [_everyone()]
    if Role.VOLUNTEER in held:
        sections.append(_volunteers())
    if held & {Role.SOCIAL_WORKER, Role.CADRE, Role.ADMIN}:
        sections.append(_staff())
    if held & {Role.SOCIAL_WORKER, Role.ADMIN}:
        sections.append(_social_workers())
    if held & {Role.CADRE, Role.ADMIN}:
        sections.append(_cadres())
    if Role.ADMIN in held:
        sections.append(_admins())
    return "\n\n".join("\n".join(section) for section in sections)
